"""Throw-away databases for tests: one migrated template per backend, a fresh copy per test."""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core import migrations

POSTGRES_URL_VARIABLE = "TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


class SqliteDatabases:
    """Migrate one SQLite file, then hand out copies of it."""

    name = "sqlite"

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="tradestats-test-"))
        self.template_url = self.url_for(self._folder / "template.db")

    @staticmethod
    def url_for(path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare(self) -> None:
        migrations.upgrade(self.template_url)

    @contextmanager
    def empty(self) -> Iterator[str]:
        path = self._folder / f"{uuid.uuid4().hex}.db"
        try:
            yield self.url_for(path)
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def migrated(self) -> Iterator[str]:
        with self.empty() as url:
            shutil.copyfile(self._folder / "template.db", make_url(url).database or "")
            yield url

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


class PostgresDatabases:
    """Create a migrated template database, then clone it per test with CREATE DATABASE."""

    name = "postgres"

    def __init__(self, admin_url: str) -> None:
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._base = make_url(admin_url)
        self._template = f"tradestats_test_tmpl_{uuid.uuid4().hex[:12]}"
        self.template_url = self._url(self._template)

    def _url(self, database: str) -> str:
        return self._base.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(statement))

    def prepare(self) -> None:
        self._execute(f'CREATE DATABASE "{self._template}"')
        migrations.upgrade(self.template_url)

    @contextmanager
    def _database(self, template: str) -> Iterator[str]:
        name = f"tradestats_test_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield self._url(name)
        finally:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def empty(self) -> Iterator[str]:
        with self._database("template0") as url:
            yield url

    @contextmanager
    def migrated(self) -> Iterator[str]:
        with self._database(self._template) as url:
            yield url

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self._admin.dispose()


Databases = SqliteDatabases | PostgresDatabases
