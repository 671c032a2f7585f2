"""Bulk import: stream a CSV file, check every row, write all of it or nothing."""

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy.orm import Session

from app.imports.files import UNREADABLE, open_upload, unreadable_reason
from app.imports.layouts import Layout, detect
from app.observations.staging import StagedWrite
from app.observations.validation import NewFigure, ReferenceData

WRITE_BATCH = 5_000
MAX_FIELD = 100_000  # characters in one CSV field


@dataclass
class ImportReport:
    layout: str | None = None
    rows: int = 0
    figures: int = 0
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)

    def as_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "rows": self.rows,
            "figures": self.figures,
            "added": self.added,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "error_count": self.error_count,
            "errors": self.errors,
        }


class ImportFailedError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.error_count} bad rows")
        self.report = report


def _rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(line, cells) per record, or (line, reason) where the text cannot be read."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield reader.line_num + 1, "the file is not UTF-8 text"
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


def run(
    session: Session,
    binary: IO[bytes],
    *,
    source_id: int | None,
    recorded_by: str | None,
    error_limit: int,
    max_inflated_bytes: int,
    on_progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import in the session's transaction; raise ImportFailedError (nothing kept) on bad rows.

    Plain or gzip-compressed, comma, semicolon or tab separated, with or without a BOM.
    """
    try:
        opened = open_upload(binary, max_inflated_bytes=max_inflated_bytes)
    except UNREADABLE as error:
        report = ImportReport(error_count=1)
        report.errors.append({"line": 1, "column": None, "reason": unreadable_reason(error)})
        raise ImportFailedError(report) from None
    text = io.TextIOWrapper(opened.binary, encoding="utf-8-sig", newline="", errors="strict")
    try:
        job = _Import(session, source_id, error_limit, on_progress)
        return job.run(_rows(text, opened.delimiter), recorded_by=recorded_by)
    finally:
        text.detach()  # the caller owns (and closes) the binary file


class _Import:
    def __init__(
        self,
        session: Session,
        source_id: int | None,
        error_limit: int,
        on_progress: Callable[[], None] | None,
    ) -> None:
        self.session = session
        self.source_id = source_id
        self.error_limit = error_limit
        self.on_progress = on_progress
        self.report = ImportReport()
        self.refs = ReferenceData(session)
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
        layout = detect(header, self.refs, self.source_id)
        if isinstance(layout, str):
            self.fail(1, None, layout)
            raise ImportFailedError(self.report)
        if layout.name == "comtrade" and self.source_id is None:
            self.fail(1, None, "a UN Comtrade file needs the id of the source of its figures")
            raise ImportFailedError(self.report)
        self.report.layout = layout.name
        return layout, header

    def run(
        self, rows: Iterator[tuple[int, list[str] | str]], *, recorded_by: str | None
    ) -> ImportReport:
        layout, header = self._layout(next(rows, None))
        with StagedWrite(self.session, recorded_by=recorded_by) as staged:
            for line, cells in rows:
                self._row(line, cells, layout, header)
                if len(self.pending) >= WRITE_BATCH and not self.report.error_count:
                    staged.add(self.pending)
                    self.pending.clear()
            if self.report.error_count:
                raise ImportFailedError(self.report)
            self.refs.create_new_commodities(self.session)
            staged.add(self.pending)
            summary = staged.merge()
        self.report.added = summary.added
        self.report.revised = summary.revised
        self.report.unchanged = summary.unchanged
        return self.report

    def _row(self, line: int, cells: list[str] | str, layout: Layout, header: list[str]) -> None:
        if self.on_progress is not None:
            self.on_progress()
        self.report.rows += 1
        if isinstance(cells, str):
            self.fail(line, None, cells)
            return
        if len(cells) != len(header):
            self.fail(line, None, f"has {len(cells)} fields; the header has {len(header)}")
            return
        outcome = layout.figures(dict(zip(header, cells, strict=True)))
        for item in outcome:
            if not isinstance(item, NewFigure):
                self.fail(line, item.column, item.reason)
                continue
            digest = hashlib.blake2b(repr(item.natural_key).encode(), digest_size=16).digest()
            if digest in self.seen:
                self.fail(line, None, f"repeats the figure of line {self.seen[digest]}")
                continue
            self.seen[digest] = line
            self.report.figures += 1
            if not self.report.error_count:
                self.pending.append(item)
