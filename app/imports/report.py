"""What an import was asked to do (`Choices`) and what it did (`ImportReport`)."""

from dataclasses import dataclass, field
from typing import Any


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


DEFAULT_CHOICES = Choices()


def failure_title(report: ImportReport) -> str:
    """One sentence on a failed import: its bad rows, or why no row could be read."""
    if not report.rows and report.error_count == 1:
        return f"The file cannot be imported: {report.errors[0]['reason']}. Nothing was imported."
    return f"{report.error_count} bad rows; nothing was imported."


class ImportFailedError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.error_count} bad rows")
        self.report = report
