"""Checks against a real uvicorn process, over loopback, started as `make run` starts it."""

import httpx

from tests.helpers import new_key
from tests.servers import serving


def test_served_over_http(database_url: str) -> None:
    with serving(database_url) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        turnover = client.get(
            "/v1/trade/AZ/KZ/turnover",
            params={"period": "2018-01/2018-09"},
            headers={"Accept-Encoding": "gzip"},
        )
        assert turnover.status_code == 200
        assert turnover.headers["content-encoding"] == "gzip"
        assert turnover.json()["growth"]["reported"]["value"] == 65.6
        cached = client.get(
            "/v1/trade/AZ/KZ/turnover",
            params={"period": "2018-01/2018-09"},
            headers={"If-None-Match": turnover.headers["etag"]},
        )
        assert cached.status_code == 304
        missing = client.get("/v1/nothing")
        assert missing.headers["content-type"] == "application/problem+json"


def test_stops_cleanly_on_sigterm(database_url: str) -> None:
    with serving(database_url, "--workers", "2") as server:
        workers = server.worker_pids()
        assert len(workers) >= 2, workers
    # uvicorn re-raises the signal once it has shut down, so the exit status is -SIGTERM.
    assert server.process.returncode in (0, -15)
    assert not server.worker_pids()


def test_stop_output_says_it_shut_down(database_url: str) -> None:
    with serving(database_url, check_output=False) as server:
        pass
    log = server.output()
    assert "Waiting for application shutdown." in log
    assert "Finished server process" in log


def test_a_write_shows_in_every_worker_at_once(database_url: str) -> None:
    secret = new_key(database_url, "cache-test")
    url = "/v1/trade/AZ/KZ/exports?period=2018-01/2018-09"
    with serving(database_url, "--workers", "2") as server:
        base = server.url
        # Fresh connections spread over both workers; each caches the answer.
        warm = [httpx.get(base + url, timeout=30) for _ in range(30)]
        assert {r.headers["x-cache"] for r in warm} == {"hit", "miss"}
        old_etag = warm[0].headers["etag"]
        assert {r.headers["etag"] for r in warm} == {old_etag}
        written = httpx.post(
            base + "/v1/observations",
            headers={"Authorization": f"Bearer {secret}"},
            json={
                "reporter": "AZ",
                "partner": "KZ",
                "flow": "export",
                "period": "2018-01/2018-09",
                "measure": "trade_value",
                "value": "35500000",
                "unit": "USD",
                "source_id": 1,
            },
            timeout=30,
        )
        assert written.status_code == 201, written.text
        after = [
            httpx.get(base + url, headers={"If-None-Match": old_etag}, timeout=30)
            for _ in range(30)
        ]
    assert {r.status_code for r in after} == {200}
    assert {r.json()["value"]["value"] for r in after} == {35500000}
    assert old_etag not in {r.headers["etag"] for r in after}
