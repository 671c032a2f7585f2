"""A typo is an error, not an answer: unknown query parameters get a 422.

Without this, `/v1/observations?perod=2018` would ignore the misspelt filter and answer
every figure. What each operation accepts is read from the OpenAPI description, the one
place that says it.
"""

from difflib import get_close_matches
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from app.errors import InvalidParameterError


def _accepted_by_operation(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    accepted: dict[tuple[str, str], frozenset[str]] = {}
    paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = {
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            }
            accepted[(path, method.upper())] = frozenset(names)
    return accepted


def _suggestion(name: str, accepted: frozenset[str]) -> str:
    close = get_close_matches(name, sorted(accepted), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _reject_nul(request: Request) -> None:
    """No parameter accepts a NUL character (Postgres cannot even store one in text)."""
    bad = [name for name, value in request.query_params.multi_items() if "\x00" in value]
    if bad:
        raise InvalidParameterError(
            f"Query parameter {', '.join(repr(name[:40]) for name in bad)} contains a NUL "
            "character, which no parameter accepts.",
            errors=[
                {"location": f"query.{name[:40]}", "message": "NUL character", "type": "value"}
                for name in bad
            ],
        )


async def reject_unknown_query_parameters(request: Request) -> None:
    if not request.url.query:
        return
    _reject_nul(request)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    app: FastAPI = request.app
    table: dict[tuple[str, str], frozenset[str]] | None = getattr(
        app.state, "accepted_query_parameters", None
    )
    if table is None:
        table = app.state.accepted_query_parameters = _accepted_by_operation(app)
    method = "GET" if request.method == "HEAD" else request.method
    accepted = table.get((route.path_format, method))
    if accepted is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in accepted]
    if not unknown:
        return
    listed = ", ".join(sorted(accepted)) or "none"
    raise InvalidParameterError(
        f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: "
        f"{', '.join(repr(name[:40]) for name in unknown)}. Accepted here: {listed}.",
        errors=[
            {
                "location": f"query.{name[:40]}",
                "message": "unknown parameter" + _suggestion(name, accepted),
                "type": "unknown_parameter",
            }
            for name in unknown
        ],
        extra={"accepted": sorted(accepted)},
    )
