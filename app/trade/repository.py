"""The stored points of pairs' series (`models.PairPointRow`): read on the driver's own
cursor (a read is one indexed lookup, and SQLAlchemy's statement and result handling
would cost more than it), written with the transaction that changed their inputs."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, insert, or_, select
from sqlalchemy.orm import Session

from app.commodities.models import Commodity
from app.observations.models import FigureRow
from app.shared.vocabulary import TOTAL_COMMODITY
from app.trade.models import PairPointRow, StoredDerivation

StoredPoint = tuple[date, date, bytes]

_POINTS = (
    "SELECT start_date, end_date, body FROM pair_points "
    "WHERE a = {0} AND b = {0} AND operation = {0} ORDER BY position"
)
_POINTS_BY_MARKER = {"?": _POINTS.format("?"), "%s": _POINTS.format("%s")}


def points(session: Session, a: int, b: int, operation: int) -> list[StoredPoint]:
    """The stored points of one operation of the pair seen from `a`, in series order."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    driver: Any = connection.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.execute(_POINTS_BY_MARKER["%s" if postgres else "?"], (a, b, operation))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if postgres:
        return [(start, end, bytes(body)) for start, end, body in rows]
    # SQLite keeps dates as ISO text.
    return [(date.fromisoformat(start), date.fromisoformat(end), body) for start, end, body in rows]


def replace(
    session: Session, pairs: Iterable[tuple[int, int]], rows: Sequence[dict[str, Any]]
) -> None:
    """The stored points of these pairs (either order) become `rows`."""
    c = PairPointRow.__table__.c
    either = [or_(and_(c.a == x, c.b == y), and_(c.a == y, c.b == x)) for x, y in pairs]
    for start in range(0, len(either), 200):
        session.execute(delete(PairPointRow).where(or_(*either[start : start + 200])))
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
