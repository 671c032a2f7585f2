"""A synthetic store that looks like real trade data, built through the import path.

Pairs of every country, years 2000-2024; per pair and year: annual
totals both ways, ten HS chapters both ways with values and tonnes, and monthly totals.
That is 1,650 figures (1,150 rows of a UN Comtrade file) per pair; the number of pairs
follows from the figures asked for. The rows are written as UN Comtrade files of at most
`FILE_ROWS` rows, each imported as `tradestats import` does, one release each.
"""

import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pycountry
from sqlalchemy import Engine, text

from app.core.db import create_db_engine
from app.imports import service

FIRST_YEAR, LAST_YEAR = 2000, 2024
CHAPTERS_PER_PAIR = 10
FIGURES_PER_PAIR = 1_650
# One file, one import, one partition on Postgres: about one BACI year's rows.
FILE_ROWS = 10_000_000
HEADER = "period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue\n"


def countries() -> list[str]:
    """Every country: 61,752 ordered pairs, room for a 100M-figure store."""
    return sorted(country.alpha_3 for country in pycountry.countries)


def pairs(seed: int) -> Iterator[tuple[str, str]]:
    """Every ordered pair once: the two directions of a pair one after the other, the
    pairs in a fixed pseudo-random order. So a store of any size holds both countries'
    reports of each pair it has, and a pair read finds as many figures on a small store
    as on a large one."""
    codes = countries()
    every = [(a, b) for index, a in enumerate(codes) for b in codes[index + 1 :]]
    random.Random(seed).shuffle(every)
    for a, b in every:
        yield a, b
        yield b, a


def _rows(pair: tuple[str, str], chapters: list[str], rng: random.Random) -> Iterator[str]:
    """A pair's lines of a UN Comtrade file: TOTAL by year and month, chapters by year."""
    reporter, partner = pair
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        periods = [str(year), *(f"{year}{month:02d}" for month in range(1, 13))]
        for flow in "XM":
            for period in periods:
                value = _usd(rng.randint(10**5, 10**10))
                yield f"{period},{reporter},{flow},{partner},TOTAL,,{value}\n"
            for chapter in chapters:
                value, kilograms = _usd(rng.randint(10**3, 10**9)), rng.randint(1, 10**9)
                yield f"{year},{reporter},{flow},{partner},{chapter},{kilograms},{value}\n"


def _usd(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def fill(database_url: str, figures: int, seed: int = 7) -> tuple[list[tuple[str, str]], int]:
    """Import about `figures` figures; return the pairs used and the number written."""
    rng = random.Random(seed)
    chapters_all = [f"{n:02d}" for n in range(1, 98) if n != 77]
    used: list[tuple[str, str]] = []
    written = 0
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            source_id = connection.execute(
                text(
                    "INSERT INTO sources (slug, publisher, title, published_on, language, note) "
                    "VALUES ('bench-synthetic', 'tradestats bench', 'Synthetic figures', "
                    "'2026-01-01', 'en', 'Generated for benchmarks; not statistics.') "
                    "RETURNING id"
                )
            ).scalar_one()
        pairs_left = pairs(seed)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "synthetic.csv"
            while written < figures:
                rows = 0
                with path.open("w") as handle:
                    handle.write(HEADER)
                    while rows < FILE_ROWS and written < figures:
                        pair = next(pairs_left)
                        used.append(pair)
                        for line in _rows(pair, rng.sample(chapters_all, CHAPTERS_PER_PAIR), rng):
                            handle.write(line)
                            rows += 1
                        written += FIGURES_PER_PAIR
                _import(engine, path, source_id)
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Vacuumed now, so that autovacuum does not wake up during the load runs.
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM (ANALYZE) figures"
                )
    finally:
        engine.dispose()
    return used, written


def _import(engine: Engine, path: Path, source_id: int) -> None:
    started = time.perf_counter()
    with engine.connect() as connection, path.open("rb") as binary:
        report = service.run(
            connection,
            binary,
            source_id=source_id,
            recorded_by="bench",
            error_limit=10,
            max_inflated_bytes=100 * path.stat().st_size,
        )
    print(
        f"  imported {report.rows:,} rows ({report.added:,} figures) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
