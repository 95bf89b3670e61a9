"""The pages "What we do" and "What we own together", and their key figures on the home page:
small books written inline, pages generated for real, every figure computed by hand."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from publisher.cooperative import check_cooperative
from publisher.site.build import build_site
from publisher.site.generate import generate_site
from tests.a11y import axe_violations, blocking_violations
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.sitetools import copy_example, serve_directory

MEASURES_HEADER = "date,measure,quantity,fund,note\n"
ASSETS_HEADER = "id,name,acquired,status,row,decision,note\n"

WITH_MEASURES = (
    ACCOUNTS.replace("rent: {kind: expense}", "rent: {kind: expense, label: Workshop rent}")
    + """\
measures:
  repairs: {label: Things repaired, unit: repairs, cost: [rent], reference_price: "35.00", reference_source: "Survey of repair shops, 2025"}
  courses: {label: Courses given, unit: courses, cost: [tools], reference_price: "5.00", reference_source: "Evening classes of the city"}
  loans: {label: Tools lent, unit: loans}
  members: {label: Members, unit: members, kind: level}
"""
)

LEDGER = LEDGER_HEADER + (
    "2026-01-01,Opening balance,5000.00,opening,,,,o-1,\n"
    "2026-02-01,Rent of the workshop,-1234.00,rent,,,,r-1,\n"
    "2026-03-02,Drill press,-640.00,tools,,,2026-02-drill,t-drill,\n"
    "2026-04-10,Course material,-120.00,tools,,,,t-course,\n"
)

MEASURES = MEASURES_HEADER + (
    "2026-01-20,repairs,70,,\n"
    "2026-03-14,repairs,50,,\n"
    "2026-03-31,courses,10,,\n"
    "2025-06-30,loans,40,,\n"
    "2026-05-31,loans,12.5,,\n"
    "2026-05-31,loans,2,,\n"
    "2026-03-28,members,35,,\n"
    "2026-06-28,members,38,,\n"
)

MINUTES = """\
---
title: General assembly
date: 2026-02-20
members: 20
present: 12
decisions:
  - id: 2026-02-drill
    motion: Buy a drill press for the workshop
    for: 10
    against: 1
    abstain: 1
    result: adopted
    amount: 700.00
    category: tools
  - id: 2026-02-gift
    motion: Accept the gift of a sewing machine
    for: 12
    against: 0
    abstain: 0
    result: adopted
---
"""

ASSETS = ASSETS_HEADER + (
    "drill,Drill press,2026-03-02,in use,t-drill,,Bolted to the bench\n"
    "sewing,Sewing machine,2026-02-25,lent,,2026-02-gift,Lent to the school\n"
)


def generated(tmp_path: Path, files: dict[str, str], accounts: str = WITH_MEASURES):
    """The books written into tmp_path/coop, checked, and the site generated into tmp_path/out."""
    root = write_coop(
        tmp_path / "coop",
        {"ledgers/2026.csv": LEDGER, "content/minutes/2026-02-20.md": MINUTES, **files},
        accounts,
    )
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert cooperative is not None and not [p for p in problems if p.is_error], problems
    out = tmp_path / "out"
    content = generate_site(cooperative, problems, None, tmp_path / "docs", out)
    return out, content


def text_of(markup: str) -> str:
    """What a reader reads: tags as spaces, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_the_activity_page_writes_out_the_cost_for_one_and_the_saving(tmp_path):
    out, _ = generated(tmp_path, {"ledgers/measures.csv": MEASURES})
    page = (out / "activity" / "index.md").read_text(encoding="utf-8")
    words = text_of(page)
    # Repairs: 70 + 50 = 120; rent 1234.00 ÷ 120 = 10.28333… (rounded, so "≈");
    # elsewhere 120 × 35.00 = 4200.00, minus 1234.00 = 2966.00 saved.
    assert "€1,234.00 spent on Workshop rent ÷ 120 repairs ≈ €10.28 for one." in words
    assert "Elsewhere: 120 × €35.00 = €4,200.00; €4,200.00 − €1,234.00 = €2,966.00 saved" in words
    # Courses: tools 640.00 + 120.00 = 760.00 ÷ 10 = 76.00 exactly ("="); elsewhere
    # 10 × 5.00 = 50.00, so here each cost more: 50.00 − 760.00 = −710.00.
    assert "€760.00 spent on tools ÷ 10 courses = €76.00 for one." in words
    assert "€50.00 − €760.00 = −€710.00: here it cost €710.00 more than elsewhere" in words
    # The cost categories open the year's ledger on their rows; the sources are cited.
    assert 'href="publisher:finances/2026.md?category=Workshop%20rent#ledger"' in page
    assert "<cite>Survey of repair shops, 2025</cite>" in page
    # Loans have no cost: a quantity by year, no arithmetic. 12.5 + 2 = 14.5 in 2026.
    loans = words[words.index("Tools lent") : words.index("Members")]
    assert "2026 (so far) 14.5" in loans and "2025 40" in loans and "spent on" not in loans
    # A level is its last count of the year: 38 members, not 35 + 38.
    assert "2026 (so far) 38" in words[words.index("## Members") :]


