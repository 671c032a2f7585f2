"""What UN Comtrade gives beside a value and a weight: CIF and FOB values, quantities in
the commodity's own unit, and figures it estimated.

Revision ID: 0023_comtrade_measures
Revises: 0022_source_classification
Create Date: 2026-12-07 12:00:00

- measures 5-7: cif_value, fob_value (USD) and supplementary_quantity;
- units 5-14: UN Comtrade's units of quantity other than weights (m2, 1000kWh, m, u, 2u,
  l, 1000u, 12u, m3, carat);
- status 5: estimated (published by the source as its estimate, not as declared).

As in 0020, the `observations` view names the new codes, and each column's CHECK allows
them (`migrations/code_edits.py`).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from alembic import op

from migrations.code_edits import (
    engine,
    postgres_check,
    replace_view,
    sqlite_checks,
    view_select,
)

revision: str = "0023_comtrade_measures"
down_revision: str | None = "0022_source_classification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@dataclass(frozen=True)
class Widened:
    column: str
    old_last: int
    # The words of the new codes, from old_last + 1 on.
    words: tuple[str, ...]

    @property
    def new_last(self) -> int:
        return self.old_last + len(self.words)

    def last_case(self, engine: str) -> str:
        """The view's text for the last old code, in each engine's spelling."""
        word = {"measure": "multiplier", "unit": "ratio", "status": "target"}[self.column]
        cast = "::text" if engine == "postgresql" else ""
        return f"WHEN {self.old_last} THEN '{word}'{cast}"

    def added_cases(self, engine: str) -> str:
        cast = "::text" if engine == "postgresql" else ""
        return "".join(
            f" WHEN {self.old_last + offset} THEN '{word}'{cast}"
            for offset, word in enumerate(self.words, start=1)
        )


WIDENED = (
    Widened("measure", 4, ("cif_value", "fob_value", "supplementary_quantity")),
    Widened("unit", 4, ("m2", "1000kWh", "m", "u", "2u", "l", "1000u", "12u", "m3", "carat")),
    Widened("status", 4, ("estimated",)),
)


def upgrade() -> None:
    dialect = engine()
    select = view_select()
    for widened in WIDENED:
        last = widened.last_case(dialect)
        if last not in select:
            raise RuntimeError(f"the observations view has no {last!r}")
        select = select.replace(last, last + widened.added_cases(dialect))
    replace_view(select)
    if dialect == "postgresql":
        for widened in WIDENED:
            postgres_check(widened.column, widened.new_last)
    else:
        sqlite_checks([(w.column, w.old_last, w.new_last) for w in WIDENED])


def downgrade() -> None:
    connection = op.get_bind()
    for widened in WIDENED:
        (count,) = connection.exec_driver_sql(
            f"SELECT count(*) FROM figures WHERE {widened.column} > {widened.old_last}"
        ).one()
        if count:
            raise RuntimeError(
                f"{count} figures have a {widened.column} the earlier store cannot hold "
                f"({', '.join(widened.words)}): retract or delete them first"
            )
    dialect = engine()
    select = view_select()
    for widened in WIDENED:
        for code, word in enumerate(widened.words, start=widened.old_last + 1):
            # Postgres gives the view back with a line of its own for each case.
            select = re.sub(rf"\s+WHEN {code} THEN '{re.escape(word)}'(::text)?", "", select)
    replace_view(select)
    if dialect == "postgresql":
        for widened in WIDENED:
            postgres_check(widened.column, widened.old_last)
    else:
        sqlite_checks([(w.column, w.new_last, w.old_last) for w in WIDENED])
