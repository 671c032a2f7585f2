"""A store-wide version number, bumped by every write, for response caches to check.

Triggers bump it, so every change counts, whichever path made it (the API, an import,
a migration or a hand-written UPDATE): statement-level on Postgres, row-level on SQLite
(which has no statement triggers).

Revision ID: 0005_store_version
Revises: 0004_revisions_keys
Create Date: 2026-11-27 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_store_version"
down_revision: str | None = "0004_revisions_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("countries", "commodities", "sources", "observations", "relation_facts")
BUMP = "UPDATE store_version SET version = version + 1 WHERE id = 1"


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_store_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for name in TABLES:
            op.execute(
                f"CREATE TRIGGER {name}_bump_store_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {name} FOR EACH STATEMENT EXECUTE FUNCTION bump_store_version()"
            )
        return
    for name in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {name}_{event.lower()}_bump_store_version AFTER {event} "
                f"ON {name} FOR EACH ROW BEGIN {BUMP}; END"
            )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            op.execute(f"DROP TRIGGER {name}_bump_store_version ON {name}")
        op.execute("DROP FUNCTION bump_store_version()")
        return
    for name in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER {name}_{event.lower()}_bump_store_version")


def upgrade() -> None:
    table = op.create_table(
        "store_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_store_version"),
        sa.CheckConstraint("id = 1", name="ck_store_version_single_row"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 1}])
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("store_version")
