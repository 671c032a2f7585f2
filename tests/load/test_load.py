"""Many clients at once against a real server: every answer right, and no freeze after.

A liveness check, not a speed test: the deadlines are generous and only guard against a
server that hangs (as one did when the cache's version check blocked the event loop).
"""

import asyncio
import csv
import io
import itertools
import re

import httpx
import pytest

from tests.helpers import SAMPLE_FIGURE, new_key
from tests.servers import serving

CLIENTS = 200
TEXT_LINE = re.compile(r"^\S+ \S+ (INFO|WARNING|ERROR) \[([0-9a-f]{32}|-)\] ")
# (path, what a right answer holds); hot paths repeat, cold ones are all distinct.
HOT = [
    ("/v1/trade/AZ/KZ/exports?period=2018-01/2018-09", "36000000"),
    ("/v1/trade/KZ/AZ/turnover?period=2018-01/2018-09", "65.6"),
    ("/v1/observations?reporter=AZ&limit=100", '"data"'),
    ("/v1/countries?limit=50&format=csv", "alpha3"),
]
COLD = [
    "/v1/trade/AZ/KZ/balance?period=2018-01/2018-09&as_of=2100-01-01T00:00:{:02d}Z",
    "/v1/observations?limit={}",
    "/v1/commodities?limit={}&format=csv",
    "/v1/trade/AZ/KZ/commodities?period=2018-01/2018-09&format=csv&as_of=2100-01-01T00:{:02d}:00Z",
]


async def _mixed_load(base: str, secret: str, requests: int) -> list[str]:
    """Sends `requests` requests over CLIENTS connections at once; returns what was wrong."""
    wrong: list[str] = []
    writes = itertools.count()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(number: int) -> None:
            kind = number % 10
            if kind == 9 and next(writes) < 8:
                year = 1990 + number % 20
                figure = {**SAMPLE_FIGURE, "period": str(year), "value": str(1000 + number)}
                response = await client.post(
                    "/v1/observations", json=figure, headers={"Authorization": f"Bearer {secret}"}
                )
                expected, marker = 201, str(1000 + number)
            elif kind < 5:
                path, marker = HOT[number % len(HOT)]
                response = await client.get(path)
                expected = 200
            else:
                template = COLD[number % len(COLD)]
                response = await client.get(template.format(1 + number % 59))
                expected, marker = 200, ""
                if "csv" in template:
                    rows = list(csv.reader(io.StringIO(response.text)))
                    marker = rows[0][0] if rows else "<empty>"
            if response.status_code != expected or marker not in response.text:
                answer = f"{response.status_code} {response.text[:200]}"
                wrong.append(f"{response.request.url}: {answer}")

        numbers = iter(range(requests))

        async def user() -> None:  # one client: a request, its answer, the next request
            for number in numbers:
                await one(number)

        await asyncio.gather(*(user() for _ in range(CLIENTS)))
    return wrong


@pytest.mark.parametrize("workers", ["1", "2"])
def test_many_clients_at_once_then_an_answer_at_once(database_url: str, workers: str) -> None:
    secret = new_key(database_url, "load-test")
    with serving(database_url, "--workers", workers) as server:
        wrong = asyncio.run(_mixed_load(server.url, secret, 1_000))
        assert not wrong, f"{len(wrong)} wrong answers, first: {wrong[:3]}"
        alive = httpx.get(server.url + "/healthz", timeout=30)
        assert alive.status_code == 200
        data = httpx.get(server.url + HOT[0][0], timeout=30)
        assert data.status_code == 200
    lines = server.output().splitlines()
    assert sum("tradestats.access" in line for line in lines) >= 1_000
    untagged = [line for line in lines if not TEXT_LINE.match(line)]
    assert not untagged, untagged[:3]
