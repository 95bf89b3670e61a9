"""The documentation of check codes stays complete and the codes in the source stay registered."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import publisher
from publisher.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DOC = ROOT / "docs" / "checks.md"
SOURCE = Path(publisher.__file__).parent


def documented_codes() -> dict[str, str]:
    """code -> severity word written under its heading."""
    text = CHECKS_DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    return {
        section.split("\n", 1)[0].strip(): re.search(r"\*(Error|Warning)\.\*", section).group(1)
        for section in sections
    }


def codes_in_source() -> set[str]:
    """Codes given as literals to problem(), row_problems() and register_code() in publisher/."""
    found = set()
    positions = {"problem": 0, "register_code": 0, "row_problems": 2}
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                index = positions.get(node.func.id)
                if index is not None and len(node.args) > index:
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.add(arg.value)
    return found


def test_every_registered_code_is_documented_with_its_severity():
    documented = documented_codes()
    assert set(documented) == set(CODES)
    for code, info in CODES.items():
        assert documented[code].lower() == info.severity.value, code


def test_every_code_used_in_the_source_is_registered():
    used = codes_in_source()
    assert used, "the scan found no codes: it is broken"
    assert used <= set(CODES), used - set(CODES)


def test_problems_py_alone_registers_every_code():
    """In a fresh interpreter that imports nothing but publisher.problems, every code the
    source uses is known: no code waits for the import of the module that emits it."""
    listing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, publisher.problems as p; print(json.dumps(list(p.CODES)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    alone = set(json.loads(listing.stdout))
    assert codes_in_source() - alone == set()
    assert alone == set(CODES)


def test_no_module_but_problems_py_registers_codes():
    calls = [
        f"{path.relative_to(SOURCE)}:{node.lineno}"
        for path in SOURCE.rglob("*.py")
        if path.name != "problems.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "register_code"
    ]
    assert calls == []


def test_amount_classifier_codes_are_registered():
    source = (SOURCE / "money.py").read_text(encoding="utf-8")
    for code in set(re.findall(r'"(amount-[a-z-]+)"', source)):
        assert code in CODES, code
