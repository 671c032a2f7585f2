"""At most N requests at a time reach the database layer of one worker; the rest wait.

They wait on the event loop, holding no thread and no connection. Without this gate a
burst of clients fills the threadpool with threads blocked on an exhausted pool, while
the requests that hold the connections need a thread to finish: nothing moves until the
pool times out.

A write's body is read between two turns at the gate, never while holding a slot: first
its sender is checked (`WriteCheck`: a valid key, the media type, the declared length),
then the body arrives at the client's pace, within its limit and with a pause of at most
`body_timeout` between chunks, then the write takes its turn with the body in hand. A
slow or unauthenticated body cannot keep reads from the database.
"""

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ProblemError, problem_of
from app.http.bodies import PayloadTooLargeError

# Paths that never touch the store: liveness, metrics and the documentation.
UNGATED_PATHS = ("/healthz", "/metrics", "/docs", "/redoc", "/openapi.json", "/static/")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SPOOL_IN_MEMORY = 1024 * 1024
REPLAY_CHUNK = 64 * 1024
# Where a route finds the body the gate spooled (scope["state"]), instead of copying the
# replayed stream a second time: an import reads its file from here.
SPOOLED_BODY = "tradestats_spooled_body"

# Checks a write before its body is read; returns the body's size limit in bytes, or None
# for a request that is no write of ours (no such route: the app answers it as usual).
WriteCheck = Callable[[Scope], Awaitable[int | None]]


class RequestTimeoutError(ProblemError):
    status, slug, title = 408, "request-timeout", "Request timeout"


class AdmissionGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        slots: int,
        write_check: WriteCheck | None = None,
        body_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self._slots = asyncio.Semaphore(slots)
        self._write_check = write_check
        self._body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGATED_PATHS):
            await self.app(scope, receive, send)
            return
        if scope["method"] in BODY_METHODS and self._write_check is not None:
            await self._write(scope, receive, send)
            return
        # Held until the answer is sent: a streamed answer keeps its connection that long.
        async with self._slots:
            await self.app(scope, receive, send)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self._write_check is not None
        try:
            async with self._slots:
                limit = await self._write_check(scope)
            body = None if limit is None else await self._read_body(receive, limit)
        except ProblemError as error:
            answer = problem_of(error, scope["path"])
            # The body is left unread: the connection cannot carry another request.
            answer.headers["Connection"] = "close"
            await answer(scope, receive, send)
            return
        if body is not None:
            scope.setdefault("state", {})[SPOOLED_BODY] = body
        try:
            async with self._slots:
                await self.app(scope, receive if body is None else _replay(body, receive), send)
        finally:
            if body is not None:
                body.close()

    async def _read_body(self, receive: Receive, limit: int) -> IO[bytes]:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            size, more = 0, True
            while more:
                try:
                    message = await asyncio.wait_for(receive(), self._body_timeout)
                except TimeoutError:
                    raise RequestTimeoutError(
                        f"The body paused for more than {self._body_timeout:g} s; "
                        "nothing was written."
                    ) from None
                if message["type"] == "http.disconnect":
                    raise RequestTimeoutError("The client left before its body ended.")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(
                        f"The body is larger than the limit of {limit} bytes."
                    )
                spool.write(chunk)
                more = message.get("more_body", False)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool


def _replay(body: IO[bytes], receive: Receive) -> Receive:
    """The body read already, in chunks, then whatever the client sends next (its
    disconnect)."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = body.read(REPLAY_CHUNK)
        more = bool(chunk) and len(chunk) == REPLAY_CHUNK
        if more:
            # Look ahead so that the last chunk says it is the last.
            position = body.tell()
            more = bool(body.read(1))
            body.seek(position)
        done = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay
