"""One error shape for the whole API: RFC 9457 problem details (application/problem+json)."""

import logging
import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, TypeVar

import orjson
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.shared.patterns import meaning_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://tradestats.dev/problems/"

logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """An error the client can act on; rendered as problem+json with `status`."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.extra = extra or {}
        self.headers = headers or {}


class NotFoundError(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class InvalidParameterError(ProblemError):
    status, slug, title = 422, "invalid-parameter", "Invalid parameter"


class NotAcceptableError(ProblemError):
    status, slug, title = 406, "not-acceptable", "Not acceptable"


ModelT = TypeVar("ModelT", bound=BaseModel)


def validated_body(model: type[ModelT], document: Any, what: str) -> ModelT:
    """A parsed JSON body as `model`, or a 422 that lists every field problem."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise InvalidParameterError(
            f"The body is not {what}.",
            errors=[
                {
                    "location": "body." + ".".join(str(part) for part in err["loc"]),
                    "message": err["msg"],
                    "type": err["type"],
                }
                for err in error.errors()[:200]
            ],
        ) from None


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    request_id = correlation_id.get()
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def problem_of(error: ProblemError, path: str) -> Response:
    """The problem+json answer for an error raised outside a route (in a middleware)."""
    return problem_response(
        error.status,
        error.title,
        error.detail,
        slug=error.slug,
        instance=path,
        errors=error.errors,
        extra=error.extra,
        headers=error.headers,
    )


async def _handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_of(exc, request.url.path)


def _message(err: Any) -> str:
    meaning = meaning_of((err.get("ctx") or {}).get("pattern"))
    if err["type"] == "string_pattern_mismatch" and meaning is not None:
        given = str(err.get("input", ""))[:40]
        return f"'{given}' is not accepted; accepted: {meaning}"
    return str(err["msg"])


async def _handle_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": _location(err["loc"]), "message": _message(err), "type": err["type"]}
        for err in exc.errors()
    ]
    names = "; ".join(f"{err['location']}: {err['message']}" for err in errors)
    return problem_response(
        422,
        "Invalid request",
        f"The request has invalid or missing values. {names}.",
        slug="invalid-request",
        instance=request.url.path,
        errors=errors,
    )


def _allowed_methods(request: Request, fallback: str) -> list[str]:
    """Every method the API documents at this path (Starlette names only one route's)."""
    methods: set[str] = set()
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    if request.url.path in paths:  # a literal path wins over templates it also fits
        methods = {method.upper() for method in paths[request.url.path]}
    for template, operations in paths.items():
        if not methods and re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            methods |= {method.upper() for method in operations}
    if not methods:
        methods = {method.strip() for method in fallback.split(",") if method.strip()}
    if "GET" in methods:
        methods.add("HEAD")  # answered as GET is (app.edge)
    return sorted(methods)


async def _handle_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if exc.status_code == 404 and detail is None:
        detail = f"No resource at {request.url.path}. The API is described at /docs."
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        given = next((v for k, v in headers.items() if k.lower() == "allow"), "")
        allowed = _allowed_methods(request, given)
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}."
    return problem_response(
        exc.status_code,
        phrase,
        detail or phrase,
        slug=phrase.lower().replace(" ", "-"),
        instance=request.url.path,
        headers=headers,
    )


# What the driver and the pool raise when the database cannot be reached.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeoutError)


class DatabaseUnavailableError(ProblemError):
    status, slug, title = 503, "database-unavailable", "Service unavailable"

    def __init__(self) -> None:
        super().__init__(
            "The database is not reachable right now; retry shortly.",
            headers={"Retry-After": "5"},
        )


def database_down(method: str, path: str, exc: Exception) -> DatabaseUnavailableError:
    """The 503 for a request the database failed; logged without a traceback."""
    logger.warning("database unavailable on %s %s: %s", method, path, type(exc).__name__)
    return DatabaseUnavailableError()


async def _handle_database_down(request: Request, exc: Exception) -> Response:
    return problem_of(database_down(request.method, request.url.path, exc), request.url.path)


async def _handle_bad_value(request: Request, exc: Exception) -> Response:
    # The database refused a value that passed our checks (a NUL byte, say): the client's
    # value, so a 4xx; logged, since our own validation should have caught it first.
    logger.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    orig = getattr(exc, "orig", None)
    reason = str(orig or exc).splitlines()[0][:200]
    return problem_response(
        422,
        "Invalid value",
        f"A value in the request cannot be stored or compared by the database: {reason}.",
        slug="invalid-value",
        instance=request.url.path,
    )


_NOT_MIGRATED = ("UndefinedTable", "UndefinedColumn")


async def _handle_programming_error(request: Request, exc: Exception) -> Response:
    """A store that was never migrated (Postgres: undefined table) is unavailable, not 500."""
    if type(getattr(exc, "orig", None)).__name__ in _NOT_MIGRATED:
        return await _handle_database_down(request, exc)
    return await _handle_unexpected(request, exc)


async def _handle_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "Internal server error",
        "The server failed to answer this request; the failure has been logged.",
        slug="internal-error",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    # Lost connections, refused connections, an exhausted pool: the database is down.
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, _handle_database_down)
    app.add_exception_handler(ProgrammingError, _handle_programming_error)
    app.add_exception_handler(DataError, _handle_bad_value)
    app.add_exception_handler(Exception, _handle_unexpected)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}


def problem_schema() -> dict[str, Any]:
    return dict(_PROBLEM_SCHEMA)


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers an operation may give."""
    return {
        status: {
            "description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}},
        }
        for status, description in descriptions.items()
    }


class ConflictError(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"
