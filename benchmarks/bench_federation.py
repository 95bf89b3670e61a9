"""Benchmark a federation: 50 members of 2,000 rows each, cold and warm.

    .venv/bin/python benchmarks/bench_federation.py [--members 50] [--rows 2000]

Each member is a real git repository (books from benchmarks/generate.py, one commit). The cold
run starts with an empty cache (every member is fetched, written from git objects, checked and
summarized); the warm run follows with nothing changed (every member is fetched, found at the
same commit, and its cached results are used). Both run `load_federation` and then build the
site. Target: the warm build takes at most a fifth of the cold one.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate

from publisher.federation import CACHE_DIR
from publisher.site.build import build_site, quiet_mkdocs_logging

GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org"]


def make_members(root: Path, members: int, rows: int) -> None:
    lines = ["name: Benchmark Federation", "currency: EUR", "categories:"]
    lines += ["  dues: {kind: income}", "  rent: {kind: expense}"]
    lines.append("members:")
    for index in range(members):
        member = root / "members" / f"m{index:02d}"
        generate(member, rows, years=2, seed=index + 1)
        subprocess.run(["git", "init", "-q", "-b", "main", str(member)], check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=member, check=True)
        subprocess.run([*GIT, "commit", "-q", "-m", "books"], cwd=member, check=True)
        lines += [f"  - id: m{index:02d}", f"    repo: members/m{index:02d}", "    ref: main"]
    (root / "federation.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed_build(root: Path) -> tuple[float, dict[str, float], int]:
    started = time.perf_counter()
    result = build_site(root)
    total = time.perf_counter() - started
    assert result.site_dir is not None, result.problems[:3]
    return (
        total,
        result.timings,
        sum(p.code == "federation-member-invalid" for p in result.problems),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    quiet_mkdocs_logging()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "federation"
        root.mkdir()
        started = time.perf_counter()
        make_members(root, args.members, args.rows)
        print(
            f"{args.members} members x {args.rows:,} rows made in {time.perf_counter() - started:.1f} s\n"
        )
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        cold, cold_timings, invalid = timed_build(root)
        warm, warm_timings, _ = timed_build(root)
        print(
            "| run | members s | generate s | MkDocs s | total s |\n| --- | ---: | ---: | ---: | ---: |"
        )
        for name, total, t in (("cold", cold, cold_timings), ("warm", warm, warm_timings)):
            print(
                f"| {name} | {t['check']:.2f} | {t['generate']:.2f} | {t['mkdocs']:.2f} | {total:.2f} |"
            )
        print(
            f"\nwarm / cold = {warm / cold:.2f} (target at most 0.20); invalid members: {invalid}"
        )


if __name__ == "__main__":
    main()
