"""Application factory: routers, middleware and error handlers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import (
    commodities,
    countries,
    dashboard,
    docs,
    health,
    imports,
    keys,
    observations,
    partners,
    sdmx,
    sources,
    trade,
)
from app.api.deps import Runtime
from app.api.list_reads import ListReads
from app.api.pair_reads import PairReads
from app.api.write_check import write_check
from app.auth.ratelimit import WriteRate
from app.core.db import Sessions, create_db_engine
from app.core.errors import install_problem_handlers
from app.core.observability import REQUEST_ID_HEADER, Metrics, worker_stopped
from app.core.read_lane import ReadLane
from app.core.settings import Settings, get_settings
from app.core.store_version import VersionReader
from app.http import openapi
from app.http.admission import AdmissionGate
from app.http.cache.middleware import ResponseCache
from app.http.edge import Edge
from app.http.query_guard import QueryGuard
from app.observations.schemas import WRITE_BODY_MODELS
from app.trade.background import Derivations
from app.trade.stored_reads import StoredReads

DESCRIPTION = """
Bilateral trade statistics with their provenance. Every figure says what it measures,
its unit, how sure the source is (qualifier), whether it is reported, derived, a forecast
or a target, and where it comes from. Errors are `application/problem+json` (RFC 9457).
"""


SQLITE_READ_THREADS = 4


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    pool_size = settings.database_pool_size
    engine = create_db_engine(settings.database_url, pool_size)
    # Reads (and the cache's version checks, so both see the same state) may use a replica.
    read_engine = (
        create_db_engine(settings.database_read_url, pool_size)
        if settings.database_read_url
        else engine
    )
    versions = VersionReader(read_engine)
    # Postgres reads mostly wait on the server: one thread for each request the admission
    # gate lets through. SQLite reads hold the GIL: a few threads keep it busy, more only
    # wake each other.
    postgres = read_engine.dialect.name == "postgresql"
    reads = ReadLane(threads=pool_size if postgres else min(SQLITE_READ_THREADS, pool_size))

    sessions = Sessions.of(engine, read_engine)
    derivations = Derivations(sessions.write)
    stored_reads = StoredReads(read_engine, connections=pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await stored_reads.open()
        yield
        worker_stopped()
        await versions.close()
        await stored_reads.close()
        await asyncio.to_thread(reads.close)  # lets a read in progress finish
        await asyncio.to_thread(derivations.close)  # and a derivation
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="tradestats",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Prometheus metrics come from app.http.edge; OpenTelemetry only when asked for.
        telemetry=None
        if settings.opentelemetry
        else {"tracing": False, "metrics": False, "logs": False},
        # operationId = the route function's name: what client generators name methods by.
        generate_unique_id_function=lambda route: route.name,
        # Served by app.api.docs from installed assets instead of a CDN.
        docs_url=None,
        redoc_url=None,
    )
    metrics = Metrics()
    metrics.watch_pool(engine)
    app.state.settings = settings
    app.state.runtime = Runtime(
        engine=engine,
        read_engine=read_engine,
        sessions=sessions,
        versions=versions,
        write_rate=WriteRate.parse(settings.write_rate_limit),
        metrics=metrics,
        reads=reads,
        derivations=derivations,
        stored_reads=stored_reads,
        short_reads_inline=not postgres,
    )

    install_problem_handlers(app)
    health.install_liveness(app)
    docs.install(app)
    dashboard.install(app)
    openapi.install(app, body_models=WRITE_BODY_MODELS)
    # Innermost: the pair series reads and the figure list they answer have passed every
    # layer but the router.
    app.add_middleware(ListReads)
    app.add_middleware(PairReads)
    # Inside the cache: a hit needs no connection, so it never waits at the gate.
    app.add_middleware(
        AdmissionGate,
        slots=pool_size,
        write_check=write_check,
        body_timeout=settings.body_timeout_seconds,
    )
    # Inside the cache too: only valid queries are cached, so a hit needs no check.
    app.add_middleware(QueryGuard, api=app)
    app.add_middleware(
        ResponseCache,
        metrics=metrics,
        versions=versions,
        entries=settings.response_cache_entries,
        max_entry_bytes=settings.response_cache_max_bytes,
        max_total_bytes=settings.response_cache_total_bytes,
    )
    # Outermost: every answer, from the cache or not, gets its id, headers, metrics, log;
    # CORS and compression for the requests that ask for them.
    app.add_middleware(
        Edge,
        metrics=metrics,
        access_log=settings.access_log,
        cors_origins=settings.cors_origins,
        exposed_headers=["ETag", "Link", "Cache-Control", REQUEST_ID_HEADER],
    )
    for module in (
        health,
        countries,
        commodities,
        sources,
        observations,
        partners,
        trade,
        imports,
        keys,
        sdmx,
    ):
        app.include_router(module.router)
    return app
