"""The outer layer: request ids, the way around CORS and gzip, batched logs, shared
store-version reads."""

import asyncio
import io
import logging
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from app.core.batched_log import ATOMIC_WRITE_BYTES, FLUSH_SECONDS, BatchedStreamHandler
from app.core.store_version import VersionReader
from app.http.edge import new_request_id

pytestmark = pytest.mark.anyio

PLAIN = {"Accept-Encoding": "identity"}


def test_new_request_ids_are_version_4_uuids() -> None:
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for request_id in ids:
        parsed = uuid.UUID(request_id)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == request_id


async def test_a_plain_request_gets_the_same_vary_and_no_cors(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.get("/v1/countries", params={"limit": 1000}, headers=PLAIN)
    assert "content-encoding" not in plain.headers
    assert "access-control-allow-origin" not in plain.headers
    vary = {token.strip() for token in plain.headers["vary"].split(",")}
    assert {"Origin", "Accept-Encoding", "Accept"} <= vary
    assert uuid.UUID(plain.headers["x-request-id"])


async def test_negotiating_requests_get_gzip_and_cors(client: httpx.AsyncClient) -> None:
    both = await client.get(
        "/v1/countries",
        params={"limit": 1000},
        headers={"Accept-Encoding": "gzip", "Origin": "https://dashboard.example"},
    )
    assert both.headers["content-encoding"] == "gzip"
    assert both.headers["access-control-allow-origin"] == "*"
    exposed = {
        token.strip().lower() for token in both.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link", "x-request-id"} <= exposed
    plain = await client.get("/v1/countries", params={"limit": 1000}, headers=PLAIN)
    assert both.json() == plain.json()


async def test_an_invalid_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz", headers={"X-Request-ID": "not-an-id"})
    assert answer.headers["x-request-id"] != "not-an-id"
    assert uuid.UUID(answer.headers["x-request-id"]).version == 4


def _record(
    message: str, level: int = logging.INFO, name: str = "tradestats.access"
) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": level, "levelname": "X", "name": name})


class _RecordedStream(io.StringIO):
    """A stream that keeps each write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)


def test_log_lines_are_written_in_order_in_one_batch() -> None:
    stream = _RecordedStream()
    writes = stream.writes
    handler = BatchedStreamHandler(stream)
    for n in range(5):
        handler.handle(_record(f"line {n}"))
    assert writes == []  # waiting for the batch
    handler.handle(_record("trouble", logging.WARNING))
    assert writes == ["line 0\nline 1\nline 2\nline 3\nline 4\ntrouble\n"]
    handler.handle(_record("access"))
    handler.handle(_record("Shutting down", name="uvicorn.error"))
    assert writes[-1] == "access\nShutting down\n"
    handler.handle(_record("after"))
    handler.close()
    assert writes[-1] == "after\n"


def test_each_write_holds_whole_lines_and_fits_one_atomic_pipe_write() -> None:
    stream = _RecordedStream()
    writes = stream.writes
    handler = BatchedStreamHandler(stream)
    lines = [f"GET /v1/observations?limit={n} 200 {'x' * (n % 300)}" for n in range(2000)]
    for line in lines:
        handler.handle(_record(line))
    handler.close()
    assert all(len(text.encode()) <= ATOMIC_WRITE_BYTES for text in writes)
    assert all(text.endswith("\n") for text in writes)
    assert "".join(writes).splitlines() == lines


def test_waiting_lines_are_written_within_the_flush_interval() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream)
    try:
        handler.handle(_record("soon"))
        for _ in range(100):
            if stream.getvalue():
                break
            asyncio.run(asyncio.sleep(FLUSH_SECONDS / 4))
        assert stream.getvalue() == "soon\n"
    finally:
        handler.close()


class _CountingReader(VersionReader):
    """A version reader whose reads the test starts and ends."""

    def __init__(self) -> None:
        super().__init__(create_engine("sqlite://"))
        self.reads = 0
        self.version = 1
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def _read(self) -> int | None:
        self.reads += 1
        seen = self.version  # the snapshot this read sees is taken when it starts
        self.started.set()
        await self.release.wait()
        self.release.clear()
        self.started.clear()
        return seen


async def test_one_store_version_read_answers_every_request_waiting_for_it() -> None:
    reader = _CountingReader()
    first = asyncio.ensure_future(reader.current())
    await reader.started.wait()
    # These arrive while the first read runs, after a write: they must not get its answer.
    reader.version = 2
    later: list[asyncio.Future[Any]] = [asyncio.ensure_future(reader.current()) for _ in range(20)]
    await asyncio.sleep(0)
    reader.release.set()
    assert await first == 1
    await reader.started.wait()
    reader.release.set()
    assert [await waiting for waiting in later] == [2] * 20
    assert reader.reads == 2
    await reader.close()


async def test_a_waiter_that_leaves_does_not_stop_the_others() -> None:
    reader = _CountingReader()
    leaving = asyncio.ensure_future(reader.current())
    staying = asyncio.ensure_future(reader.current())
    await reader.started.wait()
    leaving.cancel()
    reader.release.set()
    assert await staying == 1
    assert leaving.cancelled()
    await reader.close()
