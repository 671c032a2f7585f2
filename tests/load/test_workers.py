"""What several workers share: the metrics they report and the write rate limit."""

import re

import httpx

from tests.helpers import SAMPLE_FIGURE, new_key
from tests.servers import Server, serving

COUNTRY = "/v1/countries/AZ"
REQUESTS = 40


def _fresh_connections(server: Server, path: str, count: int) -> list[httpx.Response]:
    """One connection per request, so that the workers share them out between them."""
    return [httpx.get(server.url + path, timeout=30) for _ in range(count)]


def _counted(metrics: str, handler: str) -> float:
    pattern = rf'^http_requests_total\{{[^}}]*handler="{re.escape(handler)}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, metrics, re.MULTILINE))


def _lookups(metrics: str) -> dict[str, float]:
    found = re.findall(
        r'^tradestats_response_cache_lookups_total\{result="(\w+)"\} (\S+)$', metrics, re.M
    )
    return {result: float(value) for result, value in found}


def test_metrics_count_every_request_once_across_workers(database_url: str) -> None:
    with serving(database_url, "--workers", "2") as server:
        sent = 0
        # Each worker misses its cache once, then hits: two misses mean both have served.
        # Fresh connections go to whichever worker accepts first, so ask until both have.
        while sent < 2_000:
            answers = _fresh_connections(server, COUNTRY, REQUESTS)
            assert {answer.status_code for answer in answers} == {200}
            sent += REQUESTS
            metrics = httpx.get(server.url + "/metrics", timeout=30).text
            if _lookups(metrics).get("miss") == 2:
                break
        scrapes = [answer.text for answer in _fresh_connections(server, "/metrics", 10)]
    assert _lookups(scrapes[-1])["miss"] == 2, "one worker served every request"
    # Every scrape, whichever worker answers it, counts the requests of both workers.
    assert {_counted(scrape, "/v1/countries/{code}") for scrape in scrapes} == {sent}
    assert {sum(_lookups(scrape).values()) for scrape in scrapes} == {sent}


def test_the_write_limit_holds_across_workers(database_url: str) -> None:
    secret = new_key(database_url, "limited")
    headers = {"Authorization": f"Bearer {secret}"}
    with serving(database_url, "--workers", "2", env={"WRITE_RATE_LIMIT": "5/hour"}) as server:
        statuses = [
            httpx.post(
                server.url + "/v1/observations",
                json={**SAMPLE_FIGURE, "period": str(2000 + number)},
                headers=headers,
                timeout=30,
            ).status_code
            for number in range(40)
        ]
    # Counted per worker, each would have let five through: up to ten in all.
    assert statuses == [201] * 5 + [429] * 35
