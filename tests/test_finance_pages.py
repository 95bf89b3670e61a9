"""The finance pages readers meet: the cooperative's money format, labels instead of keys,
the Warnings page in plain words with links, and the data page and package (licence, the
commit's time zone). Small books written inline; pages generated for real."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.accounts import parse_accounts
from publisher.charts import display_money
from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.site.generate import generate_site, utc_offset
from publisher.summary import summarize
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.gittools import git, init_repo

ACCOUNTS = """\
name: Test Workshop
currency: EUR
funds:
  general: {label: Day-to-day fund, description: Current account}
  commons: Common fund (savings)
categories:
  dues: {kind: income, label: Membership dues}
  rent: {kind: expense, label: Rent and charges}
  tools: {kind: expense}
  transfer: {kind: transfer}
  opening: {kind: opening}
"""

ROWS = (
    "2026-01-01,Opening,25000.00,opening,,,,o-1,\n"
    "2026-01-01,Opening savings,100.00,opening,commons,,,,\n"
    "2026-02-01,Dues,22177.78,dues,,,,d-1,\n"
    "2026-03-01,Rent,-1234.50,rent,,,,r-1,\n"
)


def generated(
    tmp_path: Path, accounts: str = ACCOUNTS, rows: str = ROWS, files: dict[str, str] | None = None
) -> Path:
    """The books written into tmp_path/coop, checked, and the site generated into tmp_path/out."""
    root = write_coop(
        tmp_path / "coop", {"ledgers/2026.csv": LEDGER_HEADER + rows, **(files or {})}, accounts
    )
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert cooperative is not None and not [p for p in problems if p.is_error], problems
    out = tmp_path / "out"
    generate_site(cooperative, problems, None, tmp_path / "docs", out)
    return out


def read(out: Path, relative: str) -> str:
    return (out / relative).read_text(encoding="utf-8")


# -- The money format -------------------------------------------------------------------------

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "language, income, rent",
    [
        # Written out by hand from each country's usage, not computed by Babel. (Spanish
        # usage leaves 4-digit numbers ungrouped, which Babel does not follow: not asserted.)
        ("es", f"22.177,78{NBSP}€", None),
        ("de", f"22.177,78{NBSP}€", f"1.234,50{NBSP}€"),
        ("fr-CA", f"22{NBSP}177,78{NBSP}€", f"1{NBSP}234,50{NBSP}€"),
        ("en", "€22,177.78", "€1,234.50"),
    ],
)
def test_money_is_written_in_the_language_of_accounts_yml_on_every_finance_page(
    tmp_path, language, income, rent
):
    out = generated(tmp_path, ACCOUNTS + f"language: {language}\n")
    year = read(out, "finances/2026.md")
    overview = read(out, "finances/index.md")
    assert f'<span class="publisher-figure__value">{income}</span>' in year
    assert f">{income}</td>" in overview  # the year-by-year table
    if rent:
        assert f'<span class="publisher-figure__value">{rent}</span>' in year  # the expense
        assert f">{rent}</td>" in overview
    ledger = json.loads(read(out, "data/ledger-2026.json"))
    assert ledger["money"] == {"locale": language, "currency": "EUR", "minor_units": 2}
    # Downloads keep the exact amounts.
    assert ",22177.78," in read(out, "data/ledger.csv") and "-1234.50" in read(
        out, "data/ledger.csv"
    )


def test_display_money_follows_the_summarys_locale(tmp_path):
    root = write_coop(
        tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + ROWS}, ACCOUNTS + "language: de\n"
    )
    cooperative, _ = check_cooperative(root, today=TODAY)
    summary = summarize(cooperative)
    assert summary.locale == "de"
    assert display_money(-123450, summary) == f"-1.234,50{NBSP}€"


@pytest.mark.parametrize(
    "written, tag", [("fr-CA", "fr-CA"), ("fr_ca", "fr-CA"), ("pt-BR", "pt-BR"), ("es", "es")]
)
def test_a_language_tag_is_read_in_its_canonical_spelling(written, tag):
    accounts, problems = parse_accounts(ACCOUNTS + f"language: {written}\n")
    assert not problems and accounts.language == tag


def test_without_a_language_the_site_is_in_english():
    accounts, problems = parse_accounts(ACCOUNTS)
    assert not problems and accounts.language == "en"


@pytest.mark.parametrize("written", ["fr-CAN", "klingon", "12"])
def test_an_unknown_language_is_an_error_at_its_line(written):
    accounts, problems = parse_accounts(ACCOUNTS + f"language: {written}\n")
    line = ACCOUNTS.count("\n") + 1
    assert accounts is None
    assert codes_at(problems) == {
        (
            "ledgers/accounts.yml",
            line,
            "language-unknown" if written != "12" else "accounts-value-invalid",
        )
    }


def test_an_unknown_language_suggests_the_closest_tag():
    _, problems = parse_accounts(ACCOUNTS + "language: fr-CAN\n")
    assert '"fr-CA"' in problems[0].message


# -- Labels for readers, keys in downloads ----------------------------------------------------


def test_readers_see_fund_and_category_labels_and_downloads_keep_the_keys(tmp_path):
    balances = "date,fund,balance\n2026-03-31,general,45943.28\n2026-01-31,commons,100.00\n"
    out = generated(tmp_path, files={"ledgers/balances.csv": balances})
    overview = read(out, "finances/index.md")
    funds_table = re.search(r'<table class="publisher-funds">.*?</table>', overview).group(0)
    assert "<td>Day-to-day fund</td><td>Current account</td>" in funds_table
    assert (
        "<td>Common fund (savings)</td><td></td>" in funds_table
    )  # the plain form: its text is the label
    assert ">general<" not in funds_table and ">commons<" not in funds_table
    year = read(out, "finances/2026.md")
    reconciled = re.search(r'<ul class="publisher-reconciled">.*?</ul>', year).group(0)
    assert (
        "<strong>Day-to-day fund</strong>" in reconciled
        and "<strong>Common fund (savings)</strong>" in reconciled
    )
    status = re.search(r'<ul class="publisher-reconciliation-status">.*?</ul>', year).group(0)
    assert "<strong>Day-to-day fund</strong>" in status and "general" not in status
    ledger = json.loads(read(out, "data/ledger-2026.json"))
    keys = [c["key"] for c in ledger["columns"]]
    shown = {(row[keys.index("category")], row[keys.index("fund")]) for row in ledger["rows"]}
    assert ("Membership dues", "Day-to-day fund") in shown and (
        "opening",
        "Common fund (savings)",
    ) in shown
    # The downloads keep the keys.
    csv_text = read(out, "data/ledger.csv")
    assert ",dues,general," in csv_text and ",opening,commons," in csv_text
    assert "Day-to-day fund" not in csv_text


def test_the_home_page_names_each_fund_by_its_label(tmp_path):
    out = generated(tmp_path)
    root = write_coop(tmp_path / "coop", {}, None)
    cooperative, problems = check_cooperative(root, today=TODAY)
    content = generate_site(cooperative, problems, None, tmp_path / "docs", tmp_path / "out2")
    _, home = content.fragments["index.md"]
    labels = re.findall(r'publisher-figure__label">([^<]*)<', home)
    assert labels[:2] == ["Day-to-day fund", "Common fund (savings)"]
    assert "general" not in home and out.is_dir()


def test_a_fund_given_as_a_mapping_needs_a_label():
    accounts, problems = parse_accounts(
        ACCOUNTS.replace(
            "{label: Day-to-day fund, description: Current account}",
            "{description: Current account}",
        )
    )
    assert accounts is None and codes_at(problems) == {
        ("ledgers/accounts.yml", 4, "accounts-value-invalid")
    }
    _, problems = parse_accounts(
        ACCOUNTS.replace("description: Current account", "descripton: Current account")
    )
    assert codes_at(problems) == {("ledgers/accounts.yml", 4, "accounts-key-unknown")}


HOSTILE = "<script>alert(1)</script>"


def test_hostile_labels_and_descriptions_are_escaped_by_the_templates(tmp_path):
    accounts = ACCOUNTS.replace("Day-to-day fund", f'"{HOSTILE}"').replace(
        "Membership dues", '"<img src=x onerror=alert(2)>"'
    )
    rows = ROWS + f'2026-04-01,"Zero {HOSTILE} & <b>x</b>",0,dues,,,,,\n'
    # A column the format does not know: its name is quoted in the warning's message.
    extra = {
        "ledgers/2025.csv": LEDGER_HEADER.strip()
        + ',"<img src=y onerror=alert(3)>"\n2025-05-01,Dues,5.00,dues,,,,,,x\n'
    }
    out = generated(tmp_path, accounts, rows, extra)
    for relative in ("finances/index.md", "finances/2026.md", "finances/warnings.md"):
        text = read(out, relative)
        assert "<script" not in text and "<img" not in text and "<b>" not in text, relative
    assert html.escape(HOSTILE) in read(out, "finances/index.md")
    warnings = read(out, "finances/warnings.md")
    assert "column-unknown" in warnings and "&lt;img src=y onerror=alert(3)&gt;" in warnings
    cooperative, problems = check_cooperative(tmp_path / "coop", today=TODAY)
    _, home = generate_site(
        cooperative, problems, None, tmp_path / "docs", tmp_path / "home"
    ).fragments["index.md"]
    assert "<script" not in home and f'publisher-figure__label">{html.escape(HOSTILE)}<' in home
    # The row's description is the link's text (and its query), escaped.
    assert f"Zero {html.escape(HOSTILE, quote=True)} &amp; &lt;b&gt;x&lt;/b&gt;" in warnings
    # The ledger JSON carries the label as data; the page script writes it with textContent.
    assert any(
        "<img src=x onerror=alert(2)>" in row
        for row in json.loads(read(out, "data/ledger-2026.json"))["rows"]
    )


# -- The Warnings page ------------------------------------------------------------------------

OVERSPENT_MINUTES = """\
---
date: 2026-02-01
members: 4
present: 4
decisions:
  - id: 2026/07
    motion: Sharpen the saws
    for: 4
    against: 0
    abstain: 0
    result: adopted
    amount: 100.00
