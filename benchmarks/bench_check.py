"""Benchmark `publisher check` on large generated books: wall time and peak memory.

    python benchmarks/bench_check.py [ROWS ...] [--runs 3] [--years 5] [--seed 1]

For each size (default 100,000 and 1,000,000 rows) the books are generated once with
benchmarks/generate.py into benchmarks/out/books-ROWS-yYEARS-sSEED/ (reused while the
generator and its arguments are unchanged), then `python -m publisher check --format json DIR`
runs in a fresh process, `--runs` times. Each run is started by a small wrapper process of its
own, which times the child and reads the child's peak resident memory from
getrusage(RUSAGE_CHILDREN): a fresh wrapper per run, so that one run's peak never hides
another's. Wall time is what a user waits for, interpreter start and imports included.

Prints a Markdown table with the best wall time and every run, the peak memory (the largest
over the runs), and the result of the check, which must be "no errors" for the numbers to
mean anything. The target: 1,000,000 rows in at most 5 s with at most 1.5 GiB peak.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # benchmarks/generate.py, next to this file

TARGET_ROWS = 1_000_000
TARGET_SECONDS = 5.0
TARGET_MIB = 1536.0

# Runs in a fresh interpreter per measurement: starts the check, waits, reports as JSON.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
timeout = float(sys.argv[1])
command = sys.argv[2:]
start = time.perf_counter()
try:
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as expired:  # subprocess.run has killed and reaped the child
    code, out, err = None, b"", (expired.stderr or b"")
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
peak_bytes = peak if sys.platform == "darwin" else peak * 1024  # Linux and BSD: KiB
json.dump({"wall": wall, "peak_bytes": peak_bytes, "code": code,
           "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace")[-4000:]},
          sys.stdout)
"""

# With --breakdown: one more run that times each stage in-process. It uses the publisher's
# internals (load_cooperative, the ALL_CHECKS list), so it may need updating when they move.
_BREAKDOWN = r"""
import json, sys, time
stages = []
start = time.perf_counter()
from publisher.cooperative import load_cooperative
from publisher.checks import ALL_CHECKS
stages.append(["import publisher", time.perf_counter() - start])
mark = time.perf_counter()
cooperative, problems = load_cooperative(sys.argv[1], history="if-closed")  # as publisher check
stages.append(["load (read and parse CSV files)", time.perf_counter() - mark])
for function in ALL_CHECKS:
    mark = time.perf_counter()
    problems += list(function(cooperative))
    stages.append([f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}",
                   time.perf_counter() - mark])
json.dump(stages, sys.stdout)
"""


@dataclass
class Run:
    wall: float
    peak_bytes: int
    code: int | None
    errors: int | None = None
    warnings: int | None = None
    codes: dict[str, int] = field(default_factory=dict)
    stderr: str = ""


@dataclass
class Result:
    rows: int
    files: int
    bytes: int
    private_counterparties: int
    runs: list[Run]

    @property
    def best(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_bytes for r in self.runs) / 2**20


def books(rows: int, years: int, seed: int, out: Path, regenerate: bool) -> tuple[Path, dict]:
    """The generated books for these arguments, generated now unless already there."""
    directory = out / f"books-{rows}-y{years}-s{seed}"
    stamp_path = directory / ".generated.json"
    fingerprint = {
        "rows": rows,
        "years": years,
        "seed": seed,
        "generator": hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest(),
    }
    if not regenerate and stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if stamp.get("fingerprint") == fingerprint:
            return directory, stamp
    shown = directory.relative_to(REPO) if directory.is_relative_to(REPO) else directory
    print(f"generating {rows:,} rows into {shown} …", file=sys.stderr, flush=True)
    start = time.perf_counter()
    made = generate.generate(directory, rows, years, seed)
    csv_files = made.csv_files
    stamp = {
        "fingerprint": fingerprint,
        "files": len(csv_files),
        "bytes": sum(p.stat().st_size for p in csv_files),
        "private_counterparties": made.private_counterparties,
        "seconds": round(time.perf_counter() - start, 2),
    }
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    print(f"  done in {stamp['seconds']} s", file=sys.stderr, flush=True)
    return directory, stamp


