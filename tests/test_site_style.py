"""How the published site looks and reads: page widths on a phone, tables, sorting, the default
colours, checked in a real Chromium with axe-core (installed from npm by scripts/test.sh)."""

from __future__ import annotations

import re

import pytest
import yaml

from publisher.site.build import build_site, builtin_config
from tests.firstvisit import draw_every_chart
from tests.sitetools import REPO, copy_example, serve_directory

AXE = (
    REPO / ".venv" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
)  # scripts/test.sh installs it
CSS = REPO / "publisher" / "site" / "assets" / "publisher.css"

#: One page of each kind of the example cooperative.
PAGES = {
    "home": "",
    "finances": "finances/",
    "year": "finances/2026/",
    "decisions": "decisions/",
    "meeting": "minutes/2026-06-13-summer-meeting/",
    "warnings": "finances/warnings/",
    "data": "data/",
    "charter": "charter/",
}
#: The axe rules the stylesheet, the page script and the default colours answer for.
AXE_RULES = [
    "color-contrast",
    "link-in-text-block",
    "nested-interactive",
    "scrollable-region-focusable",
    "aria-dialog-name",
]

#: A page written by hand with a sortable table, as the page parts write theirs: amounts shown
#: in several of the ways a page shows them, one with its exact value, one without an amount.
SORTABLE_PAGE = """# Sorting

<table class="publisher-sortable"><thead><tr><th data-sort="text">Id</th><th data-sort="date">Date</th><th class="publisher-amount" data-sort="amount">Spent</th><th>Note</th></tr></thead><tbody>
<tr id="row-a"><td>2026-10</td><td><time>2026-03-07</time></td><td class="publisher-amount">€1,234.00 <span>⚠ €34.00 more than authorized</span></td><td>a</td></tr>
<tr id="row-b"><td>2026-9</td><td><time>2025-11-22</time></td><td class="publisher-amount">−€15.00</td><td>b</td></tr>
<tr id="row-c"><td>2026-2</td><td><time>2026-06-13</time></td><td class="publisher-amount">Proposed €900.00 — not authorized</td><td>c</td></tr>
<tr id="row-d"><td>2026-11</td><td><time>2024-01-20</time></td><td class="publisher-amount">—</td><td>d</td></tr>
<tr id="row-e"><td>2026-1</td><td><time>2026-01-01</time></td><td class="publisher-amount" data-sort-value="99.99">a hundred, nearly</td><td>e</td></tr>
</tbody></table>
"""

READY = """() => Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true')
    && Array.from(document.querySelectorAll('.publisher-ledger')).every(n => n.dataset.ready === 'true')"""
LEDGER_ROWS = ".publisher-ledger__table tbody tr"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    (root / "content" / "sorting.md").write_text(SORTABLE_PAGE, encoding="utf-8")
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        build_site(root, site, site_url=url)
        yield url


@pytest.fixture
def open_page(browser):
    """Opens a page at a width and in a palette; records the page's errors."""
    contexts = []

    def open_at(url: str, width: int = 1366, scheme: str = "light"):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(url)
        draw_every_chart(page)  # each chart is drawn once it comes near the viewport
        page.wait_for_function(READY, timeout=30_000)
        return page

    yield open_at
    for context in contexts:
        context.close()


def axe_violations(page, rules: list[str]) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", rules
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
    ]


def line_boxes(page, selector: str) -> list[int]:
    """For each element matched, how many lines its text takes."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector)).map(node => {
            const range = document.createRange(); range.selectNodeContents(node);
            return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; })""",
        selector,
    )


# -- Every page kind, on a phone and a desktop, light and dark --------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("kind", list(PAGES))
def test_each_page_fits_the_screen_and_passes_axe_contrast(
    open_page, site_url, kind, width, scheme
):
    page = open_page(site_url + PAGES[kind], width, scheme)
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways"
    )
    assert axe_violations(page, AXE_RULES) == []
    assert page.errors == []


# -- Tables -----------------------------------------------------------------------------------------


def ledger_ids(page) -> list[str]:
    headers = page.locator(".publisher-ledger__table thead th").all_inner_texts()
    column = headers.index("Id") + 1
    return page.locator(f"{LEDGER_ROWS} td:nth-child({column})").all_inner_texts()


def sort_states(page, table: str) -> dict[str, str | None]:
    return page.evaluate(
        """table => Object.fromEntries(Array.from(document.querySelectorAll(table + ' thead th'))
            .map(th => [th.innerText, th.getAttribute('aria-sort')]))""",
        table,
    )


