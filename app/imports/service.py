"""Bulk import: stream a CSV file, check every row, write all of it or nothing."""

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import partial
from typing import IO, Any, TypeVar

import pyarrow as pa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.core.db import write_session_on
from app.imports import api_json, columnar, known_files
from app.imports.files import (
    SAMPLE_BYTES,
    UNREADABLE,
    BadLineError,
    OpenedFile,
    open_upload,
    unreadable_reason,
)
from app.imports.job import ImportJob, as_comtrade
from app.imports.layouts import BREAKDOWN, BaciLayout, ComtradeLayout, detect
from app.imports.models import ImportedFile
from app.imports.report import DEFAULT_CHOICES
from app.imports.report import Choices as Choices
from app.imports.report import ImportFailedError as ImportFailedError
from app.imports.report import ImportReport as ImportReport
from app.imports.report import failure_title as failure_title
from app.observations.staging import StagedWrite
from app.observations.staging.partitions import BulkLoad, UnstageableError
from app.sources import repository as sources_repository

# Imported for what it registers: the marks on the answers stored beside the totals an
# import writes (`app.observations.changes`).
from app.trade import staleness as staleness

T = TypeVar("T")

MAX_FIELD = 100_000  # characters in one CSV field
MAX_LINE_BYTES = 1_048_576  # bytes in one line of the file
# A compressed file may inflate to at most this many times its own size: real CSV
# compresses 5 to 20 times, a file of blank lines a thousand times.
MAX_COMPRESSION_RATIO = 100


