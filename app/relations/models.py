from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.db_types import ExactDecimal


class RelationFact(Base):
    """A fact about a country pair beyond trade: ties, agreements, shared memberships."""

    __tablename__ = "relation_facts"
    __table_args__ = (
        # Stored once per pair, in alphabetical order, so A-B and B-A find the same rows.
        CheckConstraint("country_a < country_b", name="pair_order"),
        CheckConstraint(
            "qualifier IN ('exact', 'approximately', 'at_least', 'at_most', 'range')",
            name="qualifier",
        ),
        CheckConstraint("status IN ('reported', 'derived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_a: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    country_b: Mapped[str] = mapped_column(ForeignKey("countries.alpha3"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(300))
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    unit: Mapped[str | None] = mapped_column(String(20))
    qualifier: Mapped[str] = mapped_column(String(16))
    qualifier_wording: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
