"""/v1/keys: who may write (names and scopes only; keys are never shown again)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.auth import AdminDep
from app.api.deps import SessionDep
from app.auth import service
from app.auth.schemas import KeyList, KeyOut
from app.core.db_types import as_utc
from app.core.errors import problem_responses
from app.http.representation import Format, respond

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get(
    "",
    summary="List API keys by name and scope; needs an admin key",
    response_model=KeyList,
    responses=problem_responses({401: "No valid API key", 403: "Not an admin key"}),
)
def list_keys(request: Request, session: SessionDep, _admin: AdminDep) -> Response:
    items = [
        KeyOut(
            name=key.name,
            scope=key.scope,
            created_at=as_utc(key.created_at),
            revoked_at=as_utc(key.revoked_at) if key.revoked_at else None,
        )
        for key in service.list_keys(session)
    ]
    response = respond(request, KeyList(data=items), Format.JSON)
    response.headers["Cache-Control"] = "no-store"
    return response
