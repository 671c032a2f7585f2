import httpx
import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI

from app import migrations

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


async def test_healthz_is_documented_and_takes_no_parameters(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    operation = app.openapi()["paths"]["/healthz"]["get"]
    assert not operation.get("parameters")
    assert (await client.head("/healthz")).status_code == 200
    typo = await client.get("/healthz", params={"verbose": "1"})
    assert typo.status_code == 422
    assert "verbose" in typo.json()["detail"]
