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
