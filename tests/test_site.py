"""`publisher build`: the real MkDocs build of real cooperatives, and what lands in site/."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.site.build import build_site
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, write_coop
from tests.sitetools import REPO, copy_example, site_text_files


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("example"))
    result = build_site(root)
    assert result.site_dir is not None
    return result.site_dir


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def example_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted((REPO / "ledgers").glob("*.csv")):
        if path.name.startswith("budget") or path.name in (
            "balances.csv",
            "measures.csv",
            "assets.csv",
        ):
            continue
        rows += read_csv(path)
    return rows


def test_the_example_site_has_every_page_and_download(example_site):
    for relative in [
        "index.html",
        "finances/index.html",
        "finances/2024/index.html",
        "finances/2025/index.html",
        "finances/2026/index.html",
        "finances/warnings/index.html",
        "data/index.html",
        "data/ledger.csv",
        "data/budget.csv",
        "data/summary.json",
        "data/datapackage.json",
        "feed.xml",
        "stories/index.html",
        "charter/index.html",
    ]:
        assert (example_site / relative).is_file(), relative


def test_summary_json_matches_the_ledgers_computed_independently(example_site):
    summary = json.loads((example_site / "data/summary.json").read_text(encoding="utf-8"))
    kinds = {}
    import yaml

    accounts = yaml.safe_load((REPO / "ledgers/accounts.yml").read_text(encoding="utf-8"))
    kinds = {key: spec["kind"] for key, spec in accounts["categories"].items()}
    first_fund = next(iter(accounts["funds"]))
    income: dict[str, Decimal] = {}
    expense: dict[str, Decimal] = {}
    funds: dict[str, Decimal] = {f: Decimal(0) for f in accounts["funds"]}
    for row in example_rows():
        amount = Decimal(row["amount"])
        year = row["date"][:4]
        funds[row["fund"] or first_fund] += amount
        if kinds[row["category"]] == "income":
            income[year] = income.get(year, Decimal(0)) + amount
        elif kinds[row["category"]] == "expense":
            expense[year] = expense.get(year, Decimal(0)) - amount
    # FORMATS' keys, and the additions of docs/formats-notes.md (the example keeps measures and assets)
    assert set(summary) == {
        "name",
        "currency",
        "source",
        "years",
        "funds",
        "reconciled_through",
        "checks",
        "measures",
        "assets",
        "membership",
    }
    assert summary["currency"] == "EUR"
    assert (
        re.fullmatch(r"[0-9a-f]{40}", summary["source"]["commit"] or "")
        or summary["source"]["commit"] is None
    )
    for year, figures in summary["years"].items():
        assert Decimal(figures["income"]) == income[year]
        assert Decimal(figures["expense"]) == expense[year]
        assert Decimal(figures["net"]) == income[year] - expense[year]
        assert all(re.fullmatch(r"-?\d+\.\d\d", v) for v in figures["categories"].values())
        assert set(figures["budget"]) <= set(kinds)
    assert {f: Decimal(v) for f, v in summary["funds"].items()} == funds
    _, problems = check_cooperative(REPO)
    assert summary["checks"] == {"errors": 0, "warnings": len(problems)} and problems


def test_the_data_package_is_valid_frictionless(example_site):
    from frictionless import Package

    report = Package(str(example_site / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    ledger = read_csv(example_site / "data/ledger.csv")
    assert len(ledger) == len(example_rows())
    assert list(ledger[0]) == [
        "date",
        "description",
        "amount",
        "category",
        "fund",
        "counterparty",
        "decision",
        "id",
        "note",
        "changed_in",
        "changed_on",
    ]


def test_the_atom_feed_lists_the_stories(example_site):
    feed = ET.parse(example_site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    posts = list((REPO / "content/stories/posts").glob("*.md"))
    assert len(entries) == len(posts) >= 3
    dates = [e.find("a:published", ns).text for e in entries]
    assert dates == sorted(dates, reverse=True)
    for entry in entries:
        href = entry.find("a:link", ns).get("href")
        assert (example_site / unquote(href) / "index.html").is_file(), href


def test_no_page_loads_anything_from_another_host(example_site):
    loads = re.compile(
        r"<(?:script|img|iframe|source)[^>]*\bsrc=\"(https?:)?//|<link[^>]*rel=\"(?:stylesheet|preconnect|preload)\"[^>]*href=\"(https?:)?//"
    )
    for path, text in site_text_files(example_site):
        if path.suffix == ".html":
            assert not loads.search(text), path
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path


def test_plotly_is_shipped_once_under_a_versioned_name_and_pages_stay_small(example_site):
    bundles = list(example_site.rglob("plotly-*.min.js"))
    assert len(bundles) == 1 and re.fullmatch(
        r"plotly-partial-\d+\.\d+\.\d+\.min\.js", bundles[0].name
    )
    largest = max(p.stat().st_size for p in example_site.rglob("*.html"))
    assert largest < 500_000


def test_every_page_names_the_commit_of_the_books(example_site):
    summary = json.loads((example_site / "data/summary.json").read_text(encoding="utf-8"))
    commit = summary["source"]["commit"]
    for relative in ["index.html", "finances/2025/index.html", "data/index.html"]:
        text = (example_site / relative).read_text(encoding="utf-8")
        if commit:
            assert commit[:7] in text
        else:
            assert "commit unknown" in text
    if commit:
        assert commit in (example_site / "data/index.html").read_text(encoding="utf-8")


# -- Builds of small cooperatives written by the tests -----------------------------------------


def small_coop(
    root: Path, rows: str, accounts: str = ACCOUNTS, pages: dict[str, str] | None = None
) -> Path:
    files = {"ledgers/2026.csv": LEDGER_HEADER + rows, "content/index.md": "# Home\n"}
    files.update(pages or {})
    return write_coop(root, files, accounts)


def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(tmp_path):
    root = small_coop(tmp_path, "2026-01-05,Dues,12.50,dues,,,,,\n")
    assert build_site(root, today=TODAY).site_dir is not None
    before = {
        p.relative_to(root / "site"): p.read_bytes()
        for p in (root / "site").rglob("*")
        if p.is_file()
    }
    (root / "ledgers/2026.csv").write_text(
        LEDGER_HEADER + '2026-01-05,Dues,"12,50",dues,,,,,\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1
    assert "amount-decimal-comma" in result.output
    after = {
        p.relative_to(root / "site"): p.read_bytes()
        for p in (root / "site").rglob("*")
        if p.is_file()
    }
    assert after == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_the_built_in_configuration_is_used_without_mkdocs_yml(tmp_path):
    root = small_coop(tmp_path, "2026-01-05,Dues,12.50,dues,,,,,\n")
    site = build_site(root, tmp_path / "out", today=TODAY).site_dir
    assert site == (tmp_path / "out").resolve()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Test Workshop" in home and "Key figures" in home
    assert 'data-md-color-scheme="slate"' in home or "__palette_1" in home  # the dark toggle
    assert (site / "finances/2026/index.html").is_file()
    assert (site / "search/search_index.json").is_file()


def test_a_cooperatives_own_mkdocs_yml_is_honoured(tmp_path):
    root = small_coop(
        tmp_path,
        "2026-01-05,Dues,12.50,dues,,,,,\n",
        pages={"content/about.md": "# About us\n\nWe share tools.\n"},
    )
    (root / "mkdocs.yml").write_text(
        "site_name: Our Own Name\ndocs_dir: content\ntheme:\n  name: material\n"
        "nav:\n  - Home: index.md\n  - About: about.md\nplugins:\n  - search\n  - publisher\n",
        encoding="utf-8",
    )
    site = build_site(root, today=TODAY).site_dir
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Our Own Name" in home
    assert "About" in home and (site / "about/index.html").is_file()
    assert "Finances" in home  # the publisher's sections are added to the cooperative's nav
    assert "fonts.googleapis" not in home


def test_mkdocs_yml_without_the_plugin_is_refused_with_a_clear_message(tmp_path):
    root = small_coop(tmp_path, "2026-01-05,Dues,12.50,dues,,,,,\n")
    (root / "mkdocs.yml").write_text("site_name: X\ndocs_dir: content\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 2
    assert "publisher" in result.output and "plugins" in result.output
    assert "Traceback" not in result.output


def test_plain_mkdocs_build_produces_the_same_pages(tmp_path, example_site):
    root = copy_example(tmp_path / "coop")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "plain")],
        cwd=root,
        check=True,
    )
    plain = tmp_path / "plain"
    ours = {p.relative_to(example_site) for p in example_site.rglob("*.html")}
    theirs = {p.relative_to(plain) for p in plain.rglob("*.html")}
    assert ours == theirs
    assert (plain / "data/summary.json").read_text() == (
        example_site / "data/summary.json"
    ).read_text()


HOSTILE_ACCOUNTS = ACCOUNTS.replace(
    "name: Test Workshop", 'name: "Evil <script>alert(1)</script> Co"'
).replace(
    "  rent: {kind: expense}", '  rent: {kind: expense, label: "<img src=x onerror=alert(2)>"}'
)


def test_hostile_books_publish_no_private_name_and_no_live_markup(tmp_path):
    rows = (
        "2026-01-05,Dues,15.00,dues,,Maria Jensen,,,\n"
        "2026-01-06,Dues paid by Maria Jensen in cash,15.00,dues,,Maria Jensen,,,note about maria jensen\n"
        '2026-01-07,"<script>alert(1)</script>",-10.00,rent,,City Council,,,\n'
        '2026-01-08,=HYPERLINK("http://evil"),-5.00,rent,,Jonas Weber,,,@SUM(A1)\n'
        '2026-01-09,"[click](javascript:alert(3))",-6.00,rent,,,,,\n'
    )
    root = small_coop(tmp_path, rows, HOSTILE_ACCOUNTS)
    result = build_site(root, today=TODAY)
    assert result.site_dir is not None
    assert "private-name-in-description" in {p.code for p in result.problems}
    site = result.site_dir
    for path, text in site_text_files(site):
        if path.name.startswith("plotly-"):
            continue
        for name in ("Maria Jensen", "maria jensen", "Jonas Weber"):
            assert name not in text, (path, name)
        if path.suffix in {".html", ".xml"}:
            assert "<script>alert" not in text, path
            assert "<img src=x" not in text, path
            assert 'href="javascript:' not in text, path
    search = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "Maria" not in search
    ledger = read_csv(site / "data/ledger.csv")
    assert {r["counterparty"] for r in ledger} == {"private", "City Council", ""}
    assert any(r["description"].startswith("'=HYPERLINK") for r in ledger)
    assert any(r["note"] == "'@SUM(A1)" for r in ledger)
    assert all(re.fullmatch(r"-?\d+\.\d\d", r["amount"]) for r in ledger)  # amounts stay numbers
    # Plotly reads some HTML in its texts: a label from the books reaches a figure without tags.
    page = (site / "finances/2026/index.html").read_text(encoding="utf-8")
    figures = [
        json.dumps(json.loads(html.unescape(f)), ensure_ascii=False)
        for f in re.findall(r'data-figure="([^"]*)"', page)
    ]
    assert figures and any("onerror" in f for f in figures)  # the label is there...
    assert not any("<img" in f for f in figures)  # ...but not as markup
    year = json.loads((site / "data/ledger-2026.json").read_text(encoding="utf-8"))
    assert "<script>alert(1)</script>" in {
        row[1] for row in year["rows"]
    }  # kept as text, drawn with textContent


def test_build_refuses_a_directory_that_is_not_a_cooperative(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 2
    assert "accounts.yml" in result.output


def test_rows_after_a_funds_last_balance_assertion_are_published_as_not_yet_reconciled(tmp_path):
    from publisher.site.generate import generate_site
    from tests.conftest import LEDGER_HEADER, TODAY, write_coop

    rows = (
        "2026-01-01,Opening,100,opening,,,,,\n"
        "2026-01-10,Dues,10,dues,,,,,\n"
        "2026-02-10,Dues,5,dues,,,,,\n"  # after general's assertion
        "2026-01-01,Opening,50,opening,commons,,,,\n"  # commons: never asserted
    )
    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2026.csv": LEDGER_HEADER + rows,
            "ledgers/balances.csv": "date,fund,balance\n2026-01-31,general,110\n",
        },
    )
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert not [p for p in problems if p.is_error]
    out = tmp_path / "out"
    generate_site(cooperative, problems, None, tmp_path / "docs", out)
    summary = json.loads((out / "data/summary.json").read_text(encoding="utf-8"))
    assert summary["reconciled_through"] == {"general": "2026-01-31", "commons": None}
    page = (out / "finances/2026.md").read_text(encoding="utf-8")
    status = re.search(r'<ul class="publisher-reconciliation-status">(.*?)</ul>', page).group(1)
    general, commons = re.findall(r"<li[^>]*>(.*?)</li>", status)
    # Each fund by its label (accounts.yml: "general: Day-to-day", "commons: Common fund").
    assert "Day-to-day" in general and "2026-01-31" in general and "1 row " in general
    assert "Common fund" in commons and "not yet reconciled" in commons
    # One row is one row: "its 1 row of this year is published", not "are".
    assert "1 row after that day is not" in general and "1 row of this year is published" in commons
    year = json.loads((out / "data/ledger-2026.json").read_text(encoding="utf-8"))
    flag = [c["key"] for c in year["columns"]].index("reconciled")
    assert {(row[0], row[4], row[flag]) for row in year["rows"]} == {
        ("2026-01-01", "Day-to-day", "yes"),
        ("2026-01-10", "Day-to-day", "yes"),
        ("2026-02-10", "Day-to-day", "not yet"),
        ("2026-01-01", "Common fund", "not yet"),
    }


def test_a_past_years_reconciliation_status_speaks_of_that_year(tmp_path):
    from publisher.site.generate import generate_site
    from tests.conftest import LEDGER_HEADER, TODAY, write_coop

    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2025.csv": LEDGER_HEADER + "2025-03-01,Opening,100,opening,,,,,\n",
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-10,Dues,10,dues,,,,,\n",
            "ledgers/balances.csv": "date,fund,balance\n2026-01-31,general,110\n",
        },
    )
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert not [p for p in problems if p.is_error]
    out = tmp_path / "out"
    generate_site(cooperative, problems, None, tmp_path / "docs", out)
    page = (out / "finances/2025.md").read_text(encoding="utf-8")
    status = re.search(r'<ul class="publisher-reconciliation-status">(.*?)</ul>', page).group(1)
    # On the page of 2025, a day of 2026 alone would read as if 2025 ran into 2026.
    assert "every row of 2025" in status and "2026-01-31" in status
