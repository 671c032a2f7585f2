"""Faults on a Postgres cluster of the test's own: outages, restarts under load, killed imports.

Each test prints the counts it checked, so a CI log shows what was exercised.
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from app.core import migrations
from tests.helpers import new_key, report
from tests.pgcluster import BIN, Cluster
from tests.servers import Server, start, stop_checked

if BIN is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("CI=true but the Postgres server binaries (pg_ctl) are not installed")
    pytest.skip("Postgres server binaries are not installed here", allow_module_level=True)

DATABASE = "faults"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    cluster.init()
    with psycopg.connect(cluster.url().replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {DATABASE}")
    migrations.upgrade(cluster.url(DATABASE))
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def write_key(cluster: Cluster) -> str:
    return new_key(cluster.url(DATABASE), f"faults-{os.getpid()}")


def _serve(url: str, workers: int = 1) -> Server:
    env = {"WRITE_RATE_LIMIT": "100000/minute", "RESPONSE_CACHE_ENTRIES": "0"}
    return start(url, "--workers", str(workers), "--no-access-log", env=env)


def test_outage_and_recovery_without_restart(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    server = _serve(cluster.url(DATABASE))
    base = server.url
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/v1/trade/AZ/KZ/turnover").status_code == 200
            cluster.stop()
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            data = client.get("/v1/trade/AZ/KZ/turnover")
            assert (ready.status_code, data.status_code) == (503, 503)
            assert data.headers["content-type"] == "application/problem+json"
            assert data.headers["retry-after"] == "5"
            # An export is asked of the store before its status line: a 503, never a 200
            # with an empty file; compressed or not.
            for encoding in ("identity", "gzip"):
                export = client.get(
                    "/v1/observations/export", headers={"Accept-Encoding": encoding}
                )
                assert export.status_code == 503, export.text
                assert export.headers["content-type"] == "application/problem+json"
            cluster.start()
            deadline = time.monotonic() + 20
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the API did not recover"
                time.sleep(0.2)
            assert client.get("/v1/trade/AZ/KZ/turnover").status_code == 200
        report(
            capsys,
            "faults",
            "outage: readyz and data 503 while down, healthz 200; recovered without a restart",
        )
    finally:
        stop_checked(server)


def test_restart_under_load_loses_no_acknowledged_write(
    cluster: Cluster, write_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = _serve(cluster.url(DATABASE), workers=2)
    base = server.url
    total, threads = 6_000, 8
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    samples: list[str] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {write_key}"}
        with httpx.Client(base_url=base, timeout=10) as client:
            for number in counter:
                try:
                    if rng.random() < 0.25:
                        value = f"{number}"
                        # A figure of its own for every number: 2,400 months x 3 partners.
                        month = number % 2400
                        response = client.post(
                            "/v1/observations",
                            headers=headers,
                            json={
                                "reporter": "FR",
                                "partner": ("DE", "IT", "ES")[number // 2400],
                                "flow": "export",
                                "period": f"{1900 + month // 12}-{month % 12 + 1:02d}",
                                "measure": "trade_value",
                                "value": value,
                                "unit": "USD",
                                "source_id": 1,
                            },
                        )
                        if response.status_code == 201:
                            with lock:
                                acknowledged.append(value)
                    else:
                        response = client.get("/v1/trade/AZ/KZ/turnover?period=2018-01/2018-09")
                    with lock:
                        statuses[response.status_code] += 1
                        if response.status_code == 422 and not samples:
                            samples.append(f"{response.request.url} {response.text[:300]}")
                except httpx.TransportError:
                    with lock:
                        statuses[0] += 1

    pool = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(3)
    cluster.stop()
    time.sleep(1)
    cluster.start()
    for thread in pool:
        thread.join(timeout=300)
    stop_checked(server)
    with psycopg.connect(cluster.url(DATABASE).replace("+psycopg", "")) as connection:
        stored = Counter(
            str(int(row[0]))
            for row in connection.execute(
                "SELECT value FROM observations WHERE reporter_code = 'FRA' AND valid_to IS NULL"
            )
        )
    report(
        capsys,
        "faults",
        f"load: {sum(statuses.values())} requests sent, statuses {dict(statuses)}; "
        f"{len(acknowledged)} writes acknowledged, "
        f"{sum(1 for v in acknowledged if stored[v] == 1)} found exactly once",
    )
    assert sum(statuses.values()) == total
    assert set(statuses) <= {200, 201, 503}, (statuses, samples)
    assert statuses[503] > 0, "the restart was not noticed"
    assert acknowledged
    assert all(stored[value] == 1 for value in acknowledged)


def test_killed_import_leaves_nothing_and_can_run_again(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = 60_000
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write("period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n")
        chapters = [n for n in range(1, 98) if n != 77][:90]
        for number in range(rows):
            index = number // 70  # every (year, heading) once: 70 years x 900 headings
            heading = f"{chapters[index % 90]:02d}{index // 90:02d}"
            handle.write(f"{1950 + number % 70},ITA,X,ESP,{heading},{number + 1}\n")
    path = Path(handle.name)
    env = {**os.environ, "DATABASE_URL": cluster.url(DATABASE)}
    command = [sys.executable, "-m", "app.cli", "import", str(path), "--source", "1"]

    def italian_rows() -> int:
        with psycopg.connect(cluster.url(DATABASE).replace("+psycopg", "")) as connection:
            row = connection.execute(
                "SELECT count(*) FROM observations WHERE reporter_code = 'ITA'"
            ).fetchone()
        return int(row[0]) if row else 0

    def blocked_mid_import() -> bool:
        with psycopg.connect(cluster.url(DATABASE).replace("+psycopg", "")) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO commodities%%'",
                (DATABASE,),
            ).fetchone()
        return bool(row and row[0])

    # No timing luck: an open transaction of the test's own holds the HS code the import
    # must add once all its rows are staged, so the import stops there until it is killed.
    holder = psycopg.connect(cluster.url(DATABASE).replace("+psycopg", ""))
    try:
        holder.execute(
            "INSERT INTO commodities (code, parent_code, level, description, id) "
            "VALUES ('0100', '01', 4, 'held by the test', 10100)"
        )
        killed = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 180
        while not blocked_mid_import():
            assert killed.poll() is None, "the import ended before it reached the held code"
            assert time.monotonic() < deadline, "the import never reached the held code"
            time.sleep(0.05)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        holder.rollback()  # the orphaned transaction may go on now, and finds no client
        after_kill = italian_rows()
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        complete = italian_rows()
    finally:
        holder.close()
        path.unlink()
    report(
        capsys,
        "faults",
        f"import: killed with every row staged, with {after_kill} rows stored; "
        f"the rerun stored {complete} of {rows}",
    )
    assert after_kill == 0
    assert complete == rows
