"""The OpenAPI description is complete enough to be the documentation."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def _spec(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = await _spec(client)
    problems = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            if not operation.get("summary"):
                problems.append(f"{where}: no summary")
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if not parameter.get("description"):
                    problems.append(f"{where} {name}: no description")
                if (
                    "example" not in parameter
                    and "examples" not in parameter["schema"]
                    and ("examples" not in parameter)
                ):
                    problems.append(f"{where} {name}: no example")
    assert problems == []


async def test_figure_values_are_numbers_in_the_schema(client: httpx.AsyncClient) -> None:
    figure = (await _spec(client))["components"]["schemas"]["Figure"]["properties"]
    assert [option["type"] for option in figure["value"]["anyOf"]] == ["number", "null"]


async def test_error_answers_are_documented_as_problem_json(client: httpx.AsyncClient) -> None:
    spec = await _spec(client)
    turnover = spec["paths"]["/v1/trade/{a}/{b}/turnover"]["get"]["responses"]
    assert "application/problem+json" in turnover["404"]["content"]


async def test_docs_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
