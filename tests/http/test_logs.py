"""The server's output as its users see it: one clean line per record, each with its id."""

import json
import re
from typing import Any

import httpx
import pytest

from tests.databases import Databases
from tests.servers import Server, serving

TEXT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"\[(?P<id>[0-9a-f]{32}|-)\] (?P<logger>[\w.]+): (?P<message>.*)$"
)
ACCESS = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms$")
REQUESTS = [
    ("/v1/trade/AZ/KZ/turnover?period=2018-01/2018-09", 200),
    ("/v1/nothing", 404),
    ("/v1/trade/AZ/KZ/turnover?period=2018-13", 422),
]


def _send(server: Server, requests: list[tuple[str, int]]) -> dict[str, str]:
    """Sends each request, checks its status; returns request id by path."""
    ids = {}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for path, status in requests:
            response = client.get(path)
            assert response.status_code == status, response.text
            ids[path] = response.headers["x-request-id"]
    return ids


def test_text_logs_are_clean_and_carry_request_ids(database_url: str) -> None:
    with serving(database_url) as server:
        ids = _send(server, REQUESTS)
    lines = server.output().splitlines()
    assert lines
    access: dict[str, dict[str, Any]] = {}
    for line in lines:
        parsed = TEXT_LINE.match(line)
        assert parsed, f"not a log record with a request id: {line!r}"
        if parsed["logger"] == "tradestats.access":
            fields = ACCESS.match(parsed["message"])
            assert fields, line
            access[fields["path"]] = {"id": parsed["id"], **fields.groupdict()}
    for path, status in REQUESTS:
        assert access[path]["status"] == str(status)
        assert access[path]["method"] == "GET"
        assert access[path]["id"] == ids[path]
    startup = [line for line in lines if "Application startup complete" in line]
    assert startup
    assert all("[-]" in line for line in startup)
    # The readiness probes the server was started with say nothing of Alembic's insides.
    assert not [line for line in lines if " alembic." in line]


def test_text_logs_of_an_unavailable_store(databases: Databases) -> None:
    # A store that was never migrated: the data answers 503, and the log says why, cleanly.
    with databases.empty() as url, serving(url, ready_path="/healthz") as server:
        _send(server, [("/readyz", 503), ("/v1/trade/AZ/KZ/turnover", 503)])
    lines = server.output().splitlines()
    assert all(TEXT_LINE.match(line) for line in lines), lines
    assert any("database unavailable" in line for line in lines)
    assert any(" 503 " in line and "tradestats.access" in line for line in lines)


def test_json_logs_are_one_object_per_line(database_url: str) -> None:
    with serving(database_url, env={"LOG_JSON": "true"}) as server:
        ids = _send(server, REQUESTS)
    records = []
    for line in server.output().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert all(record["request_id"] for record in records)
    assert {record["request_id"] for record in records if "startup" in record["message"]} == {"-"}
    access = {r["path"]: r for r in records if r.get("name") == "tradestats.access"}
    for path, status in REQUESTS:
        assert access[path]["status"] == status
        assert access[path]["method"] == "GET"
        assert access[path]["request_id"] == ids[path]
        assert isinstance(access[path]["duration_ms"], float)
