"""What a request reaches beyond itself, typed: the app's runtime and its sessions, one
transaction per request, owned by the dependency."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from app.auth.ratelimit import WriteRate
from app.core.db import Sessions
from app.core.observability import Metrics
from app.core.read_lane import ReadLane
from app.core.store_version import VersionReader
from app.trade.background import Derivations
from app.trade.stored_reads import StoredReads

T = TypeVar("T")


@dataclass
class Runtime:
    """Everything `create_app` builds once and requests share."""

    engine: Engine
    read_engine: Engine
    sessions: Sessions
    versions: VersionReader
    write_rate: WriteRate
    metrics: Metrics
    reads: ReadLane
    derivations: Derivations  # stale pairs' stored points, derived as reads ask
    stored_reads: StoredReads  # the stored points, read with no session
    # SQLite: a read known to be short runs on the event loop (`in_read_session`).
    short_reads_inline: bool = False


def runtime_of(app: Starlette) -> Runtime:
    found = app.state.runtime
    assert isinstance(found, Runtime)
    return found


def runtime(request: Request) -> Runtime:
    return runtime_of(request.app)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, else rolled back."""
    with runtime(request).sessions.read() as session, session.begin():
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    """Like get_session, for requests that write: committed before the response is sent."""
    with runtime(request).sessions.write() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]


async def in_read_session(
    request: Request, work: Callable[[Session], T], *, short: bool = False
) -> T:
    """`work` with a read session, in a thread of the read lane: one hand-off per request
    instead of one for each sync dependency, the route and the session's cleanup.

    A `short` read (a bounded number of figures) on SQLite runs on the event loop instead:
    the hand-off to a thread and back costs about 0.3 ms, as much as such a read, and a
    SQLite read holds the GIL in a thread too. Under load the admission gate keeps the
    queue short, so the loop still answers /healthz between reads."""
    state = runtime(request)
    factory = state.sessions.read

    def run() -> T:
        with factory() as session, session.begin():
            return work(session)

    if short and state.short_reads_inline:
        return run()
    return await state.reads.run(run)
