"""Application factory: routers, middleware and error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app.auth.router import router as keys_router
from app.cache.middleware import ResponseCache, VersionReader
from app.commodities.router import router as commodities_router
from app.countries.router import router as countries_router
from app.db import create_db_engine, create_session_factory
from app.errors import install_problem_handlers
from app.health.router import router as health_router
from app.imports.router import router as imports_router
from app.observations.router import router as observations_router
from app.settings import Settings, get_settings
from app.sources.router import router as sources_router
from app.trade.router import router as trade_router

DESCRIPTION = """
Bilateral trade statistics with their provenance. Every figure says what it measures,
its unit, how sure the source is (qualifier), whether it is reported, derived, a forecast
or a target, and where it comes from. Errors are `application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_db_engine(settings.database_url)

    versions = VersionReader(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await versions.close()
        engine.dispose()

    app = FastAPI(
        title="tradestats",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.versions = versions
    app.state.session_factory = create_session_factory(engine)
    app.state.write_session_factory = create_session_factory(engine, write=True)

    install_problem_handlers(app)
    app.add_middleware(
        ResponseCache,
        versions=versions,
        entries=settings.response_cache_entries,
        max_entry_bytes=settings.response_cache_max_bytes,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_credentials=False,
        expose_headers=["ETag", "Link", "Cache-Control"],
        max_age=600,
    )
    for router in (
        health_router,
        countries_router,
        commodities_router,
        sources_router,
        observations_router,
        trade_router,
        imports_router,
        keys_router,
    ):
        app.include_router(router)
    return app
