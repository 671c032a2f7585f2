"""Request ids, logs and Prometheus metrics."""

import logging
import os
from typing import Any

from asgi_correlation_id import correlation_id
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

REQUEST_ID_HEADER = "X-Request-ID"
# Set by `tradestats serve --workers N` (N > 1): where workers keep their metric values.
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
NO_REQUEST = "-"
# Seconds; the answers this API gives take milliseconds, a CSV export minutes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60)
access_logger = logging.getLogger("tradestats.access")


class RequestIdFilter(logging.Filter):
    """Sets `request_id` on every record: the request's id, or `-` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or NO_REQUEST
        return True


def logging_config(json_logs: bool, level: str = "INFO") -> dict[str, Any]:
    """Every record carries the request id (`-` outside a request); JSON lines if asked.

    Records skip what no format here shows: the process id (a system call per record),
    the process name and the thread name.
    """
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logThreads = False
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
                "class": "app.core.batched_log.BatchedStreamHandler",
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
            # /readyz compares the store's revision with the code's: Alembic would log its
            # plugins and its context at every probe.
            "alembic": {"level": "WARNING"},
        },
    }


# Methods with their own label value; any other (PROPFIND, MKCOL, ... which the HTTP
# parser accepts) counts as "other", so clients cannot multiply the series.
LABELLED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"


class Metrics:
    """This app's own Prometheus registry (one per app, so tests can build many apps).

    Request counts and latencies are recorded by `app.edge.Edge`, once per request, on
    label children kept in a dict: no route matching, no label lookup per request.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            ["handler", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from the request to the end of its answer, by route template and method",
            ["handler", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
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
        self._answered: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def answered(self, handler: str, method: str, status: int, seconds: float) -> None:
        if method not in LABELLED_METHODS:
            method = OTHER_METHOD
        key = (handler, method, status)
        children = self._answered.get(key)
        if children is None:
            children = self._answered[key] = (
                self.requests.labels(handler, method, str(status)),
                self.duration.labels(handler, method),
            )
        children[0].inc()
        children[1].observe(seconds)

    def watch_pool(self, engine: Engine) -> None:
        """Pool gauges follow check-outs and check-ins as they happen, not per request."""
        pool = engine.pool
        if not isinstance(pool, QueuePool):
            return

        def update(*_args: Any) -> None:
            self.pool_connections.labels("checked_out").set(pool.checkedout())
            self.pool_connections.labels("idle").set(pool.checkedin())

        update()
        for event_name in ("checkout", "checkin", "close", "invalidate"):
            event.listen(pool, event_name, update)

    def exposition(self) -> bytes:
        """The text /metrics answers: every worker's values in multiprocess mode."""
        registry = self.registry
        if os.environ.get(MULTIPROC_VARIABLE):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def worker_stopped() -> None:
    """A stopping worker's live gauges no longer count (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_VARIABLE):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
