"""/v1/observations: every stored figure, filtered and paged."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.commodities import repository as commodities
from app.commodities import service as commodity_service
from app.countries import service as countries
from app.db import SessionDep
from app.errors import InvalidParameterError, NotFoundError, problem_responses
from app.observations import repository
from app.observations.figures import FigureFactory
from app.observations.repository import ObservationFilter
from app.observations.schemas import FigureList
from app.paging import PageDep, page_links
from app.params import PeriodDep, parse_flow
from app.representation import FormatQuery, figures_csv, negotiate, respond
from app.schemas import Figure
from app.vocabulary import Measure, Status

router = APIRouter(prefix="/v1/observations", tags=["observations"])

CODE = "ISO 3166-1 alpha-2, alpha-3 or numeric code, any case."


@router.get(
    "",
    summary="Every stored figure, filterable, oldest id first",
    response_model=FigureList,
    responses=problem_responses(
        {404: "Unknown country or commodity", 406: "Not acceptable", 422: "Bad filter"}
    ),
)
def list_observations(
    request: Request,
    session: SessionDep,
    page: PageDep,
    reporter: Annotated[
        str | None, Query(max_length=16, description="Reporter: " + CODE, examples=["AZ"])
    ] = None,
    partner: Annotated[
        str | None, Query(max_length=16, description="Partner: " + CODE, examples=["KZ"])
    ] = None,
    flow: Annotated[
        str | None,
        Query(
            max_length=16,
            description="export (X), import (M) or turnover, as stored (not mirrored).",
            examples=["export"],
        ),
    ] = None,
    commodity: Annotated[
        str | None,
        Query(
            max_length=16,
            description="TOTAL or an HS code: figures of exactly this code.",
            examples=["TOTAL"],
        ),
    ] = None,
    include_subcodes: Annotated[
        bool,
        Query(
            description="Also list figures of every code below `commodity` in the HS tree. "
            "A code's figures already include its sub-codes: never add them up.",
            examples=[False],
        ),
    ] = False,
    period: PeriodDep = None,
    measure: Annotated[
        Measure | None, Query(description="What the figure measures.", examples=["growth"])
    ] = None,
    status: Annotated[
        Status | None,
        Query(description="reported, derived, forecast or target.", examples=["reported"]),
    ] = None,
    source: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Source id.", examples=[1])
    ] = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    after = _after_id(page.after)
    codes = None
    if commodity is not None:
        found = commodity_service.resolve(session, commodity, parameter="query.commodity")
        codes = frozenset(
            commodities.subtree_codes(session, found.code) if include_subcodes else {found.code}
        )
    criteria = ObservationFilter(
        reporter=countries.resolve(session, reporter, parameter="query.reporter").alpha3
        if reporter
        else None,
        partner=countries.resolve(session, partner, parameter="query.partner").alpha3
        if partner
        else None,
        flow=parse_flow(flow, turnover=True).value if flow else None,
        commodities=codes,
        within=(period.start, period.end) if period else None,
        measure=measure.value if measure else None,
        status=status.value if status else None,
        source_id=source,
    )
    rows = repository.list_page(session, criteria, after, page.limit + 1)
    factory = FigureFactory(session)
    factory.load(rows)
    figures = [factory.figure(row) for row in rows[: page.limit]]
    next_after = str(figures[-1].id) if len(rows) > page.limit else None
    links, headers = page_links(request, next_after)
    payload = FigureList(data=figures, links=links)
    return respond(request, payload, output, csv_body=figures_csv(payload), headers=headers)


def _after_id(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit() or len(after) > 12:
        raise InvalidParameterError(
            "after must be the id of the last figure of the previous page (digits).",
            errors=[{"location": "query.after", "message": "not an id", "type": "format"}],
        )
    return int(after)


@router.get(
    "/{observation_id}",
    summary="One stored figure",
    response_model=Figure,
    responses=problem_responses({404: "No such figure", 406: "Not acceptable"}),
)
def get_observation(
    request: Request,
    session: SessionDep,
    observation_id: Annotated[
        int, Path(ge=1, le=2**63 - 1, description="Figure id.", examples=[1])
    ],
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    row = repository.get(session, observation_id)
    if row is None:
        raise NotFoundError(f"No figure has the id {observation_id}.")
    return respond(request, FigureFactory(session).figure(row), output)
