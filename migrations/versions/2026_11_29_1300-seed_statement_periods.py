"""Seeded statements say the period they are about; the grain figure names the rice in it.

Revision ID: 0009_seed_statement_periods
Revises: 0008_hs_2022_nomenclature
Create Date: 2026-11-29 13:00:00

The rice and lentil figures are stored for January-September 2018 but their statements
said "in 2018". The grain figure (more than 200,000 t, HS 10) did not say that the
6,000 t of rice (HS 1006, a cereal) may be part of it. Each is corrected as a new
revision, as any correction is: the seeded revision stays, superseded, so `as_of` before
this migration still answers the old wording. Downgrade removes the new revisions.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_seed_statement_periods"
down_revision: str | None = "0008_hs_2022_nomenclature"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_SLUG = "trend-2018-11-23-az-kz-trade"
# Fixed, so that every store gets the same revision rows.
RECORDED_AT = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
RECORDED_BY = "migration 0009_seed_statement_periods"
JAN_SEP_2018 = "January-September 2018"
RICE_IN_GRAIN = (
    " Rice (HS 1006) is a cereal: the 6,000 tonnes of rice given for the same period may be "
    "part of this figure, so the two are never added up."
)

# (commodity, measure, the seeded statement, the corrected one); None keeps the statement.
CORRECTIONS: list[tuple[str, str, str, str | None]] = [
    (
        "1006",
        "quantity",
        "Kazakhstan supplied 6,000 tonnes of rice to Azerbaijan in 2018.",
        f"Kazakhstan supplied 6,000 tonnes of rice to Azerbaijan in {JAN_SEP_2018}.",
    ),
    (
        "1006",
        "multiplier",
        "Kazakh rice supplies to Azerbaijan in 2018 were three times those of a year earlier.",
        f"Kazakh rice supplies to Azerbaijan in {JAN_SEP_2018} were three times those of a "
        "year earlier.",
    ),
    (
        "071340",
        "quantity",
        "Kazakhstan supplied 1,500 tonnes of lentils to Azerbaijan in 2018.",
        f"Kazakhstan supplied 1,500 tonnes of lentils to Azerbaijan in {JAN_SEP_2018}.",
    ),
    (
        "071340",
        "multiplier",
        "Kazakh lentil supplies to Azerbaijan in 2018 were twice those of a year earlier.",
        f"Kazakh lentil supplies to Azerbaijan in {JAN_SEP_2018} were twice those of a year "
        "earlier.",
    ),
    (
        "10",
        "quantity",
        f"Over 200,000 tonnes of Kazakh grain reached Azerbaijan in {JAN_SEP_2018}.",
        None,
    ),
]


def _tables() -> tuple[sa.Table, sa.Table]:
    metadata = sa.MetaData()
    connection = op.get_bind()
    observations = sa.Table("observations", metadata, autoload_with=connection)
    sources = sa.Table("sources", metadata, autoload_with=connection)
    return observations, sources


def upgrade() -> None:
    connection = op.get_bind()
    observations, sources = _tables()
    source_id = connection.scalar(sa.select(sources.c.id).where(sources.c.slug == SOURCE_SLUG))
    if source_id is None:
        return  # a store without the seed (its downgrade removed it)
    c = observations.c
    for commodity, measure, seeded, corrected in CORRECTIONS:
        current = (
            connection.execute(
                sa.select(observations).where(
                    c.source_id == source_id,
                    c.commodity_code == commodity,
                    c.measure == measure,
                    c.statement == seeded,
                    c.valid_to.is_(None),
                )
            )
            .mappings()
            .one_or_none()
        )
        if current is None:
            continue  # already revised through the API: that revision stands
        row: dict[str, Any] = dict(current)
        connection.execute(
            observations.update().where(c.id == row.pop("id")).values(valid_to=RECORDED_AT)
        )
        row.update(
            revision=row["revision"] + 1,
            recorded_at=RECORDED_AT,
            recorded_by=RECORDED_BY,
            valid_to=None,
        )
        if corrected is not None:
            row["statement"] = corrected
        else:
            row["note"] = (row["note"] or "") + RICE_IN_GRAIN
        connection.execute(observations.insert().values(**row))


def downgrade() -> None:
    connection = op.get_bind()
    observations, _sources = _tables()
    c = observations.c
    revised = connection.execute(
        sa.select(
            c.reporter_code,
            c.partner_code,
            c.flow,
            c.commodity_code,
            c.period_start,
            c.period_end,
            c.measure,
            c.status,
            c.source_id,
        ).where(c.recorded_by == RECORDED_BY)
    ).all()
    connection.execute(observations.delete().where(c.recorded_by == RECORDED_BY))
    for key in revised:
        same_figure = [
            c.reporter_code == key.reporter_code,
            c.partner_code == key.partner_code,
            c.flow == key.flow,
            c.commodity_code == key.commodity_code,
            c.period_start == key.period_start,
            c.period_end == key.period_end,
            c.measure == key.measure,
            c.status == key.status,
            c.source_id == key.source_id,
        ]
        connection.execute(
            observations.update()
            .where(*same_figure, c.valid_to == RECORDED_AT)
            .values(valid_to=None)
        )
