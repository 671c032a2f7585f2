"""Engine, sessions and the declarative base shared by every domain package."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Named constraints let Alembic drop them again on downgrade, on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


WRITE_OPTION = "tradestats_write"
AUTOCOMMIT_READ_OPTION = "tradestats_autocommit_read"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# SQLite: where a pooled connection lists the staged files attached to it
# (app.observations.staging), which it detaches when it goes back to the pool.
STAGED_FILES_INFO = "tradestats_staged_files"


def _detach_staged_files(dbapi_connection: Any, record: Any, _state: Any) -> None:
    """SQLite detaches a database only outside a transaction, so an import that attached
    its staged file leaves it to this, when the connection goes back to the pool."""
    schemas = record.info.pop(STAGED_FILES_INFO, None) if record is not None else None
    if not schemas:
        return
    if dbapi_connection.in_transaction:
        dbapi_connection.rollback()
    for schema in schemas:
        dbapi_connection.execute(f"DETACH DATABASE {schema}")


def _begin_sqlite(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get(AUTOCOMMIT_READ_OPTION, False):
        return  # each statement of a read request is its own transaction, as on Postgres
    # A writer takes the write lock up front: two deferred transactions that both read and
    # then write would deadlock, and SQLite would fail one at once instead of waiting.
    immediate = options.get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


DEFAULT_POOL_SIZE = 10
# Postgres: how the app's connections plan the statements they prepare.
PLAN_CACHE_MODE = "force_generic_plan"


def create_db_engine(database_url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Build an engine; for SQLite, create the file's folder and enforce foreign keys.

    The pool holds twice `pool_size`: the admission gate (app.admission) lets `pool_size`
    requests in at once and a request uses at most two connections (a write checks its key
    on a second one), so a thread never waits for a connection. A thread that waited would
    hold a threadpool token that the connection's holder may need to finish.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        in_memory = not url.database or url.database == ":memory:"
        if not in_memory:
            Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
        pooling = {} if in_memory else {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine.pool, "reset", _detach_staged_files)
        return engine
    # No pre-ping: it costs a round trip per request. A connection that died with the
    # server fails once (answered 503) and SQLAlchemy then recycles the whole pool.
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine, "connect", _configure_postgres)
    return engine


def _configure_postgres(dbapi_connection: Any, _record: Any) -> None:
    """Statements psycopg prepares (from a text's fifth run on a connection) keep one
    generic plan. A pair read joins the figures' partitions with five tables through the
    `observations` view: planning it took 3 to 8 ms, running it 2 ms. The filters are
    keys and spans whose plan does not depend on the values asked for; a statement run
    once (a merge, whose temporary tables have new names each time) is never prepared."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute(f"SET plan_cache_mode = {PLAN_CACHE_MODE}")
    dbapi_connection.autocommit = autocommit


def create_session_factory(
    engine: Engine, *, write: bool = False, read_only: bool = False
) -> sessionmaker[Session]:
    """Sessions for writes (SQLite: BEGIN IMMEDIATE) or plain ones.

    `read_only` sessions run in autocommit: a read request is one or two queries, and
    BEGIN/COMMIT would double its round trips on Postgres and its statements on SQLite.
    """
    bind = engine
    if write:
        bind = engine.execution_options(**{WRITE_OPTION: True})
    elif read_only and engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    elif read_only:
        bind = engine.execution_options(**{AUTOCOMMIT_READ_OPTION: True})
    return sessionmaker(bind=bind, expire_on_commit=False)


@dataclass(frozen=True)
class Sessions:
    """The one session factory for each purpose."""

    read: sessionmaker[Session]  # a read request (a replica when one is configured)
    stream: sessionmaker[Session]  # a streamed export: server-side cursors need a transaction
    primary: sessionmaker[Session]  # reads that must see the latest write (API keys)
    write: sessionmaker[Session]  # writes (SQLite: BEGIN IMMEDIATE)

    @property
    def read_bind(self) -> Engine:
        """The engine read sessions are bound to (the read engine with their options):
        what caches of a store kept per session bind are keyed on for reads."""
        bind = self.read.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @classmethod
    def of(cls, engine: Engine, read_engine: Engine) -> "Sessions":
        return cls(
            read=create_session_factory(read_engine, read_only=True),
            stream=create_session_factory(read_engine),
            primary=create_session_factory(engine),
            write=create_session_factory(engine, write=True),
        )


def write_session_on(connection: Connection) -> Session:
    """A write session on a connection that has run other transactions before (SQLite:
    its next transaction begins IMMEDIATE, taking the write lock)."""
    connection.execution_options(**{WRITE_OPTION: True})
    return Session(bind=connection, expire_on_commit=False)


def read_session_on(connection: Connection) -> Session:
    """A session on a connection held for longer work (an import), for a read before it:
    its transaction begins as reads do (SQLite: deferred, no write lock)."""
    return Session(bind=connection)
