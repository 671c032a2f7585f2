"""Period grammar: parse SDMX/ISO-style labels into date ranges and back.

Accepted forms (case-insensitive):
  2018          a calendar year
  2018-S1       a half year (S1, S2)
  2018-Q3       a quarter (Q1..Q4)
  2018-09       a month, also written 2018-M09
  A/B           an inclusive interval from the start of A to the end of B,
                where A and B are any of the forms above (2018-01/2018-09)

Canonical labels are the shortest form that covers exactly the same days.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MIN_YEAR = 1900
MAX_YEAR = 2100

ACCEPTED_FORMS = (
    "YYYY (2018)",
    "YYYY-S1..S2 (2018-S1)",
    "YYYY-Q1..Q4 (2018-Q3)",
    "YYYY-MM or YYYY-Mmm (2018-09, 2018-M09)",
    "START/END, an inclusive interval of the forms above (2018-01/2018-09)",
)

# ASCII digits only, as every read's pattern: Python's \d also takes Arabic-Indic and
# full-width digits, which a write would then store and no read could ask for.
_SINGLE = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<half>S[12])|(?P<quarter>Q[1-4])|M?(?P<month>\d{2})))?$",
    re.ASCII,
)


class PeriodError(ValueError):
    """The text is not a period this grammar accepts."""


class EmptyPeriodError(PeriodError):
    """A well-formed interval that ends before it starts."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return _label(self.start, self.end)

    def overlaps(self, other: "Period") -> bool:
        """Whether the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def contains(self, other: "Period") -> bool:
        """Whether every day of `other` lies in this period."""
        return self.start <= other.start and other.end <= self.end

    def shifted_years(self, years: int) -> "Period":
        """The same months `years` later (negative: earlier)."""
        return Period(
            date(self.start.year + years, self.start.month, 1),
            _month_end(self.end.year + years, self.end.month),
        )

    def years_before(self, other: "Period") -> bool:
        """Whether this period is `other`'s same months a whole number of years earlier:
        the like-for-like base of a comparison."""
        years = other.start.year - self.start.year
        return years > 0 and self.shifted_years(years) == other

    @property
    def span(self) -> str:
        """The kind of period, for series of like periods: A (calendar year), S, Q, M, the
        months of a part-year interval (01/09 for January-September), or P{n}M."""
        months, first = self.months, self.start.month
        if months == 12 and first == 1:
            return "A"
        if months == 6 and first in (1, 7):
            return "S"
        if months == 3 and first in (1, 4, 7, 10):
            return "Q"
        if months == 1:
            return "M"
        if self.start.year == self.end.year:
            return f"{first:02d}/{self.end.month:02d}"
        return f"P{months}M"

    def in_span(self, span: str) -> bool:
        """Whether the period is of the span freq= names: its own, or P{n}M for any period
        of n months (SDMX names January-September P9M, as it does nine months across
        years)."""
        if self.span == span:
            return True
        return span.startswith("P") and span.endswith("M") and span[1:-1] == str(self.months)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _parse_single(text: str) -> Period:
    match = _SINGLE.match(text.strip().upper())
    if match is None:
        raise PeriodError(f"'{text}' is not a period")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    first, last = 1, 12
    if match["half"]:
        first = 1 if match["half"] == "S1" else 7
        last = first + 5
    elif match["quarter"]:
        first = (int(match["quarter"][1]) - 1) * 3 + 1
        last = first + 2
    elif match["month"]:
        first = last = int(match["month"])
        if not 1 <= first <= 12:
            raise PeriodError(f"month {match['month']} is outside 01..12")
    return Period(date(year, first, 1), _month_end(year, last))


@lru_cache(maxsize=4096)  # imports parse the same few labels a million times
def parse_period(text: str) -> Period:
    """Parse a period label; raise PeriodError saying what is wrong."""
    if len(text) > 64:
        raise PeriodError("a period label is at most 64 characters")
    parts = text.split("/")
    if len(parts) == 1:
        return _parse_single(parts[0])
    if len(parts) != 2:
        raise PeriodError(f"'{text}' has more than one '/'")
    first, last = _parse_single(parts[0]), _parse_single(parts[1])
    if last.end < first.start:
        raise EmptyPeriodError(f"'{text}' ends before it starts")
    return Period(first.start, last.end)


@lru_cache(maxsize=4096)
def _label(start: date, end: date) -> str:
    return canonical_label(start, end)


def canonical_label(start: date, end: date) -> str:
    """Shortest label for the whole months from `start` to `end`."""
    if start.day != 1 or end != _month_end(end.year, end.month):
        raise PeriodError(f"{start}..{end} is not a run of whole months")
    if start.year == end.year:
        year, first, last = start.year, start.month, end.month
        if (first, last) == (1, 12):
            return f"{year}"
        if (first, last) in ((1, 6), (7, 12)):
            return f"{year}-S{1 if first == 1 else 2}"
        if first % 3 == 1 and last == first + 2:
            return f"{year}-Q{(first - 1) // 3 + 1}"
        if first == last:
            return f"{year}-{first:02d}"
    if start.month == 1 and end.month == 12:
        return f"{start.year}/{end.year}"
    return f"{start.year}-{start.month:02d}/{end.year}-{end.month:02d}"
