"""Files already imported, recognised by their bytes: importing one again is answered
without reading it, as long as none of the figures it stored has been superseded."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class ImportedFile(Base):
    """An import that stored every figure of its file (none was already there as given).

    `first_figure_id` to `last_figure_id` spans the ids of the figures it stored; other
    writers may have stored figures in between, which only makes the check stricter.
    """

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # BLAKE2b-256 of the file's bytes as given (compressed or not), in hex.
    digest: Mapped[str] = mapped_column(String(64), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    layout: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    figures: Mapped[int] = mapped_column(Integer)
    first_figure_id: Mapped[int] = mapped_column(BigInteger)
    last_figure_id: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