def test_the_ledger_sorts_on_the_exact_amount_and_says_so(open_page, site_url):
    page = open_page(site_url + "finances/2026/")
    assert (
        sort_states(page, ".publisher-ledger__table")["Date"] == "ascending"
    )  # the order it opens in
    amount = page.locator(".publisher-ledger__sort", has_text="Amount")
    amount.focus()
    page.keyboard.press("Enter")  # a keyboard sorts as a click does
    states = sort_states(page, ".publisher-ledger__table")
    assert states["Amount"] == "ascending"
    assert [label for label, state in states.items() if state] == ["Amount"]
    # ledgers/2026.csv: -2340.00 (2026-0106), -2000.00 (2026-0127), -1378.00 (2026-0057) ...
    assert ledger_ids(page)[:3] == ["2026-0106", "2026-0127", "2026-0057"]
    page.keyboard.press("Space")
    assert sort_states(page, ".publisher-ledger__table")["Amount"] == "descending"
    # ... 2750.00 (2026-0069), 2000.00 (2026-0128), 900.00 (2026-0051)
    assert ledger_ids(page)[:3] == ["2026-0069", "2026-0128", "2026-0051"]
    indicator = amount.evaluate("b => getComputedStyle(b, '::after').content")
    assert "▼" in indicator
    assert page.errors == []


def test_the_ledger_shows_amounts_in_the_money_format_and_sorts_on_the_exact_value(
    open_page, browser, site_url
):
    money = {"locale": "de-DE", "currency": "EUR", "minor_units": 2}

    def with_money(route):
        data = route.fetch().json()
        route.fulfill(json={**data, "money": money})

    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        context.route("**/ledger-2026.json", with_money)
        page = context.new_page()
        page.goto(site_url + "finances/2026/")
        draw_every_chart(page)  # each chart is drawn once it comes near the viewport
        page.wait_for_function(READY, timeout=30_000)
        page.locator(".publisher-ledger__sort", has_text="Amount").click()
        cells = page.locator(f"{LEDGER_ROWS} td.publisher-amount").all_inner_texts()
        assert [c.replace("\u00a0", " ") for c in cells[:3]] == [
            "-2.340,00 €",
            "-2.000,00 €",
            "-1.378,00 €",
        ]
        assert ledger_ids(page)[:3] == ["2026-0106", "2026-0127", "2026-0057"]
        page.fill(".publisher-ledger__filter", "-2340.00")  # the exact value, as in the CSV
        assert ledger_ids(page) == ["2026-0106"]
        page.fill(".publisher-ledger__filter", "2.340,00 €")  # as shown, typed with a plain space
        assert ledger_ids(page) == ["2026-0106"]
    finally:
        context.close()


def test_a_ledger_whose_currency_the_browser_cannot_format_shows_the_exact_amounts(
    browser, site_url
):
    context = browser.new_context()
    try:
        context.route(
            "**/ledger-2026.json",
            lambda route: route.fulfill(
                json={**route.fetch().json(), "money": {"locale": "en", "currency": "not a code"}}
            ),
        )
        page = context.new_page()
        page.goto(site_url + "finances/2026/")
        draw_every_chart(page)  # each chart is drawn once it comes near the viewport
        page.wait_for_function(READY, timeout=30_000)
        # ledgers/2026.csv line 2: the first row of the year
        assert page.locator(f"{LEDGER_ROWS} td.publisher-amount").first.inner_text() == "-475.00"
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_amounts_are_right_aligned_in_tabular_figures_and_dates_keep_one_line(
    open_page, site_url, width
):
    page = open_page(site_url + "finances/2026/", width)
    styles = page.evaluate(
        """() => Array.from(document.querySelectorAll('.publisher-ledger__table .publisher-amount')).slice(0, 20)
            .map(n => [getComputedStyle(n).textAlign, getComputedStyle(n).fontVariantNumeric])"""
    )
    assert styles and {tuple(s) for s in styles} <= {
        ("end", "tabular-nums"),
        ("right", "tabular-nums"),
    }
    assert set(line_boxes(page, ".publisher-ledger__nowrap")) == {1}
    page = open_page(site_url + "decisions/", width)
    aligned = page.evaluate(
        """Array.from(document.querySelectorAll('table[class*="publisher-"] td.publisher-amount'))
            .map(n => getComputedStyle(n).textAlign)"""
    )
    assert aligned and set(aligned) <= {"end", "right"}
    assert set(line_boxes(page, 'table[class*="publisher-"] time')) == {1}


