"""/v1/sources: where figures come from."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.auth import WriterDep, write_problems
from app.api.deps import SessionDep, WriteSessionDep
from app.core.errors import NotFoundError, problem_responses, validated_body
from app.core.settings import settings_of
from app.http.bodies import parse_json, read_body, require_media_type
from app.http.paging import MAX_ID, IdPageDep
from app.http.params import AsOfDep
from app.http.representation import (
    FormatQuery,
    negotiate,
    respond,
    respond_page,
)
from app.observations import service as observations
from app.observations.presenters import FigureRenderer
from app.observations.service import ObservationFilter
from app.relations import service as relations
from app.relations.schemas import RelationFactOut
from app.relations.service import present
from app.shared.rendering import to_json
from app.shared.schemas import Figure
from app.sources import service
from app.sources.schemas import SourceIn, SourceList, SourceOut
from app.sources.service import Source, citation, find_or_create

router = APIRouter(prefix="/v1/sources", tags=["sources"])


class SourceDetail(SourceOut):
    """A source with what it supports: a view across domains, so it lives here."""

    figures: list[Figure] = Field(description="Every figure this source supports")
    relation_facts: list[RelationFactOut]


MAX_SOURCE_FIGURES = 10_000


def _out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id,
        slug=source.slug,
        publisher=source.publisher,
        title=source.title,
        author=source.author,
        published_on=source.published_on,
        place=source.place,
        speaker=source.speaker,
        speaker_role=source.speaker_role,
        url=source.url,
        language=source.language,
        note=source.note,
        classification=source.classification,
        citation=citation(source),
    )


@router.get(
    "",
    summary="List sources",
    response_model=SourceList,
    responses=problem_responses({406: "Not acceptable", 422: "Bad paging"}),
)
def list_sources(
    request: Request, session: SessionDep, page: IdPageDep, format: FormatQuery = None
) -> Response:
    output = negotiate(request, format)
    rows = service.list_page(session, page.after_id(), page.limit + 1)
    items = [_out(row) for row in rows[: page.limit]]
    more = len(rows) > page.limit
    return respond_page(request, output, items, more, lambda item: str(item.id), SourceList)


@router.get(
    "/{source_id:id}",
    summary="One source with the figures and facts it supports",
    response_model=SourceDetail,
    responses=problem_responses({404: "No such source", 406: "Not acceptable"}),
)
def get_source(
    request: Request,
    session: SessionDep,
    source_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Source id.", examples=[1])],
    as_of: AsOfDep = None,
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    source = service.get(session, source_id)
    if source is None:
        raise NotFoundError(f"No source has the id {source_id}.")
    rows = observations.page(
        session, ObservationFilter(source_id=source_id, as_of=as_of), None, MAX_SOURCE_FIGURES
    )
    payload = SourceDetail(
        **dict(_out(source)),
        figures=FigureRenderer(session).rows(rows),
        relation_facts=present(session, list(relations.for_source(session, source_id))),
    )
    return respond(request, payload, output)


@router.post(
    "",
    status_code=201,
    summary="Add a source (idempotent by slug); needs a write key",
    response_model=SourceOut,
    responses=write_problems(
        {
            409: "The slug belongs to a source with other content",
            413: "Body over WRITE_BODY_MAX_BYTES",
            415: "Body is not JSON",
            422: "Invalid source",
        },
        unchanged="A source with this slug and content exists already",
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SourceIn"}}},
        }
    },
)
async def post_source(request: Request, session: WriteSessionDep, _key: WriterDep) -> Response:
    require_media_type(request, "application/json")
    body = await read_body(request, settings_of(request.app).write_body_max_bytes)
    incoming = validated_body(SourceIn, parse_json(body), "a source")
    return await run_in_threadpool(_created, session, incoming)


def _created(session: Session, incoming: SourceIn) -> Response:
    source, created = find_or_create(session, incoming)
    return Response(
        to_json(_out(source)),
        status_code=201 if created else 200,
        media_type="application/json",
        headers={"Location": f"/v1/sources/{source.id}"},
    )
