"""The response cache is bounded in bytes: a client walking thousands of distinct large
answers leaves the server's memory within the cache's budget plus a small margin."""

import asyncio
import re
from pathlib import Path

import httpx

from tests.servers import serving

BUDGET = 16_000_000
# Python's allocator keeps some freed memory, and the first answers warm up code paths.
MARGIN = 32_000_000
DISTINCT_ANSWERS = 5_000
CLIENTS = 8
LARGE = "/v1/countries?limit=1000"


def _rss(pid: int) -> int:
    status = (Path("/proc") / str(pid) / "status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    assert match, status
    return int(match.group(1)) * 1024


async def _walk(base: str, first: int, count: int) -> int:
    """Asks for `count` answers that differ only in their Accept header (each its own
    cache entry); returns the bytes received."""
    received = 0
    numbers = iter(range(first, first + count))
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def user() -> None:
            nonlocal received
            for number in numbers:
                accept = f"application/json, application/x-walk-{number};q=0.1"
                headers = {"Accept": accept, "Accept-Encoding": "identity"}
                response = await client.get(LARGE, headers=headers)
                assert response.status_code == 200, response.text
                assert response.headers["x-cache"] == "miss"
                received += len(response.content)

        await asyncio.gather(*(user() for _ in range(CLIENTS)))
    return received


def _cache_bytes(base: str) -> float:
    metrics = httpx.get(base + "/metrics", timeout=30).text
    match = re.search(r"^tradestats_response_cache_bytes (\S+)$", metrics, re.MULTILINE)
    assert match, "the cache's size is not reported"
    return float(match.group(1))


def test_memory_stays_flat_while_walking_distinct_large_answers(database_url: str) -> None:
    env = {"RESPONSE_CACHE_TOTAL_BYTES": str(BUDGET), "ACCESS_LOG": "false"}
    with serving(database_url, "--no-access-log", env=env) as server:
        pid = server.process.pid  # one worker: uvicorn serves in the process it started
        asyncio.run(_walk(server.url, 0, 500))  # warm up: code paths, pools, a full cache
        before = _rss(pid)
        received = asyncio.run(_walk(server.url, 500, DISTINCT_ANSWERS))
        after = _rss(pid)
        held = _cache_bytes(server.url)
    print(
        f"walked {received / 1e6:.0f} MB; cache holds {held / 1e6:.1f} MB; RSS "
        f"{before / 1e6:.0f} -> {after / 1e6:.0f} MB"
    )
    assert received > 5 * BUDGET, "the answers together must dwarf the budget"
    assert 0.5 * BUDGET < held <= BUDGET
    assert after - before < MARGIN, f"RSS grew {(after - before) / 1e6:.1f} MB"
