"""`make bench`: build a synthetic Postgres store, serve it, load it with wrk, report.

Everything runs on this machine and sends traffic to 127.0.0.1 only; each load run is
bounded by --duration. Results go to stdout and to docs/benchmarks.md.
"""

import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import psycopg
import typer
from psycopg import sql
from sqlalchemy.engine import make_url

from app.core import migrations
from bench import bare, floor, imports, synthetic

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
REPORT = ROOT / "docs" / "benchmarks.md"

PAIR_PERIOD = ("turnover", "exports")  # the pair + period reads the store-size target covers
HOT_PATHS = 100  # distinct paths per endpoint in the hot phase: a dashboard's working set
# The default store, as `make run` makes it: the seeded article, read the way users do.
ARTICLE_PATHS = {
    "turnover": ["/v1/trade/AZ/KZ/turnover?period=2018-01/2018-09"],
    "exports": ["/v1/trade/AZ/KZ/exports?period=2018-01/2018-09"],
    "balance": ["/v1/trade/AZ/KZ/balance?period=2018-01/2018-09"],
    "observations": ["/v1/observations?reporter=AZ&limit=100"],
    "csv": ["/v1/observations?limit=100&format=csv"],
}
PAIR_READS = ("turnover", "exports", "balance")
LIST_READS = ("observations", "csv")
IMPORT_TARGETS = (100_000, 50_000)  # rows/s: Postgres, SQLite
REIMPORT_TARGET = 200_000  # rows/s, the same file again

app = typer.Typer(add_completion=False)


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        typer.echo("wrk is missing: installing Debian's wrk package")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
        if found:
            return found
    typer.echo("wrk is needed: install it (Debian: sudo apt-get install wrk)", err=True)
    raise typer.Exit(2)


