"""The pair series reads answered in front of the router (`app.api.pair_reads`) answer
exactly as their FastAPI operations do: the same status, headers and bytes for every
documented parameter, valid or not, on the seeded pair and on an imported UN Comtrade
file, JSON and CSV, with and without as_of."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.trade import stored
from tests.helpers import comparable, import_lines

OPERATIONS = ("turnover", "exports", "imports", "balance")

QUERIES = (
    "",
    "period=2018",
    "period=2018-01/2018-09",
    "period=2017-01/2017-09",
    "period=2018-M09",
    "period=2011",
    "period=2019-Q3",
    "period=2018-13",
    "period=2018-09/2018-01",
    "period=",
    "freq=A",
    "freq=m",
    "freq=01/09",
    "freq=Z",
    "period=2015/2019&freq=A",
    "period=2016/2019&freq=M",
    "period=2018&freq=M",
    "period=2018-01&freq=A",
    "reporter=KZ",
    "reporter=aze",
    "reporter=RU",
    "reporter=1",
    "format=csv",
    "format=json",
    "format=xml",
    "period=2018&format=csv",
    "as_of=2030-01-01T00:00:00Z",
    "as_of=2000-01-01",
    "as_of=yesterday",
    "period=2018-01/2018-09&as_of={now}",
    "perod=2018",
    "period=2018&period=2019",
)

PAIRS = ("AZ/KZ", "kaz/aze", "031/398", "AZ/AZ", "AZ/ZZ", "A/KZ", "AM/GE", "GE/AM")

HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"Accept": "text/csv"},
    {"Accept": "application/xml"},
    {"Accept": "text/html;q=0.9, application/json;q=0.8"},
)


async def _compare(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> dict[int, int]:
    """Every read of the matrix, answered alike; by status. The stored points are derived
    first (reads of stale pairs run the ledger, as the router does)."""
    with Session(engine) as session, session.begin():
        stored.derive_stale(session)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    statuses: dict[int, int] = {}
    for pair in PAIRS:
        for operation in OPERATIONS:
            for query in QUERIES:
                url = f"/v1/trade/{pair}/{operation}?{query.format(now=now)}".rstrip("?")
                for headers in HEADERS if pair == "AZ/KZ" else ({},):
                    answered = await client.get(url, headers=headers)
                    expected = await router_client.get(url, headers=headers)
                    assert comparable(answered) == comparable(expected), (url, headers)
                    statuses[answered.status_code] = statuses.get(answered.status_code, 0) + 1
    return statuses


@pytest.mark.anyio
async def test_the_layer_answers_as_the_operations_do_on_the_seeded_store(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    statuses = await _compare(client, router_client, engine)
    # Every kind of answer was compared: found, CSV, not found, refused, not acceptable.
    assert {200, 404, 406, 422} <= statuses.keys(), statuses
    assert statuses[200] > 100, statuses


@pytest.mark.anyio
async def test_the_layer_answers_as_the_operations_do_on_an_imported_file(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient, engine: Engine
) -> None:
    lines = [
        f"{year}{month:02d},{reporter},{flow},{partner},TOTAL,,{year * 10 + month + index}"
        for index, (reporter, partner, flow) in enumerate(
            [("ARM", "GEO", "X"), ("ARM", "GEO", "M"), ("GEO", "ARM", "X"), ("AZE", "KAZ", "M")]
        )
        for year in range(2015, 2020)
        for month in range(1, 13)
    ]
    lines += [f"{year},ARM,X,GEO,TOTAL,,{year * 100}" for year in range(2015, 2020)]
    report = import_lines(engine, lines)
    assert report.added == len(lines), report
    statuses = await _compare(client, router_client, engine)
    assert statuses[200] > 150, statuses


@pytest.mark.anyio
async def test_other_methods_go_to_the_operations(
    client: httpx.AsyncClient, router_client: httpx.AsyncClient
) -> None:
    for method in ("HEAD", "POST", "DELETE"):
        answered = await client.request(method, "/v1/trade/AZ/KZ/turnover")
        expected = await router_client.request(method, "/v1/trade/AZ/KZ/turnover")
        assert comparable(answered) == comparable(expected), method
        assert answered.status_code < 500
