"""/v1/trade/{a}/{b}/...: one country pair's trade, seen from a."""

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.deps import in_read_session
from app.api.pair_questions import (
    Question,
    ReporterQuery,
    SeriesQuestion,
    no_data,
    of_span,
    read_pair,
    resolve_pair,
    some_inside,
)
from app.commodities import service as commodities
from app.core.errors import problem_responses
from app.countries import service as countries
from app.http.params import (
    FLOW_DESCRIPTION,
    AsOfDep,
    CountryPath,
    PeriodDep,
    parse_flow,
)
from app.http.representation import FormatQuery, items_csv, negotiate, respond
from app.relations import service as relations
from app.relations.schemas import RelationFactOut, Relations
from app.relations.service import present
from app.shared.patterns import COMMODITY_PATTERN, FLOW_PATTERN
from app.shared.periods import Period
from app.shared.vocabulary import Flow
from app.trade import service
from app.trade.ledger import PairLedger
from app.trade.presenters import PairView
from app.trade.schemas import (
    BalanceSeries,
    CommodityLines,
    FlowAnswer,
    FlowSeries,
    MirrorStatistics,
    Plans,
    TurnoverAnswer,
    TurnoverSeries,
)

router = APIRouter(prefix="/v1/trade/{a}/{b}", tags=["trade"])

PROBLEMS = problem_responses(
    {
        404: "Unknown country, no data for the period (lists the periods that have data), "
        "or a reporter= that is not one of the pair",
        406: "Neither JSON nor CSV is acceptable to the client",
        422: "Malformed country code, period or filter",
    }
)


@router.get(
    "/turnover",
    summary="Trade turnover of a and b (both directions), as a series or for one period",
    response_model=TurnoverSeries | TurnoverAnswer,
    responses=PROBLEMS,
)
async def turnover(question: SeriesQuestion) -> Response:
    return await read_pair(question, SERIES_WORK["turnover"], one_point=True)


def _turnover(question: Question, session: Session) -> Response:
    request, period, output = question.request, question.one_period, question.output
    pair = resolve_pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True, one_point=period is not None)
    ledger = view.ledger
    if period is None:
        found = [service.turnover_point(ledger, p) for p in service.turnover_periods(ledger)]
        kept = [p for p in found if p is not None]
        points, spans = of_span(kept, question.freq, question.range)
        some_inside(question, points, ledger, "turnover", service.turnover_answers, session, pair)
        series = [view.turnover(p) for p in points]
        payload = TurnoverSeries(pair=view.pair, spans=spans, series=series)
        return respond(request, payload, output)
    point = service.turnover_point(ledger, period)
    if point is None:
        raise no_data(
            question, session, pair, "turnover", service.turnover_answers, total_only=True
        )
    answer = TurnoverAnswer(pair=view.pair, **dict(view.turnover(point)))
    return respond(request, answer, output)


def _flow(flow: Flow, question: Question, session: Session) -> Response:
    request, period, output = question.request, question.one_period, question.output
    pair = resolve_pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True, one_point=period is not None)
    ledger = view.ledger
    if period is None:
        found = [service.flow_point(ledger, flow, p) for p in service.flow_periods(ledger, flow)]
        kept = [p for p in found if p is not None]
        points, spans = of_span(kept, question.freq, question.range)
        some_inside(
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
        raise no_data(question, session, pair, f"{flow.value}s", answering, total_only=True)
    answer = FlowAnswer(pair=view.pair, flow=flow.value, **dict(view.point(point)))
    return respond(request, answer, output)


@router.get(
    "/exports",
    summary="a's exports to b by period, with year-earlier levels and growth",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
async def exports(question: SeriesQuestion) -> Response:
    return await read_pair(question, SERIES_WORK["exports"], one_point=True)


@router.get(
    "/imports",
    summary="a's imports from b (the same flow as b's exports to a) by period",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
async def imports(question: SeriesQuestion) -> Response:
    return await read_pair(question, SERIES_WORK["imports"], one_point=True)


@router.get(
    "/balance",
    summary="a's trade balance with b (exports minus imports) by period",
    response_model=BalanceSeries,
    responses=PROBLEMS,
)
async def balance(question: SeriesQuestion) -> Response:
    return await read_pair(question, SERIES_WORK["balance"])


def _balance_periods(ledger: PairLedger) -> list[Period]:
    return [point.period for point in service.balance_series(ledger)]


def _balance(question: Question, session: Session) -> Response:
    pair = resolve_pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=True)
    available, spans = of_span(service.balance_series(view.ledger), question.freq, question.range)
    some_inside(question, available, view.ledger, "balance", _balance_periods, session, pair)
    period = question.one_period
    if period is not None:
        available = [point for point in available if point.period == period]
        if not available:
            raise no_data(question, session, pair, "balance", _balance_periods, total_only=True)
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
    return await read_pair(question, partial(_commodity_lines, parsed_flow, commodity))


def _commodity_lines(
    parsed_flow: Flow | None, commodity: str | None, question: Question, session: Session
) -> Response:
    period = question.period
    pair = resolve_pair(session, question.a, question.b)
    codes = None
    if commodity is not None:
        found = commodities.resolve(session, commodity, parameter="query.commodity")
        codes = commodities.subtree_codes(session, found.code)
    # One period's lines rest on what one point does: that period's levels, the year
    # before's, and the rates that link levels (a rate based elsewhere reads them all).
    view = question.view(session, pair, total_only=False, one_point=period is not None)
    lines = service.commodity_lines(view.ledger, flow=parsed_flow, codes=codes, period=period)
    if period is not None and not lines:

        def answering(full: PairLedger) -> list[Period]:
            every = service.commodity_lines(full, flow=parsed_flow, codes=codes, period=None)
            return [line.period for line in every]

        raise no_data(question, session, pair, "commodity lines", answering, total_only=False)
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
        view = PairView(session, resolve_pair(session, a, b), scope)
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
    return await read_pair(question, _mirror)


def _mirror(question: Question, session: Session) -> Response:
    pair = resolve_pair(session, question.a, question.b)
    view = question.view(session, pair, total_only=None)
    lines = service.mirror_lines(view.ledger, period=question.period)
    if question.period is not None and not lines:

        def answering(full: PairLedger) -> list[Period]:
            return [line.period for line in service.mirror_lines(full, period=None)]

        raise no_data(question, session, pair, "mirror lines", answering, total_only=None)
    payload = MirrorStatistics(pair=view.pair, lines=view.mirror_lines(lines))
    return respond(question.request, payload, question.output)


SeriesWork = Callable[[Question, Session], Response]

# Each series operation's work, by its route's name: `app.api.pair_reads` answers these
# operations in front of the router with the same work.
SERIES_WORK: dict[str, SeriesWork] = {
    "turnover": _turnover,
    "exports": partial(_flow, Flow.EXPORT),
    "imports": partial(_flow, Flow.IMPORT),
    "balance": _balance,
}
# The operations whose work reads one period's point from a one-point scope.
ONE_POINT_WORK = frozenset({"turnover", "exports", "imports"})


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
        first, second = resolve_pair(session, a, b)
        facts = present(session, list(relations.for_pair(session, first.alpha3, second.alpha3)))
        refs = (countries.reference(first), countries.reference(second))
        payload = Relations(pair=refs, facts=facts)
        return respond(request, payload, output, csv=lambda: items_csv(facts, RelationFactOut))

    return await in_read_session(request, answer)
