"""The figure store, after SDMX's information model.

- `figures`: one narrow row per figure and revision: its dimensions as integer keys, its
  value, the release it came in and how long it was current. No foreign keys: every
  code is checked set-based before a write, and row-by-row checks would cost more than
  the rest of a bulk load.
- `releases`: what a whole write shares: source, when and by whom, attribution, whether
  the reporter is stated.
- `periods`: each span of days once, with its label.
- `superseded_figures`: when each replaced revision stopped being current.
- `figure_details`: text and bounds that belong to one figure, only for figures that have
  them. A figure without a row here has its generated statement (see the view).
- `observations`: a view that joins them back into one wide row per figure, which is
  what every read asks for (`Observation`).
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.db import NAMING_CONVENTION, Base
from app.core.db_types import Coded, ExactDecimal, Vocabulary, coded_check
from app.shared.vocabulary import (
    STORED_CODES,
    STORED_FLOWS,
    Attribution,
    Flow,
    Measure,
    Qualifier,
    Status,
    Unit,
)

FLOW = Vocabulary(Flow, length=9, allowed=STORED_FLOWS)
MEASURE = Vocabulary(Measure, length=24)
UNIT = Vocabulary(Unit, length=8)
QUALIFIER = Vocabulary(Qualifier, length=16)
STATUS = Vocabulary(Status, length=10)
ATTRIBUTION = Vocabulary(Attribution, length=10)

FLOW_CODE = Coded(Flow, STORED_CODES[Flow], allowed=STORED_FLOWS)
MEASURE_CODE = Coded(Measure, STORED_CODES[Measure])
UNIT_CODE = Coded(Unit, STORED_CODES[Unit])
QUALIFIER_CODE = Coded(Qualifier, STORED_CODES[Qualifier])
STATUS_CODE = Coded(Status, STORED_CODES[Status])
ATTRIBUTION_CODE = Coded(Attribution, STORED_CODES[Attribution])

# A figure's id: bigint on Postgres, where bulk loads take ids from blocks at and above
# BLOCK_START; SQLite's INTEGER PRIMARY KEY (the rowid) is 64-bit already.
FIGURE_ID = BigInteger().with_variant(Integer(), "sqlite")
BLOCK_START = 2**40
BLOCK_SIZE = 2**32
# Postgres: the partitions of `figures` (the live one, and one per bulk load).
PARTITION_NAME = re.compile(r"figures_(live|bulk_[0-9]+)")


def include_name(name: str | None, kind: str, _parent: Any) -> bool:
    """Alembic's filter: a partition of `figures` is the parent's storage, not a table of
    the schema."""
    return not (kind == "table" and name is not None and PARTITION_NAME.fullmatch(name))


def include_object(item: Any, name: str | None, kind: str, reflected: bool, _compared: Any) -> bool:
    """Alembic's filter: Postgres keeps a copy of a foreign key to a partitioned table for
    each of its partitions; only the one to `figures` is the schema's."""
    if kind == "foreign_key_constraint" and reflected:
        return not PARTITION_NAME.fullmatch(item.referred_table.name)
    return True


# What identifies a figure across its revisions, as the read model names it.
NATURAL_KEY = (
    "reporter_code",
    "partner_code",
    "flow",
    "commodity_code",
    "period_start",
    "period_end",
    "measure",
    "status",
    "source_id",
)


