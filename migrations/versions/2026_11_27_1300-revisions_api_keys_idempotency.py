"""Revisions instead of overwrites; API keys; idempotent POSTs.

A figure is identified by its natural key (pair, flow, commodity, period, measure,
status, source). Every change adds a row: the previous current row gets `valid_to`, and
at most one row per natural key is current (`valid_to IS NULL`), enforced by a partial
unique index. A retraction is a revision with `retracted = true`.

Revision ID: 0004_revisions_keys
Revises: 0003_seed_az_kz_article
Create Date: 2026-11-27 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_revisions_keys"
down_revision: str | None = "0003_seed_az_kz_article"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NATURAL_KEY = [
    "reporter_code",
    "partner_code",
    "flow",
    "commodity_code",
    "period_start",
    "period_end",
    "measure",
    "status",
    "source_id",
]
CURRENT = sa.text("valid_to IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("retracted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("recorded_by", sa.String(100), nullable=True))
    op.create_index(
        "uq_observations_current_figure",
        "observations",
        NATURAL_KEY,
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index("ix_observations_recorded_at", "observations", ["recorded_at"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("name", name="uq_api_keys_name"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
        sa.CheckConstraint("scope IN ('write', 'admin')", name="ck_api_keys_scope"),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_records"),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_idempotency_records_api_key_id_api_keys"
        ),
        sa.UniqueConstraint(
            "api_key_id", "idempotency_key", name="uq_idempotency_records_api_key_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_table("api_keys")
    op.drop_index("ix_observations_recorded_at", table_name="observations")
    op.drop_index("uq_observations_current_figure", table_name="observations")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("recorded_by")
        batch.drop_column("retracted")
        batch.drop_column("valid_to")
        batch.drop_column("revision")
