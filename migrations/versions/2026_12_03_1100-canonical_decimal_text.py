"""SQLite keeps exact decimals as canonical text (six places): rewrite those that are not.

Revision ID: 0012_canonical_decimal_text
Revises: 0011_seed_readings
Create Date: 2026-12-03 11:00:00

Writes through the API and imports stored '65.6' where the seed stored '65.600000'. They
read back as the same number, but the revision merge compares the stored text, so a
figure sent again as it was became a new revision. Postgres stores NUMERIC: nothing to do.
Downgrade leaves the canonical text: it is the same value.
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0012_canonical_decimal_text"
down_revision: str | None = "0011_seed_readings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUANTUM = Decimal("0.000001")
CANONICAL = "*.[0-9][0-9][0-9][0-9][0-9][0-9]"
COLUMNS = {
    "observations": ("value", "value_low", "value_high", "alternative_value"),
    "relation_facts": ("value",),
}


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table_name, names in COLUMNS.items():
        table = sa.Table(
            table_name, sa.MetaData(), sa.Column("id", sa.Integer), *(sa.Column(n) for n in names)
        )
        for name in names:
            column = table.c[name]
            rows = connection.execute(
                sa.select(table.c.id, column).where(
                    column.is_not(None), sa.not_(column.op("GLOB")(CANONICAL))
                )
            ).all()
            if rows:
                connection.execute(
                    table.update().where(table.c.id == sa.bindparam("row_id")),
                    [
                        {"row_id": row_id, name: format(Decimal(text).quantize(QUANTUM), "f")}
                        for row_id, text in rows
                    ],
                )


def downgrade() -> None:
    pass
