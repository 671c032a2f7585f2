"""A figure as plain values: what the trade arithmetic computes with and the HTTP layer
renders. No session, no ORM object, no API schema."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any, Protocol

from app.core.db_types import as_utc
from app.shared.periods import Period
from app.shared.vocabulary import Attribution, Flow, Measure, Qualifier, Status, Unit

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
class FactCaveat:
    """A stored input whose hedge or reading a derived figure inherits."""

    figure_id: int
    qualifier: Qualifier
    wording: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class FactOutcome:
    """What a derived figure would be under one input's other reading."""

    figure_id: int
    reading: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class FactDerivation:
    method: str
    formula: str
    inputs: tuple[int, ...]  # ids of the stored figures it rests on
    caveats: tuple[FactCaveat, ...] = ()
    alternatives: tuple[FactOutcome, ...] = ()
    basis: Basis | None = None  # comparisons only
    # Whose statistics it rests on: the reporters its stored inputs are filed under,
    # alpha-3, in the order met. Two are mirror statistics combined, and it says so.
    reporters: tuple[str, ...] = ()

    @property
    def combines_reporters(self) -> bool:
        return len(self.reporters) > 1


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
    derivation: FactDerivation | None = None
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
    def reporters(self) -> tuple[str, ...]:
        """Whose statistics this figure is: its own reporter when stored, the reporters
        of its inputs when derived."""
        if self.derivation is not None and self.derivation.reporters:
            return self.derivation.reporters
        return (self.reporter,)

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


# The fields of a StoredRow in the order of repository.FACT_COLUMNS: an ORM object read through one
# attrgetter gives the same tuple as a Core row of FACT_COLUMNS.
STORED_FIELDS = tuple(StoredRow.__annotations__)
_values_of = attrgetter(*STORED_FIELDS)


def fact_of(row: StoredRow) -> Fact:
    """The fact of an ORM Observation, or of a Core row of `repository.FACT_COLUMNS`."""
    return _fact(_values_of(row))


def facts_of(rows: Iterable[Sequence[Any]]) -> list[Fact]:
    """The facts of Core rows of FACT_COLUMNS (`select_facts`), read by position: a row's
    attribute lookups cost more than the rest of building its fact."""
    return [_fact(values) for values in rows]


def _fact(values: Sequence[Any]) -> Fact:
    (
        id_, reporter, partner, flow, commodity, start, end, base_start, base_end, measure,
        value, low, high, unit, qualifier, wording, status, source_id, statement, note,
        revision, recorded_at, attribution, alternative_value, alternative_reading,
        reporter_stated,
    ) = values  # fmt: skip
    base = Period(base_start, base_end) if base_start is not None and base_end is not None else None
    alternative = None
    if alternative_value is not None and alternative_reading is not None:
        alternative = Alternative(alternative_value, alternative_reading)
    if low is None and status is Status.REPORTED and qualifier is Qualifier.EXACT:
        low, high = stated_rounding(measure, value)
    return Fact(
        reporter=reporter,
        partner=partner,
        flow=flow,
        commodity=commodity,
        period=Period(start, end),
        measure=measure,
        value=value,
        unit=unit,
        qualifier=qualifier,
        status=status,
        base=base,
        low=low,
        high=high,
        wording=wording,
        sources=(source_id,),
        statement=statement,
        note=note,
        id=id_,
        revision=revision,
        recorded_at=as_utc(recorded_at),
        attribution=attribution,
        alternative=alternative,
        reporter_stated=reporter_stated,
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
