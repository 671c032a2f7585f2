"""What the query guard costs a request, beside what FastAPI's own check would cost.

`python -m bench.query_guard` times, in one process and one run, ASGI calls that never
touch a socket or the database:

- the guard over every operation of the real API, in front of an app that answers at once,
  for a request with a query string (a pair read) and one with an unknown parameter (422);
- a bare FastAPI route taking the same query parameters one by one, and the same route
  taking them as one query model with `extra="forbid"` (FastAPI's own way to refuse an
  unknown parameter), so the guard's price is read against the framework's.

It prints microseconds per request, the median of several rounds.
"""

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict
from starlette.types import Message, Receive, Scope, Send

from app.core.settings import Settings
from app.http.query_guard import QueryGuard
from app.main import create_app

App = Callable[[Scope, Receive, Send], Awaitable[None]]
CALLS = 5_000
ROUNDS = 5


async def _answered(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _scope(path: str, query: str) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _per_call(app: App, path: str, query: str) -> float:
    """Microseconds per call, the median of ROUNDS rounds of CALLS calls."""
    statuses: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            await app(_scope(path, query), _receive, send)
        rounds.append((time.perf_counter() - started) / CALLS * 1e6)
    return statistics.median(rounds)


class PairQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str | None = None
    freq: str | None = None
    as_of: str | None = None
    reporter: str | None = None
    format: str | None = None


def _framework_apps() -> tuple[FastAPI, FastAPI]:
    each, model = FastAPI(openapi_url=None), FastAPI(openapi_url=None)

    @each.get("/v1/trade/{a}/{b}/exports")
    async def one_by_one(
        a: str,
        b: str,
        period: Annotated[str | None, Query()] = None,
        freq: Annotated[str | None, Query()] = None,
        as_of: Annotated[str | None, Query()] = None,
        reporter: Annotated[str | None, Query()] = None,
        format: Annotated[str | None, Query()] = None,
    ) -> dict[str, str]:
        return {}

    @model.get("/v1/trade/{a}/{b}/exports")
    async def as_a_model(a: str, b: str, query: Annotated[PairQuery, Query()]) -> dict[str, str]:
        return {}

    return each, model


async def _measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        api = create_app(Settings(database_url=f"sqlite:///{folder}/guard.db"))
        guard = QueryGuard(_answered, api=api)
        path, good, typo = "/v1/trade/AZ/KZ/exports", "period=2018&freq=A", "perod=2018"
        each, model = _framework_apps()
        figures = {
            "no guard (the answering app alone)": await _per_call(_answered, path, good),
            "guard, valid query": await _per_call(guard, path, good),
            "guard, unknown parameter (422)": await _per_call(guard, path, typo),
            "FastAPI, parameters one by one": await _per_call(each, path, good),
            "FastAPI, query model extra=forbid": await _per_call(model, path, good),
            "FastAPI, query model, unknown parameter (422)": await _per_call(model, path, typo),
        }
    return figures


def main() -> None:
    figures: dict[str, Any] = asyncio.run(_measure())
    width = max(map(len, figures))
    for name, micros in figures.items():
        print(f"{name:<{width}}  {micros:8.1f} us/request")


if __name__ == "__main__":
    main()
