"""SDMX-REST query parameters read as SDMX says: a dataflow reference, a series key,
start and end periods, instants (updatedAfter, asOf), and which structures exist. Each
problem is an `SdmxError` with SDMX's error code."""

from dataclasses import dataclass
from datetime import date, datetime

from app.http.params import utc_instant
from app.sdmx import structure as s
from app.sdmx.keys import InvalidKeyError, parse_key
from app.sdmx.negotiation import SdmxError
from app.sdmx.service import DataQuery
from app.shared.patterns import describe_pattern
from app.shared.periods import PeriodError, parse_period


def check_maintainable(agency: str, resource: str, version: str, ids: tuple[str, ...]) -> None:
    if agency not in (s.AGENCY, "all", "*"):
        raise SdmxError(
            404, 100, f"No structures of agency '{agency[:40]}'; the agency here is {s.AGENCY}."
        )
    if resource not in (*ids, "all", "*"):
        raise SdmxError(404, 100, f"No structure '{resource[:40]}'; there are: {', '.join(ids)}.")
    if version not in (s.VERSION, "latest", "all", "*", "+", "~"):
        raise SdmxError(
            404, 100, f"No version '{version[:20]}'; structures here are version {s.VERSION}."
        )


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return utc_instant(text)
    except ValueError:
        raise SdmxError(
            400,
            140,
            f"{name} must be an ISO 8601 date-time such as 2026-11-27T12:00:00Z; "
            f"got '{text[:40]}'.",
        ) from None


def _boundary(text: str | None, name: str, *, end: bool) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        period = parse_period(text)
    except PeriodError as error:
        raise SdmxError(
            400,
            140,
            f"{name}: {error}; accepted: 2018, 2018-S1, 2018-Q3, 2018-09 (or 2018-M09), "
            "2018-01-31.",
        ) from None
    return period.end if end else period.start


def check_flow_ref(flow: str) -> None:
    ids = [part.strip() for part in flow.split(",")]
    anything = ("all", "*")
    if len(ids) == 1:
        ok = ids[0] in (s.DATAFLOW, *anything)
    else:
        ok = ids[0] in (s.AGENCY, *anything) and ids[1] in (s.DATAFLOW, *anything)
        ok = ok and (
            len(ids) == 2 or (len(ids) == 3 and ids[2] in (s.VERSION, "latest", *anything))
        )
    if not ok:
        raise SdmxError(
            404,
            100,
            f"No dataflow '{flow[:60]}'; the dataflow here is "
            f"{s.AGENCY},{s.DATAFLOW},{s.VERSION} (or {s.DATAFLOW}).",
        )


_KEY_PART = r"[A-Za-z0-9_@$\-]*(\+[A-Za-z0-9_@$\-]+)*"
KEY_PATTERN = describe_pattern(
    rf"^(all|\*|{_KEY_PART}(\.{_KEY_PART}){{{len(s.DIMENSIONS) - 1}}})$",
    "all, or a key of five parts joined by dots, "
    "FREQ.REF_AREA.INDICATOR.COUNTERPART_AREA.COMMODITY (an empty part matches any code, "
    "+ joins codes: P9M.AZ.TXG_FOB_USD+TMG_CIF_USD.KZ.TOTAL)",
)


@dataclass(frozen=True)
class DataParams:
    start_period: str | None
    end_period: str | None
    updated_after: str | None
    first_n: int | None
    last_n: int | None
    dimension_at_observation: str
    detail: str
    format: str | None
    as_of: str | None = None


def data_query(key: str | None, params: DataParams) -> DataQuery:
    try:
        filters = parse_key(key)
    except InvalidKeyError as error:
        raise SdmxError(400, 140, str(error)) from None
    return DataQuery(
        filters=filters,
        start=_boundary(params.start_period, "startPeriod", end=False),
        end=_boundary(params.end_period, "endPeriod", end=True),
        updated_after=_instant(params.updated_after, "updatedAfter"),
        first_n=params.first_n,
        last_n=params.last_n,
        as_of=_instant(params.as_of, "asOf"),
    )
