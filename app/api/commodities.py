from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import SessionDep
from app.commodities import service
from app.commodities.schemas import CommodityItem, CommodityList, CommodityOut
from app.http.paging import PageDep
from app.http.representation import FormatQuery, items_csv, negotiate, respond, respond_page
from app.shared.patterns import COMMODITY_PATTERN

router = APIRouter(prefix="/v1/commodities", tags=["commodities"])


@router.get(
    "",
    summary="Search HS commodities by code prefix or words of their description",
    response_model=CommodityList,
)
def list_commodities(
    request: Request,
    session: SessionDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words: a number matches codes starting with it, other words must "
            "all appear in the description; common names (grain, phone, car, ...) also "
            "match the nomenclature's own words (cereals, telephone, motor cars).",
            examples=["rice"],
        ),
    ] = None,
    level: Annotated[
        int | None,
        Query(description="0 (TOTAL), 2, 4 or 6 digits.", examples=[2], ge=0, le=6),
    ] = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    words = (q or "").split()[:10]
    rows = service.search(session, words=words, level=level, after=page.after, limit=page.limit + 1)
    items = [CommodityItem.of(row) for row in rows[: page.limit]]
    more = len(rows) > page.limit
    return respond_page(request, output, items, more, lambda item: item.code, CommodityList)


@router.get(
    "/{code}",
    summary="One commodity with its parent and children",
    response_model=CommodityOut,
    responses={404: {"description": "No such code"}, 422: {"description": "Not an HS code"}},
)
def get_commodity(
    request: Request,
    session: SessionDep,
    code: Annotated[
        str, Path(description="TOTAL or an HS code", examples=["10"], pattern=COMMODITY_PATTERN)
    ],
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    commodity = service.resolve(session, code, parameter="path.code")
    parent = service.get(session, commodity.parent_code) if commodity.parent_code else None
    payload = CommodityOut(
        **CommodityItem.of(commodity).model_dump(),
        parent=service.reference(parent) if parent else None,
        children=[service.reference(child) for child in service.children(session, commodity.code)],
    )
    return respond(request, payload, output, csv=lambda: items_csv([payload], CommodityItem))
