"""Keyset paging shared by every list: `limit` with a hard maximum, `after` the last key seen."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.convertors import Convertor, register_url_convertor

from app.core.errors import InvalidParameterError
from app.core.settings import settings_of
from app.shared.patterns import describe_pattern
from app.shared.schemas import Links

MAX_ID = 2**31 - 1  # ids are INTEGER columns
# Figures' ids are BIGINT: a bulk load on Postgres takes ids from 2**40 on.
MAX_FIGURE_ID = 2**63 - 1
ID_DIGITS = len(str(MAX_FIGURE_ID))


@dataclass(frozen=True)
class Page:
    limit: int
    after: str | None

    def after_id(self, largest: int = MAX_ID) -> int | None:
        """`after` for lists keyed by a numeric id of at most `largest` (MAX_ID)."""
        if self.after is None:
            return None
        if not self.after.isdigit() or len(self.after) > ID_DIGITS:
            raise InvalidParameterError(
                "after must be the id of the last item of the previous page (digits).",
                errors=[{"location": "query.after", "message": "not an id", "type": "format"}],
            )
        # Past the largest id a column can hold there is nothing: an empty page, and the
        # database never sees a number larger than the column's type.
        return min(int(self.after), largest)


class IdConvertor(Convertor[int]):
    """`{name:id}` in a path: digits, read as a number only when short enough to be an id.

    Python refuses to convert more than 4300 digits, and Starlette's `int` convertor would
    let that error out as a 500; a longer id becomes MAX_FIGURE_ID + 1, which the
    parameter's `le` refuses with a 422 that names the range.
    """

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= ID_DIGITS else MAX_FIGURE_ID + 1

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
MAX_LIMIT = 1000
_LIMIT = Query(
    ge=1, le=MAX_LIMIT, description="Items per page (default 100, at most 1000).", examples=[100]
)


def checked_page(request: Request, limit: int | None, after: str | None) -> Page:
    settings = settings_of(request.app)
    limit = settings.page_limit_default if limit is None else limit
    if limit > settings.page_limit_max:
        raise InvalidParameterError(
            f"limit must be between 1 and {settings.page_limit_max}; got {limit}.",
            errors=[{"location": "query.limit", "message": "out of range", "type": "range"}],
        )
    return Page(limit=limit, after=after)


async def _page(
    request: Request,
    limit: Annotated[int | None, _LIMIT] = None,
    after: Annotated[
        str | None,
        Query(
            pattern=describe_pattern(r"^[A-Za-z0-9]{1,12}$", "a key of 1 to 12 letters or digits"),
            description="Key of the last item of the previous page; follow `links.next`.",
            examples=["AZE"],
        ),
    ] = None,
) -> Page:
    return checked_page(request, limit, after)


async def _id_page(
    request: Request,
    limit: Annotated[int | None, _LIMIT] = None,
    after: Annotated[
        str | None,
        Query(
            pattern=describe_pattern(
                rf"^[0-9]{{1,{ID_DIGITS}}}$", f"an id of 1 to {ID_DIGITS} digits"
            ),
            description="Id of the last item of the previous page; follow `links.next`.",
            examples=["12"],
        ),
    ] = None,
) -> Page:
    return checked_page(request, limit, after)


PageDep = Annotated[Page, Depends(_page)]
IdPageDep = Annotated[Page, Depends(_id_page)]


def page_links(request: Request, next_after: str | None) -> tuple[Links, dict[str, str]]:
    """Body links and the matching `Link` header."""
    next_url = (
        str(request.url.include_query_params(after=next_after)) if next_after is not None else None
    )
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return Links(self=str(request.url), next=next_url), headers
