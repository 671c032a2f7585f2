"""A write's sender is checked before a byte of its body is read, and the body is held to
its route's limit and media type."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.settings import settings_of
from tests.helpers import SAMPLE_FIGURE

pytestmark = pytest.mark.anyio

SOURCE = {"slug": "gate-test", "title": "A source", "publisher": "Someone"}


class Body:
    """A large body that counts how much of it the server asked for."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b" " * 65536


@pytest.mark.parametrize("path", ["/v1/sources", "/v1/observations", "/v1/imports"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-key", "Basic abc"])
async def test_no_body_is_read_without_a_valid_key(
    client: httpx.AsyncClient, path: str, authorization: str | None
) -> None:
    body = Body(chunks=5_000)  # 300 MB, were it read
    headers = {"Content-Type": "application/json" if path != "/v1/imports" else "text/csv"}
    if authorization:
        headers["Authorization"] = authorization
    answer = await client.post(path, content=body, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["connection"] == "close"
    assert body.read == 0


async def test_a_source_must_be_json(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(
        "/v1/sources", content=json.dumps(SOURCE), headers={**auth, "Content-Type": "text/plain"}
    )
    assert answer.status_code == 415
    assert answer.json()["accepted"] == ["application/json"]


async def test_a_source_body_has_the_write_limit(
    client: httpx.AsyncClient, auth: dict[str, str], app: FastAPI
) -> None:
    limit = settings_of(app).write_body_max_bytes
    body = Body(chunks=limit // 65536 + 2)
    answer = await client.post(
        "/v1/sources", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert body.read <= limit // 65536 + 2


async def test_a_write_after_the_gate_reads_its_whole_body(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await client.post(
        "/v1/observations", json={**SAMPLE_FIGURE, "note": "x" * 3000}, headers=auth
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["figures"][0]["note"] == "x" * 3000
    # No such write route: the app answers as it would (405), the key never asked for.
    assert (await client.post("/v1/countries/AZ", content=b"{}")).status_code == 405
