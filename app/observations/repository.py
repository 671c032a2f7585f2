from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from app.observations.facts import Fact, facts_of, select_facts
from app.observations.models import NATURAL_KEY, Observation
from app.vocabulary import TOTAL_COMMODITY


def visible(as_of: datetime | None) -> ColumnElement[bool]:
    """Figures as known now, or as known at `as_of`: retracted ones are not shown."""
    if as_of is None:
        return and_(Observation.valid_to.is_(None), Observation.retracted == false())
    return and_(
        Observation.recorded_at <= as_of,
        or_(Observation.valid_to.is_(None), Observation.valid_to > as_of),
        Observation.retracted == false(),
    )


@dataclass(frozen=True)
class ObservationFilter:
    reporter: str | None = None
    partner: str | None = None
    flow: str | None = None
    commodities: frozenset[str] | None = None
    within: tuple[date, date] | None = None
    measure: str | None = None
    status: str | None = None
    source_id: int | None = None
    as_of: datetime | None = None


def _filtered(criteria: ObservationFilter) -> Select[Observation]:
    query = select(Observation).where(visible(criteria.as_of))
    if criteria.reporter:
        query = query.where(Observation.reporter_code == criteria.reporter)
    if criteria.partner:
        query = query.where(Observation.partner_code == criteria.partner)
    if criteria.flow:
        query = query.where(Observation.flow == criteria.flow)
    if criteria.commodities is not None:
        query = query.where(Observation.commodity_code.in_(criteria.commodities))
    if criteria.within:
        start, end = criteria.within
        query = query.where(Observation.period_start >= start, Observation.period_end <= end)
    if criteria.measure:
        query = query.where(Observation.measure == criteria.measure)
    if criteria.status:
        query = query.where(Observation.status == criteria.status)
    if criteria.source_id is not None:
        query = query.where(Observation.source_id == criteria.source_id)
    return query


def list_page(
    session: Session, criteria: ObservationFilter, after: int | None, limit: int
) -> Sequence[Observation]:
    query = _filtered(criteria).order_by(Observation.id).limit(limit)
    if after is not None:
        query = query.where(Observation.id > after)
    return session.scalars(query).all()


def stream(session: Session, criteria: ObservationFilter, batch: int) -> Iterator[Observation]:
    """Every matching figure in id order, fetched `batch` rows at a time (server-side cursor)."""
    query = _filtered(criteria).order_by(Observation.id).execution_options(yield_per=batch)
    yield from session.scalars(query)


def get(session: Session, observation_id: int) -> Observation | None:
    return session.get(Observation, observation_id)


def history(session: Session, row: Observation) -> Sequence[Observation]:
    """Every revision of the figure `row` is a revision of, oldest first."""
    query = select(Observation).where(
        *(getattr(Observation, name) == getattr(row, name) for name in NATURAL_KEY)
    )
    return session.scalars(query.order_by(Observation.revision, Observation.id)).all()


@dataclass(frozen=True)
class PairScope:
    """Which of a pair's figures a question needs."""

    as_of: datetime | None = None
    total_only: bool | None = None  # True: TOTAL only; False: commodity lines only
    window: tuple[date, date] | None = None  # periods inside these days


def pair_facts(session: Session, a: str, b: str, scope: PairScope | None = None) -> list[Fact]:
    """The figures between two countries, whichever of them reports them, as plain facts
    read from Core rows (no ORM objects on the read path)."""
    scope = scope or PairScope()
    query = select_facts().where(
        visible(scope.as_of),
        or_(
            (Observation.reporter_code == a) & (Observation.partner_code == b),
            (Observation.reporter_code == b) & (Observation.partner_code == a),
        ),
    )
    if scope.total_only is True:
        query = query.where(Observation.commodity_code == TOTAL_COMMODITY)
    elif scope.total_only is False:
        query = query.where(Observation.commodity_code != TOTAL_COMMODITY)
    if scope.window is not None:
        query = query.where(
            Observation.period_start >= scope.window[0], Observation.period_end <= scope.window[1]
        )
    return facts_of(session.execute(query.order_by(Observation.id)))
