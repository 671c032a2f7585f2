"""The observations domain's front door: every read and write of figures the HTTP layer
and the other domains ask for goes through here.

The domain is laid out by role: `models` (the tables and the read view), `repository`
(every query), `staging` (the bulk SQL of every write: the revision rules, Postgres
partitions, retractions), and this module, which holds what is neither SQL nor HTTP:
checking a write as a whole, and redoing one that met a deadlock. `facts` are figures as
plain values, `validation` the grammar of an incoming figure, `schemas` the API's shapes.
Every function takes the caller's session: the domain never opens one of its own.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.errors import ConflictError, InvalidParameterError, validated_body
from app.observations import repository
from app.observations.facts import Fact
from app.observations.models import Observation
from app.observations.repository import ObservationFilter, PairScope
from app.observations.schemas import WriteRequest
from app.observations.staging import StagedWrite, WriteSummary
from app.observations.staging import retraction as retractions
from app.observations.validation import NewFigure, ReferenceData, check
from app.sources.service import find_or_create

# The types a caller passes or gets back, from the one module it imports.
__all__ = [
    "ConcurrentWriteError",
    "Observation",
    "ObservationFilter",
    "PairScope",
    "Written",
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


# -- reads ----------------------------------------------------------------------------------


def page(
    session: Session, criteria: ObservationFilter, after: int | None, limit: int
) -> Sequence[Row[Any]]:
    """One page of figures in id order, as Core rows of the fact columns."""
    return repository.list_page(session, criteria, after, limit)


def stream(
    session: Session, criteria: ObservationFilter, batch: int
) -> Iterator[Sequence[Row[Any]]]:
    """Every matching figure in id order, `batch` rows at a time, memory flat."""
    return repository.stream(session, criteria, batch)


def stored(session: Session, figure_id: int) -> Observation | None:
    return repository.get(session, figure_id)


def history(session: Session, row: Observation) -> Sequence[Observation]:
    """Every revision of the figure `row` is a revision of, oldest first."""
    return repository.history(session, row)


def pair_facts(session: Session, a: str, b: str, scope: PairScope | None = None) -> list[Fact]:
    """The figures between two countries (alpha-3), whichever of them reports them."""
    return repository.pair_facts(session, a, b, scope)


def reported_by(
    session: Session,
    reporter: str,
    *,
    flow: str,
    commodity: str,
    span: tuple[date, date],
    as_of: datetime | None,
) -> list[Fact]:
    """One reporter's own trade values of one flow, commodity and period, every partner."""
    return repository.reported_by(
        session, reporter, flow=flow, commodity=commodity, span=span, as_of=as_of
    )


def latest_reported_span(
    session: Session, reporter: str, *, flow: str, commodity: str, as_of: datetime | None
) -> tuple[date, date] | None:
    """The latest period of the reporter's own trade values of this flow and commodity."""
    return repository.latest_reported_span(
        session, reporter, flow=flow, commodity=commodity, as_of=as_of
    )


def pairs_with_figures(
    session: Session, as_of: datetime | None, recorded_after: datetime | None = None
) -> set[frozenset[str]]:
    """Every pair of countries (alpha-3) with figures, as known now or at `as_of`."""
    return repository.pairs_with_figures(session, as_of, recorded_after)


def countries_with_figures(with_country: str | None = None) -> Select[tuple[str]]:
    """The alpha-3 codes of the countries with a current figure (of those trading with
    `with_country`), as a subquery for the countries' own listing."""
    return repository.countries_with_figures(with_country)


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
