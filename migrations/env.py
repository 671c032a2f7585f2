"""Alembic environment: runs migrations on DATABASE_URL, or on a connection handed in."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.core.db import Base, create_db_engine
from app.core.settings import get_settings
from app.observations.models import include_name, include_object
from app.trade.stored import bring_up_to_date

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Used only by autogenerate and the drift test; revisions never import models.
import app.models  # noqa: E402, F401

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    if set(context.get_context().get_current_heads()) == set(context.script.get_heads()):
        # Answers stored beside the figures are derived by the application's own code,
        # which revisions never import: a new derivation marks them all here, at head, in
        # a transaction of its own (SQLite's migrations run without one around them all).
        if connection.in_transaction():
            connection.commit()
        with connection.begin():
            bring_up_to_date(Session(bind=connection))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
