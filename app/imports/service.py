"""Bulk import: stream a CSV file, check every row, write all of it or nothing."""

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
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
from app.imports.layouts import BREAKDOWN, BaciLayout, ComtradeLayout, Layout, LeftOut, detect
from app.imports.models import ImportedFile
from app.observations.staging import StagedWrite
from app.observations.staging.partitions import BulkLoad, UnstageableError
from app.observations.validation import NewFigure, ReferenceData
from app.shared.vocabulary import COMTRADE_HS_VERSIONS
from app.sources import repository as sources_repository

T = TypeVar("T")

WRITE_BATCH = 5_000
MAX_FIELD = 100_000  # characters in one CSV field
MAX_LINE_BYTES = 1_048_576  # bytes in one line of the file
# A file this bad is not worth reading to its end: the count stops here.
MAX_COUNTED_ERRORS = 10_000
# A compressed file may inflate to at most this many times its own size: real CSV
# compresses 5 to 20 times, a file of blank lines a thousand times.
MAX_COMPRESSION_RATIO = 100


@dataclass
class ImportReport:
    layout: str | None = None
    encoding: str | None = None  # as the file was read: utf-8, utf-16 or windows-1252
    rows: int = 0
    figures: int = 0
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Rows that are not figures of ours by design (breakdowns), by reason.
    left_out: dict[str, int] = field(default_factory=dict)
    # Bad rows left out and the rest imported (asked for: `skip_bad_rows`); else 0.
    skipped: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)

    def as_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "encoding": self.encoding,
            "rows": self.rows,
            "figures": self.figures,
            "added": self.added,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "error_count": self.error_count,
            "errors": self.errors,
            "left_out": self.left_out,
            "skipped": self.skipped,
        }

    @property
    def whole(self) -> bool:
        """Whether every row of the file was read as a figure (or figures)."""
        return not (self.left_out or self.skipped)


@dataclass(frozen=True)
class Choices:
    """What an import is asked to do beyond the default (every row a figure, or nothing)."""

    skip_bad_rows: bool = False  # import the good rows, list the bad ones
    refuse_breakdowns: bool = False  # a Comtrade breakdown row is a bad row, not left out
    # The HS version the file's commodity codes are in (HS92 ... HS22), recorded on the
    # source; a BACI file needs it.
    classification: str | None = None


def failure_title(report: ImportReport) -> str:
    """One sentence on a failed import: its bad rows, or why no row could be read."""
    if not report.rows and report.error_count == 1:
        return f"The file cannot be imported: {report.errors[0]['reason']}. Nothing was imported."
    return f"{report.error_count} bad rows; nothing was imported."


class ImportFailedError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.error_count} bad rows")
        self.report = report


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
    choices: Choices = Choices(),
) -> "StagedImport":
    """Read, check and copy a whole file into a temporary table, in the session's
    transaction; `StagedImport.merge` then writes it. Raises ImportFailedError (nothing
    kept) on bad rows.

    Plain or gzip-compressed, comma, semicolon or tab separated, with or without a BOM;
    UTF-8, UTF-16 or Windows-1252 (`files.open_upload`).
    """
    job = _Import(session, source_id, error_limit, on_progress, choices)
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
    job = _Import(session, source_id, error_limit, on_progress, choices)
    opened = _opened(binary, max_inflated_bytes)
    return _staged_rows(job, opened, partial(_rows, delimiter=opened.delimiter), recorded_by)


