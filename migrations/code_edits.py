"""Schema edits that widen a coded column of `figures` (a new flow, measure, unit or
status): the `observations` view names the new codes, and the column's CHECK allows them.

Shared by the revisions that do it. Each reads the view back from the database and edits
its text, so that a revision changes only what it names.
"""

from collections.abc import Sequence

from alembic import op


def engine() -> str:
    return str(op.get_bind().dialect.name)


def check(column: str, last: int) -> str:
    return f"{column} BETWEEN 1 AND {last}"


def postgres_check(column: str, last: int) -> None:
    """`figures`'s CHECK on the column, for codes 1 to `last`: dropped and added again on
    the parent, which checks every partition once and rewrites nothing. Partitions made by
    bulk loads carry a copy of their own (`LIKE figures INCLUDING CONSTRAINTS`), dropped
    with it."""
    connection = op.get_bind()
    name = f"ck_figures_{column}"
    partitions = [
        str(partition)
        for (partition,) in connection.exec_driver_sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'figures'::regclass"
        )
    ]
    op.execute(f"ALTER TABLE figures DROP CONSTRAINT {name}")
    for partition in partitions:  # names from the catalogue, already quoted where need be
        op.execute(f"ALTER TABLE {partition} DROP CONSTRAINT IF EXISTS {name}")
    op.execute(f"ALTER TABLE figures ADD CONSTRAINT {name} CHECK ({check(column, last)})")


def sqlite_checks(widened: Sequence[tuple[str, int, int]]) -> None:
    """(column, from last, to last): each CHECK edited in the CREATE statement of
    `figures` in place, as SQLite cannot alter a constraint."""
    connection = op.get_bind()
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'figures'"
    ).one()
    for column, before_last, after_last in widened:
        before = f"CONSTRAINT ck_figures_{column} CHECK ({check(column, before_last)})"
        if before not in statement:
            raise RuntimeError(f"figures: {before} is not in its schema")
        after = f"CONSTRAINT ck_figures_{column} CHECK ({check(column, after_last)})"
        statement = statement.replace(before, after)
    (version,) = connection.exec_driver_sql("PRAGMA schema_version").one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'figures'",
        (statement,),
    )
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # A new schema version makes every connection read the edited schema again.
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")


def view_select() -> str:
    """The `observations` view's SELECT, as the database keeps it."""
    connection = op.get_bind()
    if engine() == "postgresql":
        (select,) = connection.exec_driver_sql(
            "SELECT pg_get_viewdef('observations'::regclass)"
        ).one()
        return str(select).rstrip().rstrip(";")
    (statement,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'observations'"
    ).one()
    return str(statement).split(" AS ", 1)[1]


def replace_view(select: str) -> None:
    op.execute("DROP VIEW observations")
    op.execute(f"CREATE VIEW observations AS {select}")
