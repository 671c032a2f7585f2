"""The stored answers read with no ORM session (`app.trade.stored_reads`): a pair's codes
are learnt once, in any of their forms; later reads open no session and answer the
bytes the ledger renders; on Postgres, from a pool of the running event loop's own."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.api.deps import runtime_of
from app.countries import service as countries
from app.shared.periods import parse_period
from app.trade import repository, stored
from app.trade.stored_reads import StoredReads, asyncpg_target

pytestmark = pytest.mark.anyio

# The seeded pair in every form a path may name it; each form is learnt on first use.
FORMS = [("AZ", "KZ"), ("aze", "kaz"), ("031", "398"), ("31", "KZ"), ("Az", "kAz")]


def _derive(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        stored.derive_stale(session)


async def test_later_reads_open_no_session(
    app: FastAPI,
    client: httpx.AsyncClient,
    router_client: httpx.AsyncClient,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _derive(engine)
    urls = [
        f"/v1/trade/{a}/{b}/{operation}?period=2018-01/2018-09"
        for a, b in FORMS
        for operation in ("turnover", "exports", "imports", "balance")
    ]
    expected = {url: (await router_client.get(url)).content for url in urls}
    for url in urls:  # learns every form
        assert (await client.get(url)).content == expected[url], url

    state = runtime_of(app)

    def no_session(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a read of a learnt pair opened a session")

    monkeypatch.setattr(state, "sessions", no_session)
    for url in urls:
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert answer.content == expected[url], url


async def test_a_country_is_no_pair_with_itself(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    _derive(engine)
    await client.get("/v1/trade/AZ/KZ/exports")  # AZ and KZ learnt
    for url in ("/v1/trade/AZ/aze/exports", "/v1/trade/031/AZ/turnover?period=2018"):
        answer, expected = await client.get(url), await router_client.get(url)
        assert answer.status_code == 404, url
        assert answer.json()["detail"] == expected.json()["detail"]
        assert "both codes name Azerbaijan" in answer.json()["detail"]


def _reads(engine: Engine) -> tuple[StoredReads, Any]:
    reads = StoredReads(engine, connections=2)
    with Session(engine) as session:
        pair = (
            countries.resolve(session, "AZ", parameter="a"),
            countries.resolve(session, "KZ", parameter="b"),
        )
    return reads, reads.learn("AZ", "KZ", pair)


def test_the_pool_serves_the_loop_that_opened_it(engine: Engine) -> None:
    """On Postgres, the worker's loop reads on the pool its lifespan opened; another loop
    (a test client's own) is refused, for the session's read to answer. SQLite reads on
    a connection of its own in any loop of the thread that first read, and refuses
    other threads."""
    _derive(engine)
    reads, pair = _reads(engine)
    period = parse_period("2018-01/2018-09")

    async def one() -> bytes | None:
        return await reads.answer(pair, "exports", period, None)

    async def opened_then_read() -> bytes | None:
        await reads.open()
        return await one()

    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(opened_then_read())
        again = loop.run_until_complete(one())
        if engine.dialect.name == "postgresql":
            with pytest.raises(LookupError):
                asyncio.run(one())
        else:
            assert asyncio.run(one()) == first
            # Another thread is refused: the connection is one thread's alone.
            with ThreadPoolExecutor(1) as other:
                with pytest.raises(LookupError):
                    other.submit(asyncio.run, one()).result()
                # Made in another thread, it closes in this one (a lifespan's end, a test).
                elsewhere, _ = _reads(engine)
                read = elsewhere.answer(pair, "exports", period, None)
                assert other.submit(asyncio.run, read).result() == first
                elsewhere.close_sqlite()
    finally:
        loop.run_until_complete(reads.close())
        loop.close()
    assert first is not None
    assert b'"flow":"export"' in first
    assert again == first


async def test_a_stale_pair_is_refused(engine: Engine) -> None:
    _derive(engine)
    reads, pair = _reads(engine)
    await reads.open()
    try:
        assert await reads.answer(pair, "turnover", None, None) is not None
        with Session(engine) as session, session.begin():
            repository.mark_stale(session, [(pair.a, pair.b)])
        with pytest.raises(stored.StalePointsError):
            await reads.answer(pair, "turnover", None, None)
    finally:
        await reads.close()


def test_libpq_options_asyncpg_does_not_know_stay_out_of_its_dsn() -> None:
    url = make_url(
        "postgresql+psycopg://writer:p%40ss@db.example:6543/trade"
        "?connect_timeout=1&sslmode=require&keepalives=1&application_name=tradestats"
    )
    dsn, timeout = asyncpg_target(url)
    assert timeout == 1.0
    parsed = make_url(dsn)
    assert parsed.drivername == "postgresql"
    assert (parsed.username, parsed.password) == ("writer", "p@ss")
    assert (parsed.host, parsed.port, parsed.database) == ("db.example", 6543, "trade")
    assert dict(parsed.query) == {"sslmode": "require", "application_name": "tradestats"}
    # A URL without a timeout gets a short one: a store away is answered as away.
    assert asyncpg_target(make_url("postgresql+psycopg://h/d"))[1] == 2.0
