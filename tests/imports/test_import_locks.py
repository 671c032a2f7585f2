"""An import holds no lock while it reads and checks its file: other writes go through,
and its own merge is still all or nothing. Idempotency-Key works on imports too."""

import io
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.core.db import write_session_on
from app.imports import columnar, service
from app.observations import service as observations
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
            batch = observations.parse_body({**SAMPLE_FIGURE, "period": "2011", "value": "5"})
            observations.write(session, batch, recorded_by="other")


COMTRADE: dict[str, Any] = {
    "source_id": 1,
    "recorded_by": "importer",
    "error_limit": 10,
    "max_inflated_bytes": 10**9,
}


def _comtrade_body() -> str:
    """A UN Comtrade file of Georgia's trade with Armenia, read in several blocks."""
    chapters = [f"{n:02d}" for n in range(1, 98) if n != 77]
    lines = [
        f"{year}{month:02d},GEO,{flow},ARM,{chapter},{year + month}"
        for year in range(1900, 1960)
        for month in range(1, 13)
        for chapter in chapters
        for flow in "XM"
    ]
    body = "period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n" + "\n".join(lines)
    assert len(body) > 2 * columnar.BLOCK_BYTES
    return body + "\n"


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


def test_a_comtrade_import_read_in_columns_lets_other_writes_through(engine: Engine) -> None:
    """The columnar reader (on Postgres, straight into the figures' new partition) writes
    nothing another writer waits for before its merge: not a period, not a release."""
    body = _comtrade_body()
    lines = body.splitlines()[1:]
    blocks = 0

    def after_the_first_block() -> None:
        nonlocal blocks
        blocks += 1
        if blocks == 1:
            _unrelated_write(engine)

    with engine.connect() as connection:
        report = service.run(
            connection, io.BytesIO(body.encode()), on_progress=after_the_first_block, **COMTRADE
        )
    assert blocks > 1
    assert (report.layout, report.added) == ("comtrade", len(lines))
    assert _count(engine, reporter_code="GEO", recorded_by="importer") == len(lines)
    assert _count(engine, period="2011", recorded_by="other") == 1


def test_an_import_stopped_mid_file_changes_nothing_and_frees_its_connection(
    engine: Engine,
) -> None:
    """An error while the columnar reader streams (here, from the progress callback) ends
    the import at once: nothing is stored, and the connection imports again."""
    body = _comtrade_body()

    def fail() -> None:
        raise RuntimeError("stopped")

    with engine.connect() as connection:
        with pytest.raises(RuntimeError, match="stopped"):
            service.run(connection, io.BytesIO(body.encode()), on_progress=fail, **COMTRADE)
        assert _count(engine, reporter_code="GEO") == 0
        report = service.run(connection, io.BytesIO(body.encode()), **COMTRADE)
    assert report.added == body.count("\n") - 1  # the header


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
