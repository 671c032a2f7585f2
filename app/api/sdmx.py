"""SDMX-REST: /sdmx/2.1 (structure and data queries) and /sdmx/3.0 data with asOf.

The same figures as /v1/trade, keyed as the IMF keys bilateral series, in the formats
SDMX clients read: SDMX-ML 2.1 (generic and structure-specific), SDMX-CSV 1.0 and 2.0.
Errors are SDMX-ML error messages, or problem+json where the client asked for JSON.
"""

import asyncio
import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from app.api.deps import in_read_session, runtime
from app.errors import problem_response
from app.params import utc_instant
from app.patterns import PERIOD_PATTERN, describe_pattern
from app.periods import PeriodError, parse_period
from app.representation import media_ranges, not_modified, precompressed
from app.sdmx import structure as s
from app.sdmx import xml
from app.sdmx.csv import sdmx_csv
from app.sdmx.keys import InvalidKeyError, parse_key
from app.sdmx.sdmx_json import sdmx_json
from app.sdmx.series import Observation
from app.sdmx.service import DataQuery, codelists, data, value_names
from app.settings import settings_of

router = APIRouter(tags=["sdmx"])

GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
STRUCTURE = "application/vnd.sdmx.structure+xml;version=2.1"
JSON_1 = "application/vnd.sdmx.data+json;version=1.0.0"
CSV_1 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV_2 = "application/vnd.sdmx.data+csv;version=2.0.0"
ERROR_XML = "application/xml"


class DataFormat(StrEnum):
    GENERIC = "genericdata"
    JSON = "jsondata"
    STRUCTURE_SPECIFIC = "structurespecificdata"
    CSV_1 = "csv"
    CSV_2 = "csv2"


MEDIA_TYPES = {
    DataFormat.GENERIC: GENERIC,
    DataFormat.STRUCTURE_SPECIFIC: STRUCTURE_SPECIFIC,
    DataFormat.JSON: JSON_1,
    DataFormat.CSV_1: CSV_1,
    DataFormat.CSV_2: CSV_2,
}
ACCEPTED_MEDIA = ", ".join(MEDIA_TYPES.values())


