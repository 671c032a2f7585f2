"""The revision rules, set-based: every write of figures goes through here.

Single figures, batches, imports and retractions alike are loaded into a temporary table
(COPY on Postgres, one executemany on SQLite; on SQLite, a file read in columns goes into
a staged file of its own through ADBC) and merged with one set of SQL, whatever their
number. For each incoming figure, the current revision with the same natural key
decides: none -> added (revision 1); same values and not retracted -> unchanged; other
values, or a retracted figure given again -> revised (the current row is superseded, a
new row becomes current). Nothing is overwritten, nothing is erased.

Every code a figure refers to was checked before it was staged (`validation.check`,
set-based for imports), so the figure tables carry no foreign keys to check row by row.
"""

import io
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    bindparam,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.core.db_types import ExactDecimal
from app.observations import changes
from app.observations.facts import Fact, facts_of
from app.observations.models import (
    ATTRIBUTION_CODE,
    BLOCK_SIZE,
    FigureRow,
    Observation,
    Release,
)
from app.observations.repository import FACT_COLUMNS
from app.observations.staging import tables
from app.observations.staging.rows import (
    DETAILS,
    POSITION,
    RELEASE_VALUES,
    ROW_VALUES,
    STAGED_COLUMNS,
    STAGED_NAMES,
    Staged,
    StagedFile,
    bind_processor,
    bucket_of,
    staged_literal,
    staged_row,
)
from app.observations.staging.tables import (
    FIGURE_COLUMNS,
    SQLITE_DEFAULT_CACHE_KIB,
    SQLITE_MERGE_CACHE_KIB,
    WriteSummary,
    analyze_new_periods,
    area_keys,
    attach_block_table,
    lock_buckets,
    new_block_table,
    open_csv_copy,
    psycopg_connection,
    supersede,
    total_pairs,
    tune_postgres_merge,
)
from app.observations.validation import NewFigure

if TYPE_CHECKING:  # psycopg loads only where Postgres is used (imports into SQLite skip it)
    import psycopg


