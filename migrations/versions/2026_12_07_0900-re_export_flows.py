"""Re-exports and re-imports are flows of their own: codes 4 and 5.

Revision ID: 0020_re_export_flows
Revises: 0019_view_commodity_key
Create Date: 2026-12-07 09:00:00

UN Comtrade gives re-exports (RX) and re-imports (RM) beside exports and imports. They
are stored under their own flow codes, and the `observations` view names them
`re_export` and `re_import`; no export, import or turnover rests on them.

- Postgres: the flow check is dropped and added again on `figures`, which checks every
  partition once (a scan; nothing is rewritten). Partitions made by bulk loads carry a
  copy of their own (`LIKE figures INCLUDING CONSTRAINTS`), dropped with it.
- SQLite: the check is edited in the table's CREATE statement in place, as in 0014.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_re_export_flows"
down_revision: str | None = "0019_view_commodity_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_figures_flow"
OLD_LAST, NEW_LAST = 3, 5
# Each engine's own text of the view's flow word for code 3, and what follows it now.
VIEW_CASES = {
    "postgresql": (
        "WHEN 3 THEN 'turnover'::text",
        "\n            WHEN 4 THEN 're_export'::text\n            WHEN 5 THEN 're_import'::text",
    ),
    "sqlite": ("WHEN 3 THEN 'turnover'", " WHEN 4 THEN 're_export' WHEN 5 THEN 're_import'"),
}


def _engine() -> str:
    return str(op.get_bind().dialect.name)


def _check(last: int) -> str:
    return f"flow BETWEEN 1 AND {last}"


def _postgres_check(last: int) -> None:
    connection = op.get_bind()
    partitions = [
        str(name)
        for (name,) in connection.exec_driver_sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'figures'::regclass"
        )
    ]
    op.execute(f"ALTER TABLE figures DROP CONSTRAINT {CHECK}")
    for partition in partitions:  # names from the catalogue, already quoted where need be
        op.execute(f"ALTER TABLE {partition} DROP CONSTRAINT IF EXISTS {CHECK}")
    op.execute(f"ALTER TABLE figures ADD CONSTRAINT {CHECK} CHECK ({_check(last)})")


def _sqlite_check(old_last: int, new_last: int) -> None:
    connection = op.get_bind()
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'figures'"
    ).one()
    before = f"CONSTRAINT {CHECK} CHECK ({_check(old_last)})"
    if before not in statement:
        raise RuntimeError(f"figures: {before} is not in its schema")
    statement = statement.replace(before, f"CONSTRAINT {CHECK} CHECK ({_check(new_last)})")
    (version,) = connection.exec_driver_sql("PRAGMA schema_version").one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'figures'",
        (statement,),
    )
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # A new schema version makes every connection read the edited schema again.
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")


def _view() -> str:
    connection = op.get_bind()
    if _engine() == "postgresql":
        (select,) = connection.exec_driver_sql(
            "SELECT pg_get_viewdef('observations'::regclass)"
        ).one()
        return str(select).rstrip().rstrip(";")
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'observations'"
    ).one()
    return str(statement).split(" AS ", 1)[1]


def _replace_view(select: str) -> None:
    op.execute("DROP VIEW observations")
    op.execute(f"CREATE VIEW observations AS {select}")


def upgrade() -> None:
    turnover, added = VIEW_CASES[_engine()]
    select = _view()
    if turnover not in select:
        raise RuntimeError(f"the observations view has no {turnover!r}")
    _replace_view(select.replace(turnover, turnover + added))
    if _engine() == "postgresql":
        _postgres_check(NEW_LAST)
    else:
        _sqlite_check(OLD_LAST, NEW_LAST)


def downgrade() -> None:
    (count,) = (
        op.get_bind().exec_driver_sql(f"SELECT count(*) FROM figures WHERE flow > {OLD_LAST}").one()
    )
    if count:
        raise RuntimeError(
            f"{count} figures are re-exports or re-imports, which the earlier store cannot "
            "hold: retract or delete them first"
        )
    turnover, added = VIEW_CASES[_engine()]
    _replace_view(_view().replace(turnover + added, turnover))
    if _engine() == "postgresql":
        _postgres_check(OLD_LAST)
    else:
        _sqlite_check(NEW_LAST, OLD_LAST)
