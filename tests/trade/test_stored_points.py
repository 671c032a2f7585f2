"""A pair's turnover, flows and balance are stored as rendered (`app.trade.stored`):
reads of derived points open no ledger; every write of totals (one figure, a revision,
a retraction, an import) marks its pairs stale in its own transaction, so that no read
trusts their old points; the ledger answers them meanwhile, and the pair is derived
again as reads ask for it."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core.db import create_db_engine
from app.trade import repository, service, stored
from app.trade.models import PairPointRow, StoredDerivation
from tests.helpers import import_lines

pytestmark = pytest.mark.anyio

READS = [
    f"/v1/trade/{pair}/{operation}{query}"
    for pair in ("AZ/KZ", "KZ/AZ")
    for operation in ("turnover", "exports", "imports", "balance")
    for query in ("", "?period=2018-01/2018-09", "?period=2017-01/2017-09", "?freq=01/09")
]

FIGURE = {
    "reporter": "KAZ",
    "partner": "AZE",
    "flow": "export",
    "period": "2018-01/2018-09",
    "measure": "trade_value",
    "value": "401000000",
    "unit": "USD",
    "source_id": 1,
    "statement": "Kazakhstan's exports to Azerbaijan, January to September 2018.",
}


async def _same_answers(client: httpx.AsyncClient, router_client: httpx.AsyncClient) -> int:
    """Every read answered alike by the stored points and by the ledger; how many found."""
    found = 0
    for url in READS:
        answered, expected = await client.get(url), await router_client.get(url)
        assert (answered.status_code, answered.content) == (
            expected.status_code,
            expected.content,
        ), url
        found += answered.status_code == 200
    return found


def _points(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(PairPointRow)) or 0


def _marked(engine: Engine) -> int:
    with Session(engine) as session:
        return len(repository.stale_pairs(session, 10_000))


def _derive(engine: Engine) -> int:
    with Session(engine) as session, session.begin():
        return stored.derive_stale(session)


async def test_stored_answers_open_no_ledger(
    client: httpx.AsyncClient,
    router_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    engine: Engine,
) -> None:
    _derive(engine)
    assert _marked(engine) == 0
    expected = {url: (await router_client.get(url)).content for url in READS}

    def no_ledger(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a stored answer opened the ledger")

    monkeypatch.setattr(service, "open_ledger", no_ledger)
    served = 0
    for url in READS:
        response = await client.get(url)
        if response.status_code == 200:
            assert response.content == expected[url], url
            served += 1
    # Every read of the seeded pair but the 404s (no balance of a span without both flows).
    assert served >= len(READS) - 4


async def _after_write(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    """Marked by the write; answered as the ledger answers, marked or derived again."""
    assert _marked(engine) == 1
    await _same_answers(client, router_client)
    assert _derive(engine) in (0, 1)  # the background may have derived it already
    assert _marked(engine) == 0
    await _same_answers(client, router_client)


async def test_writes_mark_the_stored_answers_stale(
    client: httpx.AsyncClient,
    router_client: httpx.AsyncClient,
    auth: dict[str, str],
    engine: Engine,
) -> None:
    _derive(engine)
    seeded_points = _points(engine)
    written = await client.post("/v1/observations", json=FIGURE, headers=auth)
    assert written.status_code == 201, written.text
    await _after_write(client, router_client, engine)
    revised = await client.post(
        "/v1/observations", json={**FIGURE, "value": "402000000"}, headers=auth
    )
    assert revised.status_code == 201, revised.text
    await _after_write(client, router_client, engine)
    exports = await client.get("/v1/trade/KZ/AZ/exports?period=2018-01/2018-09")
    assert exports.json()["value"]["value"] == 402000000
    figure_id = revised.json()["figures"][0]["id"]
    retracted = await client.delete(f"/v1/observations/{figure_id}", headers=auth)
    assert retracted.status_code == 200, retracted.text
    await _after_write(client, router_client, engine)
    months = [f"2016{month:02d},AZE,X,KAZ,TOTAL,,{month * 1000}" for month in range(1, 13)]
    import_lines(engine, months)
    await _after_write(client, router_client, engine)
    assert _points(engine) > seeded_points


async def test_a_stale_read_asks_for_the_pair_to_be_derived(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    assert _marked(engine) == 1  # the seeded pair, marked by the migration
    answered = await client.get("/v1/trade/AZ/KZ/turnover")
    assert answered.status_code == 200
    for _ in range(200):
        if _marked(engine) == 0:
            break
        await asyncio.sleep(0.05)
    assert _marked(engine) == 0
    assert _points(engine) > 0


async def test_commodity_lines_leave_the_stored_answers_alone(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    _derive(engine)
    with Session(engine) as session, session.begin():
        session.execute(update(PairPointRow).values(body=b'{"stale":true}'))
    import_lines(engine, ["2018,AZE,X,KAZ,1001,5,700", "2018,ARM,X,GEO,1001,5,800"])
    with Session(engine) as session:
        bodies = set(session.scalars(select(PairPointRow.body)))
    assert bodies == {b'{"stale":true}'}
    assert _marked(engine) == 0


async def test_a_new_derivation_marks_every_pair_at_the_next_migrate(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    assert _derive(engine) == 1
    derived = _points(engine)
    with Session(engine) as session, session.begin():
        assert stored.bring_up_to_date(session) is None  # current: nothing marked
        session.execute(update(StoredDerivation).values(version=stored.DERIVATION_VERSION - 1))
    with Session(engine) as session, session.begin():
        assert stored.bring_up_to_date(session) == 1  # the seeded pair
    assert _marked(engine) == 1
    await _same_answers(client, router_client)
    assert _derive(engine) in (0, 1)  # the reads asked for it: it may be derived already
    assert _marked(engine) == 0
    assert _points(engine) == derived


def test_the_store_keeps_few_points(app: FastAPI, engine: Engine) -> None:
    """At most four answers per period and order of a pair: eight rows per period."""
    lines = [
        f"{year}{month:02d},{reporter},{flow},{partner},TOTAL,,{year + month}"
        for reporter, partner in (("ARM", "GEO"), ("GEO", "ARM"))
        for flow in ("X", "M")
        for year in range(2015, 2020)
        for month in range(1, 13)
    ]
    _derive(engine)
    seeded = _points(engine)
    import_lines(engine, lines)
    assert _marked(engine) == 1
    assert _derive(engine) == 1
    assert _points(engine) - seeded == 8 * 60


def test_derive_stores_every_marked_pair(cli_runner: CliRunner, database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        import_lines(engine, [f"2019{month:02d},ARM,X,GEO,TOTAL,,{month}" for month in (1, 2)])
        assert _marked(engine) == 2  # the seeded pair (marked at migrate) and this one
        first = cli_runner.invoke(cli, ["derive"])
        assert first.exit_code == 0, first.output
        assert "2 pairs derived" in first.output
        assert _marked(engine) == 0
        again = cli_runner.invoke(cli, ["derive"])
        assert "0 pairs derived" in again.output
    finally:
        engine.dispose()
