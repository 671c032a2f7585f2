"""An import holds no lock while it reads and checks its file: other writes go through,
and its own merge is still all or nothing. Idempotency-Key works on imports too."""

import io
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.db import write_session_on
from app.imports import service
from app.observations import writes
from app.observations.models import Observation
from tests.helpers import SAMPLE_FIGURE

HEADER = "reporter,partner,flow,commodity,period,measure,value,unit,source_ids,statement\n"
ROWS = 300


def _file(value: int = 1) -> bytes:
    rows = "".join(
        f"GE,AM,export,TOTAL,{1900 + n // 12}-{n % 12 + 1:02d},trade_value,{value},USD,1,x\n"
        for n in range(ROWS)
    )
    return (HEADER + rows).encode()


def _unrelated_write(engine: Engine) -> None:
    """A write of another figure that fails at once if any lock it needs is held."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
        else:
            connection.exec_driver_sql("SET lock_timeout = '500ms'")
        connection.commit()  # the setting stays; the write is a transaction of its own
        with write_session_on(connection) as session, session.begin():
            batch = writes.parse_body({**SAMPLE_FIGURE, "period": "2011", "value": "5"})
            writes.write(session, batch, recorded_by="other")


def _count(engine: Engine, **where: Any) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Observation).filter_by(**where)
        return session.scalar(query) or 0


def test_an_import_lets_other_writes_through_while_it_reads(engine: Engine) -> None:
    rows_seen = 0

    def halfway() -> None:
        nonlocal rows_seen
        rows_seen += 1
        if rows_seen == ROWS // 2:
            _unrelated_write(engine)

    with engine.connect() as connection:
        report = service.run(
            connection,
            io.BytesIO(_file()),
            source_id=None,
            recorded_by="importer",
            error_limit=10,
            max_inflated_bytes=10**8,
            on_progress=halfway,
        )
    assert rows_seen == ROWS
    assert report.added == ROWS
    assert _count(engine, reporter_code="GEO", recorded_by="importer") == ROWS
    assert _count(engine, period="2011", recorded_by="other") == 1


@pytest.mark.anyio
async def test_an_import_retried_with_its_idempotency_key_is_applied_once(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    headers = {**auth, "Content-Type": "text/csv", "Idempotency-Key": "import-1"}
    first = await client.post("/v1/imports", content=_file(), headers=headers)
    assert first.status_code == 201, first.text
    # The same file again under another key is a new request: everything unchanged.
    again = await client.post(
        "/v1/imports", content=_file(), headers={**headers, "Idempotency-Key": "import-2"}
    )
    assert again.json()["unchanged"] == ROWS
    retry = await client.post("/v1/imports", content=_file(), headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    other = await client.post("/v1/imports", content=_file(value=2), headers=headers)
    assert other.status_code == 409
    assert _count(engine, reporter_code="GEO") == ROWS
