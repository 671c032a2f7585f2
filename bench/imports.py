"""The import benchmark: `tradestats import` of a UN Comtrade file into each store, beside
what the engine itself can do with the same data in the same run.

For each store (Postgres, SQLite), on a fresh store and on one that already holds
`base_figures` synthetic figures (other years, so that every imported figure is new):

- the import, process start included, and its peak RSS;
- the same file imported again (every figure unchanged, nothing written);
- the floors, measured once on the fresh store:
  - the engine loading the file's raw rows into a lean table: `COPY` on Postgres, one
    `executemany` on SQLite (what no import can beat);
  - `INSERT INTO figures SELECT ...` of the imported figures from a copy, rolled back:
    what the table itself costs, with its indexes and checks;
- bytes per figure: the `figures` table and its indexes, over its figures.
"""

import csv
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from app.core import migrations
from bench import synthetic

HEADER = "period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue\n"
FIGURES_PER_ROW = 2  # a value and a weight
# Years apart from the synthetic store's (2000-2024): the import adds every figure.
FIRST_YEAR, LAST_YEAR = 1970, 1999
FIGURE_COLUMNS = (
    "release_id, reporter, partner, commodity_id, period_id, flow, measure, status, unit, "
    "qualifier, revision, value, retracted, superseded"
)


@dataclass(frozen=True)
class Run:
    """One import of the file; the same file again (recognised by its bytes); the same
    rows again in other bytes (CRLF line ends), which the full diff finds unchanged."""

    base_figures: int
    seconds: float
    again_seconds: float
    other_bytes_seconds: float
    peak_rss_mib: float


@dataclass(frozen=True)
class ImportResult:
    store: str
    rows: int
    runs: list[Run]
    engine_floor_seconds: float  # COPY / executemany of the raw rows into a lean table
    insert_floor_seconds: float  # INSERT INTO figures SELECT of the imported figures
    heap_bytes_per_figure: float
    index_bytes_per_figure: float

    def rate(self, seconds: float) -> float:
        return self.rows / seconds

    @property
    def bytes_per_figure(self) -> float:
        return self.heap_bytes_per_figure + self.index_bytes_per_figure


def write_comtrade_file(path: Path, rows: int) -> None:
    """`rows` distinct flows of HS chapters between the synthetic store's countries."""
    codes = synthetic.countries()
    rng = random.Random(3)
    with path.open("w") as handle:
        handle.write(HEADER)
        written, seen = 0, set()
        while written < rows:
            key = (
                rng.randint(FIRST_YEAR, LAST_YEAR),
                rng.choice(codes),
                rng.choice("XM"),
                rng.choice(codes),
                f"{rng.randint(1, 97):02d}",
            )
            if key in seen or key[1] == key[3] or key[4] == "77":
                continue
            seen.add(key)
            year, reporter, flow, partner, chapter = key
            handle.write(
                f"{year},{reporter},{flow},{partner},{chapter},"
                f"{rng.randint(1, 10**9)},{rng.randint(1, 10**10)}.{rng.randint(0, 99)}\n"
            )
            written += 1


def _import(database_url: str, path: Path) -> tuple[float, float]:
    """Seconds `tradestats import` takes, process start included, as a user runs it, and
    the process's peak RSS in MiB.

    The peak is the kernel's high-water mark of the process's own memory (`VmHWM`), read
    every 20 ms: `ru_maxrss` would count the bench's own memory too, since a child's
    high-water mark starts from its parent's at fork.
    """
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "import", str(path), "--source", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    status = Path(f"/proc/{process.pid}/status")
    peak_kib = 0
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib = max(peak_kib, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.02)
    _out, errors = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"tradestats import failed: {errors.decode()}")
    return seconds, peak_kib / 1024


