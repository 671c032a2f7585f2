"""POST /v1/imports: a CSV file in either layout, streamed, all or nothing."""

import tempfile
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.auth import WriterDep
from app.api.deps import WriteSessionDep
from app.bodies import limited_stream, require_media_type
from app.errors import InvalidParameterError, problem_responses
from app.imports import service
from app.imports.files import MAX_INFLATION
from app.imports.service import ImportFailedError
from app.paging import MAX_ID
from app.schemas import ApiModel
from app.settings import Settings, settings_of

router = APIRouter(prefix="/v1/imports", tags=["imports"])

SPOOL_IN_MEMORY = 8 * 1024 * 1024


class RowError(ApiModel):
    line: int
    column: str | None
    reason: str


class ImportSummary(ApiModel):
    layout: str | None
    rows: int
    figures: int
    added: int
    revised: int
    unchanged: int
    changed: bool
    error_count: int
    errors: list[RowError]


# What an upload may be sent as; the content itself decides how it is read.
IMPORT_MEDIA_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "application/gzip",
    "application/x-gzip",
)


def _run(
    session: Session, spool: IO[bytes], source: int | None, key_name: str, settings: Settings
) -> dict[str, Any]:
    try:
        report = service.run(
            session,
            spool,
            source_id=source,
            recorded_by=key_name,
            error_limit=settings.import_error_limit,
            max_inflated_bytes=settings.import_max_bytes * MAX_INFLATION,
        )
    except ImportFailedError as failure:
        report = failure.report
        raise InvalidParameterError(
            f"{report.error_count} bad rows; nothing was imported.",
            errors=[
                {
                    "location": f"line {e['line']}",
                    "line": e["line"],
                    "column": e["column"],
                    "message": e["reason"],
                    "type": "row",
                }
                for e in report.errors
            ],
            extra={"summary": report.as_dict()},
        ) from None
    finally:
        spool.close()
    return report.as_dict()


@router.post(
    "",
    summary="Import a CSV file (tradestats or UN Comtrade layout); needs a write key",
    description="Comma, semicolon or tab separated, with or without a byte-order mark, "
    "plain or gzip-compressed (as UN Comtrade's bulk downloads are): detected from the "
    "file. Every row or none is imported.",
    response_model=ImportSummary,
    status_code=201,
    responses={
        200: {"description": "Every figure was already stored as in the file"},
        **problem_responses(
            {
                401: "No valid API key",
                403: "Key revoked or without the write scope",
                413: "File over the size limit",
                415: "Body is not CSV, TSV or gzip",
                422: "Bad rows: each with its line, column and reason; nothing imported",
            }
        ),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in IMPORT_MEDIA_TYPES
            },
        }
    },
)
async def post_import(
    request: Request,
    session: WriteSessionDep,
    key: WriterDep,
    source: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="Source of every figure in a UN Comtrade file (the tradestats layout "
            "names its source per row).",
            examples=[1],
        ),
    ] = None,
) -> Response:
    require_media_type(request, *IMPORT_MEDIA_TYPES)
    settings = settings_of(request.app)
    limit = settings.import_max_bytes
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        async for chunk in limited_stream(request, limit):
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    summary = await run_in_threadpool(_run, session, spool, source, key.name, settings)
    status = 201 if summary["changed"] else 200
    return Response(
        ImportSummary(**summary).model_dump_json(),
        status_code=status,
        media_type="application/json",
    )
