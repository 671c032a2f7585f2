"""The revision rules, set-based: every write of figures goes through here.

Single figures, batches and imports alike are loaded into a temporary table (COPY on
Postgres, executemany on SQLite) and merged with one set of SQL, whatever their number.
For each incoming figure, the current revision with the same natural key decides:
none -> added (revision 1); same values and not retracted -> unchanged; other values, or
a retracted figure given again -> revised (the current row gets `valid_to`, a new row
becomes current). Nothing is overwritten, nothing is erased.
"""

import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Dialect,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.db_types import ExactDecimal
from app.observations.facts import FACT_COLUMNS, Fact, facts_of
from app.observations.models import NATURAL_KEY, Observation
from app.observations.validation import REVISABLE, NewFigure

# Postgres: writers of the same figure queue on one of these advisory locks.
LOCK_NAMESPACE = 7_317
LOCK_BUCKETS = 1024


@dataclass
class WriteSummary:
    added: int = 0
    revised: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)


def _bucket(key: Sequence[Any]) -> int:
    return zlib.crc32(repr(tuple(key)).encode()) % LOCK_BUCKETS


def lock_figures(session: Session, keys: Iterable[Sequence[Any]] | None) -> datetime:
    """Wait until no other transaction writes these figures (None: any figure), then tell
    the time the write is recorded at.

    On Postgres, buckets are taken in one statement in ascending order, so two writers
    cannot deadlock. SQLite needs no more than the write lock its write transaction took
    at BEGIN IMMEDIATE.
    """
    return lock_buckets(session, {_bucket(key) for key in keys} if keys is not None else None)


def lock_buckets(session: Session, buckets: set[int] | None) -> datetime:
    """`lock_figures` for figures whose lock buckets are known already."""
    connection = session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock, happens here
    if connection.dialect.name == "postgresql" and buckets != set():
        _take_advisory_locks(session, sorted(buckets) if buckets is not None else None)
    # Taken only now that the lock is held: the writer before us has committed, so our
    # revision is recorded after the one it supersedes, and its valid_to is our recorded_at.
    return datetime.now(UTC)


def _take_advisory_locks(session: Session, buckets: list[int] | None) -> None:
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:namespace, bucket) "
            "FROM unnest(CAST(:buckets AS integer[])) AS bucket ORDER BY bucket"
        ),
        {"namespace": LOCK_NAMESPACE, "buckets": buckets or list(range(LOCK_BUCKETS))},
    )


FIGURE_COLUMNS = [field.name for field in fields(NewFigure)]
_fields_of = attrgetter(*FIGURE_COLUMNS)
_DATES = {"period_start", "period_end", "base_period_start", "base_period_end"}
_DECIMALS = {"value", "value_low", "value_high", "alternative_value"}
_TEXTS = {"statement", "note", "alternative_reading"}


def _column(name: str) -> Column[Any]:
    if name in _DATES:
        return Column(name, Date)
    if name in _DECIMALS:
        return Column(name, ExactDecimal())
    if name in _TEXTS:
        return Column(name, Text)
    if name == "source_id":
        return Column(name, Integer)
    if name == "reporter_stated":
        return Column(name, Boolean)
    return Column(name, String(40))


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    # The dialect's own implementation: a TypeDecorator asked directly converts with its
    # generic impl, and ExactDecimal would then store '65.6' beside canonical '65.600000'
    # on SQLite, where the merge compares the text.
    return column.type.dialect_impl(dialect).bind_processor(dialect)


