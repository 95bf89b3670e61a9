"""`publisher serve`: a live preview that rebuilds when a ledger changes (a real server)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import LEDGER_HEADER, write_coop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(root: Path, output: IO[str] | int = subprocess.DEVNULL) -> Iterator[str]:
    """`publisher serve ROOT` on a free local port, stopped afterwards; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", str(root), "--address", f"127.0.0.1:{port}"],
        stdout=output,
        stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch_until(url: str, expected: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if expected in last:
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {expected!r}; last answer began {last[:200]!r}")


def test_serve_rebuilds_when_a_ledger_changes(tmp_path):
    ledger = tmp_path / "ledgers" / "2026.csv"
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
        },
    )
    with serving(tmp_path) as base:
        url = f"{base}/finances/2026/"
        fetch_until(url, "€12.50")
        ledger.write_text(
            LEDGER_HEADER
            + "2026-01-05,Dues,12.50,dues,,,,,\n2026-01-06,Grant,1000.00,grants,,,,,\n",
            encoding="utf-8",
        )
        fetch_until(url, "€1,012.50")


def get(url: str) -> tuple[int, str]:
    """One request, bounded: a preview that hangs fails the test instead of stalling it."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def test_serve_shows_the_problems_in_the_browser_until_the_books_are_fixed(tmp_path):
    ledger = tmp_path / "ledgers" / "2026.csv"
    # The problem's message quotes the cell, markup and all: the page must show it as text.
    broken = LEDGER_HEADER + "2026-01-05,Dues,<b>12</b>,dues,,,,,\n"
    write_coop(
        tmp_path, {"ledgers/2026.csv": broken, "content/index.md": "# Home of the workshop\n"}
    )
    old_site = tmp_path / "site"
    old_site.mkdir()
    (old_site / "index.html").write_text("the site already published", encoding="utf-8")
    output = tmp_path.parent / f"{tmp_path.name}-serve.log"
    with output.open("w", encoding="utf-8") as log, serving(tmp_path, log) as base:
        fetch_until(f"{base}/", "amount-invalid")
        for path in ("/", "/finances/2026/", "/no/such/page/"):
            status, text = get(base + path)
            assert status == 200, path
            assert "ledgers/2026.csv:2:17" in text and 'data-code="amount-invalid"' in text, path
            assert "&lt;b&gt;12&lt;/b&gt;" in text and "<b>12</b>" not in text, path
            assert "/livereload/" in text, path  # the page reloads itself when the books change
        assert "ledgers/2026.csv:2:17: error: [amount-invalid]" in output.read_text(
            encoding="utf-8"
        )

        ledger.write_text(LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n", encoding="utf-8")
        home = fetch_until(f"{base}/", "Home of the workshop")
        assert "amount-invalid" not in home
        status, year = get(f"{base}/finances/2026/")
        assert status == 200 and "€12.50" in year

        ledger.write_text(broken, encoding="utf-8")  # broken again: the problems come back
        fetch_until(f"{base}/finances/2026/", "amount-invalid")
    assert sorted(p.name for p in old_site.iterdir()) == ["index.html"]
    assert (old_site / "index.html").read_text(encoding="utf-8") == "the site already published"


def test_serve_shows_why_the_site_could_not_be_built_and_recovers(tmp_path):
    # The books are fine, but the cooperative's own mkdocs.yml loses the publisher plugin while
    # the preview runs: MkDocs cannot build, and the preview says why instead of hanging.
    config = tmp_path / "mkdocs.yml"
    with_plugin = "site_name: Test Workshop\ndocs_dir: content\ntheme: {name: material}\nplugins: [search, publisher]\n"
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home of the workshop\n",
            "mkdocs.yml": with_plugin,
        },
    )
    with serving(tmp_path) as base:
        fetch_until(f"{base}/", "Home of the workshop")
        config.write_text(with_plugin.replace(", publisher", ""), encoding="utf-8")
        fetch_until(f"{base}/", "does not enable the publisher plugin")
        status, text = get(f"{base}/finances/2026/")
        assert status == 200 and "does not enable the publisher plugin" in text
        config.write_text(with_plugin, encoding="utf-8")
        fetch_until(f"{base}/finances/2026/", "€12.50")


def test_serve_on_an_address_in_use_says_so_and_exits_2(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
        },
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "publisher",
                "serve",
                str(tmp_path),
                "--address",
                f"127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_open_problems_page_turns_into_the_site_by_itself(tmp_path):
    """In a real browser: the page listing the problems reloads itself once the books are fixed."""
    from playwright.sync_api import sync_playwright

    from tests.sitetools import CHROMIUM, CHROMIUM_ARGS

    ledger = tmp_path / "ledgers" / "2026.csv"
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.5O,dues,,,,,\n",
            "content/index.md": "# Home of the workshop\n",
        },
    )
    with serving(tmp_path) as base:
        url = f"{base}/finances/2026/"
        fetch_until(url, "amount-invalid")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url, wait_until="load")
            assert page.locator('[data-code="amount-invalid"]').count() == 1
            ledger.write_text(LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n", encoding="utf-8")
            # No goto: the live-reload script of the problems page brings the year's page.
            page.wait_for_function("document.body.innerText.includes('€12.50')", timeout=60_000)
            assert page.locator('[data-code="amount-invalid"]').count() == 0
            browser.close()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
@pytest.mark.parametrize("folder", ["content", "pages"])
def test_serve_refuses_a_named_pipe_among_the_pages_and_says_so(tmp_path, engine, folder):
    if engine == "zensical":
        pytest.importorskip("zensical")
    files = {
        "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
        f"{folder}/index.md": "# Home\n",
    }
    if folder != "content":  # mkdocs.yml's own docs_dir: the folder both engines read
        files["mkdocs.yml"] = (
            f"site_name: Pipes\ndocs_dir: {folder}\nplugins: [search, publisher]\n"
        )
    write_coop(tmp_path, files)
    os.mkfifo(tmp_path / folder / "notes.md")  # reading it would wait for a writer forever
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "publisher",
            "serve",
            str(tmp_path),
            "--address",
            f"127.0.0.1:{free_port()}",
            "--engine",
            engine,
        ],
        capture_output=True,
        text=True,
        timeout=120,  # a preview that waits for the pipe's writer fails here
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"The pages in {tmp_path / folder} hold files that are not regular files" in (
        result.stderr
    )
    assert "(notes.md: a named pipe" in result.stderr
    assert "Traceback" not in result.stderr
