"""An in-process cache of whole GET answers, keyed by the store version.

Every write bumps the store version in its own transaction, so a cached answer is served
only while the store is exactly as it was when the answer was made: a write made through
any worker shows in every worker's next answer. The price of a hit is reading one
integer from the database, on a connection of its own and never on the event loop.
"""

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.observability import Metrics
from app.http.cache.version import VERSION_QUERY
from app.http.representation import etag_matches

CACHED_PREFIXES = ("/v1/", "/sdmx/")
UNCACHED_PREFIXES = ("/v1/keys",)


class VersionReader:
    """Reads the store version; None when the database cannot tell (the cache stands aside).

    Postgres: one async connection of its own. SQLite: one connection of its own, used by
    one thread of its own, so the check neither blocks the event loop nor competes with
    requests for the pool or the threadpool.

    Requests share reads: every request that arrives while a read runs waits for the
    next read, which starts when the running one ends and answers all of them. A read
    answers only requests that arrived before it started, so each sees every write
    committed before it arrived, and under load one read serves many requests.
    """

    def __init__(self, engine: Engine) -> None:
        url = make_url(engine.url)
        self._postgres = url.get_backend_name() == "postgresql"
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._sqlite_path = url.database or ":memory:"
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_thread: ThreadPoolExecutor | None = None
        self._waiting: list[asyncio.Future[int | None]] = []
        self._reads: asyncio.Task[None] | None = None

    async def current(self) -> int | None:
        waiter: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._reads is None:
            self._reads = asyncio.create_task(self._serve_waiting())
        return await waiter

    async def _serve_waiting(self) -> None:
        batch: list[asyncio.Future[int | None]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    version = await self._read()
                except Exception as error:  # every waiter gets it, the reads go on
                    for waiter in batch:
                        if not waiter.done():
                            waiter.set_exception(error)
                    continue
                for waiter in batch:
                    if not waiter.done():  # a waiter whose client left is cancelled
                        waiter.set_result(version)
        finally:
            self._reads = None
            for waiter in (*batch, *self._waiting):  # only when the reads are cancelled
                waiter.cancel()

    async def _read(self) -> int | None:
        if not self._postgres:
            if self._sqlite_thread is None:
                self._sqlite_thread = ThreadPoolExecutor(1, thread_name_prefix="store-version")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._sqlite_thread, self._sqlite_version)
        try:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=2
                )
            cursor = await self._connection.execute(VERSION_QUERY)
            row = await cursor.fetchone()
        except psycopg.Error:
            await self._close_postgres()
            return None
        return int(row[0]) if row else None

    def _sqlite_version(self) -> int | None:
        # Runs only on the one store-version thread, so the connection is never shared.
        if self._sqlite_path == ":memory:":
            return None  # a private in-memory database: nothing to be coherent with
        try:
            if self._sqlite is None:
                # mode=rw: never create a missing file; query_only: this connection only reads.
                uri = Path(self._sqlite_path).absolute().as_uri() + "?mode=rw"
                self._sqlite = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._sqlite.execute("PRAGMA query_only = ON")
            row = self._sqlite.execute(VERSION_QUERY).fetchone()
        except sqlite3.Error:
            self._close_sqlite()
            return None
        return int(row[0]) if row else None

    def _close_sqlite(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None

    async def _close_postgres(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def close(self) -> None:
        if self._reads is not None:
            self._reads.cancel()
            await asyncio.gather(self._reads, return_exceptions=True)
        await self._close_postgres()
        if self._sqlite_thread is not None:
            await asyncio.get_running_loop().run_in_executor(
                self._sqlite_thread, self._close_sqlite
            )
            self._sqlite_thread.shutdown(wait=True)
            self._sqlite_thread = None


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str | None
    route: object  # the route that made the answer, for whoever labels requests by route

    @property
    def size(self) -> int:
        """Bytes held, roughly: body, headers and a fixed allowance for the objects."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + _OVERHEAD


_NOT_MODIFIED_DROPS = {b"content-type", b"content-length"}
# Per entry: the key tuple, the entry, its header tuples and the OrderedDict slot.
_OVERHEAD = 1024


def _storable(start: Message) -> bool:
    """A 200 not yet encoded for one client (a route that sends a precompressed body
    does so for a client that accepts it; the key does not hold Accept-Encoding)."""
    if start.get("status") != 200:
        return False
    return all(bytes(name).lower() != b"content-encoding" for name, _ in start["headers"])


class ResponseCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: VersionReader,
        metrics: Metrics,
        entries: int,
        max_entry_bytes: int,
        max_total_bytes: int,
    ) -> None:
        self.app = app
        self.lookups = metrics.cache_lookups
        self.bytes_gauge = metrics.cache_bytes
        self.versions = versions
        self.capacity = entries
        self.max_entry_bytes = min(max_entry_bytes, max_total_bytes)
        self.max_total_bytes = max_total_bytes
        self.total_bytes = 0
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()

    def _cacheable(self, scope: Scope, headers: Headers) -> bool:
        path: str = scope["path"]
        return (
            self.capacity > 0
            and self.max_total_bytes > 0
            and scope["method"] == "GET"
            and path.startswith(CACHED_PREFIXES)
            and not path.startswith(UNCACHED_PREFIXES)
            and "authorization" not in headers
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self._cacheable(scope, headers):
            await self.app(scope, receive, send)
            return
        version = await self.versions.current()
        if version is None:
            self.lookups.labels("bypass").inc()
            await self.app(scope, receive, send)
            return
        # Answers hold absolute links built from the scheme and Host the client sent: one
        # client's Host must never reach another's answer.
        key = (
            version,
            scope["scheme"],
            headers.get("host", ""),
            scope["path"],
            scope["query_string"],
            headers.get("accept", ""),
        )
        entry = self._entries.get(key)
        if entry is not None:
            self.lookups.labels("hit").inc()
            self._entries.move_to_end(key)
            scope["route"] = entry.route
            await self._replay(entry, headers, send)
            return
        self.lookups.labels("miss").inc()
        await self.app(scope, receive, self._recorder(key, scope, send))

    async def _replay(self, entry: _Entry, headers: Headers, send: Send) -> None:
        if_none_match = headers.get("if-none-match")
        status, body, out = entry.status, entry.body, list(entry.headers)
        if if_none_match and entry.etag and etag_matches(if_none_match, entry.etag):
            status, body = 304, b""
            out = [(k, v) for k, v in out if k not in _NOT_MODIFIED_DROPS]
        out.append((b"x-cache", b"hit"))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})

    def _recorder(
        self, key: tuple[Any, ...], scope: Scope, send: Send
    ) -> Callable[[Message], Awaitable[None]]:
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def record(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message["headers"], (b"x-cache", b"miss")]}
            elif message["type"] == "http.response.body" and _storable(start):
                body = message.get("body", b"")
                size += len(body)
                if size <= self.max_entry_bytes:  # past the limit: stop collecting, pass on
                    chunks.append(body)
                    if not message.get("more_body", False):
                        self._store(key, start, b"".join(chunks), scope.get("route"))
                else:
                    chunks.clear()
            await send(message)

        return record

    def _store(self, key: tuple[Any, ...], start: Message, body: bytes, route: object) -> None:
        headers = [(bytes(k), bytes(v)) for k, v in start["headers"]]
        etag = next((v.decode() for k, v in headers if k.lower() == b"etag"), None)
        entry = _Entry(200, headers, body, etag, route)
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self.total_bytes -= replaced.size
        self._entries[key] = entry
        self.total_bytes += entry.size
        # Least recently used first; entries of older versions age out on their own.
        while self._entries and (
            len(self._entries) > self.capacity or self.total_bytes > self.max_total_bytes
        ):
            _key, evicted = self._entries.popitem(last=False)
            self.total_bytes -= evicted.size
        self.bytes_gauge.set(self.total_bytes)
