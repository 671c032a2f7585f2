"""All that is known of one country pair's trade, and what follows from it.

Every figure is placed by direction: `(origin, destination)` for goods moving one way,
`None` for turnover. Azerbaijan's imports from Kazakhstan and Kazakhstan's exports to
Azerbaijan land in the same place. Levels missing from the store are derived, in order of
preference, from the levels of both directions (turnover) or from a later level and the
growth rate or multiplier that links the two periods.

Each country's figures are its own statistics, and its partner's mirror figures are other
statistics (valued differently, counted at another border). A level is therefore only
carried back by a rate of the same reporter, and a growth or ratio only compares levels of
one reporter. A sum or difference of both directions may rest on both reporters where
each reported one flow: its derivation then lists both (`FactDerivation.reporters`) and its
method says that it combines mirror statistics.

The ledger is pure: it takes plain facts and returns plain facts, no session, no I/O.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from app.observations.facts import (
    Basis,
    Direction,
    Fact,
    FactCaveat,
    FactDerivation,
    FactOutcome,
)
from app.shared.numbers import plain
from app.shared.periods import Period
from app.shared.vocabulary import (
    ACTUAL_STATUSES,
    LEVEL_MEASURES,
    LOWER_BOUNDS,
    RATE_MEASURES,
    RE_FLOWS,
    UPPER_BOUNDS,
    Attribution,
    Flow,
    Measure,
    Qualifier,
    Status,
    Unit,
)
from app.trade.arithmetic import (
    HUNDRED,
    QUANTUM,
    negated,
    ratio_qualifier,
    rounded,
    scaled_qualifier,
    sum_qualifier,
)
from app.trade.caveats import inherited
from app.trade.intervals import Operation
from app.trade.results import ComparisonResult

ACTUAL = ACTUAL_STATUSES
# The ledger's own measures: the other amounts (CIF, FOB, supplementary quantities) are
# shown as stored and never derived from.
LEDGER_MEASURES = frozenset((*LEVEL_MEASURES, *RATE_MEASURES))
MAX_DEPTH = 3

Key = tuple[Direction, str, Measure, Period]


class PairLedger:
    """Figures between `a` and `b`, seen from `a`: exports go a -> b, imports b -> a."""

    def __init__(self, a: str, b: str, facts: Iterable[Fact], *, prefer: str | None = None) -> None:
        self.a, self.b = a, b
        preferred = prefer or a
        # Re-exports and re-imports are statistics of their own: no export, import or
        # turnover rests on them.
        self.facts = sorted(
            (
                fact
                for fact in facts
                if fact.flow not in RE_FLOWS and fact.measure in LEDGER_MEASURES
            ),
            key=lambda fact: fact.id or 0,
        )
        self.plans: list[Fact] = []
        self._levels: dict[Key, Fact] = {}
        # Every reporter's own stored level, for derivations that must stay within one.
        self._levels_of: dict[tuple[str, Key], Fact] = {}
        self._rates_by_period: dict[Key, Fact] = {}
        self._rates_by_base: dict[tuple[Direction, str, Period], list[Fact]] = defaultdict(list)
        # Mirror statistics: when both countries report one flow, the preferred reporter's
        # figure is shown (a's, unless asked otherwise); otherwise the latest recorded one.
        for fact in sorted(self.facts, key=lambda fact: (fact.reporter == preferred, fact.id or 0)):
            if fact.status not in ACTUAL:
                self.plans.append(fact)
                continue
            key = (fact.direction, fact.commodity, fact.measure, fact.period)
            if fact.measure in LEVEL_MEASURES:
                self._levels[key] = fact
                self._levels_of[(fact.reporter, key)] = fact
            else:
                self._rates_by_period[key] = fact
                if fact.base is not None:
                    self._rates_by_base[(fact.direction, fact.commodity, fact.base)].append(fact)
        self.plans.sort(key=lambda fact: fact.id or 0)
        # Reported and derived facts (no targets or forecasts), oldest record first.
        self.actual = [fact for fact in self.facts if fact.status in ACTUAL]
        self._resolved: dict[Key, Fact | None] = {}

    # -- viewpoint ----------------------------------------------------------------------

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
        for fact in self.actual:
            if (
                fact.direction in directions
                and fact.commodity == commodity
                and fact.measure in measures
            ):
                found.add(fact.period)
                if fact.base is not None:
                    found.add(fact.base)
        return sorted(found)

    def stored(
        self, direction: Direction, commodity: str, measure: Measure, period: Period
    ) -> Fact | None:
        key = (direction, commodity, measure, period)
        if measure in LEVEL_MEASURES:
            return self._levels.get(key)
        return self._rates_by_period.get(key)

    # -- levels and rates ---------------------------------------------------------------

    def level(
        self,
        direction: Direction,
        commodity: str,
        measure: Measure,
        period: Period,
        depth: int = 0,
    ) -> Fact | None:
        key = (direction, commodity, measure, period)
        if depth == 0 and key in self._resolved:  # answers ask for the same levels often
            return self._resolved[key]
        found = self._levels.get(key)
        if found is None and depth < MAX_DEPTH:
            if direction is None:
                found = self._sum_of_directions(commodity, measure, period, depth)
            if found is None:
                found = self._from_later_level(direction, commodity, measure, period, depth)
        if depth == 0:
            self._resolved[key] = found
        return found

    def reported_growth(self, direction: Direction, commodity: str, period: Period) -> Fact | None:
        """The growth on a year earlier as the source gives it."""
        fact = self._rates_by_period.get((direction, commodity, Measure.GROWTH, period))
        if fact is None or fact.base != period.shifted_years(-1):
            return None
        return fact

    def derived_growth(
        self, direction: Direction, commodity: str, measure: Measure, period: Period
    ) -> Fact | None:
        """The growth on a year earlier that the two levels give, unless the earlier level
        itself comes from this period's own rate (it would only echo the rate back)."""
        current = self.level(direction, commodity, measure, period)
        previous = self.level(direction, commodity, measure, period.shifted_years(-1))
        if current is None or previous is None:
            return None
        if self._rests_on_rate(previous, direction, commodity, period):
            return None
        return self.growth_between(current, previous)

    def _rests_on_rate(
        self, fact: Fact, direction: Direction, commodity: str, period: Period
    ) -> bool:
        if fact.derivation is None:
            return False
        rate_ids = {
            rate.id
            for measure in RATE_MEASURES
            if (rate := self._rates_by_period.get((direction, commodity, measure, period)))
        }
        return bool(rate_ids & set(fact.derivation.inputs))

    def _sum_of_directions(
        self, commodity: str, measure: Measure, period: Period, depth: int
    ) -> Fact | None:
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
    ) -> Fact | None:
        for rate in self._rates_by_base.get((direction, commodity, period), []):
            later = self.level(direction, commodity, measure, rate.period, depth + 1)
            if later is not None and later.reporters != rate.reporters:
                # The level shown is the other reporter's: the rate's own reporter's level,
                # if it reported one, is what the rate carries back.
                later = self._levels_of.get(
                    (rate.reporter, (direction, commodity, measure, rate.period))
                )
            if later is not None:
                earlier = self.earlier_level(later, rate)
                if earlier is not None:
                    return earlier
        return None

    # -- arithmetic on facts --------------------------------------------------------------

    def earlier_level(self, later: Fact, rate: Fact) -> Fact | None:
        """The level of the rate's base period that `later` and the rate imply; None when
        they are two reporters' statistics."""
        if later.value is None or rate.value is None or rate.base is None:
            return None
        if later.reporters != rate.reporters:
            return None
        qualifier = scaled_qualifier(later.qualifier, rate.qualifier)
        if qualifier is None:
            return None
        if rate.measure == Measure.GROWTH:
            divisor = 1 + rate.value / HUNDRED
            formula = f"{plain(later.value)} / (1 + {plain(rate.value)}/100)"
            method = "earlier level implied by the later level and its growth rate"
            operation = Operation.EARLIER_BY_GROWTH
        else:
            divisor = rate.value
            formula = f"{plain(later.value)} / {plain(rate.value)}"
            method = "earlier level implied by the later level and its multiplier"
            operation = Operation.EARLIER_BY_MULTIPLIER
        if divisor <= 0:
            return None
        return self.derived(
            later.direction,
            later.commodity,
            later.measure,
            rate.base,
            value=rounded(later.value / divisor, later.unit, qualifier),
            unit=later.unit,
            qualifier=qualifier,
            method=method,
            formula=_with_rounding(formula, later.unit, qualifier),
            inputs=[later, rate],
            operation=operation,
        )

    def growth_between(self, current: Fact, previous: Fact) -> Fact | None:
        """Percent growth of `current` on `previous`, for the same flow and commodity."""
        return self._percent_change(
            current,
            previous,
            method="growth on a year earlier, from the two levels",
            base=previous.period,
        )

    def _percent_change(
        self,
        current: Fact,
        previous: Fact,
        *,
        method: str,
        base: Period | None,
        basis: Basis | None = None,
        across_reporters: bool = False,
    ) -> Fact | None:
        """(current / previous - 1) x 100, with the qualifier the two allow."""
        return self._quotient(
            current,
            previous,
            measure=Measure.GROWTH,
            method=method,
            base=base,
            basis=basis,
            across_reporters=across_reporters,
        )

    def ratio(self, current: Fact, previous: Fact, *, method: str, basis: Basis) -> Fact | None:
        """current / previous as a multiplier on `previous`'s period."""
        return self._quotient(
            current,
            previous,
            measure=Measure.MULTIPLIER,
            method=method,
            base=previous.period,
            basis=basis,
        )

    def _quotient(
        self,
        current: Fact,
        previous: Fact,
        *,
        measure: Measure,
        method: str,
        base: Period | None,
        basis: Basis | None,
        across_reporters: bool = False,
    ) -> Fact | None:
        """current / previous; None when they are two reporters' statistics, unless asked
        (`across_reporters`: a mirror comparison, which is what it measures)."""
        if current.value is None or previous.value is None or previous.value <= 0:
            return None
        if not across_reporters and current.reporters != previous.reporters:
            return None
        qualifier = ratio_qualifier(current.qualifier, previous.qualifier)
        if qualifier is None:
            return None
        quotient = current.value / previous.value
        terms = f"{plain(current.value)} / {plain(previous.value)}"
        if measure is Measure.GROWTH:
            unit, exact = Unit.PERCENT, (quotient - 1) * HUNDRED
            formula, operation = f"({terms} - 1) x 100", Operation.PERCENT_CHANGE
        else:
            unit, exact, formula, operation = Unit.RATIO, quotient, terms, Operation.RATIO
        return self.derived(
            current.direction,
            current.commodity,
            measure,
            current.period,
            value=rounded(exact, unit, qualifier),
            unit=unit,
            qualifier=qualifier,
            method=method,
            formula=_with_rounding(formula, unit, qualifier),
            inputs=[current, previous],
            base=base,
            operation=operation,
            basis=basis,
            mirror=across_reporters,
        )

    def comparison(self, fact: Fact) -> ComparisonResult | None:
        """The level a stored level is compared with (its base period, which the source
        names), and the multiplier and growth between them."""
        if fact.base is None or fact.measure not in LEVEL_MEASURES:
            return None
        earlier = self.level(fact.direction, fact.commodity, fact.measure, fact.base)
        if earlier is None:
            return None
        like = fact.base.years_before(fact.period)
        basis = Basis.LIKE_FOR_LIKE if like else Basis.NOT_LIKE_FOR_LIKE
        what = f"as the source compares them ({fact.period.label} against {fact.base.label})"
        ratio = self.ratio(fact, earlier, method=f"multiplier {what}", basis=basis)
        growth = self._percent_change(
            fact, earlier, method=f"growth {what}", base=fact.base, basis=basis
        )
        return ComparisonResult(compared_with=earlier, ratio=ratio, growth=growth, basis=basis)

    def mirror_gap(self, exporters: Fact, importers: Fact) -> Fact | None:
        """The importer's reported figure minus the exporter's, for one flow."""
        return self.combine(
            exporters.direction,
            importers,
            exporters,
            sign=-1,
            method="mirror gap: the importer's reported imports minus the exporter's "
            "reported exports",
            mirror=True,
        )

    def mirror_gap_percent(self, exporters: Fact, importers: Fact) -> Fact | None:
        """The mirror gap as a percent of the exporter's figure."""
        return self._percent_change(
            importers,
            exporters,
            method="mirror gap in percent: how far the importer's reported imports exceed "
            "(or fall short of) the exporter's reported exports",
            base=None,
            across_reporters=True,
        )

    def combine(
        self,
        direction: Direction,
        first: Fact,
        second: Fact,
        *,
        sign: int,
        method: str,
        flow: Flow | None = None,
        mirror: bool = False,
    ) -> Fact | None:
        """first + second (sign 1) or first - second (sign -1), for the same period;
        `flow` names the result's flow when it is not the direction's (a balance);
        `mirror`: a mirror comparison, two reporters' figures by design."""
        if first.value is None or second.value is None or first.unit != second.unit:
            return None
        second_qualifier = second.qualifier if sign > 0 else negated(second.qualifier)
        qualifier = sum_qualifier(first.qualifier, second_qualifier)
        if qualifier is None:
            return None
        operator = "+" if sign > 0 else "-"
        return self.derived(
            direction,
            first.commodity,
            first.measure,
            first.period,
            value=first.value + sign * second.value,
            unit=first.unit,
            qualifier=qualifier,
            method=method,
            formula=f"{plain(first.value)} {operator} {plain(second.value)}",
            inputs=[first, second],
            flow=flow,
            operation=Operation.SUM if sign > 0 else Operation.DIFFERENCE,
            mirror=mirror,
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
        inputs: Sequence[Fact],
        base: Period | None = None,
        flow: Flow | None = None,
        low: Decimal | None = None,
        high: Decimal | None = None,
        status: Status = Status.DERIVED,
        operation: Operation | None = None,
        basis: Basis | None = None,
        mirror: bool = False,
    ) -> Fact:
        caveats: tuple[FactCaveat, ...] = ()
        alternatives: tuple[FactOutcome, ...] = ()
        note = None
        reporters = _reporters_of(inputs)
        if len(reporters) > 1 and not mirror:  # a mirror comparison's method says so
            method = (
                f"{method}; combines two reporters' statistics ({' and '.join(reporters)}: "
                "each reported one of the figures), as mirror statistics"
            )
        if operation is not None:
            first, second = inputs
            inherits = inherited(operation, (first, second), unit, qualifier)
            low, high, note = inherits.low, inherits.high, inherits.note
            caveats, alternatives = inherits.caveats, inherits.alternatives
            if qualifier is Qualifier.EXACT and low is not None and low != high:
                # Its inputs' stated precision leaves it an interval: not exact.
                qualifier = Qualifier.APPROXIMATELY
        return Fact(
            reporter=self.a,
            partner=self.b,
            flow=flow or self.flow_for(direction),
            commodity=commodity,
            period=period,
            measure=measure,
            value=value,
            unit=unit,
            qualifier=qualifier,
            status=status,
            base=base,
            low=low,
            high=high,
            note=note,
            sources=_sources_of(inputs),
            derivation=FactDerivation(
                method=method,
                formula=formula,
                inputs=_ids_of(inputs),
                caveats=caveats,
                alternatives=alternatives,
                basis=basis,
                reporters=reporters,
            ),
            reporter_stated=all(fact.reporter_stated for fact in inputs),
            # A figure derived from a speaker's words is cited as theirs.
            attribution=Attribution.SPEAKER
            if any(fact.attribution is Attribution.SPEAKER for fact in inputs)
            else Attribution.PUBLISHER,
        )


def _with_rounding(formula: str, unit: Unit, qualifier: Qualifier) -> str:
    """The formula with how its result was rounded: a bound is rounded outward, so that
    "more than 2.6143" stays true of 2.61437..."""
    quantum = f"{plain(QUANTUM[unit])} {unit.value}"
    if qualifier in LOWER_BOUNDS:
        return f"{formula}, rounded down to {quantum} (a lower bound stays one)"
    if qualifier in UPPER_BOUNDS:
        return f"{formula}, rounded up to {quantum} (an upper bound stays one)"
    return f"{formula}, rounded to {quantum}"


def _ids_of(inputs: Sequence[Fact]) -> tuple[int, ...]:
    ids: list[int] = []
    for fact in inputs:
        ids += [item for item in fact.inputs if item not in ids]
    return tuple(ids)


def _sources_of(inputs: Sequence[Fact]) -> tuple[int, ...]:
    seen: list[int] = []
    for fact in inputs:
        seen += [source for source in fact.sources if source not in seen]
    return tuple(seen)


def _reporters_of(inputs: Sequence[Fact]) -> tuple[str, ...]:
    seen: list[str] = []
    for fact in inputs:
        seen += [reporter for reporter in fact.reporters if reporter not in seen]
    return tuple(seen)
