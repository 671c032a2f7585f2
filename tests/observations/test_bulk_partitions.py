"""A large write on Postgres goes into a partition of its own (migration 0015), with
indexes built after its rows, and is diffed against the current figures of its pairs and
periods only: what it stores, and every revision rule, are as for a small write. SQLite
has no partitions: there the same steps must give the same answers through its one
table."""

from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine, text

from app.core import migrations
from app.core.db import create_db_engine
from app.observations import staging
from app.observations.models import BLOCK_START
from app.observations.staging import tables
from tests.databases import Databases
from tests.helpers import import_lines

CODES = ["AZE", "KAZ", "GEO", "ARM", "TUR"]
LINES = [
    f"{year},{reporter},X,{partner},{chapter:02d},{year + chapter},{chapter}.25"
    for year in (1971, 1972)
    for reporter in CODES
    for partner in CODES
    if reporter != partner
    for chapter in (1, 2, 3)
]
FIGURES = 2 * len(LINES)  # a value and a weight each
# Every column a reader sees, but the id (a bulk block has ids of its own) and the time
# of a revision (whether it is current instead).
COLUMNS = (
    "reporter_code, partner_code, flow, commodity_code, period, period_start, period_end, "
    "measure, value, unit, qualifier, status, source_id, statement, revision, "
    "valid_to IS NULL AS current, "
    "retracted, attribution, reporter_stated"
)


def _figures(connection: Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            text(
                f"SELECT {COLUMNS} FROM observations WHERE period IN ('1971', '1972') "
                "ORDER BY reporter_code, partner_code, commodity_code, period, measure, revision"
            )
        )
    ]


def _bulk_partitions(connection: Connection) -> list[str]:
    if connection.dialect.name != "postgresql":
        return []
    return [
        str(name)
        for (name,) in connection.exec_driver_sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = 'figures'::regclass ORDER BY 1"
        )
        if str(name).startswith("figures_bulk_")
    ]


def _history(databases: Databases, threshold: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import the file, the same file again, then the file with one value changed: the
    reports, the figures after each step, the partitions, and the ids of the first load."""
    # The large-write paths: a partition of its own, and the diff against the current
    # figures of the write's pairs and periods only.
    monkeypatch.setattr(tables, "PARTITION_MIN_FIGURES", threshold)
    monkeypatch.setattr(tables, "LARGE_WRITE_FIGURES", threshold)
    changed = [LINES[0].replace(".25\n", ".75\n").replace(",1.25", ",1.75"), *LINES[1:]]
    assert changed[0] != LINES[0]
    with databases.migrated() as url:
        engine = create_db_engine(url)
        try:
            reports, states = [], []
            for lines in (LINES, LINES, changed):
                report = import_lines(engine, lines)
                reports.append((report.added, report.revised, report.unchanged))
                with engine.connect() as connection:
                    states.append(_figures(connection))
            with engine.connect() as connection:
                partitions = _bulk_partitions(connection)
                ids = connection.execute(
                    text(
                        "SELECT min(id), max(id) FROM observations "
                        "WHERE period = '1971' AND revision = 1"
                    )
                ).one()
                superseded = connection.execute(
                    text(
                        "SELECT id FROM observations WHERE valid_to IS NOT NULL "
                        "AND period IN ('1971', '1972')"
                    )
                ).scalar_one()
                current = connection.execute(
                    text(
                        "SELECT id FROM observations WHERE valid_to IS NULL AND revision = 2 "
                        "AND period IN ('1971', '1972')"
                    )
                ).scalar_one()
        finally:
            engine.dispose()
    return reports, states, partitions, ids, (superseded, current)


def test_a_bulk_load_in_a_partition_stores_and_revises_as_the_live_table(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk = _history(databases, threshold=10, monkeypatch=monkeypatch)
    live = _history(databases, threshold=10**9, monkeypatch=monkeypatch)
    reports, states, partitions, (low, high), (superseded, current) = bulk
    # Added, then unchanged, then one figure revised: the same in both stores.
    assert reports == [(FIGURES, 0, 0), (0, 0, FIGURES), (0, 1, FIGURES - 1)]
    assert reports == live[0]
    # Every reader-visible column of every revision is the same, ids aside.
    assert states == live[1]
    assert len(states[2]) == FIGURES + 1
    assert live[2] == []
    if databases.name == "postgres":
        # One partition, for the first load; the revision of one figure is a small write.
        assert partitions == ["figures_bulk_1"]
        assert BLOCK_START <= low <= high < 2 * BLOCK_START
        assert superseded >= BLOCK_START > current
    else:
        assert partitions == []
        assert high < BLOCK_START


def test_a_large_write_on_sqlite_gives_its_connection_back_with_the_default_page_cache(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge of a large write widens SQLite's page cache for itself only: the pooled
    connection goes back with SQLite's default."""
    monkeypatch.setattr(tables, "LARGE_WRITE_FIGURES", 10)
    seen: list[int] = []
    original = staging.StagedWrite._merge

    def observed(self: staging.StagedWrite) -> tables.WriteSummary:
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            seen.append(int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one()))
        return original(self)

    monkeypatch.setattr(staging.StagedWrite, "_merge", observed)
    with databases.migrated() as url:
        engine = create_db_engine(url, pool_size=1)
        try:
            with engine.connect() as connection:
                import_lines(connection, LINES)
                if databases.name == "postgres":
                    assert seen == []  # Postgres's merge has no page cache of its own
                    return
                after = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        finally:
            engine.dispose()
    assert seen == [-tables.SQLITE_MERGE_CACHE_KIB]
    assert after == -tables.SQLITE_DEFAULT_CACHE_KIB


