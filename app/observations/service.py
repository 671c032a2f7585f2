"""The observations domain's front door: every read and write of figures the HTTP layer
and the other domains ask for goes through here.

The domain is laid out by role: `models` (the tables and the read view), `repository`
(every query), `staging` (the bulk SQL of every write: the revision rules, Postgres
partitions, retractions), and this module, which holds what is neither SQL nor HTTP:
checking a write as a whole, and redoing one that met a deadlock. `facts` are figures as
plain values, `validation` the grammar of an incoming figure, `schemas` the API's shapes.
Every function takes the caller's session: the domain never opens one of its own.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.core.errors import ConflictError, InvalidParameterError, validated_body
from app.observations import repository
from app.observations.facts import Fact
from app.observations.models import Observation

# The reads are the repository's own functions: a wrapper would only repeat them.
from app.observations.narrow_pages import narrow_page
from app.observations.repository import (
    ObservationFilter,
    PairScope,
    countries_with_figures,
    history,
    latest_reported_span,
    pair_facts,
    pairs_with_figures,
    reported_by,
    stream,
)
from app.observations.repository import get as stored
from app.observations.repository import list_page as page
from app.observations.repository import list_page_sqlite as page_sqlite
from app.observations.schemas import WriteRequest
from app.observations.staging import StagedWrite
from app.observations.staging import retraction as retractions
from app.observations.staging.tables import WriteSummary
from app.observations.validation import NewFigure, ReferenceData, check
from app.sources.service import find_or_create

# What callers take from the one module they import: the reads, and the types they pass
# or get back.
__all__ = [
    "ConcurrentWriteError",
    "Observation",
    "ObservationFilter",
    "PairScope",
    "Written",
    "countries_with_figures",
    "history",
    "latest_reported_span",
    "narrow_page",
    "page",
    "page_sqlite",
    "pair_facts",
    "pairs_with_figures",
    "reported_by",
    "stored",
    "stream",
]

MAX_ATTEMPTS = 10


class ConcurrentWriteError(ConflictError):
    """Other writers kept changing the same figures; the write did not go through. A 409
    the client can retry: nothing of it was written."""

    def __init__(self) -> None:
        super().__init__(
            "Other writers kept changing these figures at the same moment; nothing of this "
            "write was stored. Send it again.",
            headers={"Retry-After": "1"},
        )


@dataclass(frozen=True)
class Written:
    summary: WriteSummary
    figures: list[Fact]  # the current revision of each figure written, in input order


# -- writes ---------------------------------------------------------------------------------


def parse_body(document: Any) -> WriteRequest:
    """A single figure object, or {"figures": [...], "sources": [...]}."""
    if isinstance(document, Mapping) and "figures" not in document:
        document = {"figures": [document]}
    return validated_body(WriteRequest, document, "a figure or a batch of figures")


def write(session: Session, request: WriteRequest, *, recorded_by: str) -> Written:
    """Check every figure of the request, then write them all as revisions, or nothing
    (an InvalidParameterError that lists every problem of every figure)."""
    slugs = {item.slug: find_or_create(session, item)[0].id for item in request.sources}
    refs = ReferenceData(session)
    checked: list[NewFigure] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(request.figures):
        source_id = item.source_id
        if item.source is not None:
            source_id = slugs.get(item.source)
            if source_id is None:
                errors.append(_error(index, "source", f"no source '{item.source}' in `sources`"))
                continue
        outcome = check(item.model_dump(exclude={"source_id", "source"}), refs, source_id)
        if isinstance(outcome, list):
            errors += [_error(index, problem.field, problem.reason) for problem in outcome]
        else:
            checked.append(outcome)
    keys = [figure.natural_key for figure in checked]
    if not errors and len(set(keys)) != len(keys):
        seen: dict[tuple[Any, ...], int] = {}
        for index, key in enumerate(keys):
            if key in seen:
                errors.append(_error(index, "figure", f"repeats figure {seen[key]} of the batch"))
            seen.setdefault(key, index)
    if errors:
        raise InvalidParameterError(
            f"{len({e['index'] for e in errors})} of {len(request.figures)} figures are "
            "invalid; nothing was written.",
            errors=errors,
        )
    refs.create_new_commodities(session)
    return write_checked(session, checked, recorded_by=recorded_by)


def write_checked(
    session: Session, figures: Iterable[NewFigure], *, recorded_by: str | None
) -> Written:
    """Write checked figures as revisions, in the session's transaction (no commit).

    Writers of one figure queue on its lock bucket (Postgres advisory locks) or on the
    write lock (SQLite), and the merge reads the current revisions only once the lock is
    held, so two writers cannot both make a current row. Should a deadlock get through
    anyway, the write is redone in a savepoint on the fresh state: every revision is kept.
    """
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


def retract(session: Session, row: Observation, *, recorded_by: str | None) -> Observation:
    """Mark a figure retracted with a new revision; the current one if already retracted."""
    retracted = retractions.retract(session, row.id, recorded_by=recorded_by)
    if retracted is None:
        raise ConcurrentWriteError
    found = repository.get(session, retracted, fresh=True)
    assert found is not None
    return found


def _error(index: int, field: str, reason: str) -> dict[str, Any]:
    location = f"body.figures[{index}].{field}"
    return {
        "location": location,
        "index": index,
        "field": field,
        "message": reason,
        "type": "invalid",
    }
