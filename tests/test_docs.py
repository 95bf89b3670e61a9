"""The documentation of check codes stays complete and the codes in the source stay registered."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import importlib
import pkgutil

import publisher
from publisher.problems import CODES

# Codes are registered by the modules that emit them: import every module of the package.
for _module in pkgutil.walk_packages(publisher.__path__, "publisher."):
    if not _module.name.endswith("__main__"):  # that one runs the command
        importlib.import_module(_module.name)

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


def test_amount_classifier_codes_are_registered():
    source = (SOURCE / "money.py").read_text(encoding="utf-8")
    for code in set(re.findall(r'"(amount-[a-z-]+)"', source)):
        assert code in CODES, code