class StagedWrite:
    """`with StagedWrite(session, ...) as staged: staged.add(...); staged.merge()`.

    Staging takes no lock: on Postgres, writers of the same figures wait for each other
    only from the merge on (the lock buckets of every staged figure), so a long import
    never holds up an unrelated write while it reads and checks its file.
    """

    def __init__(self, session: Session, *, recorded_by: str | None) -> None:
        self.session = session
        self.recorded_by = recorded_by
        # None: every bucket (a large write touches nearly all of them anyway).
        self.buckets: set[int] | None = set()
        self.staged = 0
        # Each staged span, with the smallest label it came with and the first position
        # that gave it: the periods the merge adds, without a pass over the staged rows.
        self.periods: dict[tuple[Any, Any], tuple[str, int]] = {}
        # Whether any staged figure has text of its own (figure_details), and whether
        # some span came with more than one label (the others are kept as details).
        self.has_details = False
        self.labels_vary = False
        # Each staged (source_id, attribution, reporter_stated): a release each.
        self.groups: set[tuple[int, int, bool]] = set()
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.areas = area_keys(session)
        name = f"staging_{uuid.uuid4().hex[:12]}"
        self.table = Table(
            name,
            MetaData(),
            Column("position", Integer, primary_key=True, autoincrement=False),
            *(Column(column, kind) for column, kind in STAGED_COLUMNS),
            prefixes=["TEMPORARY"],
        )
        # What the merge finds for each staged figure: its period, and the current revision.
        self.diff = f"{name}_diff"
        # Postgres, a large write: the current figures of its pairs and periods.
        self.current = f"{name}_current"
        # The first and last id of the figures the merge stored, if it stored any.
        self.stored_ids: tuple[int, int] | None = None
        # Postgres: the COPY that `add_table` keeps open (with its cursor), and what it
        # was opened for.
        self._copy_scope = ExitStack()
        self._stream: psycopg.Copy | None = None
        self._stream_shape: tuple[tuple[str, ...], dict[str, Any]] | None = None
        # SQLite: the columnar blocks' own file, and its table once attached.
        self._file: StagedFile | None = None
        self._attached: str | None = None

    @property
    def rows(self) -> str:
        """The staged rows' table as this write's SQL names it."""
        return self._attached or self.table.name

    def __enter__(self) -> "StagedWrite":
        self.table.create(self.session.connection())
        return self

    def move_to(self, session: Session) -> None:
        """Merge in another session on the same connection (the temporary table lives
        with the connection): an import stages in a read transaction, merges in a write."""
        self.session = session

    def drop(self) -> None:
        if self._file is not None and self._attached is None:
            self._file.close()  # not attached just to be dropped
            self._file.remove()
            self._file = None
        self.finish_copy()
        connection = self.session.connection()
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.diff}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.current}")
        self.table.drop(connection)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.drop()

    def add(self, figures: Sequence[NewFigure]) -> None:
        self.add_rows([staged_row(figure, self.areas) for figure in figures])

    def add_rows(self, rows: Sequence[Staged]) -> None:
        """Stage rows made by `staged_row` (or by a columnar reader, in the same order)."""
        if not rows:
            return
        self.finish_copy()
        start = self.staged
        self.staged += len(rows)
        for position, row in enumerate(rows, start=start):
            self._period(
                row[POSITION["period_start"]],
                row[POSITION["period_end"]],
                row[POSITION["period"]],
                position,
            )
            self.groups.add(
                (
                    row[POSITION["source_id"]],
                    row[POSITION["attribution"]],
                    row[POSITION["reporter_stated"]],
                )
            )
            if not self.has_details:
                self.has_details = any(row[POSITION[name]] is not None for name in DETAILS)
        if self.postgres:
            if self.buckets is not None:
                self.buckets.update(bucket_of(row) for row in rows)
            self._copy(start, rows)
        else:
            self._executemany(start, rows)

    def _period(self, start: Any, end: Any, label: str, position: int) -> None:
        known = self.periods.get((start, end))
        if known is None:
            self.periods[start, end] = (label, position)
            return
        self.labels_vary = self.labels_vary or label != known[0]
        if label < known[0]:
            self.periods[start, end] = (label, known[1])

    def _executemany(self, start: int, rows: Sequence[Staged]) -> None:
        """One prepared INSERT run over every row by the driver, each value converted by its
        column type's own bind processor: what session.execute would store, without
        building a dict and a parameter set per row."""
        connection = self.session.connection()
        names = ["position", *STAGED_NAMES]
        compiled = insert(self.table).compile(dialect=connection.dialect, column_keys=names)
        order = [names.index(name) - 1 for name in compiled.positiontup or []]
        processors = [
            bind_processor(self.table.c[names[index + 1]], connection.dialect) for index in order
        ]
        plan = list(zip(order, processors, strict=True))
        converted = [
            tuple(
                position
                if index < 0
                else (row[index] if process is None or row[index] is None else process(row[index]))
                for index, process in plan
            )
            for position, row in enumerate(rows, start=start)
        ]
        connection.exec_driver_sql(compiled.string, converted)

    def _copy(self, start: int, rows: Sequence[Staged]) -> None:
        from psycopg import sql

        raw = psycopg_connection(self.session)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table.name),
            sql.SQL(", ").join(map(sql.Identifier, ["position", *STAGED_NAMES])),
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for position, row in enumerate(rows, start=start):
                copy.write_row((position, *row))

    def add_table(self, table: pa.Table, constants: dict[str, Any]) -> None:
        """Stage Arrow columns named as STAGED_COLUMNS, with `position` (the caller
        advanced `self.staged` past it), values as ExactDecimal's canonical text, and
        `constants`, the columns every row shares unless the table has them (status).
        Columns left out are NULL: a table has no figure_details text."""
        if not table.num_rows:
            return
        self.groups.add(
            (constants["source_id"], constants["attribution"], constants["reporter_stated"])
        )
        spans = table.group_by(["period_start", "period_end"]).aggregate(
            [("period", "min"), ("period", "max"), ("position", "min")]
        )
        for start, end, label, last_label, position in zip(
            *(spans.column(name).to_pylist() for name in ("period_start", "period_end")),
            spans.column("period_min").to_pylist(),
            spans.column("period_max").to_pylist(),
            spans.column("position_min").to_pylist(),
            strict=True,
        ):
            self._period(start, end, label, position)
            self._period(start, end, last_label, position)
        if self.postgres:
            self.buckets = None
            self._stream_csv(table, constants)
            return
        # SQLite keeps a date as its ISO text, as SQLAlchemy's Date does, and a flag as
        # 0 or 1; the constants are columns of one value.
        count = table.num_rows
        columns = {
            name: pc.cast(column, pa.string()) if pa.types.is_date(column.type) else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
        for name, value in constants.items():
            if name not in columns:  # a column of the table's own (status) stands
                columns[name] = pa.repeat(pa.scalar(int(value), pa.int64()), count)
        if self._file is None:
            self._file = StagedFile(self.table)
        self._file.append(pa.table(columns))

    def _stream_csv(self, table: pa.Table, constants: dict[str, Any]) -> None:
        """Postgres: the table as CSV into one COPY that stays open across calls, so that
        the server parses one block while the reader prepares the next; the constants are
        the staging table's column defaults rather than text of every row.
        Measured on 1M Comtrade rows (2M figures): 4.1 s, against 7.5 s with a COPY per
        block and every constant in the text."""
        columns = tuple(table.column_names)
        if self._stream is None or self._stream_shape != (columns, constants):
            self.finish_copy()
            connection = self.session.connection()
            for name, value in constants.items():
                connection.exec_driver_sql(
                    f"ALTER TABLE {self.table.name} ALTER COLUMN {name} "
                    f"SET DEFAULT {staged_literal(value, postgres=True)}"
                )
            self._stream = open_csv_copy(self.session, self._copy_scope, self.table.name, columns)
            self._stream_shape = (columns, dict(constants))
        sink = io.BytesIO()
        pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False))
        self._stream.write(sink.getbuffer())

    def finish_copy(self) -> None:
        """End the open COPY, if any: the connection takes other statements again.
        SQLite: the staged file, if any, is attached to the connection."""
        self._stream = None
        self._copy_scope.close()
        if self._file is not None and self._attached is None:
            self._attached = self._file.attach(self.session)

    @property
    def large(self) -> bool:
        return self.staged >= tables.LARGE_WRITE_FIGURES

    def _run(self, statement: str, parameters: dict[str, Any] | None = None) -> Any:
        return self.session.execute(text(statement), parameters or {})

    def merge(self) -> WriteSummary:
        summary = self._merge_tuned()
        if summary.changed:
            changes.totals_changed(self.session, total_pairs(self.session, self.rows))
        return summary

    def _merge_tuned(self) -> WriteSummary:
        self.finish_copy()
        if self.postgres or not self.large:
            return self._merge()
        # SQLite: a large write probes and grows the store's pair index page by page; its
        # default 2 MiB page cache reread them from the file. Measured with `tradestats
        # import` of 2M figures into a 10M-figure store: 23.4 s, and 19.1 s with 192 MiB
        # (256 MiB: 18.5 s, but a peak RSS of 494 MiB against 464). The connection goes
        # back to the pool with the default again, whatever the merge raised (hence the
        # driver's own connection, which a failed statement leaves usable).
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        raw.execute(f"PRAGMA cache_size = -{SQLITE_MERGE_CACHE_KIB}")
        try:
            return self._merge()
        finally:
            raw.execute(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")

    def _merge(self) -> WriteSummary:
        # Other writers of these figures wait until this transaction ends: the merge sees
        # a still store, and its time is taken inside the lock.
        now = lock_buckets(self.session, self.buckets)
        s, diff = self.rows, self.diff
        same = "IS NOT DISTINCT FROM" if self.postgres else "IS"
        if self.postgres:
            self._run(f"ANALYZE {s}")  # a temporary table has no statistics of its own
            tune_postgres_merge(self.session)
        # A span the store lacked has no figures yet: a write whose spans are all new
        # adds every figure, and is not looked up figure by figure.
        added_spans, only_new_spans = self._add_periods()
        if self.postgres and added_spans and self.large:
            analyze_new_periods(self.session)
        if only_new_spans and not self.has_details and not self.labels_vary:
            return self._add_all(now)
        unchanged = " AND ".join(
            [
                "NOT f.retracted",
                *(f"f.{name} {same} s.{name}" for name in ROW_VALUES),
                *(f"r.{name} = s.{name}" for name in RELEASE_VALUES),
                f"d.period {same} (CASE WHEN s.period <> p.label THEN s.period END)",
                *(f"d.{name} {same} s.{name}" for name in DETAILS),
            ]
        )
        # Keyed by position on SQLite, so that the figures' INSERT reads the staged rows in
        # their order and finds each one's diff by rowid (no sort, no automatic index).
        key = "integer" if self.postgres else "INTEGER PRIMARY KEY"
        # The diff also carries each staged figure's row as `figures` stores it, so that
        # the insert of the new rows reads it alone (on Postgres, 2M figures in 3.9 s,
        # against 6.6 s joined back to the staged rows).
        self._run(
            f"CREATE TEMPORARY TABLE {diff} (position {key}, period_id integer, "
            "period_label text, old_id bigint, old_revision integer, same integer, "
            "reporter smallint, partner smallint, commodity_id integer, flow smallint, "
            "measure smallint, status smallint, unit smallint, qualifier smallint, "
            f"value {ExactDecimal().compile(dialect=self.session.get_bind().dialect)}, "
            "source_id integer, attribution smallint, reporter_stated boolean)"
        )
        if only_new_spans:
            found = "NULL AS old_id, NULL AS old_revision, NULL AS same"
            lookup = ""
        else:
            current = self._current_figures()
            found = (
                "f.id AS old_id, f.revision AS old_revision, "
                f"CASE WHEN f.id IS NULL THEN NULL WHEN {unchanged} THEN 1 ELSE 0 END AS same"
            )
            # Flat joins: each staged figure finds its current revision through the pair
            # index. Nested as (figures JOIN releases), SQLite built a temporary index over
            # every figure in the store first (10.5 s for 2M, against 7.5 s).
            lookup = (
                f"LEFT JOIN {current} f ON NOT f.superseded "
                "AND f.reporter = s.reporter "
                "AND f.partner = s.partner AND f.period_id = p.id "
                "AND f.commodity_id = s.commodity_id AND f.flow = s.flow "
                "AND f.measure = s.measure AND f.status = s.status AND EXISTS "
                "(SELECT 1 FROM releases x WHERE x.id = f.release_id "
                "AND x.source_id = s.source_id) "
                "LEFT JOIN releases r ON r.id = f.release_id "
                "LEFT JOIN figure_details d ON d.figure_id = f.id"
            )
        self._run(
            f"INSERT INTO {diff} "
            "SELECT s.position AS position, p.id AS period_id, "
            "CASE WHEN s.period <> p.label THEN s.period END AS period_label, "
            f"{found}, "
            "s.reporter, s.partner, s.commodity_id, s.flow, s.measure, s.status, s.unit, "
            "s.qualifier, s.value, s.source_id, s.attribution, s.reporter_stated "
            f"FROM {s} s "
            "JOIN periods p ON p.start_date = s.period_start AND p.end_date = s.period_end "
            f"{lookup}"
        )
        total, existing, kept, relabelled = self._run(
            "SELECT count(*), count(old_id), count(CASE WHEN same = 1 THEN 1 END), "
            f"count(period_label) FROM {diff}"
        ).one()
        self.has_details = self.has_details or bool(relabelled)
        summary = WriteSummary(
            added=int(total) - int(existing),
            revised=int(existing) - int(kept),
            unchanged=int(kept),
        )
        if summary.changed:
            self._write_changes(now, summary)
        return summary

    def _add_all(self, now: datetime) -> WriteSummary:
        """Every staged figure is new (the store lacked each of its spans) and has no
        text of its own: they go into `figures` straight from the staged rows, with no
        diff table between. Measured with `tradestats import` of 1M rows (2M figures, of
        years the store lacked) into a 10M-figure SQLite store: the diff's insert took
        2.8 s of 21.9."""
        # Positions may skip (a file row without a weight has no tonnes), so they are
        # counted, not taken from the last position.
        staged = int(self._run(f"SELECT count(*) FROM {self.rows}").scalar_one())
        summary = WriteSummary(added=staged, revised=0, unchanged=0)
        if not staged:
            return summary
        release = self._releases(now, changed=None)
        self._insert(
            f"{release}, d.reporter, d.partner, d.commodity_id, p.id, d.flow, d.measure, "
            "d.status, d.unit, d.qualifier, 1, d.value, false, false "
            f"FROM {self.rows} d JOIN periods p "
            "ON p.start_date = d.period_start AND p.end_date = d.period_end",
            staged,
        )
        return summary

    def _current_figures(self) -> str:
        """What the diff looks up the staged figures in: `figures`, or on Postgres, for a
        large write, a temporary table of the current figures of its pairs and periods,
        found through the pair index once for each pair and period. A hash join with
        `figures` itself would read every figure in the store: 10M of them for a file
        that touches none.

        From then on this transaction joins by hashing: Postgres guesses a join on the
        figure's seven key columns as if they were independent (9,000 matches where
        there were 2M), then probes the index once per staged figure: 9 s for 2M,
        against 3 s for a hash join."""
        if not self.postgres or not self.large:
            return "figures"
        name = self.current
        self._run(
            f"CREATE TEMPORARY TABLE {name} AS SELECT f.* FROM "
            "(SELECT DISTINCT s.reporter, s.partner, p.id AS period_id "
            f"FROM {self.rows} s JOIN periods p "
            "ON p.start_date = s.period_start AND p.end_date = s.period_end) k "
            "JOIN figures f ON f.reporter = k.reporter AND f.partner = k.partner "
            "AND f.period_id = k.period_id WHERE NOT f.superseded"
        )
        self._run(f"ANALYZE {name}")
        self._run("SET LOCAL enable_nestloop = off")
        self._run("SET LOCAL enable_mergejoin = off")
        return name

    def _write_changes(self, now: datetime, summary: WriteSummary) -> None:
        s, diff = self.rows, self.diff
        changed = "(d.old_id IS NULL OR d.same = 0)"
        release = self._releases(now, changed)
        inserted = summary.added + summary.revised
        if summary.revised:
            supersede(self.session, f"SELECT old_id FROM {diff} WHERE same = 0", now)
        self._insert(
            f"{release}, d.reporter, d.partner, d.commodity_id, d.period_id, d.flow, "
            "d.measure, d.status, d.unit, d.qualifier, COALESCE(d.old_revision, 0) + 1, "
            f"d.value, false, false FROM {diff} d WHERE {changed}",
            inserted,
        )
        if not self.has_details:
            return
        with_details = " OR ".join(
            ["d.period_label IS NOT NULL", *(f"s.{name} IS NOT NULL" for name in DETAILS)]
        )
        self._run(
            f"INSERT INTO figure_details (figure_id, period, {', '.join(DETAILS)}) "
            f"SELECT f.id, d.period_label, {', '.join(f's.{name}' for name in DETAILS)} "
            f"FROM {s} s JOIN {diff} d ON d.position = s.position "
            f"JOIN figures f ON f.release_id = {release} AND NOT f.superseded "
            "AND f.reporter = s.reporter AND f.partner = s.partner AND f.period_id = d.period_id "
            "AND f.commodity_id = s.commodity_id AND f.flow = s.flow AND f.measure = s.measure "
            f"AND f.status = s.status WHERE {changed} AND ({with_details}) ORDER BY f.id"
        )

    def _insert(self, rows: str, inserted: int) -> None:
        """The new figure rows (`rows`: a select list and FROM of `d`, which has
        `position`) into a partition of their own (Postgres, a large write) or into
        `figures`."""
        if self.postgres and inserted >= tables.PARTITION_MIN_FIGURES:
            self.stored_ids = self._load_partition(rows)
            return
        rebuilt = self._unindexed_for(inserted)
        self.stored_ids = self._insert_live(rows)
        connection = self.session.connection()
        for index in rebuilt:
            index.create(connection)

    def _insert_live(self, rows: str) -> tuple[int, int]:
        """Insert into `figures` (on Postgres, its live partition); the first and last id
        given (other writers' figures may lie between, on Postgres)."""
        statement = f"INSERT INTO figures ({FIGURE_COLUMNS}) SELECT {rows} ORDER BY d.position"
        if self.postgres:
            first, last = self._run(
                f"WITH inserted AS ({statement} RETURNING id) SELECT min(id), max(id) FROM inserted"
            ).one()
            return int(first), int(last)
        # SQLite gives each new row the largest rowid plus one, and has one writer.
        before = self._run("SELECT max(id) FROM figures").scalar_one() or 0
        self._run(statement)
        return int(before) + 1, int(self._run("SELECT max(id) FROM figures").scalar_one())

    def _load_partition(self, rows: str) -> tuple[int, int]:
        """Postgres: the new figures into a table of their own, with ids from a block of
        their own; its indexes are built over all of them at once, and it is attached to
        `figures` (migration 0015). Readers and other writers wait for none of it: the
        table is invisible until this transaction commits, and ATTACH PARTITION takes
        only a lock that excludes other schema changes. Its CHECK of the block spares
        ATTACH a scan of the rows.
        Measured on 2M figures: 5.9 s (insert 3.7 s, primary key 0.9 s, pair index
        1.3 s), against 13.1 s into the indexed table."""
        if self.staged >= BLOCK_SIZE:
            raise ValueError(f"{self.staged} figures do not fit in one block of ids")
        name, low = new_block_table(self.session)
        # In the file's order. Sorted by pair, a pair's figures would lie on fewer pages,
        # but the sort cost 3 s of 16 for a 1M-row file in random order; real downloads
        # come grouped by reporter and partner already.
        self._run(
            f"INSERT INTO {name} (id, {FIGURE_COLUMNS}) SELECT {low} + d.position, {rows} "
            "ORDER BY d.position"
        )
        attach_block_table(self.session, name, low)
        return low, low + self.staged - 1

    def _add_periods(self) -> tuple[bool, bool]:
        """The staged spans the store lacks, in the order they were first staged; whether
        the store lacked any, and whether it lacked every one."""
        if not self.periods:
            return False, False
        starts = [start for start, _end in self.periods]
        ends = [end for _start, end in self.periods]
        stored = self.session.execute(
            text(
                "SELECT start_date, end_date FROM periods "
                "WHERE start_date >= :first AND end_date <= :last"
            )
            .bindparams(bindparam("first", type_=Date), bindparam("last", type_=Date))
            .columns(Column("start_date", Date), Column("end_date", Date)),
            {"first": min(starts), "last": max(ends)},
        ).all()
        known = {(start, end) for start, end in stored}
        if known.issuperset(self.periods):
            return False, False
        self.session.execute(
            text(
                "INSERT INTO periods (start_date, end_date, label) VALUES (:start, :end, :label) "
                "ON CONFLICT (start_date, end_date) DO NOTHING"
            ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date)),
            [
                {"start": start, "end": end, "label": label}
                for (start, end), (label, _first) in sorted(
                    self.periods.items(), key=lambda item: item[1][1]
                )
            ],
        )
        return True, known.isdisjoint(self.periods)

    def _unindexed_for(self, inserted: int) -> list[Index]:
        """SQLite: the figures' secondary indexes, dropped when this write adds at least
        REBUILD_MIN_FIGURES, and half as many as the store holds, to be built again after
        the insert.
        Measured on 2M figures: 3.5 s to insert them into a 2M-figure index, 1.5 s to build
        it over all 4M. Readers do not notice: they see the store as of their snapshot.
        Postgres keeps its indexes (dropping one would lock out every reader)."""
        if self.postgres or inserted < tables.REBUILD_MIN_FIGURES:
            return []
        largest = self._run("SELECT max(id) FROM figures").scalar_one() or 0
        if inserted * 2 < largest:
            return []
        indexes = list(cast(Table, FigureRow.__table__).indexes)
        connection = self.session.connection()
        for index in indexes:
            index.drop(connection)
        return indexes

    def _releases(self, now: datetime, changed: str | None) -> str:
        """One release for each source, attribution and reporter_stated among the changed
        figures (None: every staged figure); the SQL expression that gives a row of the
        diff or of the staged rows (`d`) its release."""
        groups = self.groups
        if len(groups) > 1 and changed is not None:  # only those with a changed figure
            groups = {
                (int(source_id), int(attribution), bool(stated))
                for source_id, attribution, stated in self._run(
                    "SELECT DISTINCT d.source_id, d.attribution, d.reporter_stated "
                    f"FROM {self.diff} d WHERE {changed}"
                )
            }
        cases = []
        for source_id, attribution, reporter_stated in sorted(groups):
            release_id = self.session.execute(
                insert(Release)
                .values(
                    source_id=source_id,
                    recorded_at=now,
                    recorded_by=self.recorded_by,
                    attribution=ATTRIBUTION_CODE.member(attribution),
                    reporter_stated=bool(reporter_stated),
                )
                .returning(Release.id)
            ).scalar_one()
            if len(groups) == 1:
                return str(int(release_id))
            cases.append(
                f"WHEN d.source_id = {int(source_id)} AND d.attribution = {int(attribution)} "
                f"AND d.reporter_stated = {'true' if reporter_stated else 'false'} "
                f"THEN {int(release_id)}"
            )
        return f"(CASE {' '.join(cases)} END)"

    def stored(self) -> list[Fact]:
        """The current revision of every staged figure, in the order they were added: what
        the merge stored or left unchanged, read in one query."""
        current = (
            text(
                f"SELECT s.position AS position, f.id AS id FROM {self.rows} s "
                "JOIN periods p ON p.start_date = s.period_start AND p.end_date = s.period_end "
                "JOIN figures f ON NOT f.superseded AND f.reporter = s.reporter "
                "AND f.partner = s.partner AND f.period_id = p.id "
                "AND f.commodity_id = s.commodity_id AND f.flow = s.flow "
                "AND f.measure = s.measure AND f.status = s.status "
                "JOIN releases r ON r.id = f.release_id AND r.source_id = s.source_id"
            )
            .columns(Column("position", Integer), Column("id", BigInteger))
            .subquery()
        )
        view = Observation.__table__
        query = (
            select(*FACT_COLUMNS)
            .join_from(view, current, view.c.id == current.c.id)
            .order_by(current.c.position)
        )
        return facts_of(self.session.execute(query))
