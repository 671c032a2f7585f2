"""Query and path parameters shared by several routers, parsed into domain values."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query

from app.errors import InvalidParameterError
from app.periods import ACCEPTED_FORMS, Period, PeriodError, parse_period
from app.vocabulary import Flow

PERIOD_DESCRIPTION = (
    "A year (2018), half (2018-S1), quarter (2018-Q3), month (2018-09 or 2018-M09), or an "
    "inclusive interval of these (2018-01/2018-09)."
)

CountryPath = Annotated[
    str,
    Path(
        description="ISO 3166-1 alpha-2, alpha-3 or numeric (UN M49) code, any case.",
        examples=["AZ"],
        max_length=16,
    ),
]


def parse_period_parameter(text: str, *, location: str = "query.period") -> Period:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise InvalidParameterError(
            f"Invalid period: {error}. Accepted forms: {'; '.join(ACCEPTED_FORMS)}.",
            errors=[{"location": location, "message": str(error), "type": "period"}],
            extra={"accepted": list(ACCEPTED_FORMS)},
        ) from None


async def _optional_period(
    period: Annotated[
        str | None,
        Query(max_length=64, description=PERIOD_DESCRIPTION, examples=["2018-01/2018-09"]),
    ] = None,
) -> Period | None:
    return parse_period_parameter(period) if period is not None else None


PeriodDep = Annotated[Period | None, Depends(_optional_period)]

_FLOW_ALIASES = {"export": Flow.EXPORT, "x": Flow.EXPORT, "import": Flow.IMPORT, "m": Flow.IMPORT}
_FLOW_ALIASES_WITH_TURNOVER = {**_FLOW_ALIASES, "turnover": Flow.TURNOVER}


def parse_flow(text: str, *, turnover: bool) -> Flow:
    aliases = _FLOW_ALIASES_WITH_TURNOVER if turnover else _FLOW_ALIASES
    flow = aliases.get(text.strip().lower())
    if flow is None:
        accepted = "export (X), import (M)" + (", turnover" if turnover else "")
        raise InvalidParameterError(
            f"'{text[:40]}' is not a flow. Accepted: {accepted}, any case.",
            errors=[{"location": "query.flow", "message": "unknown flow", "type": "enum"}],
        )
    return flow


FLOW_DESCRIPTION = "export or import (also X / M as UN Comtrade writes them), any case."


async def _as_of(
    as_of: Annotated[
        datetime | None,
        Query(
            description="Answer with the figures as the store knew them at this moment "
            "(ISO 8601; without a zone, UTC).",
            examples=["2026-11-27T12:00:00Z"],
        ),
    ] = None,
) -> datetime | None:
    if as_of is None:
        return None
    aware = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
    return aware.astimezone(UTC)


AsOfDep = Annotated[datetime | None, Depends(_as_of)]
