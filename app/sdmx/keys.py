"""SDMX-REST series keys and time periods."""

from dataclasses import dataclass

from app.sdmx.structure import DIMENSIONS
from app.shared.periods import Period

# One set of accepted codes per dimension; None where the key leaves it open.
KeyFilter = tuple[frozenset[str] | None, ...]


class InvalidKeyError(ValueError):
    """A key that does not fit the data structure."""


@dataclass(frozen=True)
class SeriesKey:
    freq: str
    ref_area: str
    indicator: str
    counterpart_area: str
    commodity: str

    def values(self) -> tuple[str, str, str, str, str]:
        return (self.freq, self.ref_area, self.indicator, self.counterpart_area, self.commodity)

    def text(self) -> str:
        return ".".join(self.values())


def parse_key(key: str | None) -> KeyFilter:
    """`A+M.AZ..KZ.TOTAL` (or `all`, SDMX 3.0's `*`, or nothing) as one filter per
    dimension."""
    if key is None or key in ("", "all", "ALL", "*"):
        return (None,) * len(DIMENSIONS)
    parts = key.split(".")
    if len(parts) != len(DIMENSIONS):
        raise InvalidKeyError(
            f"the key '{key[:100]}' has {len(parts)} parts; BILATERAL keys have "
            f"{len(DIMENSIONS)}: {'.'.join(DIMENSIONS)} (empty for any, + between codes)"
        )
    filters: list[frozenset[str] | None] = []
    for part in parts:
        codes = frozenset(code.strip().upper() for code in part.split("+") if code.strip())
        filters.append(codes or None)
    return tuple(filters)


def matches(key: SeriesKey, filters: KeyFilter) -> bool:
    return all(
        accepted is None or value.upper() in accepted
        for value, accepted in zip(key.values(), filters, strict=True)
    )


def frequency(period: Period) -> str:
    """FREQ of a period: A, S, Q, M, or P{n}M for other spans (nine months: P9M)."""
    span = period.span
    if span in ("A", "S", "Q", "M"):
        return span
    return f"P{period.months}M"


def time_period(period: Period) -> str:
    """TIME_PERIOD as SDMX writes it: 2018, 2018-S1, 2018-Q3, 2018-M09, or a start date
    and an ISO 8601 duration for other spans (2018-01-01/P9M)."""
    span = period.span
    year = period.start.year
    if span == "A":
        return str(year)
    if span == "S":
        return f"{year}-S{1 if period.start.month == 1 else 2}"
    if span == "Q":
        return f"{year}-Q{(period.start.month - 1) // 3 + 1}"
    if span == "M":
        return f"{year}-M{period.start.month:02d}"
    return f"{period.start.isoformat()}/P{period.months}M"
