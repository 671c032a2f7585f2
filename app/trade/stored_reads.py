"""The stored answers (`stored`) read with no ORM session: one lookup on a connection of
the worker's own, from a pair known by its codes in memory.

An ORM session's checkout, transaction and close cost more than the lookup itself
(71 µs against 9 µs on SQLite), and on Postgres a session means a thread to run it in.
So a pair's keys and its rendered `pair` are learnt once per process (countries come
only from migrations); then:

- SQLite: the lookup runs on the event loop, on a read-only connection of the worker's
  own: an indexed read of a few rows is shorter than a hand-off to a thread and back,
  or than a pooled connection's checkout and return.
- Postgres: on an asyncpg pool of the worker's own, no thread at all. The app's
  lifespan opens it on the worker's event loop (a pool serves its own loop alone:
  elsewhere the session's read answers). The admission gate lets at most
  `connections` requests in, so a read never waits for a connection.
  asyncpg, not psycopg's async connections: 69 µs of the worker's CPU a lookup against
  137 µs, under 32 concurrent reads. These connections never change their session's
  state (no SET, no transaction left open), so the pool resets nothing between reads:
  asyncpg's default reset is a round trip that more than doubled the cost.
"""

import asyncio
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from app.core.db import PLAN_CACHE_MODE
from app.countries.codes import code_column
from app.countries.service import Country, reference
from app.shared.periods import Period
from app.shared.rendering import to_json
from app.trade import repository, stored
from app.trade.stored import StalePointsError

# A store that does not answer a connection in this long is away: the read then goes
# the session's way, which answers that as it answers it for every read.
CONNECT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class KnownPair:
    a: int  # M49 keys
    b: int
    rendered: bytes  # the answers' `pair`: both countries' references, a JSON array


# Of a URL's query, what asyncpg reads as libpq does; anything else it would send to the
# server as a setting (libpq's client options, such as connect_timeout, would be refused).
_ASYNCPG_QUERY = frozenset(
    {
        "sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslpassword",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "target_session_attrs",
        "krbsrvname", "gsslib", "service", "servicefile", "passfile", "host", "port",
        "application_name", "options",
    }
)  # fmt: skip


def asyncpg_target(url: URL) -> tuple[str, float]:
    """The DSN asyncpg connects to for a SQLAlchemy URL, and the connect timeout."""
    given = url.query.get("connect_timeout")
    timeout = float(given) if isinstance(given, str) else CONNECT_TIMEOUT_SECONDS
    query = {name: value for name, value in url.query.items() if name in _ASYNCPG_QUERY}
    target = url.set(drivername="postgresql", query=query)
    return target.render_as_string(hide_password=False), min(timeout, CONNECT_TIMEOUT_SECONDS)


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """The pool's reset between reads: nothing to reset (see the module's note)."""


class StoredReads:
    def __init__(self, engine: Engine, connections: int) -> None:
        url = make_url(engine.url)
        self._postgres = url.get_backend_name() == "postgresql"
        self._dsn, self._connect_timeout = asyncpg_target(url)
        self._sqlite_path = url.database or ":memory:"
        self._connections = connections
        # A code as `code_column` reads it: the country's key and its rendered reference.
        self._countries: dict[tuple[str, str], tuple[int, bytes]] = {}
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_thread: int | None = None  # the thread that uses it
        self._pool: asyncpg.Pool | None = None
        self._pool_loop: asyncio.AbstractEventLoop | None = None

    def known(self, a: str, b: str) -> KnownPair | None:
        """The pair these path codes name, if both codes were learnt and name two
        countries; None otherwise (`learn` it, or let the session's read refuse it)."""
        first_code, second_code = code_column(a), code_column(b)
        if first_code is None or second_code is None:
            return None
        first = self._countries.get(first_code)
        second = self._countries.get(second_code)
        if first is None or second is None or first[0] == second[0]:
            return None
        return KnownPair(first[0], second[0], b"[" + first[1] + b"," + second[1] + b"]")

    def learn(self, a: str, b: str, pair: tuple[Country, Country]) -> KnownPair:
        """Remember what the codes `a` and `b` resolved to (`resolve_pair`)."""
        for code, country in zip((a, b), pair, strict=True):
            column = code_column(code)
            assert column is not None  # it resolved
            self._countries[column] = (country.m49, to_json(reference(country)))
        found = self.known(a, b)
        assert found is not None
        return found

    async def answer(
        self, pair: KnownPair, operation: str, period: Period | None, freq: str | None
    ) -> bytes | None:
        """`stored.answer` of the pair; `StalePointsError` where it is marked stale."""
        asked = stored.lookup(pair.a, pair.b, operation, period)
        if self._postgres:
            points = await repository.points_async(self.pool(), asked)
        else:
            points = repository.points(self.sqlite_connection(), asked)
        if points is None:
            raise StalePointsError
        return stored.answer(points, pair.rendered, operation, period, freq)

    @property
    def postgres(self) -> bool:
        return self._postgres

    def sqlite_connection(self) -> sqlite3.Connection:
        """The worker's own read-only connection to a SQLite store (the figure list's
        short pages read on it too). Used on the event loop's thread alone. In
        autocommit, each lookup sees every write committed before it. A busy store fails
        it at once (no busy timeout on the event loop), and the session's read answers."""
        if self._sqlite is None:
            if self._sqlite_path == ":memory:":
                # A private in-memory store has no other connection: its session reads.
                raise LookupError("an in-memory store is read through its sessions")
            self._sqlite = repository.sqlite_reader(Path(self._sqlite_path))
            self._sqlite_thread = threading.get_ident()
        elif self._sqlite_thread != threading.get_ident():
            # A client running the app on a loop in another thread (a test's): the
            # session's read answers, as the connection is never used by two threads.
            raise LookupError("the worker's SQLite connection serves its own thread alone")
        return self._sqlite

    async def open(self) -> None:
        """Open the Postgres pool on the running event loop, the worker's (the app's
        lifespan does). No connection is made before a read needs one."""
        if self._postgres and self._pool is None:
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=0,
                max_size=self._connections,
                reset=_no_reset,
                timeout=self._connect_timeout,
                # As the engine's connections: one plan per statement, made once.
                server_settings={"plan_cache_mode": PLAN_CACHE_MODE},
            )
            self._pool_loop = asyncio.get_running_loop()

    def pool(self) -> asyncpg.Pool:
        """The Postgres pool, for short reads on the worker's event loop (the figure
        list's pages read through it too); `LookupError` where it does not serve."""
        if self._pool is None or self._pool_loop is not asyncio.get_running_loop():
            # Not opened by a lifespan, or a test client's loop of its own: the session's
            # read (the ledger) answers.
            raise LookupError("the stored reads' pool serves its own event loop alone")
        return self._pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
        self.close_sqlite()

    def close_sqlite(self) -> None:
        """Close the SQLite connection (`close` does; it needs no event loop)."""
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
