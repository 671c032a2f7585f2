"""A pair read over a span asks the store once (Postgres) with a plan prepared once per
connection, and finds what a read of the whole pair finds inside the span. A read of one
period's point loads only the levels it rests on, and answers as the series does."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core.db import PLAN_CACHE_MODE, create_db_engine
from app.core.settings import get_settings
from app.observations import repository
from app.observations.repository import PairScope
from tests.databases import Databases
from tests.helpers import import_lines

SPAN = (date(2018, 1, 1), date(2018, 12, 31))


def test_a_pair_read_over_a_span_finds_the_pairs_figures_inside_it(databases: Databases) -> None:
    with databases.migrated() as url:
        engine = create_db_engine(url)
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(str(args[2]))

        try:
            with Session(engine) as session:
                everything = repository.pair_facts(session, "AZE", "KAZ")
                event.listen(engine, "before_cursor_execute", record)
                inside = repository.pair_facts(session, "AZE", "KAZ", PairScope(window=SPAN))
                event.remove(engine, "before_cursor_execute", record)
                postgres = engine.dialect.name == "postgresql"
                if postgres:
                    mode = session.execute(text("SHOW plan_cache_mode")).scalar_one()
                    assert mode == PLAN_CACHE_MODE
        finally:
            engine.dispose()
    expected = [
        fact.id
        for fact in everything
        if SPAN[0] <= fact.period.start and fact.period.end <= SPAN[1]
    ]
    assert expected  # the seeded article has 2018 figures of the pair, and others
    assert len(expected) < len(everything)
    assert [fact.id for fact in inside] == expected
    # Postgres: the period ids come from a subquery of the same statement; SQLite reads
    # them first.
    assert len(statements) == (1 if postgres else 2), statements


def test_a_span_whose_period_ids_are_not_adjacent_leaves_out_the_periods_between(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Periods get ids in the order they first arrive: here 2017, 2019, then January
    2018. A read of 2017-2018 takes in the ids from 2017's to January 2018's, 2019's
    among them, and must still leave 2019 out."""
    upload = tmp_path / "interleaved.csv"
    upload.write_text(
        "period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
        "2017,ARM,X,GEO,TOTAL,100\n"
        "2019,ARM,X,GEO,TOTAL,300\n"
        "201801,ARM,X,GEO,TOTAL,20\n"
    )
    with databases.migrated() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            imported = CliRunner().invoke(cli, ["import", str(upload), "--source", "1"])
        finally:
            get_settings.cache_clear()
        assert imported.exit_code == 0, imported.output
        engine = create_db_engine(url)
        try:
            with Session(engine) as session:
                ids = {
                    str(label): int(number)
                    for label, number in session.execute(
                        text(
                            "SELECT label, id FROM periods "
                            "WHERE label IN ('2017', '2019', '2018-01')"
                        )
                    )
                }
                window = (date(2017, 1, 1), date(2018, 12, 31))
                inside = repository.pair_facts(session, "ARM", "GEO", PairScope(window=window))
        finally:
            engine.dispose()
    assert ids["2017"] < ids["2019"] < ids["2018-01"], ids
    assert sorted((fact.period.label, fact.value) for fact in inside) == [
        ("2017", Decimal(100)),
        ("2018-01", Decimal(20)),
    ]


def _monthly_lines(reporter: str, partner: str, flow: str) -> list[str]:
    """A UN Comtrade file's monthly totals, 2016-2019 (after helpers.COMTRADE_HEADER)."""
    return [
        f"{year}{month:02d},{reporter},{flow},{partner},TOTAL,,{year * 10 + month}"
        for year in range(2016, 2020)
        for month in range(1, 13)
    ]


def test_a_point_read_loads_the_levels_of_its_period_and_the_year_before(
    databases: Databases,
) -> None:
    with databases.migrated() as url:
        engine = create_db_engine(url)
        try:
            import_lines(engine, _monthly_lines("ARM", "GEO", "X"))
            with Session(engine) as session:
                scope = PairScope(
                    total_only=True,
                    window=(date(2017, 1, 1), date(2019, 12, 31)),
                    levels_at=((date(2017, 6, 1), date(2017, 6, 30)),
                               (date(2018, 6, 1), date(2018, 6, 30))),
                )  # fmt: skip
                facts = repository.pair_facts(session, "ARM", "GEO", scope)
        finally:
            engine.dispose()
    assert sorted((fact.period.label, fact.value) for fact in facts) == [
        ("2017-06", Decimal(20176)),
        ("2018-06", Decimal(20186)),
    ]


@pytest.mark.anyio
async def test_a_point_read_answers_what_the_series_answers_for_its_period(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    """The seeded pair has rates that link its Jan-Sep spans, and here months around
    them: the read of 2017-01/2017-09 needs the 2018 span's level and rate (the store is
    asked again for the whole window), the read of 2018-01/2018-09 does not."""
    import_lines(engine, _monthly_lines("AZE", "KAZ", "X") + _monthly_lines("KAZ", "AZE", "X"))
    compared = 0
    for path in ("AZ/KZ", "KZ/AZ"):
        for endpoint in ("turnover", "exports", "imports"):
            series = await client.get(f"/v1/trade/{path}/{endpoint}")
            assert series.status_code == 200, series.text
            for point in series.json()["series"]:
                label = point["period"]["label"]
                one = await client.get(f"/v1/trade/{path}/{endpoint}?period={label}")
                assert one.status_code == 200, one.text
                answer = one.json()
                assert answer.pop("pair") == series.json()["pair"]
                if endpoint != "turnover":
                    assert answer.pop("flow") == series.json()["flow"]
                assert answer == point, (path, endpoint, label)
                compared += 1
    # Each direction's 48 months and the seeded spans, in each of the six reads.
    assert compared >= 6 * 48