def _staged_rows(
    job: "_Import",
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
    job: "_Import", opened: OpenedFile, recorded_by: str | None
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
        job.layout = _as_comtrade(layout)
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


def _as_comtrade(layout: Layout) -> ComtradeLayout | None:
    """The Comtrade reading of a layout (BACI's rows are read as Comtrade rows)."""
    if isinstance(layout, BaciLayout):
        return layout.as_comtrade
    return layout if isinstance(layout, ComtradeLayout) else None


class StagedImport:
    """A checked file in a temporary table of its connection, ready to merge."""

    def __init__(self, job: "_Import", staged: StagedWrite | BulkLoad) -> None:
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


class _Import:
    def __init__(
        self,
        session: Session,
        source_id: int | None,
        error_limit: int,
        on_progress: Callable[[], None] | None,
        choices: Choices,
    ) -> None:
        self.session = session
        self.source_id = source_id
        self.choices = choices
        self.error_limit = error_limit
        self.on_progress = on_progress
        self.report = ImportReport()
        self.refs = ReferenceData(session)
        # The layout the file was read in, and the HS version its figures are in.
        self.layout: ComtradeLayout | None = None
        self.classification: str | None = None
        self.pending: list[NewFigure] = []
        self.seen: dict[bytes, int] = {}  # digest of a figure's natural key -> its line

    def fail(self, line: int, column: str | None, reason: str) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < self.error_limit:
            self.report.errors.append({"line": line, "column": column, "reason": reason})

    def _layout(self, first: tuple[int, list[str] | str] | None) -> tuple[Layout, list[str]]:
        if first is None or isinstance(first[1], str):
            self.fail(1, None, "the file is empty" if first is None else str(first[1]))
            raise ImportFailedError(self.report)
        header = [name.strip() for name in first[1]]
        layout = detect(
            header, self.refs, self.source_id, refuse_breakdowns=self.choices.refuse_breakdowns
        )
        if isinstance(layout, str):
            self.fail(1, None, layout)
            raise ImportFailedError(self.report)
        problem = self.problem_before_rows(layout)
        if problem is not None:
            self.fail(1, None, problem)
            raise ImportFailedError(self.report)
        self.report.layout = layout.name
        self.layout = _as_comtrade(layout)
        return layout, header

    def settle_classification(self) -> None:
        """The HS version the file's figures are in: as declared, or as a UN Comtrade
        file's classificationCode says it (one version for the whole file); a declared
        version the file contradicts, or one its source holds another of, is refused."""
        declared = self.choices.classification
        codes = self.layout.classifications if self.layout is not None else set()
        found = {COMTRADE_HS_VERSIONS[code].value for code in codes if code in COMTRADE_HS_VERSIONS}
        if declared is not None and found and found != {declared}:
            self.fail(
                1,
                "classificationCode",
                f"the file's rows are in {', '.join(sorted(found))}, not {declared}: "
                "drop --classification (classification=), or give the file's own",
            )
            raise ImportFailedError(self.report)
        self.classification = declared or (found.pop() if len(found) == 1 else None)
        if self.classification is None or self.source_id is None:
            return
        held = sources_repository.classification_of(self.session, self.source_id)
        if held is not None and held != self.classification:
            self.fail(
                1,
                None,
                f"source {self.source_id} holds figures in {held}; this file is in "
                f"{self.classification}: give it a source of its own",
            )
            raise ImportFailedError(self.report)

    def problem_before_rows(self, layout: Layout) -> str | None:
        """What the import lacks to read this file at all, said before any row is read."""
        if layout.name in ("comtrade", "baci") and self.source_id is None:
            what = "a UN Comtrade" if layout.name == "comtrade" else "a BACI"
            return (
                f"{what} file names no source: pass the id of the source of its figures "
                "(--source N, or ?source=N over HTTP; GET /v1/sources lists them)"
            )
        if layout.name == "baci" and self.choices.classification is None:
            return (
                "a BACI file needs the HS version it is in: --classification HS92 ... HS22 "
                "(or ?classification= over HTTP); the CLI reads it from a file name such as "
                "BACI_HS17_Y2019_V202401.csv"
            )
        # A version its source holds another of is refused once the file is read
        # (`settle_classification`), as is a version the file's own rows contradict.
        return None

    def stage(
        self, rows: Iterator[tuple[int, list[str] | str]], *, recorded_by: str | None
    ) -> StagedWrite:
        layout, header = self._layout(next(rows, None))
        staged = StagedWrite(self.session, recorded_by=recorded_by).__enter__()
        for line, cells in rows:
            self._row(line, cells, layout, header)
            if self.report.error_count >= MAX_COUNTED_ERRORS:
                self.report.errors.append(
                    {
                        "line": line,
                        "column": None,
                        "reason": f"reading stopped here, at {MAX_COUNTED_ERRORS} bad rows",
                    }
                )
                raise ImportFailedError(self.report)
            if len(self.pending) >= WRITE_BATCH and self._keeping:
                staged.add(self.pending)
                self.pending.clear()
        if self.report.error_count and not self.choices.skip_bad_rows:
            raise ImportFailedError(self.report)
        for reason, count in layout.dropped.items():
            self.report.left_out[reason] = self.report.left_out.get(reason, 0) + count
        staged.add(self.pending)
        self.pending.clear()
        return staged

    def _row(self, line: int, cells: list[str] | str, layout: Layout, header: list[str]) -> None:
        if self.on_progress is not None:
            self.on_progress()
        self.report.rows += 1
        if isinstance(cells, str):
            self._bad_row(line, [(None, cells)])
            return
        if len(cells) != len(header):
            self._bad_row(line, [(None, f"has {len(cells)} fields; the header has {len(header)}")])
            return
        outcome = layout.figures(dict(zip(header, cells, strict=True)))
        if isinstance(outcome, LeftOut):
            left_out = self.report.left_out
            left_out[outcome.reason] = left_out.get(outcome.reason, 0) + 1
            return
        problems: list[tuple[str | None, str]] = []
        figures: list[tuple[bytes, NewFigure]] = []
        for item in outcome:
            if not isinstance(item, NewFigure):
                problems.append((item.column, item.reason))
                continue
            digest = hashlib.blake2b(repr(item.natural_key).encode(), digest_size=16).digest()
            if digest in self.seen:
                problems.append((None, f"repeats the figure of line {self.seen[digest]}"))
                continue
            figures.append((digest, item))
        if problems:
            self._bad_row(line, problems)
            return
        for digest, item in figures:
            self.seen[digest] = line
            self.report.figures += 1
            if self._keeping:
                self.pending.append(item)

    @property
    def _keeping(self) -> bool:
        """Whether the figures read go on to the store: none once a row was bad, unless
        bad rows are skipped."""
        return self.choices.skip_bad_rows or not self.report.error_count

    def _bad_row(self, line: int, problems: list[tuple[str | None, str]]) -> None:
        """A row none of whose figures is imported: each problem listed with its line."""
        for column, reason in problems:
            self.fail(line, column, reason)
        if self.choices.skip_bad_rows:
            self.report.skipped += 1