class SdmxError(Exception):
    """An SDMX-REST error: HTTP status, SDMX error code, and what to do about it."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "json" in accept or request.query_params.get("format", "").lower().startswith("json")


def _error(request: Request, error: SdmxError) -> Response:
    if _wants_json(request):
        slug = {404: "not-found", 406: "not-acceptable"}.get(error.status, "invalid-parameter")
        title = {404: "Not found", 406: "Not acceptable"}.get(error.status, "Invalid request")
        return problem_response(
            error.status, title, error.text, slug=slug, instance=request.url.path
        )
    return Response(
        xml.error_message(error.code, error.text), status_code=error.status, media_type=ERROR_XML
    )


def _format_of(media: str, params: str) -> DataFormat | None:
    if "structurespecificdata" in media:
        return DataFormat.STRUCTURE_SPECIFIC
    if "genericdata" in media or media in ("*/*", "application/*", "application/xml", "text/xml"):
        return DataFormat.GENERIC
    if "json" in media:
        return None if "version=2" in params else DataFormat.JSON  # SDMX-JSON 2.0: not served
    if "csv" in media:
        return DataFormat.CSV_2 if "version=2" in params else DataFormat.CSV_1
    return None


def _data_format(request: Request, format: str | None) -> DataFormat:
    """From `format=`, else the Accept header; generic data when anything goes."""
    if format is not None:
        try:
            return DataFormat(format.lower())
        except ValueError:
            raise SdmxError(
                406,
                406,
                f"format '{format[:40]}' is not served; accepted: "
                + ", ".join(f.value for f in DataFormat),
            ) from None
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return DataFormat.GENERIC
    for media, params in media_ranges(accept):
        found = _format_of(media, params)
        if found is not None:
            return found
    raise SdmxError(
        406, 406, f"none of '{accept[:200]}' is served here; accepted: {ACCEPTED_MEDIA}"
    )


# -- structure queries -----------------------------------------------------------------

AgencyPath = Annotated[
    str, Path(description="Agency: TRADESTATS (or all)", examples=["TRADESTATS"])
]
ResourcePath = Annotated[
    str,
    Path(
        description="Structure id: BILATERAL (dataflow), DSD_BILATERAL (data structure), a "
        "codelist id such as CL_AREA, or all",
        examples=["all"],
    ),
]
VersionPath = Annotated[str, Path(description="Version: 1.0, latest or all", examples=["latest"])]
References = Annotated[
    str,
    Query(
        description="Structures to include with it: none, parents, children, descendants, all",
        examples=["children"],
        pattern="^(none|parents|parentsandsiblings|children|descendants|all|datastructure|codelist|conceptscheme|dataflow)$",
    ),
]


def _check_maintainable(agency: str, resource: str, version: str, ids: tuple[str, ...]) -> None:
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


@dataclass(frozen=True)
class _Parts:
    dataflow: bool = False
    data_structure: bool = False
    concepts: bool = False
    codelists: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Built:
    body: bytes
    gzipped: bytes
    etag: str


# Structures change only with migrations (reference data): each is built once per store
# and process, by one request while the others wait on the loop, not in read threads.
# The full one is 1.5 MB of XML and takes a quarter of a second to build and compress.
_BUILT: "WeakKeyDictionary[Engine, dict[_Parts, _Built]]" = WeakKeyDictionary()
_BUILDING: "WeakKeyDictionary[Engine, asyncio.Lock]" = WeakKeyDictionary()


async def _structure(request: Request, parts: _Parts) -> Response:
    engine = runtime(request).engine
    built = _BUILT.setdefault(engine, {})
    if parts not in built:
        async with _BUILDING.setdefault(engine, asyncio.Lock()):
            if parts not in built:

                def build(session: Session) -> _Built:
                    body = xml.structure_message(
                        dataflow=parts.dataflow,
                        data_structure=parts.data_structure,
                        concepts=parts.concepts,
                        codelists=codelists(session, set(parts.codelists)),
                        prepared=datetime.now(UTC),
                    )
                    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
                    return _Built(body, gzip.compress(body, 6, mtime=0), f'W/"{digest}"')

                built[parts] = await in_read_session(request, build)
    found = built[parts]
    headers = {
        "ETag": found.etag,
        "Cache-Control": f"public, max-age={settings_of(request.app).cache_max_age}",
        "Vary": "Accept, Accept-Encoding",
    }
    return not_modified(request, headers) or precompressed(
        request, found.body, found.gzipped, STRUCTURE, headers
    )


STRUCTURE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {STRUCTURE: {}}, "description": "SDMX-ML 2.1 structure message"},
    404: {"description": "No such structure (SDMX error 100)"},
}


@dataclass(frozen=True)
class _Wanted:
    """A structure query's path: which maintainable it names."""

    agency: str
    resource_id: str
    version: str

    def check(self, ids: tuple[str, ...]) -> None:
        _check_maintainable(self.agency, self.resource_id, self.version, ids)


def _wanted(agency: AgencyPath, resource_id: ResourcePath, version: VersionPath) -> _Wanted:
    return _Wanted(agency, resource_id, version)


Wanted = Annotated[_Wanted, Depends(_wanted)]


@router.get(
    "/sdmx/2.1/dataflow/{agency}/{resource_id}/{version}",
    summary="SDMX dataflow",
    responses=STRUCTURE_RESPONSES,
)
async def dataflow(request: Request, wanted: Wanted, references: References = "none") -> Response:
    try:
        wanted.check((s.DATAFLOW,))
    except SdmxError as error:
        return _error(request, error)
    every = references in ("descendants", "all", "codelist")
    parts = _Parts(
        dataflow=True,
        data_structure=references in ("children", "descendants", "all", "datastructure"),
        concepts=references in ("descendants", "all", "conceptscheme"),
        codelists=frozenset(s.CODELISTS) if every else frozenset(),
    )
    return await _structure(request, parts)


@router.get(
    "/sdmx/2.1/datastructure/{agency}/{resource_id}/{version}",
    summary="SDMX data structure definition",
    responses=STRUCTURE_RESPONSES,
)
async def datastructure(
    request: Request, wanted: Wanted, references: References = "none"
) -> Response:
    try:
        wanted.check((s.DSD,))
    except SdmxError as error:
        return _error(request, error)
    children = references in ("children", "descendants", "all")
    parts = _Parts(
        dataflow=references in ("parents", "parentsandsiblings", "all", "dataflow"),
        data_structure=True,
        concepts=children or references == "conceptscheme",
        codelists=frozenset(s.CODELISTS) if children or references == "codelist" else frozenset(),
    )
    return await _structure(request, parts)


@router.get(
    "/sdmx/2.1/codelist/{agency}/{resource_id}/{version}",
    summary="SDMX codelists",
    responses=STRUCTURE_RESPONSES,
)
async def codelist(request: Request, wanted: Wanted) -> Response:
    try:
        wanted.check(s.CODELISTS)
    except SdmxError as error:
        return _error(request, error)
    ids = s.CODELISTS if wanted.resource_id in ("all", "*") else (wanted.resource_id,)
    return await _structure(request, _Parts(codelists=frozenset(ids)))


