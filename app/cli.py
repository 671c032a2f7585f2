"""`tradestats` command line: migrate the store and serve the API."""

import typer
import uvicorn

from app import migrations
from app.settings import get_settings

cli = typer.Typer(help="tradestats: bilateral trade statistics API.", no_args_is_help=True)


@cli.command()
def migrate(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Create or upgrade the store's schema and seed data (DATABASE_URL)."""
    migrations.upgrade(get_settings().database_url, revision)


@cli.command()
def serve(
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the API with uvicorn on HOST:PORT."""
    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
