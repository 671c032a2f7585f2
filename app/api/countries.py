from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import SessionDep
from app.countries import service
from app.countries.schemas import CountryList, CountryOut
from app.countries.service import Country
from app.http.paging import PageDep
from app.http.representation import FormatQuery, items_csv, negotiate, respond, respond_page
from app.observations import service as observations
from app.shared.patterns import COUNTRY_PATTERN

router = APIRouter(prefix="/v1/countries", tags=["countries"])

CountryCode = Annotated[
    str,
    Path(
        description="ISO 3166-1 alpha-2, alpha-3 or numeric (UN M49) code, any case.",
        examples=["AZ"],
        pattern=COUNTRY_PATTERN,
    ),
]


def _out(country: Country) -> CountryOut:
    return CountryOut(
        alpha2=country.alpha2,
        alpha3=country.alpha3,
        numeric=country.numeric,
        name=country.name,
        official_name=country.official_name,
        kind=country.kind,
    )


@router.get(
    "",
    summary="List countries (ISO 3166-1), and with areas=true the other areas, by alpha-3 code",
    response_model=CountryList,
    responses={
        404: {"description": "trades_with names no country"},
        422: {"description": "A parameter is malformed"},
    },
)
def list_countries(
    request: Request,
    session: SessionDep,
    page: PageDep,
    format: FormatQuery = None,
    with_data: Annotated[
        bool,
        Query(
            description="Only countries that are reporter or partner of a current figure.",
            examples=[True],
        ),
    ] = False,
    trades_with: Annotated[
        str | None,
        Query(
            description="Only the countries that have current figures with this one "
            "(either side reporting): the partners a pair picker can offer.",
            examples=["AZ"],
            pattern=COUNTRY_PATTERN,
        ),
    ] = None,
    areas: Annotated[
        bool,
        Query(
            description="Also the areas that are not countries: World, areas n.e.s., "
            "special categories, the EU (`kind` tells them apart).",
            examples=[True],
        ),
    ] = False,
) -> Response:
    output = negotiate(request, format)
    among = None
    if trades_with is not None:
        counterpart = service.resolve(session, trades_with, parameter="query.trades_with")
        among = observations.countries_with_figures(counterpart.alpha3)
    elif with_data:
        among = observations.countries_with_figures()
    rows = service.list_page(session, page.after, page.limit + 1, among, areas=areas)
    items = [_out(country) for country in rows[: page.limit]]
    more = len(rows) > page.limit
    return respond_page(request, output, items, more, lambda item: item.alpha3, CountryList)


@router.get(
    "/{code}",
    summary="One country or area by any of its codes",
    response_model=CountryOut,
    responses={404: {"description": "No such country"}, 422: {"description": "Not a code"}},
)
def get_country(
    request: Request, session: SessionDep, code: CountryCode, format: FormatQuery = None
) -> Response:
    output = negotiate(request, format)
    item = _out(service.resolve(session, code, parameter="path.code"))
    return respond(request, item, output, csv=lambda: items_csv([item], CountryOut))
