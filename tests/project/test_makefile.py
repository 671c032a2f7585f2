"""The Makefile's first two commands: `make run` installs what serving needs and nothing
more; `make test` adds the dev tools. Read from make's dry run for a virtualenv that does
not exist yet, as on a fresh clone."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(target: str, venv: Path) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the README's commands need it")
    # Run as from a shell: under `make test`, the outer make's variables would make this
    # one a sub-make that prints the directories it enters.
    outer = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {name: value for name, value in os.environ.items() if name not in outer}
    done = subprocess.run(
        [make, "--no-print-directory", "-n", target, f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_make_run_installs_only_what_serving_needs(tmp_path: Path) -> None:
    commands = _dry_run("run", tmp_path / "fresh")
    assert "pip install --quiet -e .\n" in commands
    assert "[dev]" not in commands
    assert "codegen" not in commands
    assert commands.rstrip().endswith("tradestats serve")


def test_make_test_adds_the_dev_tools(tmp_path: Path) -> None:
    commands = _dry_run("test", tmp_path / "fresh")
    assert "-e '.[dev]'" in commands
    assert "codegen" in commands
    assert "pytest" in commands
