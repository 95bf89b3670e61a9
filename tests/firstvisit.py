"""A reader's first visit of a built site, measured: what it transfers and when its charts are drawn.

Used by tests/test_plotly_bundle.py (the bytes, against the budget) and by
benchmarks/bench_browser.py (the bytes and the time, with the CPU throttled).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The budget of issue 13: a chart page's first visit, compressed, and its charts drawn.
BUDGET_BYTES = 700_000
BUDGET_SECONDS = 3.0

#: Every chart has drawn (publisher.js sets data-drawn="true" once plotly has drawn it).
ALL_CHARTS_DRAWN = (
    "document.querySelectorAll('.publisher-chart__plot').length > 0 && "
    "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true')"
)

# Records, in the page itself, the moment (ms since the navigation started) the last chart drew.
_RECORD_DRAWN = (
    "new MutationObserver(() => { if (!window.__chartsDrawnAt && (" + ALL_CHARTS_DRAWN + "))"
    " window.__chartsDrawnAt = performance.now(); })"
    ".observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn']});"
)


@dataclass(frozen=True)
class FirstVisit:
    #: site path -> gzip-compressed size of what was transferred for it
    compressed: dict[str, int]
    #: seconds from the start of the navigation until every chart had drawn
    charts_drawn: float
    charts: int
    console_errors: list[str]

    @property
    def total(self) -> int:
        return sum(self.compressed.values())


def gzip_size(data: bytes) -> int:
    """The size of `data` compressed as a web server would send it (gzip, level 6)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def site_file(site: Path, url: str) -> Path | None:
    """The file of the built site that answers `url` (a directory answers with its index.html)."""
    path = unquote(urlsplit(url).path).lstrip("/")
    candidate = site / path
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def first_visit(
    browser, base_url: str, path: str, site: Path, cpu_slowdown: float = 1, timeout_ms: int = 60_000
) -> FirstVisit:
    """Open `path` of the site served at `base_url` (built into `site`) in a fresh profile, with
    the CPU slowed down `cpu_slowdown` times, and wait until every chart has drawn."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.add_init_script(_RECORD_DRAWN)
        if cpu_slowdown != 1:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        page.goto(base_url + path)
        page.wait_for_function("window.__chartsDrawnAt !== undefined", timeout=timeout_ms)
        page.wait_for_load_state("networkidle")
        drawn_ms = page.evaluate("window.__chartsDrawnAt")
        charts = page.evaluate("document.querySelectorAll('.publisher-chart__plot').length")
    finally:
        context.close()
    local = urlsplit(base_url).netloc
    compressed: dict[str, int] = {}
    for url in requests:
        if urlsplit(url).netloc != local:
            continue
        file = site_file(site, url)
        if file is not None:
            compressed[file.relative_to(site).as_posix()] = gzip_size(file.read_bytes())
    return FirstVisit(compressed, drawn_ms / 1000, charts, errors)


def figure_trace_types(site: Path) -> dict[str, set[str]]:
    """site path of each page with charts -> the plotly trace types its figures use."""
    figure = re.compile(r'data-figure="([^"]*)"')
    used: dict[str, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        for match in figure.finditer(page.read_text(encoding="utf-8")):
            spec = json.loads(html.unescape(match.group(1)))
            used.setdefault(page.relative_to(site).as_posix(), set()).update(
                trace.get("type", "scatter") for trace in spec["data"]
            )
    return used
