"""Real uvicorn servers for tests, started the way `make run` starts one (`tradestats serve`).

Each server runs in a process group of its own, so that stopping it stops its workers too;
its output goes to a file that the test keeps, prints when it fails, and checks for
tracebacks. Every group started is remembered, and the suite checks at its end that none
of them is still alive (conftest.py).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

# Starting workers on a 2-core machine that is busy with something else can take a while:
# the deadline guards against a server that never comes up, not against a slow one.
STARTUP_DEADLINE_SECONDS = 180.0
STOP_GRACE_SECONDS = 60.0
FAILURE_MARKERS = re.compile(r"Traceback|Logging error")
STARTED_GROUPS: list[int] = []
_CLI = Path(sys.executable).with_name("tradestats")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def live_members(group: int) -> list[int]:
    """Processes of a group that are still running (zombies left to init do not count)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log_path: Path
    final_output: str | None = None

    @property
    def url(self) -> str:
        return self.base

    def output(self) -> str:
        """All it printed so far; once stopped, all it printed (the file is then gone)."""
        if self.final_output is not None:
            return self.final_output
        return self.log_path.read_text(errors="replace")

    def failures(self) -> list[str]:
        return [line for line in self.output().splitlines() if FAILURE_MARKERS.search(line)]

    def worker_pids(self) -> list[int]:
        return [pid for pid in live_members(self.process.pid) if pid != self.process.pid]

    def stop(self) -> int:
        """SIGTERM to the whole group, SIGKILL if it lingers; reaped either way."""
        group = self.process.pid
        if self.process.poll() is None:
            _signal_group(group, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(group, signal.SIGKILL)
                self.process.wait(timeout=STOP_GRACE_SECONDS)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while live_members(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        if live_members(group):  # workers that outlived their parent
            _signal_group(group, signal.SIGKILL)
        if self.final_output is None:
            self.final_output = self.output()
            self.log_path.unlink(missing_ok=True)
        return self.process.returncode


def _signal_group(group: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, signum)


def start(
    database_url: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/readyz",
) -> Server:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="tradestats-server-", suffix=".log")[1])
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        **(env or {}),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(_CLI), "serve", *args],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    STARTED_GROUPS.append(process.pid)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while True:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(server.base + ready_path, timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"the server was not ready within {STARTUP_DEADLINE_SECONDS:.0f} s:\n"
                f"{server.output()}"
            )
        time.sleep(0.2)


@contextmanager
def serving(
    database_url: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/readyz",
    check_output: bool = True,
) -> Iterator[Server]:
    """A started server; stopped and reaped afterwards, its output printed on failure.

    With `check_output`, a traceback or logging error anywhere in its output fails the test.
    """
    server = start(database_url, *args, env=env, ready_path=ready_path)
    try:
        yield server
    except BaseException:
        server.stop()
        print(f"--- output of the server at {server.base} ---\n{server.output()}")
        raise
    server.stop()
    if check_output:
        failures = server.failures()
        assert not failures, f"the server printed {failures[0]!r}:\n{server.output()}"


def surviving_processes() -> list[str]:
    """Anything a test started that is still running: servers' groups and our children."""
    survivors = {pid for group in STARTED_GROUPS for pid in live_members(group)}
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] not in ("Z", "X"):
                survivors.add(int(entry.name))
    described = []
    for pid in sorted(survivors):
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        described.append(f"{pid}: {command.decode(errors='replace').strip()}")
    return described


def stop_every_started_group() -> None:
    """Kill whatever is left of every process group the tests started, and reap it."""
    for group in STARTED_GROUPS:
        _signal_group(group, signal.SIGKILL)


def stop_checked(server: Server) -> None:
    """Stop and reap the server; fail on a traceback or logging error in its output."""
    server.stop()
    failures = server.failures()
    assert not failures, f"the server printed {failures[0]!r}:\n{server.output()}"
