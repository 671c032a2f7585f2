"""A file read row by row: each row checked as a figure and staged in batches, its bad
rows and left-out rows counted in the import's report."""

import hashlib
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from app.imports.layouts import BaciLayout, ComtradeLayout, Layout, LeftOut, detect
from app.imports.report import Choices, ImportFailedError, ImportReport
from app.observations.staging import StagedWrite
from app.observations.validation import NewFigure, ReferenceData
from app.shared.vocabulary import COMTRADE_HS_VERSIONS
from app.sources import repository as sources_repository

# A file this bad is not worth reading to its end: the count stops here.
MAX_COUNTED_ERRORS = 10_000
WRITE_BATCH = 5_000


class ImportJob:
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
        self.layout = as_comtrade(layout)
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


def as_comtrade(layout: Layout) -> ComtradeLayout | None:
    """The Comtrade reading of a layout (BACI's rows are read as Comtrade rows)."""
    if isinstance(layout, BaciLayout):
        return layout.as_comtrade
    return layout if isinstance(layout, ComtradeLayout) else None
