"""Postgres keeps figures in partitions by id: one for single writes, one per bulk load.

Revision ID: 0015_figures_in_partitions
Revises: 0014_code_checks_as_ranges
Create Date: 2026-12-06 22:00:00

Inserting 2M figures into the indexed table took 13.1 s, 9 s of it for the two indexes,
one entry at a time. The same rows into a new table, then its primary key and pair index
built over them, took 5.9 s. So `figures` becomes a table partitioned by id (RANGE):

- `figures_live` holds ids below 2**40, from `figures_id_seq`: every figure stored so
  far, and every write too small to pay for a table of its own;
- a large write fills a new table with ids of a block of its own (`figure_blocks_seq`),
  builds its indexes and attaches it (`app/observations/staging/`). Attaching takes no
  lock that readers or writers wait on.

Ids become bigint, which costs no byte: an 8-byte id starts the row, where a 4-byte one
left 4 bytes of padding before the 8-byte-aligned fields, and an index entry is 16
bytes either way. The view and the foreign key from `figure_details` are recreated over
the partitioned table. SQLite is unchanged: it has no partitions, and its integer
primary key is already 64-bit.

Downgrade moves every figure back into one plain table. It refuses, with a message, a
store whose ids no longer fit the integer column of the earlier schema.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_figures_in_partitions"
down_revision: str | None = "0014_code_checks_as_ranges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BLOCK_START = 2**40
INTEGER_MAX = 2**31 - 1
FK = "fk_figure_details_figure_id_figures"
BUMP_TRIGGER = (
    "CREATE TRIGGER figures_bump_store_version AFTER INSERT OR UPDATE OR DELETE "
    "ON figures FOR EACH STATEMENT EXECUTE FUNCTION bump_store_version()"
)
DETAILS_FK = (
    f"ALTER TABLE figure_details ADD CONSTRAINT {FK} FOREIGN KEY (figure_id) "
    "REFERENCES figures (id) ON DELETE CASCADE"
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _drop_view() -> str:
    """Drop `observations`, and give its definition to create it again (views follow a
    renamed table, so it is taken while it still says `figures`)."""
    (definition,) = (
        op.get_bind().exec_driver_sql("SELECT pg_get_viewdef('observations'::regclass)").one()
    )
    op.execute("DROP VIEW observations")
    return str(definition)


def upgrade() -> None:
    if not _postgres():
        return
    view = _drop_view()
    op.execute(f"ALTER TABLE figure_details DROP CONSTRAINT {FK}")
    op.execute("DROP TRIGGER figures_bump_store_version ON figures")
    op.execute("ALTER TABLE figures RENAME TO figures_live")
    op.execute("ALTER TABLE figures_live RENAME CONSTRAINT pk_figures TO pk_figures_live")
    op.execute("ALTER INDEX ix_figures_pair_period RENAME TO ix_figures_live_pair_period")
    op.execute("ALTER TABLE figures_live ALTER COLUMN id TYPE bigint")
    op.execute("ALTER TABLE figure_details ALTER COLUMN figure_id TYPE bigint")
    op.execute("ALTER SEQUENCE figures_id_seq AS bigint")
    op.execute(
        "CREATE TABLE figures (LIKE figures_live INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (id)"
    )
    op.execute("ALTER TABLE figures ADD CONSTRAINT pk_figures PRIMARY KEY (id)")
    op.execute("CREATE INDEX ix_figures_pair_period ON figures (reporter, partner, period_id)")
    op.execute(
        "ALTER TABLE figures ATTACH PARTITION figures_live "
        f"FOR VALUES FROM (MINVALUE) TO ({BLOCK_START})"
    )
    op.execute("ALTER SEQUENCE figures_id_seq OWNED BY figures.id")
    op.execute("CREATE SEQUENCE figure_blocks_seq AS bigint")
    op.execute(DETAILS_FK)
    op.execute(BUMP_TRIGGER)
    op.execute(f"CREATE VIEW observations AS {view}")


def downgrade() -> None:
    if not _postgres():
        return
    connection = op.get_bind()
    (largest,) = connection.exec_driver_sql("SELECT max(id) FROM figures").one()
    if largest is not None and largest > INTEGER_MAX:
        raise RuntimeError(
            f"figure ids reach {largest}, past the earlier schema's integer ids "
            f"({INTEGER_MAX}): this store cannot be downgraded below 0015"
        )
    view = _drop_view()
    op.execute(f"ALTER TABLE figure_details DROP CONSTRAINT {FK}")
    op.execute("CREATE TABLE figures_plain (LIKE figures INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute("INSERT INTO figures_plain SELECT * FROM figures ORDER BY id")
    op.execute("ALTER SEQUENCE figures_id_seq OWNED BY NONE")
    op.execute("DROP TABLE figures")  # its partitions, indexes and trigger go with it
    op.execute("DROP SEQUENCE figure_blocks_seq")
    op.execute("ALTER TABLE figures_plain RENAME TO figures")
    op.execute("ALTER TABLE figures ALTER COLUMN id TYPE integer")
    op.execute("ALTER TABLE figure_details ALTER COLUMN figure_id TYPE integer")
    op.execute("ALTER SEQUENCE figures_id_seq AS integer")
    op.execute("ALTER SEQUENCE figures_id_seq OWNED BY figures.id")
    op.execute("ALTER TABLE figures ADD CONSTRAINT pk_figures PRIMARY KEY (id)")
    op.execute("CREATE INDEX ix_figures_pair_period ON figures (reporter, partner, period_id)")
    op.execute(DETAILS_FK)
    op.execute(BUMP_TRIGGER)
    op.execute(f"CREATE VIEW observations AS {view}")
