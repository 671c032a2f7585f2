"""The OpenAPI document, completed with what the routes alone cannot say.

FastAPI documents validation errors as its own JSON shape and knows nothing of content
negotiation. Every operation here answers errors as problem+json, GETs under /v1 may
answer CSV and 406, and any operation may meet a database that is down (503).
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import PROBLEM_MEDIA_TYPE, problem_schema

CSV_MEDIA_TYPE = "text/csv"
_COMMON_PROBLEMS = {
    "422": "Invalid parameters: each one with where and why",
    "503": "The database is unavailable; retry after `Retry-After` seconds",
}
_READ_PROBLEMS = {
    "404": "No such resource, or no data for the period asked (lists the periods with data)",
    "406": "Neither JSON nor CSV is acceptable to the client",
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_schema()}},
    }


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    problems = dict(_COMMON_PROBLEMS)
    if "requestBody" in operation:
        problems["400"] = "The body could not be parsed"
    if method == "get" and path.startswith("/v1/"):
        problems.update(_READ_PROBLEMS)
        ok = responses.get("200", {})
        content = ok.setdefault("content", {})
        if "application/json" in content:
            content.setdefault(CSV_MEDIA_TYPE, {"schema": {"type": "string"}})
        responses.setdefault("304", {"description": "Not modified (If-None-Match matched)"})
    for status, description in problems.items():
        existing = responses.get(status)
        if existing is None or PROBLEM_MEDIA_TYPE not in existing.get("content", {}):
            responses[status] = _problem(existing["description"] if existing else description)
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem_schema()}}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path, operations in document.get("paths", {}).items():
                for method, operation in operations.items():
                    _complete(path, method, operation)
            schemas = document.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
