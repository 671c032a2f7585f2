"""Answers about one country pair: turnover, flows, balance, commodity lines, plans."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.commodities import repository as commodities
from app.commodities.models import Commodity
from app.commodities.schemas import CommodityItem
from app.countries.models import Country
from app.errors import NotFoundError
from app.numbers import plain
from app.observations import repository as observations
from app.observations.figures import FigureFactory
from app.observations.models import Observation
from app.observations.repository import PairScope
from app.periods import Period
from app.schemas import Figure, PeriodOut
from app.trade.arithmetic import HUNDRED, rounded, scaled_qualifier
from app.trade.ledger import (
    LEVEL_MEASURES,
    Direction,
    PairLedger,
    base_of,
    direction_of,
    period_of,
)
from app.trade.schemas import (
    BalancePoint,
    Baseline,
    CommodityLine,
    EarlierLevels,
    FlowPoint,
    Plan,
    Progress,
    TurnoverComponents,
    TurnoverPoint,
    YearEarlier,
)
from app.vocabulary import TOTAL_COMMODITY, Flow, Measure, Qualifier, Status, Unit

VALUE = Measure.TRADE_VALUE


def open_ledger(
    session: Session, a: Country, b: Country, scope: PairScope | None = None
) -> PairLedger:
    factory = FigureFactory(session)
    factory.add_country(a)
    factory.add_country(b)
    return PairLedger(
        a.alpha3, b.alpha3, observations.for_pair(session, a.alpha3, b.alpha3, scope), factory
    )


def no_data(
    ledger: PairLedger, what: str, period: Period, available: Sequence[Period]
) -> NotFoundError:
    labels = [item.label for item in available]
    listing = ", ".join(labels) if labels else "none"
    return NotFoundError(
        f"No {what} for {ledger.a}-{ledger.b} in {period.label}. Periods with data: {listing}.",
        extra={"available_periods": labels},
    )


# -- turnover and flows -------------------------------------------------------------------


def turnover_periods(ledger: PairLedger) -> list[Period]:
    directions: list[Direction] = [None, (ledger.a, ledger.b), (ledger.b, ledger.a)]
    return ledger.periods(directions, TOTAL_COMMODITY, [VALUE, Measure.GROWTH])


def turnover_point(ledger: PairLedger, period: Period) -> TurnoverPoint | None:
    point = _point(ledger, None, period)
    if point is None:
        return None
    return TurnoverPoint(
        **dict(point),
        components=TurnoverComponents(
            exports=ledger.level((ledger.a, ledger.b), TOTAL_COMMODITY, VALUE, period),
            imports=ledger.level((ledger.b, ledger.a), TOTAL_COMMODITY, VALUE, period),
        ),
    )


def flow_periods(ledger: PairLedger, flow: Flow) -> list[Period]:
    return ledger.periods([ledger.direction_for(flow)], TOTAL_COMMODITY, [VALUE, Measure.GROWTH])


def flow_point(ledger: PairLedger, flow: Flow, period: Period) -> FlowPoint | None:
    return _point(ledger, ledger.direction_for(flow), period)


def _point(ledger: PairLedger, direction: Direction, period: Period) -> FlowPoint | None:
    """A period's level, the year before's, and growth; None when none of it is known."""
    value = ledger.level(direction, TOTAL_COMMODITY, VALUE, period)
    growth = ledger.growth(direction, TOTAL_COMMODITY, VALUE, period)
    if value is None and growth.reported is None:
        return None
    earlier = period.shifted_years(-1)
    return FlowPoint(
        period=PeriodOut.of(period),
        value=value,
        year_earlier=YearEarlier(
            period=PeriodOut.of(earlier),
            value=ledger.level(direction, TOTAL_COMMODITY, VALUE, earlier),
        ),
        growth=growth,
    )


def balance_point(ledger: PairLedger, period: Period) -> BalancePoint | None:
    exports = ledger.level((ledger.a, ledger.b), TOTAL_COMMODITY, VALUE, period)
    imports = ledger.level((ledger.b, ledger.a), TOTAL_COMMODITY, VALUE, period)
    if exports is None or imports is None:
        return None
    balance = ledger.combine(None, exports, imports, sign=-1, method="exports minus imports")
    if balance is None:
        return None
    return BalancePoint(
        period=PeriodOut.of(period), value=balance, exports=exports, imports=imports
    )


# -- commodity lines ------------------------------------------------------------------------


def commodity_lines(
    session: Session,
    ledger: PairLedger,
    *,
    flow: Flow | None,
    codes: set[str] | None,
    period: Period | None,
) -> list[CommodityLine]:
    keys: set[tuple[Direction, str, Period]] = set()
    for row in ledger.rows:
        if row.commodity_code == TOTAL_COMMODITY or row.status not in (
            Status.REPORTED,
            Status.DERIVED,
        ):
            continue
        key = (direction_of(row), row.commodity_code, period_of(row))
        if flow is not None and key[0] != ledger.direction_for(flow):
            continue
        if codes is not None and key[1] not in codes:
            continue
        if period is not None and key[2] != period:
            continue
        keys.add(key)
    known = commodities.by_code(session, {code for _, code, _ in keys})
    lines = [_line(ledger, known[code], direction, code, when) for direction, code, when in keys]
    return sorted(lines, key=lambda line: (line.commodity.code, line.flow, line.period.start))


def _line(
    ledger: PairLedger, commodity: Commodity, direction: Direction, code: str, period: Period
) -> CommodityLine:
    def stored(measure: Measure) -> Figure | None:
        row = ledger.stored(direction, code, measure, period)
        return ledger.figures.figure(row) if row is not None else None

    growth, multiplier = stored(Measure.GROWTH), stored(Measure.MULTIPLIER)
    rate = growth or multiplier
    earlier = None
    if rate is not None and rate.base_period is not None:
        base = Period(rate.base_period.start, rate.base_period.end)
        earlier = EarlierLevels(
            period=rate.base_period,
            value=ledger.level(direction, code, VALUE, base),
            quantity=ledger.level(direction, code, Measure.QUANTITY, base),
        )
    return CommodityLine(
        commodity=CommodityItem(
            code=commodity.code,
            level=commodity.level,
            description=commodity.description,
            parent_code=commodity.parent_code,
        ),
        flow=ledger.flow_for(direction).value,
        period=PeriodOut.of(period),
        value=stored(VALUE),
        quantity=stored(Measure.QUANTITY),
        growth=growth,
        multiplier=multiplier,
        earlier=earlier,
    )


# -- targets and forecasts ------------------------------------------------------------------


def plans(ledger: PairLedger) -> list[Plan]:
    return [_plan(ledger, row) for row in ledger.plans]


def _level_measure(
    ledger: PairLedger, direction: Direction, code: str, period: Period
) -> Figure | None:
    for measure in LEVEL_MEASURES:
        found = ledger.level(direction, code, measure, period)
        if found is not None:
            return found
    return None


def _plan(ledger: PairLedger, row: Observation) -> Plan:
    figure = ledger.figures.figure(row)
    direction, code = direction_of(row), row.commodity_code
    base = base_of(row)
    implied = None
    if base is None:
        baseline = Baseline(
            period=None,
            value=None,
            explanation="The source gives no baseline period or value, so no level is "
            "derived from this figure.",
        )
    else:
        base_level = _level_measure(ledger, direction, code, base)
        if base_level is None:
            baseline = Baseline(
                period=PeriodOut.of(base),
                value=None,
                explanation=f"The store has no level for the baseline period {base.label}, "
                "so no level is derived from this figure.",
            )
        else:
            baseline = Baseline(
                period=PeriodOut.of(base),
                value=base_level,
                explanation=f"Baseline level for {base.label}.",
            )
            implied = _implied_level(ledger, direction, row, base_level)
    return Plan(
        figure=figure,
        baseline=baseline,
        implied_level=implied,
        progress=_progress(ledger, direction, row, figure),
    )


def _implied_level(
    ledger: PairLedger, direction: Direction, row: Observation, base: Figure
) -> Figure | None:
    if base.value is None:
        return None

    factors = [row.value_low, row.value_high] if row.qualifier == Qualifier.RANGE else [row.value]
    if any(item is None for item in factors):
        return None
    multipliers = [
        (1 + item / HUNDRED) if row.measure == Measure.GROWTH else item
        for item in factors
        if item is not None
    ]
    levels = [rounded(base.value * item, base.unit) for item in multipliers]
    rate_text = " .. ".join(plain(item) for item in factors if item is not None)
    operator = f"x (1 + {rate_text}/100)" if row.measure == Measure.GROWTH else f"x {rate_text}"
    qualifier = (
        Qualifier.RANGE
        if len(levels) == 2
        else scaled_qualifier(base.qualifier, Qualifier(row.qualifier))
    )
    if qualifier is None:
        return None
    return ledger.derived(
        direction,
        row.commodity_code,
        Measure(base.measure),
        period_of(row),
        value=levels[0] if len(levels) == 1 else None,
        low=levels[0] if len(levels) == 2 else None,
        high=levels[1] if len(levels) == 2 else None,
        unit=base.unit,
        qualifier=qualifier,
        method=f"level implied by the {row.status} and its baseline",
        formula=f"{plain(base.value)} {operator}",
        inputs=[base, ledger.figures.figure(row)],
        status=Status(row.status),
    )


def _progress(ledger: PairLedger, direction: Direction, row: Observation, plan: Figure) -> Progress:
    end = row.period_end
    candidates = [
        other
        for other in ledger.rows
        if other.status in (Status.REPORTED, Status.DERIVED)
        and direction_of(other) == direction
        and other.commodity_code == row.commodity_code
        and other.period_end <= end
    ]
    latest: list[Figure] = []
    for measure in (*LEVEL_MEASURES, Measure.GROWTH):
        same = [other for other in candidates if other.measure == measure]
        periods = {period_of(other) for other in same}
        if direction is None:  # turnover levels may only exist as a derived sum
            periods |= {
                period_of(other)
                for other in ledger.rows
                if other.commodity_code == row.commodity_code
                and other.measure == measure
                and other.period_end <= end
                and other.status in (Status.REPORTED, Status.DERIVED)
            }
        for period in sorted(periods, key=lambda p: (p.end, p.start), reverse=True):
            found = (
                ledger.level(direction, row.commodity_code, measure, period)
                if measure in LEVEL_MEASURES
                else ledger.growth(direction, row.commodity_code, VALUE, period).reported
            )
            if found is not None:
                latest.append(found)
                break
    return Progress(latest=latest, assessment=_assessment(plan, latest))


def _assessment(plan: Figure, latest: list[Figure]) -> str:
    if not latest:
        return "The store has no actual figures for this flow up to the end of the plan period."
    described = "; ".join(
        f"{figure.measure.value} {_figure_text(figure)} in {figure.period.label}"
        for figure in latest
    )
    text = f"Latest actual figures: {described}."
    growth = next((f for f in latest if f.measure is Measure.GROWTH), None)
    if plan.measure is Measure.GROWTH and growth is not None and growth.value is not None:
        low = plan.value_low if plan.value_low is not None else plan.value
        high = plan.value_high if plan.value_high is not None else plan.value
        if low is not None and high is not None:
            position = (
                "below" if growth.value < low else "above" if growth.value > high else "within"
            )
            partial = (
                f" It covers {growth.period.label}, part of {plan.period.label} only."
                if (growth.period.start, growth.period.end) != (plan.period.start, plan.period.end)
                else ""
            )
            text += (
                f" Growth so far ({plain(growth.value)}%) is {position} the "
                f"{plan.status.value} of {plain(low)}-{plain(high)}%.{partial}"
            )
    if plan.measure is Measure.MULTIPLIER and plan.base_period is None:
        text += " Progress toward the multiplier cannot be measured without its baseline."
    return text


def _figure_text(figure: Figure) -> str:
    if figure.value is None:
        low, high = figure.value_low or Decimal(0), figure.value_high or Decimal(0)
        return f"{plain(low)}-{plain(high)} {figure.unit.value}"
    wording = {
        Qualifier.AT_LEAST: "at least ",
        Qualifier.AT_MOST: "at most ",
        Qualifier.APPROXIMATELY: "about ",
    }.get(figure.qualifier, "")
    unit = "%" if figure.unit is Unit.PERCENT else f" {figure.unit.value}"
    return f"{wording}{plain(figure.value)}{unit}"


def scope_for(
    as_of: datetime | None, *, total_only: bool | None, period: Period | None
) -> PairScope:
    """The figures a question about `period` can use: its year, the one before (levels to
    compare with) and the one after (a later level and rate imply this one)."""
    window = None
    if period is not None:
        window = (period.shifted_years(-1).start, period.shifted_years(1).end)
    return PairScope(as_of=as_of, total_only=total_only, window=window)
