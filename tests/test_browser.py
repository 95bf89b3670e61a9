"""The built example site in a real headless Chromium (Debian's), served on localhost."""

from __future__ import annotations

import re
import time

from urllib.parse import urlsplit

import pytest

from publisher.site.build import build_site
from publisher.site.generate import PLOTLY_FILE
from tests.firstvisit import draw_every_chart
from tests.sitetools import copy_example, serve_directory

CHART_DRAWN = (
    "document.querySelectorAll('.publisher-chart__plot').length > 0 && "
    "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true')"
)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        # Built once the address is known: instant navigation needs the site's URL.
        result = build_site(root, site, site_url=url)
        assert result.site_dir == site.resolve()
        yield url


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records console errors, page errors and every request's URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.requests = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def charts_on(page) -> list[dict]:
    return page.evaluate(
        """Array.from(document.querySelectorAll('.publisher-chart__plot')).map(n => ({
            drawn: n.dataset.drawn, theme: n.dataset.theme,
            svg: n.querySelectorAll('svg.main-svg').length,
            font: n._fullLayout ? n._fullLayout.font.color : null}))"""
    )


def other_hosts(page, site_url) -> set[str]:
    local = urlsplit(site_url).netloc
    return {
        urlsplit(u).netloc for u in page.requests if urlsplit(u).scheme in ("http", "https")
    } - {local}


@pytest.mark.parametrize("path", ["", "finances/", "finances/2025/"])
def test_pages_load_without_errors_and_every_chart_draws(page, site_url, path):
    page.goto(site_url + path)
    if path:
        draw_every_chart(page)
        page.wait_for_function(CHART_DRAWN, timeout=20_000)
        charts = charts_on(page)
        assert charts and all(c["svg"] > 0 for c in charts), charts
    else:
        page.wait_for_load_state("networkidle")
        assert page.locator(".publisher-figure").count() >= 3
    assert page.errors == []
    assert other_hosts(page, site_url) == set()


def test_the_plotly_bundle_is_loaded_only_on_pages_with_charts(page, site_url):
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.requests if "plotly-" in u]
    page.goto(site_url + "finances/2025/")
    draw_every_chart(page)
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    assert len([u for u in page.requests if "plotly-" in u]) == 1


def test_dark_mode_rethemes_the_charts(page, site_url):
    page.goto(site_url + "finances/2025/")
    draw_every_chart(page)
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    before = charts_on(page)
    assert {c["theme"] for c in before} == {"light"}
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.theme === 'dark')",
        timeout=10_000,
    )
    after = charts_on(page)
    assert {c["font"] for c in after} != {c["font"] for c in before}
    assert page.errors == []


def test_instant_navigation_still_draws_the_charts_and_loads_plotly_once(page, site_url):
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.locator(".md-tabs a", has_text="Finances").first.click()
    page.wait_for_url("**/finances/")
    page.wait_for_selector(".publisher-chart__plot[data-drawn='true']", timeout=20_000)
    draw_every_chart(page)
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page"
    page.locator(".md-nav a", has_text="2025").first.click()
    page.wait_for_url("**/finances/2025/")
    page.wait_for_selector(
        "#chart-budget-2025 .publisher-chart__plot[data-drawn='true']", timeout=20_000
    )
    draw_every_chart(page)
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    assert page.evaluate("window.__sameDocument === true")
    assert len([u for u in page.requests if "plotly-" in u]) == 1
    assert page.errors == []
    assert other_hosts(page, site_url) == set()


# -- Charts drawn as they come near the viewport ----------------------------------------------

#: (chart id, what data-drawn said) each time a chart of the page finished drawing, in order.
RECORD_DRAWN_ORDER = (
    "window.__drawnOrder = []; new MutationObserver(records => records.forEach(r => {"
    " if (r.target.dataset.drawn === 'true') window.__drawnOrder.push(r.target.closest('[id]').id); }))"
    ".observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn']});"
)
#: Nothing is waiting to be drawn: every chart near the viewport has drawn.
QUEUE_EMPTY = (
    "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
    ".every(n => !['queued', 'pending'].includes(n.dataset.drawn))"
)


def chart_state(page, chart_id: str) -> dict:
    return page.evaluate(
        """id => { const n = document.querySelector('#' + id + ' .publisher-chart__plot');
            return {drawn: n.dataset.drawn || null, theme: n.dataset.theme || null,
                    svg: n.querySelectorAll('svg.main-svg').length,
                    font: n._fullLayout ? n._fullLayout.font.color : null,
                    rows: n.closest('.publisher-chart').querySelectorAll('details tbody tr').length}; }""",
        chart_id,
    )


