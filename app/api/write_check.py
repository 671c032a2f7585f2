"""What a write must show before its body is read (app.admission): a valid key, a media
type its route takes, a declared length within the route's limit."""

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope

from app.api.auth import check_key
from app.api.imports import IMPORT_MEDIA_TYPES
from app.auth.service import Scope as KeyScope
from app.core.errors import DATABASE_DOWN, database_down
from app.core.settings import settings_of
from app.http.bodies import check_declared_length, require_media_type


def _is_write_route(app: FastAPI, scope: Scope) -> bool:
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


async def write_check(scope: Scope) -> int | None:
    """The body limit of a write whose sender may send one; raises the 401, 403, 413 or
    415 problem otherwise. None for a method and path no route of ours writes at."""
    app = scope["app"]
    assert isinstance(app, FastAPI)
    if not _is_write_route(app, scope):
        return None
    request = Request(scope)
    try:
        await run_in_threadpool(check_key, request, KeyScope.WRITE)
    except DATABASE_DOWN as error:
        raise database_down(request.method, request.url.path, error) from None
    settings = settings_of(app)
    imports = scope["path"].startswith("/v1/imports")
    limit = settings.import_max_bytes if imports else settings.write_body_max_bytes
    if scope["method"] != "DELETE" or _has_body(request):
        require_media_type(request, *(IMPORT_MEDIA_TYPES if imports else ("application/json",)))
    check_declared_length(request, limit)
    return limit
