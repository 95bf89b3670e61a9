"""Benchmark a reader's first visit of a chart page in Chromium, with the CPU throttled.

    .venv/bin/python benchmarks/bench_browser.py [--path finances/2025/] [--slowdown 4] [--runs 3]
                                                 [--full-bundle PATH] [--script FILE] [--json FILE]

Builds the example cooperative (this repository) for the address it is served at on localhost
(so instant navigation is on, as on the published site), then opens the page in Debian's
Chromium with a fresh profile each run (empty cache), the CPU slowed down 4 times through the
DevTools protocol (`Emulation.setCPUThrottlingRate`) and a phone's viewport (390 x 844). For
each run it reports:

- **transferred**: every file the page fetched from the site, compressed with gzip (level 6,
  as a web server sends it); the largest ones are listed;
- **first screen's charts drawn**: seconds from the start of the navigation until every chart
  that shows in the first screen (at least one) has drawn (`data-drawn="true"` on its
  `.publisher-chart__plot`). publisher.js draws a chart only when it comes near the viewport,
  so this is what a reader who has not scrolled yet waits for;
- **every chart drawn, scrolled to**: then each chart not yet drawn is scrolled to the middle
  of the viewport in turn, as soon as the one before has drawn (a reader scrolling as fast as
  the charts allow); seconds from the start of the navigation until the last has drawn. This
  is the figure measured before charts were drawn near the viewport only (then every chart was
  drawn at load, without scrolling), and it is comparable to it;
- **longest wait after a scroll**: the most seconds one chart took to draw after it was
  scrolled to;
- **first paint, scripts run, plotly.js asked for and ready**: the first contentful paint,
  DOMContentLoaded (Material's and the publisher's scripts have run) and publisher.js's
  performance marks, to see where the time goes; the best run also lists when each chart drew.

Budget (issue 13): at most 700 KB transferred and the first screen's charts drawn within 3 s.
The best run counts for the time; the bytes are the same every run.

With `--full-bundle PATH` (default: plotly.js's full `dist/plotly.min.js` of the same version,
from the packages scripts/build-plotly-bundle.sh installs into .venv/plotly-bundle/, when it is
there) the same page is measured a second time with that file served in place of the partial
bundle, for comparison. With `--script FILE` that file is served as publisher.js (e.g. an
earlier version from git), to compare two versions in the same conditions. The exit status is
1 when the partial bundle misses the budget.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from playwright.sync_api import sync_playwright

from publisher.site.build import build_site, quiet_mkdocs_logging
from publisher.site.generate import PLOTLY_FILE
from tests.firstvisit import BUDGET_BYTES, BUDGET_SECONDS, FirstVisit, first_visit
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, copy_example, serve_directory

FULL_BUNDLE = HERE.parent / ".venv/plotly-bundle/node_modules/plotly.js/dist/plotly.min.js"


def measure(
    browser, site: Path, url: str, path: str, slowdown: float, runs: int
) -> list[FirstVisit]:
    return [first_visit(browser, url, path, site, cpu_slowdown=slowdown) for _ in range(runs)]


def _seconds(marks: dict[str, float], name: str) -> str:
    return f"{marks[name]:.2f}" if name in marks else "-"


def report(label: str, visits: list[FirstVisit]) -> dict:
    best = min(v.first_screen for v in visits)
    best_all = min(v.charts_drawn for v in visits)
    total = visits[0].total
    met = total <= BUDGET_BYTES and best <= BUDGET_SECONDS
    print(f"\n## {label}\n")
    print(
        "| run | transferred (gzip) | first screen's charts drawn | every chart drawn, scrolled to "
        "| longest wait after a scroll | first paint | scripts run | plotly.js asked for, ready "
        "| charts |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run, visit in enumerate(visits, 1):
        longest = max((wait for _, wait in visit.scroll_waits), default=0.0)
        print(
            f"| {run} | {visit.total / 1000:.0f} KB | {visit.first_screen:.2f} s "
            f"| {visit.charts_drawn:.2f} s | {longest:.2f} s "
            f"| {_seconds(visit.marks, 'first-contentful-paint')} s "
            f"| {_seconds(visit.marks, 'domcontentloaded')} s "
            f"| {_seconds(visit.marks, 'publisher:plotly-requested')}, "
            f"{_seconds(visit.marks, 'publisher:plotly-ready')} s | {visit.charts} |"
        )
    print(
        f"\nBest: {total / 1000:.0f} KB, first screen's charts {best:.2f} s -> "
        f"{'within' if met else 'over'} the budget ({BUDGET_BYTES / 1000:.0f} KB, "
        f"{BUDGET_SECONDS:.0f} s); every chart, scrolled to, {best_all:.2f} s."
    )
    fastest = min(visits, key=lambda v: v.first_screen)
    drawn = sorted(
        (seconds, name.removeprefix("publisher:drawn:"))
        for name, seconds in fastest.marks.items()
        if name.startswith("publisher:drawn:")
    )
    if drawn:
        print("Charts drawn (best run):", ", ".join(f"{name} {s:.2f} s" for s, name in drawn))
    print(
        "Largest files:",
        ", ".join(
            f"{name} {size / 1000:.0f} KB"
            for name, size in sorted(visits[0].compressed.items(), key=lambda i: -i[1])[:6]
        ),
    )
    errors = sorted({e for v in visits for e in v.console_errors})
    if errors:
        print("Console errors and warnings:", *errors, sep="\n  ")
    return {
        "transferred_bytes": total,
        "first_screen_seconds": [round(v.first_screen, 3) for v in visits],
        "charts_drawn_seconds": [round(v.charts_drawn, 3) for v in visits],
        "scroll_waits_seconds": [
            {name: round(wait, 3) for name, wait in v.scroll_waits} for v in visits
        ],
        "marks": [{name: round(t, 3) for name, t in v.marks.items()} for v in visits],
        "files": visits[0].compressed,
        "within_budget": met,
        "console": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--path", default="finances/2025/", help="the page to open, relative to the site"
    )
    parser.add_argument("--slowdown", type=float, default=4, help="CPU throttling rate (1 = none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-bundle", type=Path, default=FULL_BUNDLE)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--script",
        type=Path,
        help="serve this file as publisher.js (e.g. an earlier version), to compare in the same conditions",
    )
    args = parser.parse_args()
    quiet_mkdocs_logging()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_example(Path(scratch) / "coop")
        site = Path(scratch) / "site"
        site.mkdir()
        with serve_directory(site) as url, sync_playwright() as playwright:
            result = build_site(root, site, site_url=url)
            if result.site_dir is None:
                raise SystemExit("the example's books have errors: " + str(result.problems[:3]))
            if args.script:
                built = site / "assets/publisher/publisher.js"
                # The script's words as the build wrote them into its own copy.
                words = re.search(r"var WORDS = (.*);\n", built.read_text(encoding="utf-8"))
                script = args.script.read_text(encoding="utf-8")
                script = script.replace("__PLOTLY_FILE__", PLOTLY_FILE)
                if words:
                    script = script.replace("__PUBLISHER_WORDS__", words.group(1))
                built.write_text(script, encoding="utf-8")
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                print(
                    f"{args.path} of the example cooperative, CPU slowed down {args.slowdown:g}x, "
                    f"fresh profile each run, {args.runs} runs"
                )
                visits = measure(browser, site, url, args.path, args.slowdown, args.runs)
                results["partial"] = report(f"partial bundle ({PLOTLY_FILE})", visits)
                if args.full_bundle.is_file():
                    shutil.copyfile(args.full_bundle, site / "assets/publisher" / PLOTLY_FILE)
                    visits = measure(browser, site, url, args.path, args.slowdown, args.runs)
                    results["full"] = report(
                        f"full bundle ({args.full_bundle.name}, same version)", visits
                    )
                else:
                    print(
                        f"\n(no full bundle at {args.full_bundle}: run scripts/build-plotly-bundle.sh to compare)"
                    )
            finally:
                browser.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if results["partial"]["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
