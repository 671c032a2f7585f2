"""Application factory: routers, middleware and error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app import openapi
from app.admission import AdmissionGate
from app.api import (
    commodities,
    countries,
    docs,
    health,
    imports,
    keys,
    observations,
    sources,
    trade,
)
from app.api.deps import Runtime
from app.auth.ratelimit import WriteRate
from app.cache.middleware import ResponseCache, VersionReader
from app.db import Sessions, create_db_engine
from app.errors import install_problem_handlers
from app.observability import (
    REQUEST_ID_HEADER,
    AccessLog,
    Metrics,
    instrument,
    worker_stopped,
)
from app.observations.writes import WRITE_BODY_MODELS
from app.query_guard import reject_unknown_query_parameters
from app.security import SecurityHeaders
from app.settings import Settings, get_settings

DESCRIPTION = """
Bilateral trade statistics with their provenance. Every figure says what it measures,
its unit, how sure the source is (qualifier), whether it is reported, derived, a forecast
or a target, and where it comes from. Errors are `application/problem+json` (RFC 9457).
"""


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

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        worker_stopped()
        await versions.close()
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="tradestats",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query_parameters)],
        # operationId = the route function's name: what client generators name methods by.
        generate_unique_id_function=lambda route: route.name,
        # Served by app.api.docs from installed assets instead of a CDN.
        docs_url=None,
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.settings = settings
    app.state.runtime = Runtime(
        engine=engine,
        read_engine=read_engine,
        sessions=Sessions.of(engine, read_engine),
        versions=versions,
        write_rate=WriteRate.parse(settings.write_rate_limit),
        metrics=metrics,
    )

    install_problem_handlers(app)
    docs.install(app)
    openapi.install(app, body_models=WRITE_BODY_MODELS)
    # Inside the cache: a hit needs no connection, so it never waits at the gate.
    app.add_middleware(AdmissionGate, slots=pool_size)
    app.add_middleware(
        ResponseCache,
        metrics=metrics,
        versions=versions,
        entries=settings.response_cache_entries,
        max_entry_bytes=settings.response_cache_max_bytes,
        max_total_bytes=settings.response_cache_total_bytes,
    )
    # Outside the cache, so that answers from the cache are counted too.
    instrument(app, engine, metrics)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_credentials=False,
        expose_headers=["ETag", "Link", "Cache-Control"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders)
    if settings.access_log:
        app.add_middleware(AccessLog)
    # Outermost: every log line and error body of the request carries its id.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        update_request_header=True,
    )
    for module in (health, countries, commodities, sources, observations, trade, imports, keys):
        app.include_router(module.router)
    return app
