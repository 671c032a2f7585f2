"""/v1/trade/{a}/{b}/...: one country pair's trade, seen from a."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Protocol, TypeVar

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.deps import in_read_session
from app.api.figures import FigureRenderer
from app.api.pair_problems import no_data
from app.commodities import service as commodities
from app.commodities.schemas import CommodityItem
from app.commodities.service import Commodity
from app.core.errors import NotFoundError, problem_responses
from app.countries import service as countries
from app.countries.service import Country
from app.http.params import (
    FLOW_DESCRIPTION,
    AsOfDep,
    CountryPath,
    FreqQuery,
    PeriodDep,
    freq_filter,
    parse_flow,
)
from app.http.representation import Format, FormatQuery, items_csv, negotiate, respond
from app.observations.facts import Fact
from app.observations.service import PairScope
from app.relations import service as relations
from app.relations.schemas import RelationFactOut, Relations
from app.relations.service import present
from app.shared.patterns import COMMODITY_PATTERN, COUNTRY_PATTERN, FLOW_PATTERN
from app.shared.periods import Period
from app.shared.schemas import Figure, PeriodOut
from app.shared.vocabulary import Flow
from app.trade import results, service
from app.trade.ledger import PairLedger
from app.trade.schemas import (
    BalancePoint,
    BalanceSeries,
    Baseline,
    CommodityLine,
    CommodityLines,
    Comparison,
    EarlierLevels,
    FlowAnswer,
    FlowPoint,
    FlowSeries,
    GrowthPair,
    MirrorLine,
    MirrorStatistics,
    Plan,
    Plans,
    Progress,
    TurnoverAnswer,
    TurnoverComponents,
    TurnoverPoint,
    TurnoverSeries,
    YearEarlier,
)

router = APIRouter(prefix="/v1/trade/{a}/{b}", tags=["trade"])

ReporterQuery = Annotated[
    str | None,
    Query(
        pattern=COUNTRY_PATTERN,
        description="Where both countries report a flow, whose figures to use: a or b "
        "(default a, the first country of the path); any ISO 3166-1 code form. Another "
        "country is a 404: it reports no figures of the pair's own.",
        examples=["KZ"],
    ),
]

PROBLEMS = problem_responses(
    {
        404: "Unknown country, no data for the period (lists the periods that have data), "
        "or a reporter= that is not one of the pair",
        406: "Neither JSON nor CSV is acceptable to the client",
        422: "Malformed country code, period or filter",
    }
)


def _pair(session: Session, a: str, b: str) -> tuple[Country, Country]:
    first = countries.resolve(session, a, parameter="path.a")
    second = countries.resolve(session, b, parameter="path.b")
    if first.alpha3 == second.alpha3:
        # Well-formed codes, but no such resource: a country does not trade with itself.
        raise NotFoundError(
            f"No pair {a}-{b}: both codes name {first.name}, and a pair needs two countries."
        )
    return first, second


class PairView:
    """One answer's ledger and the renderer of its facts, references loaded once."""

    def __init__(
        self,
        session: Session,
        pair: tuple[Country, Country],
        scope: PairScope,
        prefer: str | None = None,
    ) -> None:
        self.session = session
        self.ledger = service.open_ledger(
            session, pair[0].alpha3, pair[1].alpha3, scope, prefer=prefer
        )
        self.render = FigureRenderer(session)
        self.render.load(self.ledger.facts)
        self.pair = (self.render.country(self.ledger.a), self.render.country(self.ledger.b))

    def figure(self, fact: Fact | None) -> Figure | None:
        return self.render.maybe(fact)

    def point(self, point: results.FlowPoint) -> FlowPoint:
        return FlowPoint(
            period=PeriodOut.of(point.period),
            value=self.figure(point.value),
            year_earlier=YearEarlier(
                period=PeriodOut.of(point.earlier_period), value=self.figure(point.earlier_value)
            ),
            growth=GrowthPair(
                reported=self.figure(point.growth.reported),
                derived=self.figure(point.growth.derived),
            ),
        )

    def turnover(self, point: results.FlowPoint) -> TurnoverPoint:
        components = point.components or results.Components(exports=None, imports=None)
        return TurnoverPoint(
            **dict(self.point(point)),
            components=TurnoverComponents(
                exports=self.figure(components.exports), imports=self.figure(components.imports)
            ),
        )

    def balance(self, point: results.BalancePoint) -> BalancePoint:
        return BalancePoint(
            period=PeriodOut.of(point.period),
            value=self.render.figure(point.value),
            exports=self.render.figure(point.exports),
            imports=self.render.figure(point.imports),
        )

    def lines(self, lines: list[results.CommodityLine]) -> list[CommodityLine]:
        known = commodities.by_code(self.session, {line.commodity for line in lines})
        return [self._line(line, known[line.commodity]) for line in lines]

    def _line(self, line: results.CommodityLine, commodity: Commodity) -> CommodityLine:
        earlier = None
        if line.earlier is not None:
            earlier = EarlierLevels(
                period=PeriodOut.of(line.earlier.period),
                value=self.figure(line.earlier.value),
                quantity=self.figure(line.earlier.quantity),
            )
        return CommodityLine(
            commodity=CommodityItem.of(commodity),
            flow=line.flow.value,
            period=PeriodOut.of(line.period),
            value=self.figure(line.value),
            quantity=self.figure(line.quantity),
            growth=self.figure(line.growth),
            multiplier=self.figure(line.multiplier),
            earlier=earlier,
            contains=list(line.contains),
            within=list(line.within),
            comparison=self._comparison(line.comparison),
        )

    def _comparison(self, comparison: results.Comparison | None) -> Comparison | None:
        if comparison is None:
            return None
        return Comparison(
            compared_with=self.render.figure(comparison.compared_with),
            ratio=self.figure(comparison.ratio),
            growth=self.figure(comparison.growth),
            basis=comparison.basis.value,
        )

    def mirror_lines(self, lines: list[results.MirrorLine]) -> list[MirrorLine]:
        known = commodities.by_code(self.session, {line.commodity for line in lines})
        return [
            MirrorLine(
                exporter=self.render.country(line.exporter),
                importer=self.render.country(line.importer),
                commodity=CommodityItem.of(known[line.commodity]),
                period=PeriodOut.of(line.period),
                measure=line.measure.value,
                exporter_reports=self.figure(line.exporter_reports),
                importer_reports=self.figure(line.importer_reports),
                gap=self.figure(line.gap),
                gap_percent=self.figure(line.gap_percent),
            )
            for line in lines
        ]

    def plan(self, plan: results.Plan) -> Plan:
        baseline = plan.baseline
        return Plan(
            figure=self.render.figure(plan.figure),
            baseline=Baseline(
                period=PeriodOut.of(baseline.period) if baseline.period is not None else None,
                value=self.figure(baseline.value),
                explanation=baseline.explanation,
            ),
            implied_level=self.figure(plan.implied_level),
            progress=Progress(
                latest=[self.render.figure(fact) for fact in plan.latest],
                assessment=plan.assessment,
            ),
        )


