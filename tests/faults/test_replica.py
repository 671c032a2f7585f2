"""A real read replica: a Postgres streaming standby made with pg_basebackup on loopback.

Reads go to it and see a write after its replay lag; while it lags, answers are its own
consistent state; while it is down, reads answer 503 and writes go on; promoted after the
primary stops, it serves the API with every acknowledged write. The test prints the lags
and counts it measured.
"""

import os
import time
from collections.abc import Iterator

import httpx
import pytest

from app.core import migrations
from tests.helpers import SAMPLE_FIGURE, new_key, report
from tests.pgcluster import BIN, Cluster
from tests.servers import start, stop_checked

if BIN is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("CI=true but the Postgres server binaries (pg_ctl) are not installed")
    pytest.skip("Postgres server binaries are not installed here", allow_module_level=True)

DATABASE = "replicated"
ENV = {"WRITE_RATE_LIMIT": "100000/minute", "RESPONSE_CACHE_ENTRIES": "0"}
PAIR = "/v1/trade/AZ/KZ/exports?period=2018"
CAUGHT_UP_WITHIN_SECONDS = 30


@pytest.fixture
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    primary = Cluster()
    standby: Cluster | None = None
    try:
        primary.init()
        primary.execute(f"CREATE DATABASE {DATABASE}")
        migrations.upgrade(primary.url(DATABASE))
        standby = primary.standby()
        yield primary, standby
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


def _write(client: httpx.Client, key: str, period: str, value: int) -> int:
    answer = client.post(
        "/v1/observations",
        headers={"Authorization": f"Bearer {key}"},
        json={**SAMPLE_FIGURE, "period": period, "value": str(value)},
    )
    assert answer.status_code in (200, 201), answer.text
    figure_id: int = answer.json()["figures"][0]["id"]
    return figure_id


def _seen_after(client: httpx.Client, path: str, expected: int) -> float:
    """Seconds until the read shows `expected` as the value."""
    started = time.monotonic()
    while time.monotonic() - started < CAUGHT_UP_WITHIN_SECONDS:
        answer = client.get(path)
        if answer.status_code == 200 and answer.json()["value"]["value"] == expected:
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"{path} did not show {expected} within {CAUGHT_UP_WITHIN_SECONDS} s")


def test_a_streaming_replica_serves_reads_lags_and_takes_over(
    clusters: tuple[Cluster, Cluster], capsys: pytest.CaptureFixture[str]
) -> None:
    primary, standby = clusters
    key = new_key(primary.url(DATABASE), "replicated")
    acknowledged: dict[int, int] = {}  # figure id -> value, as the API acknowledged it
    env = {**ENV, "DATABASE_READ_URL": standby.url(DATABASE)}
    server = start(primary.url(DATABASE), "--workers", "2", "--no-access-log", env=env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            # The key was made on the primary and reached the standby by replication.
            assert client.get("/readyz").status_code == 200
            value = 48_500_001
            acknowledged[_write(client, key, "2018", value)] = value
            lag = _seen_after(client, PAIR, value)

            # While the standby lags (replay paused), reads answer its state: the figure
            # as it was, whole, not an error and not the primary's newer value.
            standby.execute("SELECT pg_wal_replay_pause()")
            before = client.get(PAIR).json()
            value = 48_500_002
            acknowledged[_write(client, key, "2018", value)] = value
            during = client.get(PAIR)
            assert during.status_code == 200
            assert during.json() == before
            history = client.get(f"/v1/observations/{max(acknowledged)}")
            assert history.status_code == 404  # the new revision is not on the standby yet
            standby.execute("SELECT pg_wal_replay_resume()")
            caught_up = _seen_after(client, PAIR, value)

            # The standby down: reads say 503 with Retry-After; writes go on.
            standby.stop()
            down = client.get(PAIR)
            assert down.status_code == 503
            assert down.headers["retry-after"] == "5"
            assert client.get("/readyz").status_code == 503
            value = 48_500_003
            acknowledged[_write(client, key, "2019", value)] = value
            standby.start()
            standby.wait_ready()
            _seen_after(client, PAIR.replace("2018", "2019"), value)
    finally:
        stop_checked(server)

    # The primary stops; the standby is promoted and the API restarted on it alone.
    primary.stop()
    standby.promote()
    server = start(standby.url(DATABASE), "--workers", "2", "--no-access-log", env=ENV)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for figure_id, value in acknowledged.items():
                figure = client.get(f"/v1/observations/{figure_id}")
                assert figure.status_code == 200, figure.text
                assert figure.json()["value"] == value
            value = 48_500_004
            acknowledged[_write(client, key, "2020", value)] = value
            assert client.get(PAIR.replace("2018", "2020")).json()["value"]["value"] == value
    finally:
        stop_checked(server)
    report(
        capsys,
        "replica",
        f"write seen on the standby after {lag * 1000:.0f} ms; after a paused replay, "
        f"{caught_up * 1000:.0f} ms; {len(acknowledged)} acknowledged writes, all found "
        "after promotion",
    )
