"""The README keeps up with the code."""

import re
from pathlib import Path

from app.core.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert missing == []


def test_quickstart_shows_the_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quickstart
    assert "make test" in quickstart


def test_every_test_security_md_names_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    text = (root / "SECURITY.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 10
    for path, test in named:
        source = (root / path).read_text()
        assert not test or f"def {test}(" in source, f"{path}::{test}"
