import httpx
import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI

from app.core import migrations

pytestmark = pytest.mark.anyio


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_migrated_revision(client: httpx.AsyncClient) -> None:
    head = ScriptDirectory.from_config(migrations.alembic_config()).get_current_head()
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": head}


async def test_readyz_is_503_on_an_outdated_store(
    client: httpx.AsyncClient, database_url: str
) -> None:
    migrations.downgrade(database_url, "0002_reference_data")
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "0002_reference_data" in response.json()["detail"]
    assert response.headers["retry-after"]


async def test_probes_document_what_they_answer_and_read_past_a_query(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """A checker's cache-buster (`?x=1`) gets the probe's answer; liveness documents
    only its 200, readiness its 200 and 503."""
    operation = app.openapi()["paths"]["/healthz"]["get"]
    assert not operation.get("parameters")
    assert set(operation["responses"]) == {"200"}
    ready = app.openapi()["paths"]["/readyz"]["get"]
    assert set(ready["responses"]) == {"200", "503"}
    assert "application/problem+json" in ready["responses"]["503"]["content"]
    assert (await client.head("/healthz")).status_code == 200
    busted = await client.get("/healthz", params={"x": "1"})
    assert (busted.status_code, busted.json()) == (200, {"status": "ok"})
    assert (await client.get("/readyz", params={"x": "1"})).status_code == 200
