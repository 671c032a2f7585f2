"""The columnar reader stores a UN Comtrade file exactly as the row reader does, and hands
every file it cannot vouch for to the row reader, which names each bad line.

Each case imports one file twice, into two fresh stores: once as `tradestats import` does
(columnar first), once with the columnar reader switched off. The stores must then hold
the same figures, value for value and in the same order; or both imports must fail with
the same errors.
"""

import gzip
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from app.core.db import create_db_engine, write_session_on
from app.imports import columnar, service
from app.imports.service import ImportFailedError, ImportReport
from app.observations import service as observations
from app.observations.models import Observation
from app.observations.staging import StagedWrite, tables
from app.observations.staging.partitions import BulkLoad
from tests.databases import Databases, SqliteDatabases

HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
    "flowCode,partnerCode,partnerISO,cmdCode,qtyUnitAbbr,qty,netWgt,primaryValue"
)
ROWS = [
    # Yearly, ISO codes, weight in kg with decimals, a value with cents.
    "C,A,20190101,2019,52,2019,31,AZE,X,398,KAZ,1001,kg,15500,15500.5,230125000.75",
    # Monthly through `period`, numeric codes only, no weight at all.
    "C,M,20190301,2019,3,201903,398,,M,31,,TOTAL,,,,48500000",
    # refYear and refMonth without `period`; quantity in tonnes stands in for netWgt.
    "C,M,20190401,2019,4,,31,AZE,M,398,KAZ,1006,t,12.345678,,77",
    # No value: the weight alone is a figure; a new subheading under a known heading.
    "C,A,20180101,2018,52,2018,31,AZE,X,398,KAZ,100199,kg,,2000,",
    # Leading zeros, padding blanks and a zero value.
    "C,A,20170101,2017,52,2017, 031 ,AZE,x,398,KAZ,27,kg,,0001000.000,000.10",
    "C,A,20170101,2017,52,2017,268,GEO,X,51,ARM,TOTAL,kg,,,0",
]


def _file(rows: list[str], *, delimiter: str = ",", compressed: bool = False) -> bytes:
    body = "\n".join([HEADER, *rows]).replace(",", delimiter) + "\n"
    data = body.encode()
    return gzip.compress(data) if compressed else data


@contextmanager
def _store(databases: Databases) -> Iterator[Engine]:
    with databases.migrated() as url:
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _run(engine: Engine, data: bytes, **options: Any) -> ImportReport | ImportFailedError:
    with engine.connect() as connection:
        try:
            return service.run(
                connection,
                io.BytesIO(data),
                source_id=1,
                recorded_by="test",
                error_limit=50,
                max_inflated_bytes=10**9,
                **options,
            )
        except ImportFailedError as failure:
            return failure


def _figures(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, reporter_code, partner_code, flow, commodity_code, period, "
                "period_start, period_end, measure, value, unit, qualifier, status, source_id, "
                "statement, revision, valid_to, retracted, attribution, reporter_stated "
                "FROM observations ORDER BY id"
            )
        )
        return [tuple(row) for row in rows]


