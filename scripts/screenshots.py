"""Screenshots of the example site for the README, taken from a real build in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py      (after `bash scripts/test.sh` installed the extras)

Builds the example cooperative (this repository, with its git history, as `publisher build .`
does) into a temporary directory, serves it on localhost, and writes docs/screenshots/: the home
page, a year of the books and the decisions at desktop width (1366×900) in the light and the dark
palette, and a year of the books on a phone (390×844). PNG at device scale 1, the first screen of
each page only, so that the files stay small.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.site.build import build_site
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, serve_directory

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
#: file name -> (page, viewport, palette)
SHOTS = {
    "home.png": ("", DESKTOP, "light"),
    "home-dark.png": ("", DESKTOP, "dark"),
    "year.png": ("finances/2025/", DESKTOP, "light"),
    "year-dark.png": ("finances/2025/", DESKTOP, "dark"),
    "decisions.png": ("decisions/", DESKTOP, "light"),
    "decisions-dark.png": ("decisions/", DESKTOP, "dark"),
    "phone-year.png": ("finances/2025/", PHONE, "light"),
}
PALETTE_TOGGLE = "label.md-header__button[for^='__palette']:visible"
CHARTS_DRAWN = (
    "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
    ".every(n => n.dataset.drawn === 'true' && n.dataset.theme === (document.body"
    ".getAttribute('data-md-color-scheme') === 'slate' ? 'dark' : 'light'))"
)
QUIET = "document.getAnimations().every(a => a.playState !== 'running')"


def settle(page) -> None:
    """Wait until the charts are drawn in the page's palette and nothing moves."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    if page.locator(".publisher-ledger").count():
        page.wait_for_selector(".publisher-ledger[data-ready='true']", timeout=20_000)
    page.wait_for_function(QUIET, timeout=10_000)
    page.wait_for_timeout(300)  # plotly's own transitions are not CSS animations


def main() -> None:
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        site.mkdir()
        with serve_directory(site) as url:
            result = build_site(REPO, site, site_url=url)
            if result.site_dir is None:
                sys.exit("The example did not build: run `publisher check .` to see why.")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, (path, viewport, palette) in SHOTS.items():
                    # A fresh context each time: no palette remembered from the shot before.
                    context = browser.new_context(
                        viewport=viewport, device_scale_factor=1, color_scheme="light"
                    )
                    page = context.new_page()
                    page.goto(url + path)
                    settle(page)
                    if palette == "dark":
                        page.locator(PALETTE_TOGGLE).first.click()
                        page.wait_for_function(
                            "document.body.getAttribute('data-md-color-scheme') === 'slate'"
                        )
                        settle(page)
                    page.screenshot(path=str(out / name))
                    context.close()
                    print(f"wrote docs/screenshots/{name}")
                browser.close()


if __name__ == "__main__":
    main()
