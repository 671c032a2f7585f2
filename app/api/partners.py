"""/v1/trade/{a}/partners: one country among all its partners, by its own statistics."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.deps import in_read_session
from app.commodities import service as commodity_service
from app.commodities.schemas import CommodityItem
from app.core.errors import NotFoundError, problem_responses
from app.countries import service as countries
from app.http.paging import MAX_ID
from app.http.params import (
    FLOW_DESCRIPTION,
    AsOfDep,
    CountryPath,
    parse_flow,
    parse_period_parameter,
)
from app.http.representation import FormatQuery, negotiate, respond, to_csv
from app.observations.presenters import FigureRenderer
from app.shared.patterns import COMMODITY_PATTERN, FLOW_PATTERN, PERIOD_PATTERN
from app.shared.schemas import PeriodOut
from app.shared.vocabulary import TOTAL_COMMODITY
from app.trade import service
from app.trade.partners import Line, Ranking
from app.trade.schemas import (
    PartnerLine,
    PartnersAnswer,
    PartnerShare,
    PartnersSumOut,
    WorldTotal,
)

router = APIRouter(prefix="/v1/trade/{a}", tags=["trade"])

MAX_PARTNERS = 250


@router.get(
    "/partners",
    summary="a's partners ranked by a's own figures of one flow, with their shares of a's "
    "trade with the world",
    response_model=PartnersAnswer,
    responses=problem_responses(
        {
            404: "Unknown country or commodity, or no figures of a for that flow and period",
            406: "Neither JSON nor CSV is acceptable to the client",
            422: "Malformed code, flow or period",
        }
    ),
)
async def partners(
    request: Request,
    a: CountryPath,
    period: Annotated[
        str | None,
        Query(
            pattern=PERIOD_PATTERN,
            description="The period, as stored (2019, 2019-03, 2019-01/2019-09); default "
            "the latest a reports figures of this flow and commodity for.",
            examples=["2019"],
        ),
    ] = None,
    flow: Annotated[
        str, Query(pattern=FLOW_PATTERN, description=FLOW_DESCRIPTION, examples=["export"])
    ] = "export",
    commodity: Annotated[
        str,
        Query(
            pattern=COMMODITY_PATTERN,
            description="TOTAL (all goods) or an HS code.",
            examples=["TOTAL"],
        ),
    ] = TOTAL_COMMODITY,
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_PARTNERS, description="How many partners to list.", examples=[10]),
    ] = 10,
    share_of: Annotated[
        Literal["world", "sum_of_partners"],
        Query(
            description="world: the shares are of a's own World figure, or of the sum of "
            "its partners where it reports none (`world.basis` says which); "
            "sum_of_partners: of the sum, always",
            examples=["sum_of_partners"],
        ),
    ] = "world",
    source: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="Rank the figures of this source only; default: the source of a's "
            "World figure, else the one with the most partners (`other_sources` lists the "
            "rest).",
            examples=[1],
        ),
    ] = None,
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    asked = parse_period_parameter(period) if period is not None else None
    moving = parse_flow(flow, turnover=False)
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        reporter = countries.resolve(session, a, parameter="path.a")
        goods = commodity_service.resolve(session, commodity, parameter="query.commodity")
        found = service.partners(
            session,
            reporter.alpha3,
            flow=moving,
            commodity=goods.code,
            period=asked,
            as_of=as_of,
            of_sum=share_of == "sum_of_partners",
            source=source,
        )
        if found is None:
            when = f" for {asked.label}" if asked is not None else ""
            raise NotFoundError(
                f"No {moving.value}s of {reporter.alpha3} in {goods.code}{when} in its own "
                "statistics. Its figures: "
                f"/v1/observations?reporter={reporter.alpha3}&flow={moving.value}."
            )
        period_found, ranking = found
        render = FigureRenderer(session)
        render.load(
            [line.fact for line in ranking.lines[:limit]]
            + ranking.groups
            + ([ranking.world.reported] if ranking.world.reported else [])
        )
        payload = PartnersAnswer(
            reporter=countries.reference(reporter),
            flow=moving.value,
            commodity=CommodityItem.of(goods),
            period=PeriodOut.of(period_found),
            source=ranking.source,
            other_sources=list(ranking.other_sources),
            world=_world(ranking, render),
            sum_of_partners=_sum(ranking),
            partner_count=len(ranking.lines),
            partners=[_line(line, ranking, render) for line in ranking.lines[:limit]],
            groups=[render.figure(fact) for fact in ranking.groups],
        )
        return respond(request, payload, output, csv=lambda: _csv(payload))

    return await in_read_session(request, answer)


def _world(ranking: Ranking, render: FigureRenderer) -> WorldTotal:
    world = ranking.world
    if world.reported is not None:
        basis = "reported"
    else:
        basis = "sum_of_partners" if world.summed is not None else "none"
    return WorldTotal(
        basis=basis,
        value=world.value,
        qualifier=world.qualifier.value if world.qualifier else None,
        figure=render.maybe(world.reported),
        rests_on=list(world.rests_on),
    )


def _sum(ranking: Ranking) -> PartnersSumOut | None:
    summed = ranking.partners_sum
    if summed is None:
        return None
    return PartnersSumOut(
        value=summed.value,
        qualifier=summed.qualifier.value,
        partner_count=len(ranking.lines),
        rests_on=list(summed.rests_on),
        unallocated=summed.unallocated,
        unallocated_qualifier=(
            summed.unallocated_qualifier.value if summed.unallocated_qualifier else None
        ),
    )


def _line(line: Line, ranking: Ranking, render: FigureRenderer) -> PartnerLine:
    figure = render.figure(line.fact)
    share = None
    if line.share is not None:
        share = PartnerShare(
            percent=line.share.percent,
            qualifier=line.share.qualifier.value,
            of="world_reported" if ranking.world.reported is not None else "sum_of_partners",
            rests_on=list(line.share.rests_on),
        )
    return PartnerLine(
        rank=line.rank,
        partner=figure.partner,
        kind=line.kind,
        value=figure,
        share=share,
    )


CSV_COLUMNS = (
    "rank", "reporter", "flow", "commodity", "period", "partner", "partner_name", "kind",
    "value", "unit", "qualifier", "share_percent", "share_qualifier", "share_of", "figure_id",
)  # fmt: skip


def _csv(payload: PartnersAnswer) -> bytes:
    """One row per partner listed, the world's own first (rank 0)."""
    common = {
        "reporter": payload.reporter.alpha3,
        "flow": payload.flow,
        "commodity": payload.commodity.code,
        "period": payload.period.label,
    }
    rows = []
    world = payload.world
    if world.value is not None:
        rows.append(
            {
                **common,
                "rank": 0,
                "partner": "WLD",
                "partner_name": "World" if world.basis == "reported" else "Sum of partners",
                "kind": "world",
                "value": world.value,
                "unit": "USD",
                "qualifier": world.qualifier,
                "share_percent": 100,
                "share_of": world.basis,
                "figure_id": world.figure.id if world.figure else None,
            }
        )
    for line in payload.partners:
        share = line.share
        rows.append(
            {
                **common,
                "rank": line.rank,
                "partner": line.partner.alpha3,
                "partner_name": line.partner.name,
                "kind": line.kind,
                "value": line.value.value,
                "unit": line.value.unit,
                "qualifier": line.value.qualifier,
                "share_percent": share.percent if share else None,
                "share_qualifier": share.qualifier if share else None,
                "share_of": share.of if share else None,
                "figure_id": line.value.id,
            }
        )
    return to_csv(CSV_COLUMNS, rows)
