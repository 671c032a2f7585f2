"""A figure row says whether it is superseded; when, is kept beside it for the few that are.

Revision ID: 0018_superseded_figures
Revises: 0017_view_period_key
Create Date: 2026-12-07 01:30:00

`figures.valid_to` was NULL in every current row, and one NULL among 15 columns gives a
Postgres row a null bitmap: a 32-byte tuple header instead of 24, 8 bytes of every
figure's 84. Now `superseded` (a boolean, never NULL) tells whether a revision was
replaced, and `superseded_figures` keeps the time it was, for those rows only. The
`observations` view gives `valid_to` as before, and `superseded` beside it.

On Postgres, dropping a column only hides it: rows already stored keep their bytes, and
partitions that held the column keep a place for it. Partitions made by later bulk loads
(`CREATE TABLE ... LIKE figures`) have the lean rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_superseded_figures"
down_revision: str | None = "0017_view_period_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each engine's own text of the view: the column's old and new spelling, where a column
# goes at the end of the SELECT, and the join that brings valid_to.
POSTGRES = {
    "old": "    f.valid_to,\n",
    "new": "    e.valid_to,\n",
    "from": "\n   FROM ",
    "column": ",\n    f.superseded",
    "join": "\n     LEFT JOIN superseded_figures e ON ((e.figure_id = f.id))",
}
SQLITE = {
    "old": "f.valid_to AS valid_to",
    "new": "e.valid_to AS valid_to",
    "from": " FROM figures f",
    "column": ", f.superseded AS superseded",
    "join": " LEFT JOIN superseded_figures e ON e.figure_id = f.id",
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _view() -> tuple[str, dict[str, str]]:
    """The view's SELECT, without a trailing semicolon, and its engine's spellings."""
    connection = op.get_bind()
    if _postgres():
        (select,) = connection.exec_driver_sql(
            "SELECT pg_get_viewdef('observations'::regclass)"
        ).one()
        return str(select).rstrip().rstrip(";"), POSTGRES
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'observations'"
    ).one()
    return str(statement).split(" AS ", 1)[1], SQLITE


def _edited(select: str, old: str, new: str) -> str:
    if old not in select:
        raise RuntimeError(f"the observations view has no {old!r}: {select[:200]}")
    return select.replace(old, new, 1)


def upgrade() -> None:
    select, spelling = _view()
    select = _edited(select, spelling["old"], spelling["new"])
    select = _edited(select, spelling["from"], spelling["column"] + spelling["from"])
    op.execute("DROP VIEW observations")
    op.create_table(
        "superseded_figures",
        sa.Column(
            "figure_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["figure_id"],
            ["figures.id"],
            name="fk_superseded_figures_figure_id_figures",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("figure_id", name="pk_superseded_figures"),
    )
    op.execute(
        "INSERT INTO superseded_figures (figure_id, valid_to) "
        "SELECT id, valid_to FROM figures WHERE valid_to IS NOT NULL"
    )
    op.add_column(
        "figures",
        sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE figures SET superseded = true WHERE valid_to IS NOT NULL")
    if _postgres():  # SQLite cannot drop a default without rebuilding the table
        op.alter_column("figures", "superseded", server_default=None)
    op.drop_column("figures", "valid_to")
    op.execute(f"CREATE VIEW observations AS {select}{spelling['join']}")


def downgrade() -> None:
    select, spelling = _view()
    select = _edited(select, spelling["join"], "")
    select = _edited(select, spelling["column"] + spelling["from"], spelling["from"])
    select = _edited(select, spelling["new"], spelling["old"])
    op.execute("DROP VIEW observations")
    op.add_column("figures", sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE figures SET valid_to = (SELECT s.valid_to FROM superseded_figures s "
        "WHERE s.figure_id = figures.id) WHERE superseded"
    )
    op.drop_column("figures", "superseded")
    op.drop_table("superseded_figures")
    op.execute(f"CREATE VIEW observations AS {select}")
