"""A misspelt query parameter is a 422 that names it, on every operation."""

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.http.query_guard import PROBES
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

# A value for every path parameter the API has, so that each path exists.
PATH_VALUES = {
    "a": "AZ",
    "b": "KZ",
    "source_id": "1",
    "observation_id": "1",
    "agency": "TRADESTATS",
    "resource_id": "all",
    "version": "latest",
    "flow": "BILATERAL",
    "key": "all",
    "provider": "all",
}


def _filled(template: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "code":
            return "10" if "commodities" in template else "AZ"
        return PATH_VALUES[name]

    return re.sub(r"\{(\w+)\}", value, template)


def _get_paths(app: FastAPI) -> list[str]:
    """Every read but the probes, which read past a query string (test_health.py)."""
    return [
        _filled(t)
        for t, operations in app.openapi()["paths"].items()
        if "get" in operations and t not in PROBES
    ]


async def test_every_read_names_an_unknown_parameter(
    client: httpx.AsyncClient, app: FastAPI, admin_key: str
) -> None:
    paths = _get_paths(app)
    assert len(paths) >= 18
    client.headers["Authorization"] = f"Bearer {admin_key}"  # /v1/keys asks for one
    for path in paths:
        known = await client.get(path)
        assert known.status_code in (200, 304), (path, known.text)
        response = await client.get(path, params={"perod": "2018"})
        body: dict[str, Any] = assert_problem(response, 422)
        assert "perod" in body["detail"], path
        assert [error["location"] for error in body["errors"]] == ["query.perod"]
        assert set(body["accepted"]) == {
            parameter["name"]
            for parameter in app.openapi()["paths"][_template(app, path)]["get"].get(
                "parameters", []
            )
            if parameter["in"] == "query"
        }


def _template(app: FastAPI, path: str) -> str:
    templates: list[str] = list(app.openapi()["paths"])
    for template in templates:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path):
            return template
    raise AssertionError(path)


async def test_a_typo_suggests_the_parameter_meant(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/observations", params={"perod": "2018", "reportr": "AZ"})
    body = assert_problem(response, 422)
    messages = {error["location"]: error["message"] for error in body["errors"]}
    assert messages == {
        "query.perod": "unknown parameter; did you mean 'period'?",
        "query.reportr": "unknown parameter; did you mean 'reporter'?",
    }
    assert "period" in body["accepted"]


async def test_a_list_with_a_typo_changes_nothing_and_is_not_cached(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/v1/observations?perod=2018")).status_code == 422
    again = await client.get("/v1/observations?perod=2018")
    assert again.status_code == 422
    assert again.headers.get("x-cache") != "hit"


async def test_a_method_the_path_lacks_is_405_whatever_the_query(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    # /v1/observations/{observation_id} takes whole numbers only: "export" is not one.
    response = await client.delete("/v1/observations/export?reporter=AZ", headers=auth)
    assert_problem(response, 405)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/observations?exporter=KZ&exporter=AZ",
        "/v1/commodities?level=2&level=4",
        "/v1/trade/AZ/KZ/exports?period=2018&period=2017",
    ],
)
async def test_a_parameter_given_twice_is_refused_not_half_read(
    client: httpx.AsyncClient, path: str
) -> None:
    body = assert_problem(await client.get(path), 422)
    assert "more than once" in body["detail"]
    assert body["errors"][0]["type"] == "repeated"
