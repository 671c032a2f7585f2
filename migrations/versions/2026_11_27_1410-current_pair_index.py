"""Index the current revisions by pair, commodity and period: the hot read path.

Revision ID: 0006_current_pair_index
Revises: 0005_store_version
Create Date: 2026-11-27 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_current_pair_index"
down_revision: str | None = "0005_store_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("valid_to IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_observations_current_pair",
        "observations",
        ["reporter_code", "partner_code", "commodity_code", "period_start"],
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("ix_observations_current_pair", table_name="observations")
