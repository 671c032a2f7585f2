"""Two builds side by side: the uncached reads of `make bench` for this tree and another.

    python -m bench.sides --other /path/to/a/checkout/of/another/commit

Both builds serve the same stores (the SQLite store as `make run` makes it, and a
synthetic Postgres store), one after the other, in alternating order over several rounds,
each round beginning with the bare FastAPI app under the same uvicorn settings. The table
gives each build's median requests/s over the rounds as a ratio to the ceiling's median,
and the lowest and highest round, so a change of layout is read against the machine's
noise in the same run.

The other build must share this tree's migrations (its store is built by this tree).
"""

import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from app.core import migrations
from bench import bare
from bench.run import (
    ARTICLE_PATHS,
    ROOT,
    Result,
    _conninfo,
    _ensure_wrk,
    _prepare_store,
    _read_paths,
    _serving,
    _sqlalchemy_url,
    _wrk,
    derive_stored_answers,
)

app = typer.Typer(add_completion=False)
POSTGRES_READS = ("turnover", "exports", "balance", "observations", "csv")


def _build(tree: Path, database_url: str, workers: int) -> AbstractContextManager[tuple[str, int]]:
    """The build in `tree`, serving `database_url` with the response cache off."""
    command = [sys.executable, "-m", "app.cli", "serve", "--workers", str(workers)]
    env = {
        "DATABASE_URL": database_url,
        "RESPONSE_CACHE_ENTRIES": "0",
        "PYTHONPATH": str(tree),
    }
    return _serving(command, env, "/readyz", cwd=tree)


def _loads(
    wrk: str, base: str, paths: dict[str, list[str]], connections: int, duration: int
) -> Iterator[Result]:
    for name, listing in paths.items():
        yield _wrk(wrk, base, name, listing, connections=connections, duration=duration)


@app.command()
def main(
    other: Annotated[Path, typer.Option(help="A checkout of the other build.")],
    rows: Annotated[int, typer.Option(help="Figures in the synthetic Postgres store.")] = 100_000,
    rounds: Annotated[int, typer.Option(help="Rounds, each build once per round.")] = 3,
    duration: Annotated[int, typer.Option(help="Seconds per load run.")] = 8,
    connections: Annotated[int, typer.Option(help="Concurrent connections.")] = 32,
    workers: Annotated[int, typer.Option(help="uvicorn workers.")] = 1,
    postgres_url: Annotated[
        str, typer.Option(envvar="BENCH_POSTGRES_URL", help="Admin URL of the Postgres server.")
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
) -> None:
    """Uncached read ratios of this build and another, measured in one run."""
    wrk = _ensure_wrk()
    builds = {"other": other.resolve(), "this": ROOT}
    name = f"tradestats_sides_{rows}"
    pairs, _ = _prepare_store(postgres_url, name, rows, reuse=False)
    postgres = _sqlalchemy_url(postgres_url, name)
    sampled = _read_paths(pairs, 2_000, seed=11)
    postgres_paths = {read: sampled[read] for read in POSTGRES_READS}
    rates: dict[tuple[str, str, str], list[float]] = {}
    ceilings: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            sqlite = f"sqlite:///{folder}/tradestats.db"
            migrations.upgrade(sqlite)
            derive_stored_answers(sqlite)
            for round_number in range(rounds):
                ceiling_command = [sys.executable, "-m", "bench.bare", str(workers)]
                with _serving(ceiling_command, {}, bare.PATH) as (base, _pid):
                    ceiling = _wrk(
                        wrk, base, "bare FastAPI", [bare.PATH],
                        connections=connections, duration=duration,
                    )  # fmt: skip
                ceilings.append(ceiling.rps)
                order = list(builds) if round_number % 2 == 0 else list(reversed(builds))
                for build in order:
                    typer.echo(f"round {round_number + 1}: {build} build")
                    for store, url, paths in (
                        ("SQLite", sqlite, ARTICLE_PATHS),
                        ("Postgres", postgres, postgres_paths),
                    ):
                        with _build(builds[build], url, workers) as (base, _pid):
                            for result in _loads(wrk, base, paths, connections, duration):
                                key = (store, result.name, build)
                                rates.setdefault(key, []).append(result.rps)
    finally:
        with psycopg.connect(_conninfo(postgres_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    middle = statistics.median(ceilings)
    typer.echo(
        f"\nUncached reads: median requests/s of {rounds} rounds, its ratio to the bare app's "
        f"median ({middle:,.0f} requests/s), and the slowest and fastest round"
    )
    typer.echo(f"{'store':<9} {'read':<13} {'other':>24} {'this':>24}")
    for store, read in dict.fromkeys((store, read) for store, read, _ in rates):
        cells = []
        for build in builds:
            seen = rates[(store, read, build)]
            median = statistics.median(seen)
            cells.append(
                f"{median:6,.0f} {median / middle:.3f} ({min(seen):,.0f}-{max(seen):,.0f})"
            )
        typer.echo(f"{store:<9} {read:<13} {cells[0]:>24} {cells[1]:>24}")


if __name__ == "__main__":
    app()