@dataclass(frozen=True)
class Question:
    """What a pair read asks, as parsed on the event loop before its thread runs."""

    request: Request
    a: str
    b: str
    period: Period | None
    as_of: datetime | None
    output: Format
    reporter: str | None = None  # whose figures to prefer where both sides report a flow
    freq: str | None = None  # the span a series keeps (Period.span), upper case

    @property
    def range(self) -> Period | None:
        """A period of another span than freq=: the range a series keeps to."""
        if self.period is not None and self.freq is not None and not self.period.in_span(self.freq):
            return self.period
        return None

    @property
    def one_period(self) -> Period | None:
        """The one period asked for, when the answer is that period's point."""
        return self.period if self.range is None else None

    def scope(self, *, total_only: bool | None, one_point: bool = False) -> PairScope:
        return service.scope_for(
            self.as_of, total_only=total_only, period=self.period, one_point=one_point
        )

    def view(
        self,
        session: Session,
        pair: tuple[Country, Country],
        *,
        total_only: bool | None,
        one_point: bool = False,
    ) -> "PairView":
        """`one_point`: the answer is one period's point (`service.scope_for`)."""
        scope = self.scope(total_only=total_only, one_point=one_point)
        return PairView(session, pair, scope, _preferred(session, self, pair))


def _preferred(session: Session, question: Question, pair: tuple[Country, Country]) -> str | None:
    if question.reporter is None:
        return None
    code = countries.resolve(session, question.reporter, parameter="query.reporter").alpha3
    codes = (pair[0].alpha3, pair[1].alpha3)
    if code not in codes:
        # Not a malformed request: that country's figures of this pair do not exist here.
        raise NotFoundError(
            f"No figures of {codes[0]}-{codes[1]} reported by {code}: a pair's answers rest "
            f"on its two countries' own statistics, so reporter= names one of them, "
            f"{codes[0]} or {codes[1]}. Every reporter's figures: "
            f"/v1/observations?reporter={codes[0]},{codes[1]}&partner={codes[0]},{codes[1]}.",
            extra={"pair": list(codes)},
        )
    return code


