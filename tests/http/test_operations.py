"""Request ids, security headers, metrics, rate limits, and a database that is down."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from app.api.deps import runtime_of
from app.auth.ratelimit import WriteRate
from app.core.settings import Settings
from app.main import create_app
from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

FIGURE = SAMPLE_FIGURE


async def test_request_id_is_generated_or_passed_through(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert uuid.UUID(generated.headers["x-request-id"])
    mine = uuid.uuid4().hex
    passed = await client.get("/nothing", headers={"X-Request-ID": mine})
    assert passed.headers["x-request-id"] == mine
    assert assert_problem(passed, 404)["request_id"] == mine


@pytest.mark.parametrize("path", ["/v1/countries/AZ", "/v1/nothing", "/healthz", "/docs"])
async def test_security_headers_everywhere(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


async def test_metrics(client: httpx.AsyncClient) -> None:
    await client.get("/v1/countries/AZ")
    await client.get("/v1/countries/AZ")
    text = (await client.get("/metrics")).text
    # Two requests, the second answered from the cache: both counted.
    assert (
        'http_requests_total{handler="/v1/countries/{code}",method="GET",status="200"} 2.0' in text
    )
    assert "http_request_duration_seconds_bucket" in text
    assert 'tradestats_response_cache_lookups_total{result="hit"}' in text
    assert 'tradestats_db_pool_connections{state="idle"}' in text


async def test_unusual_methods_share_one_metrics_label(client: httpx.AsyncClient) -> None:
    for method in ("PROPFIND", "MKCOL", "LOCK"):
        assert (await client.request(method, "/v1/countries/AZ")).status_code == 405
    text = (await client.get("/metrics")).text
    assert (
        'http_requests_total{handler="/v1/countries/{code}",method="other",status="405"} 3.0'
        in text
    )
    assert "PROPFIND" not in text


async def test_writes_are_rate_limited(
    client: httpx.AsyncClient, app: FastAPI, auth: dict[str, str]
) -> None:
    runtime_of(app).write_rate = WriteRate.parse("3/minute")
    statuses = [
        (
            await client.post("/v1/observations", json={**FIGURE, "value": str(n)}, headers=auth)
        ).status_code
        for n in range(1, 5)
    ]
    assert statuses == [201, 201, 201, 429]
    limited = await client.post("/v1/observations", json=FIGURE, headers=auth)
    body = assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert "3 per 1 minute" in body["detail"]


@pytest.fixture
async def down_client() -> httpx.AsyncClient:
    # Nothing listens on port 9: every connection is refused at once.
    url = "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(Settings(database_url=url))
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize(
    "path", ["/v1/trade/AZ/KZ/turnover", "/v1/observations", "/v1/countries/AZ", "/v1/sources/1"]
)
async def test_database_down_is_503_not_500(down_client: httpx.AsyncClient, path: str) -> None:
    async with down_client as client:
        body = assert_problem(await client.get(path), 503)
        assert body["type"].endswith("/database-unavailable")
        assert (await client.get(path)).headers["retry-after"] == "5"
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get("/readyz"), 503)
