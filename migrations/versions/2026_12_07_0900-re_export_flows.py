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

from migrations.code_edits import (
    engine,
    postgres_check,
    replace_view,
    sqlite_checks,
    view_select,
)

revision: str = "0020_re_export_flows"
down_revision: str | None = "0019_view_commodity_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LAST, NEW_LAST = 3, 5
# Each engine's own text of the view's flow word for code 3, and what follows it now.
VIEW_CASES = {
    "postgresql": (
        "WHEN 3 THEN 'turnover'::text",
        "\n            WHEN 4 THEN 're_export'::text\n            WHEN 5 THEN 're_import'::text",
    ),
    "sqlite": ("WHEN 3 THEN 'turnover'", " WHEN 4 THEN 're_export' WHEN 5 THEN 're_import'"),
}


def upgrade() -> None:
    turnover, added = VIEW_CASES[engine()]
    select = view_select()
    if turnover not in select:
        raise RuntimeError(f"the observations view has no {turnover!r}")
    replace_view(select.replace(turnover, turnover + added))
    if engine() == "postgresql":
        postgres_check("flow", NEW_LAST)
    else:
        sqlite_checks([("flow", OLD_LAST, NEW_LAST)])


def downgrade() -> None:
    (count,) = (
        op.get_bind().exec_driver_sql(f"SELECT count(*) FROM figures WHERE flow > {OLD_LAST}").one()
    )
    if count:
        raise RuntimeError(
            f"{count} figures are re-exports or re-imports, which the earlier store cannot "
            "hold: retract or delete them first"
        )
    turnover, added = VIEW_CASES[engine()]
    replace_view(view_select().replace(turnover + added, turnover))
    if engine() == "postgresql":
        postgres_check("flow", OLD_LAST)
    else:
        sqlite_checks([("flow", NEW_LAST, OLD_LAST)])
