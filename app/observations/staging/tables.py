"""What every write of figures shares: area keys, the lock buckets writers queue on,
supersession, and on Postgres the block tables a bulk load becomes a partition of and the
COPY that fills them."""

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    DateTime,
    Engine,
    bindparam,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.countries.models import Country
from app.observations.models import (
    BLOCK_SIZE,
    BLOCK_START,
)
from app.shared.vocabulary import TOTAL_COMMODITY

if TYPE_CHECKING:  # psycopg loads only where Postgres is used (imports into SQLite skip it)
    import psycopg

# Alpha-3 code -> M49 key, per engine: areas come only from migrations.
_AREA_KEYS: "WeakKeyDictionary[Engine, dict[str, int]]" = WeakKeyDictionary()


def area_keys(session: Session) -> dict[str, int]:
    """Every area's alpha-3 code and the M49 key figures are stored under."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine  # a session on a connection
    keys = _AREA_KEYS.get(engine)
    if not keys:
        rows = session.execute(select(Country.alpha3, Country.m49))
        keys = _AREA_KEYS[engine] = {row[0]: row[1] for row in rows}
    return keys


# SQLite: a write of at least this many figures, and at least half as many as the store
# holds, builds the figures' secondary indexes again after its insert (`_unindexed_for`).
REBUILD_MIN_FIGURES = 100_000

# Postgres: a write that adds at least this many figures goes into a partition of its own.
PARTITION_MIN_FIGURES = 100_000
FIGURE_COLUMNS = (
    "release_id, reporter, partner, commodity_id, period_id, flow, measure, status, unit, "
    "qualifier, revision, value, retracted, superseded"
)

# A large write: from this many staged figures the merge joins them with the store by
# hashing (Postgres) and widens its page cache (SQLite).
LARGE_WRITE_FIGURES = 50_000
# Postgres: the merge's memory for hashes and sorts.
MERGE_WORK_MEM = "256MB"
# SQLite: the page cache of a large merge, and SQLite's default (2 MiB), in KiB.
SQLITE_MERGE_CACHE_KIB = 192 * 1024
SQLITE_DEFAULT_CACHE_KIB = 2000

# Postgres: writers of the same figure queue on one of these advisory locks.
LOCK_NAMESPACE = 7_317
LOCK_BUCKETS = 1024


@dataclass
class WriteSummary:
    added: int = 0
    revised: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)


def lock_buckets(session: Session, buckets: set[int] | None) -> datetime:
    """Wait until no other transaction writes figures of these lock buckets (None: any
    figure), then tell the time the write is recorded at.

    On Postgres, buckets are taken in one statement in ascending order, so two writers
    cannot deadlock. SQLite needs no more than the write lock its write transaction took
    at BEGIN IMMEDIATE.
    """
    connection = session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock, happens here
    if connection.dialect.name == "postgresql" and buckets != set():
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:namespace, bucket) "
                "FROM unnest(CAST(:buckets AS integer[])) AS bucket ORDER BY bucket"
            ),
            {
                "namespace": LOCK_NAMESPACE,
                "buckets": sorted(buckets) if buckets is not None else list(range(LOCK_BUCKETS)),
            },
        )
    # Taken only now that the lock is held: the writer before us has committed, so our
    # revision is recorded after the one it supersedes, which ends at our recorded_at.
    return datetime.now(UTC)


def new_block_table(session: Session) -> tuple[str, int]:
    """Postgres: a new table for a bulk load's figures, shaped as `figures`, with the next
    block of ids (`figure_blocks_seq`, migration 0015); its name and first id. Its CHECK
    of the block spares ATTACH PARTITION a scan of the rows."""
    block = int(session.execute(text("SELECT nextval('figure_blocks_seq')")).scalar_one())
    low = BLOCK_START + (block - 1) * BLOCK_SIZE
    name = f"figures_bulk_{block}"
    session.execute(
        text(
            f"CREATE TABLE {name} (LIKE figures INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            f"CONSTRAINT ck_{name}_block CHECK (id >= {low} AND id < {low + BLOCK_SIZE}))"
        )
    )
    return name, low


def attach_block_table(session: Session, name: str, low: int, *, analyze: bool = True) -> None:
    """Postgres: a bulk load's table gets its indexes, built over all its rows and packed
    full (its figures are written once), and becomes a partition of `figures`. ATTACH
    takes only a lock that excludes other schema changes: readers and writers go on."""
    for statement in (
        f"ALTER TABLE {name} ADD CONSTRAINT pk_{name} PRIMARY KEY (id) WITH (fillfactor = 100)",
        f"CREATE INDEX ix_{name}_pair_period ON {name} (reporter, partner, period_id) "
        "WITH (fillfactor = 100)",
        *([f"ANALYZE {name}"] if analyze else []),
        f"ALTER TABLE figures ATTACH PARTITION {name} "
        f"FOR VALUES FROM ({low}) TO ({low + BLOCK_SIZE})",
    ):
        session.execute(text(statement))


def psycopg_connection(session: Session) -> "psycopg.Connection[Any]":
    import psycopg

    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def open_csv_copy(
    session: Session, scope: ExitStack, table: str, columns: Sequence[str]
) -> "psycopg.Copy":
    """Postgres: a `COPY ... FROM STDIN (FORMAT csv)` into `table`, held open by `scope`
    (closing it ends the COPY) so that one COPY takes every block of a file."""
    from psycopg import sql

    raw = psycopg_connection(session)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    cursor = scope.enter_context(raw.cursor())
    return scope.enter_context(cursor.copy(statement))


def analyze_new_periods(session: Session) -> None:
    """Postgres: statistics of `periods` once a large write has added to it, for the
    merge's joins. Only after the write's insert into `periods`, which bumped the store
    version: ANALYZE holds a lock that another ANALYZE waits for until the transaction
    ends, and a writer that took it before the store version's row lock, while another
    took them the other way round, deadlocked with it."""
    session.execute(text("ANALYZE periods"))


def tune_postgres_merge(session: Session) -> None:
    """Settings for this transaction's merge: no JIT (it compiled for 0.75 s before each
    statement over 2M staged figures, more than it saved), and memory to hash, sort and
    build indexes in."""
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text(f"SET LOCAL work_mem = '{MERGE_WORK_MEM}'"))
    session.execute(text(f"SET LOCAL maintenance_work_mem = '{MERGE_WORK_MEM}'"))


def supersede(
    session: Session, figure_ids: str, now: datetime, parameters: dict[str, Any] | None = None
) -> None:
    """Mark the figures `figure_ids` (a SELECT of one column of ids, with `parameters`)
    superseded as of `now`: the time goes to superseded_figures, the rows keep a flag."""
    moment = bindparam("now", type_=DateTime(timezone=True))
    session.execute(
        text(
            "INSERT INTO superseded_figures (figure_id, valid_to) "
            f"SELECT replaced.*, :now FROM ({figure_ids}) AS replaced"
        ).bindparams(moment),
        {**(parameters or {}), "now": now},
    )
    session.execute(
        text(f"UPDATE figures SET superseded = true WHERE id IN ({figure_ids})"), parameters or {}
    )


_TOTAL_ID = f"SELECT id FROM commodities WHERE code = '{TOTAL_COMMODITY}'"


def total_pairs(session: Session, table: str) -> set[tuple[int, int]]:
    """The (reporter, partner) keys of the total figures in a table of figure rows (the
    staged rows of a write, or a bulk load's block)."""
    found = session.connection().exec_driver_sql(
        f"SELECT DISTINCT reporter, partner FROM {table} WHERE commodity_id = ({_TOTAL_ID})"
    )
    return {(int(reporter), int(partner)) for reporter, partner in found}


def total_commodity_id(session: Session) -> int:
    return int(session.connection().exec_driver_sql(_TOTAL_ID).scalar_one())
