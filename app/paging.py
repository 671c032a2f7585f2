"""Keyset paging shared by every list: `limit` with a hard maximum, `after` the last key seen."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from app.errors import InvalidParameterError
from app.schemas import Links


@dataclass(frozen=True)
class Page:
    limit: int
    after: str | None

    def after_id(self) -> int | None:
        """`after` for lists keyed by a numeric id."""
        if self.after is None:
            return None
        if not self.after.isdigit() or len(self.after) > 12:
            raise InvalidParameterError(
                "after must be the id of the last item of the previous page (digits).",
                errors=[{"location": "query.after", "message": "not an id", "type": "format"}],
            )
        return int(self.after)


async def _page(
    request: Request,
    limit: Annotated[
        int | None,
        Query(description="Items per page (default 100, at most 1000).", examples=[100]),
    ] = None,
    after: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Key of the last item of the previous page; follow `links.next`.",
            examples=["12"],
        ),
    ] = None,
) -> Page:
    settings = request.app.state.settings
    if limit is None:
        limit = settings.page_limit_default
    if not 1 <= limit <= settings.page_limit_max:
        raise InvalidParameterError(
            f"limit must be between 1 and {settings.page_limit_max}; got {limit}.",
            errors=[{"location": "query.limit", "message": "out of range", "type": "range"}],
        )
    return Page(limit=limit, after=after)


PageDep = Annotated[Page, Depends(_page)]


def page_links(request: Request, next_after: str | None) -> tuple[Links, dict[str, str]]:
    """Body links and the matching `Link` header."""
    next_url = (
        str(request.url.include_query_params(after=next_after)) if next_after is not None else None
    )
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return Links(self=str(request.url), next=next_url), headers