def _sqlalchemy_url(admin: str, database: str) -> str:
    return make_url(admin).set(database=database).render_as_string(hide_password=False)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _prepare_store(
    admin_url: str, name: str, rows: int, reuse: bool
) -> tuple[list[tuple[str, str]], float | None]:
    """The store's pairs, and the seconds its build took (None: reused)."""
    url = _sqlalchemy_url(admin_url, name)
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reuse:
            typer.echo(f"reusing database {name}")
            pairs = list(synthetic.pairs(7))
            with psycopg.connect(_conninfo(url)) as connection:
                count = connection.execute(
                    "SELECT count(*) FROM figures f JOIN releases r ON r.id = f.release_id "
                    "JOIN sources s ON s.id = r.source_id WHERE s.slug = 'bench-synthetic'"
                ).fetchone()
            return pairs[: int(count[0]) // synthetic.FIGURES_PER_PAIR if count else 0], None
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrations.upgrade(url)
    started = time.perf_counter()
    pairs, written = synthetic.fill(url, rows)
    seconds = time.perf_counter() - started
    typer.echo(
        f"{name}: {written:,} figures for {len(pairs):,} pairs, through the import path, "
        f"in {seconds:.0f} s"
    )
    derive_stored_answers(url)
    return pairs, seconds


def derive_stored_answers(url: str) -> None:
    """`tradestats derive`: the pairs' stored answers derived before the load, so that it
    measures reads, not the derivation a server does as the first reads come."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "derive"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    typer.echo(f"  {done.stdout.strip()} in {time.perf_counter() - started:.1f} s")


@contextmanager
def _serving(
    command: list[str], env: dict[str, str], ready_path: str, cwd: Path | None = None
) -> Iterator[tuple[str, int]]:
    """A server on a free port, its output in a file, stopped (and its workers) afterwards."""
    port = _free_port()
    environment = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), **env}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            env=environment,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + ready_path, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server did not start:\n{log.read().decode()[-2000:]}")
                time.sleep(0.2)
            yield base, process.pid
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _server(
    database_url: str, workers: int, cache_entries: int
) -> AbstractContextManager[tuple[str, int]]:
    """tradestats as `tradestats serve` runs by default: access log on (to a file)."""
    cli = str(Path(sys.executable).with_name("tradestats"))
    env = {"DATABASE_URL": database_url, "RESPONSE_CACHE_ENTRIES": str(cache_entries)}
    return _serving([cli, "serve", "--workers", str(workers)], env, "/readyz")


def _ceiling(wrk: str, workers: int, connections: int, duration: int) -> Result:
    """The bare FastAPI app (bench/bare.py) under the same uvicorn settings."""
    command = [sys.executable, "-m", "bench.bare", str(workers)]
    with _serving(command, {}, bare.PATH) as (base, _pid):
        return _wrk(
            wrk, base, "bare FastAPI, constant JSON", [bare.PATH],
            connections=connections, duration=duration,
        )  # fmt: skip


def _wrk(
    wrk: str,
    base: str,
    name: str,
    paths: Sequence[str],
    *,
    connections: int,
    duration: int,
    headers: Sequence[str] = (),
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")

    def command(seconds: int) -> list[str]:
        threads = min(2, connections)  # wrk needs a connection per thread
        words = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
        for header in headers:
            words += ["-H", header]
        return [*words, "-s", str(WRK_SCRIPT), base, "--", listing.name]

    # A short warm-up first, so every variant starts from the same state.
    subprocess.run(command(2), capture_output=True, check=True)
    output = subprocess.run(command(duration), capture_output=True, text=True, check=True).stdout
    Path(listing.name).unlink()
    line = next(text for text in output.splitlines() if text.startswith("{"))
    data = json.loads(line)
    result = Result(
        name=name,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["socket_errors"] + data["status_errors"],
    )
    typer.echo(
        f"  {name:<28} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
        f"p95 {result.p95_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
    )
    return result


def _read_paths(pairs: Sequence[tuple[str, str]], count: int, seed: int) -> dict[str, list[str]]:
    """Request paths per endpoint: `count` pair and period combinations."""
    rng = random.Random(seed)
    chosen = [
        (rng.choice(pairs), rng.randint(synthetic.FIRST_YEAR + 1, synthetic.LAST_YEAR))
        for _ in range(count)
    ]
    return {
        "turnover": [f"/v1/trade/{a}/{b}/turnover?period={y}" for (a, b), y in chosen],
        "exports": [f"/v1/trade/{a}/{b}/exports?period={y}" for (a, b), y in chosen],
        "balance": [f"/v1/trade/{a}/{b}/balance?period={y}" for (a, b), y in chosen],
        "commodities": [f"/v1/trade/{a}/{b}/commodities?period={y}" for (a, b), y in chosen],
        "observations": [
            f"/v1/observations?reporter={a}&partner={b}&period={y}&limit=100"
            for (a, b), y in chosen
        ],
        "csv": [
            f"/v1/observations?reporter={a}&partner={b}&period={y}&limit=100&format=csv"
            for (a, b), y in chosen
        ],
    }


def _load(
    wrk: str, base: str, paths: dict[str, list[str]], connections: int, duration: int
) -> list[Result]:
    results = [
        _wrk(
            wrk,
            base,
            "/healthz (full middleware stack)",
            ["/healthz"],
            connections=connections,
            duration=duration,
        )
    ]
    for name, listing in paths.items():
        results.append(_wrk(wrk, base, name, listing, connections=connections, duration=duration))
    first = paths["turnover"][0]
    etag = httpx.get(base + first, timeout=10).headers["etag"]
    results.append(
        _wrk(
            wrk,
            base,
            "304 revalidation",
            [first],
            connections=connections,
            duration=duration,
            headers=[f"If-None-Match: {etag}"],
        )
    )
    return results


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _export_memory(base: str, pid: int, limit: int) -> tuple[int, float, float]:
    """Rows read from the CSV export (at most `limit`), RSS growth (MiB) and seconds."""
    before = peak = _rss_kib(pid)
    rows = 0
    started = time.perf_counter()
    with httpx.stream("GET", base + "/v1/observations/export", timeout=1800) as response:
        for index, _line in enumerate(response.iter_lines()):
            rows += 1
            if index % 20_000 == 0:
                peak = max(peak, _rss_kib(pid))
            if rows > limit:
                break
    peak = max(peak, _rss_kib(pid))
    return rows - 1, (peak - before) / 1024, time.perf_counter() - started


def _explain(database_url: str, pair: tuple[str, str], year: int) -> str:
    """The plan of the app's own statement behind a pair + period read (exports of one
    year), as it runs once prepared: its values bound as literals, planned at PREPARE,
    then executed with its real timings."""
    from sqlalchemy import create_engine

    from app.core.db import PLAN_CACHE_MODE
    from app.observations.repository import _pair_statement
    from app.shared.periods import Period
    from app.trade.service import scope_for

    scope = scope_for(
        None, total_only=True, period=Period(date(year, 1, 1), date(year, 12, 31)), one_point=True
    )
    assert scope.window is not None
    levels = {}
    for index, (start, end) in enumerate(scope.levels_at):
        levels[f"level_start_{index}"], levels[f"level_end_{index}"] = start, end
    statement = _pair_statement(False, True, True, len(scope.levels_at), postgres=True)
    literal = statement.params(
        a=pair[0], b=pair[1], start=scope.window[0], end=scope.window[1], **levels
    ).compile(dialect=create_engine(database_url).dialect, compile_kwargs={"literal_binds": True})
    with psycopg.connect(_conninfo(database_url)) as connection:
        connection.execute(f"SET plan_cache_mode = {PLAN_CACHE_MODE}")
        connection.execute(sql.SQL("PREPARE pair_read AS {}").format(sql.SQL(str(literal))))
        connection.execute("EXECUTE pair_read")  # planned once, as on an app connection
        rows = connection.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE pair_read")
        return "\n".join(str(row[0]) for row in rows)


def _versions(admin_url: str, wrk: str) -> dict[str, str]:
    import fastapi
    import sqlalchemy
    import uvicorn

    with psycopg.connect(_conninfo(admin_url)) as connection:
        server = connection.execute("SHOW server_version").fetchone()
    wrk_version = subprocess.run(
        [wrk, "-v"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "CPU": f"{os.cpu_count()} cores, {cpu}",
        "Memory": memory,
        "Python": platform.python_version(),
        "PostgreSQL": str(server[0]) if server else "unknown",
        "FastAPI / uvicorn / SQLAlchemy": f"{fastapi.__version__} / {uvicorn.__version__} / "
        f"{sqlalchemy.__version__}",
        "Load generator": wrk_version.strip() or "wrk",
    }


def _table(results: Sequence[Result], ceiling: float) -> list[str]:
    lines = [
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | ratio to the ceiling | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {result.rps:,.0f} | {result.p50_ms:.2f} | {result.p95_ms:.2f} "
            f"| {result.p99_ms:.2f} | {result.rps / ceiling:.2f} | {result.errors} |"
        )
    return lines


@app.command()
def main(
    rows: Annotated[int, typer.Option(help="Figures in the synthetic store.")] = 1_000_000,
    duration: Annotated[int, typer.Option(help="Seconds per load run.")] = 10,
    connections: Annotated[int, typer.Option(help="Concurrent connections.")] = 32,
    workers: Annotated[int, typer.Option(help="uvicorn workers.")] = 2,
    import_rows: Annotated[int, typer.Option(help="Rows of the import benchmark file.")] = (
        1_000_000
    ),
    import_base_figures: Annotated[
        int, typer.Option(help="Figures a store holds before the second import run.")
    ] = 10_000_000,
    export_rows: Annotated[int, typer.Option(help="Figures read from the CSV export.")] = (
        1_000_000
    ),
    reuse: Annotated[bool, typer.Option(help="Reuse an existing synthetic store.")] = False,
    postgres_url: Annotated[
        str, typer.Option(envvar="BENCH_POSTGRES_URL", help="Admin URL of the Postgres server.")
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    write_report: Annotated[bool, typer.Option(help="Write docs/benchmarks.md.")] = True,
) -> None:
    """Measure the API against the framework's ceiling on this machine."""
    wrk = _ensure_wrk()
    started = time.perf_counter()
    typer.echo("ceiling: a bare FastAPI app, same uvicorn settings")
    ceiling = _ceiling(wrk, workers, connections, duration)
    typer.echo("SQLite, the store as `make run` makes it")
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{folder}/tradestats.db"
        migrations.upgrade(sqlite_url)
        derive_stored_answers(sqlite_url)
        with _server(sqlite_url, workers, cache_entries=4096) as (base, _pid):
            sqlite_hot = _load(wrk, base, ARTICLE_PATHS, connections, duration)
        with _server(sqlite_url, workers, cache_entries=0) as (base, _pid):
            sqlite_cold = _load(wrk, base, ARTICLE_PATHS, connections, duration)
    large_name, small_name = f"tradestats_bench_{rows}", "tradestats_bench_10000"
    pairs, build_seconds = _prepare_store(postgres_url, large_name, rows, reuse)
    small_pairs, _ = _prepare_store(postgres_url, small_name, 10_000, reuse)
    large_url = _sqlalchemy_url(postgres_url, large_name)
    small_url = _sqlalchemy_url(postgres_url, small_name)
    paths = _read_paths(pairs, 2_000, seed=11)
    hot_paths = _read_paths(pairs, HOT_PATHS, seed=13)

    typer.echo(f"hot reads: response cache on, the same {HOT_PATHS} paths repeated")
    with _server(large_url, workers, cache_entries=50_000) as (base, _pid):
        hot = _load(wrk, base, hot_paths, connections, duration)
    typer.echo("cold reads: response cache off")
    with _server(large_url, workers, cache_entries=0) as (base, _pid):
        cold = _load(wrk, base, paths, connections, duration)
        # One connection: the cost of a query itself, without queueing behind others.
        single = [
            _wrk(wrk, base, f"{name}, 1 connection", paths[name], connections=1, duration=duration)
            for name in PAIR_PERIOD
        ]
    typer.echo("the floor: the leanest reads of the same pages and points (bench/floor.py)")
    floor_command = [sys.executable, "-m", "bench.floor", str(workers), _conninfo(large_url)]
    with _serving(floor_command, {}, floor.READY_PATH) as (base, _pid):
        leanest = [
            _wrk(
                wrk,
                base,
                f"{name}, the leanest read",
                paths[name],
                connections=connections,
                duration=duration,
            )
            for name in ("exports", "observations")
        ]
    typer.echo("cold reads on the 10,000-figure store, one connection")
    small_paths = _read_paths(small_pairs, 2_000, seed=11)
    with _server(small_url, workers, cache_entries=0) as (base, _pid):
        small = [
            _wrk(
                wrk,
                base,
                f"{name}, 1 connection",
                small_paths[name],
                connections=1,
                duration=duration,
            )
            for name in PAIR_PERIOD
        ]
    typer.echo(f"CSV export, first {export_rows:,} figures, one worker")
    with _server(large_url, 1, cache_entries=0) as (base, pid):
        exported, growth_mib, export_seconds = _export_memory(base, pid, export_rows)
    typer.echo(f"  {exported:,} rows in {export_seconds:.1f} s, RSS growth {growth_mib:.1f} MiB")
    typer.echo(f"import of a {import_rows:,}-row UN Comtrade file, into Postgres and SQLite")
    with tempfile.TemporaryDirectory() as folder:
        comtrade = Path(folder) / "comtrade.csv"
        imports.write_comtrade_file(comtrade, import_rows)
        imported = [
            imports.postgres(postgres_url, comtrade, import_rows, import_base_figures),
            imports.sqlite(comtrade, import_rows, import_base_figures),
        ]
    for result in imported:
        for run in result.runs:
            typer.echo(
                f"  {result.store}, {run.base_figures:,} figures before: "
                f"{result.rate(run.seconds):,.0f} rows/s, again "
                f"{result.rate(run.again_seconds):,.0f} rows/s, other bytes "
                f"{result.rate(run.other_bytes_seconds):,.0f} rows/s, "
                f"peak RSS {run.peak_rss_mib:.0f} MiB"
            )
        typer.echo(
            f"  {result.store}: {result.bytes_per_figure:.1f} bytes/figure; engine floor "
            f"{result.rate(result.engine_floor_seconds):,.0f} rows/s, insert floor "
            f"{result.rate(result.insert_floor_seconds):,.0f} rows/s"
        )
    sample_pair, sample_year = pairs[0], synthetic.LAST_YEAR - 1
    plan = _explain(large_url, sample_pair, sample_year)
    if write_report:
        _write_report(
            versions=_versions(postgres_url, wrk),
            ceiling=ceiling,
            sqlite=(sqlite_hot, sqlite_cold),
            settings={
                "figures": rows,
                "workers": workers,
                "connections": connections,
                "duration": duration,
                "import rows": import_rows,
                "figures before the second import": import_base_figures,
                # Reused: built by an earlier run, whose output gave its build time.
                "seconds to build the store through the import path": (
                    round(build_seconds) if build_seconds is not None else "reused"
                ),
            },
            hot=hot,
            cold=cold,
            leanest=leanest,
            single=single,
            small=small,
            export=(exported, growth_mib, export_seconds),
            imported=imported,
            plan=plan,
        )
        typer.echo(f"wrote {REPORT.relative_to(ROOT)}")
    typer.echo(f"done in {time.perf_counter() - started:.0f} s")


