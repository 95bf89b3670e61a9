"""Every page kind of the example cooperative and of the example federation, as readers meet them
in Debian's Chromium: on a phone (390×844) and a desktop (1366×900), in the light and the dark
palette. No page scrolls sideways, none logs an error, every chart is drawn and recoloured with
the palette, axe-core finds no serious or critical violation, the ledger sorts by exact amount and
says so; the W3C checker reads every generated page.

Both sites are built with each engine, MkDocs (the default) and Zensical (`--engine zensical`),
and every check runs on both builds: the test ids name the engine (`-k zensical`). Each site is
built once per engine for the module and each page is loaded once per width: it is measured in
the light palette, switched to dark with the header's toggle (as a reader does) and measured again.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from publisher.site.build import build_site
from tests.a11y import (
    AXE_JS,
    MATERIAL_HTML,
    VNU_JAR,
    ZENSICAL_HTML,
    HtmlCheck,
    HtmlError,
    ThemeError,
    Violation,
    axe_violations,
    blocking_violations,
)
from tests.firstvisit import draw_every_chart
from tests.gittools import commit, init_repo
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, REPO, copy_example, serve_directory

#: One page of each kind, by site; paths from content/ and from what the publisher generates.
PAGES = {
    "cooperative": {
        "home": "",
        "finances": "finances/",
        "year": "finances/2025/",
        "warnings": "finances/warnings/",
        "data": "data/",
        "changes": "finances/changes/",
        "decisions": "decisions/",
        "meeting": "minutes/2026-06-13-summer-meeting/",  # content/minutes/2026-06-13-summer-meeting.md
        "charter": "charter/",
        "story": "stories/2026/03/16/the-2025-accounts-explained/",  # content/stories/posts/
        "sovereignty": "self-government/",
        "activity": "activity/",  # what we do: the measures
        "commons": "commons/",  # what we own together: the assets
    },
    "federation": {
        "overview": "",
        "member": "members/northbank/",  # examples/federation/members/northbank
        "reconciliation": "reconciliation/",
        "warnings": "warnings/",
    },
}
#: Pages that show charts today: each must show at least one, drawn.
CHART_PAGES = {
    ("cooperative", "finances"),
    ("cooperative", "year"),
    ("cooperative", "sovereignty"),
    ("cooperative", "activity"),
    ("cooperative", "commons"),
    ("federation", "overview"),
}
#: Page kinds whose address depends on the engine: Zensical has no blog, so a story is a plain
#: page under stories/posts/, named after its file (docs/publishing.md).
ENGINE_PAGES = {
    "zensical": {("cooperative", "story"): "stories/posts/2026-03-16-accounts-2025/"},
}
ENGINES = ("mkdocs", "zensical")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PALETTES = ("light", "dark")
SITE_PAGES = [(site, kind) for site, kinds in PAGES.items() for kind in kinds]
CHARTED = [page for page in SITE_PAGES if page in CHART_PAGES]

PALETTE_TOGGLE = "label.md-header__button[for^='__palette']:visible"
#: Every document starts without a stored palette, so that it opens in the light one.
FORGET_PALETTE = (
    "try { Object.keys(localStorage).filter(k => k.endsWith('__palette'))"
    ".forEach(k => localStorage.removeItem(k)); } catch (e) {}"
)
CHART_NODES = "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
CHARTS_DRAWN = f"{CHART_NODES}.every(n => n.dataset.drawn === 'true')"
CHARTS = f"""{CHART_NODES}.map(n => ({{
    id: n.closest('[id]') ? n.closest('[id]').id : '', drawn: n.dataset.drawn || null,
    theme: n.dataset.theme || null, svg: n.querySelectorAll('svg.main-svg').length,
    font: n._fullLayout ? n._fullLayout.font.color : null, width: Math.round(n.getBoundingClientRect().width),
    column: (c => Math.round(c.clientWidth - parseFloat(getComputedStyle(c).paddingLeft)
                             - parseFloat(getComputedStyle(c).paddingRight)))(n.closest('.md-content__inner'))}}))"""
#: A chart may leave this share of its text column to margins, no more.
CHART_MARGIN = 0.05
LEDGERS_READY = "Array.from(document.querySelectorAll('.publisher-ledger')).every(n => n.dataset.ready === 'true')"
QUIET = "document.getAnimations().every(a => a.playState !== 'running')"
#: What sticks out of the page at the right: elements of the content wider than the viewport that
#: no scroll box holds (a box with overflow auto or scroll that itself fits). Only the outermost
#: such element of each branch is named.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const held = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (['auto', 'scroll'].includes(style.overflowX) && style.display !== 'table'
          && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = new Set();
  for (const el of document.querySelectorAll('.md-content *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > width + 1 && !held(el)) wide.add(el);
  }
  return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
          wide: Array.from(wide).filter(el => !wide.has(el.parentElement))
                    .map(el => name(el) + ' ends at ' + Math.round(el.getBoundingClientRect().right) + ' px')};
}"""


