"""Helpers for the site tests: building real sites, serving them on localhost, a real Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def copy_example(target: Path) -> Path:
    """The example cooperative (books, pages, mkdocs.yml) copied into `target`."""
    for name in ("ledgers", "content"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve `directory` on an ephemeral localhost port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_text_files(site: Path) -> Iterator[tuple[Path, str]]:
    """Every text file of a built site (the plotly bundle included), decoded."""
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {
            ".html",
            ".json",
            ".csv",
            ".xml",
            ".js",
            ".txt",
            ".css",
        }:
            yield path, path.read_text(encoding="utf-8", errors="replace")
