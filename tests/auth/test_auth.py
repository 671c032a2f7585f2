"""Writes need a key: 401 without a valid one, 403 when revoked or short of scope."""

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.auth import service
from app.auth.models import ApiKey
from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

FIGURE = SAMPLE_FIGURE


async def test_no_key_is_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/observations", json=FIGURE)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer ts_000000000000_nope", "Basic dXNlcjpwYXNz", "Bearer ", "ts_abc"]
)
async def test_invalid_key_is_401(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post("/v1/observations", json=FIGURE, headers={"Authorization": header})
    assert_problem(response, 401)


async def test_valid_key_writes(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/observations", json=FIGURE, headers=auth)
    assert response.status_code == 201, response.text


async def test_revoked_key_is_403(
    client: httpx.AsyncClient, engine: Engine, auth: dict[str, str]
) -> None:
    with Session(engine) as session, session.begin():
        service.revoke(session, "writer")
    body = assert_problem(await client.post("/v1/observations", json=FIGURE, headers=auth), 403)
    assert "revoked" in body["detail"]


async def test_write_key_lacks_the_admin_scope(
    client: httpx.AsyncClient, auth: dict[str, str], admin_key: str
) -> None:
    body = assert_problem(await client.get("/v1/keys", headers=auth), 403)
    assert "admin" in body["detail"]
    listing = await client.get("/v1/keys", headers={"Authorization": f"Bearer {admin_key}"})
    assert [key["name"] for key in listing.json()["data"]] == ["admin", "writer"]
    assert listing.headers["cache-control"] == "no-store"
    assert admin_key not in listing.text


async def test_reads_need_no_key(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/observations")).status_code == 200


def test_only_a_hash_is_stored(engine: Engine, write_key: str) -> None:
    with Session(engine) as session:
        stored = session.scalars(select(ApiKey)).one()
        assert write_key not in (stored.key_hash, stored.prefix, stored.name)
        assert len(stored.key_hash) == 64
        assert service.find(session, write_key) is not None
        assert service.find(session, write_key[:-1] + "x") is None
