"""The pages about decisions and the charter as rendered from their templates: escaping, the
decisions table's markup, the home page's breached rule and its link, the feeds (advertised,
valid Atom, ids that do not change with the site's address); then the decisions index and a
meeting page of the example cooperative in Debian's chromium, on a phone and on a desktop.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from publisher.site.build import build_site
from tests.conftest import LEDGER_HEADER, TODAY, write_coop
from tests.sitetools import copy_example, serve_directory, site_text_files

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://books.example.org/workshop/"

CHARTER = """\
---
title: Charter
rules:
  quorum: 0.5
  majority: simple
  spending_limit: 500
  reinvestment:
    share: 0.25
    fund: commons
---

# Charter of the Test Workshop
"""

#: Motions that try to end the cell, the row or the raw HTML block (a blank line), or to look
#: like a template.
MINUTES = """\
---
title: Spring meeting
date: 2026-03-04
members: 10
present: 6
decisions:
  - id: 2026-01
    motion: "Buy clamps</td></tr><script>alert(1)</script>"
    for: 5
    against: 1
    abstain: 0
    result: adopted
    amount: 300.00
  - id: 2026-02
    motion: "A sign\\n\\n<img src=x onerror=alert(2)> {{ 7 * 7 }} {% raw %}"
    for: 1
    against: 4
    abstain: 1
    result: rejected
    amount: 4900.00
---
"""

#: The rent (600.00) is above the limit of 500 and cites no decision: the spending limit is
#: breached in 2026, with ledgers/2026.csv line 4 as the evidence.
LEDGER = LEDGER_HEADER + (
    "2026-01-05,Dues,1000.00,dues,,,,,\n"
    "2026-03-10,Clamps,-120.00,tools,,,2026-01,,\n"
    "2026-05-01,Rent of the hall,-600.00,rent,,,,r-1,\n"
)

STORY = """\
---
date: 2026-04-02
---

# The clamps have arrived

