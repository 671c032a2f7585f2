from sqlalchemy import Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class Country(Base):
    """An ISO 3166-1 country, or an area trade statistics use (World, n.e.s. areas: see
    migration 0021); alpha-3 is the key every figure refers to."""

    __tablename__ = "countries"
    __table_args__ = (Index("uq_countries_m49", "m49", unique=True),)

    alpha3: Mapped[str] = mapped_column(String(3), primary_key=True)
    alpha2: Mapped[str] = mapped_column(String(2), unique=True)
    numeric: Mapped[str] = mapped_column(String(3), unique=True)  # also the UN M49 code
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(300))
    # The UN M49 / Comtrade numeric code as an integer: the key figures are stored under.
    m49: Mapped[int] = mapped_column(SmallInteger)
    # A country, or an aggregate of areas (World, "n.e.s." areas) that trade statistics use.
    kind: Mapped[str] = mapped_column(String(16), server_default="country")
