"""docker-compose.yml is for users; no engine runs it here, so check its wiring."""

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_postgres_service_has_volume_and_healthcheck() -> None:
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_api_and_migration_point_at_the_postgres_service() -> None:
    services = _compose()["services"]
    postgres_env = services["postgres"]["environment"]
    for name in ("migrate", "api"):
        url = make_url(services[name]["environment"]["DATABASE_URL"])
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port) == ("postgres", 5432)
        assert url.username == postgres_env["POSTGRES_USER"]
        assert url.database == postgres_env["POSTGRES_DB"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["tradestats", "migrate"]
    assert services["api"]["command"][:2] == ["tradestats", "serve"]
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_dockerfile_installs_the_console_script() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile
    assert 'CMD ["tradestats", "serve"]' in dockerfile


def test_several_stateless_replicas_behind_a_proxy() -> None:
    services = _compose()["services"]
    assert services["api"]["deploy"]["replicas"] == "${API_REPLICAS:-3}"
    assert "ports" not in services["api"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${API_PORT:-8000}:8000"]
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_pass $api" in config
    assert "http://api:8000" in config