# -- data queries ----------------------------------------------------------------------


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


def _flow_ref(flow: str) -> None:
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
class _DataParams:
    start_period: str | None
    end_period: str | None
    updated_after: str | None
    first_n: int | None
    last_n: int | None
    dimension_at_observation: str
    detail: str
    format: str | None
    as_of: str | None = None


def _query(key: str | None, params: _DataParams) -> DataQuery:
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


def _fingerprint(observations: list[Observation], variant: str) -> str:
    digest = hashlib.blake2b(variant.encode(), digest_size=16)
    for o in observations:
        f = o.fact
        digest.update(
            repr(
                (
                    o.key,
                    f.period,
                    f.value,
                    f.low,
                    f.high,
                    f.status,
                    f.qualifier,
                    f.id,
                    f.revision,
                    f.note,
                    o.citation,
                )
            ).encode()
        )
    return 'W/"' + digest.hexdigest() + '"'


def _body(
    observations: list[Observation],
    output: DataFormat,
    params: _DataParams,
    names: dict[str, dict[str, str]],
) -> Iterator[bytes]:
    flat = params.dimension_at_observation == "AllDimensions"
    prepared = datetime.now(UTC)
    if output is DataFormat.JSON:
        return iter(
            [
                sdmx_json(
                    observations, prepared=prepared, detail=params.detail, flat=flat, names=names
                )
            ]
        )
    if output is DataFormat.GENERIC:
        return xml.generic_data(observations, prepared=prepared, detail=params.detail, flat=flat)
    if output is DataFormat.STRUCTURE_SPECIFIC:
        return xml.structure_specific_data(
            observations, prepared=prepared, detail=params.detail, flat=flat
        )
    version = "2.0" if output is DataFormat.CSV_2 else "1.0"
    return sdmx_csv(observations, version=version, dataonly=params.detail == "dataonly")


async def _data(request: Request, flow: str, key: str | None, params: _DataParams) -> Response:
    try:
        _flow_ref(flow)
        query = _query(key, params)
        output = _data_format(request, params.format)
    except SdmxError as error:
        return _error(request, error)

    def read(session: Session) -> tuple[list[Observation], dict[str, dict[str, str]]]:
        found = data(session, query)
        return found, value_names(session, found) if output is DataFormat.JSON else {}

    found, names = await in_read_session(request, read)
    if not found:
        return _error(
            request,
            SdmxError(
                404,
                100,
                "No observations match the query (SDMX 'no results found'). Keys are "
                "FREQ.REF_AREA.INDICATOR.COUNTERPART_AREA.COMMODITY, for example "
                "A+P9M.AZ.TXG_FOB_USD.KZ.TOTAL; /sdmx/2.1/codelist/TRADESTATS/all/latest "
                "lists the codes.",
            ),
        )
    etag = _fingerprint(found, f"{output}|{params}")
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings_of(request.app).cache_max_age}",
        "Vary": "Accept",
    }
    return not_modified(request, headers) or StreamingResponse(
        _body(found, output, params, names), media_type=MEDIA_TYPES[output], headers=headers
    )