def test_a_chart_far_below_the_first_screen_is_drawn_only_when_scrolled_near(page, site_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(RECORD_DRAWN_ORDER)
    page.goto(site_url + "finances/2025/")
    page.wait_for_selector(
        "#chart-budget-2025 .publisher-chart__plot[data-drawn='true']", timeout=20_000
    )
    page.wait_for_function(QUEUE_EMPTY, timeout=20_000)
    page.wait_for_load_state("networkidle")
    # The budget is the chart of the first screen: drawn first. The fund balances, four
    # screens further down, are not drawn; their numbers are in the page all the same.
    assert page.evaluate("window.__drawnOrder")[0] == "chart-budget-2025"
    far = chart_state(page, "chart-fund-balances-2025")
    assert far["drawn"] is None and far["svg"] == 0
    assert far["rows"] == 12  # ledgers/2025.csv: one row per month
    page.locator("#chart-fund-balances-2025").scroll_into_view_if_needed()
    page.wait_for_selector(
        "#chart-fund-balances-2025 .publisher-chart__plot[data-drawn='true']", timeout=20_000
    )
    assert chart_state(page, "chart-fund-balances-2025")["svg"] > 0
    assert page.errors == []


def test_a_chart_drawn_after_the_switch_to_dark_is_drawn_dark(page, site_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "finances/2025/")
    page.wait_for_selector(
        "#chart-budget-2025 .publisher-chart__plot[data-drawn='true']", timeout=20_000
    )
    page.wait_for_function(QUEUE_EMPTY, timeout=20_000)
    light = chart_state(page, "chart-budget-2025")
    assert chart_state(page, "chart-fund-balances-2025")["drawn"] is None
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(
        "document.querySelector('#chart-budget-2025 .publisher-chart__plot').dataset.theme === 'dark'",
        timeout=10_000,
    )
    page.locator("#chart-fund-balances-2025").scroll_into_view_if_needed()
    page.wait_for_selector(
        "#chart-fund-balances-2025 .publisher-chart__plot[data-drawn='true']", timeout=20_000
    )
    dark, late = (
        chart_state(page, "chart-budget-2025"),
        chart_state(page, "chart-fund-balances-2025"),
    )
    assert late["theme"] == "dark" and late["font"] == dark["font"] != light["font"]
    assert page.errors == []


def test_a_chart_that_cannot_be_drawn_says_so_and_the_next_one_is_drawn(page, site_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "finances/2025/")
    page.wait_for_function(
        QUEUE_EMPTY + " && document.querySelector('.publisher-chart__plot[data-drawn]')",
        timeout=20_000,
    )
    assert chart_state(page, "chart-flows-2025")["drawn"] is None
    assert chart_state(page, "chart-fund-balances-2025")["drawn"] is None
    # A figure plotly cannot read (here broken in the page, as a hostile page part could).
    page.evaluate(
        "document.querySelector('#chart-flows-2025 .publisher-chart__plot').dataset.figure = '{'"
    )
    waits = dict(draw_every_chart(page))
    assert "chart-fund-balances-2025" in waits
    broken = page.locator("#chart-flows-2025 .publisher-chart__plot")
    assert broken.get_attribute("data-drawn") == "failed"
    assert "numbers are in the table below" in broken.inner_text()
    assert chart_state(page, "chart-fund-balances-2025")["svg"] > 0
    assert page.errors == []


def test_the_ledger_is_laid_out_after_the_charts_of_the_first_screen(page, site_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(
        "window.__done = []; new MutationObserver(records => records.forEach(r => {"
        " const n = r.target; if (n.dataset.drawn === 'true' || n.dataset.ready === 'true')"
        " window.__done.push(n.closest('[id]') ? n.closest('[id]').id : n.className); }))"
        ".observe(document, {subtree: true, attributes: true,"
        " attributeFilter: ['data-drawn', 'data-ready']});"
    )
    # The chart code arrives late (a slow network): the ledger's rows, which arrive first, wait.
    page.route(f"**/{PLOTLY_FILE}", lambda route: (time.sleep(1.5), route.continue_()))
    page.goto(site_url + "finances/2025/")
    page.wait_for_selector(".publisher-ledger[data-ready='true']", timeout=20_000)
    done = page.evaluate("window.__done")
    assert done.index("chart-budget-2025") < done.index("publisher-ledger")
    assert page.errors == []


def test_only_pages_with_charts_preload_the_chart_code(page, site_url):
    page.goto(site_url + "finances/2025/")
    preload = page.locator("head link[rel='preload'][as='script']")
    assert preload.count() == 1
    assert preload.evaluate("l => l.href") == site_url + f"assets/publisher/{PLOTLY_FILE}"
    draw_every_chart(page)
    # The preloaded file is the one publisher.js runs: fetched once, without a warning.
    assert len([u for u in page.requests if PLOTLY_FILE in u]) == 1
    page.goto(site_url)
    assert page.locator("head link[rel='preload']").count() == 0


def test_the_ledger_table_loads_filters_and_sorts(page, site_url):
    page.goto(site_url + "finances/2025/")
    page.wait_for_selector(".publisher-ledger[data-ready='true']", timeout=20_000)
    rows = page.locator(".publisher-ledger__table tbody tr")
    assert rows.count() == 50  # one page of a year with more rows than that
    page.fill(".publisher-ledger__filter", "laser cutter")
    texts = rows.all_inner_texts()
    assert texts and all("laser cutter" in t.lower() for t in texts)
    page.fill(".publisher-ledger__filter", "")
    page.locator(".publisher-ledger__sort", has_text="Amount").click()
    amounts = page.locator(
        ".publisher-ledger__table tbody tr td.publisher-amount"
    ).all_inner_texts()
    # Shown in the site's money format ("-€7,480.00"): its digits and sign are the minor units.
    as_minor = [int(re.sub(r"[^0-9-]", "", a)) for a in amounts]
    assert as_minor == sorted(as_minor)
    assert page.errors == []


# -- Decisions and minutes ------------------------------------------------------------------------

LEDGER_READY = ".publisher-ledger[data-ready='true']"
LEDGER_ROWS = ".publisher-ledger__table tbody tr"


def test_a_meeting_page_shows_the_votes_as_bars_and_numbers(page, site_url):
    page.goto(site_url + "minutes/2026-06-13-summer-meeting/")
    page.wait_for_load_state("networkidle")
    # content/minutes/2026-06-13-summer-meeting.md: 2026-04 (10, 1, 1) and 2026-05 (12, 0, 0)
    assert page.locator(".publisher-votes__text").all_inner_texts() == [
        "10 for, 1 against, 1 abstaining",
        "12 for, 0 against, 0 abstaining",
    ]
    bar = page.locator(".publisher-votes").first
    assert bar.get_attribute("aria-label") == "10 for, 1 against, 1 abstaining"
    widths = {
        kind: bar.locator(f".publisher-votes__{kind}").bounding_box()["width"]
        for kind in ("for", "against", "abstain")
    }
    assert widths["for"] > 5 * widths["against"] > 0  # drawn to scale, 10 to 1
    assert page.locator("text=12 of 21 members").count() == 1
    assert page.errors == []


def test_the_decisions_index_filters_its_rows(page, site_url):
    page.goto(site_url + "decisions/")
    page.wait_for_selector(".publisher-filterable[data-ready='true']", timeout=20_000)
    rows = page.locator(".publisher-filterable tbody tr")
    ids = [rows.nth(i).get_attribute("id") for i in range(rows.count())]
    assert len(ids) == 20 and len(set(ids)) == 20  # every decision of content/minutes/, once
    assert all(ident.startswith("decision-20") for ident in ids)
    page.fill(".publisher-table-filter", "dust extraction")
    visible = page.locator(".publisher-filterable tbody tr:not([hidden])")
    shown = [visible.nth(i).get_attribute("id") for i in range(visible.count())]
    assert shown == ["decision-2026-04"]
    page.fill(".publisher-table-filter", "")
    assert page.locator(".publisher-filterable tbody tr:not([hidden])").count() == 20
    assert page.errors == []


def test_a_ledger_rows_decision_link_lands_on_the_decision(page, site_url):
    page.goto(site_url + "finances/2026/")
    page.wait_for_selector(LEDGER_READY, timeout=20_000)
    page.fill(".publisher-ledger__filter", "dust extraction system")
    link = page.locator(f"{LEDGER_ROWS} a", has_text="2026-04")
    assert link.count() == 1
    assert link.evaluate("a => a.href") == site_url + "decisions/#decision-2026-04"
    link.click()
    page.wait_for_url("**/decisions/#decision-2026-04", timeout=10_000)
    target = page.locator("#decision-2026-04")
    target.wait_for()
    assert "dust extraction system" in target.inner_text().lower()
    page.wait_for_function(
        "(() => { const r = document.getElementById('decision-2026-04').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; })()",
        timeout=10_000,
    )
    assert page.errors == []


def test_a_year_page_shows_only_the_rows_of_one_decision(page, site_url):
    page.goto(site_url + "finances/2026/?decision=2026-04")
    page.wait_for_selector(LEDGER_READY, timeout=20_000)
    rows = page.locator(LEDGER_ROWS)
    # ledgers/2026.csv: the dust extraction (2026-07-14) and its follow-up invoice (2026-11-12)
    assert rows.count() == 2
    texts = rows.all_inner_texts()
    assert any("Dust extraction system for the wood shop" in t for t in texts)
    assert any("extra ducting and blast gate" in t for t in texts)
    assert page.locator(f"{LEDGER_ROWS} a").all_inner_texts() == ["2026-04", "2026-04"]
    assert "2026-04" in page.locator(".publisher-ledger__exact").inner_text()
    page.locator(".publisher-ledger__exact button").click()
    assert rows.count() == 50  # every row again, one page of them
    assert page.errors == []


# -- Layout of the tables the recent changes widened ----------------------------------------------

TABLE_BOXES_FIT = """Array.from(document.querySelectorAll('.publisher-filterable, .publisher-meeting')).map(box => ({
    fits: box.scrollWidth <= box.clientWidth + 1, scrolls: getComputedStyle(box).overflowX === 'auto'}))"""


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("path", ["decisions/", "minutes/2026-03-07-annual-general-assembly/"])
def test_decision_tables_stay_inside_their_box(page, site_url, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    boxes = page.evaluate(TABLE_BOXES_FIT)
    # A table wider than the text column scrolls inside its box, never over the margins or the page.
    assert boxes and all(b["fits"] or b["scrolls"] for b in boxes), boxes
    id_lines = page.evaluate("""Array.from(document.querySelectorAll('.publisher-decisions tbody td:first-child')).map(td => {
        const range = document.createRange(); range.selectNodeContents(td);
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; })""")
    assert id_lines and set(id_lines) == {1}  # "2026-04", not "2026-" over "04"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.errors == []


def test_a_decision_with_one_ledger_row_says_row(page, site_url):
    page.goto(site_url + "decisions/")
    # content/minutes/2026-03-07-annual-general-assembly.md: 2026-02, paid by one row of ledgers/2026.csv
    assert page.locator("#decision-2026-02 summary").inner_text() == "1 ledger row"
    assert page.locator("#decision-2026-04 summary").inner_text() == "2 ledger rows"


LINES_OF_COLUMN = """index => Array.from(document.querySelectorAll('.publisher-ledger__table tbody tr')).map(tr => {
    const range = document.createRange(); range.selectNodeContents(tr.children[index]);
    return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; })"""


@pytest.mark.parametrize("width", [390, 1366])
def test_ledger_dates_and_ids_stay_on_one_line(page, site_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + "finances/2026/")
    page.wait_for_selector(LEDGER_READY, timeout=20_000)
    keys = page.evaluate(
        "Array.from(document.querySelectorAll('.publisher-ledger__table thead th')).map(th => th.innerText)"
    )
    for label in ("Date", "Id"):
        assert set(page.evaluate(LINES_OF_COLUMN, keys.index(label))) == {1}, label
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_ledgers_reconciled_column_sorts_and_filters(page, site_url):
    page.goto(site_url + "finances/2026/")
    page.wait_for_selector(LEDGER_READY, timeout=20_000)
    labels = page.locator(".publisher-ledger__table thead th").all_inner_texts()
    column = next(i for i, label in enumerate(labels) if label.startswith("Reconciled"))
    cells = f"{LEDGER_ROWS} td:nth-child({column + 1})"
    page.locator(".publisher-ledger__sort", has_text="Reconciled").click()
    assert page.locator(cells).first.inner_text() == "not yet"  # "not yet" sorts before "yes"
    # ledgers/2026.csv, balances.csv: 4 rows of general after 2026-10-31, 2 of commons after 2026-06-30
    page.fill(".publisher-ledger__filter", "not yet")
    assert page.locator(cells).all_inner_texts() == ["not yet"] * 6
    page.locator(".publisher-ledger__sort", has_text="Reconciled").click()  # descending
    page.fill(".publisher-ledger__filter", "")
    assert page.locator(cells).first.inner_text() == "yes"
    assert page.errors == []


def test_the_charters_money_rules_keep_their_numbers(page, site_url):
    page.goto(site_url + "charter/")
    # content/charter.md, "3. Money": five numbered rules, the first listing the three funds.
    rules = page.locator("h2[id='3-money'] + ol > li")
    assert rules.count() == 5
    assert rules.nth(0).locator("ul > li").count() == 3
    assert rules.nth(1).inner_text().startswith("Any single expense larger than 500.00 EUR")
    # ledgers/2025.csv line 172: the one expense of 2025 above the limit without a decision
    assert page.locator("text=1 expense above €500.00 without a decision").count() == 1
    assert page.errors == []
