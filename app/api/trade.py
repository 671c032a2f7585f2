"""/v1/trade/{a}/{b}/...: one country pair's trade, seen from a."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.deps import SessionDep
from app.commodities import repository as commodities
from app.commodities import service as commodity_service
from app.countries import service as countries
from app.countries.models import Country
from app.errors import NotFoundError, problem_responses
from app.params import FLOW_DESCRIPTION, AsOfDep, CountryPath, PeriodDep, parse_flow
from app.patterns import COMMODITY_PATTERN, FLOW_PATTERN
from app.periods import Period
from app.relations import repository as relations
from app.relations.schemas import RelationFactOut, Relations
from app.relations.service import present
from app.representation import Format, FormatQuery, items_csv, negotiate, respond
from app.trade import service
from app.trade.ledger import PairLedger
from app.trade.schemas import (
    BalanceSeries,
    CommodityLines,
    FlowAnswer,
    FlowSeries,
    Plans,
    TurnoverAnswer,
    TurnoverSeries,
)
from app.vocabulary import Flow

router = APIRouter(prefix="/v1/trade/{a}/{b}", tags=["trade"])

PROBLEMS = problem_responses(
    {
        404: "Unknown country, or no data for the period (lists the periods that have data)",
        406: "Neither JSON nor CSV is acceptable to the client",
        422: "Malformed country code, period or filter",
    }
)


def _pair(session: SessionDep, a: CountryPath, b: CountryPath) -> tuple[Country, Country]:
    first = countries.resolve(session, a, parameter="path.a")
    second = countries.resolve(session, b, parameter="path.b")
    if first.alpha3 == second.alpha3:
        # Well-formed codes, but no such resource: a country does not trade with itself.
        raise NotFoundError(
            f"No pair {a}-{b}: both codes name {first.name}, and a pair needs two countries."
        )
    return first, second


PairDep = Annotated[tuple[Country, Country], Depends(_pair)]


def _unwindowed(
    session: Session, pair: tuple[Country, Country], as_of: datetime | None, *, total_only: bool
) -> PairLedger:
    """Every period's figures: for listing the periods that have data, on a 404."""
    scope = service.scope_for(as_of, total_only=total_only, period=None)
    return service.open_ledger(session, *pair, scope)


