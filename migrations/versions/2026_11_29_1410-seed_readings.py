"""The seeded article's figures: strict bounds, other readings, attribution, comparison.

Revision ID: 0011_seed_readings
Revises: 0010_readings_attribution
Create Date: 2026-11-29 14:10:00

- "More than" and "over" are strict lower bounds, "almost" a strict upper one: stored as
  `more_than` / `less_than`, the source's wording kept. Any figure or fact with those
  words moves, whoever wrote it.
- The imports figure names its other reading (an increase of USD 133 million, not the
  level), the rice and lentil multipliers theirs (4-fold and 3-fold), as the values they
  would then have.
- The agency's own narration (the doubling instruction, every relation fact) is the
  publisher's; the rest is the ambassador's, quoted.
- The grain figure names what the article compares it with: 76,500 t in 2017.
- The article never says whose statistics its figures are: the reporter each is filed
  under (Azerbaijan for the totals, Kazakhstan for the goods lines) is ours.

These describe how the seeded figures were always read, so the seeded rows are updated
in place, every revision alike; downgrade puts back exactly what was there.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from app.core.db_types import ExactDecimal

revision: str = "0011_seed_readings"
down_revision: str | None = "0010_readings_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_SLUG = "trend-2018-11-23-az-kz-trade"
STRICT_WORDS = {
    "more_than": ("at_least", ("more than", "over", "above", "exceeding")),
    "less_than": ("at_most", ("almost", "under", "below", "less than", "nearly", "just under")),
}
JAN_SEP_2018 = date(2018, 1, 1)
IMPORTS_AS_INCREASE = (
    "an increase of USD 133 million on January-September 2017 rather than the level: with "
    "65.8% growth, imports of about USD 335 million"
)
# (flow, commodity, measure, alternative value, reading) of January-September 2018 figures.
ALTERNATIVES = [
    ("import", "TOTAL", "trade_value", Decimal("335127660"), IMPORTS_AS_INCREASE),
    ("export", "1006", "multiplier", Decimal(4), "4-fold (an increase of 300%), not 3-fold"),
    ("export", "071340", "multiplier", Decimal(3), "3-fold (an increase of 200%), not 2-fold"),
]
GRAIN_COMPARED_WITH = ("2017", date(2017, 1, 1), date(2017, 12, 31))


def _tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    metadata = sa.MetaData()
    connection = op.get_bind()
    return (
        sa.Table("observations", metadata, autoload_with=connection),
        sa.Table("relation_facts", metadata, autoload_with=connection),
        sa.Table("sources", metadata, autoload_with=connection),
    )


def _move_strict_words(tables: Sequence[sa.Table], *, to_strict: bool) -> None:
    """Qualifiers worded as strict bounds: inclusive -> strict, or back."""
    connection = op.get_bind()
    for table in tables:
        for strict, (inclusive, words) in STRICT_WORDS.items():
            old, new = (inclusive, strict) if to_strict else (strict, inclusive)
            connection.execute(
                table.update()
                .where(
                    table.c.qualifier == old,
                    sa.func.lower(table.c.qualifier_wording).in_(words),
                )
                .values(qualifier=new)
            )


def upgrade() -> None:
    connection = op.get_bind()
    observations, facts, sources = _tables()
    _move_strict_words((observations, facts), to_strict=True)
    source_id = connection.scalar(sa.select(sources.c.id).where(sources.c.slug == SOURCE_SLUG))
    if source_id is None:
        return  # a store without the seed
    c = observations.c
    seeded = c.source_id == source_id
    # Everything but the presidents' instruction (the one target) is the ambassador's.
    connection.execute(
        observations.update().where(seeded, c.status != "target").values(attribution="speaker")
    )
    connection.execute(observations.update().where(seeded).values(reporter_stated=False))
    for flow, commodity, measure, value, reading in ALTERNATIVES:
        connection.execute(
            observations.update()
            .where(
                seeded,
                c.commodity_code == commodity,
                c.measure == measure,
                c.flow == flow,
                c.period_start == JAN_SEP_2018,
                c.status == "reported",
            )
            .values(
                # Reflected SQLite columns are plain text: bind as the model's exact type.
                alternative_value=sa.bindparam(None, value, type_=ExactDecimal()),
                alternative_reading=reading,
            )
        )
    label, start, end = GRAIN_COMPARED_WITH
    connection.execute(
        observations.update()
        .where(
            seeded,
            c.commodity_code == "10",
            c.measure == "quantity",
            c.period_start == JAN_SEP_2018,
        )
        .values(base_period=label, base_period_start=start, base_period_end=end)
    )


def downgrade() -> None:
    connection = op.get_bind()
    observations, facts, sources = _tables()
    source_id = connection.scalar(sa.select(sources.c.id).where(sources.c.slug == SOURCE_SLUG))
    if source_id is not None:
        c = observations.c
        seeded = c.source_id == source_id
        connection.execute(
            observations.update()
            .where(seeded, c.commodity_code == "10", c.measure == "quantity")
            .values(base_period=None, base_period_start=None, base_period_end=None)
        )
        connection.execute(
            observations.update()
            .where(seeded)
            .values(
                attribution="publisher",
                alternative_value=None,
                alternative_reading=None,
                reporter_stated=True,
            )
        )
    _move_strict_words((observations, facts), to_strict=False)