def test_a_static_sortable_table_sorts_by_amount_date_and_text(open_page, site_url):
    page = open_page(site_url + "sorting/")
    table = "table.publisher-sortable"
    rows = page.locator(f"{table} tbody tr")

    def order() -> list[str]:
        return [rows.nth(i).get_attribute("id").removeprefix("row-") for i in range(rows.count())]

    assert page.locator(f"{table} thead th button").count() == 3  # "Note" has no data-sort
    page.locator(f"{table} thead th", has_text="Spent").locator("button").click()
    # −€15.00, 99.99 (its data-sort-value), €900.00 proposed, €1,234.00 (not the €34.00 after it), no amount
    assert order() == ["b", "e", "c", "a", "d"]
    assert sort_states(page, table) == {
        "Id": None,
        "Date": None,
        "Spent": "ascending",
        "Note": None,
    }
    page.locator(f"{table} thead th", has_text="Spent").locator("button").click()
    assert order() == ["a", "c", "e", "b", "d"]  # the row without an amount stays last
    assert sort_states(page, table)["Spent"] == "descending"
    page.locator(f"{table} thead th", has_text="Date").locator("button").click()
    assert order() == ["d", "b", "e", "a", "c"]
    page.locator(f"{table} thead th", has_text="Id").locator("button").click()
    assert order() == ["e", "c", "b", "a", "d"]  # 2026-1, 2026-2, 2026-9, 2026-10, 2026-11
    assert sort_states(page, table) == {
        "Id": "ascending",
        "Date": None,
        "Spent": None,
        "Note": None,
    }
    assert page.errors == []


def test_the_ledgers_scroll_box_is_reached_and_scrolled_by_keyboard(open_page, site_url):
    page = open_page(site_url + "finances/2026/", 390)
    box = page.locator(".publisher-ledger .publisher-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the ledger is wider than a phone
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    page.locator(".publisher-ledger__provenance input").focus()
    page.keyboard.press("Tab")
    assert box.evaluate("b => b === document.activeElement")
    assert box.evaluate("b => getComputedStyle(b).outlineStyle") != "none"  # a visible focus ring
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.querySelector('.publisher-ledger .publisher-scroll').scrollLeft > 0"
    )


@pytest.mark.parametrize("width", [390, 1366])
def test_charts_take_the_whole_column(open_page, site_url, width):
    page = open_page(site_url + "finances/2026/", width)
    widths = page.evaluate(
        """() => Array.from(document.querySelectorAll('.publisher-chart')).map(chart => [
            chart.getBoundingClientRect().width, chart.querySelector('figure').getBoundingClientRect().width,
            chart.querySelector('.main-svg').getBoundingClientRect().width])"""
    )
    column = page.evaluate("document.querySelector('.md-content__inner').clientWidth")
    assert widths, "no chart"
    for chart, figure, svg in widths:
        assert abs(chart - column) <= 1 and abs(figure - column) <= 1 and svg >= column - 2, (
            column,
            widths,
        )


def test_the_charters_marks_say_kept_and_breached_in_words(open_page, site_url):
    page = open_page(site_url + "charter/", 1366, "dark")
    breached = page.locator(".publisher-status--breached").all_inner_texts()
    kept = page.locator(".publisher-status--kept").all_inner_texts()
    assert breached and all("breached" in t for t in breached)
    assert kept and all("kept" in t for t in kept)


# -- The default colours -------------------------------------------------------------------------


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_three_default_configurations_choose_the_same_colours(tmp_path):
    palettes = [
        yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]["palette"],
        yaml.safe_load((REPO / "publisher/templates/new/mkdocs.yml").read_text(encoding="utf-8"))[
            "theme"
        ]["palette"],
        builtin_config(tmp_path, "A cooperative")["theme"]["palette"],
    ]
    chosen = [
        [(p["scheme"], p.get("primary"), p.get("accent")) for p in palette] for palette in palettes
    ]
    assert (
        chosen[0]
        == chosen[1]
        == chosen[2]
        == [("default", "custom", "amber"), ("slate", "custom", "amber")]
    )
    css = CSS.read_text(encoding="utf-8")
    custom = re.search(r'\[data-md-color-primary="custom"\] \{([^}]*)\}', css).group(1)
    primary = re.search(r"--md-primary-fg-color: (#[0-9a-f]{6});", custom).group(1)
    assert contrast("#ffffff", primary) >= 4.5  # the header's white text on it
