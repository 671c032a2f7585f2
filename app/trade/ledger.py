"""All that is known of one country pair's trade, and what follows from it.

Every stored figure is placed by direction: `(origin, destination)` for goods moving one
way, `None` for turnover. Azerbaijan's imports from Kazakhstan and Kazakhstan's exports to
Azerbaijan land in the same place. Levels missing from the store are derived, in order of
preference, from the levels of both directions (turnover) or from a later level and the
growth rate or multiplier that links the two periods.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from app.numbers import plain
from app.observations.figures import FigureFactory
from app.observations.models import Observation
from app.periods import Period
from app.schemas import CountryRef, Derivation, Figure, PeriodOut, SourceRef
from app.trade.arithmetic import (
    HUNDRED,
    QUANTUM,
    negated,
    ratio_qualifier,
    rounded,
    scaled_qualifier,
    sum_qualifier,
)
from app.trade.schemas import GrowthPair
from app.vocabulary import Flow, Measure, Qualifier, Status, Unit

Direction = tuple[str, str] | None
LEVEL_MEASURES = (Measure.TRADE_VALUE, Measure.QUANTITY)
RATE_MEASURES = (Measure.GROWTH, Measure.MULTIPLIER)
ACTUAL = (Status.REPORTED, Status.DERIVED)
MAX_DEPTH = 3


def direction_of(row: Observation) -> Direction:
    if row.flow == Flow.EXPORT:
        return (row.reporter_code, row.partner_code)
    if row.flow == Flow.IMPORT:
        return (row.partner_code, row.reporter_code)
    return None


def period_of(row: Observation) -> Period:
    return Period(row.period_start, row.period_end)


def base_of(row: Observation) -> Period | None:
    if row.base_period_start is None or row.base_period_end is None:
        return None
    return Period(row.base_period_start, row.base_period_end)


class PairLedger:
    """Figures between `a` and `b`, seen from `a`: exports go a -> b, imports b -> a."""

    def __init__(self, a: str, b: str, rows: Iterable[Observation], figures: FigureFactory) -> None:
        self.a, self.b = a, b
        self.figures = figures
        rows = list(rows)
        figures.load(rows)
        self.plans: list[Observation] = []
        self._levels: dict[tuple[Direction, str, str, Period], Observation] = {}
        self._rates_by_period: dict[tuple[Direction, str, str, Period], Observation] = {}
        self._rates_by_base: dict[tuple[Direction, str, Period], list[Observation]] = defaultdict(
            list
        )
        # Mirror statistics: when both countries report one flow, a's own report is shown;
        # otherwise the latest recorded figure.
        ordered = sorted(rows, key=lambda row: (row.reporter_code == a, row.id))
        for row in ordered:
            if row.status not in ACTUAL:
                self.plans.append(row)
                continue
            direction, period = direction_of(row), period_of(row)
            if row.measure in LEVEL_MEASURES:
                self._levels[(direction, row.commodity_code, row.measure, period)] = row
            else:
                self._rates_by_period[(direction, row.commodity_code, row.measure, period)] = row
                base = base_of(row)
                if base is not None:
                    self._rates_by_base[(direction, row.commodity_code, base)].append(row)
        self.plans.sort(key=lambda row: row.id)
        self.rows = rows
        self._resolved: dict[tuple[Direction, str, str, Period], Figure | None] = {}

    # -- viewpoint ----------------------------------------------------------------------

    @property
    def pair(self) -> tuple[CountryRef, CountryRef]:
        return self.figures.country(self.a), self.figures.country(self.b)

    def flow_for(self, direction: Direction) -> Flow:
        if direction is None:
            return Flow.TURNOVER
        return Flow.EXPORT if direction == (self.a, self.b) else Flow.IMPORT

    def direction_for(self, flow: Flow) -> Direction:
        return {
            Flow.EXPORT: (self.a, self.b),
            Flow.IMPORT: (self.b, self.a),
        }.get(flow)

    def periods(
        self, directions: Sequence[Direction], commodity: str, measures: Sequence[Measure]
    ) -> list[Period]:
        """Periods with any actual figure of these kinds, including rates' base periods."""
        found: set[Period] = set()
        for row in self.rows:
            if (
                row.status in ACTUAL
                and direction_of(row) in directions
                and row.commodity_code == commodity
                and row.measure in measures
            ):
                found.add(period_of(row))
                base = base_of(row)
                if base is not None:
                    found.add(base)
        return sorted(found)

    def stored(
        self, direction: Direction, commodity: str, measure: str, period: Period
    ) -> Observation | None:
        if measure in LEVEL_MEASURES:
            return self._levels.get((direction, commodity, measure, period))
        return self._rates_by_period.get((direction, commodity, measure, period))

    # -- levels and rates ---------------------------------------------------------------

    def level(
        self,
        direction: Direction,
        commodity: str,
        measure: Measure,
        period: Period,
        depth: int = 0,
    ) -> Figure | None:
        key = (direction, commodity, measure, period)
        if depth == 0 and key in self._resolved:  # answers ask for the same levels often
            return self._resolved[key]
        row = self._levels.get(key)
        if row is not None:
            found: Figure | None = self.figures.figure(row)
        elif depth >= MAX_DEPTH:
            return None
        else:
            found = None
            if direction is None:
                found = self._sum_of_directions(commodity, measure, period, depth)
            if found is None:
                found = self._from_later_level(direction, commodity, measure, period, depth)
        if depth == 0:
            self._resolved[key] = found
        return found

    def growth(
        self, direction: Direction, commodity: str, measure: Measure, period: Period
    ) -> GrowthPair:
        """The reported growth on a year earlier, and the one the levels give, side by side."""
        earlier = period.shifted_years(-1)
        row = self._rates_by_period.get((direction, commodity, Measure.GROWTH, period))
        reported = self.figures.figure(row) if row is not None and base_of(row) == earlier else None
        current = self.level(direction, commodity, measure, period)
        previous = self.level(direction, commodity, measure, earlier)
        derived = None
        if (
            current is not None
            and previous is not None
            and not self._rests_on_rate(previous, direction, commodity, period)
        ):
            derived = self._growth_from_levels(direction, current, previous)
        return GrowthPair(reported=reported, derived=derived)

    def _rests_on_rate(
        self, figure: Figure, direction: Direction, commodity: str, period: Period
    ) -> bool:
        """A level derived from this period's own rate would only echo the rate back."""
        if figure.derivation is None:
            return False
        rate_ids = {
            row.id
            for measure in RATE_MEASURES
            if (row := self._rates_by_period.get((direction, commodity, measure, period)))
        }
        return bool(rate_ids & set(figure.derivation.inputs))

    def _sum_of_directions(
        self, commodity: str, measure: Measure, period: Period, depth: int
    ) -> Figure | None:
        outgoing = self.level((self.a, self.b), commodity, measure, period, depth + 1)
        incoming = self.level((self.b, self.a), commodity, measure, period, depth + 1)
        if outgoing is None or incoming is None:
            return None
        return self.combine(None, outgoing, incoming, sign=1, method="sum of both directions")

    def _from_later_level(
        self,
        direction: Direction,
        commodity: str,
        measure: Measure,
        period: Period,
        depth: int,
    ) -> Figure | None:
        for rate in self._rates_by_base.get((direction, commodity, period), []):
            later = self.level(direction, commodity, measure, period_of(rate), depth + 1)
            if later is None or later.value is None or rate.value is None:
                continue
            factor_qualifier = Qualifier(rate.qualifier)
            qualifier = scaled_qualifier(later.qualifier, factor_qualifier)
            if qualifier is None:
                continue
            unit = later.unit
            if rate.measure == Measure.GROWTH:
                divisor = 1 + rate.value / HUNDRED
                formula = f"{plain(later.value)} / (1 + {plain(rate.value)}/100)"
                method = "earlier level implied by the later level and its growth rate"
            else:
                divisor = rate.value
                formula = f"{plain(later.value)} / {plain(rate.value)}"
                method = "earlier level implied by the later level and its multiplier"
            if divisor <= 0:
                continue
            value = rounded(later.value / divisor, unit)
            return self.derived(
                direction,
                commodity,
                measure,
                period,
                value=value,
                unit=unit,
                qualifier=qualifier,
                method=method,
                formula=_with_rounding(formula, unit),
                inputs=[later, self.figures.figure(rate)],
            )
        return None

    def _growth_from_levels(
        self, direction: Direction, current: Figure, previous: Figure
    ) -> Figure | None:
        if current.value is None or previous.value is None or previous.value <= 0:
            return None
        qualifier = ratio_qualifier(current.qualifier, previous.qualifier)
        if qualifier is None:
            return None
        value = rounded((current.value / previous.value - 1) * HUNDRED, Unit.PERCENT)
        formula = f"({plain(current.value)} / {plain(previous.value)} - 1) x 100"
        return self.derived(
            direction,
            current.commodity.code,
            Measure.GROWTH,
            Period(current.period.start, current.period.end),
            value=value,
            unit=Unit.PERCENT,
            qualifier=qualifier,
            method="growth on a year earlier, from the two levels",
            formula=_with_rounding(formula, Unit.PERCENT),
            inputs=[current, previous],
            base=Period(previous.period.start, previous.period.end),
        )

    # -- building derived figures --------------------------------------------------------

    def combine(
        self, direction: Direction, first: Figure, second: Figure, *, sign: int, method: str
    ) -> Figure | None:
        """first + second (sign 1) or first - second (sign -1), for the same period."""
        if first.value is None or second.value is None or first.unit != second.unit:
            return None
        second_qualifier = second.qualifier if sign > 0 else negated(second.qualifier)
        qualifier = sum_qualifier(first.qualifier, second_qualifier)
        if qualifier is None:
            return None
        value = first.value + sign * second.value
        operator = "+" if sign > 0 else "-"
        return self.derived(
            direction,
            first.commodity.code,
            first.measure,
            Period(first.period.start, first.period.end),
            value=value,
            unit=first.unit,
            qualifier=qualifier,
            method=method,
            formula=f"{plain(first.value)} {operator} {plain(second.value)}",
            inputs=[first, second],
            flow=Flow.BALANCE if sign < 0 else None,
        )

    def derived(
        self,
        direction: Direction,
        commodity: str,
        measure: Measure,
        period: Period,
        *,
        value: Decimal | None,
        unit: Unit,
        qualifier: Qualifier,
        method: str,
        formula: str,
        inputs: Sequence[Figure],
        base: Period | None = None,
        flow: Flow | None = None,
        low: Decimal | None = None,
        high: Decimal | None = None,
        status: Status = Status.DERIVED,
    ) -> Figure:
        return Figure(
            id=None,
            reporter=self.figures.country(self.a),
            partner=self.figures.country(self.b),
            flow=flow or self.flow_for(direction),
            commodity=self.figures.commodity(commodity),
            period=PeriodOut.of(period),
            base_period=PeriodOut.of(base) if base else None,
            measure=measure,
            value=value,
            value_low=low,
            value_high=high,
            unit=unit,
            qualifier=qualifier,
            qualifier_wording=None,
            status=status,
            sources=_sources_of(inputs),
            statement=None,
            note=None,
            derivation=Derivation(method=method, formula=formula, inputs=_ids_of(inputs)),
        )


def _with_rounding(formula: str, unit: Unit) -> str:
    return f"{formula}, rounded to {plain(QUANTUM[unit])} {unit.value}"


def _ids_of(inputs: Sequence[Figure]) -> list[int]:
    ids: list[int] = []
    for figure in inputs:
        found = [figure.id] if figure.id is not None else []
        if figure.derivation is not None:
            found = list(figure.derivation.inputs)
        ids += [item for item in found if item not in ids]
    return ids


def _sources_of(inputs: Sequence[Figure]) -> list[SourceRef]:
    seen: dict[int, SourceRef] = {}
    for figure in inputs:
        for source in figure.sources:
            seen.setdefault(source.id, source)
    return list(seen.values())