def measure(python: str, directory: Path, timeout: float) -> Run:
    command = [python, "-m", "publisher", "check", "--format", "json", str(directory)]
    done = subprocess.run(
        [python, "-c", _WRAPPER, str(timeout), *command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        check=True,
    )
    report = json.loads(done.stdout)
    run = Run(report["wall"], report["peak_bytes"], report["code"], stderr=report["stderr"])
    try:
        checked = json.loads(report["stdout"])
        run.errors, run.warnings = checked["errors"], checked["warnings"]
        for p in checked["problems"]:
            run.codes[p["code"]] = run.codes.get(p["code"], 0) + 1
    except (ValueError, KeyError, TypeError):
        pass
    return run


def breakdown(python: str, directory: Path) -> list[tuple[str, float]]:
    done = subprocess.run(
        [python, "-c", _BREAKDOWN, str(directory)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return [("breakdown failed (see stderr)", float("nan"))]
    return [(name, seconds) for name, seconds in json.loads(done.stdout)]


def describe(run: Run) -> str:
    if run.code is None:
        return "timed out"
    if run.errors is None:
        return f"exit {run.code}, no JSON: {run.stderr.strip().splitlines()[-1:] or '?'}"
    text = f"{run.errors} errors, {run.warnings} warnings"
    if run.codes:
        text += " (" + ", ".join(f"{c} ×{n}" for c, n in sorted(run.codes.items())) + ")"
    return text


def verdict(result: Result) -> str:
    if result.rows != TARGET_ROWS:
        return ""
    if any(r.code is None for r in result.runs):
        return "**miss** (timed out)"
    time_ok = result.best <= TARGET_SECONDS
    memory_ok = result.peak_mib <= TARGET_MIB
    if time_ok and memory_ok:
        return "met"
    misses = []
    if not time_ok:
        misses.append(f"time ×{result.best / TARGET_SECONDS:.1f}")
    if not memory_ok:
        misses.append(f"memory ×{result.peak_mib / TARGET_MIB:.1f}")
    return "**miss** (" + ", ".join(misses) + ")"


def table(results: list[Result]) -> str:
    lines = [
        "| rows | files | bytes | private names | wall s (best) | runs s | peak MiB | check result | target |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for r in results:
        runs = ", ".join(f"{run.wall:.2f}" + ("+" if run.code is None else "") for run in r.runs)
        lines.append(
            f"| {r.rows:,} | {r.files} | {r.bytes:,} | {r.private_counterparties:,} | {r.best:.2f} | "
            f"{runs} | {r.peak_mib:,.0f} | {describe(r.runs[-1])} | {verdict(r)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "rows",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="ledger rows of each benchmark (default: 100000 1000000)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per size; the best counts (default 3)"
    )
    parser.add_argument("--years", type=int, default=5, help="years of books (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "out",
        help="where the books are generated (default benchmarks/out, git-ignored)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the books even if present"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs the publisher (default: this one)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds after which a run is killed (default 1800)",
    )
    parser.add_argument(
        "--repeat-limit",
        type=float,
        default=120,
        help="do not repeat a size whose run took longer than this many seconds "
        "(default 120; the target is far away then)",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each stage (import, load, every check) in one more run",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    results: list[Result] = []
    stages: dict[int, list[tuple[str, float]]] = {}
    for rows in args.rows:
        directory, stamp = books(rows, args.years, args.seed, args.out, args.regenerate)
        runs: list[Run] = []
        for number in range(1, args.runs + 1):
            run = measure(args.python, directory, args.timeout)
            runs.append(run)
            print(
                f"{rows:>12,} rows  run {number}: {run.wall:8.2f} s  "
                f"{run.peak_bytes / 2**20:8.0f} MiB  {describe(run)}",
                file=sys.stderr,
                flush=True,
            )
            if run.code is None or (run.wall > args.repeat_limit and number < args.runs):
                if number < args.runs:
                    print(
                        f"{'':>12}       not repeated (over {args.repeat_limit:g} s)",
                        file=sys.stderr,
                    )
                break
        results.append(
            Result(rows, stamp["files"], stamp["bytes"], stamp["private_counterparties"], runs)
        )
        if args.breakdown:
            stages[rows] = breakdown(args.python, directory)

    print()
    print(table(results))
    print()
    print(
        f"Target: {TARGET_ROWS:,} rows checked in at most {TARGET_SECONDS:g} s with at most "
        f"{TARGET_MIB / 1024:g} GiB peak memory. Wall time includes interpreter start and imports; "
        "peak is the child's max RSS; bytes are the ledgers' CSV files."
    )
    if stages:
        sizes = list(stages)
        names = list(dict.fromkeys(name for rows in sizes for name, _ in stages[rows]))
        print()
        print("| stage | " + " | ".join(f"{rows:,} rows, s" for rows in sizes) + " |")
        print("| --- | " + " | ".join("---:" for _ in sizes) + " |")
        for name in names:
            cells = [dict(stages[rows]).get(name) for rows in sizes]
            print(
                f"| {name} | " + " | ".join("" if c is None else f"{c:.3f}" for c in cells) + " |"
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "rows": r.rows,
                        "files": r.files,
                        "bytes": r.bytes,
                        "private_counterparties": r.private_counterparties,
                        "best_seconds": r.best,
                        "peak_mib": r.peak_mib,
                        "runs": [
                            {
                                "seconds": run.wall,
                                "peak_bytes": run.peak_bytes,
                                "exit": run.code,
                                "errors": run.errors,
                                "warnings": run.warnings,
                                "codes": run.codes,
                            }
                            for run in r.runs
                        ],
                    }
                    for r in results
                ]
                + ([{"breakdown": {str(k): v for k, v in stages.items()}}] if stages else []),
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    failed = [run for r in results for run in r.runs if run.errors or run.code is None]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
