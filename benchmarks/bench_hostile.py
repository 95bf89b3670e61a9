"""Benchmark the worst case of every bounded thing: what a hostile repository can make a build cost.

    python benchmarks/bench_hostile.py [--rows 1000000] [--deadline 2] [--only NAME ...]

Each case writes its input under benchmarks/out/hostile/NAME/ and runs in a fresh interpreter,
started by a small wrapper that times it and reads its peak resident memory
(getrusage(RUSAGE_CHILDREN)), as bench_check.py does. The cases:

| case | what it is |
| --- | --- |
| `columns-200` | a ledger whose header has 200 columns (the most accepted), 10,000 rows |
| `columns-100000` | a header of 100,000 columns: refused (`csv-too-many-columns`) |
| `rows` | `--rows` generated rows (default 1,000,000) of valid books, checked |
| `silent-members` | a federation of 8 members at an https address that accepts and never answers, `deadline: --deadline` |
| `nested-silent` | a federation whose member is a federation of 8 such members: the parent's deadline holds |
| `markdown-1mib` | a 1 MiB Markdown page in content/, built into a site |
| `markdown-deep` | a page of 5,000 nested block quotes and 400 nested list items (170 KiB): refused (`page-too-deep`) |
| `markdown-brackets` | a page of 30,000 opening brackets: refused (`page-too-deep`) |
| `heading-spaces` | a story and a page whose heading is `#` and 5,000 spaces, built |
| `content-5000-pages` | 5,000 small pages and four Markdown files of 10 MB under content/, checked (the loader keeps every text in memory) |
| `content-over-total` | 40 Markdown files of 15 MB under content/ (600 MB of text), checked: refused (`content-too-large`) once 256 MiB are read |

Prints a Markdown table: wall time, peak memory, and the outcome (the problem codes, or "built").
The figures are what the code does today: nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out" / "hostile"
sys.path.insert(0, str(HERE))

_WRAPPER = r"""
import json, resource, subprocess, sys, time
timeout = float(sys.argv[1])
start = time.perf_counter()
try:
    done = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as expired:
    code, out, err = None, b"", (expired.stderr or b"")
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
json.dump({"wall": wall, "peak_bytes": peak if sys.platform == "darwin" else peak * 1024, "code": code,
           "stdout": out.decode("utf-8", "replace")[-2000:], "stderr": err.decode("utf-8", "replace")[-2000:]},
          sys.stdout)
"""

# Runs inside the measured interpreter: check (or build) DIR and print what came out.
_CHECK = r"""
import datetime as dt, sys
from collections import Counter
from publisher.cooperative import check_cooperative
_, problems = check_cooperative(sys.argv[1], today=dt.date(2026, 11, 21))
print(dict(Counter(p.code for p in problems if p.is_error)) or "no errors")
"""
_BUILD = r"""
import datetime as dt, sys
from collections import Counter
from publisher.site.build import build_site
result = build_site(sys.argv[1], sys.argv[2], today=dt.date(2026, 11, 21))
errors = Counter(p.code for p in result.problems if p.is_error)
print("built" if result.site_dir else dict(errors))
"""
_FEDERATION = r"""
import datetime as dt, sys
from collections import Counter
from publisher.federation import load_federation
federation = load_federation(sys.argv[1], today=dt.date(2026, 11, 21))
print(dict(Counter(m.status for m in federation.members)), "|", federation.members[0].reason[:90])
"""

ACCOUNTS = """\
name: Hostile Workshop
currency: EUR
categories:
  dues: {kind: income}
  rent: {kind: expense}
