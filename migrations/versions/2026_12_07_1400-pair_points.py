"""Pairs' turnover, flow and balance points, derived when their totals land and stored as
the API renders them (`app/trade/stored.py`).

Revision ID: 0025_pair_points
Revises: 0024_hs_description_corrections
Create Date: 2026-12-07 14:00:00

Revisions never run the application's code, so the points are derived by the
environment once the store is at head (`migrations/env.py`, `stored.bring_up_to_date`):
now, and again whenever a build changes how they are derived or rendered (it raises
`stored.DERIVATION_VERSION`). Writes keep them current in between.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_pair_points"
down_revision: str | None = "0024_hs_description_corrections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pair_points",
        sa.Column("a", sa.SmallInteger(), nullable=False),
        sa.Column("b", sa.SmallInteger(), nullable=False),
        sa.Column("operation", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("a", "b", "operation", "position", name="pk_pair_points"),
    )
    op.create_table(
        "stored_derivations",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_stored_derivations"),
    )


def downgrade() -> None:
    op.drop_table("stored_derivations")
    op.drop_table("pair_points")
