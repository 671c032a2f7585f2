"""Each worker listens on a socket of its own (`app.core.serving`), so connections opened
at once are spread across the workers rather than taken by whichever was waiting."""

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import STARTUP_DEADLINE_SECONDS, Server, serving

CONNECTIONS = 48


def _established_sockets(port: int) -> set[int]:
    """Inodes of the established TCP connections whose local port is `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(int(fields[9]))
    return inodes


def _held(pid: int, inodes: set[int]) -> int:
    """How many of these sockets the process holds open."""
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:[") and int(target[8:-1]) in inodes:
            held += 1
    return held


def _both_started(server: Server) -> None:
    """Wait until both workers listen (the server is ready once the first does)."""
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while server.output().count("Application startup complete") < 2:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)


def test_connections_opened_at_once_are_spread_across_the_workers(database_url: str) -> None:
    with serving(database_url, "--workers", "2") as server:
        _both_started(server)
        address = urlsplit(server.url)
        assert address.hostname is not None
        assert address.port is not None
        clients = [
            socket.create_connection((address.hostname, address.port), timeout=30)
            for _ in range(CONNECTIONS)
        ]
        try:
            for client in clients:
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
            inodes = _established_sockets(address.port)
            held = {pid: _held(pid, inodes) for pid in server.worker_pids()}
        finally:
            for client in clients:
                client.close()
    serving_workers = {pid: count for pid, count in held.items() if count}
    assert len(serving_workers) == 2, held
    assert sum(serving_workers.values()) == CONNECTIONS, held
    # Evenly, as the kernel hashes connections: each takes at least a quarter.
    assert min(serving_workers.values()) >= CONNECTIONS // 4, held
