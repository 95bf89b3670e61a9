"""`publisher serve`: a live preview that rebuilds when a ledger changes (a real server)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.conftest import LEDGER_HEADER, write_coop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n", "content/index.md": "# Home\n"})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", str(tmp_path), "--address", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/finances/2026/"
        fetch_until(url, "€12.50")
        ledger.write_text(LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n2026-01-06,Grant,1000.00,grants,,,,,\n", encoding="utf-8")
        fetch_until(url, "€1,012.50")
    finally:
        server.terminate()
        server.wait(timeout=10)