class StagedWrite:
    """`with StagedWrite(session, ...) as staged: staged.add(...); staged.merge()`.

    Staging takes no lock: on Postgres, writers of the same figures wait for each other
    only from the merge on (the lock buckets of every staged figure), so a long import
    never holds up an unrelated write while it reads and checks its file.
    """

    def __init__(self, session: Session, *, recorded_by: str | None) -> None:
        self.session = session
        self.recorded_by = recorded_by
        self.buckets: set[int] = set()
        self.staged = 0
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.table = Table(
            f"staging_{uuid.uuid4().hex[:12]}",
            MetaData(),
            Column("position", Integer),
            *(_column(name) for name in FIGURE_COLUMNS),
            Column("old_id", Integer),
            Column("old_revision", Integer),
            Column("same", Boolean),
            prefixes=["TEMPORARY"],
        )

    def __enter__(self) -> "StagedWrite":
        self.table.create(self.session.connection())
        return self

    def move_to(self, session: Session) -> None:
        """Merge in another session on the same connection (the temporary table lives
        with the connection): an import stages in a read transaction, merges in a write."""
        self.session = session

    def drop(self) -> None:
        self.table.drop(self.session.connection())

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.drop()

    def add(self, figures: Sequence[NewFigure]) -> None:
        rows = [
            (position, *_fields_of(figure))
            for position, figure in enumerate(figures, start=self.staged)
        ]
        if not rows:
            return
        self.staged += len(rows)
        if self.postgres:
            self.buckets.update(_bucket(figure.natural_key) for figure in figures)
            self._copy(rows)
        else:
            self._executemany(rows)

    def _executemany(self, rows: list[tuple[Any, ...]]) -> None:
        """One prepared INSERT run over every row by the driver, each value converted by its
        column type's own bind processor: what session.execute would store, without
        building a dict and a parameter set per row."""
        connection = self.session.connection()
        names = ["position", *FIGURE_COLUMNS]
        compiled = insert(self.table).compile(dialect=connection.dialect, column_keys=names)
        # (index in the row, converter) for each placeholder, in the statement's order.
        plan = [
            (names.index(name), _bind_processor(self.table.c[name], connection.dialect))
            for name in compiled.positiontup or []
        ]
        converted = [
            tuple(
                row[index] if process is None or row[index] is None else process(row[index])
                for index, process in plan
            )
            for row in rows
        ]
        connection.exec_driver_sql(compiled.string, converted)

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        raw = self.session.connection().connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        columns = ", ".join(["position", *FIGURE_COLUMNS])
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table.name), sql.SQL(columns)
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def merge(self) -> WriteSummary:
        # Other writers of these figures wait until this transaction ends: the merge sees
        # a still store, and its time is taken inside the lock.
        now = lock_buckets(self.session, self.buckets)
        staged, current = self.table.c, Observation.__table__.c
        matches = and_(
            current.valid_to.is_(None),
            *(current[name] == staged[name] for name in NATURAL_KEY),
        )
        same = and_(
            current.retracted.is_(False),
            *(current[name].is_not_distinct_from(staged[name]) for name in REVISABLE),
        )
        self.session.execute(
            update(self.table)
            .values(old_id=current.id, old_revision=current.revision, same=same)
            .where(matches)
        )
        counts = self.session.execute(
            select(
                func.count(),
                func.count(staged.old_id),
                func.count().filter(staged.same.is_(True)),
            ).select_from(self.table)
        ).one()
        total, existing, unchanged = (int(value) for value in counts)
        changed = and_(staged.old_id.is_not(None), staged.same.is_(False))
        self.session.execute(
            update(Observation)
            .where(Observation.id.in_(select(staged.old_id).where(changed)))
            .values(valid_to=now),
            execution_options={"synchronize_session": False},
        )
        new_rows = select(
            *(staged[name] for name in FIGURE_COLUMNS),
            literal(now, Observation.recorded_at.type).label("recorded_at"),
            (func.coalesce(staged.old_revision, 0) + 1).label("revision"),
            literal(False).label("retracted"),
            literal(self.recorded_by, String()).label("recorded_by"),
        ).where(staged.old_id.is_(None) | staged.same.is_(False))
        self.session.execute(
            insert(Observation).from_select(
                [*FIGURE_COLUMNS, "recorded_at", "revision", "retracted", "recorded_by"],
                new_rows,
            )
        )
        return WriteSummary(
            added=total - existing, revised=existing - unchanged, unchanged=unchanged
        )

    def stored(self) -> list[Fact]:
        """The current revision of every staged figure, in the order they were added: what
        the merge stored or left unchanged, read in one query."""
        staged, current = self.table.c, Observation.__table__.c
        query = (
            select(*FACT_COLUMNS)
            .join(
                self.table,
                and_(
                    current.valid_to.is_(None),
                    *(current[name] == staged[name] for name in NATURAL_KEY),
                ),
            )
            .order_by(staged.position)
        )
        return facts_of(self.session.execute(query))
