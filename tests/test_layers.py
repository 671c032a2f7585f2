"""Every import in app/ points down the layout that the README's Layout section lists."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
