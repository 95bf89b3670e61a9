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
import datetime as dt
import io
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from publisher.accounts import Accounts
from publisher.cooperative import LEDGERS_DIR, Cooperative, find_csv_files
from publisher.i18n import _
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
            _(
                "--into {into}: the target must be a file directly in {ledgers_dir}/, such as "
                "{ledgers_dir}/bank.csv, so that the publisher reads it as a ledger."
            ).format(into=into, ledgers_dir=LEDGERS_DIR)
        )
    name = resolved.name
    lowered = name.lower()
    if lowered.startswith(".") or not name.endswith(".csv"):  # as publisher check reads them
        raise CannotImport(
            _(
                "--into {into}: a ledger's name ends with a lower-case .csv and does not start with a dot."
            ).format(into=into)
        )
    if lowered.startswith("budget") or lowered == "balances.csv":
        raise CannotImport(
            _(
                "--into {into}: files named budget*.csv and balances.csv are budgets and balance "
                "assertions, not ledgers; choose another name."
            ).format(into=into)
        )
    if resolved.exists() and not resolved.is_file():
        raise CannotImport(_("--into {into} is not a file.").format(into=into))
    return f"{LEDGERS_DIR}/{name}", resolved


def normalize_description(text: str) -> str:
    """One line: runs of spaces, tabs and newlines become one space."""
    return " ".join(text.split())


Key = tuple[dt.date, int, str]


@dataclass(frozen=True)
class LedgerRow:
    """A readable row already in the ledgers, as the import compares it with new rows."""

    path: str
    line: int
    date: dt.date
    amount: int  # minor units
    description: str
    fund: str  # as written: empty when the row names no fund
    id: str
    kind: str  # of its category; empty when accounts.yml does not declare it

    @property
    def key(self) -> Key:
        """What a bank row without a reference is recognized by: date, amount, description."""
        return (self.date, self.amount, normalize_description(self.description))


@dataclass
class Existing:
    """What the ledgers already hold, for recognizing rows imported before."""

    #: id -> (path, line, amount in minor units or None when unreadable)
    ids: dict[str, tuple[str, int, int | None]] = field(default_factory=dict)
    #: every row with a readable date and amount, in the order of the ledgers
    rows: list[LedgerRow] = field(default_factory=list)


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
                    _(
                        "The rows of this ledger cannot be read (run publisher check to see why), so "
                        "the import cannot tell which rows it already holds. Fix it, then import "
                        "again."
                    ),
                )
            )
    existing = Existing()
    ledger = cooperative.ledger
    if not len(ledger) or "id" not in ledger.columns:
        return existing, problems
    written_funds = _written_funds(cooperative)
    frame = ledger[["path", "line", "date", "amount", "description", "id", "kind"]]
    for path, line, date, amount, description, row_id, kind in frame.itertuples(index=False):
        readable = not pd.isna(amount) and not pd.isna(date)
        value = int(amount) if not pd.isna(amount) else None
        if row_id:
            existing.ids.setdefault(row_id, (str(path), int(line), value))
        if readable:
            existing.rows.append(
                LedgerRow(
                    path=str(path),
                    line=int(line),
                    date=pd.Timestamp(date).date(),
                    amount=int(amount),
                    description=str(description),
                    fund=written_funds.get((str(path), int(line)), ""),
                    id=str(row_id),
                    kind=kind if isinstance(kind, str) else "",
                )
            )
    return existing, problems


def _written_funds(cooperative: Cooperative) -> dict[tuple[str, int], str]:
    """(path, line) -> the fund cell as written. The ledger frame has already put the default
    fund into empty cells; the import needs to know which rows named no fund at all."""
    funds: dict[tuple[str, int], str] = {}
    for relative, table in cooperative.tables.items():
        if not table.readable or "fund" not in table.frame.columns:
            continue
        for line, fund in zip(table.frame["line"].tolist(), table.frame["fund"].tolist()):
            text = str(fund).strip() if isinstance(fund, str) else ""
            if text:
                funds[(relative, int(line))] = text
    return funds


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
