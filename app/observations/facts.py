"""A figure as plain values: what the trade arithmetic computes with and the HTTP layer
renders. No session, no ORM object, no API schema."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Select, select

from app.db_types import as_utc
from app.observations.models import Observation
from app.periods import Period
from app.vocabulary import Attribution, Flow, Measure, Qualifier, Status, Unit

# Goods moving from the first country to the second; None for turnover (both ways).
Direction = tuple[str, str] | None


class Basis(StrEnum):
    """Whether a comparison sets like against like."""

    LIKE_FOR_LIKE = "like_for_like"  # the same months a whole number of years apart
    NOT_LIKE_FOR_LIKE = "not_like_for_like"  # periods of other lengths or seasons


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another reading a stored figure's source allows, as the value it would then have."""

    value: Decimal
    reading: str


@dataclass(frozen=True, slots=True)
class Caveat:
    """A stored input whose hedge or reading a derived figure inherits."""

    figure_id: int
    qualifier: Qualifier
    wording: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class AlternativeOutcome:
    """What a derived figure would be under one input's other reading."""

    figure_id: int
    reading: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Derivation:
    method: str
    formula: str
    inputs: tuple[int, ...]  # ids of the stored figures it rests on
    caveats: tuple[Caveat, ...] = ()
    alternatives: tuple[AlternativeOutcome, ...] = ()
    basis: Basis | None = None  # comparisons only


@dataclass(frozen=True, slots=True)
class Fact:
    """One number, stored (with an id) or derived (with a derivation)."""

    reporter: str  # ISO alpha-3
    partner: str
    flow: Flow
    commodity: str
    period: Period
    measure: Measure
    value: Decimal | None  # None only for a range
    unit: Unit
    qualifier: Qualifier
    status: Status
    base: Period | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    wording: str | None = None
    sources: tuple[int, ...] = ()
    statement: str | None = None
    note: str | None = None
    id: int | None = None
    revision: int | None = None
    recorded_at: datetime | None = None
    derivation: Derivation | None = None
    attribution: Attribution = Attribution.PUBLISHER
    alternative: Alternative | None = None
    reporter_stated: bool = True

    @property
    def direction(self) -> Direction:
        if self.flow == Flow.EXPORT:
            return (self.reporter, self.partner)
        if self.flow == Flow.IMPORT:
            return (self.partner, self.reporter)
        return None

    @property
    def inputs(self) -> tuple[int, ...]:
        """The stored figures this one rests on: itself when stored."""
        if self.derivation is not None:
            return self.derivation.inputs
        return (self.id,) if self.id is not None else ()


class StoredRow(Protocol):
    """What `fact_of` reads: an ORM Observation or a Core row of FACT_COLUMNS alike."""

    id: int
    reporter_code: str
    partner_code: str
    flow: Flow
    commodity_code: str
    period_start: date
    period_end: date
    base_period_start: date | None
    base_period_end: date | None
    measure: Measure
    value: Decimal | None
    value_low: Decimal | None
    value_high: Decimal | None
    unit: Unit
    qualifier: Qualifier
    qualifier_wording: str | None
    status: Status
    source_id: int
    statement: str
    note: str | None
    revision: int
    recorded_at: datetime
    attribution: Attribution
    alternative_value: Decimal | None
    alternative_reading: str | None
    reporter_stated: bool


# Table columns, not ORM attributes: a select of them is plain Core.
FACT_COLUMNS = tuple(Observation.__table__.c[name] for name in StoredRow.__annotations__)


def select_facts() -> Select[tuple[object, ...]]:
    """A Core select of the columns a fact needs: plain rows, no ORM identity map."""
    return select(*FACT_COLUMNS)


def fact_of(row: StoredRow) -> Fact:
    base = None
    if row.base_period_start is not None and row.base_period_end is not None:
        base = Period(row.base_period_start, row.base_period_end)
    alternative = None
    if row.alternative_value is not None and row.alternative_reading is not None:
        alternative = Alternative(row.alternative_value, row.alternative_reading)
    low, high = row.value_low, row.value_high
    if low is None and row.status is Status.REPORTED and row.qualifier is Qualifier.EXACT:
        low, high = stated_rounding(row.measure, row.value)
    return Fact(
        reporter=row.reporter_code,
        partner=row.partner_code,
        flow=row.flow,
        commodity=row.commodity_code,
        period=Period(row.period_start, row.period_end),
        measure=row.measure,
        value=row.value,
        unit=row.unit,
        qualifier=row.qualifier,
        status=row.status,
        base=base,
        low=low,
        high=high,
        wording=row.qualifier_wording,
        sources=(row.source_id,),
        statement=row.statement,
        note=row.note,
        id=row.id,
        revision=row.revision,
        recorded_at=as_utc(row.recorded_at),
        attribution=row.attribution,
        alternative=alternative,
        reporter_stated=row.reporter_stated,
    )


_RATES = (Measure.GROWTH, Measure.MULTIPLIER)
_HALF = Decimal("0.5")


def stated_rounding(
    measure: Measure, value: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """A reported rate stands for the interval its last stated digit allows: 65.1 % for
    [65.05, 65.15], x3 for [2.5, 3.5]. Levels are taken as stated."""
    if measure not in _RATES or value is None:
        return None, None
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    half = _HALF.scaleb(min(exponent, 0))
    return value - half, value + half


def facts_of(rows: Iterable[StoredRow]) -> list[Fact]:
    return [fact_of(row) for row in rows]
