"""Writing figures as revisions: nothing is overwritten, nothing is erased.

For each incoming figure, the current revision with the same natural key decides:
none -> added (revision 1); same values -> unchanged; other values or retracted ->
revised (the current row gets `valid_to`, a new row becomes current). Two writers racing
on one figure cannot both make a current row (partial unique index), and a writer whose
predecessor row was superseded meanwhile notices it (the UPDATE matches no row): the
chunk is then redone in a savepoint on the fresh state, so every revision is kept.
"""

import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.observations.models import NATURAL_KEY, Observation
from app.observations.validation import REVISABLE, NewFigure

CHUNK = 500
MAX_ATTEMPTS = 10
# Postgres: writers of the same figure queue on one of these advisory locks.
LOCK_NAMESPACE = 7_317
LOCK_BUCKETS = 1024


class ConcurrentWriteError(Exception):
    """Another writer kept changing the same figures; the write did not go through."""


@dataclass
class WriteSummary:
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    # Current revision id of each written figure, in input order (when asked for).
    ids: list[int] = field(default_factory=list)

    def add(self, other: "WriteSummary") -> None:
        self.added += other.added
        self.revised += other.revised
        self.unchanged += other.unchanged
        self.ids += other.ids

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)


class _SupersededError(Exception):
    pass


def _bucket(key: tuple[Any, ...]) -> int:
    return zlib.crc32(repr(key).encode()) % LOCK_BUCKETS


def lock_figures(session: Session, keys: Iterable[tuple[Any, ...]] | None) -> None:
    """On Postgres, wait until no other transaction writes these figures (None: any figure).

    Buckets are taken in one statement in ascending order, so two writers cannot deadlock.
    SQLite needs nothing: a write transaction there holds the database's write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    buckets = sorted({_bucket(key) for key in keys}) if keys is not None else None
    if buckets == []:
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:namespace, bucket) "
            "FROM unnest(CAST(:buckets AS integer[])) AS bucket ORDER BY bucket"
        ),
        {"namespace": LOCK_NAMESPACE, "buckets": buckets or list(range(LOCK_BUCKETS))},
    )


def _chunks(figures: Iterable[NewFigure]) -> Iterator[list[NewFigure]]:
    iterator = iter(figures)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


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


def _same(row: Observation, figure: NewFigure) -> bool:
    return not row.retracted and all(
        getattr(row, name) == getattr(figure, name) for name in REVISABLE
    )


def _write_chunk(
    session: Session, chunk: list[NewFigure], recorded_by: str | None, now: datetime, want_ids: bool
) -> WriteSummary:
    summary = WriteSummary()
    current = current_rows(session, [figure.natural_key for figure in chunk])
    superseded: list[int] = []
    new_rows: list[dict[str, Any]] = []
    positions: list[int | None] = []  # for each input: index in new_rows, or None
    for figure in chunk:
        row = current.get(figure.natural_key)
        if row is not None and _same(row, figure):
            summary.unchanged += 1
            positions.append(None)
            summary.ids.append(row.id)
            continue
        if row is None:
            summary.added += 1
            revision = 1
        else:
            summary.revised += 1
            superseded.append(row.id)
            revision = row.revision + 1
        positions.append(len(new_rows))
        summary.ids.append(0)
        new_rows.append(
            {
                **figure.values(),
                "recorded_at": now,
                "revision": revision,
                "retracted": False,
                "recorded_by": recorded_by,
            }
        )
    if superseded:
        result = session.execute(
            update(Observation)
            .where(Observation.id.in_(superseded), Observation.valid_to.is_(None))
            .values(valid_to=now),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != len(superseded):  # type: ignore[attr-defined]
            raise _SupersededError
    if new_rows:
        statement = insert(Observation)
        if want_ids:
            inserted = session.scalars(
                statement.returning(Observation.id, sort_by_parameter_order=True), new_rows
            ).all()
            for index, position in enumerate(positions):
                if position is not None:
                    summary.ids[index] = inserted[position]
        else:
            session.execute(statement, new_rows)
    if not want_ids:
        summary.ids = []
    return summary


def write(
    session: Session,
    figures: Iterable[NewFigure],
    *,
    recorded_by: str | None,
    now: datetime,
    want_ids: bool = False,
) -> WriteSummary:
    """Write every figure as a revision, in the session's transaction (no commit).

    Figure by figure: for requests of a few thousand figures. Imports use staging.py.
    """
    total = WriteSummary()
    figures = list(figures)
    lock_figures(session, [figure.natural_key for figure in figures])
    for chunk in _chunks(figures):
        for attempt in range(MAX_ATTEMPTS):
            try:
                with session.begin_nested():
                    total.add(_write_chunk(session, chunk, recorded_by, now, want_ids))
                break
            except (IntegrityError, _SupersededError, OperationalError) as error:
                if isinstance(error, OperationalError) and "deadlock" not in str(error).lower():
                    raise
                session.expire_all()
                if attempt == MAX_ATTEMPTS - 1:
                    raise ConcurrentWriteError from error
    return total


def retract(
    session: Session, row: Observation, *, recorded_by: str | None, now: datetime
) -> Observation:
    """Mark a figure retracted with a new revision; the current one if already retracted."""
    lock_figures(session, [_key_of(row)])
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
