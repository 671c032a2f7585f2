"""Writes of totals mark their pairs' stored points stale (`stored`), in the write's own
transaction. Kept apart from `stored` so that a write (`tradestats import`) loads the
marking alone, not the ledger and the presenters."""

from collections.abc import Collection

from sqlalchemy.orm import Session

from app.observations import changes
from app.trade import repository


def mark_changed(session: Session, pairs: Collection[changes.Pair]) -> None:
    """Mark the pairs whose totals a write changed, in the write's transaction: their
    stored points are not read again until derived anew."""
    repository.mark_stale(session, {(min(pair), max(pair)) for pair in pairs})


def listen() -> None:
    """Hear every write of totals (`app.observations.changes`)."""
    changes.listen(mark_changed)


listen()
