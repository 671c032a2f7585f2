"""Every import in app/ points down the layout that the README's Layout section lists."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def _layout() -> list[str]:
    """The units of app/ (a module or a package), top first, as the README lists them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Layout", 1)[1]
    block = section.split("```", 2)[1]
    return re.findall(r"^app/(\w+)", block, re.MULTILINE)


def _unit(path: Path) -> str:
    return path.relative_to(APP).parts[0].removesuffix(".py")


def _imported_units(path: Path) -> set[str]:
    units = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "app":
                units |= {alias.name for alias in node.names}
            elif node.module.startswith("app."):
                units.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            units |= {a.name.split(".")[1] for a in node.names if a.name.startswith("app.")}
    return units


def test_the_layout_names_every_unit_once() -> None:
    listed = _layout()
    assert len(listed) == len(set(listed)), listed
    present = {_unit(path) for path in APP.rglob("*.py") if path.name != "__init__.py"}
    present |= {path.name for path in APP.iterdir() if (path / "__init__.py").exists()}
    assert set(listed) == present


def test_every_import_points_down() -> None:
    rank = {unit: place for place, unit in enumerate(_layout())}
    upward = []
    for path in sorted(APP.rglob("*.py")):
        unit = _unit(path)
        for target in _imported_units(path) - {unit}:
            if rank[target] < rank[unit]:
                upward.append(f"{path.relative_to(ROOT)} imports app.{target}, listed above it")
    assert upward == []


def test_domain_packages_never_import_the_http_layer() -> None:
    layout = _layout()
    http = set(layout[: layout.index("imports")])  # everything listed above the domains
    for package in ("imports", "trade", "observations", "relations", "sources",
                    "commodities", "countries", "auth"):  # fmt: skip
        for path in (APP / package).rglob("*.py"):
            assert not (_imported_units(path) & http), path


# Where the observations domain's SQL may be written: its tables, its queries, its bulk.
SQL_HOMES = ("models.py", "repository.py", "staging")
# What builds a statement, and what runs one on a session or connection.
SQL_BUILDERS = {"select", "text", "insert", "update", "delete", "func", "literal_column"}
SQL_RUNS = {"execute", "exec_driver_sql", "scalars", "scalar", "get", "add", "add_all", "merge"}
# What the HTTP layer may take from a domain: its front door, its plain shapes, its presenters.
FRONT_DOOR = {"service", "schemas", "facts", "presenters"}


def _sql_in(path: Path) -> set[str]:
    """The SQL constructs a module imports from SQLAlchemy, and the statements it runs
    on a `session` or `connection`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {alias.name for alias in node.names} & SQL_BUILDERS
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("session", "connection")
            and node.func.attr in SQL_RUNS
        ):
            found.add(f"{node.func.value.id}.{node.func.attr}")
    return found


# Every domain: its SQL lives only in its models, its repository (and staging).
SQL_KEPT_HOME = (
    "observations", "commodities", "countries", "sources", "relations",
    "auth", "imports", "sdmx", "trade",
)  # fmt: skip


@pytest.mark.parametrize("domain", SQL_KEPT_HOME)
def test_a_domain_writes_its_sql_in_models_repository_and_staging(domain: str) -> None:
    package = APP / domain
    misplaced = {}
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] in SQL_HOMES:
            continue
        if found := _sql_in(path):
            misplaced[str(path.relative_to(APP))] = sorted(found)
    assert misplaced == {}


@pytest.mark.parametrize("layer", ["api", "http"])
def test_the_http_layers_write_no_sql(layer: str) -> None:
    """Routes and HTTP machinery reach the database through services (and the response
    cache through core's store version), never by a statement of their own."""
    written = {}
    for path in (APP / layer).rglob("*.py"):
        if path.name != "models.py" and (found := _sql_in(path)):
            written[str(path.relative_to(APP))] = sorted(found)
    assert written == {}


def test_no_http_module_imports_a_repository_or_a_model() -> None:
    """The HTTP layer goes through each domain's service (its front door)."""
    reached = []
    for path in (APP / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("app."):
                continue
            parts = node.module.split(".") if node.module else []
            names = {alias.name for alias in node.names}
            if len(parts) > 2 and parts[2] in ("repository", "models"):
                reached.append(f"{path.name}: {node.module}")
            elif len(parts) == 2 and names & {"repository", "models"}:
                reached.append(f"{path.name}: {node.module} {sorted(names)}")
    assert reached == []


def test_the_http_layer_reaches_figures_through_the_observations_service() -> None:
    reached = set()
    for path in (APP / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "app.observations":
                    reached |= {alias.name for alias in node.names}
                elif node.module.startswith("app.observations."):
                    reached.add(node.module.split(".")[2])
    assert reached  # the HTTP layer does read figures
    assert reached <= FRONT_DOOR, reached - FRONT_DOOR


def test_no_two_classes_share_a_name() -> None:
    """One name, one class: a domain's result and its API shape are told apart by name."""
    homes: dict[str, list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                homes.setdefault(node.name, []).append(str(path.relative_to(APP)))
    assert {name: paths for name, paths in homes.items() if len(paths) > 1} == {}