def test_each_measure_has_a_chart_by_month_with_its_numbers(tmp_path):
    out, content = generated(tmp_path, {"ledgers/measures.csv": MEASURES})
    charts = out / "data" / "charts"
    # February has no row: no bar, an empty cell, not a zero.
    assert (charts / "measure-repairs.csv").read_text(encoding="utf-8") == (
        "month,quantity\n2026-01,70\n2026-02,\n2026-03,50\n"
    )
    # The loans run from June 2025 to May 2026; the level keeps its last reading per month.
    loans = (charts / "measure-loans.csv").read_text(encoding="utf-8").splitlines()
    assert loans[1] == "2025-06,40" and loans[-1] == "2026-05,14.5" and len(loans) == 1 + 12
    # A level between two readings is not known: only the readings are listed.
    assert (charts / "measure-members.csv").read_text(encoding="utf-8") == (
        "month,quantity\n2026-03,35\n2026-06,38\n"
    )
    page = (out / "activity" / "index.md").read_text(encoding="utf-8")
    figure = re.search(r'id="chart-measure-members".*?data-figure="([^"]*)"', page, re.DOTALL)
    assert figure and '"type":"scatter"' in html.unescape(figure.group(1))
    summary = text_of(page)
    assert "In 2026 so far: 120 repairs. The busiest month was January 2026: 70 repairs." in summary
    assert "In 2026 so far: 14.5 loans, against 40 loans in 2025." in summary
    assert "At the last count of 2026: 38 members." in summary
    # In the nav right after Finances.
    sections = [next(iter(section)) for section in content.nav]
    assert sections[sections.index("Finances") + 1] == "What we do"


def test_the_commons_page_lists_each_asset_with_its_row_and_decision(tmp_path):
    out, content = generated(
        tmp_path,
        {"ledgers/assets.csv": ASSETS},
        ACCOUNTS,
    )
    page = (out / "commons" / "index.md").read_text(encoding="utf-8")
    drill = re.search(r'<tr id="asset-drill">.*?</tr>', page).group(0)
    # The cost of the row t-drill, linked to that row on the finance page of 2026.
    assert 'href="publisher:finances/2026.md?id=t-drill#ledger"' in drill
    assert 'data-sort-value="640.00"' in drill and "€640.00" in drill
    # The decision of the paying row, linked to the decision.
    assert 'href="publisher:decisions/index.md#decision-2026-02-drill"' in drill
    sewing = re.search(r'<tr id="asset-sewing">.*?</tr>', page).group(0)
    assert (
        ">gift<" in sewing and "decision-2026-02-gift" in sewing and "Lent to the school" in sewing
    )
    words = text_of(page)
    # Two assets, one a gift; 640.00 paid; both created in 2026 (the year of TODAY).
    assert "Assets 2 1 of them a gift" in words
    assert "What they cost €640.00" in words
    assert "Created in 2026 2 costing €640.00" in words
    assert 'class="publisher-commons publisher-sortable"' in page
    assert (out / "data" / "charts" / "commons-created.csv").read_text(encoding="utf-8") == (
        "year,assets\n2026,2\n"
    )
    assert {"What we own together": "commons/index.md"} in content.nav


def test_the_home_page_shows_the_latest_year_of_each_measure_and_the_assets_created(tmp_path):
    _, content = generated(
        tmp_path,
        {
            "ledgers/measures.csv": MEASURES,
            "ledgers/assets.csv": ASSETS,
        },
    )
    home = content.fragments["index.md"][1]
    words = text_of(home)
    assert "Things repaired 2026 120 repairs so far this year" in words
    assert "Tools lent 2026 14.5 loans" in words
    assert "Members 2026 38 members at the last count" in words
    assert "Collective assets created 2026 2 costing €640.00" in words
    assert 'href="publisher:activity/index.md"' in home
    assert 'href="publisher:commons/index.md"' in home


def test_a_cooperative_without_measures_or_assets_gets_no_page_and_no_nav_entry(tmp_path):
    out, content = generated(tmp_path, {}, ACCOUNTS)
    assert not (out / "activity").exists() and not (out / "commons").exists()
    entries = {key for section in content.nav for key in section}
    assert not {"What we do", "What we own together"} & entries
    home = content.fragments["index.md"][1]
    assert "activity/index.md" not in home and "commons/index.md" not in home
    assert "created" not in text_of(home)