---
"""


def warning_items(page: str) -> list[str]:
    return re.findall(r'<li class="publisher-warning"[^>]*>(.*?)</li>', page)


def test_each_warning_links_to_its_row_or_decision_and_folds_the_treasurers_details(tmp_path):
    rows = ROWS + (
        "2026-04-01,Nothing at all,0,dues,,,,z-1,\n"  # line 6: amount-zero, with an id
        "2026-04-02,Nothing again,0,dues,,,,,\n"  # line 7: amount-zero, without an id
        "2026-02-10,Saw blades,-150.00,tools,,,2026/07,,\n"  # overspends 2026/07
    )
    out = generated(tmp_path, rows=rows, files={"content/minutes/2026-02-01.md": OVERSPENT_MINUTES})
    page = read(out, "finances/warnings.md")
    items = warning_items(page)
    assert len(items) == 3
    by_code = {
        re.search(r"check <code>([^<]+)</code>", item).group(1)
        + ":"
        + re.search(r"line (\d+)", item).group(1): item
        for item in items
    }
    assert set(by_code) == {"decision-overspent:6", "amount-zero:6", "amount-zero:7"}
    with_id = by_code["amount-zero:6"]
    assert 'href="publisher:finances/2026.md?id=z-1"' in with_id
    without_id = by_code["amount-zero:7"]
    assert 'href="publisher:finances/2026.md?date=2026-04-02&amp;q=Nothing%20again"' in without_id
    decision = by_code["decision-overspent:6"]
    assert 'href="publisher:decisions/index.md#decision-2026.2f.07"' in decision
    for item in items:
        # The reader's sentence comes first; file, line and code only inside the folded details.
        text, details = item.split("<details", 1)
        assert "ledgers/" not in text and "content/" not in text and "<code>" not in text
        assert "<summary>For the treasurer</summary>" in details and "<code>" in details
    assert "ledgers/2026.csv" in with_id.split("<details", 1)[1]


def test_a_warning_about_a_funds_rows_names_the_fund_by_its_label(tmp_path):
    balances = "date,fund,balance\n2026-01-31,commons,100.00\n"
    rows = ROWS + "2026-03-05,Interest,1.00,dues,commons,,,,\n"  # after commons' last assertion
    page = read(
        generated(tmp_path, rows=rows, files={"ledgers/balances.csv": balances}),
        "finances/warnings.md",
    )
    (item,) = warning_items(page)
    text = item.split("<details", 1)[0]
    assert (
        "rows-not-reconciled" in item
        and "“Common fund (savings)”" in text
        and "commons" not in text
    )


REINVESTING_CHARTER = """\
---
title: Charter
rules:
  quorum: 0.5
  majority: simple
  reinvestment:
    share: 0.5
    fund: commons