Twelve of them.
"""


def _write(root: Path) -> Path:
    return write_coop(
        root,
        {
            "content/index.md": "# Home\n\n<!-- publisher:key-figures -->\n",
            "content/charter.md": CHARTER,
            "content/minutes/2026-03-04-spring.md": MINUTES,
            "content/stories/posts/2026-04-02-clamps.md": STORY,
            "ledgers/2026.csv": LEDGER,
        },
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """The same books built twice: without a site URL (as the README builds) and with one."""
    built = {}
    for name, url in (("local", None), ("published", SITE_URL)):
        root = _write(tmp_path_factory.mktemp(name))
        result = build_site(root, today=TODAY, site_url=url)
        assert result.site_dir is not None, [p.message for p in result.problems]
        built[name] = result.site_dir
    return built


@pytest.fixture(scope="module")
def site(sites) -> Path:
    return sites["local"]


def read(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# -- Escaping -------------------------------------------------------------------------------------


def test_hostile_motions_are_text_on_every_governance_page(site):
    for relative in ("minutes/2026-03-04-spring/index.html", "decisions/index.html"):
        text = read(site, relative)
        assert "Buy clamps&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text, (
            relative
        )
        # the blank line of the motion does not end the raw HTML block: the rest stays in its cell
        assert "A sign  &lt;img src=x onerror=alert(2)&gt; {{ 7 * 7 }} {% raw %}" in text, relative
        assert "49" not in strip_tags(text).split("A sign", 1)[1][:40], relative
    for path, text in site_text_files(site):
        if path.suffix in {".html", ".xml"}:
            assert "<script>alert(1)" not in text and "<img src=x" not in text, path


def test_each_decision_row_keeps_its_cells_whatever_the_motion(site):
    text = read(site, "decisions/index.html")
    rows = re.findall(r'<tr id="decision-[^"]+">(.*?)</tr>', text, re.DOTALL)
    assert len(rows) == 2
    for row in rows:
        labels = re.findall(r'<td [^>]*data-label="([^"]+)"', row)
        assert labels == ["Id", "Date", "Motion", "Votes", "Result", "Authorized", "Spent so far"]


# -- The decisions table --------------------------------------------------------------------------


def test_the_decisions_table_has_named_sortable_headers(site):
    text = read(site, "decisions/index.html")
    (table,) = re.findall(r'<table class="([^"]*)"><thead><tr>(.*?)</tr></thead>', text, re.DOTALL)
    classes, head = table
    assert "publisher-sortable" in classes.split()
    headers = re.findall(r"<th([^>]*)>(.*?)</th>", head)
    assert all(strip_tags(label).strip() for _, label in headers)  # no empty header
    sorts = {
        strip_tags(label): re.search(r'data-sort="([^"]+)"', attrs) for attrs, label in headers
    }
    assert {label: m.group(1) for label, m in sorts.items() if m} == {
        "Id": "text",
        "Date": "date",
        "Motion and meeting": "text",
        "Result": "text",
        "Authorized": "amount",
        "Spent so far": "amount",
    }


def test_amount_cells_carry_their_exact_value_and_the_shown_one(site):
    text = read(site, "decisions/index.html")
    row = re.search(r'<tr id="decision-2026-01">.*?</tr>', text, re.DOTALL).group(0)
    cells = re.findall(
        r'<td class="publisher-amount[^"]*" data-label="([^"]+)" data-value="([^"]*)">(.*?)</td>',
        row,
    )
    assert [(label, value, strip_tags(shown)) for label, value, shown in cells] == [
        ("Authorized", "300.00", "€300.00"),
        ("Spent so far", "120.00", "€120.00"),
    ]
    # A rejected motion's amount was never authorized: no value to sort it among authorized ones.
    row = re.search(r'<tr id="decision-2026-02">.*?</tr>', text, re.DOTALL).group(0)
    assert re.findall(r'data-label="Authorized" data-value="([^"]*)"', row) == [""]


def test_every_sortable_cell_says_the_value_it_sorts_on(site):
    text = read(site, "decisions/index.html")
    row = re.search(r'<tr id="decision-2026-01">.*?</tr>', text, re.DOTALL).group(0)
    values = {
        label: html.unescape(value)
        for label, value in re.findall(r'data-label="([^"]+)" data-value="([^"]*)"', row)
    }
    assert values == {
        "Id": "2026-01",
        "Date": "2026-03-04",
        "Motion": "Buy clamps</td></tr><script>alert(1)</script>",  # the motion alone, as text
        "Result": "adopted",
        "Authorized": "300.00",
        "Spent so far": "120.00",
    }


def test_the_meeting_table_has_no_empty_header(site):
    text = read(site, "minutes/2026-03-04-spring/index.html")
    head = re.search(
        r'<table class="publisher-decisions[^"]*"><thead><tr>(.*?)</tr></thead>', text, re.DOTALL
    ).group(1)
    labels = [strip_tags(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    assert labels == ["Decision", "Motion", "Votes", "Result", "Authorized", "Spent so far"]


# -- The charter on the home page -----------------------------------------------------------------


def test_the_home_page_names_the_breached_rule_and_links_to_its_evidence(site):
    home = read(site, "index.html")
    box = re.search(r'<div class="publisher-home-charter">.*?</div>', home, re.DOTALL).group(0)
    assert "In 2026, 3 rules of the charter kept, 1 breached, 1 still pending." in strip_tags(box)
    (breach,) = re.findall(r"<li>(.*?)</li>", box, re.DOTALL)
    # a word and a sign, not only a colour, say that it is a breach
    assert strip_tags(breach).startswith(
        "✗ Breached: Expenses above the limit decided by a meeting"
    )
    assert "1 expense above €500.00 without a decision" in strip_tags(breach)
    (href,) = re.findall(r'href="([^"]+)"', breach)
    page, anchor = href.split("#")
    assert page == "charter/" and anchor == "compliance-spending-limit-2026"
    charter = read(site, "charter/index.html")
    evidence = re.search(rf'<h3 id="{anchor}">(.*?)</h3>(.*?)(?=<h3|</div>)', charter, re.DOTALL)
    assert (
        strip_tags(evidence.group(1))
        == "Expenses above the limit decided by a meeting, 2026: breached"
    )
    # ledgers/2026.csv line 4, the rent that no meeting decided
    assert "Rent of the hall" in evidence.group(2) and "-€600.00" in evidence.group(2)
    assert 'href="../finances/2026/?id=r-1"' in evidence.group(2)


def test_the_charter_table_links_each_breach_to_its_evidence(site):
    charter = read(site, "charter/index.html")
    row = re.search(r'<tr id="compliance-spending-limit">(.*?)</tr>', charter, re.DOTALL).group(1)
    assert '<a href="#compliance-spending-limit-2026">✗ breached</a>' in row
    assert 'title="1 expense above €500.00 without a decision"' in row


def test_the_self_government_page_names_the_fund_by_its_label(site):
    text = strip_tags(read(site, "self-government/index.html"))
    assert (
        "What moved into the fund “Common fund” by 31 March" in text
    )  # tests/conftest.py ACCOUNTS
    assert "“commons”" not in text


# -- Feeds ----------------------------------------------------------------------------------------


def feed_ids(site: Path, relative: str) -> tuple[str, list[tuple[str, str]]]:
    root = ET.fromstring(read(site, relative))
    entries = [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}id").text)
        for e in root.findall(f"{ATOM}entry")
    ]
    return root.find(f"{ATOM}id").text, entries


@pytest.mark.parametrize("relative", ["decisions.xml", "feed.xml"])
def test_feed_ids_do_not_change_with_the_site_url(sites, relative):
    local, published = feed_ids(sites["local"], relative), feed_ids(sites["published"], relative)
    assert local == published
    feed_id, entries = local
    assert entries
    for ident in [feed_id] + [i for _, i in entries]:
        assert re.fullmatch(
            r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ident
        ), ident
        assert "books.example.org" not in ident
    # ... while the links follow the site's address
    links = ET.fromstring(read(sites["published"], relative)).findall(f"{ATOM}entry/{ATOM}link")
    assert links and all(link.get("href").startswith(SITE_URL) for link in links)


def test_decision_ids_come_from_the_cooperative_and_the_decision(tmp_path):
    from publisher.site.feed import entry_id

    assert entry_id("Test Workshop", "decision", "2026-01") == entry_id(
        "Test Workshop", "decision", "2026-01"
    )
    others = {
        entry_id("Test Workshop", "decision", "2026-02"),
        entry_id("Other Workshop", "decision", "2026-01"),
        entry_id("Test Workshop", "story", "2026-01"),
    }
    assert entry_id("Test Workshop", "decision", "2026-01") not in others and len(others) == 3


def assert_valid_atom(text: str) -> None:
    """The requirements of RFC 4287 a feed of the publisher could miss (section numbers)."""
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, (parent.tag, name)
        return found[0]

    def iri(value: str | None) -> None:  # 4.2.6: an absolute IRI
        assert value and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", value), value

    def date(value: str | None) -> None:  # 3.3: RFC 3339, with a time zone
        assert value and re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value
        ), value

    iri(one(root, "id").text)
    assert one(root, "title").text
    date(one(root, "updated").text)
    assert [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    feed_author = root.find(f"{ATOM}author") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        ids.append(one(entry, "id").text)
        iri(ids[-1])
        assert one(entry, "title").text
        date(one(entry, "updated").text)
        date(one(entry, "published").text)
        authors = entry.findall(f"{ATOM}author")
        assert feed_author or authors  # 4.1.1
        assert all(
            a.find(f"{ATOM}name") is not None and a.find(f"{ATOM}name").text for a in authors
        )
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert entry.find(f"{ATOM}content") is not None or len(alternates) == 1  # 4.1.2
        assert all(link.get("href") for link in entry.findall(f"{ATOM}link"))
        for category in entry.findall(f"{ATOM}category"):
            assert category.get("term")
    assert len(ids) == len(set(ids))  # 4.1.1: no two entries share an id


@pytest.mark.parametrize("name", ["local", "published"])
@pytest.mark.parametrize("relative", ["decisions.xml", "feed.xml"])
def test_the_feeds_are_valid_atom(sites, name, relative):
    text = read(sites[name], relative)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert_valid_atom(text)
    dt.datetime.fromisoformat(ET.fromstring(text).find(f"{ATOM}updated").text)


def test_every_page_advertises_the_feeds_in_its_head(site):
    for relative in (
        "index.html",
        "decisions/index.html",
        "minutes/2026-03-04-spring/index.html",
        "charter/index.html",
    ):
        head = read(site, relative).split("</head>", 1)[0]
        alternates = dict(
            re.findall(
                r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">',
                head,
            )
        )
        assert set(alternates) == {"Stories", "Decisions"}, relative
        target = ((site / relative).parent / urlsplit(alternates["Decisions"]).path).resolve()
        assert target == (site / "decisions.xml").resolve(), relative


def test_the_decisions_index_shows_a_link_to_its_feed(site):
    text = read(site, "decisions/index.html")
    body = text.split("<article", 1)[1]
    links = re.findall(r'<a href="([^"]+)" type="application/atom\+xml">([^<]+)</a>', body)
    assert [href for href, _ in links] == ["../decisions.xml"]
    assert "feed" in links[0][1].lower()


def test_a_site_without_minutes_advertises_no_decisions_feed(tmp_path):
    root = write_coop(
        tmp_path,
        {
            "content/index.md": "# Home\n",
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,10.00,dues,,,,,\n",
        },
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is not None
    assert not (result.site_dir / "decisions.xml").exists()
    assert "application/atom+xml" not in read(result.site_dir, "index.html")


# -- In the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_url(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        build_site(root, site, site_url=url)
        yield url


#: What the tests measure of a decisions table: the page's width, each table against its box,
#: and how many lines each id, date and motion takes.
LAYOUT = """() => {
  const lines = node => { const range = document.createRange(); range.selectNodeContents(node);
    return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size; };
  const tables = Array.from(document.querySelectorAll('.publisher-decisions'));
  return {
    page: document.documentElement.scrollWidth, viewport: window.innerWidth,
    scheme: document.body.getAttribute('data-md-color-scheme'),
    tables: tables.map(t => ({width: Math.ceil(t.getBoundingClientRect().width), box: t.parentElement.clientWidth,
      stacked: getComputedStyle(t.querySelector('tbody td')).display === 'block'})),
    ids: Array.from(document.querySelectorAll('.publisher-decisions__id')).map(lines),
    dates: Array.from(document.querySelectorAll('.publisher-decisions__date time')).map(lines),
    motions: Array.from(document.querySelectorAll('.publisher-decisions__motion')).filter(n => n.tagName === 'TD')
      .map(td => Math.round(td.getBoundingClientRect().width)),
    // stacked cells whose label runs into their value (the label ends past the value's start)
    overlapping: Array.from(document.querySelectorAll('.publisher-decisions tbody td')).filter(td => {
      const label = getComputedStyle(td, '::before');
      if (getComputedStyle(td).display !== 'block' || label.content === 'none') return false;
      const range = document.createRange(); range.selectNodeContents(td);
      const start = range.getBoundingClientRect().left - td.getBoundingClientRect().left;
      return parseFloat(label.insetInlineStart) + parseFloat(label.width) > start + 0.5;
    }).map(td => td.dataset.label + ': ' + td.textContent.trim().slice(0, 20)),
  };
}"""


def _set_palette(page, scheme: str) -> None:
    """Switch Material's palette with its own toggle until the page shows `scheme`."""
    for _ in range(3):
        if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme:
            return
        page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("path", ["decisions/", "minutes/2026-03-07-annual-general-assembly/"])
