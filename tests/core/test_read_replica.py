"""DATABASE_READ_URL sends reads to a replica; writes and key checks stay on the primary."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from app.api.deps import runtime_of
from app.core.settings import Settings
from app.main import create_app
from tests.databases import Databases
from tests.helpers import SAMPLE_FIGURE, asgi_client, closing_app

pytestmark = pytest.mark.anyio

FIGURE = SAMPLE_FIGURE


@pytest.fixture
def replica_url(databases: Databases) -> Iterator[str]:
    # Stands in for a replica that has not caught up: a separate copy of the store.
    with databases.migrated() as url:
        yield url


@pytest.fixture
async def split_client(database_url: str, replica_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(Settings(database_url=database_url, database_read_url=replica_url))
    with closing_app(app):
        async with asgi_client(app) as client:
            yield client
    runtime_of(app).read_engine.dispose()


async def test_reads_go_to_the_replica(
    split_client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    written = await split_client.post("/v1/observations", json=FIGURE, headers=auth)
    assert written.status_code == 201, written.text  # the key exists on the primary only
    figure_id = written.json()["figures"][0]["id"]
    on_replica = await split_client.get(f"/v1/observations/{figure_id}")
    assert on_replica.status_code == 404
    assert (await split_client.get("/readyz")).status_code == 200