@pytest.mark.anyio
async def test_figures_of_a_bulk_load_are_read_and_paged_by_their_ids(
    client: httpx.AsyncClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids of a bulk block (2**40 and up on Postgres) work wherever an id does: a figure
    read by its id, and a list followed page by page through `links.next`."""
    monkeypatch.setattr(tables, "PARTITION_MIN_FIGURES", 10)
    assert import_lines(engine, LINES).added == FIGURES
    seen: list[int] = []
    path: str | None = "/v1/observations?period=1971&limit=7"
    while path is not None:
        page = (await client.get(path)).json()
        seen += [figure["id"] for figure in page["data"]]
        path = page["links"]["next"]
    assert len(seen) == FIGURES // 2 == len(set(seen))
    assert seen == sorted(seen)
    if engine.dialect.name == "postgresql":
        assert seen[0] >= BLOCK_START
    figure = (await client.get(f"/v1/observations/{seen[-1]}")).json()
    assert (figure["id"], figure["period"]["label"]) == (seen[-1], "1971")


def test_a_store_with_bulk_partitions_takes_re_exports_after_migration_0020(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bulk partitions carry a copy of the flow check of their own: 0020 widens it on
    every partition, both ways, and a bulk load of re-exports lands in a new one."""
    monkeypatch.setattr(tables, "PARTITION_MIN_FIGURES", 10)
    monkeypatch.setattr(tables, "LARGE_WRITE_FIGURES", 10)
    re_exports = [line.replace(",X,", ",RX,").replace("1971,", "1973,", 1) for line in LINES]
    with databases.migrated() as url:
        engine = create_db_engine(url)
        try:
            import_lines(engine, LINES)
            engine.dispose()
            migrations.downgrade(url, "0019_view_commodity_key")
            migrations.upgrade(url)
            report = import_lines(engine, [r for r in re_exports if r.startswith("1973,")])
            with engine.connect() as connection:
                flows = connection.execute(
                    text("SELECT DISTINCT flow FROM observations WHERE period = '1973'")
                ).all()
                partitions = _bulk_partitions(connection)
        finally:
            engine.dispose()
    assert report.added == FIGURES // 2
    assert flows == [("re_export",)]
    if databases.name == "postgres":
        assert partitions == ["figures_bulk_1", "figures_bulk_2"]
