"""Bulk writes through a staging table: load every figure, then merge with one set of SQL.

Used by imports, where row-at-a-time lookups would dominate. Figures are loaded into a
temporary table (COPY on Postgres), matched against the current revisions in one UPDATE
... FROM, and the merge is three statements whatever the file's size. The result is the
same as revisions.write: added, revised (old row closed, new row current) or unchanged.
"""

import uuid
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import (
    Boolean,
    Column,
    Date,
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
    update,
)
from sqlalchemy.orm import Session

from app.db_types import ExactDecimal
from app.observations.models import NATURAL_KEY, Observation
from app.observations.revisions import WriteSummary, lock_figures
from app.observations.validation import REVISABLE, NewFigure

FIGURE_COLUMNS = [field.name for field in fields(NewFigure)]
_DATES = {"period_start", "period_end", "base_period_start", "base_period_end"}
_DECIMALS = {"value", "value_low", "value_high"}
_TEXTS = {"statement", "note"}


def _column(name: str) -> Column[Any]:
    if name in _DATES:
        return Column(name, Date)
    if name in _DECIMALS:
        return Column(name, ExactDecimal())
    if name in _TEXTS:
        return Column(name, Text)
    if name == "source_id":
        return Column(name, Integer)
    return Column(name, String(40))


class StagedWrite:
    """`with StagedWrite(session, ...) as staged: staged.add(...); staged.merge()`."""

    def __init__(self, session: Session, *, recorded_by: str | None, now: datetime) -> None:
        self.session = session
        self.recorded_by = recorded_by
        self.now = now
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.table = Table(
            f"staging_{uuid.uuid4().hex[:12]}",
            MetaData(),
            *(_column(name) for name in FIGURE_COLUMNS),
            Column("old_id", Integer),
            Column("old_revision", Integer),
            Column("same", Boolean),
            prefixes=["TEMPORARY"],
        )

    def __enter__(self) -> "StagedWrite":
        # Other writers wait until this transaction ends: the merge sees a still store.
        lock_figures(self.session, None)
        self.table.create(self.session.connection())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.table.drop(self.session.connection())

    def add(self, figures: Iterable[NewFigure]) -> None:
        rows = [tuple(getattr(figure, name) for name in FIGURE_COLUMNS) for figure in figures]
        if not rows:
            return
        if self.postgres:
            self._copy(rows)
        else:
            self.session.execute(
                insert(self.table), [dict(zip(FIGURE_COLUMNS, row, strict=True)) for row in rows]
            )

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        raw = self.session.connection().connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        columns = ", ".join(FIGURE_COLUMNS)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table.name), sql.SQL(columns)
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def merge(self) -> WriteSummary:
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
            .values(valid_to=self.now),
            execution_options={"synchronize_session": False},
        )
        new_rows = select(
            *(staged[name] for name in FIGURE_COLUMNS),
            literal(self.now, Observation.recorded_at.type).label("recorded_at"),
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
        summary = WriteSummary(
            added=total - existing, revised=existing - unchanged, unchanged=unchanged
        )
        return summary