StartPeriod = Annotated[
    str | None,
    Query(
        alias="startPeriod",
        pattern=PERIOD_PATTERN,
        description="Observations from this period on: 2018, 2018-Q3, 2018-09, 2018-01-01",
        examples=["2017"],
    ),
]
EndPeriod = Annotated[
    str | None,
    Query(
        alias="endPeriod",
        pattern=PERIOD_PATTERN,
        description="Observations up to the end of this period",
        examples=["2018"],
    ),
]
UpdatedAfter = Annotated[
    str | None,
    Query(
        alias="updatedAfter",
        json_schema_extra={"format": "date-time"},
        description="Only figures recorded after this instant, and derived ones resting on them",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
FirstN = Annotated[
    int | None,
    Query(
        alias="firstNObservations",
        ge=1,
        le=10000,
        description="The first N observations of each series",
        examples=[1],
    ),
]
LastN = Annotated[
    int | None,
    Query(
        alias="lastNObservations",
        ge=1,
        le=10000,
        description="The last N observations of each series",
        examples=[1],
    ),
]
DimensionAtObservation = Annotated[
    str,
    Query(
        alias="dimensionAtObservation",
        description="TIME_PERIOD (series) or AllDimensions (flat)",
        examples=["TIME_PERIOD"],
        pattern=describe_pattern(
            "^(TIME_PERIOD|AllDimensions)$", "TIME_PERIOD or AllDimensions (the ones served)"
        ),
    ),
]
Detail = Annotated[
    str,
    Query(
        description="full, dataonly, serieskeysonly or nodata",
        examples=["full"],
        pattern=describe_pattern(
            "^(full|dataonly|serieskeysonly|nodata)$", "full, dataonly, serieskeysonly or nodata"
        ),
    ),
]
FormatParam = Annotated[
    str | None,
    Query(
        description="genericdata, structurespecificdata, csv (SDMX-CSV 1.0) or csv2 (2.0); "
        "overrides Accept",
        examples=["csv"],
        pattern=describe_pattern(
            "^(genericdata|structurespecificdata|jsondata|csv|csv2)$",
            "genericdata, structurespecificdata, jsondata, csv (SDMX-CSV 1.0) or csv2 (2.0)",
        ),
    ),
]
FlowPath = Annotated[
    str, Path(description="BILATERAL, or TRADESTATS,BILATERAL,1.0", examples=["BILATERAL"])
]
KeyPath = Annotated[
    str,
    Path(
        description="FREQ.REF_AREA.INDICATOR.COUNTERPART_AREA.COMMODITY; empty parts match "
        "any, + joins codes; all for every series",
        examples=["P9M.AZ.TXG_FOB_USD.KZ.TOTAL"],
        pattern=KEY_PATTERN,
    ),
]

DATA_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {media: {} for media in MEDIA_TYPES.values()},
        "description": "SDMX data message",
    },
    400: {"description": "Malformed key or parameter (SDMX error 140)"},
    404: {"description": "No results (SDMX error 100)"},
    406: {"description": "Not acceptable: none of the formats asked for is served"},
}


def _data_params(
    start_period: StartPeriod = None,
    end_period: EndPeriod = None,
    updated_after: UpdatedAfter = None,
    first_n: FirstN = None,
    last_n: LastN = None,
    dimension_at_observation: DimensionAtObservation = s.TIME_DIMENSION,
    detail: Detail = "full",
    format: FormatParam = None,
) -> _DataParams:
    """The query parameters every data query takes."""
    return _DataParams(
        start_period,
        end_period,
        updated_after,
        first_n,
        last_n,
        dimension_at_observation,
        detail,
        format,
    )


DataParams = Annotated[_DataParams, Depends(_data_params)]


@router.get("/sdmx/2.1/data/{flow}/{key}", summary="SDMX data query", responses=DATA_RESPONSES)
async def data_v21(request: Request, flow: FlowPath, key: KeyPath, params: DataParams) -> Response:
    return await _data(request, flow, key, params)


@router.get(
    "/sdmx/2.1/data/{flow}/{key}/{provider}",
    summary="SDMX data query, naming the data provider",
    responses=DATA_RESPONSES,
)
async def data_v21_provider(
    request: Request,
    flow: FlowPath,
    key: KeyPath,
    provider: Annotated[
        str, Path(description="Data provider: TRADESTATS or all", examples=["all"])
    ],
    params: DataParams,
) -> Response:
    if provider not in (s.AGENCY, "all", "*"):
        return _error(
            request,
            SdmxError(404, 100, f"No data provider '{provider[:40]}'; the one here is {s.AGENCY}."),
        )
    return await _data(request, flow, key, params)


@router.get(
    "/sdmx/2.1/data/{flow}", summary="SDMX data query, every series", responses=DATA_RESPONSES
)
async def data_v21_all(request: Request, flow: FlowPath, params: DataParams) -> Response:
    return await _data(request, flow, None, params)


@router.get(
    "/sdmx/3.0/data/dataflow/{agency}/{resource_id}/{version}/{key}",
    summary="SDMX 3.0 data query, with asOf",
    responses=DATA_RESPONSES,
)
async def data_v30(
    request: Request,
    agency: AgencyPath,
    resource_id: ResourcePath,
    version: VersionPath,
    key: KeyPath,
    params: DataParams,
    as_of: Annotated[
        str | None,
        Query(
            alias="asOf",
            json_schema_extra={"format": "date-time"},
            description="Answer as the store stood at this instant (ISO 8601), from the "
            "revision history",
            examples=["2026-11-28T00:00:00Z"],
        ),
    ] = None,
) -> Response:
    flow = ",".join((agency, resource_id, version))
    return await _data(request, flow, None if key == "*" else key, replace(params, as_of=as_of))
