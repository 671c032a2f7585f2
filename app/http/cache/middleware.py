"""An in-process cache of whole GET answers, keyed by the store version.

Every write bumps the store version in its own transaction, so a cached answer is served
only while the store is exactly as it was when the answer was made: a write made through
any worker shows in every worker's next answer. The price of a hit is reading one
integer from the database, on a connection of its own and never on the event loop.
"""

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.observability import Metrics
from app.core.store_version import VersionReader
from app.http.representation import etag_matches

CACHED_PREFIXES = ("/v1/", "/sdmx/")
UNCACHED_PREFIXES = ("/v1/keys",)


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
