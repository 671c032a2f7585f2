"""List pages read from the narrow tables and joined in the worker
(`observations.narrow_pages`) are the view's rows: the same values of the same types in
the same order, for every filter a list takes."""

import asyncio
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import asyncpg
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.observations import service as observations
from app.observations.models import FigureDetail, Observation
from app.observations.narrow_pages import generated_statement
from app.observations.service import ObservationFilter
from app.shared.refcache import StoredKeys
from app.trade.stored_reads import asyncpg_target
from tests.helpers import import_examples

FILTERS = [
    ObservationFilter(),
    ObservationFilter(reporters=("AZE",)),
    ObservationFilter(reporters=("AZE", "GEO"), partners=("KAZ", "WLD", "TUR")),
    ObservationFilter(reporters=("GEO",), flows=("import",)),
    ObservationFilter(flows=("export", "re-export", "no such flow")),
    ObservationFilter(exporter="KAZ"),
    ObservationFilter(importer="KAZ"),
    ObservationFilter(exporter="AZE", importer="KAZ"),
    ObservationFilter(commodities=frozenset({"TOTAL"})),
    ObservationFilter(commodities=frozenset({"TOTAL", "27", "2709"})),
    ObservationFilter(within=(date(2018, 1, 1), date(2018, 12, 31))),
    ObservationFilter(
        reporters=("AZE",), partners=("KAZ",), within=(date(2017, 1, 1), date(2018, 9, 30))
    ),
    ObservationFilter(measure="growth"),
    ObservationFilter(measure="trade_value", status="reported"),
    ObservationFilter(status="no such status"),
    ObservationFilter(source_id=1),
    ObservationFilter(as_of=datetime(2100, 1, 1, tzinfo=UTC)),
]  # fmt: skip


def _typed(row: Any) -> list[tuple[type, Any]]:
    """A row with each value's type, so that 1 and Decimal(1), or a word and its code,
    differ (a vocabulary word is text, whether the engine gives its member or not)."""
    return [
        (str, str(value)) if isinstance(value, StrEnum) else (type(value), value) for value in row
    ]


def _import(engine: Engine) -> None:
    names = ("observations.csv", "comtrade.csv", "comtrade-plus-ge-2020.tsv.gz")
    for report in import_examples(engine, *names):
        assert report.added > 0, report


def test_the_generated_statement_is_the_views(engine: Engine) -> None:
    """Each figure stored without a statement of its own has the one the view spells."""
    _import(engine)
    c, details = Observation.__table__.c, FigureDetail.__table__
    query = select(
        c.reporter_code, c.flow, c.partner_code, c.commodity_code, c.period, c.measure,
        c.statement,
    ).outerjoin(details, details.c.figure_id == c.id)  # fmt: skip
    query = query.where(details.c.statement.is_(None))
    with Session(engine) as session:
        rows = session.execute(query).all()
    assert len(rows) > 30
    kinds = {(row.commodity_code == "TOTAL", "_" in row.measure) for row in rows}
    assert len(kinds) >= 3, kinds  # all goods and HS codes, words with an underscore
    for row in rows:
        spelt = generated_statement(
            row.reporter_code,
            row.flow,
            row.partner_code,
            row.commodity_code,
            row.period,
            row.measure,
        )
        assert spelt == row.statement, row


def test_narrow_pages_are_the_views_rows(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        # The narrow page is Postgres's: SQLite's short pages read the view on the
        # worker's own connection (`list_page_sqlite`); its rows are held to the session's
        # in test_plain_figures.
        with Session(engine) as session:
            assert observations.page(session, ObservationFilter(), None, 10)
        return
    _import(engine)
    dsn, _ = asyncpg_target(engine.url)
    keys = StoredKeys()

    async def pages(criteria: ObservationFilter, after: int | None, limit: int) -> list[Any]:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
        try:
            return list(await observations.narrow_page(pool, keys, criteria, after, limit))
        finally:
            await pool.close()

    matched = 0
    for criteria in FILTERS:
        for after, limit in ((None, 100_000), (3, 7)):
            with Session(engine) as session:
                rows = observations.page(session, criteria, after, limit)
                expected = [tuple(row) for row in rows]
            got = asyncio.run(pages(criteria, after, limit))
            assert [_typed(row) for row in got] == [_typed(row) for row in expected], criteria
            matched += len(got)
    assert matched > 300
    for learnt in (keys.periods, keys.releases, keys.alpha3, keys.commodity_codes):
        assert learnt
