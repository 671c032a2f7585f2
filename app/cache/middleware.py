"""An in-process cache of whole GET answers, keyed by the store version.

Every write bumps the store version in its own transaction, so a cached answer is served
only while the store is exactly as it was when the answer was made: a write made through
any worker shows in every worker's next answer. The price of a hit is reading one
integer from the database.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cache.version import VERSION_QUERY
from app.observability import Metrics
from app.representation import etag_matches

CACHED_PREFIX = "/v1/"
UNCACHED_PREFIXES = ("/v1/keys",)


class VersionReader:
    """Reads the store version; None when the database cannot tell (the cache stands aside)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        url = make_url(engine.url)
        self._postgres = url.get_backend_name() == "postgresql"
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> int | None:
        if not self._postgres:
            return self._sqlite_version()
        async with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, connect_timeout=2
                    )
                cursor = await self._connection.execute(VERSION_QUERY)
                row = await cursor.fetchone()
            except psycopg.Error:
                await self.close()
                return None
        return int(row[0]) if row else None

    def _sqlite_version(self) -> int | None:
        try:
            with self._engine.connect() as connection:
                value = connection.exec_driver_sql(VERSION_QUERY).scalar()
        except Exception:
            return None
        return int(value) if value is not None else None

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str | None


_NOT_MODIFIED_DROPS = {b"content-type", b"content-length"}


class ResponseCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: VersionReader,
        metrics: Metrics,
        entries: int,
        max_entry_bytes: int,
    ) -> None:
        self.app = app
        self.lookups = metrics.cache_lookups
        self.versions = versions
        self.capacity = entries
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()

    def _cacheable(self, scope: Scope, headers: Headers) -> bool:
        path: str = scope["path"]
        return (
            self.capacity > 0
            and scope["method"] == "GET"
            and path.startswith(CACHED_PREFIX)
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
        key = (version, scope["path"], scope["query_string"], headers.get("accept", ""))
        entry = self._entries.get(key)
        if entry is not None:
            self.lookups.labels("hit").inc()
            self._entries.move_to_end(key)
            await self._replay(entry, headers, send)
            return
        self.lookups.labels("miss").inc()
        await self.app(scope, receive, self._recorder(key, send))

    async def _replay(self, entry: _Entry, headers: Headers, send: Send) -> None:
        if_none_match = headers.get("if-none-match")
        status, body, out = entry.status, entry.body, list(entry.headers)
        if if_none_match and entry.etag and etag_matches(if_none_match, entry.etag):
            status, body = 304, b""
            out = [(k, v) for k, v in out if k not in _NOT_MODIFIED_DROPS]
        out.append((b"x-cache", b"hit"))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})

    def _recorder(self, key: tuple[Any, ...], send: Send) -> Callable[[Message], Awaitable[None]]:
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def record(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message["headers"], (b"x-cache", b"miss")]}
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                body = message.get("body", b"")
                size += len(body)
                if size <= self.max_entry_bytes:  # past the limit: stop collecting, pass on
                    chunks.append(body)
                    if not message.get("more_body", False):
                        self._store(key, start, b"".join(chunks))
                else:
                    chunks.clear()
            await send(message)

        return record

    def _store(self, key: tuple[Any, ...], start: Message, body: bytes) -> None:
        headers = [(bytes(k), bytes(v)) for k, v in start["headers"]]
        etag = next((v.decode() for k, v in headers if k.lower() == b"etag"), None)
        self._entries[key] = _Entry(200, headers, body, etag)
        # Entries of older versions age out of the LRU order on their own.
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
