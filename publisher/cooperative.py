"""A cooperative's repository, loaded: the entry point of the core.

`load_cooperative` reads every file and the history of the books (git) into one frozen
`Cooperative` and reports what it cannot read; `check_cooperative` then runs every check
(publisher.checks) on that record, and the checks read nothing more. Neither raises for bad
data: only a directory that is not a cooperative at all raises `NotACooperative`.
"""

from __future__ import annotations

import codecs
import contextvars
import dataclasses
import datetime as dt
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

import publisher.assets as assets_module
import publisher.ledger as ledger_module
import publisher.measures as measures_module
from publisher.governance import Governance, read_governance
from publisher.accounts import ACCOUNTS_PATH, Accounts, parse_accounts
from publisher.checks import run_checks
from publisher.csvfile import LINE, MAX_CSV_BYTES, Table, read_table
from publisher.history import History, ever_closed, read_history
from publisher.privacy import TEXT_FILES as PUBLISHED_TEXT_FILES
from publisher.privacy import NameFinder, private_names
from publisher.i18n import _
from publisher.problems import Problem, problem
from publisher.rowchanges import Row
from publisher.workbook import is_workbook_name, read_workbook
from publisher.yamlfile import load_yaml, value_line

LEDGERS_DIR = "ledgers"
CONTENT_DIR = "content"
READ_WORKERS = 2
BALANCES_FILE = "balances.csv"
#: Rows across every CSV file of the books: more is refused before it could stall a build.
MAX_BOOK_ROWS = 5_000_000
#: A YAML or Markdown file larger than this is not read at all (YAML stops at 1 MiB anyway).
MAX_TEXT_BYTES = 16 << 20
#: The text files under content/ are kept in memory for the checks and the site: at most this
#: many bytes of them in all (as a federation's member may hold), so that memory is bounded.
MAX_CONTENT_TEXT_BYTES = 256 << 20
#: The files under content/ the publisher decodes (MkDocs would fail on any of them).
TEXT_SUFFIXES = (".md", ".markdown", ".yml", ".yaml")


class NotACooperative(Exception):
    """The directory cannot be read as a cooperative at all (it, or accounts.yml, is missing)."""


#: When the loader reads the history of the books (one `git log -p` of ledgers/): "always";
#: "if-closed", only when a period is or ever was closed (all the checks need: `publisher
#: check` skips the git log for books never closed); "never" (an import needs no history).
HistoryReading = Literal["always", "if-closed", "never"]


class HistoryNotRead(Exception):
    """`Cooperative.history()` of a cooperative loaded without its history: a program error."""


@dataclass(frozen=True)
class Cooperative:
    root: Path
    accounts: Accounts
    ledger: pd.DataFrame
    budget: pd.DataFrame
    balances: pd.DataFrame
    today: dt.date
    #: the rows of ledgers/measures.csv (see publisher.measures)
    measures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"path": [], "line": []}))
    #: the rows of ledgers/assets.csv (see publisher.assets)
    assets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"path": [], "line": []}))
    governance: Governance = field(default_factory=Governance)
    tables: dict[str, Table] = field(default_factory=dict, repr=False)
    #: the line of closed_through in accounts.yml (None: not written there)
    closed_through_line: int | None = None
    #: whether the books are closed now, or accounts.yml ever said closed_through in git
    ever_closed: bool = False
    #: the history of the books, as the loader read it (None: not read, see HistoryReading)
    books_history: History | None = field(default=None, repr=False)
    #: the finder of the private counterparties' names, which checks and pages share
    private_name_finder: NameFinder = field(default_factory=lambda: NameFinder([]), repr=False)
    #: every regular file under content/, in the order of their paths (see read_content)
    content: tuple[ContentFile, ...] = field(default=(), repr=False)

    def locate(self, path: str, line: int, column: str) -> tuple[int, int | None]:
        """Physical (line, column) of a cell, for problem reports."""
        table = self.tables.get(path)
        return table.position(line, column) if table else (line, None)

    def column_letter(self, path: str, column: str) -> str | None:
        """The spreadsheet letter of a column of a CSV file ("C"), for problem reports."""
        table = self.tables.get(path)
        return table.column_letter(column) if table else None

    def history(self) -> History:
        """The history of the books, as the loader read it; raises HistoryNotRead when the
        cooperative was loaded without it (`history="never"`, or "if-closed" on books never
        closed)."""
        if self.books_history is None:
            raise HistoryNotRead("the cooperative was loaded without the history of its books")
        return self.books_history

    def locate_row(self, row: Row) -> int | None:
        """The line where a row (publisher.history.Row) stands in today's file, if it does."""
        table = self.tables.get(row.path)
        if table is None or not len(table.frame):
            return None
        frame = table.frame
        ident = row.get("id")
        if ident and "id" in frame.columns:
            match = frame[frame["id"].str.strip() == ident]
        else:
            match = frame
            for column in ("date", "amount", "category"):
                if column in frame.columns:
                    match = match[match[column].str.strip() == row.get(column)]
            if "description" in frame.columns:
                match = match[match["description"] == row.get("description")]
        return int(match["line"].iloc[0]) if len(match) else None