class _Dated(Protocol):
    @property
    def period(self) -> Period: ...


Point = TypeVar("Point", bound=_Dated)


def _of_span(
    points: list[Point], freq: str | None, within: Period | None = None
) -> tuple[list[Point], list[str]]:
    """The points whose period has the span asked for (all without freq=), inside the
    range `within` if given, and every span the points have, in order of first appearance."""
    spans = list(dict.fromkeys(point.period.span for point in points))
    kept = [
        point
        for point in points
        if (freq is None or point.period.in_span(freq))
        and (within is None or within.contains(point.period))
    ]
    return kept, spans


def _series_question(
    request: Request,
    a: str,
    b: str,
    period: Period | None,
    freq: str | None,
    as_of: datetime | None,
    reporter: str | None,
    output: Format | None,
) -> Question:
    """A question to a series endpoint (turnover, exports, imports, balance)."""
    return Question(
        request,
        a,
        b,
        period,
        as_of,
        negotiate(request, output),
        reporter=reporter,
        freq=freq_filter(freq, period),
    )


def _some_inside(
    question: Question,
    points: Sequence[_Dated],
    ledger: PairLedger,
    what: str,
    answered: Callable[[PairLedger], list[Period]],
    session: Session,
    pair: tuple[Country, Country],
) -> None:
    """A range with no point of its span inside: a 404 that lists the periods of that
    span that would answer (`answered` by the pair's whole ledger)."""
    if question.range is None or points:
        return
    full = _unwindowed(session, pair, question.as_of, total_only=True)
    known = [p for p in answered(full) if question.freq is not None and p.in_span(question.freq)]
    raise no_data(ledger, f"{what} of span {question.freq}", question.range, known, as_range=True)


async def _answer(question: Question, work: Callable[[Question, Session], Response]) -> Response:
    return await in_read_session(question.request, lambda session: work(question, session))


def _unwindowed(
    session: Session,
    pair: tuple[Country, Country],
    as_of: datetime | None,
    *,
    total_only: bool | None,
) -> PairLedger:
    """Every period's figures: for listing the periods that have data, on a 404."""
    scope = service.scope_for(as_of, total_only=total_only, period=None)
    return service.open_ledger(session, pair[0].alpha3, pair[1].alpha3, scope)


def _no_data(
    question: Question,
    session: Session,
    pair: tuple[Country, Country],
    what: str,
    answering: Callable[[PairLedger], Iterable[Period]],
    *,
    total_only: bool | None,
) -> NotFoundError:
    """The 404 of a period that answers nothing: it lists the periods that would answer
    (`answering`, asked of every period's figures) and the plans that cover the period."""
    assert question.period is not None
    full = _unwindowed(session, pair, question.as_of, total_only=total_only)
    known = sorted(set(answering(full)), key=lambda period: (period.start, period.end))
    return no_data(full, what, question.period, known, full.plans)


