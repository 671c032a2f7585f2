"""Request ids, logs and Prometheus metrics."""

import logging
import os
import time
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, multiprocess
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator import metrics as pfi_metrics
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# Set by `tradestats serve --workers N` (N > 1): where workers keep their metric values.
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
NO_REQUEST = "-"
access_logger = logging.getLogger("tradestats.access")


class RequestIdFilter(logging.Filter):
    """Sets `request_id` on every record: the request's id, or `-` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or NO_REQUEST
        return True


class AccessLog:
    """One line per request, after its answer: method, path, status and duration.

    uvicorn's own access log knows no duration and runs outside the request's context,
    so it is turned off and this middleware (inside the request id one) logs instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            path = scope["path"]
            if scope.get("query_string"):
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


def logging_config(json_logs: bool, level: str = "INFO") -> dict[str, Any]:
    """Every record carries the request id (`-` outside a request); JSON lines if asked."""
    text = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(request_id)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        }
        if json_logs
        else {"format": text}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "": {"handlers": ["default"], "level": level},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }


class Metrics:
    """This app's own Prometheus registry (one per app, so tests can build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.cache_lookups = Counter(
            "tradestats_response_cache_lookups",
            "Response cache lookups by result (hit, miss, bypass)",
            ["result"],
            registry=self.registry,
        )
        self.cache_bytes = Gauge(
            "tradestats_response_cache_bytes",
            "Bytes held by the response caches of every live worker",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_connections = Gauge(
            "tradestats_db_pool_connections",
            "Database connections of the pools of every live worker",
            ["state"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )


def worker_stopped() -> None:
    """A stopping worker's live gauges no longer count (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_VARIABLE):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def instrument(app: FastAPI, engine: Engine, metrics: Metrics) -> None:
    """/metrics: request counts and latencies by route, pool use, cache lookups."""

    def pool_state(_info: Any) -> None:
        pool = engine.pool
        if isinstance(pool, QueuePool):
            metrics.pool_connections.labels("checked_out").set(pool.checkedout())
            metrics.pool_connections.labels("idle").set(pool.checkedin())

    Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=["/metrics"],
        registry=metrics.registry,
    ).add(pfi_metrics.default(registry=metrics.registry)).add(pool_state).instrument(app).expose(
        app, endpoint="/metrics", include_in_schema=False
    )