"""
HEADER = "date,description,amount,category"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
    return root


def cooperative(name: str, files: dict[str, str]) -> Path:
    base = {
        "ledgers/accounts.yml": ACCOUNTS,
        "ledgers/2026.csv": HEADER + "\n2026-01-05,Dues,12.50,dues\n",
        "content/index.md": "# Home\n",
    }
    return write(OUT / name, {**base, **files})


def case_columns(count: int, rows: int) -> tuple[str, list[str]]:
    extra = [f"x{i}" for i in range(count - 4)]
    header = ",".join([HEADER, *extra]) + "\n"
    # Distinct descriptions: identical rows would be double entries, and the case is the widest
    # valid ledger.
    body = "".join(f"2026-01-05,Dues {i},12.50,dues" + "," * len(extra) + "\n" for i in range(rows))
    root = cooperative(f"columns-{count}", {"ledgers/2026.csv": header + body})
    return _CHECK, [str(root)]


def case_rows(rows: int) -> tuple[str, list[str]]:
    import generate

    root = OUT / f"rows-{rows}"
    if not (root / "ledgers" / "accounts.yml").is_file():
        generate.generate(root, rows=rows, years=5, seed=1)
    return _CHECK, [str(root)]


def _silent_federation(root: Path, port: int, deadline: int | None) -> Path:
    members = "".join(
        f"  - id: silent-{n}\n    repo: https://127.0.0.1:{port}/silent-{n}.git\n    ref: main\n"
        for n in range(8)
    )
    text = "name: Silent\ncurrency: EUR\n" + (f"deadline: {deadline}\n" if deadline else "")
    text += "categories:\n  dues: {kind: income}\nmembers:\n" + members
    return write(root, {"federation.yml": text})


def case_silent(port: int, deadline: int) -> tuple[str, list[str]]:
    return _FEDERATION, [str(_silent_federation(OUT / "silent-members", port, deadline))]


def case_nested(port: int, deadline: int) -> tuple[str, list[str]]:
    root = OUT / "nested-silent"
    _silent_federation(root / "inner", port, None)  # its own deadline is the default, 10 minutes
    text = (
        f"name: Parent\ncurrency: EUR\ndeadline: {deadline}\ncategories:\n  dues: {{kind: income}}\n"
        "members:\n  - id: inner\n    path: inner\n"
    )
    write(root, {"federation.yml": text})
    return _FEDERATION, [str(root)]


def case_markdown(name: str, page: str, story: str | None = None) -> tuple[str, list[str]]:
    files = {"content/page.md": page}
    if story is not None:
        files["content/stories/index.md"] = "# Stories\n"
        files["content/stories/posts/a.md"] = "---\ndate: 2026-01-01\n---\n" + story
    root = cooperative(name, files)
    return _BUILD, [str(root), str(OUT / f"{name}-site")]


def case_content(name: str, small: int, large: int, large_bytes: int) -> tuple[str, list[str]]:
    root = OUT / name
    if not (root / "ledgers" / "accounts.yml").is_file():
        line = "A long paragraph of minutes with words and more words. " * 18 + "\n"
        files = {
            f"content/pages/p{i:04d}.md": f"# Page {i}\n\nTool {i}, repaired.\n"
            for i in range(small)
        }
        big = "# Big\n\n" + line * (large_bytes // len(line))
        files |= {f"content/big{i:02d}.md": big for i in range(large)}
        cooperative(name, files)
    return _CHECK, [str(root)]


def measure(code: str, arguments: list[str], timeout: float) -> dict:
    command = [sys.executable, "-c", code, *arguments]
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(timeout), *command],
        capture_output=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--deadline", type=int, default=2, help="the silent federation's deadline: (seconds)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="give up on one case after this many seconds"
    )
    parser.add_argument("--only", nargs="*", default=None, help="run only these cases")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)

    # The silent server: the kernel completes every TCP handshake; nobody reads or writes.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(128)
    port = silent.getsockname()[1]
    paragraph = (
        "A paragraph of a long page, with *emphasis*, `code` and [a link](index.md). " * 12 + "\n\n"
    )
    cases = {
        "columns-200": lambda: case_columns(200, 10_000),
        "columns-100000": lambda: case_columns(100_000, 1),
        "rows": lambda: case_rows(args.rows),
        "silent-members": lambda: case_silent(port, args.deadline),
        "nested-silent": lambda: case_nested(port, args.deadline),
        "markdown-1mib": lambda: case_markdown(
            "markdown-1mib", "# Long\n\n" + paragraph * ((1 << 20) // len(paragraph))
        ),
        "markdown-deep": lambda: case_markdown(
            "markdown-deep",
            "# Deep\n\n"
            + "> " * 5000
            + "quote\n\n"
            + "".join("  " * i + "- item\n" for i in range(400)),
        ),
        "markdown-brackets": lambda: case_markdown(
            "markdown-brackets", "# Brackets\n\n" + "[" * 30_000 + "\n"
        ),
        "heading-spaces": lambda: case_markdown(
            "heading-spaces", "#" + " " * 5000 + "x\n", "#" + " " * 5000 + "\n"
        ),
        "content-5000-pages": lambda: case_content("content-5000-pages", 5000, 4, 10_000_000),
        "content-over-total": lambda: case_content("content-over-total", 0, 40, 15_000_000),
    }
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores\n")
    print("| case | wall (s) | peak (MiB) | outcome |\n| --- | ---: | ---: | --- |")
    try:
        for name, make in cases.items():
            if args.only and name not in args.only:
                continue
            code, arguments = make()
            result = measure(code, arguments, args.timeout)
            if result["code"] is None:
                outcome = f"gave up after {args.timeout:.0f} s"
            elif result["code"] != 0:
                outcome = "failed: " + (result["stderr"].strip().splitlines() or ["?"])[-1][:120]
            else:
                outcome = result["stdout"].strip().replace("|", "/")[:160]
            print(
                f"| {name} | {result['wall']:.2f} | {result['peak_bytes'] / (1 << 20):.0f} | {outcome} |",
                flush=True,
            )
    finally:
        silent.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