@router.get(
    "/turnover",
    summary="Trade turnover of a and b (both directions), as a series or for one period",
    response_model=TurnoverSeries | TurnoverAnswer,
    responses=PROBLEMS,
)
async def turnover(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    freq: FreqQuery = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Response:
    question = _series_question(request, a, b, period, freq, as_of, reporter, format)
    return await _answer(question, _turnover)


def _turnover(question: Question, session: Session) -> Response:
    request, period, output = question.request, question.one_period, question.output
    pair = _pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True, one_point=period is not None)
    ledger = view.ledger
    if period is None:
        found = [service.turnover_point(ledger, p) for p in service.turnover_periods(ledger)]
        kept = [p for p in found if p is not None]
        points, spans = _of_span(kept, question.freq, question.range)
        _some_inside(question, points, ledger, "turnover", service.turnover_answers, session, pair)
        series = [view.turnover(p) for p in points]
        payload = TurnoverSeries(pair=view.pair, spans=spans, series=series)
        return respond(request, payload, output)
    point = service.turnover_point(ledger, period)
    if point is None:
        raise _no_data(
            question, session, pair, "turnover", service.turnover_answers, total_only=True
        )
    answer = TurnoverAnswer(pair=view.pair, **dict(view.turnover(point)))
    return respond(request, answer, output)


def _flow(flow: Flow, question: Question, session: Session) -> Response:
    request, period, output = question.request, question.one_period, question.output
    pair = _pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True, one_point=period is not None)
    ledger = view.ledger
    if period is None:
        found = [service.flow_point(ledger, flow, p) for p in service.flow_periods(ledger, flow)]
        kept = [p for p in found if p is not None]
        points, spans = _of_span(kept, question.freq, question.range)
        _some_inside(
            question,
            points,
            ledger,
            f"{flow.value}s",
            partial(service.flow_answers, flow=flow),
            session,
            pair,
        )
        series = [view.point(p) for p in points]
        payload = FlowSeries(pair=view.pair, flow=flow.value, spans=spans, series=series)
        return respond(request, payload, output)
    point = service.flow_point(ledger, flow, period)
    if point is None:
        answering = partial(service.flow_answers, flow=flow)
        raise _no_data(question, session, pair, f"{flow.value}s", answering, total_only=True)
    answer = FlowAnswer(pair=view.pair, flow=flow.value, **dict(view.point(point)))
    return respond(request, answer, output)