@dataclass
class Look:
    """A page in one palette at one width, as measured."""

    page_width: int
    viewport_width: int
    wide: list[str]
    charts: list[dict]
    violations: list[Violation]
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def example_repo(tmp_path_factory) -> Path:
    """The example cooperative in a real git repository, with the example federation inside it
    (its member `riverside` is that repository, `repo: ../..`)."""
    repo = init_repo(tmp_path_factory.mktemp("example") / "coop")
    copy_example(repo)
    shutil.copytree(
        REPO / "examples" / "federation",
        repo / "examples" / "federation",
        ignore=shutil.ignore_patterns("site", ".cache"),
    )
    commit(repo, "The books, pages and federation of the example", "2026-11-20")
    return repo


@pytest.fixture(scope="module", params=ENGINES)
def engine(request) -> str:
    """The engine the sites are built with; every test that looks at a site runs with each."""
    if request.param == "zensical":
        pytest.importorskip("zensical")
    return request.param


def page_path(engine: str, site: str, kind: str) -> str:
    """Where a page of `kind` is in `site` built by `engine`, from the site's root."""
    return ENGINE_PAGES.get(engine, {}).get((site, kind), PAGES[site][kind])


@pytest.fixture(scope="module")
def site_urls(example_repo, engine, tmp_path_factory):
    """Both sites, each built once by `engine` with its address known (instant navigation needs
    it), served."""
    sites = {"cooperative": example_repo, "federation": example_repo / "examples" / "federation"}
    urls, dirs = {}, {}
    with serve_directory(served := tmp_path_factory.mktemp(f"served-{engine}")) as url:
        for name, root in sites.items():
            dirs[name] = served / name
            dirs[name].mkdir()
            urls[name] = f"{url}{name}/"
            result = build_site(root, dirs[name], site_url=urls[name], engine=engine)
            assert result.site_dir is not None, [p.code for p in result.problems]
        yield urls, dirs


