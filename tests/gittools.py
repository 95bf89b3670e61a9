"""Real git repositories for the tests: commits with a fixed identity and fixed dates.

Nothing here is mocked: every helper runs the `git` executable in a temporary directory. The
identity and the dates are fixed so that a test can assert on what a commit's date will be; the
user's own configuration is ignored, so a signing key or an alias cannot change the outcome.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

IDENTITY = [
    "-c",
    "user.name=Treasurer",
    "-c",
    "user.email=treasurer@example.org",
    "-c",
    "commit.gpgsign=false",
]


def _env(date: str | None = None) -> dict[str, str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return env


def git(root: Path, *args: str, date: str | None = None, stdin: bytes | None = None) -> str:
    """Run git in `root` and return what it printed (raises when git fails)."""
    result = subprocess.run(
        ["git", *IDENTITY, *args],
        cwd=root,
        env=_env(date),
        input=stdin,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def init_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def stamp(day: str, time: str = "12:00:00") -> str:
    """A fixed commit date in UTC, as git reads it from GIT_COMMITTER_DATE."""
    return f"{day}T{time}+00:00"


def commit(
    root: Path,
    message: str,
    day: str,
    files: dict[str, str] | None = None,
    remove: Iterable[str] = (),
) -> str:
    """Write `files` (paths relative to `root`), delete `remove`, stage everything and commit it
    on `day` (YYYY-MM-DD, noon UTC). Returns the commit's full sha."""
    for relative, content in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
    for relative in remove:
        (root / relative).unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, date=stamp(day))
    return rev(root)


def rev(root: Path, revision: str = "HEAD") -> str:
    return git(root, "rev-parse", revision).strip()


def short(root: Path, revision: str = "HEAD") -> str:
    """The seven-character short sha, as the publisher prints it."""
    return git(root, "rev-parse", "--short=7", revision).strip()


def shallow_clone(source: Path, target: Path) -> Path:
    """A clone of `source` with only its last commit, as CI checkouts make by default."""
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", source.resolve().as_uri(), str(target)],
        env=_env(),
        capture_output=True,
        check=True,
    )
    return target


def fast_import(root: Path, commits: list[tuple[str, dict[str, str]]], start: dt.datetime) -> None:
    """Make many commits at once with `git fast-import`: each item is (message, files written by
    that commit); commit n is dated `start` + n days. The branch main is checked out after."""
    out: list[bytes] = []
    for number, (message, files) in enumerate(commits):
        when = int((start + dt.timedelta(days=number)).timestamp())
        text = message.encode()
        out.append(
            b"commit refs/heads/main\ncommitter Treasurer <treasurer@example.org> %d +0000\n"
            b"data %d\n%s\n" % (when, len(text), text)
        )
        for path, content in files.items():
            data = content.encode()
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        out.append(b"\n")
    git(root, "fast-import", "--quiet", stdin=b"".join(out))
    git(root, "checkout", "-q", "main")
