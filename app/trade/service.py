"""Answers about one country pair: turnover, flows, balance, commodity lines, and its
plans (`app/trade/plans.py`).

`open_ledger` is the only function here that reads the store; the rest works on the
ledger's plain facts and returns plain results (`app/trade/results.py`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.countries import repository as country_records
from app.observations import service as observations
from app.observations.facts import Direction, Fact
from app.observations.service import PairScope
from app.shared.periods import Period
from app.shared.vocabulary import (
    LEVEL_MEASURES,
    TOTAL_COMMODITY,
    Flow,
    Measure,
    Status,
)
from app.trade.ledger import PairLedger
from app.trade.partners import Ranking, rank
from app.trade.plans import plans as plans  # the front door re-exports it
from app.trade.results import (
    BalanceResult,
    CommodityLineResult,
    ComparisonResult,
    Components,
    EarlierLevelsResult,
    FlowResult,
    Growth,
    MirrorLineResult,
)

VALUE = Measure.TRADE_VALUE


def open_ledger(
    session: Session,
    a: str,
    b: str,
    scope: PairScope | None = None,
    *,
    prefer: str | None = None,
) -> PairLedger:
    """The pair's figures (alpha-3 codes), loaded in one query; where both report a flow,
    `prefer`'s figures are used (a's by default)."""
    return PairLedger(a, b, observations.pair_facts(session, a, b, scope), prefer=prefer)


# -- turnover and flows -------------------------------------------------------------------


def turnover_periods(ledger: PairLedger) -> list[Period]:
    directions: list[Direction] = [None, (ledger.a, ledger.b), (ledger.b, ledger.a)]
    return ledger.periods(directions, TOTAL_COMMODITY, [VALUE, Measure.GROWTH])


def turnover_point(ledger: PairLedger, period: Period) -> FlowResult | None:
    point = _point(ledger, None, period)
    if point is None:
        return None
    components = Components(
        exports=ledger.level((ledger.a, ledger.b), TOTAL_COMMODITY, VALUE, period),
        imports=ledger.level((ledger.b, ledger.a), TOTAL_COMMODITY, VALUE, period),
    )
    return replace(point, components=components)


def turnover_answers(ledger: PairLedger) -> list[Period]:
    """The periods a turnover question answers: not those of one direction alone."""
    return [period for period in turnover_periods(ledger) if turnover_point(ledger, period)]


def flow_answers(ledger: PairLedger, flow: Flow) -> list[Period]:
    """The periods a question on one flow answers."""
    return [period for period in flow_periods(ledger, flow) if flow_point(ledger, flow, period)]


def flow_periods(ledger: PairLedger, flow: Flow) -> list[Period]:
    return ledger.periods([ledger.direction_for(flow)], TOTAL_COMMODITY, [VALUE, Measure.GROWTH])


def flow_point(ledger: PairLedger, flow: Flow, period: Period) -> FlowResult | None:
    return _point(ledger, ledger.direction_for(flow), period)


def _point(ledger: PairLedger, direction: Direction, period: Period) -> FlowResult | None:
    """A period's level, the year before's, and growth; None when none of it is known."""
    value = ledger.level(direction, TOTAL_COMMODITY, VALUE, period)
    growth = Growth(
        reported=ledger.reported_growth(direction, TOTAL_COMMODITY, period),
        derived=ledger.derived_growth(direction, TOTAL_COMMODITY, VALUE, period),
    )
    if value is None and growth.reported is None:
        return None
    earlier = period.shifted_years(-1)
    return FlowResult(
        period=period,
        value=value,
        earlier_period=earlier,
        earlier_value=ledger.level(direction, TOTAL_COMMODITY, VALUE, earlier),
        growth=growth,
    )


def balance_point(ledger: PairLedger, period: Period) -> BalanceResult | None:
    exports = ledger.level((ledger.a, ledger.b), TOTAL_COMMODITY, VALUE, period)
    imports = ledger.level((ledger.b, ledger.a), TOTAL_COMMODITY, VALUE, period)
    if exports is None or imports is None:
        return None
    balance = ledger.combine(
        None, exports, imports, sign=-1, method="exports minus imports", flow=Flow.BALANCE
    )
    if balance is None:
        return None
    return BalanceResult(period=period, value=balance, exports=exports, imports=imports)


def balance_series(ledger: PairLedger) -> list[BalanceResult]:
    points = [balance_point(ledger, period) for period in turnover_periods(ledger)]
    return [point for point in points if point is not None]


# -- commodity lines ------------------------------------------------------------------------


def commodity_lines(
    ledger: PairLedger, *, flow: Flow | None, codes: set[str] | None, period: Period | None
) -> list[CommodityLineResult]:
    keys: set[tuple[Direction, str, Period]] = set()
    # Every line's code by direction and period, whatever the filters: what overlaps it.
    codes_at: dict[tuple[Direction, Period], set[str]] = defaultdict(set)
    for fact in ledger.actual:
        if fact.commodity == TOTAL_COMMODITY:
            continue
        key = (fact.direction, fact.commodity, fact.period)
        codes_at[(fact.direction, fact.period)].add(fact.commodity)
        if flow is not None and key[0] != ledger.direction_for(flow):
            continue
        if codes is not None and key[1] not in codes:
            continue
        if period is not None and key[2] != period:
            continue
        keys.add(key)
    lines = [
        _line(ledger, direction, code, when, codes_at[(direction, when)])
        for direction, code, when in keys
    ]
    return sorted(lines, key=lambda line: (line.commodity, line.flow, line.period.start))


def mirror_lines(ledger: PairLedger, *, period: Period | None) -> list[MirrorLineResult]:
    """Each flow between a and b (per commodity, period and measure) as the exporter and
    as the importer reported it, with the gap between the two where both did."""
    sides: dict[tuple[Direction, str, Period, Measure], dict[str, Fact]] = defaultdict(dict)
    for fact in ledger.actual:
        if fact.status != Status.REPORTED or fact.measure not in LEVEL_MEASURES:
            continue
        if fact.direction is None or (period is not None and fact.period != period):
            continue
        side = "exporter" if fact.reporter == fact.direction[0] else "importer"
        key = (fact.direction, fact.commodity, fact.period, fact.measure)
        # The latest record of each side wins, as in every other answer.
        if side not in sides[key] or (fact.id or 0) > (sides[key][side].id or 0):
            sides[key][side] = fact
    lines = []
    for (direction, code, when, measure), reported in sides.items():
        assert direction is not None
        exporters, importers = reported.get("exporter"), reported.get("importer")
        gap = gap_percent = None
        if exporters is not None and importers is not None:
            gap = ledger.mirror_gap(exporters, importers)
            gap_percent = ledger.mirror_gap_percent(exporters, importers)
        lines.append(
            MirrorLineResult(
                exporter=direction[0],
                importer=direction[1],
                commodity=code,
                period=when,
                measure=measure,
                exporter_reports=exporters,
                importer_reports=importers,
                gap=gap,
                gap_percent=gap_percent,
            )
        )
    return sorted(
        lines,
        key=lambda line: (
            line.exporter != ledger.a,
            line.commodity,
            line.period.start,
            line.period.end,
            line.measure,
        ),
    )


def hs_overlaps(code: str, others: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes below `code`, codes above it) among `others`: HS codes nest by prefix."""
    below = sorted(other for other in others if other != code and other.startswith(code))
    above = sorted(other for other in others if other != code and code.startswith(other))
    return tuple(below), tuple(above)


