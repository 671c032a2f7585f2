from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.db_types import ExactDecimal, Vocabulary, vocabulary_check
from app.vocabulary import STORED_FLOWS, Attribution, Flow, Measure, Qualifier, Status, Unit

FLOW = Vocabulary(Flow, length=8, allowed=STORED_FLOWS)
MEASURE = Vocabulary(Measure, length=16)
UNIT = Vocabulary(Unit, length=8)
QUALIFIER = Vocabulary(Qualifier, length=16)
STATUS = Vocabulary(Status, length=10)
ATTRIBUTION = Vocabulary(Attribution, length=10)

# What identifies a figure across its revisions.
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


class Observation(Base):
    """One figure as a source states it: what, between whom, when, how sure, and from where."""

    __tablename__ = "observations"
    __table_args__ = (
        vocabulary_check("flow", FLOW),
        vocabulary_check("measure", MEASURE),
        vocabulary_check("unit", UNIT),
        vocabulary_check("qualifier", QUALIFIER),
        vocabulary_check("status", STATUS),
        vocabulary_check("attribution", ATTRIBUTION),
        CheckConstraint(
            "(alternative_value IS NULL) = (alternative_reading IS NULL)",
            name="alternative_complete",
        ),
        CheckConstraint(
            "(qualifier = 'range' AND value IS NULL AND value_low IS NOT NULL"
            " AND value_high IS NOT NULL"
            " AND CAST(value_low AS NUMERIC) <= CAST(value_high AS NUMERIC))"
            " OR (qualifier <> 'range' AND value IS NOT NULL"
            " AND value_low IS NULL AND value_high IS NULL)",
            name="value_or_range",
        ),
        CheckConstraint("period_start <= period_end", name="period_order"),
        CheckConstraint("reporter_code <> partner_code", name="distinct_countries"),
        Index("ix_observations_pair_period", "reporter_code", "partner_code", "period_start"),
        # The hot read path: a pair's current figures by commodity and period.
        Index(
            "ix_observations_current_pair",
            "reporter_code",
            "partner_code",
            "commodity_code",
            "period_start",
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        # At most one current revision per figure: concurrent writers cannot both win.
        Index(
            "uq_observations_current_figure",
            *NATURAL_KEY,
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_code: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    partner_code: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    flow: Mapped[Flow] = mapped_column(FLOW)
    commodity_code: Mapped[str] = mapped_column(ForeignKey("commodities.code"))
    period: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # The period a growth rate or multiplier compares against; NULL when the source gives none.
    base_period: Mapped[str | None] = mapped_column(String(32))
    base_period_start: Mapped[date | None] = mapped_column(Date)
    base_period_end: Mapped[date | None] = mapped_column(Date)
    measure: Mapped[Measure] = mapped_column(MEASURE)
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    value_low: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    value_high: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    unit: Mapped[Unit] = mapped_column(UNIT)
    qualifier: Mapped[Qualifier] = mapped_column(QUALIFIER)
    # The source's own hedge word ("almost", "more than") behind the normalised qualifier.
    qualifier_wording: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[Status] = mapped_column(STATUS)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Whether the source says whose statistics these are; if not, `reporter` is only the
    # side the figure is filed under.
    reporter_stated: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # Whose words: the source's own (publisher) or a person it quotes (speaker).
    attribution: Mapped[Attribution] = mapped_column(ATTRIBUTION, server_default="publisher")
    # Another reading the source allows, as the value the figure would then have; derived
    # figures that rest on this one say what they would be under it.
    alternative_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    alternative_reading: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Revision bookkeeping: a row is current while valid_to is NULL.
    revision: Mapped[int] = mapped_column(server_default="1")
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    recorded_by: Mapped[str | None] = mapped_column(String(100))
