"""A typo is an error, not an answer: unknown query parameters get a 422.

Without this, `/v1/observations?perod=2018` would ignore the misspelt filter and answer
every figure. What each operation accepts is read from the OpenAPI description, the one
place that says it.

A pure ASGI layer inside the response cache: a request without a query string, or one
answered from the cache (only valid queries are cached), pays nothing. A dependency on
every route would cost a dependency resolution on every request.
"""

import re
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import InvalidParameterError, problem_response

_PATH_PARAMETER = re.compile(r"\{[^}]+\}")

# Probes: a query string (a cache-buster some checkers add) is read past, not refused.
PROBES = ("/healthz", "/readyz")


@dataclass(frozen=True)
class _Operation:
    path: re.Pattern[str]
    method: str
    accepted: frozenset[str]
    repeatable: frozenset[str]  # the parameters that take a list


def _takes_a_list(schema: dict[str, Any]) -> bool:
    alternatives = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return any(alternative.get("type") == "array" for alternative in alternatives)


def _path_pattern(template: str, operation: dict[str, Any]) -> re.Pattern[str]:
    """What paths the router sends to this operation: whole numbers for integer path
    parameters (Starlette's `int` convertor), any segment for the others."""
    integers = {
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }
    pattern, position = "", 0
    for match in _PATH_PARAMETER.finditer(template):
        segment = "[0-9]+" if match.group(0)[1:-1] in integers else "[^/]+"
        pattern += re.escape(template[position : match.start()]) + segment
        position = match.end()
    return re.compile(pattern + re.escape(template[position:]))


def _operations(app: FastAPI) -> list[_Operation]:
    """Every documented operation, in the order the router tries them."""
    operations: list[_Operation] = []
    paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
    for template, by_method in paths.items():
        for method, operation in by_method.items():
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            operations.append(
                _Operation(
                    _path_pattern(template, operation),
                    method.upper(),
                    frozenset(parameter["name"] for parameter in query),
                    frozenset(p["name"] for p in query if _takes_a_list(p.get("schema", {}))),
                )
            )
    return operations


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


def _repeated_parameters(repeated: list[str]) -> InvalidParameterError:
    # Read as its last value, a repeated filter would answer with the other one's figures.
    return InvalidParameterError(
        f"Query parameter{'s' if len(repeated) > 1 else ''} "
        f"{', '.join(repr(name[:40]) for name in repeated)} given more than once; each "
        "takes one value.",
        errors=[
            {"location": f"query.{name[:40]}", "message": "given twice", "type": "repeated"}
            for name in repeated
        ],
    )


def _unknown_parameters(unknown: list[str], accepted: frozenset[str]) -> InvalidParameterError:
    listed = ", ".join(sorted(accepted)) or "none"
    return InvalidParameterError(
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


class QueryGuard:
    def __init__(self, app: ASGIApp, *, api: FastAPI) -> None:
        self.app = app
        self._api = api
        self._operations: list[_Operation] | None = None

    def _operation(self, path: str, method: str) -> _Operation | None:
        """The operation at `path`; None for undocumented or unknown paths."""
        if self._operations is None:  # the OpenAPI document exists once every route does
            self._operations = _operations(self._api)
        method = "GET" if method == "HEAD" else method
        for operation in self._operations:
            if operation.method == method and operation.path.fullmatch(path):
                return operation
        return None

    def check(self, request: Request) -> None:
        _reject_nul(request)
        operation = self._operation(request.scope["path"], request.method)
        if operation is None:
            return
        names = [name for name, _ in request.query_params.multi_items()]
        unknown = [name for name in dict.fromkeys(names) if name not in operation.accepted]
        if unknown:
            raise _unknown_parameters(unknown, operation.accepted)
        repeated = [
            name
            for name in dict.fromkeys(names)
            if names.count(name) > 1 and name not in operation.repeatable
        ]
        if repeated:
            raise _repeated_parameters(repeated)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["query_string"] or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        try:
            self.check(Request(scope))
        except InvalidParameterError as error:
            response = problem_response(
                error.status,
                error.title,
                error.detail,
                slug=error.slug,
                instance=scope["path"],
                errors=error.errors,
                extra=error.extra,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
