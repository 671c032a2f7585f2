from datetime import date

from sqlalchemy import Date, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class PairPointRow(Base):
    """One point of a pair's turnover, flow or balance series as the API renders it,
    derived from the pair's reported totals when they land (`app.trade.stored`): a read
    of the series or of one of its periods is one indexed lookup, no ledger.

    Seen from a (a's exports, a's figures first where both report), for both orders of
    every pair with total figures. Only the answers as known now: `as_of` and
    `reporter=` reads run the ledger."""

    __tablename__ = "pair_points"

    a: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # countries.m49
    b: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    operation: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # the series' order
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the point's JSON


class StoredDerivation(Base):
    """Which version of a derivation the stored rows hold (`stored.DERIVATION_VERSION`)."""

    __tablename__ = "stored_derivations"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