@dataclass(frozen=True)
class CsvFiles:
    ledgers: list[Path]
    budgets: list[Path]
    balances: list[Path]
    measures: list[Path] = field(default_factory=list)
    assets: list[Path] = field(default_factory=list)
    #: what under ledgers/ is not read, and why (nothing there is ignored silently)
    problems: list[Problem] = field(default_factory=list)


#: More entries than this directly under ledgers/ are refused as a whole: the work is bounded.
MAX_LEDGER_ENTRIES = 1000

#: Files under ledgers/ that are not books and are expected there: the chart of accounts, a
#: note for whoever opens the folder, and what operating systems and editors leave behind
#: (matched in lower case). Hidden files (a leading dot: .gitkeep, .DS_Store, LibreOffice's
#: .~lock.2026.csv#) and Excel's ~$ lock files are expected too, except a hidden .csv.
NOT_BOOKS = frozenset(
    {"accounts.yml", "readme.md", "readme.txt", "readme", "thumbs.db", "desktop.ini"}
)

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")  # those not read, in other cases


def book_role(name: str) -> str | None:
    """What a file directly under ledgers/ is read as: "ledger", "budget", "balances",
    "measures", "assets", or None.

    This is the one place that decides which files are books (FORMATS.md: budget*.csv,
    balances.csv, every other *.csv; and the same names as .ods or .xlsx workbooks, see
    docs/formats-notes.md).
    """
    # Excel's lock file beside an open workbook (~$2026.xlsx) is not the books.
    if name.startswith((".", "~$")) or not (name.endswith(".csv") or is_workbook_name(name)):
        return None
    # Only the extension must be lower case (a ".CSV" is refused with a hint); the roles
    # have been recognized in any case, and a "Budget.csv" must never count as a ledger.
    if name.lower().startswith("budget"):
        return "budget"
    if book_stem(name).lower() == BALANCES_FILE[: -len(".csv")]:
        return "balances"
    if book_stem(name).lower() == book_stem(measures_module.MEASURES_FILE):
        return "measures"
    if book_stem(name).lower() == book_stem(assets_module.ASSETS_FILE):
        return "assets"
    return "ledger"


def book_stem(name: str) -> str:
    """A book's name without its extension: "2026" for 2026.csv and for 2026.ods."""
    return name.rsplit(".", 1)[0] if "." in name else name


def read_book(data: bytes, relative: str, role: str, accounts: Accounts) -> Table:
    """The text cells of one book: a CSV file, or the sheet of a workbook that holds `role`."""
    if is_workbook_name(relative):
        return read_workbook(data, relative, role, accounts.dialect.decimal)
    return read_table(data, relative, accounts.dialect.delimiter)


