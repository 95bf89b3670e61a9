"""The built example site in a real headless Chromium (Debian's), served on localhost."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from publisher.site.build import build_site
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, copy_example, serve_directory

CHART_DRAWN = "document.querySelectorAll('.publisher-chart__plot').length > 0 && " \
    "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true')"


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


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
    return {urlsplit(u).netloc for u in page.requests if urlsplit(u).scheme in ("http", "https")} - {local}


@pytest.mark.parametrize("path", ["", "finances/", "finances/2025/"])
def test_pages_load_without_errors_and_every_chart_draws(page, site_url, path):
    page.goto(site_url + path)
    if path:
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
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    assert len([u for u in page.requests if "plotly-" in u]) == 1


def test_dark_mode_rethemes_the_charts(page, site_url):
    page.goto(site_url + "finances/2025/")
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
    page.wait_for_function(CHART_DRAWN, timeout=20_000)
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page"
    page.locator(".md-nav a", has_text="2025").first.click()
    page.wait_for_url("**/finances/2025/")
    page.wait_for_function(CHART_DRAWN + " && document.querySelector('#chart-budget-2025') !== null", timeout=20_000)
    assert page.evaluate("window.__sameDocument === true")
    assert len([u for u in page.requests if "plotly-" in u]) == 1
    assert page.errors == []
    assert other_hosts(page, site_url) == set()


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
    amounts = page.locator(".publisher-ledger__table tbody tr td.publisher-amount").all_inner_texts()
    as_minor = [int(a.replace(".", "")) for a in amounts]
    assert as_minor == sorted(as_minor)
    assert page.errors == []
