"""ETag, 304, Cache-Control, Vary, gzip and CORS."""

from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import Engine

from app.core.db import write_session_on
from app.observations import service as observations
from app.observations.validation import NewFigure

pytestmark = pytest.mark.anyio

TURNOVER = "/v1/trade/AZ/KZ/turnover?period=2018-01/2018-09"


def _store_reported_turnover(engine: Engine, value: str) -> None:
    """A write straight to the store, past the HTTP layer (as the CLI's would be)."""
    figure = NewFigure(
        reporter_code="AZE",
        partner_code="KAZ",
        flow="turnover",
        commodity_code="TOTAL",
        period="2018-01/2018-09",
        period_start=date(2018, 1, 1),
        period_end=date(2018, 9, 30),
        base_period=None,
        base_period_start=None,
        base_period_end=None,
        measure="trade_value",
        value=Decimal(value),
        value_low=None,
        value_high=None,
        unit="USD",
        qualifier="exact",
        qualifier_wording=None,
        status="reported",
        source_id=1,
        statement="Test figure.",
        note=None,
    )
    # As the CLI writes: holding the write lock from the start (SQLite: BEGIN IMMEDIATE).
    with (
        engine.connect() as connection,
        write_session_on(connection) as session,
        session.begin(),
    ):
        observations.write_checked(session, [figure], recorded_by=None)


async def test_etag_and_revalidation(client: httpx.AsyncClient) -> None:
    first = await client.get(TURNOVER)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    vary = {token.strip() for token in first.headers["vary"].split(",")}
    assert {"Accept", "Accept-Encoding"} <= vary
    again = await client.get(TURNOVER)
    assert again.headers["etag"] == etag
    revalidated = await client.get(TURNOVER, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    other = await client.get(TURNOVER, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200


async def test_etag_differs_by_format(client: httpx.AsyncClient) -> None:
    as_json = await client.get(TURNOVER)
    as_csv = await client.get(TURNOVER, headers={"Accept": "text/csv"})
    assert as_json.headers["etag"] != as_csv.headers["etag"]


async def test_etag_changes_when_the_data_changes(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    before = await client.get(TURNOVER)
    _store_reported_turnover(engine, "170000000")
    after = await client.get(TURNOVER, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["value"]["status"] == "reported"
    untouched = await client.get("/v1/countries/AZ")
    assert untouched.headers["etag"] == (await client.get("/v1/countries/AZ")).headers["etag"]


async def test_large_answers_are_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/countries", params={"limit": 1000}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["data"]) == 249


async def test_cors_opens_reads_not_writes(client: httpx.AsyncClient) -> None:
    origin = {"Origin": "https://dashboard.example"}
    response = await client.get("/v1/countries/AZ", headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    preflight = await client.options(
        "/v1/observations",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-credentials" not in preflight.headers


async def test_one_clients_host_never_reaches_anothers_answer(client: httpx.AsyncClient) -> None:
    path = "/v1/observations?limit=1&reporter=AZ"
    poisoned = await client.get(path, headers={"Host": "evil.example"})
    assert poisoned.status_code == 200
    assert "evil.example" in poisoned.headers["link"]
    for _ in range(2):  # the second would be a hit of the first's entry
        answer = await client.get(path)
        assert "evil.example" not in answer.text
        assert "evil.example" not in answer.headers["link"]
        assert answer.json()["links"]["next"].startswith("http://testserver/")


HEAD_PATHS = [
    "/v1/countries/AZ",
    "/v1/trade/AZ/KZ/exports?period=2018-01/2018-09",
    "/v1/observations?limit=2",
    "/v1/observations/1/history",
    "/v1/sources/1",
    "/v1/commodities/1006",
    "/dashboard",
    "/readyz",
]


@pytest.mark.parametrize("path", HEAD_PATHS)
async def test_head_answers_as_get_without_the_body(client: httpx.AsyncClient, path: str) -> None:
    plain = {"Accept-Encoding": "identity"}
    got = await client.get(path, headers=plain)
    head = await client.head(path, headers=plain)
    assert got.status_code == 200, got.text
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name
    if "etag" in got.headers:
        again = await client.head(path, headers={**plain, "If-None-Match": got.headers["etag"]})
        assert again.status_code == 304


async def test_a_dashboards_preflight_may_revalidate_and_send_its_request_id(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.options(
        "/v1/countries/AZ",
        headers={
            "Origin": "http://dashboard.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, x-request-id",
        },
    )
    assert answer.status_code == 200, answer.text
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "if-none-match" in allowed
    assert "x-request-id" in allowed
    refused = await client.options(
        "/v1/countries/AZ",
        headers={
            "Origin": "http://dashboard.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert refused.status_code == 400
