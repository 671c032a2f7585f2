"""A few checks against a real uvicorn process, over loopback."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from app.auth import service as keys
from app.auth.service import Scope
from app.db import create_db_engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)
    yield base
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)


def test_served_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
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
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=20)
    # uvicorn re-raises the signal once it has shut down, so the exit status is -SIGTERM.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Waiting for application shutdown." in log
    assert "Finished server process" in log


def _start(database_url: str, *extra: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def test_a_write_shows_in_every_worker_at_once(database_url: str) -> None:
    engine = create_db_engine(database_url)
    with Session(engine) as session, session.begin():
        secret = keys.create(session, "cache-test", Scope.WRITE).secret
    engine.dispose()
    process, base = _start(database_url, "--workers", "2")
    url = "/v1/trade/AZ/KZ/exports?period=2018-01/2018-09"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            # Fresh connections spread over both workers; each caches the answer.
            warm = [httpx.get(base + url, timeout=10) for _ in range(30)]
            assert {r.headers["x-cache"] for r in warm} == {"hit", "miss"}
            old_etag = warm[0].headers["etag"]
            assert {r.headers["etag"] for r in warm} == {old_etag}
            written = client.post(
                "/v1/observations",
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
            )
            assert written.status_code == 201, written.text
            after = [
                httpx.get(base + url, headers={"If-None-Match": old_etag}, timeout=10)
                for _ in range(30)
            ]
        assert {r.status_code for r in after} == {200}
        assert {r.json()["value"]["value"] for r in after} == {35500000}
        assert old_etag not in {r.headers["etag"] for r in after}
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
