"""Bulk import: stream a CSV file, check every row, write all of it or nothing."""

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from app.imports.layouts import detect
from app.observations import revisions
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


def _rows(text: IO[str]) -> Iterator[tuple[int, list[str] | str]]:
    """(line, cells) per record, or (line, reason) where the text cannot be read."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield reader.line_num + 1, "the file is not UTF-8 text"
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
    now: datetime,
    error_limit: int,
    on_progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import in the session's transaction; raise ImportFailedError (nothing kept) on bad rows."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="", errors="strict")
    try:
        return _run(session, text, source_id, recorded_by, now, error_limit, on_progress)
    finally:
        text.detach()  # the caller owns (and closes) the binary file


def _run(
    session: Session,
    text: IO[str],
    source_id: int | None,
    recorded_by: str | None,
    now: datetime,
    error_limit: int,
    on_progress: Callable[[], None] | None,
) -> ImportReport:
    report = ImportReport()
    refs = ReferenceData(session)
    rows = _rows(text)

    def fail(line: int, column: str | None, reason: str) -> None:
        report.error_count += 1
        if len(report.errors) < error_limit:
            report.errors.append({"line": line, "column": column, "reason": reason})

    first = next(rows, None)
    if first is None or isinstance(first[1], str):
        fail(1, None, "the file is empty" if first is None else str(first[1]))
        raise ImportFailedError(report)
    header = [name.strip() for name in first[1]]
    layout = detect(header, refs, source_id)
    if isinstance(layout, str):
        fail(1, None, layout)
        raise ImportFailedError(report)
    report.layout = layout.name
    if layout.name == "comtrade" and source_id is None:
        fail(1, None, "a UN Comtrade file needs the id of the source the figures come from")
        raise ImportFailedError(report)
    pending: list[NewFigure] = []
    seen: dict[bytes, int] = {}
    for line, cells in rows:
        if on_progress is not None:
            on_progress()
        report.rows += 1
        if isinstance(cells, str):
            fail(line, None, cells)
            continue
        if len(cells) != len(header):
            fail(line, None, f"has {len(cells)} fields; the header has {len(header)}")
            continue
        outcome = layout.figures(dict(zip(header, cells, strict=True)))
        if outcome and not isinstance(outcome[0], NewFigure):
            for problem in outcome:
                fail(line, problem.column, problem.reason)
            continue
        for figure in outcome:
            assert isinstance(figure, NewFigure)
            digest = hashlib.blake2b(repr(figure.natural_key).encode(), digest_size=16).digest()
            if digest in seen:
                fail(line, None, f"repeats the figure of line {seen[digest]}")
                continue
            seen[digest] = line
            report.figures += 1
            if not report.error_count:
                pending.append(figure)
        if len(pending) >= WRITE_BATCH and not report.error_count:
            _flush(session, refs, pending, report, recorded_by, now)
    if report.error_count:
        raise ImportFailedError(report)
    _flush(session, refs, pending, report, recorded_by, now)
    return report


def _flush(
    session: Session,
    refs: ReferenceData,
    pending: list[NewFigure],
    report: ImportReport,
    recorded_by: str | None,
    now: datetime,
) -> None:
    refs.create_new_commodities(session)
    summary = revisions.write(session, pending, recorded_by=recorded_by, now=now, exclusive=True)
    report.added += summary.added
    report.revised += summary.revised
    report.unchanged += summary.unchanged
    pending.clear()
