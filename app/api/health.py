"""Liveness and readiness probes, and the Prometheus metrics."""

from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.routing import Route

from app.api.deps import runtime
from app.core.errors import problem_response
from app.core.migrations import current_revisions, head_revision

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    revision: str


HEALTHY = Health().model_dump_json().encode()


@router.get("/healthz", summary="Liveness: the process is up", response_model=Health)
async def healthz() -> Response:
    # On the event loop, no thread hand-off: liveness must not wait behind busy threads.
    return Response(HEALTHY, media_type="application/json")


async def _liveness(_request: Request) -> Response:
    return await healthz()


def install_liveness(app: FastAPI) -> None:
    """Answer /healthz from a plain route tried before all others.

    Probes call it every few seconds on every replica; it takes no parameters, so
    FastAPI's parameter handling has nothing to do. The route above stays, so the
    OpenAPI document describes the operation; this one answers it, with the same body.
    Call before any other route is added.
    """
    app.router.routes.insert(0, Route("/healthz", _liveness, methods=["GET"]))


@router.get(
    "/readyz",
    summary="Readiness: the database answers and is migrated to the latest revision",
    response_model=Readiness,
    responses={503: {"description": "Database unreachable or not migrated"}},
)
def readyz(request: Request) -> Readiness | Response:
    head = head_revision()
    state = runtime(request)
    engines: list[Engine] = [state.engine]
    if state.read_engine is not state.engine:
        engines.append(state.read_engine)
    try:
        revisions = current_revisions(engines)
    except SQLAlchemyError:
        return problem_response(
            503,
            "Service unavailable",
            "The database does not answer.",
            slug="database-unavailable",
            headers={"Retry-After": "5"},
        )
    if revisions != {head}:
        found = ", ".join(sorted(str(revision) for revision in revisions))
        return problem_response(
            503,
            "Service unavailable",
            f"The database is at revision {found}; this build needs {head}. "
            "Run `tradestats migrate`.",
            slug="database-not-migrated",
            headers={"Retry-After": "30"},
        )
    return Readiness(revision=head)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    # In a thread: with several workers this reads every worker's metric files.
    return Response(runtime(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
