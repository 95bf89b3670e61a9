"""Benchmark `publisher build`: ten years of 5,000 rows each (by default), built for real.

    .venv/bin/python benchmarks/bench_build.py [--years 10] [--rows-per-year 5000] [--runs 2]
                                               [--engines mkdocs,zensical]

Generates the books with benchmarks/generate.py, adds a home page and a few stories, builds
the site with the built-in configuration with each engine (MkDocs, and Zensical when it is
installed), and prints the time split into checking, generating (pages, charts, data) and the
engine (MkDocs, or Zensical with the publisher's tree and post-step around it), plus the size
of the largest HTML page and of the whole site.
Targets: the build within 60 s on the 2-core reference machine, no HTML page over 500 KB.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate

from publisher.site.build import build_site, quiet_mkdocs_logging

TARGET_SECONDS = 60
TARGET_PAGE_BYTES = 500_000


def add_pages(root: Path, years: list[int]) -> None:
    content = root / "content"
    posts = content / "stories" / "posts"
    posts.mkdir(parents=True)
    (content / "index.md").write_text(
        "# Benchmark Tool Library\n\n<!-- publisher:key-figures -->\n", encoding="utf-8"
    )
    (content / "stories" / "index.md").write_text("# Stories\n", encoding="utf-8")
    for year in years[-3:]:
        (posts / f"{year}-06-01-summer.md").write_text(
            f"---\ndate: {year}-06-01\ncategories: [News]\n---\n\n# Summer {year}\n\nThe workshop in {year}.\n",
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows-per-year", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--engines", default="mkdocs,zensical")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    if "zensical" in engines and importlib.util.find_spec("zensical") is None:
        print("Zensical is not installed (pip install '.[zensical]'): MkDocs only.\n")
        engines.remove("zensical")
    quiet_mkdocs_logging()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "coop"
        generate(root, args.rows_per_year * args.years, years=args.years, seed=1)
        years = sorted(int(p.stem) for p in (root / "ledgers").glob("[0-9]*.csv"))
        add_pages(root, years)
        print(
            f"{args.years} years x {args.rows_per_year:,} rows = {args.years * args.rows_per_year:,} rows\n"
        )
        print("| engine | run | check s | generate s | engine s | total s | largest HTML | site |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for engine, run in [(e, r) for e in engines for r in range(1, args.runs + 1)]:
            shutil.rmtree(root / "site", ignore_errors=True)
            started = time.perf_counter()
            result = build_site(root, engine=engine)
            total = time.perf_counter() - started
            if result.site_dir is None:
                raise SystemExit("the generated books have errors: " + str(result.problems[:3]))
            pages = list(result.site_dir.rglob("*.html"))
            largest = max(pages, key=lambda p: p.stat().st_size)
            site_bytes = sum(p.stat().st_size for p in result.site_dir.rglob("*") if p.is_file())
            t = result.timings
            print(
                f"| {engine} | {run} | {t['check']:.2f} | {t['generate']:.2f} | {t[engine]:.2f} | {total:.2f} "
                f"| {largest.stat().st_size / 1000:.0f} KB ({largest.relative_to(result.site_dir).as_posix()}) "
                f"| {site_bytes / 1e6:.1f} MB in {sum(1 for p in result.site_dir.rglob('*') if p.is_file())} files |"
            )
        print(
            f"\nTargets: total <= {TARGET_SECONDS} s; no HTML page over {TARGET_PAGE_BYTES / 1000:.0f} KB."
        )


if __name__ == "__main__":
    main()
