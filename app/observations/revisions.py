"""Writing figures as revisions, by the one set of rules in `staging.py`, and retracting.

Two writers racing on one figure cannot both make a current row (partial unique index);
on Postgres they queue on advisory locks of the figures' keys, on SQLite on the write
lock. Should a race get through anyway, the write is redone in a savepoint on the fresh
state, so every revision is kept.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.observations.facts import Fact
from app.observations.models import NATURAL_KEY, Observation
from app.observations.staging import StagedWrite, WriteSummary, lock_figures
from app.observations.validation import REVISABLE, NewFigure

MAX_ATTEMPTS = 10


class ConcurrentWriteError(Exception):
    """Another writer kept changing the same figures; the write did not go through."""


class _SupersededError(Exception):
    pass


@dataclass(frozen=True)
class Written:
    summary: WriteSummary
    figures: list[Fact]  # the current revision of each figure written, in input order


def write(session: Session, figures: Iterable[NewFigure], *, recorded_by: str | None) -> Written:
    """Write every figure as a revision, in the session's transaction (no commit)."""
    figures = list(figures)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with (
                session.begin_nested(),
                StagedWrite(session, recorded_by=recorded_by) as staged,
            ):
                staged.add(figures)
                summary = staged.merge()
                return Written(summary=summary, figures=staged.stored())
        except (IntegrityError, OperationalError) as error:
            if isinstance(error, OperationalError) and "deadlock" not in str(error).lower():
                raise
            session.expire_all()
            if attempt == MAX_ATTEMPTS - 1:
                raise ConcurrentWriteError from error
    raise ConcurrentWriteError


def _key_of(row: Observation) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in NATURAL_KEY)


def current_rows(
    session: Session, keys: Sequence[tuple[Any, ...]]
) -> dict[tuple[Any, ...], Observation]:
    if not keys:
        return {}
    columns = [getattr(Observation, name) for name in NATURAL_KEY]
    query = select(Observation).where(Observation.valid_to.is_(None), tuple_(*columns).in_(keys))
    return {_key_of(row): row for row in session.scalars(query)}


def retract(session: Session, row: Observation, *, recorded_by: str | None) -> Observation:
    """Mark a figure retracted with a new revision; the current one if already retracted."""
    now = lock_figures(session, [_key_of(row)])
    for _ in range(MAX_ATTEMPTS):
        current = current_rows(session, [_key_of(row)]).get(_key_of(row))
        if current is None:
            raise ConcurrentWriteError
        if current.retracted:
            return current
        try:
            with session.begin_nested():
                result = session.execute(
                    update(Observation)
                    .where(Observation.id == current.id, Observation.valid_to.is_(None))
                    .values(valid_to=now),
                    execution_options={"synchronize_session": False},
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise _SupersededError
                values = {name: getattr(current, name) for name in _COPIED}
                retraction = Observation(
                    **values,
                    recorded_at=now,
                    revision=current.revision + 1,
                    retracted=True,
                    recorded_by=recorded_by,
                )
                session.add(retraction)
                session.flush()
            return retraction
        except (IntegrityError, _SupersededError):
            session.expire_all()
    raise ConcurrentWriteError


_COPIED = (*NATURAL_KEY, *REVISABLE)
