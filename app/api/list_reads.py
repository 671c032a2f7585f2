"""The figure list (`GET /v1/observations`), answered in front of FastAPI's router.

Solving the list operation's dependencies (a dozen query parameters, each validated by
pydantic) cost about 0.3 ms a request, a third of a page of a few figures. This layer
reads the same parameters with the same patterns and parsers and runs the operation's
own work (`app.api.observations.figure_page`), so it answers with the same bytes. What
it would answer differently never reaches the work: a value off its documented form, a
parameter given twice, `include_subcodes`, and any problem the work raises go on to the
FastAPI operation, which stays in the OpenAPI document and answers them as it always did.
That hand-over happens before anything is sent; reads change nothing.
"""

import re
from collections.abc import Callable
from typing import TypeVar

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.observation_filters import ListFilters
from app.api.observations import figure_page
from app.api.pair_reads import DeclinedError, matching, route_path
from app.http.paging import ID_DIGITS, MAX_ID, MAX_LIMIT, checked_page
from app.http.params import listed_values, parse_period_parameter, utc_instant
from app.http.representation import Format, negotiate
from app.shared.patterns import (
    COMMODITY_PATTERN,
    COUNTRY_PATTERN,
    FLOW_OR_TURNOVER_PATTERN,
    PERIOD_PATTERN,
    list_of,
)
from app.shared.vocabulary import Measure, Status

PATH = "/v1/observations"
_LISTS = {
    "reporter": re.compile(list_of(COUNTRY_PATTERN)),
    "partner": re.compile(list_of(COUNTRY_PATTERN)),
    "flow": re.compile(list_of(FLOW_OR_TURNOVER_PATTERN)),
    "commodity": re.compile(list_of(COMMODITY_PATTERN)),
}
_COUNTRY = re.compile(COUNTRY_PATTERN)
_PERIOD = re.compile(PERIOD_PATTERN)
_AFTER = re.compile(rf"[0-9]{{1,{ID_DIGITS}}}")
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")  # what a plain number of the range looks like
_SINGLE = ("exporter", "importer", "period", "measure", "status", "source", "as_of")
_KNOWN = {*_LISTS, *_SINGLE, "limit", "after", "format"}
_FORMATS = {item.value: item for item in Format}
_MEASURES = {item.value: item for item in Measure}
_STATUSES = {item.value: item for item in Status}
T = TypeVar("T")


def _single(query: QueryParams, name: str) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        raise DeclinedError
    return values[0] if values else None


def _number(text: str | None, largest: int) -> int | None:
    if text is None:
        return None
    if _NUMBER.fullmatch(text) is None or int(text) > largest:
        raise DeclinedError
    return int(text)


def _word(words: dict[str, T], text: str | None) -> T | None:
    if text is None:
        return None
    if text not in words:
        raise DeclinedError
    return words[text]


def _parsed(text: str | None, parse: Callable[[str], T]) -> T | None:
    return None if text is None else parse(text)


def _lists(query: QueryParams) -> dict[str, list[str]]:
    found = {}
    for name, pattern in _LISTS.items():
        values = query.getlist(name)
        for value in values:
            matching(pattern, value)
        found[name] = listed_values(values or None, parameter=name)
    return found


def question_of(request: Request) -> tuple[ListFilters, Format, int | None, str | None]:
    """The filters, the format, and the page asked for, parsed as the operation's
    dependencies parse them; `DeclinedError` where their validation would refuse."""
    query = request.query_params
    if not _KNOWN.issuperset(query.keys()):
        raise DeclinedError
    lists = _lists(query)
    format_text = _single(query, "format")
    if format_text is not None and format_text not in _FORMATS:
        raise DeclinedError
    period = matching(_PERIOD, _single(query, "period"))
    filters = ListFilters(
        lists["reporter"],
        lists["partner"],
        matching(_COUNTRY, _single(query, "exporter")),
        matching(_COUNTRY, _single(query, "importer")),
        lists["flow"],
        lists["commodity"],
        False,
        _parsed(period, parse_period_parameter),
        _word(_MEASURES, _single(query, "measure")),
        _word(_STATUSES, _single(query, "status")),
        _number(_single(query, "source"), MAX_ID),
        _parsed(_single(query, "as_of"), utc_instant),
    )
    output = negotiate(request, _FORMATS[format_text] if format_text is not None else None)
    limit = _number(_single(query, "limit"), MAX_LIMIT)
    after = matching(_AFTER, _single(query, "after"))
    return filters, output, limit, after


class ListReads:
    """A pure ASGI layer just outside the router: the figure list answered by its
    operation's work; every other request, and every list request it declines, goes on
    to the router and the FastAPI operation."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "GET" and route_path(scope) == PATH):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            filters, output, limit, after = question_of(request)
            page = checked_page(request, limit, after)
            response = await figure_page(request, filters, page, output)
        except Exception:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
