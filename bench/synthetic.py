"""A synthetic store that looks like real trade data, written with COPY.

Pairs of the ~200 largest country codes, years 2000-2024; per pair and year: annual
totals both ways, ten HS chapters both ways with values and tonnes, and monthly totals.
That is 1,650 figures per pair; the number of pairs follows from the rows asked for.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pycountry

from app.periods import Period, parse_period

FIRST_YEAR, LAST_YEAR = 2000, 2024
CHAPTERS_PER_PAIR = 10
RECORDED_AT = datetime(2026, 1, 1, tzinfo=UTC)
COLUMNS = (
    "reporter_code", "partner_code", "flow", "commodity_code", "period", "period_start",
    "period_end", "measure", "value", "unit", "qualifier", "status", "source_id",
    "statement", "recorded_at", "revision", "retracted",
)  # fmt: skip


def countries() -> list[str]:
    return sorted(country.alpha_3 for country in pycountry.countries)[:200]


def pairs(seed: int) -> Iterator[tuple[str, str]]:
    """Every ordered pair once, in a fixed pseudo-random order."""
    codes = countries()
    every = [(a, b) for a in codes for b in codes if a != b]
    random.Random(seed).shuffle(every)
    yield from every


def _figures(
    pair: tuple[str, str], chapters: list[str], rng: random.Random, source_id: int
) -> Iterator[tuple[Any, ...]]:
    reporter, partner = pair
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        periods = [("TOTAL", parse_period(str(year)))]
        periods += [("TOTAL", parse_period(f"{year}-{month:02d}")) for month in range(1, 13)]
        for flow in ("export", "import"):
            for commodity, period in periods:
                yield _row(
                    reporter,
                    partner,
                    flow,
                    commodity,
                    period,
                    "trade_value",
                    "USD",
                    rng.randint(10**5, 10**10),
                    source_id,
                )
            annual = periods[0][1]
            for chapter in chapters:
                yield _row(
                    reporter,
                    partner,
                    flow,
                    chapter,
                    annual,
                    "trade_value",
                    "USD",
                    rng.randint(10**3, 10**9),
                    source_id,
                )
                yield _row(
                    reporter,
                    partner,
                    flow,
                    chapter,
                    annual,
                    "quantity",
                    "t",
                    rng.randint(1, 10**6),
                    source_id,
                )


def _row(
    reporter: str,
    partner: str,
    flow: str,
    commodity: str,
    period: Period,
    measure: str,
    unit: str,
    cents: int,
    source_id: int,
) -> tuple[Any, ...]:
    return (
        reporter, partner, flow, commodity, period.label, period.start, period.end, measure,
        Decimal(cents).scaleb(-2), unit, "exact", "reported", source_id,
        "Synthetic benchmark figure.", RECORDED_AT, 1, False,
    )  # fmt: skip


def fill(conninfo: str, rows: int, seed: int = 7) -> tuple[list[tuple[str, str]], int]:
    """Write about `rows` figures; return the pairs used and the number written."""
    rng = random.Random(seed)
    chapters_all = [f"{n:02d}" for n in range(1, 98) if n != 77]
    used: list[tuple[str, str]] = []
    written = 0
    with psycopg.connect(conninfo) as connection:
        source_id = connection.execute(
            "INSERT INTO sources (slug, publisher, title, published_on, language, note) "
            "VALUES ('bench-synthetic', 'tradestats bench', 'Synthetic figures', "
            "'2026-01-01', 'en', 'Generated for benchmarks; not statistics.') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        columns = ", ".join(COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY observations ({columns}) FROM STDIN") as copy,
        ):
            for pair in pairs(seed):
                if written >= rows:
                    break
                used.append(pair)
                for row in _figures(
                    pair, rng.sample(chapters_all, CHAPTERS_PER_PAIR), rng, source_id
                ):
                    copy.write_row(row)
                    written += 1
    # Vacuum now, so that autovacuum does not wake up during the load runs.
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE) observations")
    return used, written
