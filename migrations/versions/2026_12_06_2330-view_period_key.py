"""The `observations` view gives each figure's period id, `period_key`.

Revision ID: 0017_view_period_key
Revises: 0016_imported_files
Create Date: 2026-12-06 23:30:00

A read over a span of periods filtered on the view's dates, which the figures' pair
index cannot use: every figure of the pair was read and joined to its period first (on a
100M-figure store, 3,300 figures for 156 answered). With the period ids of the span
found first, the index (reporter, partner, period_id) finds only the figures asked for.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_view_period_key"
down_revision: str | None = "0016_imported_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Where the column goes in each engine's own text of the view.
POSTGRES_FROM = "\n   FROM "
SQLITE_FROM = " FROM figures f"
COLUMN = "f.period_id AS period_key"


def _definition() -> tuple[str, str, str]:
    """The view's SELECT, the text its FROM starts with, and the column as written there."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        (select,) = connection.exec_driver_sql(
            "SELECT pg_get_viewdef('observations'::regclass)"
        ).one()
        return str(select), POSTGRES_FROM, f",\n    {COLUMN}"
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'observations'"
    ).one()
    select = str(statement).split(" AS ", 1)[1]  # "CREATE VIEW observations AS SELECT ..."
    return select, SQLITE_FROM, f", {COLUMN}"


def _replace(select: str) -> None:
    op.execute("DROP VIEW observations")
    op.execute(f"CREATE VIEW observations AS {select}")


def upgrade() -> None:
    select, start_of_from, column = _definition()
    if start_of_from not in select:
        raise RuntimeError(f"the observations view has no {start_of_from!r}: {select[:200]}")
    _replace(select.replace(start_of_from, column + start_of_from, 1))


def downgrade() -> None:
    select, start_of_from, column = _definition()
    _replace(select.replace(column + start_of_from, start_of_from, 1))
