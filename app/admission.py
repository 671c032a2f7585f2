"""At most N requests at a time reach the database layer of one worker; the rest wait.

They wait on the event loop, holding no thread and no connection. Without this gate a
burst of clients fills the threadpool with threads blocked on an exhausted pool, while
the requests that hold the connections need a thread to finish: nothing moves until the
pool times out.
"""

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

# Paths that never touch the store: liveness, metrics and the documentation.
UNGATED_PATHS = ("/healthz", "/metrics", "/docs", "/redoc", "/openapi.json", "/static/")


class AdmissionGate:
    def __init__(self, app: ASGIApp, *, slots: int) -> None:
        self.app = app
        self._slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGATED_PATHS):
            await self.app(scope, receive, send)
            return
        # Held until the answer is sent: a streamed answer keeps its connection that long.
        async with self._slots:
            await self.app(scope, receive, send)
