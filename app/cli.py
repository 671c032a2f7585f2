"""`tradestats` command line: migrate, serve, manage API keys, import files."""

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.auth import service as keys_service
from app.auth.models import Scope
from app.auth.service import KeyManagementError
from app.core.db import create_db_engine, write_session_on
from app.core.observability import MULTIPROC_VARIABLE, logging_config
from app.core.settings import Settings, get_settings
from app.imports import service as imports
from app.imports.files import MAX_INFLATION
from app.imports.service import ImportFailedError
from app.shared.vocabulary import HsVersion, hs_version_in_name

cli = typer.Typer(help="tradestats: bilateral trade statistics API.", no_args_is_help=True)
keys = typer.Typer(help="API keys for writes: create, list, revoke.", no_args_is_help=True)
cli.add_typer(keys, name="keys")
console = Console()
errors = Console(stderr=True)


@contextmanager
def _session() -> Iterator[Session]:
    with _connection() as connection, write_session_on(connection) as session:
        yield session


@contextmanager
def _connection() -> Iterator[Connection]:
    engine = create_db_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Alembic revision to upgrade to.")] = "head",
) -> None:
    """Create or upgrade the store's schema and seed data (DATABASE_URL)."""
    from app.core import migrations  # Alembic loads only for the commands that need it

    migrations.upgrade(get_settings().database_url, revision)


@cli.command()
def derive() -> None:
    """Derive now the stored answers of every pair whose totals changed since they were
    derived (a server derives each as reads first ask for it)."""
    from app.trade import stored

    derived = 0
    with _connection() as connection, write_session_on(connection) as session:
        while True:
            # A batch a transaction: a server's writes wait for one batch at most.
            with session.begin():
                batch = stored.derive_stale(session, limit=50)
            derived += batch
            if not batch:
                break
    console.print(f"{derived} pair{'' if derived == 1 else 's'} derived")


@cli.command()
def serve(
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the API with uvicorn on HOST:PORT."""
    settings = get_settings()
    # Workers build their own settings from the environment: pass the choice on.
    os.environ["ACCESS_LOG"] = "true" if access_log else "false"
    with shared_metrics(workers):
        _run(settings, workers, reload)


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """With several workers, /metrics adds up every worker's counts (Prometheus's
    multiprocess mode): each worker writes its values to files in one fresh folder.

    A single worker keeps them in memory. The folder must be set before a worker imports
    prometheus_client, which uvicorn's spawned workers do after this.
    """
    if workers == 1 or os.environ.get(MULTIPROC_VARIABLE):
        yield
        return
    folder = tempfile.mkdtemp(prefix="tradestats-metrics-")
    os.environ[MULTIPROC_VARIABLE] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROC_VARIABLE]
        shutil.rmtree(folder, ignore_errors=True)


def uvicorn_options(settings: Settings, workers: int) -> dict[str, Any]:
    """How `serve` runs uvicorn; the benchmark serves its bare baseline app the same way."""
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": workers,
        # The app logs each request itself, with its id and duration (AccessLog).
        "access_log": False,
        "log_config": logging_config(settings.log_json),
        "proxy_headers": True,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # httptools, with limits on the request head's size and time (app.http_limits).
        "http": "app.http.http_limits:LimitedHttpToolsProtocol",
        "limit_concurrency": settings.max_connections,
        "timeout_graceful_shutdown": 30,
    }


def _run(settings: Settings, workers: int, reload: bool) -> None:
    from app.core.serving import serve  # only `serve` needs the server

    serve("app.main:create_app", reload=reload, **uvicorn_options(settings, workers))


@keys.command("create")
def create_key(
    name: Annotated[str, typer.Option(help="A name to know the key by, e.g. the client's.")],
    scope: Annotated[Scope, typer.Option(help="write, or admin (write and more).")] = Scope.WRITE,
) -> None:
    """Create a key and print it once: it cannot be shown again."""
    with _session() as session, session.begin():
        try:
            new = keys_service.create(session, name, scope)
        except KeyManagementError as error:
            errors.print(f"error: {error}")
            raise typer.Exit(1) from None
    errors.print(f"Created key '{new.name}' with scope {new.scope}. Store it now:")
    print(new.secret)


@keys.command("list")
def list_keys() -> None:
    """List keys by name (the keys themselves are never shown)."""
    table = Table("name", "scope", "created", "revoked")
    with _session() as session:
        for key in keys_service.list_keys(session):
            revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
            table.add_row(
                key.name, key.scope, key.created_at.isoformat(timespec="seconds"), revoked
            )
    console.print(table)


@keys.command("revoke")
def revoke_key(name: Annotated[str, typer.Argument(help="Name of the key.")]) -> None:
    """Revoke a key: requests with it get 403 from now on."""
    with _session() as session, session.begin():
        try:
            keys_service.revoke(session, name)
        except KeyManagementError as error:
            errors.print(f"error: {error}")
            raise typer.Exit(1) from None
    errors.print(f"Revoked key '{name}'.")


@cli.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file to import.")],
    source: Annotated[
        int | None,
        typer.Option(
            help="Id of the source of every figure: needed for a UN Comtrade or BACI file "
            "(the tradestats layout names its source per row)."
        ),
    ] = None,
    classification: Annotated[
        HsVersion | None,
        typer.Option(
            help="HS version the file's commodity codes are in, recorded on the source. "
            "Needed for BACI; read from a name such as BACI_HS17_Y2019_V202401.csv."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(help="Import the good rows and list the bad ones (default: all or none)."),
    ] = False,
    refuse_breakdowns: Annotated[
        bool,
        typer.Option(
            help="A UN Comtrade row that breaks a figure down (motCode, customsCode, "
            "partner2Code) is a bad row (default: left out and counted)."
        ),
    ] = False,
) -> None:
    """Import a CSV file (tradestats, UN Comtrade or CEPII BACI layout): every row or none,
    unless --skip-bad-rows.

    Comma, semicolon or tab separated, plain or gzip-compressed; UTF-8, UTF-16 or
    Windows-1252: detected from the file.
    """
    size = file.stat().st_size
    with (
        _connection() as connection,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=errors,
            transient=True,
            disable=not errors.is_terminal,
        ) as progress,
        file.open("rb") as raw,
    ):
        task = progress.add_task(f"Importing {file.name}", total=size)
        try:
            report = imports.run(
                connection,
                raw,
                source_id=source,
                recorded_by="cli",
                error_limit=get_settings().import_error_limit,
                max_inflated_bytes=get_settings().import_max_bytes * MAX_INFLATION,
                on_progress=lambda: progress.update(task, completed=raw.tell()),
                choices=imports.Choices(
                    skip_bad_rows=skip_bad_rows,
                    refuse_breakdowns=refuse_breakdowns,
                    classification=(
                        classification.value
                        if classification is not None
                        else hs_version_in_name(file.name)
                    ),
                ),
            )
        except ImportFailedError as failure:
            report = failure.report
            progress.stop()
            if as_json:
                print(json.dumps(report.as_dict(), indent=2))
            for error in report.errors:
                column = f", column {error['column']}" if error["column"] else ""
                errors.print(f"line {error['line']}{column}: {error['reason']}")
            errors.print(imports.failure_title(report))
            raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    verdict = "changed the store" if report.changed else "changed nothing (already imported)"
    console.print(
        f"{file.name} ({report.layout} layout): {report.rows} rows, {report.figures} figures: "
        f"{report.added} added, {report.revised} revised, {report.unchanged} unchanged; "
        f"{verdict}."
    )
    for reason, count in report.left_out.items():
        console.print(f"Left out: {count} {reason}.")
    if report.skipped:
        for error in report.errors:
            column = f", column {error['column']}" if error["column"] else ""
            errors.print(f"line {error['line']}{column}: {error['reason']}")
        errors.print(f"Skipped {report.skipped} bad rows (--skip-bad-rows); the rest imported.")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
    sys.exit(0)
