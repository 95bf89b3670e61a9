"""The ledgers already in the repository, appending imported rows, and the atomic write.

An import only ever appends: the target ledger's header and existing rows are kept byte for
byte, and the new rows follow in the header's own column order, in the repository's dialect.
Files are replaced atomically (a temporary file in the same directory, flushed to disk, then
renamed over the old one), so a crash or a full disk leaves either the old file or the new one,
never half of one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from publisher.accounts import Accounts
from publisher.cooperative import LEDGERS_DIR, Cooperative, find_csv_files
from publisher.ledger import LEDGER
from publisher.money import format_minor
from publisher.problems import Problem, problem


class CannotImport(Exception):
    """The import cannot run at all: a missing file, a directory that is not a cooperative,
    a target or an option that cannot be used. Bad data is reported as problems instead."""


def resolve_target(root: Path, into: str) -> tuple[str, Path]:
    """(path relative to the cooperative, absolute path) of the ledger to import into."""
    candidate = Path(into)
    path = candidate if candidate.is_absolute() else root / candidate
    ledgers = (root / LEDGERS_DIR).resolve()
    resolved = path.resolve()
    if resolved.parent != ledgers:
        raise CannotImport(
            f"--into {into}: the target must be a file directly in {LEDGERS_DIR}/, such as "
            f"{LEDGERS_DIR}/bank.csv, so that the publisher reads it as a ledger."
        )
    name = resolved.name
    lowered = name.lower()
    if lowered.startswith(".") or not name.endswith(".csv"):  # as publisher check reads them
        raise CannotImport(
            f"--into {into}: a ledger's name ends with a lower-case .csv and does not start with a dot."
        )
    if lowered.startswith("budget") or lowered == "balances.csv":
        raise CannotImport(
            f"--into {into}: files named budget*.csv and balances.csv are budgets and balance "
            "assertions, not ledgers; choose another name."
        )
    if resolved.exists() and not resolved.is_file():
        raise CannotImport(f"--into {into} is not a file.")
    return f"{LEDGERS_DIR}/{name}", resolved


def normalize_description(text: str) -> str:
    """One line: runs of spaces, tabs and newlines become one space."""
    return " ".join(text.split())


Key = tuple[pd.Timestamp, int, str]


@dataclass
class Existing:
    """What the ledgers already hold, for recognizing rows imported before."""

    #: id -> (path, line, amount in minor units or None when unreadable)
    ids: dict[str, tuple[str, int, int | None]] = field(default_factory=dict)
    #: (date, amount, description) of every readable row, and of those without an id
    keys: Counter[Key] = field(default_factory=Counter)
    keys_without_id: Counter[Key] = field(default_factory=Counter)


def _blank(path: Path) -> bool:
    """An empty file (or only spaces and newlines): a ledger about to be started."""
    return path.stat().st_size < 4096 and not path.read_bytes().strip()


def read_existing(cooperative: Cooperative) -> tuple[Existing, list[Problem]]:
    """Every ledger row's id and (date, amount, description); a ledger whose rows cannot be
    read at all is an error, because its rows could then be imported a second time."""
    problems: list[Problem] = []
    root = cooperative.root
    for path in find_csv_files(root / LEDGERS_DIR).ledgers:
        relative = path.relative_to(root).as_posix()
        if _blank(path):
            continue
        table = cooperative.tables.get(relative)
        missing = [] if table is None else [c for c in LEDGER.required if c not in table.header]
        if table is None or not table.readable or missing:
            problems.append(
                problem(
                    "import-ledger-unreadable",
                    relative,
                    1 if table is not None and table.readable else None,
                    "The rows of this ledger cannot be read (run publisher check to see why), so "
                    "the import cannot tell which rows it already holds. Fix it, then import "
                    "again.",
                )
            )
    existing = Existing()
    ledger = cooperative.ledger
    if not len(ledger) or "id" not in ledger.columns:
        return existing, problems
    frame = ledger[["path", "line", "date", "amount", "description", "id"]]
    for path, line, date, amount, description, row_id in frame.itertuples(index=False):
        readable = not pd.isna(amount) and not pd.isna(date)
        value = int(amount) if not pd.isna(amount) else None
        if row_id:
            existing.ids.setdefault(row_id, (str(path), int(line), value))
        if readable:
            key = (pd.Timestamp(date), int(amount), normalize_description(description))
            existing.keys[key] += 1
            if not row_id:
                existing.keys_without_id[key] += 1
    return existing, problems


@dataclass(frozen=True)
class Target:
    """The ledger rows are appended to: its bytes (None when it does not exist yet) and header."""

    relative: str
    path: Path
    data: bytes | None
    header: list[str]


def read_target(cooperative: Cooperative, relative: str, path: Path) -> Target:
    if not path.exists() or _blank(path):
        return Target(relative, path, None, list(LEDGER.columns))
    table = cooperative.tables.get(relative)
    header = table.header if table is not None else list(LEDGER.columns)
    return Target(relative, path, path.read_bytes(), header)


def missing_target_columns(target: Target, needed: set[str]) -> list[str]:
    return [name for name in LEDGER.columns if name in needed and name not in target.header]


def render_rows(target: Target, rows: list[dict[str, str]], accounts: Accounts) -> bytes:
    """The target's bytes with `rows` (ledger column -> text) appended in its column order."""
    data = target.data or b""
    newline = "\r\n" if data.split(b"\n", 1)[0].endswith(b"\r") else "\n"
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=accounts.dialect.delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL
    )
    if target.data is None:
        writer.writerow(target.header)
    seen: set[str] = set()
    positions = []
    for name in target.header:  # a repeated column name is filled once, where it first appears
        positions.append(name if name not in seen else "")
        seen.add(name)
    for row in rows:
        writer.writerow([row.get(name, "") if name else "" for name in positions])
    if data and not data.endswith((b"\n", b"\r")):
        data += newline.encode()
    return data + out.getvalue().encode("utf-8")


def amount_text(minor: int, accounts: Accounts) -> str:
    text = format_minor(minor, accounts.minor_units)
    return text.replace(".", accounts.dialect.decimal)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: all of it or nothing, even if the machine stops midway."""
    directory = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        else:  # mkstemp creates the file private; a new ledger gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable, where the OS allows
        directory_descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)