def _rows(text: IO[str], *, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(line, cells) per record, or (line, reason) where the text cannot be read."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except BadLineError as error:
            yield error.line, error.reason
            return
        except UNREADABLE as error:
            yield reader.line_num + 1, unreadable_reason(error)
            return
        except csv.Error as error:
            yield reader.line_num, f"unreadable CSV: {error}"
            if "field larger" not in str(error):
                return
            continue
        yield reader.line_num, cells


def stage(
    session: Session,
    binary: IO[bytes],
    *,
    source_id: int | None,
    recorded_by: str | None,
    error_limit: int,
    max_inflated_bytes: int,
    on_progress: Callable[[], None] | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> "StagedImport":
    """Read, check and copy a whole file into a temporary table, in the session's
    transaction; `StagedImport.merge` then writes it. Raises ImportFailedError (nothing
    kept) on bad rows.

    Plain or gzip-compressed, comma, semicolon or tab separated, with or without a BOM;
    UTF-8, UTF-16 or Windows-1252 (`files.open_upload`).
    """
    job = ImportJob(session, source_id, error_limit, on_progress, choices)
    opened = _opened(binary, max_inflated_bytes)
    start = opened.binary.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]  # type: ignore[attr-defined]
    if api_json.looks_like_json(start):
        # The API's answer is often one line of many megabytes: it is bounded by the
        # file's size alone.
        whole = _opened(binary, max_inflated_bytes, max_line_bytes=max_inflated_bytes)
        return _staged_rows(job, whole, api_json.rows, recorded_by)
    fast = _in_columns(job, opened, recorded_by)
    if fast is not None:
        return StagedImport(job, fast)
    # The row reader names every problem with its line: the file is read again from its start.
    job = ImportJob(session, source_id, error_limit, on_progress, choices)
    opened = _opened(binary, max_inflated_bytes)
    return _staged_rows(job, opened, partial(_rows, delimiter=opened.delimiter), recorded_by)


def _staged_rows(
    job: ImportJob,
    opened: OpenedFile,
    read: Callable[[IO[str]], Iterator[tuple[int, list[str] | str]]],
    recorded_by: str | None,
) -> "StagedImport":
    """The file staged by the row reader, its rows as `read` finds them in its text."""
    text = io.TextIOWrapper(opened.binary, encoding="utf-8-sig", newline="", errors="strict")
    try:
        return StagedImport(job, job.stage(read(text), recorded_by=recorded_by))
    finally:
        job.report.encoding = opened.encoding
        text.detach()  # the caller owns (and closes) the binary file


def _opened(
    binary: IO[bytes], max_inflated_bytes: int, *, max_line_bytes: int = MAX_LINE_BYTES
) -> OpenedFile:
    """The file from its first byte, inflated and checked as it is read; ImportFailedError
    when it cannot even be opened."""
    size = binary.seek(0, io.SEEK_END)
    binary.seek(0)
    try:
        return open_upload(
            binary,
            max_inflated_bytes=min(max_inflated_bytes, size * MAX_COMPRESSION_RATIO),
            max_line_bytes=max_line_bytes,
        )
    except (*UNREADABLE, BadLineError) as error:
        report = ImportReport(error_count=1)
        line, reason = (
            (error.line, error.reason)
            if isinstance(error, BadLineError)
            else (1, unreadable_reason(error))
        )
        report.errors.append({"line": line, "column": None, "reason": reason})
        raise ImportFailedError(report) from None


def _in_columns(
    job: ImportJob, opened: OpenedFile, recorded_by: str | None
) -> StagedWrite | BulkLoad | None:
    """The file staged by the columnar reader, or None when it cannot vouch for it."""
    try:
        header = columnar.header_of(opened)
    except UnicodeDecodeError:
        return None
    if header is None or job.source_id is None:
        return None
    layout = detect(
        header, job.refs, job.source_id, refuse_breakdowns=job.choices.refuse_breakdowns
    )
    if not isinstance(layout, BaciLayout | ComtradeLayout) or job.problem_before_rows(layout):
        return None  # the row reader says what is wrong
    # Postgres: straight into the table that becomes the figures' partition.
    staged: StagedWrite | BulkLoad = (
        BulkLoad(job.session, recorded_by=recorded_by)
        if job.session.get_bind().dialect.name == "postgresql"
        else StagedWrite(job.session, recorded_by=recorded_by).__enter__()
    )
    try:
        job.layout = as_comtrade(layout)
        reader = (
            columnar.BaciColumns(layout.as_comtrade, staged, job.source_id)
            if isinstance(layout, BaciLayout)
            else columnar.ComtradeColumns(layout, staged, job.source_id)
        )
        outcome = reader.read(opened, header, job.on_progress)
        staged.finish_copy()
        # What the reader's blocks held goes back to the system before the merge, whose
        # page cache then takes its place: the import's peak stays that of the reading.
        pa.default_memory_pool().release_unused()
    except (
        columnar.NotVouchedError,
        UnstageableError,
        pa.ArrowException,
        OSError,
        *UNREADABLE,
        BadLineError,
    ):
        staged.drop()
        return None
    except BaseException:
        # Anything else ends the import: the open COPY first, or the transaction's
        # rollback would meet a connection still in COPY mode.
        with suppress(Exception):
            staged.finish_copy()
        raise
    job.report.layout, job.report.encoding = layout.name, opened.encoding
    job.report.rows, job.report.figures = outcome.rows, outcome.figures
    if outcome.breakdowns:
        job.report.left_out[BREAKDOWN] = outcome.breakdowns
    return staged


class StagedImport:
    """A checked file in a temporary table of its connection, ready to merge."""

    def __init__(self, job: ImportJob, staged: StagedWrite | BulkLoad) -> None:
        self.job = job
        self.staged = staged
        try:
            job.settle_classification()
        except ImportFailedError:
            staged.drop()
            raise
        # The file's digest, set by `import_file`: a file whose every figure this merge
        # stores is remembered by it (`known_files`).
        self.digest: str | None = None

    @property
    def report(self) -> ImportReport:
        return self.job.report

    def discard(self, session: Session) -> None:
        """Merge nothing (a retry already answered): the staged figures go."""
        self.staged.move_to(session)
        self.staged.drop()

    def merge(self, session: Session) -> ImportReport:
        """Merge into the store in `session`'s transaction (a write session on the same
        connection); the caller commits."""
        self.staged.move_to(session)
        self.job.refs.create_new_commodities(session)
        classification = self.job.classification
        if classification is not None and self.job.source_id is not None:
            sources_repository.classify(session, self.job.source_id, classification)
        summary = self.staged.merge()
        self.staged.drop()
        report = self.job.report
        report.added, report.revised = summary.added, summary.revised
        report.unchanged = summary.unchanged
        stored = self.staged.stored_ids
        # A file some of whose rows were left out is read again next time: whether they
        # are depends on what the import is asked.
        whole = report.whole
        if self.digest is not None and stored is not None and not summary.unchanged and whole:
            known_files.remember(
                session,
                digest=self.digest,
                source_id=self.job.source_id,
                layout=report.layout or "",
                rows=report.rows,
                figures=report.figures,
                stored_ids=stored,
            )
        return report


class KnownImport:
    """A file imported before whose figures are all still current: merging it again
    changes nothing, so nothing is read or written."""

    def __init__(self, known: ImportedFile) -> None:
        self.report = ImportReport(
            layout=known.layout,
            rows=known.rows,
            figures=known.figures,
            unchanged=known.figures,
        )

    def discard(self, session: Session) -> None:
        """Nothing was staged."""

    def merge(self, session: Session) -> ImportReport:
        return self.report


Prepared = StagedImport | KnownImport


def _prepare(session: Session, binary: IO[bytes], digest: str, **options: Any) -> Prepared:
    known = known_files.find(session, digest, options.get("source_id"))
    if known is not None:
        return KnownImport(known)
    staged = stage(session, binary, **options)
    staged.digest = digest
    return staged


def import_file(
    connection: Connection,
    binary: IO[bytes],
    then: Callable[[Session, Prepared], T],
    **options: Any,
) -> T:
    """Stage a file, then `then(session, staged)` in the write transaction that merges it.
    A file imported before whose figures are all still current is not staged: `then`
    gets a `KnownImport`.

    No lock that other writers wait for is held while the file is read and checked:
    - SQLite: staging runs in a transaction of its own that writes only the temporary
      table, so the database's write lock is taken by the merge's transaction alone, on
      the same connection (the table lives with it).
    - Postgres: one transaction from staging to merge, so that nothing outlives it (a
      transaction pooler may stand between); the figures' locks come with the merge.
    """
    digest = known_files.digest_of(binary)
    if connection.dialect.name == "postgresql":
        with write_session_on(connection) as session, session.begin():
            return then(session, _prepare(session, binary, digest, **options))
    with Session(bind=connection) as session, session.begin():
        staged = _prepare(session, binary, digest, **options)
    try:
        with write_session_on(connection) as session, session.begin():
            return then(session, staged)
    finally:
        if isinstance(staged, StagedImport) and isinstance(staged.staged, StagedWrite):
            # Committed with the staging, the table would outlive a merge that failed, on
            # a connection that goes back to the pool.
            staged.staged.table.drop(connection, checkfirst=True)
            connection.commit()


def _merge(session: Session, staged: Prepared) -> ImportReport:
    return staged.merge(session)


def run(connection: Connection, binary: IO[bytes], **options: Any) -> ImportReport:
    """The whole import: stage, then merge."""
    return import_file(connection, binary, _merge, **options)
