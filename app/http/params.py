"""Query and path parameters shared by several routers, parsed into domain values."""

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query
from pydantic import TypeAdapter, ValidationError

from app.core.errors import InvalidParameterError, NotFoundError
from app.shared.patterns import (
    COUNTRY_PATTERN,
    FREQ_PATTERN,
    PERIOD_PATTERN,
)
from app.shared.periods import ACCEPTED_FORMS, EmptyPeriodError, Period, PeriodError, parse_period
from app.shared.vocabulary import FLOW_SPELLINGS, Flow

PERIOD_DESCRIPTION = (
    "A year (2018), half (2018-S1), quarter (2018-Q3), month (2018-09 or 2018-M09), or an "
    "inclusive interval of these (2018-01/2018-09)."
)


CountryPath = Annotated[
    str,
    Path(
        description="ISO 3166-1 alpha-2, alpha-3 or numeric (UN M49) code, any case.",
        examples=["AZ"],
        pattern=COUNTRY_PATTERN,
    ),
]


def parse_period_parameter(text: str, *, location: str = "query.period") -> Period:
    try:
        return parse_period(text)
    except EmptyPeriodError as error:
        # Well-formed, so not a 422: an interval that ends first holds no figure at all.
        raise InvalidParameterError(
            f"Invalid period: {error}. Give the earlier end first "
            "(2018-01/2018-09, not 2018-09/2018-01).",
            errors=[{"location": location, "message": str(error), "type": "period"}],
            extra={"accepted": list(ACCEPTED_FORMS)},
        ) from None
    except PeriodError as error:
        raise InvalidParameterError(
            f"Invalid period: {error}. Accepted forms: {'; '.join(ACCEPTED_FORMS)}.",
            errors=[{"location": location, "message": str(error), "type": "period"}],
            extra={"accepted": list(ACCEPTED_FORMS)},
        ) from None


async def _optional_period(
    period: Annotated[
        str | None,
        Query(pattern=PERIOD_PATTERN, description=PERIOD_DESCRIPTION, examples=["2018-01/2018-09"]),
    ] = None,
) -> Period | None:
    return parse_period_parameter(period) if period is not None else None


PeriodDep = Annotated[Period | None, Depends(_optional_period)]

FreqQuery = Annotated[
    str | None,
    Query(
        pattern=FREQ_PATTERN,
        description="Keep the periods of one span, so a series never sets a month beside a "
        "nine-month total. A (calendar years), S (halves), Q (quarters), M (months), the "
        "months of a part-year interval (01/09 for January-September), or P{n}M (n months "
        "across years). The answer's `spans` lists the spans with data. With a period= of "
        "another span, the period is a range: period=2015/2019&freq=A is the series of the "
        "years 2015 to 2019.",
        examples=["01/09"],
    ),
]


def freq_filter(freq: str | None, period: Period | None) -> str | None:
    """The span a series keeps, upper-cased. With a period of another span, the period is
    the range the series keeps to; one too short to hold a period of the span is a 404
    that says so."""
    if freq is None:
        return None
    span = freq.upper()
    if period is not None and not period.in_span(span) and period.months <= _months_of(span):
        raise NotFoundError(
            f"{period.label} is a period of span {period.span}, too short to hold a period of "
            f"span {span}. Drop freq, or ask for a period of that span, or a range of them "
            "(period=2015/2019&freq=A).",
            extra={"period_span": period.span},
        )
    return span


# The months of the spans freq= names by letter; the others say theirs (01/09, P9M).
_SPAN_MONTHS = {"A": 12, "S": 6, "Q": 3, "M": 1}


def _months_of(span: str) -> int:
    if span in _SPAN_MONTHS:
        return _SPAN_MONTHS[span]
    if span.startswith("P"):
        return int(span[1:-1])
    first, last = span.split("/")
    return int(last) - int(first) + 1


def parse_flow(text: str, *, turnover: bool) -> Flow:
    """A flow as stored (`turnover`: any stored flow), or only export or import."""
    flow = FLOW_SPELLINGS.get(text.strip().lower())
    if flow is not None and not turnover and flow not in (Flow.EXPORT, Flow.IMPORT):
        flow = None
    if flow is None:
        accepted = "export (X), import (M)" + (
            ", turnover, re_export (RX), re_import (RM)" if turnover else ""
        )
        raise InvalidParameterError(
            f"'{text[:40]}' is not a flow. Accepted: {accepted}, any case.",
            errors=[{"location": "query.flow", "message": "unknown flow", "type": "enum"}],
        )
    return flow


FLOW_DESCRIPTION = "export or import (also X / M as UN Comtrade writes them), any case."


_ISO_DATE_TIME = TypeAdapter(datetime)


def utc_instant(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 date-time as an aware UTC moment (without a zone, UTC);
    ValueError when the text is none."""
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
            raise ValueError("not an ISO 8601 date-time")
        moment = _ISO_DATE_TIME.validate_python(text)
    except ValidationError:
        raise ValueError("not an ISO 8601 date-time") from None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC)
    except OverflowError:  # a moment on the edge of year 1: before anything was stored
        return datetime.min.replace(tzinfo=UTC)


async def _as_of(
    as_of: Annotated[
        str | None,
        Query(
            description="Answer with the figures as the store knew them at this moment "
            "(ISO 8601 / RFC 3339 date-time; without a zone, UTC).",
            examples=["2026-11-27T12:00:00Z"],
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
) -> datetime | None:
    if as_of is None:
        return None
    try:
        return utc_instant(as_of)
    except ValueError:
        raise InvalidParameterError(
            f"as_of must be an ISO 8601 date-time such as 2026-11-27T12:00:00Z; got "
            f"'{as_of[:40]}'.",
            errors=[{"location": "query.as_of", "message": "not a date-time", "type": "format"}],
        ) from None


AsOfDep = Annotated[datetime | None, Depends(_as_of)]


# At most this many distinct values in one list parameter, however given: more than every
# code there is, so only a runaway client meets it.
MAX_LIST_VALUES = 1000


def listed_values(values: list[str] | None, *, parameter: str) -> list[str]:
    """A list parameter's values, given as repeated parameters (as OpenAPI clients send an
    array), as comma lists (as UN Comtrade takes them), or both; each already matched its
    pattern (`patterns.list_of`). Duplicates are dropped, order kept."""
    found = [item for value in values or () for item in value.split(",")]
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_LIST_VALUES:
        raise InvalidParameterError(
            f"query.{parameter}: {len(unique)} values; at most {MAX_LIST_VALUES}.",
            errors=[{"location": f"query.{parameter}", "message": "too many", "type": "value"}],
        )
    return unique
