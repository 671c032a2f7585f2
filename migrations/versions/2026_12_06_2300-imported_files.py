"""Remember files already imported, so that importing one again is answered at once.

Revision ID: 0016_imported_files
Revises: 0015_figures_in_partitions
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_imported_files"
down_revision: str | None = "0015_figures_in_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No store-version trigger: remembering a file changes no answer the cache keeps.
    op.create_table(
        "imported_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("layout", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Integer(), nullable=False),
        sa.Column("first_figure_id", sa.BigInteger(), nullable=False),
        sa.Column("last_figure_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_imported_files_source_id_sources"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_imported_files"),
    )
    op.create_index("ix_imported_files_digest", "imported_files", ["digest"])


def downgrade() -> None:
    op.drop_index("ix_imported_files_digest", table_name="imported_files")
    op.drop_table("imported_files")
