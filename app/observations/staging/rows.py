"""The staged row: a figure as the staging table holds it (its dimensions as the figure
tables store them, then its values), and on SQLite the file of its own a columnar import
is staged into through ADBC."""

import shutil
import tempfile
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Dialect,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from app.commodities.models import commodity_key
from app.core.db import STAGED_FILES_INFO
from app.core.db_types import ExactDecimal
from app.observations.models import (
    ATTRIBUTION_CODE,
    FLOW_CODE,
    MEASURE_CODE,
    QUALIFIER_CODE,
    STATUS_CODE,
    UNIT_CODE,
)
from app.observations.staging.tables import LOCK_BUCKETS
from app.observations.validation import NewFigure

if TYPE_CHECKING:  # psycopg loads only where Postgres is used (imports into SQLite skip it)
    import adbc_driver_manager

# The staged row: the figure's dimensions as the figure tables store them, then its values.
STAGED_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("reporter", SmallInteger),
    ("partner", SmallInteger),
    ("flow", SmallInteger),
    ("commodity_id", Integer),
    ("period_start", Date),
    ("period_end", Date),
    ("measure", SmallInteger),
    ("status", SmallInteger),
    ("source_id", Integer),
    ("period", String(32)),
    ("base_period", String(32)),
    ("base_period_start", Date),
    ("base_period_end", Date),
    ("value", ExactDecimal()),
    ("value_low", ExactDecimal()),
    ("value_high", ExactDecimal()),
    ("unit", SmallInteger),
    ("qualifier", SmallInteger),
    ("qualifier_wording", String(40)),
    ("statement", Text),
    ("note", Text),
    ("attribution", SmallInteger),
    ("alternative_value", ExactDecimal()),
    ("alternative_reading", Text),
    ("reporter_stated", Boolean),
)
STAGED_NAMES = tuple(name for name, _ in STAGED_COLUMNS)
# The figure's own text, kept in figure_details (with the period label, when it differs).
DETAILS = (
    "base_period",
    "base_period_start",
    "base_period_end",
    "value_low",
    "value_high",
    "qualifier_wording",
    "statement",
    "note",
    "alternative_value",
    "alternative_reading",
)
POSITION = {name: index for index, name in enumerate(STAGED_NAMES)}
# Values a revision may change that the figure row holds, and those its release holds.
ROW_VALUES = ("value", "unit", "qualifier")
RELEASE_VALUES = ("attribution", "reporter_stated")


def bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    # The dialect's own implementation: a TypeDecorator asked directly converts with its
    # generic impl, and ExactDecimal would then store '65.6' beside canonical '65.600000'
    # on SQLite, where the merge compares the text.
    return column.type.dialect_impl(dialect).bind_processor(dialect)


Staged = tuple[Any, ...]


def staged_literal(value: Any, *, postgres: bool = False) -> str:
    """A staged constant as SQL: a small integer or a flag (nothing a client wrote)."""
    if isinstance(value, bool):
        if postgres:
            return "true" if value else "false"
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"not a staged constant: {value!r}")


def staged_row(figure: NewFigure, areas: dict[str, int]) -> Staged:
    """A figure as the staging table holds it (without its position)."""
    return (
        areas[figure.reporter_code],
        areas[figure.partner_code],
        FLOW_CODE.codes[figure.flow],
        commodity_key(figure.commodity_code),
        figure.period_start,
        figure.period_end,
        MEASURE_CODE.codes[figure.measure],
        STATUS_CODE.codes[figure.status],
        figure.source_id,
        figure.period,
        figure.base_period,
        figure.base_period_start,
        figure.base_period_end,
        figure.value,
        figure.value_low,
        figure.value_high,
        UNIT_CODE.codes[figure.unit],
        QUALIFIER_CODE.codes[figure.qualifier],
        figure.qualifier_wording,
        figure.statement,
        figure.note,
        ATTRIBUTION_CODE.codes[figure.attribution],
        figure.alternative_value,
        figure.alternative_reading,
        figure.reporter_stated,
    )


def bucket_of(row: Staged) -> int:
    """The lock bucket of a staged figure's natural key (its first nine columns)."""
    return zlib.crc32(repr(row[:9]).encode()) % LOCK_BUCKETS


class StagedFile:
    """SQLite: the blocks of a columnar file, staged into a database file of their own
    through ADBC (Arrow's database driver), which binds each Arrow block in C: 2.6 s for
    2M figures, against 7.8 s for turning the columns into Python tuples and one
    `executemany`. The file is attached to the write's connection for the merge (and
    unlinked at once: the open file stays readable); `app.db` detaches it when the
    connection goes back to the pool, since SQLite detaches only outside a transaction."""

    def __init__(self, table: Table) -> None:
        # The driver's own classes: its DB-API module loads pyarrow.dataset and pandas
        # (0.3 s of a 3 s import of 100,000 rows).
        import adbc_driver_manager
        import adbc_driver_sqlite

        self.name = table.name
        self.folder = Path(tempfile.mkdtemp(prefix="tradestats-staged-"))
        self.path = self.folder / "staged.db"
        self._database = adbc_driver_sqlite.connect(str(self.path))
        self._connection: adbc_driver_manager.AdbcConnection | None = (
            adbc_driver_manager.AdbcConnection(self._database)
        )
        plain = Table(
            table.name,
            MetaData(),
            *(
                Column(column.name, column.type, primary_key=column.primary_key,
                       autoincrement=False)
                for column in table.columns
            ),
        )  # fmt: skip
        # Each block is a transaction of its own (autocommit), on scratch rows: nothing
        # to journal or to sync.
        for statement in (
            "PRAGMA journal_mode = OFF",
            "PRAGMA synchronous = OFF",
            str(CreateTable(plain).compile(dialect=sqlite.dialect())),
        ):
            with self._statement() as run:
                run.set_sql_query(statement)
                run.execute_update()

    def _statement(self) -> "adbc_driver_manager.AdbcStatement":
        import adbc_driver_manager

        assert self._connection is not None, "the staged file was attached already"
        return adbc_driver_manager.AdbcStatement(self._connection)

    def append(self, block: pa.Table) -> None:
        import adbc_driver_manager as adbc

        with self._statement() as ingest:
            ingest.set_options(
                **{
                    adbc.INGEST_OPTION_TARGET_TABLE: self.name,
                    adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND,
                }
            )
            ingest.bind_stream(block.to_reader())
            ingest.execute_update()

    def attach(self, session: Session) -> str:
        """The staged rows' table, as the write's connection names it once attached."""
        self.close()
        schema = f"staged_file_{uuid.uuid4().hex[:12]}"
        connection = session.connection()
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(self.path),))
        connection.info.setdefault(STAGED_FILES_INFO, []).append(schema)
        self.remove()
        return f"{schema}.{self.name}"

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._database.close()
            self._connection = None

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
