"""The import benchmark: `tradestats import` of a UN Comtrade file into each store, beside
the store's own floor, the time to insert the same figures already parsed and checked.

The floor is what no import code can beat: `INSERT INTO observations SELECT ...` of the
imported figures, copied into a fresh store's staging table first, so that the statement
pays only for the table's indexes, constraints and foreign keys (and on Postgres its
write-ahead log). On Postgres it is measured a second time with the foreign keys
dropped, inside a transaction that is rolled back, to show what they cost.
"""

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
from typing import LiteralString

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from app import migrations
from bench import synthetic

HEADER = "period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue\n"
FIGURES_PER_ROW = 2  # a value and a weight


@dataclass(frozen=True)
class ImportResult:
    store: str
    rows: int
    seconds: float
    floor_seconds: float  # inserting the same figures, parsed and checked, into the table
    floor_without_foreign_keys_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def floor_rate(self) -> float:
        return self.rows / self.floor_seconds


def write_comtrade_file(path: Path, rows: int) -> None:
    """`rows` distinct flows of HS chapters between the synthetic store's countries."""
    codes = synthetic.countries()
    rng = random.Random(3)
    with path.open("w") as handle:
        handle.write(HEADER)
        written, seen = 0, set()
        while written < rows:
            key = (
                rng.randint(2000, 2024),
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


def _import(database_url: str, path: Path) -> float:
    """Seconds `tradestats import` takes, process start included, as a user runs it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app.cli", "import", str(path), "--source", "1"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


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


def postgres(admin_url: str, path: Path, rows: int) -> ImportResult:
    with (
        _postgres_database(admin_url, "tradestats_bench_import") as imported_url,
        _postgres_database(admin_url, "tradestats_bench_floor") as floor_url,
    ):
        seconds = _import(imported_url, path)
        with (
            psycopg.connect(_conninfo(imported_url)) as source,
            psycopg.connect(_conninfo(floor_url)) as floor,
        ):
            seeded = floor.execute("SELECT max(id) FROM observations").fetchone()
            last_seeded = int(seeded[0]) if seeded and seeded[0] is not None else 0
            floor.execute("CREATE UNLOGGED TABLE staged (LIKE observations INCLUDING DEFAULTS)")
            copy_out = "COPY (SELECT * FROM observations WHERE id > {} ORDER BY id) TO STDOUT"
            with (
                source.cursor().copy(sql.SQL(copy_out).format(sql.Literal(last_seeded))) as reading,
                floor.cursor().copy("COPY staged FROM STDIN") as writing,
            ):
                for chunk in reading:
                    writing.write(chunk)
            floor.commit()
            floor_seconds = _timed(floor, "INSERT INTO observations SELECT * FROM staged")
            floor.rollback()
            for constraint in _foreign_keys(floor):
                floor.execute(
                    sql.SQL("ALTER TABLE observations DROP CONSTRAINT {}").format(
                        sql.Identifier(constraint)
                    )
                )
            without_foreign_keys = _timed(floor, "INSERT INTO observations SELECT * FROM staged")
            floor.rollback()
    return ImportResult("Postgres", rows, seconds, floor_seconds, without_foreign_keys)


def _foreign_keys(connection: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    found = connection.execute(
        "SELECT conname FROM pg_constraint "
        "WHERE conrelid = 'observations'::regclass AND contype = 'f'"
    ).fetchall()
    return [str(row[0]) for row in found]


def _timed(connection: psycopg.Connection[tuple[object, ...]], statement: LiteralString) -> float:
    """Seconds of `statement` inside a transaction the caller rolls back: the rows and their
    write-ahead log are written as they go in; only the commit's one flush is left out."""
    started = time.perf_counter()
    connection.execute(statement)
    return time.perf_counter() - started


def sqlite(path: Path, rows: int) -> ImportResult:
    with tempfile.TemporaryDirectory() as folder:
        imported, floor = Path(folder) / "imported.db", Path(folder) / "floor.db"
        for store in (imported, floor):
            migrations.upgrade(f"sqlite:///{store}")
        seconds = _import(f"sqlite:///{imported}", path)
        connection = sqlite3.connect(floor, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA journal_mode=WAL")
            (last_seeded,) = connection.execute("SELECT max(id) FROM observations").fetchone()
            connection.execute("ATTACH DATABASE ? AS imported", (str(imported),))
            connection.execute(
                "CREATE TEMP TABLE staged AS SELECT * FROM imported.observations WHERE id > ?",
                (last_seeded or 0,),
            )
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO observations SELECT * FROM staged")
            connection.execute("COMMIT")
            floor_seconds = time.perf_counter() - started
        finally:
            connection.close()
    return ImportResult("SQLite", rows, seconds, floor_seconds)
