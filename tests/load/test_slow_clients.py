"""Slow and oversized clients against a real server: they hold no admission slot, their
heads are limited in size and time, and reads go on answering at once."""

import socket
import statistics
import time
from contextlib import ExitStack, closing
from urllib.parse import urlsplit

import httpx

from tests.helpers import new_key
from tests.servers import Server, serving

SLOW_HEADS = 64
SLOW_BODIES = 12
LIMITS = {
    "DATABASE_POOL_SIZE": "4",
    "HEADER_TIMEOUT_SECONDS": "4",
    "BODY_TIMEOUT_SECONDS": "4",
    "MAX_HEADER_BYTES": "16384",
}


def _connect(server: Server) -> socket.socket:
    address = urlsplit(server.url)
    connection = socket.create_connection((address.hostname, address.port), timeout=30)
    return connection


def _slow_body(server: Server, path: str, headers: str = "") -> socket.socket:
    """A write that declares 100,000 bytes of JSON and sends one."""
    connection = _connect(server)
    connection.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\n{headers}\r\n{{".encode()
    )
    return connection


def _answer(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _uncached_read_seconds(server: Server, number: int) -> float:
    started = time.monotonic()
    answer = httpx.get(
        server.url + f"/v1/observations?limit=5&as_of=2100-01-01T00:00:{number:02d}Z", timeout=30
    )
    assert answer.status_code == 200, answer.text
    return time.monotonic() - started


def test_slow_heads_and_bodies_leave_reads_answering(database_url: str) -> None:
    secret = new_key(database_url, "slow-writer")
    with serving(database_url, env=LIMITS) as server, ExitStack() as stack:
        heads = []
        for _ in range(SLOW_HEADS):
            head = stack.enter_context(closing(_connect(server)))
            head.sendall(b"GET /v1/countries/AZ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            heads.append(head)
        anonymous = [
            stack.enter_context(closing(_slow_body(server, "/v1/sources")))
            for _ in range(SLOW_BODIES)
        ]
        keyed = [
            stack.enter_context(
                closing(
                    _slow_body(server, "/v1/observations", f"Authorization: Bearer {secret}\r\n")
                )
            )
            for _ in range(SLOW_BODIES)
        ]
        time.sleep(0.5)
        # More slow bodies than the worker has slots, and reads still answer at once: a
        # stalled gate would hold every one of them, so the median says which it is.
        assert statistics.median(_uncached_read_seconds(server, n) for n in range(5)) < 1.0
        # A body without a key is refused before it is read.
        for connection in anonymous:
            answer = _answer(connection)
            assert _status(answer) == 401, answer
            assert b"application/problem+json" in answer
        # The rest wait for their own deadline, then are answered and closed.
        for connection in keyed:
            answer = _answer(connection)
            assert _status(answer) == 408, answer
            assert b"nothing was written" in answer
        for connection in heads:
            assert _status(_answer(connection)) == 408
        assert statistics.median(_uncached_read_seconds(server, n) for n in range(50, 55)) < 1.0


def test_a_request_head_is_limited_in_size(database_url: str) -> None:
    with serving(database_url, env=LIMITS) as server, closing(_connect(server)) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"a" * 20_000 + b"\r\n\r\n"
        )
        answer = _answer(connection)
        assert _status(answer) == 431
        assert b"16384 bytes" in answer
        # Within the limit, the same request is answered.
        fine = httpx.get(server.url + "/healthz", headers={"X-Filler": "a" * 8_000}, timeout=30)
        assert fine.status_code == 200


def test_a_connection_that_sends_nothing_is_closed(database_url: str) -> None:
    with serving(database_url, env=LIMITS) as server, closing(_connect(server)) as connection:
        started = time.monotonic()
        assert _status(_answer(connection)) == 408
        assert time.monotonic() - started < 30
