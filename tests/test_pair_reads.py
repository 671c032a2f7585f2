"""A pair read over a span asks the store once (Postgres) with a plan prepared once per
connection, and finds what a read of the whole pair finds inside the span."""

from datetime import date
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.db import PLAN_CACHE_MODE, create_db_engine
from app.observations import repository
from app.observations.repository import PairScope
from tests.databases import Databases

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
