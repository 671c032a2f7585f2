"""Targets and forecasts of a pair: each with its baseline, the level it implies, and how
the latest figures compare with it."""

from decimal import Decimal

from app.observations.facts import Direction, Fact
from app.shared.numbers import plain
from app.shared.periods import Period
from app.shared.vocabulary import (
    LEVEL_MEASURES,
    MEASURE_NAMES,
    Measure,
    Qualifier,
    Unit,
)
from app.trade.arithmetic import HUNDRED, rounded, scaled_qualifier
from app.trade.ledger import PairLedger
from app.trade.results import (
    BaselineResult,
    PlanResult,
)


def plans(ledger: PairLedger) -> list[PlanResult]:
    return [_plan(ledger, fact) for fact in ledger.plans]


def _level_measure(
    ledger: PairLedger, direction: Direction, code: str, period: Period
) -> Fact | None:
    for measure in LEVEL_MEASURES:
        found = ledger.level(direction, code, measure, period)
        if found is not None:
            return found
    return None


def _plan(ledger: PairLedger, plan: Fact) -> PlanResult:
    direction, code, base = plan.direction, plan.commodity, plan.base
    implied = None
    if base is None:
        baseline = BaselineResult(
            period=None,
            value=None,
            explanation="The source gives no baseline period or value, so no level is "
            "derived from this figure.",
        )
    else:
        base_level = _level_measure(ledger, direction, code, base)
        if base_level is None:
            baseline = BaselineResult(
                period=base,
                value=None,
                explanation=f"The store has no level for the baseline period {base.label}, "
                "so no level is derived from this figure.",
            )
        else:
            baseline = BaselineResult(
                period=base,
                value=base_level,
                explanation=f"The level of {base.label}, which it builds on.",
            )
            implied = implied_level(ledger, plan, base_level)
    latest = _latest(ledger, direction, plan)
    return PlanResult(
        figure=plan,
        baseline=baseline,
        implied_level=implied,
        latest=latest,
        assessment=_assessment(plan, latest),
    )


def implied_level(ledger: PairLedger, plan: Fact, base: Fact) -> Fact | None:
    """The level a target or forecast means, given its baseline level."""
    if base.value is None:
        return None
    factors = [plan.low, plan.high] if plan.qualifier == Qualifier.RANGE else [plan.value]
    known = [item for item in factors if item is not None]
    if len(known) != len(factors):
        return None
    multipliers = [
        (1 + item / HUNDRED) if plan.measure == Measure.GROWTH else item for item in known
    ]
    rate_text = " .. ".join(plain(item) for item in known)
    operator = f"x (1 + {rate_text}/100)" if plan.measure == Measure.GROWTH else f"x {rate_text}"
    qualifier = (
        Qualifier.RANGE if len(known) == 2 else scaled_qualifier(base.qualifier, plan.qualifier)
    )
    if qualifier is None:
        return None
    # A range's ends are rounded outward, so the range still holds the implied level.
    outward = [Qualifier.AT_LEAST, Qualifier.AT_MOST] if len(known) == 2 else [qualifier]
    levels = [
        rounded(base.value * item, base.unit, side)
        for item, side in zip(multipliers, outward, strict=True)
    ]
    return ledger.derived(
        plan.direction,
        plan.commodity,
        base.measure,
        plan.period,
        value=levels[0] if len(levels) == 1 else None,
        low=levels[0] if len(levels) == 2 else None,
        high=levels[1] if len(levels) == 2 else None,
        unit=base.unit,
        qualifier=qualifier,
        method=f"level implied by the {plan.status} and its baseline",
        formula=f"{plain(base.value)} {operator}",
        inputs=[base, plan],
        status=plan.status,
    )


def _latest(ledger: PairLedger, direction: Direction, plan: Fact) -> list[Fact]:
    """The latest actual figure of each kind for the plan's flow, up to its end."""
    end = plan.period.end
    same_commodity = [
        fact
        for fact in ledger.actual
        if fact.commodity == plan.commodity and fact.period.end <= end
    ]
    latest: list[Fact] = []
    for measure in (*LEVEL_MEASURES, Measure.GROWTH):
        periods = {
            fact.period
            for fact in same_commodity
            if fact.measure == measure
            # turnover levels may only exist as a derived sum of both directions
            and (direction is None or fact.direction == direction)
        }
        for period in sorted(periods, key=lambda p: (p.end, p.start), reverse=True):
            found = (
                ledger.level(direction, plan.commodity, measure, period)
                if measure in LEVEL_MEASURES
                else ledger.reported_growth(direction, plan.commodity, period)
            )
            if found is not None:
                latest.append(found)
                break
    return latest


def _assessment(plan: Fact, latest: list[Fact]) -> str:
    if not latest:
        return "The store has no actual figures for this flow up to the end of the plan period."
    described = "; ".join(
        f"{MEASURE_NAMES[fact.measure]} {_fact_text(fact)} in {fact.period.label}"
        for fact in latest
    )
    text = f"Latest actual figures: {described}."
    growth = next((fact for fact in latest if fact.measure is Measure.GROWTH), None)
    if plan.measure is Measure.GROWTH and growth is not None and growth.value is not None:
        low = plan.low if plan.low is not None else plan.value
        high = plan.high if plan.high is not None else plan.value
        if low is not None and high is not None:
            position = (
                "below" if growth.value < low else "above" if growth.value > high else "within"
            )
            partial = (
                f" It covers {growth.period.label}, part of {plan.period.label} only."
                if growth.period != plan.period
                else ""
            )
            text += (
                f" Growth so far ({_amount(growth.value, Unit.PERCENT)}) is {position} the "
                f"{plan.status.value} of {plain(low)} to {_amount(high, Unit.PERCENT)}.{partial}"
            )
    if plan.measure is Measure.MULTIPLIER and plan.base is None:
        text += " Progress toward the multiplier cannot be measured without its baseline."
    return text


def _fact_text(fact: Fact) -> str:
    """A figure in words for people: 'about USD 169,000,000', 'more than 200,000 t'."""
    if fact.value is None:
        low, high = fact.low or Decimal(0), fact.high or Decimal(0)
        return f"{_amount(low, fact.unit)} to {_amount(high, fact.unit)}"
    wording = {
        Qualifier.AT_LEAST: "at least ",
        Qualifier.AT_MOST: "at most ",
        Qualifier.MORE_THAN: "more than ",
        Qualifier.LESS_THAN: "less than ",
        Qualifier.APPROXIMATELY: "about ",
    }.get(fact.qualifier, "")
    return f"{wording}{_amount(fact.value, fact.unit)}"


def _amount(value: Decimal, unit: Unit) -> str:
    """A number with thousands separators and its unit as people write it."""
    number = f"{value.normalize():,f}"
    if unit is Unit.PERCENT:
        return f"{number} %"
    if unit is Unit.USD:
        return f"USD {number}"
    if unit is Unit.RATIO:
        return f"x{number}"
    return f"{number} {unit.value}"
