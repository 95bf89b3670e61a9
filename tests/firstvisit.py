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
#: Every chart a reader sees has drawn: those in the viewport (publisher.js draws a chart only
#: once it comes near the viewport), and at least one.
SEEN_CHARTS_DRAWN = (
    "(() => { const seen = Array.from(document.querySelectorAll('.publisher-chart__plot')).filter(n => {"
    " const box = n.getBoundingClientRect(); return box.bottom > 0 && box.top < window.innerHeight; });"
    " return seen.length > 0 && seen.every(n => n.dataset.drawn === 'true'); })()"
)

# Records, in the page itself, the moments (ms since the navigation started) the charts of the
# first screen had drawn and the last chart drew.
_RECORD_DRAWN = (
    "new MutationObserver(() => {"
    " if (!window.__seenChartsDrawnAt && window.scrollY === 0 && (" + SEEN_CHARTS_DRAWN + "))"
    " window.__seenChartsDrawnAt = performance.now();"
    " if (!window.__chartsDrawnAt && (" + ALL_CHARTS_DRAWN + "))"
    " window.__chartsDrawnAt = performance.now(); })"
    ".observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn']});"
)

#: A reader scrolling through the page: each chart not yet drawn is scrolled to the middle of
#: the viewport in turn, as soon as the one before has drawn; returns, per chart scrolled to,
#: [its id, ms from the scroll until it had drawn]. The page is left scrolled to the top. A
#: chart that has not drawn `timeout` ms after its scroll fails the whole (naming it).
SCROLL_THROUGH_CHARTS = """async (timeout) => {
  const waits = [];
  for (const node of document.querySelectorAll('.publisher-chart__plot')) {
    if (node.dataset.drawn === 'true') continue;
    const name = (node.closest('[id]') || node).id;
    const scrolled = performance.now();
    node.scrollIntoView({block: 'center', behavior: 'instant'});
    await new Promise((resolve, reject) => {
      const done = () => node.dataset.drawn === 'true' || node.dataset.drawn === 'failed';
      if (done()) return resolve();
      const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(); } });
      watch.observe(node, {attributes: true, attributeFilter: ['data-drawn']});
      setTimeout(() => { watch.disconnect(); reject(new Error(name + ' not drawn after scrolling to it')); }, timeout);
    });
    waits.push([name, performance.now() - scrolled]);
  }
  window.scrollTo({top: 0, behavior: 'instant'});
  if (waits.length) {
    // Material hides its tabs while the page is scrolled down and shows them again with a
    // transition: wait for it to end (3 s at most), so nothing half-faded is measured.
    const back = performance.now();
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    while (document.getAnimations().some(a => a.playState === 'running') && performance.now() - back < 3000) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
  return waits;
}"""


def draw_every_chart(page, timeout_ms: int = 30_000) -> list[tuple[str, float]]:
    """Scroll a page's charts into view one by one, as a reader would, until each has drawn
    (publisher.js draws a chart only near the viewport); (chart id, ms it took) for those that
    were not drawn yet. Raises Playwright's error naming a chart that does not draw."""
    waits = page.evaluate(SCROLL_THROUGH_CHARTS, timeout_ms)
    return [(name, float(ms)) for name, ms in waits]


#: The page's performance marks (publisher.js's "publisher:..."), its first contentful paint and
#: the start of DOMContentLoaded (Material's and the publisher's scripts have run), in ms.
MARKS = """(() => {
  const marks = Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]));
  for (const paint of performance.getEntriesByType('paint')) marks[paint.name] = paint.startTime;
  const navigation = performance.getEntriesByType('navigation')[0];
  if (navigation) marks['domcontentloaded'] = navigation.domContentLoadedEventStart;
  return marks;
})()"""


@dataclass(frozen=True)
class FirstVisit:
    #: site path -> gzip-compressed size of what was transferred for it
    compressed: dict[str, int]
    #: seconds from the start of the navigation until the charts of the first screen had drawn
    first_screen: float
    #: seconds from the start of the navigation until every chart had drawn, the reader
    #: scrolling to each chart as soon as the one before was drawn (before publisher.js drew
    #: charts near the viewport only, every chart was drawn at once, without scrolling)
    charts_drawn: float
    #: (chart id, seconds from scrolling it into view until it had drawn), charts below the
    #: first screen
    scroll_waits: list[tuple[str, float]]
    charts: int
    console_errors: list[str]
    #: the page's performance marks (`MARKS`), name -> seconds
    marks: dict[str, float]

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
    """Open `path` of the site served at `base_url` (built into `site`) in a fresh profile on a
    phone's viewport, with the CPU slowed down `cpu_slowdown` times; wait until the charts of
    the first screen have drawn, then scroll to every other chart in turn until it has drawn."""
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
        page.wait_for_function("window.__seenChartsDrawnAt !== undefined", timeout=timeout_ms)
        waits = page.evaluate(SCROLL_THROUGH_CHARTS, timeout_ms)
        page.wait_for_function("window.__chartsDrawnAt !== undefined", timeout=timeout_ms)
        page.wait_for_load_state("networkidle")
        seen_ms = page.evaluate("window.__seenChartsDrawnAt")
        drawn_ms = page.evaluate("window.__chartsDrawnAt")
        charts = page.evaluate("document.querySelectorAll('.publisher-chart__plot').length")
        marks = page.evaluate(MARKS)
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
    return FirstVisit(
        compressed,
        seen_ms / 1000,
        drawn_ms / 1000,
        [(name, ms / 1000) for name, ms in waits],
        charts,
        errors,
        {name: ms / 1000 for name, ms in marks.items()},
    )


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
