"""Count writes per key in the store, so the write rate limit holds across workers.

Revision ID: 0007_write_hits
Revises: 0006_current_pair_index
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_write_hits"
down_revision: str | None = "0006_current_pair_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No store-version trigger: counting writes changes no answer the cache keeps.
    op.create_table(
        "write_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name="fk_write_hits_api_key_id_api_keys",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_write_hits"),
    )
    op.create_index("ix_write_hits_key_at", "write_hits", ["api_key_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_write_hits_key_at", table_name="write_hits")
    op.drop_table("write_hits")