@router.get(
    "/exports",
    summary="a's exports to b by period, with year-earlier levels and growth",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
async def exports(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    freq: FreqQuery = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Response:
    question = _series_question(request, a, b, period, freq, as_of, reporter, format)
    return await _answer(question, partial(_flow, Flow.EXPORT))


@router.get(
    "/imports",
    summary="a's imports from b (the same flow as b's exports to a) by period",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
async def imports(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    freq: FreqQuery = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Response:
    question = _series_question(request, a, b, period, freq, as_of, reporter, format)
    return await _answer(question, partial(_flow, Flow.IMPORT))


@router.get(
    "/balance",
    summary="a's trade balance with b (exports minus imports) by period",
    response_model=BalanceSeries,
    responses=PROBLEMS,
)
async def balance(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    freq: FreqQuery = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Response:
    question = _series_question(request, a, b, period, freq, as_of, reporter, format)
    return await _answer(question, _balance)


def _balance_periods(ledger: PairLedger) -> list[Period]:
    return [point.period for point in service.balance_series(ledger)]


def _balance(question: Question, session: Session) -> Response:
    pair = _pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True)
    available, spans = _of_span(service.balance_series(view.ledger), question.freq, question.range)
    _some_inside(question, available, view.ledger, "balance", _balance_periods, session, pair)
    period = question.one_period
    if period is not None:
        available = [point for point in available if point.period == period]
        if not available:
            raise _no_data(question, session, pair, "balance", _balance_periods, total_only=True)
    series = [view.balance(point) for point in available]
    payload = BalanceSeries(pair=view.pair, spans=spans, series=series)
    return respond(question.request, payload, question.output)


@router.get(
    "/commodities",
    summary="Commodity lines between a and b: values, tonnes, growth, multipliers",
    response_model=CommodityLines,
    responses=PROBLEMS,
)
async def commodity_lines(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    flow: Annotated[
        str | None, Query(pattern=FLOW_PATTERN, description=FLOW_DESCRIPTION, examples=["import"])
    ] = None,
    commodity: Annotated[
        str | None,
        Query(
            pattern=COMMODITY_PATTERN,
            description="HS code; lines of this code and of every code below it.",
            examples=["10"],
        ),
    ] = None,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Response:
    question = Question(request, a, b, period, as_of, negotiate(request, format), reporter=reporter)
    parsed_flow = parse_flow(flow, turnover=False) if flow is not None else None
    return await _answer(question, partial(_commodity_lines, parsed_flow, commodity))


def _commodity_lines(
    parsed_flow: Flow | None, commodity: str | None, question: Question, session: Session
) -> Response:
    period = question.period
    pair = _pair(session, question.a, question.b)
    codes = None
    if commodity is not None:
        found = commodities.resolve(session, commodity, parameter="query.commodity")
        codes = commodities.subtree_codes(session, found.code)
    view = question.view(session, pair, total_only=False)
    lines = service.commodity_lines(view.ledger, flow=parsed_flow, codes=codes, period=period)
    if period is not None and not lines:

        def answering(full: PairLedger) -> list[Period]:
            every = service.commodity_lines(full, flow=parsed_flow, codes=codes, period=None)
            return [line.period for line in every]

        raise _no_data(question, session, pair, "commodity lines", answering, total_only=False)
    payload = CommodityLines(pair=view.pair, lines=view.lines(lines))
    return respond(question.request, payload, question.output)


@router.get(
    "/targets",
    summary="Targets and forecasts for the pair, with baselines and progress",
    response_model=Plans,
    responses=PROBLEMS,
)
async def targets(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        scope = service.scope_for(as_of, total_only=None, period=None)
        view = PairView(session, _pair(session, a, b), scope)
        plans = [view.plan(plan) for plan in service.plans(view.ledger)]
        return respond(request, Plans(pair=view.pair, plans=plans), output)

    return await in_read_session(request, answer)


@router.get(
    "/mirror",
    summary="Mirror statistics: each flow as the exporter and as the importer reported it, "
    "with the gap",
    response_model=MirrorStatistics,
    responses=PROBLEMS,
)
async def mirror(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    question = Question(request, a, b, period, as_of, negotiate(request, format))
    return await _answer(question, _mirror)


def _mirror(question: Question, session: Session) -> Response:
    pair = _pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=None)
    lines = service.mirror_lines(view.ledger, period=question.period)
    if question.period is not None and not lines:

        def answering(full: PairLedger) -> list[Period]:
            return [line.period for line in service.mirror_lines(full, period=None)]

        raise _no_data(question, session, pair, "mirror lines", answering, total_only=None)
    payload = MirrorStatistics(pair=view.pair, lines=view.mirror_lines(lines))
    return respond(question.request, payload, question.output)


@router.get(
    "/relations",
    summary="What the store holds on the pair's relations beyond trade",
    response_model=Relations,
    responses=PROBLEMS,
)
async def relations_of_pair(
    request: Request, a: CountryPath, b: CountryPath, format: FormatQuery = None
) -> Response:
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        first, second = _pair(session, a, b)
        facts = present(session, list(relations.for_pair(session, first.alpha3, second.alpha3)))
        refs = (countries.reference(first), countries.reference(second))
        payload = Relations(pair=refs, facts=facts)
        return respond(request, payload, output, csv=lambda: items_csv(facts, RelationFactOut))

    return await in_read_session(request, answer)
