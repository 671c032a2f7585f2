import io
import json
import shlex
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.api.deps import runtime_of
from app.auth import service as keys
from app.auth.models import Scope
from app.core.db import create_db_engine
from app.imports import service as imports
from app.imports.service import ImportReport


def exact_json(response: httpx.Response) -> Any:
    """The body with every number as an exact Decimal (never a float)."""
    assert 200 <= response.status_code < 300, response.text
    return json.loads(response.text, parse_float=Decimal, parse_int=Decimal)


def value_of(figure: dict[str, Any]) -> tuple[Any, str, str, str]:
    return figure["value"], figure["unit"], figure["qualifier"], figure["status"]


# A figure to write in tests: Azerbaijan's exports to Kazakhstan in 2018 (a made-up value).
SAMPLE_FIGURE: dict[str, Any] = {
    "reporter": "AZ",
    "partner": "KZ",
    "flow": "export",
    "period": "2018",
    "measure": "trade_value",
    "value": "48500000",
    "unit": "USD",
    "source_id": 1,
}


def new_key(store: Engine | str, name: str, scope: Scope = Scope.WRITE) -> str:
    """A fresh API key in a store (an engine, or a database URL); returns its secret."""
    engine = store if isinstance(store, Engine) else create_db_engine(store)
    try:
        with Session(engine) as session, session.begin():
            return keys.create(session, name, scope).secret
    finally:
        if engine is not store:
            engine.dispose()


def curl_get(command: str) -> tuple[str, dict[str, str]]:
    """The path and headers of a README `curl` example against localhost:8000."""
    words = shlex.split(command)
    url = next(word for word in words if word.startswith("http://localhost:8000"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    return url.removeprefix("http://localhost:8000"), headers


def report(capsys: "pytest.CaptureFixture[str]", tag: str, line: str) -> None:
    """Shown in the test log even when output is captured: what a long test checked."""
    with capsys.disabled():
        print(f"\n[{tag}] {line}")


COMTRADE_HEADER = "period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue"


def import_lines(store: Engine | Connection, lines: list[str], source_id: int = 1) -> ImportReport:
    """`tradestats import` of a UN Comtrade file of these lines (after COMTRADE_HEADER),
    on an engine's new connection or on a given one."""
    return _imported(store, "\n".join([COMTRADE_HEADER, *lines, ""]).encode(), source_id)


def _imported(store: Engine | Connection, content: bytes, source_id: int = 1) -> ImportReport:
    """`tradestats import` of a file's bytes, on an engine's new connection or a given one."""
    if isinstance(store, Engine):
        with store.connect() as connection:
            return _imported(connection, content, source_id)
    return imports.run(
        store,
        io.BytesIO(content),
        source_id=source_id,
        recorded_by="test",
        error_limit=10,
        max_inflated_bytes=10**9,
    )


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def import_examples(engine: Engine, *names: str) -> list[ImportReport]:
    """`tradestats import` of files of `examples/`, one after the other."""
    return [_imported(engine, (EXAMPLES / name).read_bytes()) for name in names]


def close_app(application: FastAPI) -> None:
    """Close the app's read threads and connections (what its lifespan's end closes)."""
    state = runtime_of(application)
    state.reads.close()
    state.derivations.close()
    state.stored_reads.close_sqlite()
    state.engine.dispose()


@contextmanager
def closing_app(application: FastAPI) -> Iterator[FastAPI]:
    """An app whose read threads and connections are closed afterwards."""
    try:
        yield application
    finally:
        close_app(application)


@asynccontextmanager
async def asgi_client(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app in this process; closes what the app's lifespan would have."""
    # httpx's transport does not run the lifespan.
    await runtime_of(application).stored_reads.open()
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await runtime_of(application).versions.close()
    await runtime_of(application).stored_reads.close()


# Headers that differ between any two answers, whoever gives them.
_PER_ANSWER = {"x-request-id", "date", "server-timing"}


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """What two answers to the same request share, whoever gave them: status, headers,
    body. A problem names its request's id, which differs between any two requests; so
    does the length of its compressed body."""
    left_out = _PER_ANSWER | ({"content-length"} if response.status_code >= 400 else set())
    headers = sorted(
        (name, value) for name, value in response.headers.items() if name not in left_out
    )
    body = response.content.replace(response.headers["x-request-id"].encode(), b"<id>")
    return response.status_code, headers, body