@pytest.fixture(scope="module")
def tabs():
    """One browser for the module, one tab per viewport."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = {}
        for name, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size, color_scheme="light")
            context.add_init_script(FORGET_PALETTE)
            page = context.new_page()
            page.errors = []
            page.on(
                "console", lambda m, page=page: m.type == "error" and page.errors.append(m.text)
            )
            page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
            opened[name] = page
        yield opened
        browser.close()


def _wait(page, expression: str, timeout: int) -> None:
    """Wait for `expression`; what never comes true shows in the measurements (a chart not drawn,
    a chart not recoloured), so a timeout here is not itself the failure."""
    try:
        page.wait_for_function(expression, timeout=timeout)
    except PlaywrightTimeoutError:
        pass


def _settle(page) -> None:
    """Wait for what publisher.js draws (charts, ledger rows) and for transitions to end. A
    chart is drawn when it comes near the viewport: the page is scrolled through its charts
    first, as a reader would (and back to the top)."""
    try:
        draw_every_chart(page, timeout_ms=30_000)
    except PlaywrightError:
        pass  # a chart that never draws shows in the measurements
    _wait(page, CHARTS_DRAWN, 30_000)
    _wait(page, LEDGERS_READY, 20_000)
    _wait(page, QUIET, 5_000)


def _measure(page) -> Look:
    sideways = page.evaluate(SIDEWAYS)
    return Look(
        page_width=sideways["page"],
        viewport_width=sideways["viewport"],
        wide=sideways["wide"],
        charts=page.evaluate(CHARTS),
        violations=blocking_violations(axe_violations(page)),
    )


@pytest.fixture(scope="module")
def looks(tabs, engine, site_urls, html_check):
    """looks(site, kind, viewport) -> {palette: Look}: the page loaded once at that width."""
    urls, _ = site_urls
    seen: dict[tuple[str, str, str], dict[str, Look]] = {}

    def look(site: str, kind: str, viewport: str) -> dict[str, Look]:
        key = (site, kind, viewport)
        if key not in seen:
            page = tabs[viewport]
            page.errors = []
            page.goto(urls[site] + page_path(engine, site, kind), wait_until="load")
            _settle(page)
            light = _measure(page)
            light.errors, page.errors = page.errors, []
            page.locator(PALETTE_TOGGLE).first.click()
            page.wait_for_function(
                "document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=10_000
            )
            _wait(
                page,
                f"{CHART_NODES}.every(n => n.dataset.drawn !== 'true' || n.dataset.theme === 'dark')",
                10_000,
            )
            _wait(page, QUIET, 5_000)
            dark = _measure(page)
            dark.errors = page.errors
            seen[key] = {"light": light, "dark": dark}
        return seen[key]

    return look


def _listing(violations: list[Violation]) -> str:
    counts = Counter((v.rule, v.impact, v.selector) for v in violations)
    return "\n".join(
        f"{rule} ({impact}) ×{n}: {selector}"
        for (rule, impact, selector), n in sorted(counts.items())
    )


PAGE_PARAMS = pytest.mark.parametrize("site, kind", SITE_PAGES)
VIEWPORT_PARAMS = pytest.mark.parametrize("viewport", list(VIEWPORTS))
PALETTE_PARAMS = pytest.mark.parametrize("palette", PALETTES)


@PALETTE_PARAMS
@VIEWPORT_PARAMS
@PAGE_PARAMS
def test_no_page_scrolls_sideways(looks, site, kind, viewport, palette):
    seen = looks(site, kind, viewport)[palette]
    assert not seen.wide, seen.wide
    assert seen.page_width <= seen.viewport_width


@PALETTE_PARAMS
@VIEWPORT_PARAMS
@PAGE_PARAMS
def test_no_page_logs_an_error(looks, site, kind, viewport, palette):
    assert looks(site, kind, viewport)[palette].errors == []


@PALETTE_PARAMS
@VIEWPORT_PARAMS
@PAGE_PARAMS
def test_every_chart_is_drawn(looks, site, kind, viewport, palette):
    charts = looks(site, kind, viewport)[palette].charts
    if (site, kind) in CHART_PAGES:
        assert charts, "no chart on a page that has charts"
    assert all(c["drawn"] == "true" and c["svg"] > 0 for c in charts), charts


@VIEWPORT_PARAMS
@pytest.mark.parametrize("site, kind", CHARTED)
def test_every_chart_uses_the_width_of_the_text_column(looks, site, kind, viewport):
    charts = looks(site, kind, viewport)["light"].charts
    narrow = [
        (c["id"], c["width"], c["column"])
        for c in charts
        if c["width"] < (1 - CHART_MARGIN) * c["column"]
    ]
    assert not narrow, f"(chart, its width, the column's) {narrow}"


@PALETTE_PARAMS
@VIEWPORT_PARAMS
@PAGE_PARAMS
def test_axe_finds_no_serious_or_critical_violation(looks, site, kind, viewport, palette):
    violations = looks(site, kind, viewport)[palette].violations
    assert not violations, "\n" + _listing(violations)


@VIEWPORT_PARAMS
@pytest.mark.parametrize("site, kind", CHARTED)
def test_the_palette_toggle_recolours_every_chart(looks, site, kind, viewport):
    seen = looks(site, kind, viewport)
    light, dark = seen["light"].charts, seen["dark"].charts
    assert [c["theme"] for c in light] == ["light"] * len(light)
    assert [c["theme"] for c in dark] == ["dark"] * len(dark)
    # Each chart's text changes colour: the same colour on both grounds would vanish on one.
    assert all(a["font"] != b["font"] for a, b in zip(light, dark, strict=True)), (light, dark)


# -- The ledger's order -----------------------------------------------------------------------

LEDGER = ".publisher-ledger[data-ready='true']"
AMOUNT_CELLS = ".publisher-ledger__table tbody td.publisher-amount"
HEADERS = ".publisher-ledger__table thead th"


def minor_units(shown: str) -> int:
    """An amount as shown ("-1234.50", "-€1,234.50", "1 234,50 €", "(€12.50)") in minor units:
    the example's currency has two decimals, always shown, so the digits are the minor units."""
    digits = re.sub(r"\D", "", shown)
    negative = "-" in shown or "\u2212" in shown or shown.strip().startswith("(")
    return -int(digits) if negative else int(digits)


