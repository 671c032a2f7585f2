"""Narrow figures: integer dimensions, releases, periods, details; `observations` a view.

Revision ID: 0013_narrow_figure_store
Revises: 0012_canonical_decimal_text
Create Date: 2026-12-03 15:00:00

The wide `observations` table (about 500 bytes a figure on Postgres, four foreign keys
and six indexes checked row by row) becomes:

- `figures`: dimensions as small integers (areas by M49 code, commodities by integer id,
  periods by id, vocabularies by code), the value, the release and `valid_to`;
- `releases`: source, recorded at and by, attribution and reporter_stated, once a write;
- `periods`: each span once, with its label;
- `figure_details`: statement, note, wording, bounds, base period and another reading,
  only for the figures that have any. A statement equal to the one generated from the
  figure's dimensions is not stored.

`observations` becomes a view with the old table's columns and values, so every read
sees the same rows. Downgrade rebuilds the wide table from the view, row for row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db_types import ExactDecimal

revision: str = "0013_narrow_figure_store"
down_revision: str | None = "0012_canonical_decimal_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The stored codes of each vocabulary, as app.vocabulary.STORED_CODES gives them today.
CODES = {
    "flow": {"export": 1, "import": 2, "turnover": 3},
    "measure": {"trade_value": 1, "quantity": 2, "growth": 3, "multiplier": 4},
    "unit": {"USD": 1, "t": 2, "percent": 3, "ratio": 4},
    "qualifier": {
        "exact": 1,
        "approximately": 2,
        "at_least": 3,
        "at_most": 4,
        "more_than": 5,
        "less_than": 6,
        "range": 7,
    },
    "status": {"reported": 1, "derived": 2, "forecast": 3, "target": 4},
    "attribution": {"publisher": 1, "speaker": 2},
}
BUMP = "UPDATE store_version SET version = version + 1 WHERE id = 1"
NEW_TABLES = ("figure_details", "figures", "releases", "periods")
# SQLite has no statement triggers. A figure is inserted only with its release, so the
# release's row bumps the store version once a write; updates and deletes of figures
# (revisions, hand-written SQL) bump it per row.
SQLITE_TRIGGERS = {
    "releases": ("INSERT", "UPDATE", "DELETE"),
    "periods": ("UPDATE", "DELETE"),
    "figures": ("UPDATE", "DELETE"),
    "figure_details": ("UPDATE", "DELETE"),
}


def _word(column: str, vocabulary: str) -> str:
    cases = " ".join(f"WHEN {code} THEN '{word}'" for word, code in CODES[vocabulary].items())
    return f"CASE {column} {cases} END"


def _code(column: str, vocabulary: str) -> str:
    cases = " ".join(f"WHEN '{word}' THEN {code}" for word, code in CODES[vocabulary].items())
    return f"CASE {column} {cases} END"


def _statement(
    reporter: str, flow: str, partner: str, commodity: str, period: str, measure: str
) -> str:
    """The statement a figure has when its source gave none (as the import writes it)."""
    goods = f"CASE WHEN {commodity} = 'TOTAL' THEN 'all goods' ELSE 'HS ' || {commodity} END"
    return (
        f"{reporter} || ' ' || {flow} || ' with ' || {partner} || ', ' || {goods} || ', ' || "
        f"{period} || ': ' || replace({measure}, '_', ' ') || '.'"
    )


_PERIOD_LABEL = "COALESCE(d.period, p.label)"
VIEW_COLUMNS = {
    "id": "f.id",
    "reporter_code": "rc.alpha3",
    "partner_code": "pc.alpha3",
    "flow": _word("f.flow", "flow"),
    "commodity_code": "c.code",
    "period": _PERIOD_LABEL,
    "period_start": "p.start_date",
    "period_end": "p.end_date",
    "base_period": "d.base_period",
    "base_period_start": "d.base_period_start",
    "base_period_end": "d.base_period_end",
    "measure": _word("f.measure", "measure"),
    "value": "f.value",
    "value_low": "d.value_low",
    "value_high": "d.value_high",
    "unit": _word("f.unit", "unit"),
    "qualifier": _word("f.qualifier", "qualifier"),
    "qualifier_wording": "d.qualifier_wording",
    "status": _word("f.status", "status"),
    "source_id": "r.source_id",
    "statement": "COALESCE(d.statement, "
    + _statement(
        "rc.alpha3",
        _word("f.flow", "flow"),
        "pc.alpha3",
        "c.code",
        _PERIOD_LABEL,
        _word("f.measure", "measure"),
    )
    + ")",
    "note": "d.note",
    "recorded_at": "r.recorded_at",
    "revision": "f.revision",
    "valid_to": "f.valid_to",
    "retracted": "f.retracted",
    "recorded_by": "r.recorded_by",
    "attribution": _word("r.attribution", "attribution"),
    "alternative_value": "d.alternative_value",
    "alternative_reading": "d.alternative_reading",
    "reporter_stated": "r.reporter_stated",
    # The integer keys, for filters that should reach the figures' index.
    "reporter_key": "f.reporter",
    "partner_key": "f.partner",
}
WIDE_COLUMNS = [name for name in VIEW_COLUMNS if not name.endswith("_key")]
VIEW_SELECT = (
    "SELECT "
    + ", ".join(f"{expression} AS {name}" for name, expression in VIEW_COLUMNS.items())
    + " FROM figures f"
    " JOIN releases r ON r.id = f.release_id"
    " JOIN countries rc ON rc.m49 = f.reporter"
    " JOIN countries pc ON pc.m49 = f.partner"
    " JOIN commodities c ON c.id = f.commodity_id"
    " JOIN periods p ON p.id = f.period_id"
    " LEFT JOIN figure_details d ON d.figure_id = f.id"
)


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _in(column: str, vocabulary: str) -> str:
    return f"{column} IN ({', '.join(str(code) for code in CODES[vocabulary].values())})"


def _add_keys() -> None:
    op.add_column(
        "countries", sa.Column("m49", sa.SmallInteger(), nullable=False, server_default="0")
    )
    op.add_column(
        "countries",
        sa.Column("kind", sa.String(16), nullable=False, server_default="country"),
    )
    op.execute("UPDATE countries SET m49 = CAST(numeric AS INTEGER)")
    op.create_index("uq_countries_m49", "countries", ["m49"], unique=True)
    op.add_column("commodities", sa.Column("id", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "commodities",
        sa.Column("classification", sa.String(8), nullable=False, server_default="HS2022"),
    )
    op.execute(
        "UPDATE commodities SET id = CASE WHEN code = 'TOTAL' THEN 0 "
        "ELSE CAST('1' || code AS INTEGER) END"
    )
    op.create_index("uq_commodities_id", "commodities", ["id"], unique=True)


def _create_tables() -> None:
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_periods"),
        sa.UniqueConstraint("start_date", "end_date", name="uq_periods_span"),
        sa.CheckConstraint("start_date <= end_date", name="order"),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.Column("attribution", sa.SmallInteger(), nullable=False),
        sa.Column("reporter_stated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_releases_source_id_sources"
        ),
        sa.CheckConstraint(_in("attribution", "attribution"), name="attribution"),
    )
    op.create_index("ix_releases_source_id", "releases", ["source_id"])
    op.create_index("ix_releases_recorded_at", "releases", ["recorded_at"])
    op.create_table(
        "figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.SmallInteger(), nullable=False),
        sa.Column("partner", sa.SmallInteger(), nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.SmallInteger(), nullable=False),
        sa.Column("measure", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("unit", sa.SmallInteger(), nullable=False),
        sa.Column("qualifier", sa.SmallInteger(), nullable=False),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("value", ExactDecimal(), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_figures"),
        sa.CheckConstraint("flow IN (1, 2, 3)", name="flow"),
        sa.CheckConstraint(_in("measure", "measure"), name="measure"),
        sa.CheckConstraint(_in("unit", "unit"), name="unit"),
        sa.CheckConstraint(_in("qualifier", "qualifier"), name="qualifier"),
        sa.CheckConstraint(_in("status", "status"), name="status"),
        sa.CheckConstraint("reporter <> partner", name="distinct_areas"),
    )
    op.create_index("ix_figures_pair_period", "figures", ["reporter", "partner", "period_id"])
    op.create_table(
        "figure_details",
        sa.Column("figure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(32), nullable=True),
        sa.Column("base_period", sa.String(32), nullable=True),
        sa.Column("base_period_start", sa.Date(), nullable=True),
        sa.Column("base_period_end", sa.Date(), nullable=True),
        sa.Column("value_low", ExactDecimal(), nullable=True),
        sa.Column("value_high", ExactDecimal(), nullable=True),
        sa.Column("qualifier_wording", sa.String(40), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("alternative_value", ExactDecimal(), nullable=True),
        sa.Column("alternative_reading", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("figure_id", name="pk_figure_details"),
        sa.ForeignKeyConstraint(
            ["figure_id"],
            ["figures.id"],
            name="fk_figure_details_figure_id_figures",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "(alternative_value IS NULL) = (alternative_reading IS NULL)",
            name="alternative_complete",
        ),
    )


def _copy_into_new_tables() -> None:
    op.execute(
        "INSERT INTO periods (start_date, end_date, label) "
        "SELECT period_start, period_end, MIN(period) FROM observations "
        "GROUP BY period_start, period_end ORDER BY MIN(id)"
    )
    op.execute(
        "INSERT INTO releases (source_id, recorded_at, recorded_by, attribution, "
        "reporter_stated) "
        f"SELECT source_id, recorded_at, recorded_by, {_code('attribution', 'attribution')}, "
        "reporter_stated FROM observations "
        "GROUP BY source_id, recorded_at, recorded_by, attribution, reporter_stated "
        "ORDER BY MIN(id)"
    )
    same_by = (
        "r.recorded_by IS NOT DISTINCT FROM o.recorded_by"
        if _postgres()
        else "r.recorded_by IS o.recorded_by"
    )
    op.execute(
        "INSERT INTO figures (id, release_id, reporter, partner, commodity_id, period_id, "
        "flow, measure, status, unit, qualifier, revision, value, valid_to, retracted) "
        "SELECT o.id, r.id, rc.m49, pc.m49, c.id, p.id, "
        f"{_code('o.flow', 'flow')}, {_code('o.measure', 'measure')}, "
        f"{_code('o.status', 'status')}, {_code('o.unit', 'unit')}, "
        f"{_code('o.qualifier', 'qualifier')}, o.revision, o.value, o.valid_to, o.retracted "
        "FROM observations o "
        "JOIN releases r ON r.source_id = o.source_id AND r.recorded_at = o.recorded_at "
        f"AND {same_by} AND r.reporter_stated = o.reporter_stated "
        f"AND r.attribution = {_code('o.attribution', 'attribution')} "
        "JOIN countries rc ON rc.alpha3 = o.reporter_code "
        "JOIN countries pc ON pc.alpha3 = o.partner_code "
        "JOIN commodities c ON c.code = o.commodity_code "
        "JOIN periods p ON p.start_date = o.period_start AND p.end_date = o.period_end "
        "ORDER BY o.id"
    )
    generated = _statement(
        "o.reporter_code", "o.flow", "o.partner_code", "o.commodity_code", "o.period", "o.measure"
    )
    details = {
        "period": "CASE WHEN o.period <> p.label THEN o.period END",
        "base_period": "o.base_period",
        "base_period_start": "o.base_period_start",
        "base_period_end": "o.base_period_end",
        "value_low": "o.value_low",
        "value_high": "o.value_high",
        "qualifier_wording": "o.qualifier_wording",
        "statement": f"CASE WHEN o.statement <> {generated} THEN o.statement END",
        "note": "o.note",
        "alternative_value": "o.alternative_value",
        "alternative_reading": "o.alternative_reading",
    }
    op.execute(
        f"INSERT INTO figure_details (figure_id, {', '.join(details)}) "
        f"SELECT o.id, {', '.join(details.values())} FROM observations o "
        "JOIN periods p ON p.start_date = o.period_start AND p.end_date = o.period_end "
        f"WHERE {' OR '.join(f'({value}) IS NOT NULL' for value in details.values())} "
        "ORDER BY o.id"
    )
    if _postgres():
        for table, column in (("figures", "id"), ("periods", "id"), ("releases", "id")):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            )


def _create_new_triggers() -> None:
    if _postgres():
        for table in NEW_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_store_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_store_version()"
            )
        return
    for table, events in SQLITE_TRIGGERS.items():
        for event in events:
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bump_store_version AFTER {event} "
                f"ON {table} FOR EACH ROW BEGIN {BUMP}; END"
            )


def upgrade() -> None:
    _add_keys()
    _create_tables()
    _copy_into_new_tables()
    op.drop_table("observations")  # its indexes and triggers go with it
    op.execute(f"CREATE VIEW observations AS {VIEW_SELECT}")
    _create_new_triggers()
    op.execute(BUMP)


# The wide table as it stood at 0012, for the downgrade.
def _wide_table(name: str) -> None:
    value = ExactDecimal()
    op.create_table(
        name,
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
        sa.Column("value", value, nullable=True),
        sa.Column("value_low", value, nullable=True),
        sa.Column("value_high", value, nullable=True),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("qualifier_wording", sa.String(40), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.Column("attribution", sa.String(10), nullable=False, server_default="publisher"),
        sa.Column("alternative_value", value, nullable=True),
        sa.Column("alternative_reading", sa.Text(), nullable=True),
        sa.Column("reporter_stated", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
        sa.ForeignKeyConstraint(
            ["reporter_code"], ["countries.alpha3"], name="fk_observations_reporter_code_countries"
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["countries.alpha3"], name="fk_observations_partner_code_countries"
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
        sa.CheckConstraint(
            "qualifier IN ('exact', 'approximately', 'at_least', 'at_most', 'more_than', "
            "'less_than', 'range')",
            name="ck_observations_qualifier",
        ),
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
        sa.CheckConstraint(
            "attribution IN ('publisher', 'speaker')", name="ck_observations_attribution"
        ),
        sa.CheckConstraint(
            "(alternative_value IS NULL) = (alternative_reading IS NULL)",
            name="ck_observations_alternative_complete",
        ),
    )


def _wide_indexes() -> None:
    current = sa.text("valid_to IS NULL")
    op.create_index(
        "ix_observations_pair_period",
        "observations",
        ["reporter_code", "partner_code", "period_start"],
    )
    op.create_index("ix_observations_source_id", "observations", ["source_id"])
    op.create_index(
        "uq_observations_current_figure",
        "observations",
        [
            "reporter_code",
            "partner_code",
            "flow",
            "commodity_code",
            "period_start",
            "period_end",
            "measure",
            "status",
            "source_id",
        ],
        unique=True,
        sqlite_where=current,
        postgresql_where=current,
    )
    op.create_index("ix_observations_recorded_at", "observations", ["recorded_at"])
    op.create_index(
        "ix_observations_current_pair",
        "observations",
        ["reporter_code", "partner_code", "commodity_code", "period_start"],
        sqlite_where=current,
        postgresql_where=current,
    )
    if _postgres():
        op.execute(
            "CREATE TRIGGER observations_bump_store_version AFTER INSERT OR UPDATE OR DELETE "
            "ON observations FOR EACH STATEMENT EXECUTE FUNCTION bump_store_version()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER observations_{event.lower()}_bump_store_version AFTER {event} "
            f"ON observations FOR EACH ROW BEGIN {BUMP}; END"
        )


def downgrade() -> None:
    columns = ", ".join(WIDE_COLUMNS)
    # Kept aside while the view gives way to the table of its name.
    op.execute(f"CREATE TABLE observations_kept AS SELECT {columns} FROM observations")
    op.execute("DROP VIEW observations")
    _wide_table("observations")
    op.execute(
        f"INSERT INTO observations ({columns}) SELECT {columns} FROM observations_kept ORDER BY id"
    )
    op.execute("DROP TABLE observations_kept")
    for table in NEW_TABLES:
        op.drop_table(table)  # with its triggers
    if _postgres():
        op.execute(
            "SELECT setval(pg_get_serial_sequence('observations', 'id'), "
            "COALESCE((SELECT MAX(id) FROM observations), 0) + 1, false)"
        )
    _wide_indexes()
    op.drop_index("uq_commodities_id", table_name="commodities")
    op.execute("ALTER TABLE commodities DROP COLUMN classification")
    op.execute("ALTER TABLE commodities DROP COLUMN id")
    op.drop_index("uq_countries_m49", table_name="countries")
    op.execute("ALTER TABLE countries DROP COLUMN kind")
    op.execute("ALTER TABLE countries DROP COLUMN m49")
    op.execute(BUMP)
