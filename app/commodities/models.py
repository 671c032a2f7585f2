from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Commodity(Base):
    """A Harmonized System code: TOTAL (level 0), chapters (2), headings (4), subheadings (6)."""

    __tablename__ = "commodities"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("commodities.code"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(500))
