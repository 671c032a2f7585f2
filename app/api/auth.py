"""`Authorization: Bearer KEY` for writes: 401 without a valid key, 403 if revoked or short."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.api.deps import runtime
from app.auth import service
from app.auth.service import ApiKey, Scope
from app.core.errors import ProblemError, problem_responses

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tradestats"'}


class UnauthorizedError(ProblemError):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class ForbiddenError(ProblemError):
    status, slug, title = 403, "forbidden", "Forbidden"


def authenticate(request: Request, session: Session, needed: Scope) -> ApiKey:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise UnauthorizedError(
            "Writes need an API key: send `Authorization: Bearer <key>`.", headers=CHALLENGE
        )
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError(
            "The Authorization header must be `Bearer <key>`.", headers=CHALLENGE
        )
    key = service.find(session, secret.strip())
    if key is None:
        raise UnauthorizedError("The API key is not valid.", headers=CHALLENGE)
    if key.revoked_at is not None:
        raise ForbiddenError(f"The API key '{key.name}' has been revoked.")
    if needed not in service.SCOPE_GRANTS[key.scope]:
        raise ForbiddenError(f"The API key '{key.name}' lacks the '{needed}' scope.")
    return key


def _key_with(scope: Scope, request: Request) -> ApiKey:
    # The primary, not a read replica: a key just created or revoked counts at once.
    with runtime(request).sessions.primary() as session:
        key = authenticate(request, session, scope)
        session.expunge(key)
        return key


def check_key(request: Request, scope: Scope) -> None:
    """401 or 403 unless the request carries a valid key with `scope` (nothing counted)."""
    _key_with(scope, request)


def _writer(request: Request) -> ApiKey:
    """A valid write key that has a write left in its rate window (the write is counted)."""
    state = runtime(request)
    with state.sessions.write() as session, session.begin():
        key = authenticate(request, session, Scope.WRITE)
        state.write_rate.take(session, key.id, datetime.now(UTC))
    return key  # detached with its columns loaded (the factory does not expire on commit)


def _admin(request: Request) -> ApiKey:
    return _key_with(Scope.ADMIN, request)


WriterDep = Annotated[ApiKey, Depends(_writer)]
AdminDep = Annotated[ApiKey, Depends(_admin)]


def write_problems(
    own: dict[int, str], *, unchanged: str | None = None
) -> dict[int | str, dict[str, Any]]:
    """A write operation's answers: its `own` problems beside the key's 401 and 403, and a
    200 when `unchanged` (an idempotent write that stored nothing new) says when it comes."""
    problems = problem_responses(
        {401: "No valid API key", 403: "Key revoked or without the write scope", **own}
    )
    return problems if unchanged is None else {200: {"description": unchanged}, **problems}
