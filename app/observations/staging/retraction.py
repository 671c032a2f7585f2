"""A retraction as SQL: a new revision of the figure, marked retracted, in a release of
its own; the revision it replaces is superseded, as by any other write."""

from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, bindparam, text
from sqlalchemy.orm import Session

from app.observations.changes import totals_changed
from app.observations.staging.rows import bucket_of
from app.observations.staging.tables import (
    LOCK_BUCKETS,
    lock_buckets,
    supersede,
    total_commodity_id,
)

MOMENT = DateTime(timezone=True)

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
_NEW_RELEASE = text(
    "INSERT INTO releases (source_id, recorded_at, recorded_by, attribution, "
    "reporter_stated) SELECT source_id, :now, :by, attribution, reporter_stated "
    "FROM releases WHERE id = :release RETURNING id"
).bindparams(bindparam("now", type_=MOMENT))
_FIGURE_COLUMNS = (
    "reporter, partner, commodity_id, period_id, flow, measure, status, unit, qualifier, value"
)
_DETAIL_COLUMNS = (
    "period, base_period, base_period_start, base_period_end, value_low, value_high, "
    "qualifier_wording, statement, note, alternative_value, alternative_reading"
)
_NEW_REVISION = text(
    "INSERT INTO figures (release_id, revision, superseded, retracted, "
    f"{_FIGURE_COLUMNS}) SELECT :release, revision + 1, false, true, {_FIGURE_COLUMNS} "
    "FROM figures WHERE id = :id RETURNING id"
)
_NEW_DETAILS = text(
    f"INSERT INTO figure_details (figure_id, {_DETAIL_COLUMNS}) "
    f"SELECT :new, {_DETAIL_COLUMNS} FROM figure_details WHERE figure_id = :id"
)


def retract(session: Session, figure_id: int, *, recorded_by: str | None) -> int | None:
    """The id of the retracted revision of the figure `figure_id` is a revision of: a new
    one, or the current one if it is retracted already. None when no revision of it is
    current (another writer is changing it)."""
    key: tuple[Any, ...] = tuple(session.execute(_KEY_OF_FIGURE, {"id": figure_id}).one())
    now = lock_buckets(session, {bucket_of(key)} if len(key) == 9 else set(range(LOCK_BUCKETS)))
    names = ("reporter", "partner", "flow", "commodity_id", "start_date", "end_date")
    parameters = dict(zip((*names, "measure", "status", "source_id"), key, strict=True))
    found = session.execute(_CURRENT, parameters).first()
    if found is None:
        return None
    current_id, retracted, release_id = found
    if retracted:
        return int(current_id)
    new_release = session.execute(
        _NEW_RELEASE, {"now": now, "by": recorded_by, "release": release_id}
    ).scalar_one()
    supersede(session, "SELECT CAST(:id AS BIGINT)", now, {"id": current_id})
    new_id = session.execute(_NEW_REVISION, {"release": new_release, "id": current_id})
    created = int(new_id.scalar_one())
    session.execute(_NEW_DETAILS, {"new": created, "id": current_id})
    if parameters["commodity_id"] == total_commodity_id(session):
        totals_changed(session, [(parameters["reporter"], parameters["partner"])])
    return created
