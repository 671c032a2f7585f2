"""The `observations` view gives each figure's commodity id, `commodity_key`.

Revision ID: 0019_view_commodity_key
Revises: 0018_superseded_figures
Create Date: 2026-12-07 08:00:00

A pair read of the totals filtered on the view's commodity code, which is joined in: every
figure of the pair's window went through the view's joins before the chapters were left
out (168 figures joined for 8 answered, in a year's read of a store with ten chapters a
pair). A filter on the figures' own commodity id leaves them out first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_view_commodity_key"
down_revision: str | None = "0018_superseded_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Where the column goes in each engine's own text of the view: before its FROM.
POSTGRES_FROM = "\n   FROM "
SQLITE_FROM = " FROM figures f"
COLUMN = "f.commodity_id AS commodity_key"


def _definition() -> tuple[str, str, str]:
    """The view's SELECT, the text its FROM starts with, and the column as written there."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        (select,) = connection.exec_driver_sql(
            "SELECT pg_get_viewdef('observations'::regclass)"
        ).one()
        return str(select).rstrip().rstrip(";"), POSTGRES_FROM, f",\n    {COLUMN}"
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