def _both(
    databases: Databases, data: bytes, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> tuple[Any, Any, int]:
    """(columnar first, row reader only) outcomes and how many tables the columnar
    reader staged; each outcome is (report or errors, the store's figures). `options`
    go to the import (`choices=`)."""
    staged_tables = 0

    def counting(sink: type[StagedWrite | BulkLoad]) -> Any:
        original = sink.add_table

        def counted(self: Any, *args: Any) -> None:
            nonlocal staged_tables
            staged_tables += 1
            original(self, *args)

        return counted

    outcomes = []
    with monkeypatch.context() as patch:
        # SQLite stages the columns in a temporary table, Postgres in the new partition.
        for sink in (StagedWrite, BulkLoad):
            patch.setattr(sink, "add_table", counting(sink))
        with _store(databases) as engine:
            outcomes.append((_outcome(_run(engine, data, **options)), _figures(engine)))

    def refuse(*_args: Any) -> columnar.ColumnarOutcome:
        raise columnar.NotVouchedError

    with monkeypatch.context() as patch:
        patch.setattr(columnar.ComtradeColumns, "read", refuse)
        with _store(databases) as engine:
            outcomes.append((_outcome(_run(engine, data, **options)), _figures(engine)))
    return outcomes[0], outcomes[1], staged_tables


def _outcome(result: ImportReport | ImportFailedError) -> dict[str, Any]:
    report = result.report if isinstance(result, ImportFailedError) else result
    return report.as_dict()


@pytest.mark.parametrize(
    "data",
    [
        _file(ROWS),
        _file(ROWS, delimiter="\t", compressed=True),
        _file(ROWS, delimiter=";"),
    ],
    ids=["csv", "gzip-tsv", "semicolons"],
)
def test_a_clean_file_is_read_in_columns_and_stored_as_the_row_reader_stores_it(
    databases: Databases, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, rows, staged_tables = _both(databases, data, monkeypatch)
    assert staged_tables > 0  # the columnar reader did the work
    assert fast == rows
    report, figures = fast
    assert (report["rows"], report["figures"], report["added"]) == (6, 9, 9)
    with _store(databases) as untouched:
        imported = figures[len(_figures(untouched)) :]
    assert len(imported) == 9
    by_key = {(f[1], f[3], f[4], f[5], f[8]): f[9] for f in imported}
    assert str(by_key["AZE", "export", "1001", "2019", "quantity"]) == "15.500500"
    assert str(by_key["AZE", "import", "1006", "2019-04", "quantity"]) == "12.345678"
    assert str(by_key["AZE", "export", "27", "2017", "quantity"]) == "1.000000"
    assert str(by_key["AZE", "export", "27", "2017", "trade_value"]) == "0.100000"
    assert ("AZE", "export", "100199", "2018", "trade_value") not in by_key


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        ([*ROWS, ROWS[0]], [(8, None)]),  # line 2's value and weight again
        ([*ROWS, "C,A,2019,2019,52,2019,31,AZE,X,999,QQQ,TOTAL,kg,,,5"], [(8, "partnerISO")]),
        ([*ROWS, "C,A,2019,2019,52,2019,31,AZE,XM,398,KAZ,TOTAL,kg,,,5"], [(8, "flowCode")]),
        ([*ROWS, "C,A,2019,2019,52,2019,31,AZE,X,398,KAZ,TOTAL,kg,,1.2345,"], [(8, "netWgt")]),
        ([*ROWS, "C,A,2019,2019,52,2019,31,AZE,X,398,KAZ,TOTAL,kg,,,-5"], [(8, "primaryValue")]),
        ([*ROWS[:2], "C,A,2019,2019,52,2019,31,AZE,X,398,KAZ,TOTAL", *ROWS[2:]], [(4, None)]),
        ([*ROWS, "C,A,2019,2019|1,52,,31,AZE,X,398,KAZ,TOTAL,kg,,,5"], [(8, "period")]),
    ],
    ids=["repeated", "unknown-area", "unknown-flow", "grams", "negative", "short-row", "pipe"],
)
def test_a_file_it_cannot_vouch_for_is_refused_by_the_row_reader_with_its_lines(
    databases: Databases,
    rows: list[str],
    errors: list[tuple[int, str | None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, slow, _ = _both(databases, _file(rows), monkeypatch)
    assert fast == slow
    report, figures = fast
    assert sorted({(error["line"], error["column"]) for error in report["errors"]}) == errors
    with _store(databases) as untouched:
        assert figures == _figures(untouched)


def test_what_only_the_row_reader_reads_is_imported_by_it(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exponent is a number the row reader takes and the columnar one does not vouch
    for: the file is still imported, whole, with the same values."""
    rows = [*ROWS, "C,A,2016,2016,52,2016,31,AZE,X,398,KAZ,TOTAL,kg,,,1.5E3"]
    fast, slow, _ = _both(databases, _file(rows), monkeypatch)
    assert fast == slow
    report, figures = fast
    assert (report["added"], report["error_count"]) == (10, 0)
    assert any(str(figure[9]) == "1500.000000" and figure[5] == "2016" for figure in figures)


def test_a_write_that_outgrows_the_store_keeps_its_indexes(databases: Databases) -> None:
    """SQLite builds the figures' indexes again after a write that at least doubles the
    store (REBUILD_MIN_FIGURES and more): afterwards the index is there, and a pair read
    uses it."""
    codes = ["AZE", "KAZ", "GEO", "ARM", "TUR", "RUS", "IRN", "UZB", "TKM", "CHN"]
    lines = [
        f"{year},{reporter},{flow},{partner},{chapter:02d},{year * 10},{chapter}.5"
        for year in range(1960, 1990)  # before any seeded figure
        for reporter in codes
        for partner in codes
        if reporter != partner
        for flow in "XM"
        for chapter in range(1, 23)
    ]
    assert 2 * len(lines) >= tables.REBUILD_MIN_FIGURES
    body = "period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue\n"
    with _store(databases) as engine:
        report = _run(engine, (body + "\n".join(lines) + "\n").encode())
        assert isinstance(report, ImportReport), report.report.errors[:3]
        assert report.added == 2 * len(lines)
        with engine.connect() as connection:
            indexed = inspect(connection).get_indexes("figures")
            assert [index["name"] for index in indexed] == ["ix_figures_pair_period"]
            if connection.dialect.name == "sqlite":
                plan = connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT * FROM figures WHERE reporter = 31 "
                    "AND partner = 398 AND period_id = 5"
                ).all()
                assert "ix_figures_pair_period" in str(plan)
            found = connection.execute(
                text(
                    "SELECT count(*) FROM observations WHERE reporter_code = 'AZE' "
                    "AND partner_code = 'KAZ' AND period = '1975'"
                )
            ).scalar_one()
            assert found == 2 * 2 * 22


def test_a_month_that_is_no_month_is_read_as_its_year_by_both_readers(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'²' passes str.isdigit() but is no month (int() refuses it): the figure is the
    year's, as when refMonth is blank, and neither reader fails on it."""
    rows = [*ROWS, "C,M,2016,2016,\u00b2,,31,AZE,X,398,KAZ,TOTAL,kg,,,5"]
    fast, slow, _ = _both(databases, _file(rows), monkeypatch)
    assert fast == slow
    report, figures = fast
    assert (report["error_count"], report["added"]) == (0, 10)
    assert any(figure[5] == "2016" and str(figure[9]) == "5.000000" for figure in figures)


# Over ROWS: line 2's value changed, the rest the same, and one row the store lacks.
REVISED_ROWS = [
    ROWS[0].replace("230125000.75", "230125001"),
    *ROWS[1:],
    "C,A,2016,2016,52,2016,31,AZE,X,398,KAZ,TOTAL,kg,,,5",
]


def _over_stored_figures(engine: Engine) -> dict[str, Any]:
    """ROWS imported; one figure retracted; the year 2017 relabelled in the store, as if a
    writer had named it first; then REVISED_ROWS imported: its report."""
    _run(engine, _file(ROWS))
    with (
        engine.connect() as connection,
        write_session_on(connection) as session,
        session.begin(),
    ):
        row = session.scalars(
            select(Observation).where(
                Observation.reporter_code == "GEO", Observation.period == "2017"
            )
        ).one()
        observations.retract(session, row, recorded_by="test")
        session.execute(text("UPDATE periods SET label = '2017-01/2017-12' WHERE label = '2017'"))
    return _outcome(_run(engine, _file(REVISED_ROWS)))


@pytest.mark.parametrize("partition_min", [10**9, 5], ids=["into-the-live-table", "partition"])
def test_a_file_over_stored_figures_is_revised_as_the_row_reader_revises_it(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, partition_min: int
) -> None:
    """Every revision rule gives, through the columnar reader (on Postgres, a load
    straight into a new partition), what it gives through the row reader: unchanged,
    another value, a retracted figure given again, a new figure, and a span whose stored
    label differs from the file's (the figure keeps the file's, and differs from the
    stored figure that had none)."""
    monkeypatch.setattr(tables, "PARTITION_MIN_FIGURES", partition_min)
    outcomes = []
    for row_reader_only in (False, True):
        with monkeypatch.context() as patch:
            if row_reader_only:
                patch.setattr(columnar.ComtradeColumns, "read", _refuse)
            with _store(databases) as engine:
                report = _over_stored_figures(engine)
                # Ids aside (a partition's ids are its block's, by the reader's
                # positions), and the time a revision ended (whether it has).
                figures = [(*f[1:16], f[16] is None, *f[17:]) for f in _figures(engine)]
                outcomes.append((report, figures))
    assert outcomes[0] == outcomes[1]
    report, figures = outcomes[0]
    # 10 figures: 1 new (2016), 1 another value, 1 given again after its retraction, 2
    # over the relabelled 2017 (they now carry the file's label), the other 5 unchanged.
    assert (report["added"], report["revised"], report["unchanged"]) == (1, 4, 5)
    latest = [figure for figure in figures if figure[3] in ("1001", "TOTAL", "27")]
    assert {figure[4] for figure in latest if figure[4].startswith("2017")} == {
        "2017",
        "2017-01/2017-12",
    }


def _refuse(*_args: Any) -> columnar.ColumnarOutcome:
    raise columnar.NotVouchedError


def test_sqlite_stages_a_file_in_columns_in_a_file_of_its_own_and_leaves_none_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SQLite stages the blocks through ADBC into a database file of their own, attached
    for the merge: after the import, and after one the reader gave up on, the pooled
    connection has nothing attached and no staged file is left on disk. (Postgres copies
    into the new partition: test_bulk_partitions.)"""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    sqlite = SqliteDatabases()
    sqlite.prepare()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    attached_during_merge: list[str] = []
    merge = StagedWrite.merge

    def observed(self: StagedWrite) -> Any:
        attached_during_merge.append(self.rows)
        assert not any(scratch.iterdir())  # unlinked once attached
        return merge(self)

    def refuse(*_args: Any) -> columnar.ColumnarOutcome:
        raise columnar.NotVouchedError

    try:
        with _store(sqlite) as engine:
            with monkeypatch.context() as patch:
                patch.setattr(StagedWrite, "merge", observed)
                report = _run(engine, _file(ROWS))
            with monkeypatch.context() as patch:
                patch.setattr(columnar.ComtradeColumns, "read", refuse)
                again = _run(engine, _file([*ROWS[1:], ROWS[0]]))
            with engine.connect() as connection:
                attached = [row[1] for row in connection.exec_driver_sql("PRAGMA database_list")]
    finally:
        sqlite.close()
    assert isinstance(report, ImportReport)
    assert report.added
    assert isinstance(again, ImportReport)
    assert attached_during_merge[0].startswith("staged_file_"), attached_during_merge
    assert set(attached) <= {"main", "temp"}, attached  # the staged file was detached
    assert not any(scratch.iterdir())


# UN Comtrade's own codes of five countries (BACI's too), with no ISO column filled.
COMTRADE_CODED = [
    "C,A,20190101,2019,52,2019,842,,X,398,,TOTAL,kg,,,1000",
    "C,A,20190101,2019,52,2019,251,,M,699,,TOTAL,kg,,,2000",
    "C,A,20190101,2019,52,2019,757,,X,579,,TOTAL,kg,,,3000",
]


def test_comtrade_s_own_country_codes_are_the_countries_in_both_readers(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow, staged_tables = _both(databases, _file(COMTRADE_CODED), monkeypatch)
    assert staged_tables > 0
    assert fast == slow
    report, figures = fast
    assert (report["rows"], report["added"]) == (3, 3), report
    stored = {(f[1], f[2], f[3], str(f[9])) for f in figures if f[5] == "2019"}
    assert stored >= {
        ("USA", "KAZ", "export", "1000.000000"),
        ("FRA", "IND", "import", "2000.000000"),
        ("CHE", "NOR", "export", "3000.000000"),
    }
