"""A figure as plain values: what the trade arithmetic computes with and the HTTP layer
renders. No session, no ORM object, no API schema."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Select, select

from app.db_types import as_utc
from app.observations.models import Observation
from app.periods import Period
from app.vocabulary import Flow, Measure, Qualifier, Status, Unit

# Goods moving from the first country to the second; None for turnover (both ways).
Direction = tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class Derivation:
    method: str
    formula: str
    inputs: tuple[int, ...]  # ids of the stored figures it rests on


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


# Table columns, not ORM attributes: a select of them is plain Core.
FACT_COLUMNS = tuple(Observation.__table__.c[name] for name in StoredRow.__annotations__)


def select_facts() -> Select[tuple[object, ...]]:
    """A Core select of the columns a fact needs: plain rows, no ORM identity map."""
    return select(*FACT_COLUMNS)


def fact_of(row: StoredRow) -> Fact:
    base = None
    if row.base_period_start is not None and row.base_period_end is not None:
        base = Period(row.base_period_start, row.base_period_end)
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
        low=row.value_low,
        high=row.value_high,
        wording=row.qualifier_wording,
        sources=(row.source_id,),
        statement=row.statement,
        note=row.note,
        id=row.id,
        revision=row.revision,
        recorded_at=as_utc(row.recorded_at),
    )


def facts_of(rows: Iterable[StoredRow]) -> list[Fact]:
    return [fact_of(row) for row in rows]
