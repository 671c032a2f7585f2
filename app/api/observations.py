"""/v1/observations: every stored figure, filtered and paged."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api import export
from app.api.auth import WriterDep, write_problems
from app.api.deps import WriteSessionDep, in_read_session, runtime
from app.api.idempotent import IdempotencyKeyHeader, replayed
from app.api.observation_filters import FiltersDep, ListFilters
from app.auth import idempotency
from app.auth.service import ApiKey
from app.core.db_types import as_utc
from app.core.errors import NotFoundError, problem_responses
from app.core.settings import settings_of
from app.http.bodies import parse_json, read_body, require_media_type
from app.http.paging import MAX_FIGURE_ID, IdPageDep, Page, page_links
from app.http.representation import (
    Format,
    FormatQuery,
    figures_rows,
    negotiate,
    respond,
    respond_with,
)
from app.observations import service as observations
from app.observations.presenters import FigureRenderer
from app.observations.schemas import (
    FigureList,
    History,
    Revision,
    RevisionLinks,
    StoredFigure,
    WriteAnswer,
    WriteCounts,
)
from app.observations.service import Observation
from app.shared import refcache
from app.shared.rendering import json_bytes, to_json

router = APIRouter(prefix="/v1/observations", tags=["observations"])

# A page of at most this many figures is a short read, run on the event loop: on SQLite
# through a session (`in_read_session`), about 1 ms for a full page, where the hand-off
# to a thread and back cost 0.28 ms of a 1 ms read of a few figures; on Postgres through
# the worker's asyncpg pool (`_page_without_session`).
SHORT_PAGE = 100

ObservationId = Annotated[int, Path(ge=1, le=MAX_FIGURE_ID, description="Figure id.", examples=[1])]


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
    return await figure_page(request, filters, page, negotiate(request, format))


async def figure_page(
    request: Request, filters: ListFilters, page: Page, output: Format
) -> Response:
    """A page of the figure list: the operation's work, which `app.api.list_reads` runs
    in front of the router too."""
    if page.limit <= SHORT_PAGE:
        try:
            return await _page_without_session(request, filters, page, output)
        except LookupError:
            pass  # the session's read answers

    def answer(session: Session) -> Response:
        criteria = filters.criteria(session)
        rows = observations.page(session, criteria, page.after_id(MAX_FIGURE_ID), page.limit + 1)
        return _page_answer(request, FigureRenderer(session), rows, page, output)

    return await in_read_session(request, answer, short=page.limit <= SHORT_PAGE)


async def _page_without_session(
    request: Request, filters: ListFilters, page: Page, output: Format
) -> Response:
    """A short page read on the event loop with no ORM session: on Postgres through the
    worker's asyncpg pool (no thread), on SQLite on the worker's own read-only
    connection; with the codes and references this process already holds. A session's
    checkout, transaction and close cost more than the read (on SQLite, 0.3 of a seeded
    page's 0.5 ms), and a hand-off to a thread and back as much again. `LookupError`
    where any of that is missing: the session's read answers."""
    state = runtime(request)
    reads = state.stored_reads
    store = state.sessions.read_bind  # what the caches of the read sessions' store key on
    criteria = filters.known_criteria(store)
    after = page.after_id(MAX_FIGURE_ID)
    rows: Sequence[Sequence[Any]]
    if reads.postgres:
        keys = refcache.for_engine(store).keys
        rows = await observations.narrow_page(reads.pool(), keys, criteria, after, page.limit + 1)
    else:
        rows = observations.page_sqlite(reads.sqlite_connection(), criteria, after, page.limit + 1)
    return _page_answer(request, FigureRenderer.in_memory(store), rows, page, output)


def _page_answer(
    request: Request,
    renderer: FigureRenderer,
    rows: Sequence[Sequence[Any]],
    page: Page,
    output: Format,
) -> Response:
    # Rendered from the rows as `FigureList` renders (no model per figure).
    figures = renderer.plain_rows(rows[: page.limit])
    next_after = str(figures[-1]["id"]) if len(rows) > page.limit else None
    links, headers = page_links(request, next_after)
    if output is Format.CSV:
        body = figures_rows("data", figures)
    else:
        body = json_bytes({"data": figures, "links": links.model_dump(mode="python")})
    return respond_with(request, body, output, headers=headers)


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


FIGURE_PROBLEMS = problem_responses({404: "No such figure", 406: "Not acceptable"})


async def _about_figure(
    request: Request,
    observation_id: int,
    format: Format | None,
    render: Callable[[Session, Observation], BaseModel],
) -> Response:
    """One stored figure's answer: `render` shapes it (a 404 when there is no such id)."""
    output = negotiate(request, format)

    def answer(session: Session) -> Response:
        return respond(request, render(session, _stored(session, observation_id)), output)

    return await in_read_session(request, answer)


@router.get(
    "/{observation_id:id}",
    summary="One stored figure",
    response_model=StoredFigure,
    responses=FIGURE_PROBLEMS,
)
async def get_observation(
    request: Request, observation_id: ObservationId, format: FormatQuery = None
) -> Response:
    return await _about_figure(request, observation_id, format, _stored_figure)


def _stored_figure(session: Session, row: Observation) -> StoredFigure:
    latest = row if row.valid_to is None else observations.history(session, row)[-1]
    figure = FigureRenderer(session).row(row)
    return StoredFigure(
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


def _stored(session: Session, observation_id: int) -> Observation:
    row = observations.stored(session, observation_id)
    if row is None:
        raise NotFoundError(f"No figure has the id {observation_id}.")
    return row


WRITE_PROBLEMS = write_problems(
    {
        409: "Idempotency-Key reused with another body, a source slug taken, or other "
        "writers kept changing the same figures (retry)",
        413: "Body over the size limit",
        415: "Body is not JSON",
        422: "Invalid figures: every bad row, with its index, field and reason",
    },
    unchanged="Every figure was already stored as sent",
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
    responses=FIGURE_PROBLEMS,
)
async def get_history(
    request: Request, observation_id: ObservationId, format: FormatQuery = None
) -> Response:
    return await _about_figure(request, observation_id, format, _history)


def _history(session: Session, row: Observation) -> History:
    factory = FigureRenderer(session)
    rows = observations.history(session, row)
    return History(revisions=[_revision(factory, item) for item in rows])


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
    responses=WRITE_PROBLEMS,
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
    responses=write_problems(
        {
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
