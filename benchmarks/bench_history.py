"""Benchmark the history of the books: provenance and changelog over thousands of commits.

    .venv/bin/python benchmarks/bench_history.py [--commits 3000] [--rows-per-commit 5]

Creates a real git repository with `git fast-import` (seconds, even for thousands of commits):
every commit appends a few rows to the year's ledger, every tenth also corrects an earlier row
(a changed row), every fiftieth deletes one. Then it times reading the whole history
(`read_history`: one `git log -p` replayed in Python) and the provenance of every row of today's
ledgers, and checks that the row counts come out right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from publisher.cooperative import load_cooperative
from publisher.history import read_history, row_provenance

HEADER = "date,description,amount,category,fund,counterparty,decision,id,note\n"
ACCOUNTS = """name: History Benchmark
currency: EUR
funds: {general: Day-to-day, commons: Common fund}
categories:
  dues: {kind: income}
  rent: {kind: expense}
  tools: {kind: expense}
"""


def fast_import_stream(
    commits: int, per_commit: int, seed: int
) -> tuple[bytes, dict[str, list[str]]]:
    """A fast-import stream, and the final content of each ledger file (lines without header)."""
    rng = random.Random(seed)
    files: dict[str, list[str]] = {}
    out: list[bytes] = []
    start = dt.datetime(2016, 1, 1, 12, tzinfo=dt.UTC)
    next_id = 1

    def blob(mark: int, text: str) -> None:
        data = text.encode()
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))

    mark = 1
    blob(mark, ACCOUNTS)
    accounts_mark = mark
    for number in range(commits):
        when = start + dt.timedelta(days=number * 3650 // commits)
        path = f"ledgers/{when.year}.csv"
        rows = files.setdefault(path, [])
        for _ in range(per_commit):
            day = when.date().isoformat()
            category, sign = rng.choice([("dues", 1), ("rent", -1), ("tools", -1)])
            amount = f"{sign * rng.randint(100, 90000) / 100:.2f}"
            rows.append(f"{day},Movement {next_id},{amount},{category},,,,r{next_id},")
            next_id += 1
        if number % 10 == 9 and len(rows) > per_commit:
            index = rng.randrange(len(rows) - per_commit)
            cells = rows[index].split(",")
            cells[1] = cells[1] + " (corrected)"
            rows[index] = ",".join(cells)
        if number % 50 == 49 and len(rows) > per_commit:
            del rows[rng.randrange(len(rows) - per_commit)]
        mark += 1
        blob(mark, HEADER + "\n".join(rows) + "\n")
        stamp = int(when.timestamp())
        message = f"Books of {when.date().isoformat()}".encode()
        out.append(
            b"commit refs/heads/main\ncommitter Treasurer <treasurer@example.org> %d +0000\n"
            b"data %d\n%s\n" % (stamp, len(message), message)
        )
        if number == 0:
            out.append(b"M 100644 :%d ledgers/accounts.yml\n" % accounts_mark)
        out.append(b"M 100644 :%d %s\n\n" % (mark, path.encode()))
    return b"".join(out), files


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--rows-per-commit", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        stream, files = fast_import_stream(args.commits, args.rows_per_commit, args.seed)
        started = time.perf_counter()
        subprocess.run(["git", "fast-import", "--quiet"], input=stream, cwd=root, check=True)
        subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)
        made = time.perf_counter() - started
        rows = sum(len(lines) for lines in files.values())
        cooperative, problems = load_cooperative(root)
        assert cooperative is not None and not problems, problems[:3]
        started = time.perf_counter()
        history = read_history(cooperative)
        replayed = time.perf_counter() - started
        started = time.perf_counter()
        provenance = row_provenance(cooperative, history)
        mapped = time.perf_counter() - started
        assert history.available, history.reason
        assert len(provenance) == rows and all(c is not None for c in provenance.values())
        changes = sum(len(c.changes) for c in history.changesets)
        print(
            f"{args.commits:,} commits, {rows:,} rows today, {changes:,} row changes in the history"
        )
        print(f"repository made with fast-import in {made:.2f} s")
        print("| step | seconds |\n| --- | ---: |")
        print(f"| read and replay the history (one git log -p) | {replayed:.2f} |")
        print(f"| provenance of every row of today's ledgers | {mapped:.2f} |")


if __name__ == "__main__":
    main()
