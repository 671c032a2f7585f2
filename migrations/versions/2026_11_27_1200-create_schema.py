"""Create the store: countries, commodities, sources, observations, relation facts.

Revision ID: 0001_schema
Revises:
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db_types import ExactDecimal

revision: str = "0001_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VALUE = ExactDecimal()
QUALIFIERS = "qualifier IN ('exact', 'approximately', 'at_least', 'at_most', 'range')"


def upgrade() -> None:
    op.create_table(
        "countries",
        sa.Column("alpha3", sa.String(3), nullable=False),
        sa.Column("alpha2", sa.String(2), nullable=False),
        sa.Column("numeric", sa.String(3), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("official_name", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("alpha3", name="pk_countries"),
        sa.UniqueConstraint("alpha2", name="uq_countries_alpha2"),
        sa.UniqueConstraint("numeric", name="uq_countries_numeric"),
    )
    op.create_table(
        "commodities",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("parent_code", sa.String(8), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_commodities"),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["commodities.code"],
            name="fk_commodities_parent_code_commodities",
        ),
    )
    op.create_index("ix_commodities_parent_code", "commodities", ["parent_code"])
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("speaker", sa.String(200), nullable=True),
        sa.Column("speaker_role", sa.String(300), nullable=True),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("slug", name="uq_sources_slug"),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_code", sa.String(3), nullable=False),
        sa.Column("partner_code", sa.String(3), nullable=False),
        sa.Column("flow", sa.String(8), nullable=False),
        sa.Column("commodity_code", sa.String(8), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("base_period", sa.String(32), nullable=True),
        sa.Column("base_period_start", sa.Date(), nullable=True),
        sa.Column("base_period_end", sa.Date(), nullable=True),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("value", VALUE, nullable=True),
        sa.Column("value_low", VALUE, nullable=True),
        sa.Column("value_high", VALUE, nullable=True),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("qualifier_wording", sa.String(40), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
        sa.ForeignKeyConstraint(
            ["reporter_code"],
            ["countries.alpha3"],
            name="fk_observations_reporter_code_countries",
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"],
            ["countries.alpha3"],
            name="fk_observations_partner_code_countries",
        ),
        sa.ForeignKeyConstraint(
            ["commodity_code"],
            ["commodities.code"],
            name="fk_observations_commodity_code_commodities",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_observations_source_id_sources"
        ),
        sa.CheckConstraint("flow IN ('export', 'import', 'turnover')", name="ck_observations_flow"),
        sa.CheckConstraint(
            "measure IN ('trade_value', 'quantity', 'growth', 'multiplier')",
            name="ck_observations_measure",
        ),
        sa.CheckConstraint("unit IN ('USD', 't', 'percent', 'ratio')", name="ck_observations_unit"),
        sa.CheckConstraint(QUALIFIERS, name="ck_observations_qualifier"),
        sa.CheckConstraint(
            "status IN ('reported', 'derived', 'forecast', 'target')",
            name="ck_observations_status",
        ),
        sa.CheckConstraint(
            "(qualifier = 'range' AND value IS NULL AND value_low IS NOT NULL"
            " AND value_high IS NOT NULL"
            " AND CAST(value_low AS NUMERIC) <= CAST(value_high AS NUMERIC))"
            " OR (qualifier <> 'range' AND value IS NOT NULL"
            " AND value_low IS NULL AND value_high IS NULL)",
            name="ck_observations_value_or_range",
        ),
        sa.CheckConstraint("period_start <= period_end", name="ck_observations_period_order"),
        sa.CheckConstraint(
            "reporter_code <> partner_code", name="ck_observations_distinct_countries"
        ),
    )
    op.create_index(
        "ix_observations_pair_period",
        "observations",
        ["reporter_code", "partner_code", "period_start"],
    )
    op.create_index("ix_observations_source_id", "observations", ["source_id"])
    op.create_table(
        "relation_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_a", sa.String(3), nullable=False),
        sa.Column("country_b", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=True),
        sa.Column("value", VALUE, nullable=True),
        sa.Column("unit", sa.String(20), nullable=True),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("qualifier_wording", sa.String(40), nullable=True),
        sa.Column("period", sa.String(32), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_relation_facts"),
        sa.ForeignKeyConstraint(
            ["country_a"], ["countries.alpha3"], name="fk_relation_facts_country_a_countries"
        ),
        sa.ForeignKeyConstraint(
            ["country_b"], ["countries.alpha3"], name="fk_relation_facts_country_b_countries"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_relation_facts_source_id_sources"
        ),
        sa.CheckConstraint("country_a < country_b", name="ck_relation_facts_pair_order"),
        sa.CheckConstraint(QUALIFIERS, name="ck_relation_facts_qualifier"),
        sa.CheckConstraint("status IN ('reported', 'derived')", name="ck_relation_facts_status"),
    )
    op.create_index("ix_relation_facts_source_id", "relation_facts", ["source_id"])


def downgrade() -> None:
    op.drop_table("relation_facts")
    op.drop_table("observations")
    op.drop_table("sources")
    op.drop_index("ix_commodities_parent_code", table_name="commodities")
    op.drop_table("commodities")
    op.drop_table("countries")