@VIEWPORT_PARAMS
def test_the_ledger_sorts_by_exact_amount_and_announces_its_order(tabs, site_urls, viewport):
    urls, dirs = site_urls
    page = tabs[viewport]
    page.errors = []
    page.goto(urls["cooperative"] + "finances/2025/")
    page.wait_for_selector(LEDGER, timeout=20_000)
    data = json.loads(
        (dirs["cooperative"] / "data" / "ledger-2025.json").read_text(encoding="utf-8")
    )
    column = next(i for i, c in enumerate(data["columns"]) if c["key"] == "amount")
    exact = sorted(minor_units(row[column]) for row in data["rows"])  # "-1234.50": exact strings
    shown_rows = page.locator(AMOUNT_CELLS).count()
    assert shown_rows == min(50, len(exact))
    headers = page.locator(HEADERS)
    amount_header = headers.nth(column)
    for clicks, expected, order in ((1, exact, "ascending"), (2, exact[::-1], "descending")):
        amount_header.locator("button").click()
        shown = [minor_units(text) for text in page.locator(AMOUNT_CELLS).all_inner_texts()]
        assert shown == expected[:shown_rows], clicks
        assert amount_header.get_attribute("aria-sort") == order
        others = {
            headers.nth(i).get_attribute("aria-sort") for i in range(headers.count()) if i != column
        }
        assert others <= {None, "none"}, others
    assert page.errors == []


# -- The W3C checker over every generated page ------------------------------------------------

#: An error the checker must find (two captions in one figure), so that a checker that read
#: nothing cannot pass the test.
CANARY = (
    "<!doctype html><html lang=en><title>canary</title>"
    "<figure><figcaption>a</figcaption><p>b</p><figcaption>c</figcaption></figure>"
)


@pytest.fixture(scope="module")
def html_check(engine, site_urls, tmp_path_factory):
    """vnu.jar over every page of both sites and the canary, started before the browser tests."""
    _, dirs = site_urls
    canary = tmp_path_factory.mktemp("canary") / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    pages = sorted(path for site in dirs.values() for path in site.rglob("*.html"))
    check = HtmlCheck([*pages, canary], engine)
    yield check
    check.stop()


def test_the_w3c_checker_finds_no_error_in_the_publishers_markup(site_urls, html_check):
    _, dirs = site_urls
    *pages, canary = html_check.files
    assert len(pages) > 30
    every_error = html_check.errors()
    errors = [e for e in every_error if not html_check.theme_caused(e)]
    assert canary in {e.path for e in errors}
    # Each of the theme's errors left out is still there: one the theme has fixed is removed from
    # the list, so that it cannot hide the same error written by the publisher.
    fixed = [t.message for t in html_check.theme_errors if not any(map(t.matches, every_error))]
    assert not fixed, f"no longer written by the theme, remove from tests/a11y.py: {fixed}"
    names = {
        path: f"{site}/{path.relative_to(root)}"
        for site, root in dirs.items()
        for path in pages
        if root in path.parents
    }
    found = Counter((names.get(e.path, str(e.path)), e.message) for e in errors if e.path != canary)
    assert not found, "\n" + "\n".join(
        f"{path}: {message} ×{n}" for (path, message), n in sorted(found.items())
    )


# -- The checks themselves can fail -----------------------------------------------------------


def test_the_sideways_check_names_what_sticks_out(tabs):
    page = tabs["phone"]
    page.set_content(
        '<div class="md-content"><p>fits</p>'
        '<div style="overflow-x:auto"><table style="width:900px"><tr><td>held</td></tr></table></div>'
        '<table id="wide" style="width:700px"><tr><td>loose</td></tr></table></div>'
    )
    assert page.evaluate(SIDEWAYS)["wide"] == ["table#wide ends at 708 px"]


def test_a_theme_error_is_left_out_only_where_it_is_listed(tmp_path):
    def error(page: str, message: str, extract: str) -> HtmlError:
        return HtmlError(tmp_path / "site" / page, 1, message, extract)

    overlay_hidden = next(t for t in ZENSICAL_HTML if "md-overlay" in t.markup)
    toc = next(t for t in ZENSICAL_HTML if "__toc" in t.markup)
    overlay = error(
        "finances/index.html",
        overlay_hidden.message,
        '<label class="md-overlay" for="__drawer" aria-hidden="true"></label>',
    )
    in_a_story = error("stories/posts/2025-05-06-laser-cutter/index.html", toc.message, toc.markup)
    elsewhere = error("finances/index.html", toc.message, toc.markup)
    written_by_the_publisher = error(
        "finances/index.html", overlay.message, '<label for="x" aria-hidden="true">'
    )

    def left_out(theme: tuple[ThemeError, ...], found: HtmlError) -> bool:
        return any(known.matches(found) for known in theme)

    assert left_out(ZENSICAL_HTML, overlay) and not left_out(MATERIAL_HTML, overlay)
    assert left_out(ZENSICAL_HTML, in_a_story) and not left_out(ZENSICAL_HTML, elsewhere)
    assert not left_out(ZENSICAL_HTML, written_by_the_publisher)


def test_the_tools_are_installed():
    assert AXE_JS.is_file() and VNU_JAR.is_file(), "run bash scripts/test.sh, which installs them"
