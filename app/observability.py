"""Request ids, logs and Prometheus metrics."""

from typing import Any

from asgi_correlation_id import CorrelationIdFilter
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator import metrics as pfi_metrics
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

REQUEST_ID_HEADER = "X-Request-ID"


def logging_config(json_logs: bool, level: str = "INFO") -> dict[str, Any]:
    """Every record carries the request id; JSON lines when asked for."""
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
        "filters": {"request_id": {"()": CorrelationIdFilter, "default_value": "-"}},
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
        self.pool_connections = Gauge(
            "tradestats_db_pool_connections",
            "Database connections of this worker's pool",
            ["state"],
            registry=self.registry,
        )


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
