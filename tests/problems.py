"""The one check every error answer passes: RFC 9457 problem details."""

from typing import Any

import httpx

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["detail"]
    assert isinstance(body["detail"], str)
    text = response.text
    assert "Traceback" not in text
    assert "SELECT" not in text
    assert ".py" not in text
    return body