class Release(Base):
    """What one write shares: every figure it added or revised points here."""

    __tablename__ = "releases"
    __table_args__ = (coded_check("attribution", ATTRIBUTION_CODE),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    # Whose words: the source's own (publisher) or a person it quotes (speaker).
    attribution: Mapped[Attribution] = mapped_column(ATTRIBUTION_CODE)
    # Whether the source says whose statistics these are; if not, `reporter` is only the
    # side the figure is filed under.
    reporter_stated: Mapped[bool] = mapped_column(Boolean)


class PeriodRow(Base):
    """A span of days, stored once; `label` is how the first figure over it named it."""

    __tablename__ = "periods"
    __table_args__ = (
        UniqueConstraint("start_date", "end_date", name="uq_periods_span"),
        CheckConstraint("start_date <= end_date", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(32))


class FigureRow(Base):
    """One revision of one figure: dimensions, value, release and currency."""

    __tablename__ = "figures"
    __table_args__ = (
        coded_check("flow", FLOW_CODE),
        coded_check("measure", MEASURE_CODE),
        coded_check("unit", UNIT_CODE),
        coded_check("qualifier", QUALIFIER_CODE),
        coded_check("status", STATUS_CODE),
        CheckConstraint("reporter <> partner", name="distinct_areas"),
        # Pair reads, the revision diff of a write and a figure's history all start here.
        Index("ix_figures_pair_period", "reporter", "partner", "period_id"),
        # Postgres: `figures_live` for ids below BLOCK_START, and a partition of its own
        # for each bulk load (migration 0015).
        {"postgresql_partition_by": "RANGE (id)"},
    )

    id: Mapped[int] = mapped_column(FIGURE_ID, primary_key=True)
    release_id: Mapped[int] = mapped_column(Integer)
    reporter: Mapped[int] = mapped_column(SmallInteger)  # countries.m49
    partner: Mapped[int] = mapped_column(SmallInteger)
    commodity_id: Mapped[int] = mapped_column(Integer)  # commodities.id
    period_id: Mapped[int] = mapped_column(Integer)
    flow: Mapped[Flow] = mapped_column(FLOW_CODE)
    measure: Mapped[Measure] = mapped_column(MEASURE_CODE)
    status: Mapped[Status] = mapped_column(STATUS_CODE)
    unit: Mapped[Unit] = mapped_column(UNIT_CODE)
    qualifier: Mapped[Qualifier] = mapped_column(QUALIFIER_CODE)
    revision: Mapped[int] = mapped_column(SmallInteger)
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    retracted: Mapped[bool] = mapped_column(Boolean)
    # A row is current until a later revision supersedes it (when: `SupersededFigure`).
    # Never NULL: one NULL column gives a Postgres row a null bitmap, 8 bytes more.
    superseded: Mapped[bool] = mapped_column(Boolean)


class SupersededFigure(Base):
    """When a revision stopped being current: kept only for the rows that did."""

    __tablename__ = "superseded_figures"

    figure_id: Mapped[int] = mapped_column(
        FIGURE_ID, ForeignKey("figures.id", ondelete="CASCADE"), primary_key=True
    )
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FigureDetail(Base):
    """What only some figures have; NULL everywhere else."""

    __tablename__ = "figure_details"
    __table_args__ = (
        CheckConstraint(
            "(alternative_value IS NULL) = (alternative_reading IS NULL)",
            name="alternative_complete",
        ),
    )

    figure_id: Mapped[int] = mapped_column(
        FIGURE_ID, ForeignKey("figures.id", ondelete="CASCADE"), primary_key=True
    )
    # The figure's own label of its period, where it differs from the period's.
    period: Mapped[str | None] = mapped_column(String(32))
    # The period a growth rate or multiplier compares against.
    base_period: Mapped[str | None] = mapped_column(String(32))
    base_period_start: Mapped[date | None] = mapped_column(Date)
    base_period_end: Mapped[date | None] = mapped_column(Date)
    value_low: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    value_high: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    # The source's own hedge word ("almost", "more than") behind the normalised qualifier.
    qualifier_wording: Mapped[str | None] = mapped_column(String(40))
    # NULL: the statement generated from the figure's dimensions (see the view).
    statement: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Another reading the source allows, as the value the figure would then have.
    alternative_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    alternative_reading: Mapped[str | None] = mapped_column(Text)


class ReadModel(DeclarativeBase):
    """Views: mapped for reads, kept out of the tables Alembic compares."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Observation(ReadModel):
    """One figure as a source states it, read from the `observations` view."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reporter_code: Mapped[str] = mapped_column(String(3))
    partner_code: Mapped[str] = mapped_column(String(3))
    flow: Mapped[Flow] = mapped_column(FLOW)
    commodity_code: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    base_period: Mapped[str | None] = mapped_column(String(32))
    base_period_start: Mapped[date | None] = mapped_column(Date)
    base_period_end: Mapped[date | None] = mapped_column(Date)
    measure: Mapped[Measure] = mapped_column(MEASURE)
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    value_low: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    value_high: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    unit: Mapped[Unit] = mapped_column(UNIT)
    qualifier: Mapped[Qualifier] = mapped_column(QUALIFIER)
    qualifier_wording: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[Status] = mapped_column(STATUS)
    source_id: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    reporter_stated: Mapped[bool] = mapped_column(Boolean)
    attribution: Mapped[Attribution] = mapped_column(ATTRIBUTION)
    alternative_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    alternative_reading: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    # The areas' M49 codes as stored: a filter on these reaches the figures' index.
    reporter_key: Mapped[int] = mapped_column(SmallInteger)
    partner_key: Mapped[int] = mapped_column(SmallInteger)
    # The period's id, for a span asked for: the pair index is (reporter, partner, period).
    period_key: Mapped[int] = mapped_column(Integer)
    # The commodity's id: the totals are filtered before the view's joins, not after.
    commodity_key: Mapped[int] = mapped_column(Integer)
    # Whether a later revision replaced this one (valid_to tells when); filter on this
    # rather than on valid_to, which the view joins in.
    superseded: Mapped[bool] = mapped_column(Boolean)
