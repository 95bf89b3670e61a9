"""The checks are plain lists: every check function runs, once, in the order publisher.checks
states, whatever was imported first."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import publisher
from publisher.checks import ALL_CHECKS

SOURCE = Path(publisher.__file__).parent


def check_functions_in_source() -> set[str]:
    """module.function of every top-level function named check_* in the modules of the
    cooperative's checks (the importers and federation.py check other things)."""
    found = set()
    for path in SOURCE.glob("*.py"):
        module = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_"):
                found.add(f"{module}.{node.name}")
    return found - {
        "publisher.cooperative.check_cooperative",  # loads and runs the checks
        "publisher.federation.check_member_bounded",  # a member, in a bounded process
    }


def names(functions) -> list[str]:
    return [f"{f.__module__}.{f.__name__}" for f in functions]


def test_every_check_function_is_in_the_list_once():
    listed = names(ALL_CHECKS)
    assert len(listed) == len(set(listed))
    assert set(listed) == check_functions_in_source()


def test_the_order_does_not_depend_on_what_was_imported_first():
    """A fresh interpreter that imports the governance and history modules before anything
    else still runs the checks in the order of publisher.checks."""
    program = (
        "import json, publisher.governance, publisher.history, publisher.pages\n"
        "from publisher.checks import ALL_CHECKS\n"
        "print(json.dumps([f'{f.__module__}.{f.__name__}' for f in ALL_CHECKS]))"
    )
    listing = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert json.loads(listing.stdout) == names(ALL_CHECKS)
    modules = list(dict.fromkeys(f.__module__.rsplit(".", 1)[-1] for f in ALL_CHECKS))
    assert modules == [
        "ledger",
        "privacy",
        "assets",
        "measures",
        "history",
        "stories",
        "pages",
        "governance",
    ]


def test_no_module_registers_a_check_by_decorating_it():
    decorated = [
        f"{path.relative_to(SOURCE)}:{node.lineno}"
        for path in SOURCE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef)
        and any(getattr(d, "id", None) == "check" for d in node.decorator_list)
    ]
    assert decorated == []
