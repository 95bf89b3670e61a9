"""Shared helpers: small cooperatives written inline, next to the assertions that use them."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest

from publisher.cooperative import check_cooperative

# The tests read the treasurer's messages in English, whatever language the machine running
# them is set to (tests/test_catalogs.py sets the language explicitly where it matters).
os.environ["LANGUAGE"] = "C"

TODAY = dt.date(2026, 11, 21)

ACCOUNTS = """\
name: Test Workshop
currency: EUR
funds:
  general: Day-to-day
  commons: Common fund
categories:
  dues: {kind: income}
  grants: {kind: income}
  rent: {kind: expense}
  tools: {kind: expense, capital: true}
  transfer: {kind: transfer}
  opening: {kind: opening}
public_counterparties:
  - City Council
"""

LEDGER_HEADER = "date,description,amount,category,fund,counterparty,decision,id,note\n"


def write_coop(root: Path, files: dict[str, str | bytes], accounts: str | None = ACCOUNTS) -> Path:
    """Write a cooperative: `files` maps paths relative to `root` to their content."""
    (root / "ledgers").mkdir(parents=True, exist_ok=True)
    if accounts is not None:
        (root / "ledgers" / "accounts.yml").write_text(textwrap.dedent(accounts), encoding="utf-8")
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def codes_at(problems) -> set[tuple[str, int | None, str]]:
    """(path, line, code) of each problem: what tests assert on, never the wording."""
    return {(p.path, p.line, p.code) for p in problems}


@pytest.fixture
def coop(tmp_path):
    """Write a cooperative and check it: coop({"ledgers/x.csv": "..."}) -> problems."""

    def make(files: dict[str, str | bytes], accounts: str | None = ACCOUNTS, today=TODAY):
        write_coop(tmp_path, files, accounts)
        _, problems = check_cooperative(tmp_path, today=today)
        return problems

    return make


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, once per test module (each test opens its own context)."""
    from playwright.sync_api import sync_playwright

    from tests.sitetools import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
