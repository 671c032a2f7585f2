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

from app.core.errors import PROBLEM_MEDIA_TYPE, problem_schema
from app.http.query_guard import PROBES

CSV_MEDIA_TYPE = "text/csv"
_COMMON_PROBLEMS = {
    "422": "Invalid parameters: each one with where and why",
    "503": "The database is unavailable; retry after `Retry-After` seconds",
}
_WRITE_PROBLEMS = {
    "429": "Too many writes with this key in the window; retry after `Retry-After` seconds",
}
BEARER = "bearerAuth"
_SECURITY_SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `tradestats keys create` (writes; admin for /v1/keys)",
    }
}
# A figure the links below write: the same identity each time, so that posting it again
# with another value revises it.
_LINKED_FIGURE = {
    "reporter": "AZ",
    "partner": "KZ",
    "flow": "export",
    "period": "2018",
    "measure": "trade_value",
    "unit": "USD",
}
_WHOLE_BODY = {"x-schemathesis": {"merge_body": False}}


def _link(operation_id: str, description: str, **definition: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, **definition}


def _figure_link(value: int, source_id: str, description: str) -> dict[str, Any]:
    body = {**_LINKED_FIGURE, "value": value, "source_id": source_id}
    return _link("post_observations", description, requestBody=body, **_WHOLE_BODY)


_FIRST_FIGURE = "$response.body#/figures/0/id"
# OpenAPI links: how one answer leads to the next call (clients and stateful testing
# follow them): a source, a figure citing it, its revisions, its history, its retraction.
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "post_source": {
        "GetSource": _link(
            "get_source", "The source just created", parameters={"source_id": "$response.body#/id"}
        ),
        "AddFigure": _figure_link(48500000, "$response.body#/id", "A figure citing it"),
    },
    "post_observations": {
        "GetObservation": _link(
            "get_observation",
            "The first figure written",
            parameters={"observation_id": _FIRST_FIGURE},
        ),
        "GetHistory": _link(
            "get_history", "Its revisions", parameters={"observation_id": _FIRST_FIGURE}
        ),
        "ReviseFigure": _figure_link(
            49000000, "$response.body#/figures/0/sources/0/id", "A revision of it"
        ),
        "RetractObservation": _link(
            "retract_observation", "Its retraction", parameters={"observation_id": _FIRST_FIGURE}
        ),
    },
    "get_observation": {
        "GetHistory": _link(
            "get_history", "Its revisions", parameters={"observation_id": "$response.body#/id"}
        ),
        "RetractObservation": _link(
            "retract_observation",
            "Its retraction",
            parameters={"observation_id": "$response.body#/id"},
        ),
    },
    "retract_observation": {
        "GetHistory": _link(
            "get_history",
            "The history, retraction included",
            parameters={"observation_id": "$request.path.observation_id"},
        ),
        "GetObservation": _link(
            "get_observation",
            "Gone from reads: 404",
            parameters={"observation_id": "$request.path.observation_id"},
        ),
    },
}
_READ_PROBLEMS = {
    "404": "No such resource, or no data for the period asked (lists the periods with data)",
    "406": "Neither JSON nor CSV is acceptable to the client",
}


SDMX_ERROR_MEDIA_TYPE = "application/xml"


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_schema()}},
    }


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # A probe reads no parameter, and liveness no database: each documents only what it
    # answers (readiness its own 503).
    problems = {} if path in PROBES else dict(_COMMON_PROBLEMS)
    if path in PROBES:
        responses.pop("422", None)
    if "requestBody" in operation:
        problems["400"] = "The body could not be parsed"
    if "401" in responses:  # it needs a key
        operation["security"] = [{BEARER: []}]
        if method != "get":
            problems.update(_WRITE_PROBLEMS)
    for status in ("200", "201"):
        if status in responses and operation.get("operationId") in LINKS:
            responses[status]["links"] = LINKS[operation["operationId"]]
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
    if method == "get" and path.startswith("/sdmx/"):
        responses.setdefault("304", {"description": "Not modified (If-None-Match matched)"})
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem_schema()}}
            if path.startswith("/sdmx/"):
                # SDMX clients get SDMX-ML error messages; JSON clients problem+json.
                response["content"][SDMX_ERROR_MEDIA_TYPE] = {
                    "schema": {"type": "string", "description": "SDMX-ML 2.1 error message"}
                }


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
            document["components"]["securitySchemes"] = _SECURITY_SCHEMES
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in _body_schemas(body_models).items():
                schemas.setdefault(name, schema)
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
