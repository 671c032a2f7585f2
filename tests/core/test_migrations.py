"""Migrations build the same store on every backend, and undo exactly what they do."""

import ast
import re
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, select

from app.core import migrations
from app.core.db import Base
from app.core.db import create_db_engine as make_engine
from app.core.db_types import Coded, Vocabulary
from app.observations.models import include_name, include_object
from tests.databases import Databases

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
SEED_TABLES = ("sources", "figures", "releases", "relation_facts")


def _snapshot(url: str) -> dict[str, Any]:
    """Every table's columns and rows, ordered, so two databases can be compared."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        snapshot: dict[str, Any] = {}
        with engine.connect() as connection:
            for name, reflected in sorted(metadata.tables.items()):
                order = list(reflected.primary_key.columns) or list(reflected.columns)
                rows = connection.execute(select(reflected).order_by(*order)).all()
                schema = sorted(
                    (column.name, str(column.type), column.nullable) for column in reflected.columns
                )
                constraints = sorted(str(c.name) for c in reflected.constraints)
                snapshot[name] = (schema, constraints, [tuple(row) for row in rows])
        return snapshot
    finally:
        engine.dispose()


def test_round_trip_leaves_an_identical_database(databases: Databases) -> None:
    with databases.empty() as url:
        migrations.upgrade(url)
        first = _snapshot(url)
        migrations.downgrade(url, "base")
        emptied = _snapshot(url)
        migrations.upgrade(url)
        again = _snapshot(url)
    assert first == again
    assert set(emptied) == {"alembic_version"}
    # The 13 seeded figures, and the 5 revisions that make their statements match periods.
    assert len(first["figures"][2]) == 13 + 5


def test_seed_downgrade_removes_exactly_what_it_added(databases: Databases) -> None:
    with databases.empty() as url:
        migrations.upgrade(url, "0002_reference_data")
        before = _snapshot(url)
        migrations.upgrade(url)
        seeded = _snapshot(url)
        migrations.downgrade(url, "0002_reference_data")
        after = _snapshot(url)
    assert all(seeded[name][2] for name in SEED_TABLES)
    assert {k: v for k, v in before.items() if k != "alembic_version"} == {
        k: v for k, v in after.items() if k != "alembic_version"
    }


def test_models_match_migrations(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": include_name,
                    "include_object": include_object,
                },
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrations_do_not_import_app_models() -> None:
    for path in VERSIONS.glob("*.py"):
        imported = [
            node.module or ""
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom)
        ]
        assert all(
            not module.startswith("app") or module == "app.core.db_types" for module in imported
        ), path.name


def test_every_vocabulary_check_in_the_store_allows_the_models_words(database_url: str) -> None:
    """The migrations wrote each CHECK by hand; the models derive theirs from the enums.
    The two must allow the same words, or a valid figure would be refused (or a bad one
    kept)."""
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        checked = 0
        for table in Base.metadata.sorted_tables:
            stored = [str(item["sqltext"]) for item in inspector.get_check_constraints(table.name)]
            for column in table.columns:
                if not isinstance(column.type, Vocabulary | Coded):
                    continue
                # The check on this column alone: Postgres rewrites IN as = ANY (ARRAY[...]),
                # and a code range `x BETWEEN 1 AND 3` as ((x >= 1) AND (x <= 3)).
                [text] = [
                    item
                    for item in stored
                    if re.match(rf"\(*{column.name}(::text)? (IN|= ANY|BETWEEN|>=)", item)
                ]
                if isinstance(column.type, Coded):
                    low, high = (int(code) for code in re.findall(r"\d+", text))
                    assert set(range(low, high + 1)) == set(column.type.codes.values()), column
                else:
                    words = set(re.findall(r"'([^']*)'", text))
                    assert words == {word.value for word in column.type.allowed}, column
                checked += 1
        assert checked == 10  # figures: 5, releases: 1, relation_facts: 3, api_keys: 1
    finally:
        engine.dispose()