def _import_table(results: Sequence[imports.ImportResult]) -> list[str]:
    """Each store's imports beside what its engine does with the same data."""
    lines = [
        "`tradestats import` of the file, process start included, on a fresh store and on "
        "one that already holds figures (of other years: every imported figure is new); "
        "then the same file again, which changes nothing and is recognised by its bytes "
        "(`known_files`), and the same rows in other bytes (CRLF line ends), which the full "
        "diff finds unchanged. Beside them, in the same run, the "
        "engine's floors (bench/imports.py): the file's raw rows loaded into a lean table "
        "(`COPY` on Postgres, one `executemany` on SQLite), and `INSERT INTO figures SELECT` "
        "of the imported figures from a copy, which pays only for the table, its indexes and "
        "checks.",
        "",
        "| store | figures before | rows | import s | rows/s | again s | again rows/s "
        "| other bytes s | other bytes rows/s | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for run in r.runs:
            lines.append(
                f"| {r.store} | {run.base_figures:,} | {r.rows:,} | {run.seconds:.1f} "
                f"| {r.rate(run.seconds):,.0f} | {run.again_seconds:.1f} "
                f"| {r.rate(run.again_seconds):,.0f} | {run.other_bytes_seconds:.1f} "
                f"| {r.rate(run.other_bytes_seconds):,.0f} | {run.peak_rss_mib:.0f} |"
            )
    lines += [
        "",
        "| store | engine floor s (rows/s) | insert floor s (rows/s) | heap B/figure "
        "| index B/figure | total B/figure |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.store} | {r.engine_floor_seconds:.1f} ({r.rate(r.engine_floor_seconds):,.0f}) "
            f"| {r.insert_floor_seconds:.1f} ({r.rate(r.insert_floor_seconds):,.0f}) "
            f"| {r.heap_bytes_per_figure:.1f} | {r.index_bytes_per_figure:.1f} "
            f"| {r.bytes_per_figure:.1f} |"
        )
    return lines


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _named(results: Sequence[Result], names: Sequence[str]) -> list[Result]:
    return [result for result in results if result.name in names]


def _lowest(results: Sequence[Result], ceiling: float) -> str:
    return ", ".join(f"{r.name} {r.rps / ceiling:.2f}" for r in results)


def _write_report(
    *,
    ceiling: Result,
    sqlite: tuple[list[Result], list[Result]],
    versions: dict[str, str],
    settings: dict[str, int | str],
    hot: list[Result],
    cold: list[Result],
    leanest: list[Result],
    single: list[Result],
    small: list[Result],
    export: tuple[int, float, float],
    imported: Sequence[imports.ImportResult],
    plan: str,
) -> None:
    top = ceiling.rps
    sqlite_hot, sqlite_cold = sqlite
    hot_reads = [r for r in (*hot[1:], *sqlite_hot[1:]) if r.name != "304 revalidation"]
    healthz = [hot[0], sqlite_hot[0]]
    pair_cold = [*_named(cold, PAIR_READS), *_named(sqlite_cold, PAIR_READS)]
    list_cold = [*_named(cold, LIST_READS), *_named(sqlite_cold, LIST_READS)]
    exported, growth, export_seconds = export
    targets = [
        ("/healthz through the full stack >= 0.7 (Postgres, then SQLite)", _lowest(healthz, top),
         all(r.rps >= 0.7 * top for r in healthz)),
        ("Hot reads >= 0.8", f"lowest {min(r.rps / top for r in hot_reads):.2f}",
         all(r.rps >= 0.8 * top for r in hot_reads)),
        ("Hot reads p99 < 20 ms", f"highest {max(r.p99_ms for r in hot_reads):.1f} ms",
         all(r.p99_ms < 20 for r in hot_reads)),
        ("Uncached pair + period reads >= 0.3 (Postgres, then SQLite)",
         f"{_lowest(pair_cold, top)}; Postgres's leanest read of a point (bench/floor.py): "
         f"{leanest[0].rps / top:.2f}", all(r.rps >= 0.3 * top for r in pair_cold)),
        ("Uncached list pages of 100 >= 0.2 (Postgres, then SQLite)",
         f"{_lowest(list_cold, top)}; Postgres's leanest read of a page (bench/floor.py): "
         f"{leanest[1].rps / top:.2f}", all(r.rps >= 0.2 * top for r in list_cold)),
        (f"Pair + period p95 < 5 ms, one connection ({settings['figures']:,} figures)",
         ", ".join(f"{r.name} {r.p95_ms:.1f} ms" for r in single),
         all(r.p95_ms < 5 for r in single)),
        ("Pair + period p95 <= 1.5 x the 10,000-figure store's",
         ", ".join(f"{big.name} {big.p95_ms / max(little.p95_ms, 0.001):.2f} x"
                   for big, little in zip(single, small, strict=True)),
         all(big.p95_ms <= 1.5 * little.p95_ms for big, little in zip(single, small, strict=True))),
        *((f"Import (UN Comtrade, {result.store}, {run.base_figures:,} figures before) "
           f">= {target:,} rows/s",
           f"{result.rate(run.seconds):,.0f} rows/s; the engine's own load of the raw rows: "
           f"{result.rate(result.engine_floor_seconds):,.0f} rows/s",
           result.rate(run.seconds) >= target)
          for result, target in zip(imported, IMPORT_TARGETS, strict=True)
          for run in result.runs),
        *((f"Import of the same file again ({result.store}, {run.base_figures:,} figures "
           f"before) >= {REIMPORT_TARGET:,} rows/s",
           f"{result.rate(run.again_seconds):,.0f} rows/s (recognised by its bytes); the "
           f"same rows in other bytes, through the full diff: "
           f"{result.rate(run.other_bytes_seconds):,.0f} rows/s",
           result.rate(run.again_seconds) >= REIMPORT_TARGET)
          for result in imported for run in result.runs),
        ("Import peak RSS <= 500 MiB",
         ", ".join(f"{r.store} {max(run.peak_rss_mib for run in r.runs):.0f} MiB"
                   for r in imported),
         all(run.peak_rss_mib <= 500 for r in imported for run in r.runs)),
        ("Postgres: <= 120 bytes per figure, indexes included",
         ", ".join(f"{r.store} {r.bytes_per_figure:.1f} B" for r in imported),
         imported[0].bytes_per_figure <= 120),
        (f"CSV export of {exported:,} figures: < 50 MB server memory growth",
         f"{growth:.1f} MiB in {export_seconds:.0f} s", growth < 50),
    ]  # fmt: skip
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); every figure below comes from one run on the "
        "machine described. Every ratio is to the **ceiling**: a bare FastAPI app returning a "
        "constant JSON (bench/bare.py), served by uvicorn with the settings `tradestats serve` "
        "uses, measured in the same run. tradestats runs as `tradestats serve` does by "
        "default, access log on.",
        "",
        "## Machine and settings",
        "",
        *(f"- {key}: {value}" for key, value in versions.items()),
        *(
            f"- {key}: {value:,}" if isinstance(value, int) else f"- {key}: {value}"
            for key, value in settings.items()
        ),
        f"- Load: wrk, 2 threads, over loopback. Cold runs rotate through 2,000 pair and year "
        f"combinations per endpoint, hot runs through {HOT_PATHS} (a dashboard's working set).",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        *(f"| {name} | {measured} | {_verdict(ok)} |" for name, measured, ok in targets),
        "",
        "## The ceiling",
        "",
        *_table([ceiling], top),
        "",
        "## SQLite, the store as `make run` makes it: hot reads (response cache on)",
        "",
        *_table(sqlite_hot, top),
        "",
        "## SQLite: uncached reads (response cache off)",
        "",
        *_table(sqlite_cold, top),
        "",
        "## Postgres: hot reads (response cache on, repeated queries)",
        "",
        *_table(hot, top),
        "",
        "## Postgres: uncached reads (response cache off: every request queries Postgres)",
        "",
        *_table(cold, top),
        "",
        "The floor on Postgres (bench/floor.py): a bare FastAPI app, served as the ceiling is, "
        "that reads the same paths through asyncpg, each in one prepared statement, with no "
        "middleware, validation or rendering: a pair's stored point of the year, answered as "
        "its stored body; a pair-year list page from the narrow tables, answered as the raw "
        "rows with orjson (no references, words or links). No design that reads the store "
        "for each request can answer faster on this machine.",
        "",
        *_table(leanest, top),
        "",
        "## Postgres: uncached pair + period reads, one connection at a time",
        "",
        f"On the {settings['figures']:,}-figure store:",
        "",
        *_table(single, top),
        "",
        "On a 10,000-figure store:",
        "",
        *_table(small, top),
        "",
        "## Imports",
        "",
        *_import_table(imported),
        "",
        "## Query plan of a pair + period read",
        "",
        "The app's own statement (exports of one year, TOTAL, both reporters), prepared and",
        "run once before, as on an app connection (`plan_cache_mode`, `app/core/db.py`).",
        "",
        "```",
        plan,
        "```",
        "",
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines))


if __name__ == "__main__":
    app()
