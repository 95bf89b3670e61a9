"""The decisions and the charter in a real build of a small cooperative: meeting pages, the
decisions page, the charter's compliance, the home line, decisions.csv, the data package and
the decisions feed. Motions and a meeting title carry markup, which must arrive as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from publisher.site.build import build_site
from tests.conftest import LEDGER_HEADER, TODAY, write_coop
from tests.sitetools import site_text_files

ATOM = "{http://www.w3.org/2005/Atom}"
MEETING_PAGE = "minutes/2026-03-04-spring/index.html"

CHARTER = """\
---
title: Charter
rules:
  quorum: 0.5
  majority: simple
  spending_limit: 500
---

# Charter of the Test Workshop
"""

#: 6 of 10 present; 2026-01 adopted (300.00), 2026-02 rejected (4900.00 proposed), 2026-03
#: adopted (no amount).
MINUTES = """\
---
title: Spring <b>assembly</b> <script>alert(2)</script>
date: 2026-03-04
members: 10
present: 6
decisions:
  - id: 2026-01
    motion: Buy clamps <script>alert(1)</script>
    for: 5
    against: 1
    abstain: 0
    result: adopted
    amount: 300.00
    category: tools
  - id: 2026-02
    motion: A new sign <img src=x onerror=alert(1)>
    for: 1
    against: 4
    abstain: 1
    result: rejected
    amount: 4900.00
  - id: 2026-03
    motion: '=HYPERLINK("http://evil.example")'
    for: 6
    against: 0
    abstain: 0
    result: adopted
---