def _runs(url: str, path: Path) -> Run:
    seconds, rss = _import(url, path)
    again, _ = _import(url, path)
    crlf = path.with_name(f"{path.stem}-crlf{path.suffix}")
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    try:
        other_bytes, _ = _import(url, crlf)
    finally:
        crlf.unlink()
    return Run(0, seconds, again, other_bytes, rss)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """A freshly migrated database, dropped afterwards."""
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        migrations.upgrade(url)
        yield url
    finally:
        with psycopg.connect(_conninfo(admin_url), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres(admin_url: str, path: Path, rows: int, base_figures: int) -> ImportResult:
    with _postgres_database(admin_url, "tradestats_bench_import") as url:
        fresh = _runs(url, path)
        with psycopg.connect(_conninfo(url), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE figures")
            # A partitioned table has no storage of its own: its partitions have.
            heap, index, count = connection.execute(
                "SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid)), "
                "(SELECT count(*) FROM figures) FROM pg_partition_tree('figures') "
                "WHERE isleaf"
            ).fetchone() or (0, 0, 1)
        with psycopg.connect(_conninfo(url)) as connection:
            connection.execute(
                "CREATE TEMPORARY TABLE staged AS SELECT * FROM figures "
                "WHERE release_id = (SELECT max(id) FROM releases)"
            )
            connection.commit()
            started = time.perf_counter()
            connection.execute(
                sql.SQL("INSERT INTO figures ({}) SELECT {} FROM staged").format(
                    sql.SQL(FIGURE_COLUMNS), sql.SQL(FIGURE_COLUMNS)
                )
            )
            insert_floor = time.perf_counter() - started
            connection.rollback()
            connection.execute(
                "CREATE TABLE raw (period text, reporter text, flow text, partner text, "
                "commodity text, net_weight text, value text)"
            )
            started = time.perf_counter()
            with (
                connection.cursor().copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            engine_floor = time.perf_counter() - started
            connection.rollback()
    runs = [fresh]
    if base_figures:
        with _postgres_database(admin_url, "tradestats_bench_import") as url:
            synthetic.fill(url, base_figures)
            runs.append(_with_base(_runs(url, path), base_figures))
    return ImportResult(
        "Postgres", rows, runs, engine_floor, insert_floor, heap / count, index / count
    )


def _with_base(run: Run, base_figures: int) -> Run:
    return Run(
        base_figures, run.seconds, run.again_seconds, run.other_bytes_seconds, run.peak_rss_mib
    )


def sqlite(path: Path, rows: int, base_figures: int) -> ImportResult:
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "fresh.db"
        url = f"sqlite:///{store}"
        migrations.upgrade(url)
        fresh = _runs(url, path)
        connection = sqlite3.connect(store, isolation_level=None)
        try:
            sizes = dict(
                connection.execute(
                    "SELECT name, sum(pgsize) FROM dbstat "
                    "WHERE name IN ('figures', 'ix_figures_pair_period') GROUP BY name"
                ).fetchall()
            )
            (count,) = connection.execute("SELECT count(*) FROM figures").fetchone()
            connection.execute(
                f"CREATE TEMPORARY TABLE staged AS SELECT {FIGURE_COLUMNS} FROM figures "
                "WHERE release_id = (SELECT max(id) FROM releases)"
            )
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute(
                f"INSERT INTO figures ({FIGURE_COLUMNS}) SELECT {FIGURE_COLUMNS} FROM staged"
            )
            insert_floor = time.perf_counter() - started
            connection.execute("ROLLBACK")
            with path.open(newline="") as handle:
                lines = list(csv.reader(handle))[1:]
            connection.execute("CREATE TABLE raw (a, b, c, d, e, f, g)")
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
            connection.execute("COMMIT")
            engine_floor = time.perf_counter() - started
        finally:
            connection.close()
        runs = [fresh]
        if base_figures:
            based = f"sqlite:///{Path(folder) / 'based.db'}"
            migrations.upgrade(based)
            synthetic.fill(based, base_figures)
            runs.append(_with_base(_runs(based, path), base_figures))
    return ImportResult(
        "SQLite",
        rows,
        runs,
        engine_floor,
        insert_floor,
        sizes.get("figures", 0) / count,
        sizes.get("ix_figures_pair_period", 0) / count,
    )