@router.get(
    "/turnover",
    summary="Trade turnover of a and b (both directions), as a series or for one period",
    response_model=TurnoverSeries | TurnoverAnswer,
    responses=PROBLEMS,
)
def turnover(
    request: Request,
    session: SessionDep,
    pair: PairDep,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    scope = service.scope_for(as_of, total_only=True, period=period)
    ledger = service.open_ledger(session, *pair, scope)
    refs = ledger.pair
    if period is None:
        points = [service.turnover_point(ledger, p) for p in service.turnover_periods(ledger)]
        series = TurnoverSeries(pair=refs, series=[p for p in points if p is not None])
        return respond(request, series, output)
    point = service.turnover_point(ledger, period)
    if point is None:
        full = _unwindowed(session, pair, as_of, total_only=True)
        raise service.no_data(ledger, "turnover", period, service.turnover_periods(full))
    return respond(request, TurnoverAnswer(pair=refs, **dict(point)), output)


def _flow(
    request: Request,
    session: Session,
    pair: tuple[Country, Country],
    flow: Flow,
    period: Period | None,
    as_of: datetime | None,
    requested: Format | None,
) -> Response:
    output = negotiate(request, requested)
    scope = service.scope_for(as_of, total_only=True, period=period)
    ledger = service.open_ledger(session, *pair, scope)
    refs = ledger.pair
    if period is None:
        points = [service.flow_point(ledger, flow, p) for p in service.flow_periods(ledger, flow)]
        series = FlowSeries(pair=refs, flow=flow.value, series=[p for p in points if p])
        return respond(request, series, output)
    point = service.flow_point(ledger, flow, period)
    if point is None:
        full = _unwindowed(session, pair, as_of, total_only=True)
        raise service.no_data(ledger, f"{flow.value}s", period, service.flow_periods(full, flow))
    return respond(request, FlowAnswer(pair=refs, flow=flow.value, **dict(point)), output)


@router.get(
    "/exports",
    summary="a's exports to b by period, with year-earlier levels and growth",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
def exports(
    request: Request,
    session: SessionDep,
    pair: PairDep,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    return _flow(request, session, pair, Flow.EXPORT, period, as_of, format)


@router.get(
    "/imports",
    summary="a's imports from b (the same flow as b's exports to a) by period",
    response_model=FlowSeries | FlowAnswer,
    responses=PROBLEMS,
)
def imports(
    request: Request,
    session: SessionDep,
    pair: PairDep,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    return _flow(request, session, pair, Flow.IMPORT, period, as_of, format)


@router.get(
    "/balance",
    summary="a's trade balance with b (exports minus imports) by period",
    response_model=BalanceSeries,
    responses=PROBLEMS,
)
def balance(
    request: Request,
    session: SessionDep,
    pair: PairDep,
    period: PeriodDep = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    scope = service.scope_for(as_of, total_only=True, period=period)
    ledger = service.open_ledger(session, *pair, scope)
    refs = ledger.pair
    periods = service.turnover_periods(ledger)
    points = [service.balance_point(ledger, p) for p in periods]
    available = [p for p in points if p is not None]
    if period is not None:
        available = [
            p for p in available if (p.period.start, p.period.end) == (period.start, period.end)
        ]
        if not available:
            full = _unwindowed(session, pair, as_of, total_only=True)
            every = [service.balance_point(full, p) for p in service.turnover_periods(full)]
            known = [Period(p.period.start, p.period.end) for p in every if p is not None]
            raise service.no_data(ledger, "balance", period, known)
    return respond(request, BalanceSeries(pair=refs, series=available), output)


@router.get(
    "/commodities",
    summary="Commodity lines between a and b: values, tonnes, growth, multipliers",
    response_model=CommodityLines,
    responses=PROBLEMS,
)
def commodity_lines(
    request: Request,
    session: SessionDep,
    pair: PairDep,
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
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    parsed_flow = parse_flow(flow, turnover=False) if flow is not None else None
    codes = None
    if commodity is not None:
        found = commodity_service.resolve(session, commodity, parameter="query.commodity")
        codes = commodities.subtree_codes(session, found.code)
    scope = service.scope_for(as_of, total_only=False, period=period)
    ledger = service.open_ledger(session, *pair, scope)
    refs = ledger.pair
    lines = service.commodity_lines(session, ledger, flow=parsed_flow, codes=codes, period=period)
    if period is not None and not lines:
        full = _unwindowed(session, pair, as_of, total_only=False)
        every = service.commodity_lines(session, full, flow=parsed_flow, codes=codes, period=None)
        known = sorted({Period(line.period.start, line.period.end) for line in every})
        raise service.no_data(ledger, "commodity lines", period, known)
    return respond(request, CommodityLines(pair=refs, lines=lines), output)


@router.get(
    "/targets",
    summary="Targets and forecasts for the pair, with baselines and progress",
    response_model=Plans,
    responses=PROBLEMS,
)
def targets(
    request: Request,
    session: SessionDep,
    pair: PairDep,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    ledger = service.open_ledger(
        session, *pair, service.scope_for(as_of, total_only=None, period=None)
    )
    refs = ledger.pair
    return respond(request, Plans(pair=refs, plans=service.plans(ledger)), output)


@router.get(
    "/relations",
    summary="What the store holds on the pair's relations beyond trade",
    response_model=Relations,
    responses=PROBLEMS,
)
def relations_of_pair(
    request: Request, session: SessionDep, pair: PairDep, format: FormatQuery = None
) -> Response:
    output = negotiate(request, format)
    first, second = pair
    facts = present(session, list(relations.for_pair(session, first.alpha3, second.alpha3)))
    refs = (countries.reference(first), countries.reference(second))
    payload = Relations(pair=refs, facts=facts)
    return respond(request, payload, output, csv=lambda: items_csv(facts, RelationFactOut))
