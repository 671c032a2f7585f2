"""The stored points of pairs' series (`models.PairPointRow`) and the marks of pairs
whose points are out of date (`STALE` rows, one for each order of the pair).

A read is one indexed lookup on the driver's own connection (`stored_reads`):
SQLAlchemy's statement and result handling would cost more than the lookup. It takes
the mark with the points, in the same statement, so it never trusts points a committed
write has made stale."""

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from asyncpg import Pool
from sqlalchemy import and_, case, delete, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.commodities.models import Commodity
from app.observations.models import FigureRow
from app.shared.vocabulary import TOTAL_COMMODITY
from app.trade.models import PairPointRow, StoredDerivation

# The operation of a pair's mark: sorts before every stored operation.
STALE = -1

_SELECT = "SELECT operation, start_date, end_date, {body} FROM pair_points "
_WHERE = "WHERE a = ? AND b = ? AND operation IN (?, -1)"
_ORDER = " ORDER BY operation, position"
# What each question reads: every point; one period's; or the dates of a window's points
# with the body of one period's only.
_STATEMENTS = {
    "series": _SELECT.format(body="body") + _WHERE + _ORDER,
    "period": _SELECT.format(body="body")
    + _WHERE
    + " AND (operation = -1 OR (start_date = ? AND end_date = ?))"
    + _ORDER,
    "window": _SELECT.format(body="CASE WHEN start_date = ? AND end_date = ? THEN body END")
    + _WHERE
    + " AND (operation = -1 OR (start_date >= ? AND end_date <= ?))"
    + _ORDER,
}


def _numbered(text: str) -> str:
    """A statement with `?` placeholders in asyncpg's style ($1, $2, ...)."""
    parts = text.split("?")
    return parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], 1))


_POSTGRES_STATEMENTS = {name: _numbered(text) for name, text in _STATEMENTS.items()}

Points = list[tuple[date, date, bytes | None]]


@dataclass(frozen=True)
class Asked:
    """A lookup of the stored points of one operation of the pair seen from `a`: all of
    them; only `period`'s; or, with `window`, those inside it, with a body only for
    `period`'s."""

    a: int
    b: int
    operation: int
    period: tuple[date, date] | None = None
    window: tuple[date, date] | None = None

    def statement(self, postgres: bool) -> tuple[str, list[object]]:
        """Its statement and parameters, in the driver's style."""

        def day(value: date) -> date | str:
            return value if postgres else value.isoformat()  # SQLite keeps ISO text

        parameters: list[object] = [self.a, self.b, self.operation]
        kind = "series"
        if self.window is not None:
            assert self.period is not None
            kind = "window"
            span, window = self.period, self.window
            parameters = [day(span[0]), day(span[1]), *parameters, day(window[0]), day(window[1])]
        elif self.period is not None:
            kind = "period"
            parameters += [day(self.period[0]), day(self.period[1])]
        return (_POSTGRES_STATEMENTS if postgres else _STATEMENTS)[kind], parameters


def _found(rows: Sequence[Any], postgres: bool) -> Points | None:
    if rows and rows[0][0] == STALE:
        return None
    if postgres:
        return [(start, end, body) for _, start, end, body in rows]
    return [
        (date.fromisoformat(start), date.fromisoformat(end), body) for _, start, end, body in rows
    ]


def sqlite_reader(path: Path) -> sqlite3.Connection:
    """A connection of its own to a SQLite store, in autocommit, that only reads. Its
    owner keeps it to one thread; any thread may close it (a lifespan's end, a test)."""
    # mode=rw: never create a missing file; query_only: this connection only reads.
    uri = path.absolute().as_uri() + "?mode=rw"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA query_only = ON")
    return connection


def points(connection: sqlite3.Connection, asked: Asked) -> Points | None:
    """The stored points `asked` for, in series order, on a SQLite connection; None
    when the pair is marked stale."""
    statement, parameters = asked.statement(postgres=False)
    return _found(connection.execute(statement, parameters).fetchall(), False)


async def points_async(pool: Pool, asked: Asked) -> Points | None:
    """`points` on a connection of an asyncpg pool (Postgres)."""
    statement, parameters = asked.statement(postgres=True)
    return _found(await pool.fetch(statement, *parameters), True)


def _marks(pairs: Iterable[tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "a": a,
            "b": b,
            "operation": STALE,
            "position": 0,
            "start_date": date.min,
            "end_date": date.min,
            "body": b"",
        }
        for x, y in pairs
        for a, b in ((x, y), (y, x))
    ]


def mark_stale(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """Mark these pairs' points out of date, in both orders. An update, not a no-op, where
    a mark exists: it waits for a derivation that holds the mark (`hold_mark`), so the
    mark outlives the points that derivation stores."""
    marks = _marks(pairs)
    if not marks:
        return
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = upsert(PairPointRow)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["a", "b", "operation", "position"],
            set_={"body": statement.excluded.body},
        ),
        marks,
    )


def stale_pairs(session: Session, limit: int) -> list[tuple[int, int]]:
    """Up to `limit` marked pairs, each once (smaller key first)."""
    c = PairPointRow.__table__.c
    found = session.execute(
        select(c.a, c.b).where(c.operation == STALE, c.a < c.b).order_by(c.a, c.b).limit(limit)
    )
    return [(int(a), int(b)) for a, b in found]


def hold_mark(session: Session, pair: tuple[int, int]) -> bool:
    """Lock the pair's mark for this transaction (Postgres; a SQLite writer holds the
    whole store); False when the pair is not marked (another derivation stored it)."""
    c = PairPointRow.__table__.c
    query = select(c.a).where(c.a == min(pair), c.b == max(pair), c.operation == STALE)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).first() is not None


def replace(session: Session, pair: tuple[int, int], rows: Sequence[dict[str, Any]]) -> None:
    """The pair's rows (both orders, its mark included) become `rows`."""
    x, y = pair
    c = PairPointRow.__table__.c
    session.execute(
        delete(PairPointRow).where(or_(and_(c.a == x, c.b == y), and_(c.a == y, c.b == x)))
    )
    if rows:
        session.execute(insert(PairPointRow), list(rows))


def pairs_with_totals(session: Session) -> set[tuple[int, int]]:
    """Every pair with a total figure stored, each once (smaller key first)."""
    f = FigureRow.__table__.c
    total = select(Commodity.id).where(Commodity.code == TOTAL_COMMODITY).scalar_subquery()
    low = case((f.reporter < f.partner, f.reporter), else_=f.partner)
    high = case((f.reporter < f.partner, f.partner), else_=f.reporter)
    found = session.execute(select(low, high).where(f.commodity_id == total).distinct())
    return {(int(x), int(y)) for x, y in found}


def derivation_version(session: Session, name: str) -> int | None:
    """The version of the derivation `name` the stored rows hold; None if never derived."""
    found = session.get(StoredDerivation, name)
    return None if found is None else found.version


def set_derivation_version(session: Session, name: str, version: int) -> None:
    found = session.get(StoredDerivation, name)
    if found is None:
        session.add(StoredDerivation(name=name, version=version))
    else:
        found.version = version
    session.flush()