Notes of the meeting.
"""

#: Under 2026-01: 120.00 + 30.50 = 150.50 of 300.00. The rent of 600.00 cites no decision and
#: is above the limit of 500: the spending limit is breached in 2026.
LEDGER = LEDGER_HEADER + (
    "2026-01-05,Dues,1000.00,dues,,,,,\n"
    "2026-03-10,Clamps,-120.00,tools,,,2026-01,,\n"
    "2026-04-01,More clamps,-30.50,tools,,,2026-01,,\n"
    "2026-05-01,Rent of the hall,-600.00,rent,,,,,\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_coop(
        tmp_path_factory.mktemp("governance-site"),
        {
            "content/index.md": "# Home\n",
            "content/charter.md": CHARTER,
            "content/minutes/2026-03-04-spring.md": MINUTES,
            "ledgers/2026.csv": LEDGER,
        },
    )
    result = build_site(root, today=TODAY)
    assert {p.code for p in result.problems} == {"spending-limit-exceeded"}
    assert result.site_dir is not None
    return result.site_dir


def page(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def test_motions_arrive_as_text_never_as_markup(site):
    for relative in (MEETING_PAGE, "decisions/index.html"):
        text = page(site, relative)
        assert "Buy clamps &lt;script&gt;alert(1)&lt;/script&gt;" in text, relative
        assert "A new sign &lt;img src=x onerror=alert(1)&gt;" in text, relative
    for path, text in site_text_files(site):
        if path.suffix in {".html", ".xml"}:
            assert "<script>alert(1)" not in text, path
            assert "<img src=x" not in text, path


def test_the_decisions_page_escapes_the_meeting_title(site):
    text = page(site, "decisions/index.html")
    assert "Spring &lt;b&gt;assembly&lt;/b&gt; &lt;script&gt;alert(2)&lt;/script&gt;" in text


def test_the_meeting_title_is_never_live_markup(site):
    assert "Spring &lt;b&gt;assembly&lt;/b&gt;" in page(site, MEETING_PAGE)
    for path, text in site_text_files(site):
        if path.suffix in {".html", ".xml"}:
            assert "<script>alert(2)" not in text, path
            assert "<b>assembly</b>" not in text, path


def test_the_meeting_page_shows_votes_and_money(site):
    text = page(site, MEETING_PAGE)
    assert "6 of 10 members (60%)" in text
    assert "quorum of 50% met" in text
    for votes in (
        "5 for, 1 against, 0 abstaining",
        "1 for, 4 against, 1 abstaining",
        "6 for, 0 against, 0 abstaining",
    ):
        assert f'<span class="publisher-votes__text">{votes}</span>' in text
    assert "€300.00" in text and "€150.50" in text  # authorized, spent so far


def test_the_decisions_page_has_one_anchored_row_per_decision(site):
    text = page(site, "decisions/index.html")
    assert re.findall(r'<tr id="(decision-[^"]+)"', text) == [
        "decision-2026-01",
        "decision-2026-02",
        "decision-2026-03",
    ]
    row = re.search(r'<tr id="decision-2026-01">.*?</tr>', text, re.DOTALL).group(0)
    assert "€150.50" in row and "2 ledger rows" in row and "More clamps" in row
    assert "publisher-breach" not in text  # nothing spent beyond what was decided


def test_every_link_of_the_decisions_and_charter_pages_lands_on_a_page(site):
    broken = []
    for relative in ("decisions/index.html", "charter/index.html", MEETING_PAGE):
        for href in re.findall(r'href="([^"]+)"', page(site, relative)):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("#") or not parts.path:
                continue
            target = ((site / relative).parent / parts.path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((relative, href))
    assert broken == []


def test_decisions_csv_by_hand(site):
    text = page(site, "data/decisions.csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "id",
        "date",
        "meeting",
        "motion",
        "for",
        "against",
        "abstain",
        "result",
        "amount_proposed",
        "amount_authorized",
        "spent",
    ]
    title = "Spring <b>assembly</b> <script>alert(2)</script>"
    assert rows[1:] == [
        [
            "2026-01",
            "2026-03-04",
            title,
            "Buy clamps <script>alert(1)</script>",
            "5",
            "1",
            "0",
            "adopted",
            "300.00",
            "300.00",
            "150.50",
        ],
        [
            "2026-02",
            "2026-03-04",
            title,
            "A new sign <img src=x onerror=alert(1)>",
            "1",
            "4",
            "1",
            "rejected",
            "4900.00",
            "",
            "",
        ],
        [
            "2026-03",
            "2026-03-04",
            title,
            '\'=HYPERLINK("http://evil.example")',
            "6",
            "0",
            "0",
            "adopted",
            "",
            "",
            "0.00",
        ],
    ]


def test_the_data_package_describes_the_decisions(site):
    from frictionless import Package

    package = Package(str(site / "data/datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    decisions = package.get_resource("decisions")
    assert decisions.path == "decisions.csv"
    assert [f.name for f in decisions.schema.fields] == [
        "id",
        "date",
        "meeting",
        "motion",
        "for",
        "against",
        "abstain",
        "result",
        "amount_proposed",
        "amount_authorized",
        "spent",
    ]
    assert len(decisions.read_rows()) == 3


def feed(site: Path) -> ET.Element:
    return ET.fromstring(page(site, "decisions.xml"))


def test_the_decisions_feed_is_atom_with_one_entry_per_decision(site):
    root = feed(site)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    dt.datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    has_feed_author = root.find(f"{ATOM}author") is not None
    ids = set()
    decisions_page = page(site, "decisions/index.html")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        updated = dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert updated.tzinfo is not None
        assert has_feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        ids.add(entry.find(f"{ATOM}id").text)
        # no <content>: then an alternate link is required (RFC 4287, 4.1.2)
        assert entry.find(f"{ATOM}content") is None
        (alternate,) = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        page_path, anchor = alternate.get("href").split("#")
        assert page_path == "decisions/" and f'id="{anchor}"' in decisions_page
    assert len(ids) == 3
    titles = sorted(e.find(f"{ATOM}title").text for e in entries)
    assert (
        titles[0] == "Decision 2026-01 (adopted): Buy clamps <script>alert(1)</script>"
    )  # text, escaped in the XML


def test_the_feed_ids_are_iris(site):
    root = feed(site)
    for node in [root.find(f"{ATOM}id")] + root.findall(f"{ATOM}entry/{ATOM}id"):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", node.text), node.text


def test_the_charter_page_publishes_the_breach(site):
    text = page(site, "charter/index.html")
    table = re.search(r'<div class="publisher-compliance">.*?</table>', text, re.DOTALL).group(0)
    rows = {
        title: re.sub(r"<[^>]+>", "", cell)
        for title, cell in re.findall(
            r'<tr id="[^"]+"><th scope="row">([^<]+)</th><td[^>]*>(.*?)</td></tr>', table
        )
    }
    assert rows == {
        "Quorum at meetings": "✓ kept",
        "Decisions by the majority rule": "✓ kept",
        "Expenses above the limit decided by a meeting": "✗ breached",
        "Spending within what was decided": "✓ kept",
    }
    evidence = text[text.index("</table>", text.index("publisher-compliance")) :]
    assert "2026-05-01" in evidence and "Rent of the hall" in evidence and "-€600.00" in evidence


def test_the_home_page_sums_up_the_charter_this_year(site):
    text = page(site, "index.html")
    assert "In 2026, 3 rules of the charter kept, 1 breached." in text
    assert 'href="charter/#compliance"' in text


def _decision_rows(text: str, ident: str) -> list[str]:
    """The table rows of a page that show the decision `ident` (as its first cell or its link)."""
    return [
        row
        for row in re.findall(r"<tr[^>]*>.*?</tr>", text, re.DOTALL)
        if re.search(rf">{re.escape(ident)}</(td|a)>", row)
    ]


def test_a_rejected_decision_shows_its_amount_only_as_proposed(site):
    for relative in (MEETING_PAGE, "decisions/index.html"):
        (row,) = _decision_rows(page(site, relative), "2026-02")
        cells = [
            re.sub(r"<[^>]+>", "", cell)
            for cell in re.findall(
                r'<td class="publisher-amount[^"]*"[^>]*>(.*?)</td>', row, re.DOTALL
            )
        ]
        assert cells == ["Proposed €4,900.00 — not authorized", "—"], relative
    # Nowhere on the site is the rejected motion's amount shown as anything but proposed.
    texts = [(path, text) for path, text in site_text_files(site) if path.suffix == ".html"]
    search = json.loads(page(site, "search/search_index.json"))
    texts += [(f"search: {doc['location']}", doc["text"]) for doc in search["docs"]]
    assert any(
        "Proposed €4,900.00" in re.sub(r"<[^>]+>", "", doc["text"]) for doc in search["docs"]
    )
    for where, html_text in texts:
        text = re.sub(r"<[^>]+>", "", html_text)
        for match in re.finditer(r"4,900\.00", text):
            assert text[max(0, match.start() - 20) : match.start()].endswith("Proposed €"), where


def test_the_feed_does_not_call_a_rejected_amount_authorized(site):
    entries = {
        e.find(f"{ATOM}title").text.split(" ")[1]: e.find(f"{ATOM}summary").text
        for e in feed(site).findall(f"{ATOM}entry")
    }
    assert "authorizing" not in entries["2026-02"]
    assert "proposed €4,900.00, not authorized" in entries["2026-02"]
    assert "authorizing €300.00" in entries["2026-01"]


def test_decisions_csv_keeps_a_rejected_amount_only_as_proposed(site):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(page(site, "data/decisions.csv")))}
    assert (rows["2026-02"]["amount_proposed"], rows["2026-02"]["amount_authorized"]) == (
        "4900.00",
        "",
    )
    assert (rows["2026-01"]["amount_proposed"], rows["2026-01"]["amount_authorized"]) == (
        "300.00",
        "300.00",
    )


OVERSPENT_MINUTES = """\
---
date: 2026-02-01
members: 4
present: 4
decisions:
  - id: 2026-07
    motion: Sharpen the saws
    for: 4
    against: 0
    abstain: 0
    result: adopted
    amount: 100.00
  - id: 2026-08
    motion: Oil the lathe
    for: 4
    against: 0
    abstain: 0
    result: adopted
    amount: 100.00
