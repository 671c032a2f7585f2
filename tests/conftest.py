"""Fixtures: every test runs once per backend (SQLite always, Postgres when configured)."""

import os
import signal
from collections.abc import AsyncIterator, Iterator
from types import FrameType

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from app.api.deps import runtime_of
from app.api.list_reads import ListReads
from app.api.pair_reads import PairReads
from app.auth.models import Scope
from app.core.settings import Settings, get_settings
from app.main import create_app
from tests.databases import (
    POSTGRES_URL_VARIABLE,
    Databases,
    PostgresDatabases,
    SqliteDatabases,
    postgres_admin_url,
)
from tests.helpers import asgi_client, closing_app, new_key
from tests.servers import stop_every_started_group, surviving_processes

BACKENDS = ["sqlite"] + (["postgres"] if postgres_admin_url() else [])


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    # A run stopped with SIGTERM (a CI timeout, kill) still tears its fixtures down, so
    # the servers the tests started are stopped and reaped.
    signal.signal(signal.SIGTERM, _interrupted)
    admin_url = postgres_admin_url()
    if admin_url is None:
        if os.environ.get("CI", "").lower() == "true":
            raise pytest.UsageError(
                f"CI=true but {POSTGRES_URL_VARIABLE} is not set: the suite must run on Postgres"
            )
        return
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        raise pytest.UsageError(
            f"{POSTGRES_URL_VARIABLE} is set but Postgres is unreachable: {error.orig}"
        ) from error
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request: pytest.FixtureRequest) -> Iterator[Databases]:
    admin_url = postgres_admin_url()
    backend: Databases = (
        PostgresDatabases(admin_url)
        if request.param == "postgres" and admin_url
        else SqliteDatabases()
    )
    try:
        backend.prepare()
    except BaseException:
        # A migration that fails leaves no template behind (on Postgres, a database on
        # the shared server).
        backend.close()
        raise
    yield backend
    backend.close()


@pytest.fixture
def database_url(databases: Databases) -> Iterator[str]:
    """A freshly migrated and seeded database of its own for each test."""
    with databases.migrated() as url:
        yield url


@pytest.fixture
def cli_runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner for the `tradestats` command, on the test's own database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, cache_max_age=60)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    with closing_app(create_app(settings)) as application:
        yield application


@pytest.fixture
async def router_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same store's app without the layers in front of the router
    (`app.api.pair_reads`, `app.api.list_reads`): its reads run the operations."""
    application = create_app(settings)
    application.user_middleware = [
        entry
        for entry in application.user_middleware
        if entry.cls not in (PairReads, ListReads)  # type: ignore[comparison-overlap]
    ]
    with closing_app(application):
        async with asgi_client(application) as client:
            yield client


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    engine: Engine = runtime_of(app).engine
    return engine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
def write_key(engine: Engine) -> str:
    return new_key(engine, "writer", Scope.WRITE)


@pytest.fixture
def admin_key(engine: Engine) -> str:
    return new_key(engine, "admin", Scope.ADMIN)


@pytest.fixture
def auth(write_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {write_key}"}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Nothing a test started may outlive the suite: servers, their workers, children."""
    survivors = surviving_processes()
    if survivors:
        print("\nProcesses started by tests are still running:\n" + "\n".join(survivors))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    stop_every_started_group()  # a failing check must not leave them running either
