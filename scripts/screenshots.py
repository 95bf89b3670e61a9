"""Screenshots of the example site for the README, taken from a real build in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py      (after `bash scripts/test.sh` installed the extras)

Builds the example cooperative into a temporary directory, serves it on localhost, and writes
docs/screenshots/home.png and docs/screenshots/year.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.site.build import build_site  # noqa: E402
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, copy_example, serve_directory  # noqa: E402

SHOTS = {"home.png": "", "year.png": "finances/2025/"}


def main() -> None:
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_example(Path(scratch))
        site = root / "site"
        site.mkdir()
        with serve_directory(site) as url:
            build_site(root, site, site_url=url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1500})
                for name, path in SHOTS.items():
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(1500)  # charts finish their transitions
                    page.screenshot(path=str(out / name))
                    print(f"wrote docs/screenshots/{name}")
                browser.close()


if __name__ == "__main__":
    main()
