"""POST /v1/imports: a CSV file in either layout, streamed, all or nothing (or the good
rows, when asked)."""

import tempfile
from dataclasses import dataclass
from functools import partial
from typing import IO, Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.auth import WriterDep, write_problems
from app.api.deps import runtime
from app.api.idempotent import IdempotencyKeyHeader, replayed
from app.auth import idempotency
from app.auth.service import ApiKey
from app.core.db import read_session_on
from app.core.errors import InvalidParameterError
from app.core.settings import Settings, settings_of
from app.http.admission import SPOOLED_BODY
from app.http.bodies import limited_stream, require_media_type
from app.http.paging import MAX_ID
from app.imports import service
from app.imports.files import MAX_INFLATION
from app.imports.service import ImportFailedError
from app.shared.schemas import ApiModel
from app.shared.vocabulary import HsVersion

router = APIRouter(prefix="/v1/imports", tags=["imports"])

SPOOL_IN_MEMORY = 8 * 1024 * 1024
SPOOL_CHUNK = 1024 * 1024


class RowError(ApiModel):
    line: int
    column: str | None
    reason: str


class ImportSummary(ApiModel):
    layout: str | None = Field(description="tradestats, comtrade or baci")
    encoding: str | None = Field(description="As the file was read: utf-8, utf-16 or windows-1252")
    rows: int
    figures: int
    added: int
    revised: int
    unchanged: int
    changed: bool
    error_count: int
    errors: list[RowError]
    left_out: dict[str, int] = Field(
        description="What is no figure of ours by design, by reason: UN Comtrade's "
        "breakdown rows (the row of the totals is the figure), and quantities in a unit "
        "outside UN Comtrade's list (the rest of their row is kept)"
    )
    skipped: int = Field(description="Bad rows left out with skip_bad_rows; they are in `errors`")


# What an upload may be sent as; the content itself decides how it is read.
IMPORT_MEDIA_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "application/gzip",
    "application/x-gzip",
    "application/json",  # UN Comtrade's API answer, {"data": [...]}
)


@dataclass(frozen=True)
class _Upload:
    spool: IO[bytes]
    source: int | None
    choices: service.Choices
    key: ApiKey
    idempotency_key: str | None
    digest: idempotency.RequestDigest  # fed the file only when an Idempotency-Key asks


def _run(engine: Engine, upload: _Upload, settings: Settings) -> Response:
    try:
        with engine.connect() as connection:
            if upload.idempotency_key is not None:
                with read_session_on(connection) as session, session.begin():
                    answer = idempotency.stored(
                        session, upload.key.id, upload.idempotency_key, _fingerprint(upload)
                    )
                if answer is not None:
                    return replayed(answer)  # a retry: the file is not read again
            return service.import_file(
                connection,
                upload.spool,
                partial(_merged, upload=upload),
                source_id=upload.source,
                recorded_by=upload.key.name,
                error_limit=settings.import_error_limit,
                max_inflated_bytes=settings.import_max_bytes * MAX_INFLATION,
                choices=upload.choices,
            )
    except ImportFailedError as failure:
        raise _bad_rows(failure.report) from None
    finally:
        upload.spool.close()


def _merged(session: Session, staged: service.Prepared, *, upload: _Upload) -> Response:
    record = None
    if upload.idempotency_key is not None:
        claimed = idempotency.claim(
            session, upload.key.id, upload.idempotency_key, upload.digest.hexdigest()
        )
        if isinstance(claimed, idempotency.StoredAnswer):
            staged.discard(session)  # the file was staged again for nothing: merge none of it
            return replayed(claimed)
        record = claimed
    summary = staged.merge(session).as_dict()
    status = 201 if summary["changed"] else 200
    content = ImportSummary(**summary).model_dump_json().encode()
    if record is not None:
        idempotency.remember(record, status, content)
    return Response(content, status_code=status, media_type="application/json")


def _bad_rows(report: service.ImportReport) -> InvalidParameterError:
    return InvalidParameterError(
        service.failure_title(report),
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
    )


@router.post(
    "",
    summary="Import a CSV file (tradestats, UN Comtrade or CEPII BACI layout); needs a write key",
    description="Comma, semicolon or tab separated, with or without a byte-order mark, "
    "plain or gzip-compressed (as UN Comtrade's bulk downloads are): detected from the "
    "file, as is the encoding (UTF-8, UTF-16 or Windows-1252); UN Comtrade's API answer "
    '(JSON, `{"data": [...]}`) is read record by record, a record\'s `line` its place in '
    "`data`. CEPII's BACI (`t,i,j,k,v,q`) is stored as exports in USD (its `v` is in "
    "thousands) and tonnes, with its HS version (`classification`). Every row or none is "
    "imported, unless `skip_bad_rows`. UN Comtrade's breakdown rows (by mode of transport, "
    "customs procedure or second partner) are left out and counted in `left_out`, unless "
    "`refuse_breakdowns`.",
    response_model=ImportSummary,
    status_code=201,
    responses=write_problems(
        {
            409: "Idempotency-Key already used with another file",
            413: "File over the size limit",
            415: "Body is not CSV, TSV, gzip or JSON",
            422: "Bad rows: each with its line, column and reason; nothing imported",
        },
        unchanged="Every figure was already stored as in the file",
    ),
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
    skip_bad_rows: Annotated[
        bool,
        Query(
            description="Import the good rows; the bad ones are listed in `errors` with "
            "their lines, and counted in `skipped`. Default: all or nothing.",
            examples=[True],
        ),
    ] = False,
    refuse_breakdowns: Annotated[
        bool,
        Query(
            description="A UN Comtrade breakdown row is a bad row, not left out.",
            examples=[True],
        ),
    ] = False,
    classification: Annotated[
        HsVersion | None,
        Query(
            description="The HS version the file's commodity codes are in, recorded on "
            "the source (a source holds one). Needed for a BACI file.",
            examples=["HS17"],
        ),
    ] = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    require_media_type(request, *IMPORT_MEDIA_TYPES)
    settings = settings_of(request.app)
    # The admission gate has spooled the body already; a copy only where it has not.
    spool = request.scope.get("state", {}).get(SPOOLED_BODY)
    if spool is None:
        spool = await _spooled(request, settings.import_max_bytes)
    spool.seek(0)
    choices = service.Choices(
        skip_bad_rows=skip_bad_rows,
        refuse_breakdowns=refuse_breakdowns,
        classification=None if classification is None else classification.value,
    )
    digest = idempotency.RequestDigest(
        "POST",
        f"{request.url.path}?source={source}&skip_bad_rows={skip_bad_rows}"
        f"&refuse_breakdowns={refuse_breakdowns}&classification={classification}",
    )
    upload = _Upload(spool, source, choices, key, idempotency_key, digest)
    return await run_in_threadpool(_run, runtime(request).engine, upload, settings)


async def _spooled(request: Request, limit: int) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        async for chunk in limited_stream(request, limit):
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _fingerprint(upload: _Upload) -> str:
    """The request's fingerprint over the whole file, read once more from the spool."""
    while chunk := upload.spool.read(SPOOL_CHUNK):
        upload.digest.update(chunk)
    upload.spool.seek(0)
    return upload.digest.hexdigest()
