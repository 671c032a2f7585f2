"""/v1/sources: where figures come from."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.db import SessionDep
from app.errors import InvalidParameterError, NotFoundError, problem_responses
from app.observations import repository as observations
from app.observations.figures import FigureFactory
from app.observations.repository import ObservationFilter
from app.paging import PageDep, page_links
from app.relations import repository as relations
from app.relations.service import present
from app.representation import FormatQuery, figures_csv, items_csv, negotiate, respond
from app.sources import repository
from app.sources.models import Source
from app.sources.schemas import SourceDetail, SourceList, SourceOut
from app.sources.service import citation

router = APIRouter(prefix="/v1/sources", tags=["sources"])

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
        citation=citation(source),
    )


@router.get(
    "",
    summary="List sources",
    response_model=SourceList,
    responses=problem_responses({406: "Not acceptable", 422: "Bad paging"}),
)
def list_sources(
    request: Request, session: SessionDep, page: PageDep, format: FormatQuery = None
) -> Response:
    output = negotiate(request, format)
    after = None
    if page.after is not None:
        if not page.after.isdigit() or len(page.after) > 12:
            raise InvalidParameterError(
                "after must be the id of the last source of the previous page (digits).",
                errors=[{"location": "query.after", "message": "not an id", "type": "format"}],
            )
        after = int(page.after)
    rows = repository.list_page(session, after, page.limit + 1)
    items = [_out(row) for row in rows[: page.limit]]
    next_after = str(items[-1].id) if len(rows) > page.limit else None
    links, headers = page_links(request, next_after)
    payload = SourceList(data=items, links=links)
    return respond(request, payload, output, csv_body=items_csv(items, SourceOut), headers=headers)


@router.get(
    "/{source_id}",
    summary="One source with the figures and facts it supports",
    response_model=SourceDetail,
    responses=problem_responses({404: "No such source", 406: "Not acceptable"}),
)
def get_source(
    request: Request,
    session: SessionDep,
    source_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="Source id.", examples=[1])],
    format: FormatQuery = None,
) -> Response:
    output = negotiate(request, format)
    source = repository.get(session, source_id)
    if source is None:
        raise NotFoundError(f"No source has the id {source_id}.")
    rows = observations.list_page(
        session, ObservationFilter(source_id=source_id), None, MAX_SOURCE_FIGURES
    )
    factory = FigureFactory(session)
    factory.load(rows)
    payload = SourceDetail(
        **dict(_out(source)),
        figures=[factory.figure(row) for row in rows],
        relation_facts=present(session, list(relations.for_source(session, source_id))),
    )
    return respond(request, payload, output, csv_body=figures_csv(payload))
