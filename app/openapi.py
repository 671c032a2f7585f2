"""The OpenAPI document, completed with what the routes alone cannot say.

FastAPI documents validation errors as its own JSON shape and knows nothing of content
negotiation. Every operation here answers errors as problem+json, GETs under /v1 may
answer CSV and 406, and any operation may meet a database that is down (503).
"""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

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


def _body_schemas(models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    """Schemas of bodies that routes parse themselves (and so only name by `$ref`)."""
    if not models:
        return {}
    _, top = models_json_schema(
        [(model, "validation") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    definitions: dict[str, Any] = top.get("$defs", {})
    return definitions


def install(app: FastAPI, body_models: Sequence[type[BaseModel]] = ()) -> None:
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
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in _body_schemas(body_models).items():
                schemas.setdefault(name, schema)
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
