"""The one layer every request passes through: its id, security headers, metrics and the
access log, and the way to CORS and compression for the requests that need them.

One pure ASGI call does all of it. As separate middleware each cost a coroutine, a send
wrapper and a header parse per request; the metrics library also matched the route
again and built a Response per request. Here the route is the one the router (or the
response cache) left in the scope, and the metric children are looked up in a dict.

Starlette's CORS and GZip middleware see only requests with an `Origin` header or one
that accepts gzip: for the others they would only add `Vary`, which this layer adds.
"""

import logging
import random
import time

from asgi_correlation_id import correlation_id
from asgi_correlation_id.middleware import FAILED_VALIDATION_MESSAGE, is_valid_uuid4
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.observability import REQUEST_ID_HEADER, Metrics, access_logger
from app.http.security import security_headers

REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
# Not counted: scraping the metrics must not change them.
UNCOUNTED_PATHS = frozenset({"/metrics"})
# The handler label of a request that matched no route (a 404).
UNMATCHED = "none"
# What CORS and compression would have added to a request that needs neither.
VARY = (b"vary", b"Origin, Accept-Encoding")
COMPRESS_FROM_BYTES = 1024
# zlib's default: most of level 9's saving for a fraction of its time.
COMPRESS_LEVEL = 6
CORS_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_HEADERS = ("Accept", "If-None-Match", REQUEST_ID_HEADER)
logger = logging.getLogger(__name__)


def new_request_id() -> str:
    """A random (version 4) UUID as 32 hex digits.

    From Python's own generator, seeded per process, rather than the system's (a system
    call per request): a request id identifies a request, it guards nothing.
    """
    digits = f"{random.getrandbits(128):032x}"
    return f"{digits[:12]}4{digits[13:16]}{'89ab'[int(digits[16], 16) & 3]}{digits[17:]}"


def request_id_of(scope: Scope) -> str:
    """The client's request id if it sent a valid one, else a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_KEY:
            given = bytes(value).decode("latin-1")
            if is_valid_uuid4(given):
                return given
            generated = new_request_id()
            logger.warning(FAILED_VALIDATION_MESSAGE, generated)
            return generated
    return new_request_id()


def needs_negotiation(scope: Scope) -> bool:
    """Whether the request has an Origin header or accepts gzip."""
    for name, value in scope["headers"]:
        if name == b"origin" or (name == b"accept-encoding" and b"gzip" in value):
            return True
    return False


def handler_of(scope: Scope) -> str:
    """The route template that answered (`/v1/countries/{code}`), or `none`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        access_log: bool,
        cors_origins: list[str],
        exposed_headers: list[str],
    ) -> None:
        self.app = app
        self.negotiated = CORSMiddleware(
            GZipMiddleware(app, minimum_size=COMPRESS_FROM_BYTES, compresslevel=COMPRESS_LEVEL),
            allow_origins=cors_origins,
            allow_methods=CORS_METHODS,
            allow_credentials=False,
            # What a dashboard sends on a GET: revalidation and its own request id.
            allow_headers=CORS_HEADERS,
            expose_headers=exposed_headers,
            max_age=600,
        )
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        correlation_id.set(request_id)
        added = ((REQUEST_ID_KEY, request_id.encode()), *security_headers(scope["path"]))
        inner = self.app
        if needs_negotiation(scope):
            inner = self.negotiated
        else:
            added = (*added, VARY)
        status = 500  # what the client gets if the app fails before it answers

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message["headers"], *added]
            await send(message)

        try:
            if scope["method"] == "HEAD":
                await _as_get(inner, scope, receive, send_with_headers)
            else:
                await inner(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            if scope["path"] not in UNCOUNTED_PATHS:
                self.metrics.answered(handler_of(scope), scope["method"], status, seconds)
            if self.access_log:
                self._log(scope, status, seconds)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float) -> None:
        duration_ms = round(seconds * 1000, 1)
        path = scope["path"]
        if scope["query_string"]:
            path += "?" + scope["query_string"].decode("latin-1")
        client = scope.get("client")
        access_logger.info(
            "%s %s %d %.1fms",
            scope["method"],
            path,
            status,
            duration_ms,
            extra={
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "client": f"{client[0]}:{client[1]}" if client else None,
            },
        )


async def _as_get(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """HEAD answered as GET is, headers and all (ETag, Content-Length), without the body.

    FastAPI routes take only the methods they name; every read names GET alone.
    """
    inner = {**scope, "method": "GET"}

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    try:
        await app(inner, receive, headers_only)
    finally:
        scope["route"] = inner.get("route")  # the metrics' handler label