HOSTILE = "<script>alert(1)</script>"


def test_hostile_labels_names_notes_and_sources_reach_the_site_as_text(tmp_path):
    accounts = (
        ACCOUNTS
        + f"""\
measures:
  repairs: {{label: "Repairs {HOSTILE} [x](javascript:alert(1))", unit: "<b>repairs</b>", cost: [rent], reference_price: "35.00", reference_source: "{HOSTILE}"}}
"""
    )
    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2026.csv": LEDGER,
            "ledgers/measures.csv": MEASURES_HEADER + "2026-01-20,repairs,70,,\n",
            "ledgers/assets.csv": ASSETS_HEADER
            + f'drill,"Drill {HOSTILE}",2026-03-02,in use,t-drill,,"Note {HOSTILE}"\n',
            "content/index.md": "# Home\n\n<!-- publisher:key-figures -->\n",
            "content/minutes/2026-02-20.md": MINUTES,
        },
        accounts,
    )
    result = build_site(root, tmp_path / "site", today=TODAY)
    assert result.site_dir is not None, [p.code for p in result.problems if p.is_error]
    for page in ("activity/index.html", "commons/index.html", "index.html"):
        markup = (tmp_path / "site" / page).read_text(encoding="utf-8")
        assert "<script>alert" not in markup, page
        assert "<b>repairs" not in markup, page
        assert 'href="javascript:' not in markup, page
    activity = (tmp_path / "site" / "activity" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in activity  # the source, cited as text
    commons = (tmp_path / "site" / "commons" / "index.html").read_text(encoding="utf-8")
    assert "Drill &lt;script&gt;" in commons and "Note &lt;script&gt;" in commons


def test_a_private_persons_name_in_an_asset_stops_the_build(tmp_path):
    ledger = LEDGER + "2026-05-03,Dues,20.00,dues,,Maria Lopez,,,\n"
    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2026.csv": ledger,
            "ledgers/assets.csv": ASSETS_HEADER
            + "drill,Drill press,2026-03-02,in use,t-drill,,Given back by Maria Lopez\n",
            "content/minutes/2026-02-20.md": MINUTES,
        },
    )
    result = build_site(root, tmp_path / "site", today=TODAY)
    assert result.site_dir is None
    assert ("ledgers/assets.csv", 2, "private-name-in-activity") in codes_at(result.problems)
    assert not (tmp_path / "site").exists()


def test_the_arithmetic_is_written_in_the_language_of_accounts_yml(tmp_path):
    out, _ = generated(
        tmp_path, {"ledgers/measures.csv": MEASURES}, WITH_MEASURES + "language: de\n"
    )
    words = text_of((out / "activity" / "index.md").read_text(encoding="utf-8"))
    nbsp = " "  # Babel's no-break space, which text_of reads as a space
    # The words in German too; the category's label and the unit are the treasurer's.
    assert (
        f"1.234,00{nbsp}€ ausgegeben für Workshop rent ÷ 120 repairs ≈ 10,28{nbsp}€ pro Einheit."
        in words
    )
    assert f"Anderswo: 120 × 35,00{nbsp}€ = 4.200,00{nbsp}€" in words
    assert "2026 (bisher) 14,5" in words  # 12.5 + 2 loans, with the decimal comma


def test_a_cost_for_one_below_ten_cents_keeps_its_digits(tmp_path):
    accounts = (
        ACCOUNTS + "measures:\n  kwh: {label: Electricity produced, unit: kWh, cost: [rent]}\n"
    )
    ledger_rent = "2026-02-01,Rent of the workshop,-1234.00,rent,,,,r-1,\n"
    files = {
        "ledgers/2026.csv": LEDGER.replace(
            ledger_rent, "2026-02-01,Meter rent,-3.50,rent,,,,r-1,\n"
        ),
        "ledgers/measures.csv": MEASURES_HEADER + "2026-03-31,kwh,1000,,\n",
    }
    out, _ = generated(tmp_path, files, accounts)
    words = text_of((out / "activity" / "index.md").read_text(encoding="utf-8"))
    # 3.50 ÷ 1000 = 0.0035 exactly: written with its digits, not as €0.00.
    assert "€3.50 spent on rent ÷ 1,000 kWh = €0.0035 for one." in words


RLO, PDF = "\u202e", "\u202c"


