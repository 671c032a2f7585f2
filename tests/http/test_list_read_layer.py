"""The figure list answered in front of the router (`app.api.list_reads`) answers exactly
as its FastAPI operation does: the same status, headers and bytes for every documented
parameter, valid or not, on the seeded store and on imported files, JSON and CSV, with
and without as_of."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine

from tests.helpers import comparable, import_examples

QUERIES = (
    "",
    "limit=100",
    "limit=5",
    "limit=5&after=3",
    "limit=1000",
    "limit=1001",
    "limit=0",
    "limit=05",
    "limit=-1",
    "limit=x",
    "limit=",
    "after=abc",
    "after=99999999999999999999999",
    "after=9223372036854775807",
    "reporter=AZ",
    "reporter=AZ&limit=100",
    "reporter=aze,KZ",
    "reporter=AZ&reporter=031",
    "reporter=ZZ",
    "reporter=A",
    "reporter=",
    "partner=KZ&flow=export",
    "flow=X,m",
    "flow=turnover",
    "flow=exports",
    "commodity=TOTAL",
    "commodity=total,10",
    "commodity=1006",
    "commodity=123",
    "commodity=10&include_subcodes=true",
    "exporter=KZ&importer=AZ",
    "exporter=KZ,AZ",
    "importer=GE",
    "exporter=KZ",
    "exporter=GE&limit=5",
    "importer=AZ&flow=M",
    "reporter=GE&partner=AM,AZ&flow=X",
    "period=2018",
    "period=2018-01/2018-09",
    "period=2018-13",
    "period=2018-09/2018-01",
    "measure=growth",
    "measure=Growth",
    "status=reported",
    "status=stated",
    "source=1",
    "source=0",
    "source=99",
    "source=2147483648",
    "as_of=2030-01-01T00:00:00Z",
    "as_of={now}",
    "as_of=2000-01-01",
    "as_of=yesterday",
    "format=csv",
    "format=csv&limit=3",
    "format=json",
    "format=xml",
    "reportr=AZ",
    "limit=5&limit=6",
    "period=2018&period=2019",
)

HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"Accept": "text/csv"},
    {"Accept": "application/xml"},
    {"Accept-Encoding": "gzip"},
)


async def _compare(client: httpx.AsyncClient, router_client: httpx.AsyncClient) -> dict[int, int]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z").replace(":", "%3A")
    statuses: dict[int, int] = {}
    for query in QUERIES:
        url = f"/v1/observations?{query.format(now=now)}".rstrip("?")
        for headers in HEADERS if query in ("", "limit=5", "format=json") else ({},):
            answered = await client.get(url, headers=headers)
            expected = await router_client.get(url, headers=headers)
            assert comparable(answered) == comparable(expected), (url, headers)
            statuses[answered.status_code] = statuses.get(answered.status_code, 0) + 1
        # The next page, as a client follows it.
        answered = await client.get(url)
        following = answered.links.get("next", {}).get("url")
        if following:
            assert comparable(await client.get(following)) == comparable(
                await router_client.get(following)
            ), following
    return statuses


@pytest.mark.anyio
async def test_the_layer_answers_as_the_operation_does_on_the_seeded_store(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient
) -> None:
    statuses = await _compare(client, router_client)
    assert statuses[200] > 30, statuses
    assert statuses[422] > 15, statuses


@pytest.mark.anyio
async def test_the_layer_answers_as_the_operation_does_on_imported_files(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    import_examples(engine, "observations.csv", "comtrade.csv", "comtrade-plus-ge-2020.tsv.gz")
    statuses = await _compare(client, router_client)
    assert statuses[200] > 30, statuses


@pytest.mark.anyio
async def test_other_methods_and_paths_go_to_the_operations(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient
) -> None:
    for method, url in (
        ("POST", "/v1/observations"),
        ("PUT", "/v1/observations"),
        ("GET", "/v1/observations/"),
        ("GET", "/v1/observations/1"),
        ("HEAD", "/v1/observations?limit=3"),
    ):
        answered = await client.request(method, url)
        expected = await router_client.request(method, url)
        assert comparable(answered) == comparable(expected), (method, url)
