"""/v1/observations: every stored figure, filtered and paged."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import StringConstraints
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api import export
from app.api.auth import WriterDep
from app.api.deps import WriteSessionDep, in_read_session, runtime
from app.api.figures import FigureRenderer
from app.api.idempotent import IdempotencyKeyHeader, replayed
from app.auth import idempotency
from app.auth.service import ApiKey
from app.commodities import service as commodities
from app.core.db_types import as_utc
from app.core.errors import NotFoundError, problem_responses
from app.core.settings import settings_of
from app.countries import service as countries
from app.http.bodies import parse_json, read_body, require_media_type
from app.http.paging import MAX_FIGURE_ID, MAX_ID, IdPageDep, page_links
from app.http.params import AsOfDep, PeriodDep, listed_values, parse_flow
from app.http.representation import FormatQuery, negotiate, respond, to_json
from app.observations import service as observations
from app.observations.schemas import (
    FigureList,
    History,
    Revision,
    RevisionLinks,
    StoredFigure,
    WriteAnswer,
    WriteCounts,
)
from app.observations.service import Observation, ObservationFilter
from app.shared.patterns import (
    COMMODITY_PATTERN,
    COUNTRY_PATTERN,
    FLOW_OR_TURNOVER_PATTERN,
    list_of,
)
from app.shared.periods import Period
from app.shared.vocabulary import Measure, Status

router = APIRouter(prefix="/v1/observations", tags=["observations"])

ObservationId = Annotated[int, Path(ge=1, le=MAX_FIGURE_ID, description="Figure id.", examples=[1])]

CODE = "ISO 3166-1 alpha-2, alpha-3 or numeric code, any case."


@dataclass(frozen=True)
class ListFilters:
    """The filters as given, checked for form; `criteria` checks them against the store."""

    reporters: list[str]
    partners: list[str]
    exporter: str | None
    importer: str | None
    flows: list[str]
    commodities: list[str]
    include_subcodes: bool
    period: Period | None
    measure: Measure | None
    status: Status | None
    source: int | None
    as_of: datetime | None

    def criteria(self, session: Session) -> ObservationFilter:
        codes: set[str] | None = None
        for commodity in self.commodities:
            found = commodities.resolve(session, commodity, parameter="query.commodity")
            codes = (codes or set()) | (
                commodities.subtree_codes(session, found.code)
                if self.include_subcodes
                else {found.code}
            )
        return ObservationFilter(
            reporters=_countries(session, self.reporters, "query.reporter"),
            partners=_countries(session, self.partners, "query.partner"),
            exporter=_country(session, self.exporter, "query.exporter"),
            importer=_country(session, self.importer, "query.importer"),
            flows=tuple(
                dict.fromkeys(parse_flow(flow, turnover=True).value for flow in self.flows)
            ),
            commodities=frozenset(codes) if codes is not None else None,
            within=(self.period.start, self.period.end) if self.period else None,
            measure=self.measure.value if self.measure else None,
            status=self.status.value if self.status else None,
            source_id=self.source,
            as_of=self.as_of,
        )


def _country(session: Session, code: str | None, parameter: str) -> str | None:
    return countries.resolve(session, code, parameter=parameter).alpha3 if code else None


def _countries(session: Session, codes: list[str], parameter: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            countries.resolve(session, code, parameter=parameter).alpha3 for code in codes
        )
    )


# One value of a list parameter: a code, or several separated by commas.
CountryList = Annotated[str, StringConstraints(pattern=list_of(COUNTRY_PATTERN))]
FlowList = Annotated[str, StringConstraints(pattern=list_of(FLOW_OR_TURNOVER_PATTERN))]
CommodityList = Annotated[str, StringConstraints(pattern=list_of(COMMODITY_PATTERN))]
LISTED = (
    " Several: repeat the parameter (reporter=AZ&reporter=KZ) or separate them with commas "
    "(reporter=AZ,KZ); a figure matches any of them."
)


async def _filters(
    reporter: Annotated[
        list[CountryList] | None,
        Query(description="Reporter: " + CODE + LISTED, examples=[["AZ", "KZ"]]),
    ] = None,
    partner: Annotated[
        list[CountryList] | None,
        Query(description="Partner: " + CODE + LISTED, examples=[["KZ"]]),
    ] = None,
    exporter: Annotated[
        str | None,
        Query(
            pattern=COUNTRY_PATTERN,
            description="Where the goods come from, whoever reported them: the exporter's "
            "exports and its partners' imports from it (turnover has no direction). " + CODE,
            examples=["KZ"],
        ),
    ] = None,
    importer: Annotated[
        str | None,
        Query(
            pattern=COUNTRY_PATTERN,
            description="Where the goods go, whoever reported them: the importer's imports "
            "and its partners' exports to it. " + CODE,
            examples=["AZ"],
        ),
    ] = None,
    flow: Annotated[
        list[FlowList] | None,
        Query(
            description="export (X), import (M), turnover, re_export (RX) or re_import (RM), "
            "as stored (not mirrored)." + LISTED,
            examples=[["export"]],
        ),
    ] = None,
    commodity: Annotated[
        list[CommodityList] | None,
        Query(
            description="TOTAL or an HS code: figures of exactly this code." + LISTED,
            examples=[["TOTAL"]],
        ),
    ] = None,
    include_subcodes: Annotated[
        bool,
        Query(
            description="Also list figures of every code below `commodity` in the HS tree. "
            "A code's figures already include its sub-codes: never add them up.",
            examples=[False],
        ),
    ] = False,
    period: PeriodDep = None,
    measure: Annotated[
        Measure | None, Query(description="What the figure measures.", examples=["growth"])
    ] = None,
    status: Annotated[
        Status | None,
        Query(description="reported, derived, forecast or target.", examples=["reported"]),
    ] = None,
    source: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Source id.", examples=[1])
    ] = None,
    as_of: AsOfDep = None,
) -> ListFilters:
    """The filters of the observation list and export (on the event loop: no I/O)."""
    return ListFilters(
        listed_values(reporter, parameter="reporter"),
        listed_values(partner, parameter="partner"),
        exporter,
        importer,
        listed_values(flow, parameter="flow"),
        listed_values(commodity, parameter="commodity"),
        include_subcodes,
        period,
        measure,
        status,
        source,
        as_of,
    )


FiltersDep = Annotated[ListFilters, Depends(_filters)]


@router.get(
    "",
    summary="Every stored figure, filterable, oldest id first",
    response_model=FigureList,
    responses=problem_responses(
        {404: "Unknown country or commodity", 406: "Not acceptable", 422: "Bad filter"}
    ),
)
async def list_observations(
    request: Request,
    page: IdPageDep,
    filters: FiltersDep,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        criteria = filters.criteria(session)
        rows = observations.page(session, criteria, page.after_id(MAX_FIGURE_ID), page.limit + 1)
        figures = FigureRenderer(session).rows(rows[: page.limit])
        next_after = str(figures[-1].id) if len(rows) > page.limit else None
        links, headers = page_links(request, next_after)
        payload = FigureList(data=figures, links=links)
        return respond(request, payload, output, headers=headers)

    return await in_read_session(request, answer)


@router.get(
    "/export",
    summary="Every figure matching the filters as one streamed CSV file, without paging",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "CSV, one figure per row"},
        **problem_responses({404: "Unknown country or commodity", 422: "Bad filter"}),
    },
)
async def export_observations(request: Request, filters: FiltersDep) -> StreamingResponse:
    # Checked before the first byte, so that a bad filter is a 4xx, not a broken stream.
    criteria = await in_read_session(request, filters.criteria)
    factory = runtime(request).sessions.stream
    return StreamingResponse(
        await export.started_csv(factory, criteria),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="observations.csv"'},
    )


@router.get(
    "/{observation_id:id}",
    summary="One stored figure",
    response_model=StoredFigure,
    responses=problem_responses({404: "No such figure", 406: "Not acceptable"}),
)
async def get_observation(
    request: Request,
    observation_id: ObservationId,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        row = _stored(session, observation_id)
        latest = row if row.valid_to is None else observations.history(session, row)[-1]
        figure = FigureRenderer(session).row(row)
        stored = StoredFigure(
            **dict(figure),
            valid_to=as_utc(row.valid_to) if row.valid_to else None,
            retracted=row.retracted,
            current=row.valid_to is None and not row.retracted,
            links=RevisionLinks(
                self=f"{router.prefix}/{row.id}",
                history=f"{router.prefix}/{row.id}/history",
                current=None if latest.id == row.id else f"{router.prefix}/{latest.id}",
            ),
        )
        return respond(request, stored, output)

    return await in_read_session(request, answer)


def _stored(session: Session, observation_id: int) -> Observation:
    row = observations.stored(session, observation_id)
    if row is None:
        raise NotFoundError(f"No figure has the id {observation_id}.")
    return row


WRITE_PROBLEMS = problem_responses(
    {
        401: "No valid API key",
        403: "Key revoked or without the write scope",
        409: "Idempotency-Key reused with another body, a source slug taken, or other "
        "writers kept changing the same figures (retry)",
        413: "Body over the size limit",
        415: "Body is not JSON",
        422: "Invalid figures: every bad row, with its index, field and reason",
    }
)


def _revision(factory: FigureRenderer, row: Observation) -> Revision:
    return Revision(
        id=row.id,
        revision=row.revision,
        recorded_at=as_utc(row.recorded_at),
        superseded_at=as_utc(row.valid_to) if row.valid_to else None,
        retracted=row.retracted,
        figure=factory.row(row),
    )


@router.get(
    "/{observation_id:id}/history",
    summary="Every revision of a figure, oldest first",
    response_model=History,
    responses=problem_responses({404: "No such figure", 406: "Not acceptable"}),
)
async def get_history(
    request: Request,
    observation_id: ObservationId,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        row = _stored(session, observation_id)
        rows = observations.history(session, row)
        factory = FigureRenderer(session)
        payload = History(revisions=[_revision(factory, item) for item in rows])
        return respond(request, payload, output)

    return await in_read_session(request, answer)


def _write(
    session: Session, key: ApiKey, body: bytes, idempotency_key: str | None, path: str
) -> Response:
    record = None
    if idempotency_key is not None:
        fingerprint = idempotency.request_hash("POST", path, body)
        claimed = idempotency.claim(session, key.id, idempotency_key, fingerprint)
        if isinstance(claimed, idempotency.StoredAnswer):
            return replayed(claimed)
        record = claimed
    batch = observations.parse_body(parse_json(body))
    written = observations.write(session, batch, recorded_by=key.name)
    summary = written.summary
    render = FigureRenderer(session)
    render.load(written.figures)
    answer = WriteAnswer(
        summary=WriteCounts(
            added=summary.added, revised=summary.revised, unchanged=summary.unchanged
        ),
        figures=[render.figure(fact) for fact in written.figures],
    )
    status = 201 if summary.changed else 200
    content = to_json(answer)
    if record is not None:
        idempotency.remember(record, status, content)
    headers = {}
    if len(written.figures) == 1:
        headers["Location"] = f"/v1/observations/{written.figures[0].id}"
    return Response(content, status_code=status, media_type="application/json", headers=headers)


@router.post(
    "",
    status_code=201,
    summary="Add or revise figures, one or a batch (all or nothing); needs a write key",
    response_model=WriteAnswer,
    responses={200: {"description": "Every figure was already stored as sent"}, **WRITE_PROBLEMS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/WriteRequest"},
                            {"$ref": "#/components/schemas/FigureIn"},
                        ]
                    },
                    "example": {
                        "reporter": "AZ",
                        "partner": "KZ",
                        "flow": "export",
                        "period": "2018",
                        "measure": "trade_value",
                        "value": 48500000,
                        "unit": "USD",
                        "source_id": 1,
                    },
                }
            },
        }
    },
)
async def post_observations(
    request: Request,
    session: WriteSessionDep,
    key: WriterDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    require_media_type(request, "application/json")
    body = await read_body(request, settings_of(request.app).write_body_max_bytes)
    return await run_in_threadpool(_write, session, key, body, idempotency_key, request.url.path)


@router.delete(
    "/{observation_id:id}",
    summary="Retract a figure: a new revision marks it withdrawn; nothing is erased",
    response_model=Revision,
    responses=problem_responses(
        {
            401: "No valid API key",
            403: "Key revoked or short of scope",
            404: "No such figure",
            409: "Other writers kept changing the figure (retry)",
        }
    ),
)
def retract_observation(
    session: WriteSessionDep, key: WriterDep, observation_id: ObservationId
) -> Response:
    row = _stored(session, observation_id)
    retraction = observations.retract(session, row, recorded_by=key.name)
    payload = _revision(FigureRenderer(session), retraction)
    return Response(to_json(payload), media_type="application/json")