def test_decision_tables_fit_the_screen(browser, example_url, path, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 844 if width == 390 else 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(example_url + path)
    page.wait_for_load_state("networkidle")
    _set_palette(page, scheme)
    layout = page.evaluate(LAYOUT)
    context.close()
    assert layout["page"] <= layout["viewport"], layout  # no sideways scroll
    assert layout["tables"] and all(t["width"] <= t["box"] + 1 for t in layout["tables"]), layout
    # content/minutes/: ids such as "2026-04" and dates never break over two lines
    assert layout["ids"] and set(layout["ids"]) == {1}, layout
    if path == "decisions/":
        assert layout["dates"] and set(layout["dates"]) == {1}, layout
    if width == 390:
        assert all(t["stacked"] for t in layout["tables"]), layout  # one block per decision
        assert layout["overlapping"] == [], layout  # each label beside its value, not over it
        assert min(layout["motions"]) >= 300, layout
    else:
        assert not any(t["stacked"] for t in layout["tables"]), layout
        assert min(layout["motions"]) >= 180, layout  # the motion is not squeezed into ~70 px
    assert errors == []


def test_the_filter_hides_decisions_on_a_phone_too(browser, example_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(example_url + "decisions/")
    page.wait_for_selector(".publisher-filterable[data-ready='true']", timeout=20_000)
    page.fill(".publisher-table-filter", "dust extraction")
    # content/minutes/2026-06-13-summer-meeting.md: only 2026-04 is about the dust extraction
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('.publisher-decisions tbody tr'))"
        ".filter(tr => tr.getBoundingClientRect().height > 0).map(tr => tr.id)"
    )
    context.close()
    assert shown == ["decision-2026-04"]


@pytest.mark.parametrize("width", [390, 1366])
def test_a_jump_to_a_decision_lands_below_the_header(browser, example_url, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width == 390 else 900})
    page = context.new_page()
    page.goto(example_url + "decisions/")
    page.wait_for_selector(".publisher-filterable[data-ready='true']", timeout=20_000)
    # content/minutes/2025-06-14-summer-meeting.md: 2025-05, far down the index
    page.evaluate("document.getElementById('decision-2025-05').scrollIntoView()")
    place = page.evaluate(
        "({row: document.getElementById('decision-2025-05').getBoundingClientRect().top,"
        " header: document.querySelector('.md-header').getBoundingClientRect().bottom})"
    )
    context.close()
    assert place["row"] >= place["header"] - 1, place  # not hidden under the sticky header