def in_sheets(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """The problems, those in a workbook's sheet with that sheet named (for `sheet "Ledger",
    cell C12` in reports); a check need not know whether its file was a workbook."""
    sheets = {path: table.sheet for path, table in tables.items() if table.sheet is not None}
    if not sheets:
        return problems
    return [
        dataclasses.replace(p, sheet=sheets[p.path]) if p.sheet is None and p.path in sheets else p
        for p in problems
    ]


def _expected_non_book(name: str) -> bool:
    if name.lower() in NOT_BOOKS or name.startswith("~$"):
        return True
    return name.startswith(".") and not name.lower().endswith(".csv")


def _not_read_message(name: str, is_dir: bool) -> str:
    """What to do with a file of ledgers/ that the publisher does not read."""
    lowered = name.lower()
    stem = name[: name.rindex(".")] if "." in name.lstrip(".") else name
    if is_dir:
        return _(
            'The folder "{name}" is not read: the books are the files directly in ledgers/. '
            "Move its CSV files up into ledgers/, or move the folder out of ledgers/."
        ).format(name=name)
    if lowered.endswith((".ods", ".xlsx")):
        return _(
            '"{name}" is not read: only names ending in lower-case .ods or .xlsx are. Rename it to "{stem}{lowered}".'
        ).format(name=name, stem=stem, lowered=lowered[lowered.rindex(".") :])
    if lowered.endswith(_WORKBOOKS):
        return _(
            '"{name}" is a spreadsheet workbook in a format that is not read. Save it as .ods or '
            ".xlsx (without macros) in ledgers/, or save each sheet of the books as CSV UTF-8, and "
            "keep this file outside ledgers/."
        ).format(name=name)
    if name.startswith(".") and lowered.endswith(".csv"):
        return _(
            '"{name}" is a hidden file, which is not read. Rename it without the leading dot.'
        ).format(name=name)
    if lowered.endswith(".csv"):
        return _(
            '"{name}" is not read: only names ending in lower-case .csv are. Rename it to "{stem}.csv".'
        ).format(name=name, stem=stem)
    if lowered.endswith(".csv.txt"):
        return _('"{name}" is not read: rename it to "{new_name}".').format(
            name=name, new_name=name[: -len(".txt")]
        )
    if lowered.endswith((".txt", ".tsv", ".tab")):
        return _(
            '"{name}" is not read: only .csv files are. If it is a ledger, rename it to '
            '"{stem}.csv" (with the delimiter that accounts.yml sets); otherwise move it out of ledgers/.'
        ).format(name=name, stem=stem)
    return _(
        '"{name}" is not read: ledgers/ holds accounts.yml and the books as .csv files. Move '
        "it out of ledgers/ (if it is a ledger, save it as CSV UTF-8)."
    ).format(name=name)


def find_csv_files(ledgers_dir: Path) -> CsvFiles:
    """Sort the files of ledgers/ by role, and report every one that is not read."""
    ledgers: list[Path] = []
    budgets: list[Path] = []
    balances: list[Path] = []
    measures: list[Path] = []
    assets: list[Path] = []
    problems: list[Problem] = []
    folder = f"{LEDGERS_DIR}/"
    entries = []
    with os.scandir(ledgers_dir) as scan:
        for entry in scan:
            entries.append(entry)
            if len(entries) > MAX_LEDGER_ENTRIES:
                return CsvFiles(
                    [],
                    [],
                    [],
                    problems=[
                        problem(
                            "ledgers-too-many-files",
                            LEDGERS_DIR,
                            None,
                            _(
                                "ledgers/ holds more than {max_ledger_entries:,} files, so none is read. "
                                "Keep one ledger per year or per account there, and move everything else out."
                            ).format(max_ledger_entries=MAX_LEDGER_ENTRIES),
                        )
                    ],
                )
    for entry in sorted(entries, key=lambda e: e.name):
        # A name is shown, never trusted: control characters could forge lines of a report.
        name = "".join(c if c.isprintable() else "\ufffd" for c in entry.name)
        relative = folder + name
        if entry.is_symlink():
            # Never followed: its target could be any file of the machine building the site.
            problems.append(
                problem(
                    "file-symlink",
                    relative,
                    None,
                    _(
                        '"{name}" is a symbolic link, which is never followed. Put the file itself in '
                        "ledgers/ instead of a link to it."
                    ).format(name=name),
                )
            )
            continue
        is_file = entry.is_file(follow_symlinks=False)
        role = book_role(name) if is_file else None
        if role is None:
            if not (is_file and _expected_non_book(name)):
                is_dir = entry.is_dir(follow_symlinks=False)
                problems.append(
                    problem(
                        "ledgers-file-not-read", relative, None, _not_read_message(name, is_dir)
                    )
                )
            continue
        roles = {
            "ledger": ledgers,
            "budget": budgets,
            "balances": balances,
            "measures": measures,
            "assets": assets,
        }
        roles[role].append(Path(entry.path))
    problems += _saved_twice(ledgers + budgets + balances + measures + assets)
    return CsvFiles(ledgers, budgets, balances, measures, assets, problems)


def _saved_twice(paths: list[Path]) -> list[Problem]:
    """2026.csv beside 2026.ods (or .xlsx): both would be read, every row counted twice."""
    by_stem: dict[str, list[str]] = {}
    for path in paths:
        by_stem.setdefault(book_stem(path.name), []).append(path.name)
    found = []
    for names in by_stem.values():
        if len(names) < 2:
            continue
        for name in sorted(names)[1:]:
            found.append(
                problem(
                    "workbook-and-csv",
                    f"{LEDGERS_DIR}/{name}",
                    None,
                    _(
                        '"{name}" and "{names}" hold books of the same name, and both would be '
                        "read, so every row they share would count twice. Keep one of them in ledgers/ "
                        "(the workbook, or the CSV file saved from it), and move the other out."
                    ).format(name=name, names=min(names)),
                )
            )
    return found


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def linked_component(root: Path, relative: str) -> str | None:
    """The first part of `relative` (below `root`) that is a symbolic link, or None.

    The publisher never follows a link inside the repository: it could point anywhere on the
    machine (/etc/passwd), and its content would be read, echoed or published."""
    path = root
    parts = Path(relative).parts
    for index, part in enumerate(parts):
        path = path / part
        if path.is_symlink():
            return "/".join(parts[: index + 1])
    return None


def symlink_problem(relative: str) -> Problem:
    return problem(
        "file-symlink",
        relative,
        None,
        _(
            "This is a symbolic link. The publisher reads only files kept in the repository itself: "
            "replace the link with a copy of the file (or folder) it points to."
        ),
    )


def decode_text(data: bytes, relative: str) -> tuple[str | None, list[Problem]]:
    """Bytes of a YAML or Markdown file as text, or a problem naming the encoding it seems to have."""
    nul = data.find(b"\x00")
    if nul >= 0:
        # As for CSV files: NUL bytes, and the hint that says what the file probably is.
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data.count(
            b"\x00"
        ) * 4 >= len(data)
        hint = (
            _("It is UTF-16 text: open it in a text editor and save it with the encoding UTF-8.")
            if utf16
            else _("Save it as UTF-8 text.")
        )
        return None, [
            problem(
                "file-nul-byte",
                relative,
                None if utf16 else data.count(b"\n", 0, nul) + 1,
                _("This file contains NUL bytes, which text never does. {hint}").format(hint=hint),
            )
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [
            problem(
                "file-not-utf8",
                relative,
                line,
                _(
                    "This file is not UTF-8 text (byte 0x{data:02x} on this line; it looks "
                    "like Latin-1 or Windows-1252). Save it with the encoding UTF-8."
                ).format(data=data[error.start]),
            )
        ]


def read_file_bytes(root: Path, relative: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a small file (at most MAX_TEXT_BYTES), or a problem saying why it cannot be
    read: a symbolic link, not a file, unreadable, too large."""
    linked = linked_component(root, relative)
    if linked is not None:
        return None, [symlink_problem(linked)]
    try:
        # A named pipe or a device would block the read until someone writes to it.
        if (root / relative).exists() and not stat.S_ISREG(os.stat(root / relative).st_mode):
            return None, [
                problem(
                    "file-unreadable",
                    relative,
                    None,
                    _(
                        "This is not a file but a named pipe or a device, which would never end. Remove it."
                    ),
                )
            ]
        with (root / relative).open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as error:
        return None, [
            problem(
                "file-unreadable",
                relative,
                None,
                _("This file cannot be read ({strerror}).").format(strerror=error.strerror),
            )
        ]
    if len(data) > MAX_TEXT_BYTES:
        return None, [_text_too_large(relative)]
    return data, []


def _text_too_large(relative: str) -> Problem:
    return problem(
        "file-too-large",
        relative,
        None,
        _("This file is larger than {max_text_bytes:,} bytes; split it.").format(
            max_text_bytes=MAX_TEXT_BYTES
        ),
    )


def read_text_file(root: Path, relative: str) -> tuple[str | None, list[Problem]]:
    """A small text file (YAML, Markdown) as text, or a problem saying why it cannot be read:
    a symbolic link, a file too large, another encoding than UTF-8."""
    data, problems = read_file_bytes(root, relative)
    if data is None:
        return None, problems
    return decode_text(data, relative)


@dataclass(frozen=True)
class ContentFile:
    """One file under content/ (a regular file, never a link), as the loader read it."""

    #: the path in the repository ("content/stories/posts/spring.md")
    path: str
    #: its size in bytes on disk
    size: int
    #: the file decoded as UTF-8 exactly as written (a byte-order mark, carriage returns and NUL
    #: bytes kept); None when it is not a text file the publisher reads (TEXT_SUFFIXES,
    #: privacy.TEXT_FILES), is larger than MAX_TEXT_BYTES, cannot be read or is not UTF-8
    text: str | None = field(default=None, repr=False)
    #: why a text file cannot be read as text (file-not-utf8, file-nul-byte, file-too-large,
    #: file-unreadable, content-too-large); the loader reports those of Markdown and YAML
    #: files, the privacy check those of the text files the site publishes as they are
    problems: tuple[Problem, ...] = ()

    def document_text(self) -> str | None:
        """The text as the Markdown and YAML readers take it (as read_text_file gives it):
        without its byte-order mark; None when the file cannot be read so."""
        if self.problems or self.text is None:
            return None
        return self.text.removeprefix("\ufeff")

    def universal_text(self) -> str | None:
        """The text with every line end (CR LF, or a CR alone) made LF, as Python's text files
        read it (Path.read_text), the byte-order mark kept: how the checks of the pages and of
        the private names in them read a file."""
        if self.text is None:
            return None
        return self.text.replace("\r\n", "\n").replace("\r", "\n")


#: The files under content/ that are read as text: the Markdown and YAML files, and the files
#: the site publishes as they are, which the privacy check looks through (privacy.TEXT_FILES).
READ_AS_TEXT = tuple(sorted(set(TEXT_SUFFIXES) | PUBLISHED_TEXT_FILES))


def read_content(
    root: Path, folder: str = CONTENT_DIR
) -> tuple[tuple[ContentFile, ...], list[Problem]]:
    """Every regular file under content/ (or `folder`), the text files read (in the order of
    their paths, as pathlib sorts them), and the problems: every symbolic link there (never
    followed), and every Markdown or YAML file that cannot be read as UTF-8 text."""
    top = root / folder
    if top.is_symlink():
        return (), [symlink_problem(folder)]
    files: list[ContentFile] = []
    problems: list[Problem] = []
    kept = 0  # bytes of text read so far
    for directory, subdirectories, names in os.walk(top, followlinks=False):
        here = Path(directory)
        file_names = set(names)
        for name in sorted(subdirectories + names):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                problems.append(symlink_problem(relative))
            elif name in file_names:
                file, found = _read_content_file(root, relative, MAX_CONTENT_TEXT_BYTES - kept)
                problems += found
                if file is not None:
                    files.append(file)
                    kept += len(file.text) if file.text is not None else 0
        subdirectories[:] = sorted(d for d in subdirectories if not (here / d).is_symlink())
    files.sort(key=lambda file: file.path.split("/"))  # part by part, as pathlib sorts paths
    return tuple(files), problems


def _read_content_file(
    root: Path, relative: str, budget: int
) -> tuple[ContentFile | None, list[Problem]]:
    """One file under content/ (no link): its record (None for a named pipe or a device, which
    is never opened), and the problems of a Markdown or YAML file that cannot be read. A text
    file larger than `budget` (what is left of MAX_CONTENT_TEXT_BYTES) is not read: its record
    holds content-too-large, the same problem for all such files (reported once)."""
    lowered = relative.lower()
    is_document = lowered.endswith(TEXT_SUFFIXES)
    try:
        status = (root / relative).lstat()
    except OSError:
        return None, []  # removed while the folder was read
    if not stat.S_ISREG(status.st_mode):
        return None, read_file_bytes(root, relative)[1] if is_document else []
    if status.st_size > MAX_TEXT_BYTES:
        too_large = (_text_too_large(relative),) if lowered.endswith(READ_AS_TEXT) else ()
        return ContentFile(relative, status.st_size, None, too_large), (
            list(too_large) if is_document else []
        )
    if not lowered.endswith(READ_AS_TEXT):  # a picture, a font: only its name is checked
        return ContentFile(relative, status.st_size), []
    if status.st_size > budget:
        over = problem(
            "content-too-large",
            CONTENT_DIR,
            None,
            _(
                "The text files under content/ (pages, YAML, and the SVG, HTML, script and data "
                "files the site publishes) hold more than {max_bytes:,} bytes in all, more than "
                "the publisher reads, so some were not read. Move large text files out of "
                "content/ (publish big data files elsewhere and link to them)."
            ).format(max_bytes=MAX_CONTENT_TEXT_BYTES),
        )
        return ContentFile(relative, status.st_size, None, (over,)), [over]
    data, problems = read_file_bytes(root, relative)
    text = None
    if data is not None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        problems = decode_text(data, relative)[1]
    # Only Markdown and YAML must be text; an SVG picture or a script need not be UTF-8 (unless
    # private names must be looked for in it: the privacy check reports the record's problems).
    return ContentFile(relative, status.st_size, text, tuple(problems)), (
        list(problems) if is_document else []
    )


def load_cooperative(
    root: Path | str, today: dt.date | None = None, history: HistoryReading = "always"
) -> tuple[Cooperative | None, list[Problem]]:
    """Read a cooperative's files, and its history as `history` says, into one record. The
    Cooperative is None when accounts.yml is unusable."""
    root = Path(root)
    if not root.is_dir():
        raise NotACooperative(_("{root} is not a directory.").format(root=root))
    if not (root / ACCOUNTS_PATH).is_file():
        raise NotACooperative(
            _(
                "{root} has no {accounts_path}: a cooperative's repository keeps its books in "
                "{ledgers_dir}/, starting with accounts.yml (see the formats documentation)."
            ).format(root=root, accounts_path=ACCOUNTS_PATH, ledgers_dir=LEDGERS_DIR)
        )
    text, problems = read_text_file(root, ACCOUNTS_PATH)
    if text is None:
        return None, problems
    accounts, account_problems = parse_accounts(text, ACCOUNTS_PATH)
    problems += account_problems
    if accounts is None:
        return None, problems

    files = find_csv_files(root / LEDGERS_DIR)
    problems += files.problems
    tables: dict[str, Table] = {}
    frames: dict[str, list[pd.DataFrame]] = {
        "ledger": [],
        "budget": [],
        "balances": [],
        "measures": [],
        "assets": [],
    }
    readers = {
        "ledger": (files.ledgers, ledger_module.read_ledger),
        "budget": (files.budgets, ledger_module.read_budget),
        "balances": (files.balances, ledger_module.read_balances),
        "measures": (files.measures, measures_module.read_measures),
        "assets": (files.assets, assets_module.read_assets),
    }
    rows_read = [0]
    rows_lock = threading.Lock()

    def read_file(kind: str, path: Path) -> tuple[str, str, Table, pd.DataFrame, list[Problem]]:
        relative = _relative(root, path)
        linked = linked_component(root, relative)
        with rows_lock:
            over = rows_read[0] > MAX_BOOK_ROWS
        if linked is not None or over:
            # A link is never followed; past the row limit the rest is not read at all (the file
            # that crossed it says so once).
            found = [symlink_problem(linked)] if linked is not None else []
            table = Table(
                relative, [], pd.DataFrame({LINE: []}), found, False, accounts.dialect.delimiter
            )
        else:
            with path.open("rb") as handle:  # one byte past the limit is enough to refuse it
                data = handle.read(MAX_CSV_BYTES + 1)
            table = read_book(data, relative, kind, accounts)
            with rows_lock:
                before = rows_read[0]
                rows_read[0] += len(table.frame)
                over = rows_read[0] > MAX_BOOK_ROWS
                # Files are read two at a time: only the one that crossed the limit says so.
                crossed = before <= MAX_BOOK_ROWS < rows_read[0]
            if over:
                found = [_too_many_rows(relative)] if crossed else []
                table = Table(relative, [], pd.DataFrame({LINE: []}), found, False, table.delimiter)
        frame, file_problems = readers[kind][1](table, accounts)  # the table's problems included
        if table.sheet is not None:
            file_problems = _formula_cells_once(file_problems)
        return kind, relative, table, frame, file_problems

    # Two files at a time: most of the work is in pyarrow, which runs outside Python's lock.
    jobs = [(kind, path) for kind, (paths, _) in readers.items() for path in paths]
    # Each job runs in a copy of this thread's context, so that the workers write the messages
    # in the treasurer's language (a worker thread starts with an empty context).
    contexts = [contextvars.copy_context() for _job in jobs]
    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        for kind, relative, table, frame, file_problems in pool.map(
            lambda context, job: context.run(read_file, *job), contexts, jobs
        ):
            tables[relative] = table
            problems += file_problems
            frames[kind].append(frame)

    content, content_problems = read_content(root)
    content_problems += other_pages_problems(root)
    governance, governance_problems = read_governance(root, accounts, _content_reader(content))
    problems += governance_problems
    # The charter's and the minutes' reading problems are governance's too: the second report
    # of each is dropped below.
    problems += content_problems
    problems = list(dict.fromkeys(in_sheets(problems, tables)))  # a linked folder: reported once
    cooperative = Cooperative(
        root=root,
        accounts=accounts,
        ledger=_concat(frames["ledger"]),
        budget=_concat(frames["budget"]),
        balances=_concat(frames["balances"]),
        measures=_concat(frames["measures"]),
        assets=_concat(frames["assets"]),
        today=today or dt.date.today(),
        governance=governance,
        tables=tables,
        closed_through_line=_closed_through_line(text),
        content=content,
    )
    # What the books' files and git say beyond the rows: read now, so that no check reads.
    cooperative = dataclasses.replace(
        cooperative,
        private_name_finder=NameFinder(private_names(cooperative)),
        ever_closed=ever_closed(cooperative),
    )
    if history == "always" or (history == "if-closed" and cooperative.ever_closed):
        cooperative = dataclasses.replace(cooperative, books_history=read_history(cooperative))
    return cooperative, problems


def _closed_through_line(accounts_text: str) -> int | None:
    """The line of closed_through in the text of accounts.yml, for problems about it."""
    loaded = load_yaml(accounts_text, ACCOUNTS_PATH)
    return value_line(loaded.data, "closed_through") if isinstance(loaded.data, dict) else None


def _formula_cells_once(problems: list[Problem]) -> list[Problem]:
    """Without the `value-missing` of a cell whose formula has no value: the cell is reported
    once, with what is wrong with its formula."""
    formulas = {(p.line, p.column) for p in problems if p.code == "workbook-formula-value"}
    return [
        p for p in problems if not (p.code == "value-missing" and (p.line, p.column) in formulas)
    ]


def _too_many_rows(relative: str) -> Problem:
    return problem(
        "books-too-many-rows",
        relative,
        None,
        _(
            "Together the CSV files of the books hold more than {max_book_rows:,} rows, more than the "
            "publisher reads; this file and the ones after it were not read. Move closed years to "
            "an archive repository."
        ).format(max_book_rows=MAX_BOOK_ROWS),
    )


def other_pages_problems(root: Path) -> list[Problem]:
    """The problems of the pages of mkdocs.yml's docs_dir when it is not content/: both engines
    publish those pages, so they are checked as pages (links, sizes, live markup) too."""
    from publisher.pages import content_page_problems
    from publisher.site.build import _configured_docs_dir

    docs_dir = _configured_docs_dir(root)
    resolved = root.resolve()
    if docs_dir is None or docs_dir == resolved / CONTENT_DIR or resolved not in docs_dir.parents:
        return []  # content/ itself, or outside the repository (the build refuses that)
    files, problems = read_content(root, docs_dir.relative_to(resolved).as_posix())
    return problems + content_page_problems(files)


def _content_reader(
    content: tuple[ContentFile, ...],
) -> Callable[[Path, str], tuple[str | None, list[Problem]]]:
    """A reader of the text files under content/ (for governance) from what read_content read;
    a file it did not keep (a link, a named pipe) is read by read_text_file, which says why not."""
    by_path = {file.path: file for file in content}

    def read(root: Path, relative: str) -> tuple[str | None, list[Problem]]:
        file = by_path.get(relative)
        if file is None:
            return read_text_file(root, relative)
        return file.document_text(), list(file.problems)

    return read


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(
            {"path": pd.Series([], dtype="str"), "line": pd.Series([], dtype="int64")}
        )
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def check_cooperative(
    root: Path | str,
    today: dt.date | None = None,
    history: Literal["always", "if-closed"] = "always",
) -> tuple[Cooperative | None, list[Problem]]:
    """Load and run every check: all the problems of a cooperative's repository. The history
    is read for the site's pages too; `history="if-closed"` reads it only when the checks need
    it (`publisher check`, which publishes nothing)."""
    cooperative, problems = load_cooperative(root, today, history)
    if cooperative is not None:
        problems += in_sheets(run_checks(cooperative), cooperative.tables)
    return cooperative, list(dict.fromkeys(problems))  # a linked story is reported once