def test_a_right_to_left_override_in_a_label_unit_or_note_turns_around_only_its_own_letters(
    tmp_path,
):
    # Left open, the override in the label would show the home page's "Tools lent 2026" as
    # "…6202", and the one in the unit the chart's summary "against 40 loans in 2025" backwards.
    accounts = WITH_MEASURES.replace(
        "loans: {label: Tools lent, unit: loans}",
        f'loans: {{label: "Tools {RLO}tnel", unit: "{RLO}snaol"}}',
    )
    out, content = generated(
        tmp_path,
        {
            "ledgers/measures.csv": MEASURES.replace(
                "2026-05-31,loans,2,,", f"2026-05-31,loans,2,,{RLO}eton"
            ),
            "ledgers/assets.csv": ASSETS.replace("Drill press,", f"Drill {RLO}sserp,"),
        },
        accounts,
    )
    home = content.fragments["index.md"][1]
    assert f"Tools {RLO}tnel{PDF} 2026" in home
    assert f"14.5 {RLO}snaol{PDF}" in home
    activity = (out / "activity" / "index.md").read_text(encoding="utf-8")
    # the chart's summary, composed in Python around the unit
    assert f"In 2026 so far: 14.5 {RLO}snaol{PDF}, against 40 {RLO}snaol{PDF} in 2025." in activity
    commons = (out / "commons" / "index.md").read_text(encoding="utf-8")
    assert f"Drill {RLO}sserp{PDF}<" in commons
    for page in (home, activity, commons):
        # every override is closed before the markup that follows it
        assert not re.search(f"{RLO}[^{PDF}<]*<", page)


# -- In the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_url(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        build_site(root, site, site_url=url)
        yield url


#: The assets table as a reader sees it: the page and its box against the screen, and for each
#: cell shown its column's header, the label written before it, and where the label ends and the
#: value starts (from the cell's start edge).
COMMONS_LAYOUT = """() => {
  const table = document.querySelector('.publisher-commons');
  const box = table.closest('.publisher-scroll');
  const headers = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
  const cells = Array.from(table.querySelectorAll('tbody tr')).flatMap(tr => Array.from(tr.cells).map((td, column) => {
    const label = getComputedStyle(td, '::before'), style = getComputedStyle(td);
    const range = document.createRange(); range.selectNodeContents(td);
    const value = range.getBoundingClientRect(), cell = td.getBoundingClientRect();
    return {row: tr.id, header: headers[column], shown: cell.height > 0, empty: td.textContent.trim() === '',
      label: label.content, labelEnd: parseFloat(label.insetInlineStart) + parseFloat(label.width),
      valueStart: value.left - cell.left, padding: parseFloat(style.paddingInlineStart),
      display: style.display, right: Math.ceil(cell.right)};
  }));
  return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
    scheme: document.body.getAttribute('data-md-color-scheme'),
    boxScrolls: box.scrollWidth > box.clientWidth, headerShown: table.querySelector('thead').getBoundingClientRect().height > 1,
    cells};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_assets_table_stacks_into_labelled_rows_on_a_phone(browser, example_url, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(example_url + "commons/")
    page.wait_for_load_state("networkidle")
    layout = page.evaluate(COMMONS_LAYOUT)
    violations = blocking_violations(axe_violations(page))
    context.close()
    assert layout["scheme"] == ("slate" if scheme == "dark" else "default")
    assert layout["page"] <= layout["viewport"] and not layout["boxScrolls"], layout
    assert not layout["headerShown"]  # the headers are read by screen readers, not shown twice
    shown = [c for c in layout["cells"] if c["shown"]]
    # ledgers/assets.csv: 8 assets of 6 cells, 2 of them with a note; an empty note is left out
    assert len(layout["cells"]) == 48 and len(shown) == 42
    assert all(c["empty"] and c["header"] == "Note" for c in layout["cells"] if not c["shown"])
    for cell in shown:
        assert cell["display"] == "block", cell
        assert cell["label"] == f'"{cell["header"]}"', cell  # each value says its column
        # the label ends before the value starts, and nothing passes the screen's edge
        assert cell["labelEnd"] <= cell["padding"] <= cell["valueStart"] + 0.5, cell
        assert cell["right"] <= layout["viewport"], cell
    assert violations == []
    assert errors == []


def test_the_assets_table_stays_a_table_on_a_desktop(browser, example_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(example_url + "commons/")
    page.wait_for_load_state("networkidle")
    layout = page.evaluate(COMMONS_LAYOUT)
    context.close()
    assert layout["headerShown"] and not layout["boxScrolls"], layout
    assert {c["display"] for c in layout["cells"]} == {"table-cell"}
    assert all(c["label"] == "none" for c in layout["cells"])  # the header says it once
