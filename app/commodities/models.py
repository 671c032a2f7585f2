from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.shared.vocabulary import TOTAL_COMMODITY

HS_2022 = "HS2022"
# Each classification's integer keys start here: HS 1992-2017 and SITC take their own.
CLASSIFICATION_OFFSETS = {HS_2022: 0}


def commodity_key(code: str, classification: str = HS_2022) -> int:
    """The integer a commodity is stored under: 0 for TOTAL, else its digits behind a
    leading 1, so that '01', '0101' and '010121' stay apart (101, 10101, 1010121)."""
    base = CLASSIFICATION_OFFSETS[classification]
    return base if code == TOTAL_COMMODITY else base + int("1" + code)


def _key_of_row(context: DefaultExecutionContext) -> int:
    parameters = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return commodity_key(parameters["code"], parameters.get("classification") or HS_2022)


class Commodity(Base):
    """A Harmonized System code: TOTAL (level 0), chapters (2), headings (4), subheadings (6)."""

    __tablename__ = "commodities"
    __table_args__ = (Index("uq_commodities_id", "id", unique=True),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("commodities.code"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(500))
    # The integer figures refer to (`commodity_key`), and the classification of the code.
    id: Mapped[int] = mapped_column(Integer, default=_key_of_row)
    classification: Mapped[str] = mapped_column(String(8), server_default=HS_2022)
