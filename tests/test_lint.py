"""The code is linted, formatted and typed: ruff check, ruff format --check and mypy pass, with
the configuration in pyproject.toml and the versions pinned in the test extra."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

#: Modules being reorganised on another branch (checks registered without import side
#: effects), which that branch makes lint- and type-clean: left out of `ruff check` and mypy
#: until it is merged. Empty this tuple after the merge.
NOT_YET_TYPED: tuple[str, ...] = ()


def _tool(name: str) -> str:
    found = BIN / name
    if found.is_file():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is not installed: install the test extra (pip install -e '.[test]')")
    return on_path


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_check_passes():
    excluded = [f"--extend-exclude={path}" for path in NOT_YET_TYPED]
    done = _run(_tool("ruff"), "check", "--no-cache", *excluded, ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_finds_nothing_to_change():
    done = _run(_tool("ruff"), "format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_on_the_publisher():
    done = _run(_tool("mypy"), "--no-incremental", "--cache-dir=/dev/null")
    errors = [
        line
        for line in done.stdout.splitlines()
        if ": error:" in line and not line.startswith(NOT_YET_TYPED)
    ]
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2: mypy itself failed
    assert errors == [], "\n".join(errors)
