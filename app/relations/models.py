from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.db_types import ExactDecimal, Vocabulary, vocabulary_check
from app.shared.vocabulary import Attribution, Qualifier, Status

QUALIFIER = Vocabulary(Qualifier, length=16)
# Context is reported by a source or derived from what it reports; never planned.
STATUS = Vocabulary(Status, length=10, allowed={Status.REPORTED, Status.DERIVED})
ATTRIBUTION = Vocabulary(Attribution, length=10)


class RelationFact(Base):
    """A fact about a country pair beyond trade: ties, agreements, shared memberships."""

    __tablename__ = "relation_facts"
    __table_args__ = (
        # Stored once per pair, in alphabetical order, so A-B and B-A find the same rows.
        CheckConstraint("country_a < country_b", name="pair_order"),
        vocabulary_check("qualifier", QUALIFIER),
        vocabulary_check("status", STATUS),
        vocabulary_check("attribution", ATTRIBUTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_a: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    country_b: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(300))
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    unit: Mapped[str | None] = mapped_column(String(20))
    qualifier: Mapped[Qualifier] = mapped_column(QUALIFIER)
    qualifier_wording: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[Status] = mapped_column(STATUS)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[Attribution] = mapped_column(ATTRIBUTION, server_default="publisher")
