"""A source records the HS version its commodity codes are in.

Revision ID: 0022_source_classification
Revises: 0021_trade_areas
Create Date: 2026-12-07 11:00:00

A BACI release comes in one file set per HS version (HS92 ... HS22), and the same
six-digit code can name different goods in two of them. The import of a file declares
its version; the source keeps it, and a file in another version needs a source of its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_source_classification"
down_revision: str | None = "0021_trade_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("classification", sa.String(8), nullable=True))


def downgrade() -> None:
    # In place on both engines (SQLite 3.35+): a copied `sources` table could not be
    # dropped while figures refer to it.
    op.execute("ALTER TABLE sources DROP COLUMN classification")
