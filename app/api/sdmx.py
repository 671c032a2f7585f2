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
from datetime import UTC, datetime
from typing import Annotated
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from app.api.deps import in_read_session, runtime
from app.api.sdmx_params import DATA_RESPONSES, DataParams, FlowPath, KeyPath
from app.core.settings import settings_of
from app.http.representation import not_modified, precompressed
from app.sdmx import structure as s
from app.sdmx import xml
from app.sdmx.csv import sdmx_csv
from app.sdmx.negotiation import (
    MEDIA_TYPES,
    STRUCTURE,
    DataFormat,
    SdmxError,
    data_format,
    error_response,
)
from app.sdmx.parameters import DataParams as SdmxDataParams
from app.sdmx.parameters import check_flow_ref, check_maintainable, data_query
from app.sdmx.sdmx_json import sdmx_json
from app.sdmx.series import KeyedObservation
from app.sdmx.service import codelists, data, value_names

router = APIRouter(tags=["sdmx"])


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
        check_maintainable(self.agency, self.resource_id, self.version, ids)


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
        return error_response(request, error)
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
        return error_response(request, error)
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
        return error_response(request, error)
    ids = s.CODELISTS if wanted.resource_id in ("all", "*") else (wanted.resource_id,)
    return await _structure(request, _Parts(codelists=frozenset(ids)))


# -- data queries ----------------------------------------------------------------------


def _fingerprint(observations: list[KeyedObservation], variant: str) -> str:
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
    observations: list[KeyedObservation],
    output: DataFormat,
    params: SdmxDataParams,
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


async def _data(request: Request, flow: str, key: str | None, params: SdmxDataParams) -> Response:
    try:
        check_flow_ref(flow)
        query = data_query(key, params)
        output = data_format(request, params.format)
    except SdmxError as error:
        return error_response(request, error)

    def read(session: Session) -> tuple[list[KeyedObservation], dict[str, dict[str, str]]]:
        found = data(session, query)
        return found, value_names(session, found) if output is DataFormat.JSON else {}

    found, names = await in_read_session(request, read)
    if not found:
        return error_response(
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
        return error_response(
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
