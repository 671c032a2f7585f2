"""Writing figures as revisions, by the one set of rules in `staging.py`, and retracting.

Writers of one figure queue on its lock bucket (Postgres advisory locks) or on the write
lock (SQLite), and the merge reads the current revisions only once the lock is held, so
two writers cannot both make a current row. Should a deadlock get through anyway, the
write is redone in a savepoint on the fresh state, so every revision is kept.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, bindparam, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.observations.facts import Fact
from app.observations.models import Observation
from app.observations.staging import (
    LOCK_BUCKETS,
    StagedWrite,
    WriteSummary,
    bucket_of,
    lock_buckets,
    supersede,
)
from app.observations.validation import NewFigure

MAX_ATTEMPTS = 10
MOMENT = DateTime(timezone=True)


class ConcurrentWriteError(Exception):
    """Another writer kept changing the same figures; the write did not go through."""


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


# A figure's natural key in the order of a staged row's first nine columns.
_KEY_OF_FIGURE = text(
    "SELECT f.reporter, f.partner, f.flow, f.commodity_id, p.start_date, p.end_date, "
    "f.measure, f.status, r.source_id FROM figures f "
    "JOIN periods p ON p.id = f.period_id JOIN releases r ON r.id = f.release_id "
    "WHERE f.id = :id"
).columns(
    *(Column(name, Integer) for name in ("reporter", "partner", "flow", "commodity_id")),
    Column("start_date", Date),
    Column("end_date", Date),
    *(Column(name, Integer) for name in ("measure", "status", "source_id")),
)
_CURRENT = text(
    "SELECT f.id, f.retracted, r.id AS release_id FROM figures f "
    "JOIN releases r ON r.id = f.release_id "
    "JOIN periods p ON p.id = f.period_id "
    "WHERE NOT f.superseded AND f.reporter = :reporter AND f.partner = :partner "
    "AND f.flow = :flow AND f.commodity_id = :commodity_id AND p.start_date = :start_date "
    "AND p.end_date = :end_date AND f.measure = :measure AND f.status = :status "
    "AND r.source_id = :source_id"
).bindparams(bindparam("start_date", type_=Date), bindparam("end_date", type_=Date))
_FIGURE_COLUMNS = (
    "reporter, partner, commodity_id, period_id, flow, measure, status, unit, qualifier, value"
)
_DETAIL_COLUMNS = (
    "period, base_period, base_period_start, base_period_end, value_low, value_high, "
    "qualifier_wording, statement, note, alternative_value, alternative_reading"
)


def retract(session: Session, row: Observation, *, recorded_by: str | None) -> Observation:
    """Mark a figure retracted with a new revision; the current one if already retracted."""
    key: tuple[Any, ...] = tuple(session.execute(_KEY_OF_FIGURE, {"id": row.id}).one())
    now = lock_buckets(session, {bucket_of(key)} if len(key) == 9 else set(range(LOCK_BUCKETS)))
    names = ("reporter", "partner", "flow", "commodity_id", "start_date", "end_date")
    parameters = dict(zip((*names, "measure", "status", "source_id"), key, strict=True))
    found = session.execute(_CURRENT, parameters).first()
    if found is None:
        raise ConcurrentWriteError
    current_id, retracted, release_id = found
    if retracted:
        return _read(session, current_id)
    new_release = session.execute(
        text(
            "INSERT INTO releases (source_id, recorded_at, recorded_by, attribution, "
            "reporter_stated) SELECT source_id, :now, :by, attribution, reporter_stated "
            "FROM releases WHERE id = :release RETURNING id"
        ).bindparams(bindparam("now", type_=MOMENT)),
        {"now": now, "by": recorded_by, "release": release_id},
    ).scalar_one()
    supersede(session, "SELECT CAST(:id AS BIGINT)", now, {"id": current_id})
    new_id = session.execute(
        text(
            "INSERT INTO figures (release_id, revision, superseded, retracted, "
            f"{_FIGURE_COLUMNS}) SELECT :release, revision + 1, false, :retracted, "
            f"{_FIGURE_COLUMNS} "
            "FROM figures WHERE id = :id RETURNING id"
        ),
        {"release": new_release, "retracted": True, "id": current_id},
    ).scalar_one()
    session.execute(
        text(
            f"INSERT INTO figure_details (figure_id, {_DETAIL_COLUMNS}) "
            f"SELECT :new, {_DETAIL_COLUMNS} FROM figure_details WHERE figure_id = :id"
        ),
        {"new": new_id, "id": current_id},
    )
    return _read(session, new_id)


def _read(session: Session, figure_id: int) -> Observation:
    found = session.get(Observation, figure_id, populate_existing=True)
    assert found is not None
    return found