---
# Charter
"""


def test_a_warning_about_the_charter_links_to_how_the_charter_was_kept(tmp_path):
    rows = "2025-01-01,Opening,100.00,opening,,,,,\n2025-02-01,Dues,500.00,dues,,,,,\n"
    out = generated(
        tmp_path,
        rows="",
        files={"ledgers/2025.csv": LEDGER_HEADER + rows, "content/charter.md": REINVESTING_CHARTER},
    )
    (item,) = warning_items(read(out, "finances/warnings.md"))
    assert "reinvestment-below-share" in item
    assert 'href="publisher:charter.md#compliance"' in item.split("<details", 1)[0]


def test_the_decision_anchor_of_a_warning_is_the_one_the_decisions_page_has(tmp_path):
    rows = ROWS + "2026-02-10,Saw blades,-150.00,tools,,,2026/07,,\n"
    out = generated(tmp_path, rows=rows, files={"content/minutes/2026-02-01.md": OVERSPENT_MINUTES})
    anchor = re.search(
        r'publisher:decisions/index.md#([^"]+)"', read(out, "finances/warnings.md")
    ).group(1)
    assert f'id="{anchor}"' in read(out, "decisions/index.md")


def test_private_names_are_replaced_in_the_warnings_links_and_details(tmp_path):
    accounts = ACCOUNTS + "public_counterparties:\n  - City Council\n"
    rows = ROWS + "2026-04-01,Refund for Jane Marple,0,dues,,Jane Marple,,,\n"
    out = generated(tmp_path, accounts, rows)
    page = read(out, "finances/warnings.md")
    assert "Marple" not in page and "amount-zero" in page and "private-name-in-description" in page
    assert "q=Refund%20for%20" in page


def test_a_page_without_warnings_says_so(tmp_path):
    page = read(generated(tmp_path), "finances/warnings.md")
    assert "There is no warning." in page and "<ol" not in page


# -- The data page and package ----------------------------------------------------------------


def test_the_data_package_carries_the_licence_of_accounts_yml_and_is_valid(tmp_path):
    from frictionless import Package

    accounts = ACCOUNTS + "licence: odc-pddl-1.0\n"
    out = generated(tmp_path, accounts)
    package = json.loads(read(out, "data/datapackage.json"))
    assert package["licenses"] == [
        {
            "name": "ODC-PDDL-1.0",
            "title": "Open Data Commons Public Domain Dedication and License v1.0",
            "path": "https://opendatacommons.org/licenses/pddl/1-0/",
        }
    ]
    report = Package(str(out / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    page = read(out, "data/index.md")
    assert (
        'href="https://opendatacommons.org/licenses/pddl/1-0/" rel="license"' in page
        and "ODC-PDDL-1.0" in page
    )


def test_without_a_licence_the_data_are_cc_by_and_a_licence_of_ones_own_needs_title_and_path(
    tmp_path,
):
    from frictionless import Package

    out = generated(tmp_path)
    assert [lic["name"] for lic in json.loads(read(out, "data/datapackage.json"))["licenses"]] == [
        "CC-BY-4.0"
    ]
    own = (
        ACCOUNTS
        + "licence: {id: Coop-Open-1.0, title: Our open licence, path: 'https://example.org/licence'}\n"
    )
    out = generated(tmp_path / "own", own)
    assert json.loads(read(out, "data/datapackage.json"))["licenses"] == [
        {
            "name": "Coop-Open-1.0",
            "title": "Our open licence",
            "path": "https://example.org/licence",
        }
    ]
    assert Package(str(out / "data/datapackage.json")).validate().valid


@pytest.mark.parametrize(
    "licence, code",
    [
        ("CC-BY-40", "licence-unknown"),
        ("{id: Coop-Open-1.0, title: Ours}", "licence-unknown"),
        ("{id: Coop-Open-1.0, title: Ours, path: 'javascript:alert(1)'}", "accounts-value-invalid"),
        ("'CC BY'", "accounts-value-invalid"),
        ("{id: CC-BY-4.0, url: x}", "accounts-key-unknown"),
    ],
)
def test_a_licence_that_cannot_be_published_is_an_error(licence, code):
    accounts, problems = parse_accounts(ACCOUNTS + f"licence: {licence}\n")
    assert accounts is None and {p.code for p in problems} == {code}
    assert {p.line for p in problems} == {ACCOUNTS.count("\n") + 1}


def test_an_unknown_licence_suggests_the_closest_known_one():
    _, problems = parse_accounts(ACCOUNTS + "licence: CC-BY-40\n")
    assert '"CC-BY-4.0"' in problems[0].message


def test_the_data_page_lists_decisions_csv_when_there_are_decisions(tmp_path):
    out = generated(tmp_path, files={"content/minutes/2026-02-01.md": OVERSPENT_MINUTES})
    links = re.findall(r'href="publisher:(data/[^"]+)" download', read(out, "data/index.md"))
    assert links == [
        "data/ledger.csv",
        "data/budget.csv",
        "data/decisions.csv",
        "data/summary.json",
        "data/datapackage.json",
        "data/ledger-2026.csv",
    ]
    assert all((out / link).is_file() for link in links)
    assert "data/decisions.csv" not in read(generated(tmp_path / "plain"), "data/index.md")


def test_the_data_page_gives_the_commits_time_zone_as_an_offset(tmp_path):
    root = init_repo(tmp_path / "coop")
    write_coop(
        root, {"ledgers/2026.csv": LEDGER_HEADER + ROWS, "content/index.md": "# Home\n"}, ACCOUNTS
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Books", date="2026-03-01T14:05:00+02:00")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    page = (root / "site/data/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-03-01T14:05+02:00">2026-03-01 14:05 +02:00</time>' in page
    assert "fixed" not in page.split('class="publisher-downloads"')[0]


def test_utc_offsets_are_written_with_sign_hours_and_minutes():
    import datetime as dt

    zone = lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    assert utc_offset(dt.datetime(2026, 1, 1, tzinfo=zone(120))) == "+02:00"
    assert utc_offset(dt.datetime(2026, 1, 1, tzinfo=zone(-570))) == "-09:30"
    assert utc_offset(dt.datetime(2026, 1, 1, tzinfo=zone(0))) == "+00:00"


def test_a_new_cooperative_sets_a_licence_and_says_how_to_change_it(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "coop")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "coop/ledgers/accounts.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("licence: CC-BY-4.0")
    assert any("change" in line for line in lines[at - 6 : at] if line.startswith("#"))
    accounts, problems = parse_accounts(text)
    assert not problems and accounts.licence.id == "CC-BY-4.0"


def test_the_example_cooperative_sets_its_licence():
    from tests.sitetools import REPO

    accounts, problems = parse_accounts((REPO / "ledgers/accounts.yml").read_text(encoding="utf-8"))
    assert not problems and accounts.licence.id == "CC-BY-4.0"
    assert accounts.fund_label("general") != "general"


# -- In the browser: a warning's link lands on its row ----------------------------------------


def test_following_a_warnings_link_shows_exactly_its_row(tmp_path):
    from playwright.sync_api import sync_playwright

    from publisher.site.build import build_site
    from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, serve_directory

    rows = (
        ROWS
        + (
            "2026-04-02,Nothing again,0,dues,,,,,\n"  # amount-zero, without an id: ?date=&q=
            "2026-04-02,Nothing again today,5.00,dues,,,,,\n"  # same day, words that contain the first's
            "2026-04-03,Nothing at all,0,dues,,,,z-1,\n"  # amount-zero, with an id: ?id=
        )
    )
    root = write_coop(
        tmp_path / "coop",
        {"ledgers/2026.csv": LEDGER_HEADER + rows, "content/index.md": "# Home\n"},
        ACCOUNTS,
    )
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url, sync_playwright() as playwright:
        result = build_site(root, site, site_url=url, today=TODAY)
        assert result.site_dir is not None
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            shown = {}
            for number in (1, 2):
                page.goto(url + "finances/warnings/")
                link = page.locator(f"#warning-{number} .publisher-warning__text a")
                assert (
                    page.locator(f"#warning-{number} details").get_attribute("open") is None
                )  # folded
                link.click()
                page.wait_for_selector(".publisher-ledger__table tbody tr", timeout=20_000)
                cells = page.locator(".publisher-ledger__table tbody tr")
                shown[number] = [tuple(row.split("\t")[:2]) for row in cells.all_inner_texts()]
            # By id: exactly the row. By date and words: the rows of that day holding those words
            # (a row without id has nothing more exact to be found by).
            assert sorted(shown.values()) == [
                [("2026-04-02", "Nothing again"), ("2026-04-02", "Nothing again today")],
                [("2026-04-03", "Nothing at all")],
            ]
        finally:
            browser.close()


RLO, PDF = "\u202e", "\u202c"


def test_a_right_to_left_override_in_a_category_or_fund_label_stays_within_the_label(tmp_path):
    # Left open, the override in "Rent and charges" would show everything the year page's
    # summary writes after the label backwards: "€1,234.50" as "05.432,1€", "2026" as "6202".
    accounts = ACCOUNTS.replace("Rent and charges", f'"Rent {RLO}segrahc"').replace(
        "Day-to-day fund", f'"{RLO}dnuf yaD"'
    )
    balances = "date,fund,balance\n2026-03-31,general,45943.28\n2026-01-31,commons,100.00\n"
    out = generated(tmp_path, accounts, files={"ledgers/balances.csv": balances})
    year = read(out, "finances/2026.md")
    words = html.unescape(year)
    # the flows chart's summary: 1,234.50 is the only expense, all of the year's spending
    assert (
        f"The largest expense was Rent {RLO}segrahc{PDF}: €1,234.50, 100% of the year's spending."
        in words
    )
    # the funds chart's summary: 25,000 + 22,177.78 − 1,234.50 = 45,943.28 in the general fund
    assert f"; {RLO}dnuf yaD{PDF} held the most: €45,943.28" in words
    # the hovers and legends, which plotly writes from the figure's data, not the template
    figures = [json.loads(html.unescape(f)) for f in re.findall(r'data-figure="([^"]*)"', year)]
    texts = json.dumps(figures, ensure_ascii=False)
    assert f"Rent {RLO}segrahc{PDF}" in texts and f"{RLO}dnuf yaD{PDF}" in texts
    for page in (words, texts):
        # every override is closed before the markup or the end of the text that follows it
        assert not re.search(f'{RLO}[^{PDF}<"]*[<"]', page)