---
"""


def test_an_overspent_decision_is_marked_alike_on_the_meeting_page_and_the_index(tmp_path):
    root = write_coop(
        tmp_path,
        {
            "content/index.md": "# Home\n",
            "content/minutes/2026-02-01.md": OVERSPENT_MINUTES,
            "ledgers/2026.csv": LEDGER_HEADER
            + "2026-01-05,Dues,1000.00,dues,,,,,\n"
            + "2026-02-10,Saw blades,-150.00,tools,,,2026-07,,\n"
            + "2026-02-11,Lathe oil,-40.00,tools,,,2026-08,,\n",
        },
    )
    result = build_site(root, today=TODAY)
    assert ("content/minutes/2026-02-01.md", 6, "decision-overspent") in {
        (p.path, p.line, p.code) for p in result.problems
    }
    site = result.site_dir
    cells = {}
    for relative in ("minutes/2026-02-01/index.html", "decisions/index.html"):
        text = page(site, relative)
        (over,) = _decision_rows(text, "2026-07")
        (within,) = _decision_rows(text, "2026-08")
        (cells[relative],) = re.findall(
            r'<td class="publisher-amount publisher-breach"[^>]*>.*?</td>', over, re.DOTALL
        )
        assert "⚠ €50.00 more than authorized" in cells[relative]
        assert "publisher-breach" not in within and "more than authorized" not in within
    assert len(set(cells.values())) == 1  # the same mark and text on both pages