def _line(
    ledger: PairLedger, direction: Direction, code: str, period: Period, neighbours: set[str]
) -> CommodityLineResult:
    contains, within = hs_overlaps(code, neighbours)
    growth = ledger.stored(direction, code, Measure.GROWTH, period)
    multiplier = ledger.stored(direction, code, Measure.MULTIPLIER, period)
    rate = growth or multiplier
    earlier = None
    if rate is not None and rate.base is not None:
        earlier = EarlierLevelsResult(
            period=rate.base,
            value=ledger.level(direction, code, VALUE, rate.base),
            quantity=ledger.level(direction, code, Measure.QUANTITY, rate.base),
        )
    value = ledger.stored(direction, code, VALUE, period)
    quantity = ledger.stored(direction, code, Measure.QUANTITY, period)
    return CommodityLineResult(
        commodity=code,
        flow=ledger.flow_for(direction),
        period=period,
        value=value,
        quantity=quantity,
        growth=growth,
        multiplier=multiplier,
        earlier=earlier,
        contains=contains,
        within=within,
        comparison=_comparison(ledger, value, quantity),
    )


def _comparison(ledger: PairLedger, *levels: Fact | None) -> ComparisonResult | None:
    """The comparison the source makes for the line's value or, failing that, quantity."""
    for level in levels:
        found = None if level is None else ledger.comparison(level)
        if found is not None:
            return found
    return None


def scope_for(
    as_of: datetime | None,
    *,
    total_only: bool | None,
    period: Period | None,
    one_point: bool = False,
) -> PairScope:
    """The figures a question about `period` can use: its year, the one before (levels to
    compare with) and the one after (a later level and rate imply this one).

    `one_point`: the question is one period's level, year-earlier level and growth
    (`_point`), which rest on the levels of those two periods and on the rates that link
    levels; levels of the window's other periods (its months, for a year) are left out."""
    window = None
    levels_at: tuple[tuple[date, date], ...] = ()
    if period is not None:
        window = (period.shifted_years(-1).start, period.shifted_years(1).end)
        if one_point:
            earlier = period.shifted_years(-1)
            levels_at = ((earlier.start, earlier.end), (period.start, period.end))
    return PairScope(as_of=as_of, total_only=total_only, window=window, levels_at=levels_at)


# -- a reporter among its partners --------------------------------------------------------


def partners(
    session: Session,
    reporter: str,
    *,
    flow: Flow,
    commodity: str,
    period: Period | None,
    as_of: datetime | None,
    of_sum: bool = False,
    source: int | None = None,
) -> tuple[Period, Ranking] | None:
    """The reporter's (alpha-3) partners ranked by its own figures of this flow,
    commodity and period (None: its latest), with each one's share of its trade with the
    world (`of_sum`: of the sum of its partners), all from one source (`source`, or
    `partners.choose_source`'s); None when it reports no such figure."""
    if period is None:
        latest = observations.latest_reported_span(
            session, reporter, flow=flow.value, commodity=commodity, as_of=as_of
        )
        if latest is None:
            return None
        period = Period(*latest)
    facts = observations.reported_by(
        session,
        reporter,
        flow=flow.value,
        commodity=commodity,
        span=(period.start, period.end),
        as_of=as_of,
    )
    found = country_records.by_alpha3(session, {fact.partner for fact in facts})
    kinds = {code: country.kind for code, country in found.items()}
    ranking = rank(facts, kinds, of_sum=of_sum, source=source)
    if not any(fact.sources[:1] == (ranking.source,) for fact in facts):
        return None
    return period, ranking
