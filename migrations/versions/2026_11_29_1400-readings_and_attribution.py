"""Strict bounds, other readings, and whose words a figure is.

Revision ID: 0010_readings_attribution
Revises: 0009_seed_statement_periods
Create Date: 2026-11-29 14:00:00

- Qualifiers gain `more_than` and `less_than` beside `at_least` and `at_most`: "more
  than 133" excludes 133 itself. The seeded figures move in 0011.
- A figure may name another reading its source allows, as the value it would then have
  (`alternative_value`, `alternative_reading`); derived figures say what they would be
  under it.
- `reporter_stated` says whether the source names whose statistics a figure is; when it
  does not, `reporter` is only the side the figure is filed under.
- `attribution` says whose words a figure or fact is within its source: the publisher's
  own (`publisher`, the default) or a quoted speaker's (`speaker`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db_types import ExactDecimal

revision: str = "0010_readings_attribution"
down_revision: str | None = "0009_seed_statement_periods"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_QUALIFIERS = "qualifier IN ('exact', 'approximately', 'at_least', 'at_most', 'range')"
QUALIFIERS = (
    "qualifier IN ('exact', 'approximately', 'at_least', 'at_most', 'more_than', "
    "'less_than', 'range')"
)
ATTRIBUTIONS = "attribution IN ('publisher', 'speaker')"
STRICT_TO_INCLUSIVE = {"more_than": "at_least", "less_than": "at_most"}
BUMP = "UPDATE store_version SET version = version + 1 WHERE id = 1"


def _restore_sqlite_triggers(table: str) -> None:
    """SQLite's batch mode rebuilds the table and loses its triggers: put back the
    store-version bumps (0005) that caches rely on."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_bump_store_version "
            f"AFTER {event} ON {table} FOR EACH ROW BEGIN {BUMP}; END"
        )


def _attribution() -> sa.Column[str]:
    return sa.Column("attribution", sa.String(10), nullable=False, server_default="publisher")


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(_attribution())
        batch.add_column(sa.Column("alternative_value", ExactDecimal(), nullable=True))
        batch.add_column(sa.Column("alternative_reading", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("reporter_stated", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.drop_constraint("ck_observations_qualifier", type_="check")
        batch.create_check_constraint("ck_observations_qualifier", sa.text(QUALIFIERS))
        batch.create_check_constraint("ck_observations_attribution", sa.text(ATTRIBUTIONS))
        batch.create_check_constraint(
            "ck_observations_alternative_complete",
            sa.text("(alternative_value IS NULL) = (alternative_reading IS NULL)"),
        )
    with op.batch_alter_table("relation_facts") as batch:
        batch.add_column(_attribution())
        batch.drop_constraint("ck_relation_facts_qualifier", type_="check")
        batch.create_check_constraint("ck_relation_facts_qualifier", sa.text(QUALIFIERS))
        batch.create_check_constraint("ck_relation_facts_attribution", sa.text(ATTRIBUTIONS))
    for table in ("observations", "relation_facts"):
        _restore_sqlite_triggers(table)


def downgrade() -> None:
    connection = op.get_bind()
    for name in ("observations", "relation_facts"):
        qualified = sa.table(name, sa.column("qualifier", sa.String))
        for strict, inclusive in STRICT_TO_INCLUSIVE.items():
            connection.execute(
                qualified.update()
                .where(qualified.c.qualifier == strict)
                .values(qualifier=inclusive)
            )
    with op.batch_alter_table("relation_facts") as batch:
        batch.drop_constraint("ck_relation_facts_attribution", type_="check")
        batch.drop_constraint("ck_relation_facts_qualifier", type_="check")
        batch.create_check_constraint("ck_relation_facts_qualifier", sa.text(OLD_QUALIFIERS))
        batch.drop_column("attribution")
    with op.batch_alter_table("observations") as batch:
        batch.drop_constraint("ck_observations_alternative_complete", type_="check")
        batch.drop_constraint("ck_observations_attribution", type_="check")
        batch.drop_constraint("ck_observations_qualifier", type_="check")
        batch.create_check_constraint("ck_observations_qualifier", sa.text(OLD_QUALIFIERS))
        batch.drop_column("reporter_stated")
        batch.drop_column("alternative_reading")
        batch.drop_column("alternative_value")
        batch.drop_column("attribution")
    for table in ("observations", "relation_facts"):
        _restore_sqlite_triggers(table)
