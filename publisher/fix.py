"""`publisher fix`: rewrite a ledger, budget or balances file exported by a spreadsheet into
the canonical form, where the correction has one meaning.

`plan_fix` reads the file and works out every change without touching it: the encoding, the
byte-order mark, Excel's `sep=` line, header names, dates whose order the file proves, amounts
whose value is certain. Unchanged rows keep their exact bytes, so that the commit shows only
what was fixed. `write_fix` keeps a backup and replaces the file atomically. What remains is
found by reading the fixed text with the same readers as `publisher check`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.numbers import get_currency_symbol

from publisher import ledger
from publisher.accounts import ACCOUNTS_PATH, Accounts, parse_accounts
from publisher.cooperative import LEDGERS_DIR, find_csv_files, read_text_file
from publisher.csvfile import SEP_LINE, MAX_CSV_BYTES, read_table
from publisher.i18n import _, _n
from publisher.money import valid_pattern
from publisher.problems import Problem
from publisher.spreadsheet import (
    MINUS_LOOKALIKES,
    canonical_amount,
    canonical_date,
    column_letter,
    date_order,
    decimal_mark_evidence,
)


class NotABooksFile(Exception):
    """FILE is not a ledger, budget or balances file of a cooperative's repository."""


@dataclass(frozen=True)
class Change:
    """One rewritten thing: a cell (line, column), or the whole file (line None)."""

    kind: str
    line: int | None
    column: str | None
    letter: str | None
    before: str
    after: str


@dataclass
class FixPlan:
    path: Path
    root: Path  # the cooperative's repository
    kind: str  # ledger, budget, balances
    original: bytes
    fixed: bytes
    changes: list[Change] = field(default_factory=list)
    #: Problems that reading the fixed file still reports (errors and warnings).
    remaining: list[Problem] = field(default_factory=list)
    #: Lines removed at the top (Excel's sep= line): the fixed file's line + this = today's.
    lines_removed: int = 0

    @property
    def has_changes(self) -> bool:
        return self.fixed != self.original

    @property
    def unfixed_errors(self) -> list[Problem]:
        return [p for p in self.remaining if p.is_error]


_FORMATS = {"ledger": ledger.LEDGER, "budget": ledger.BUDGET, "balances": ledger.BALANCES}
_READERS = {
    "ledger": ledger.read_ledger,
    "budget": ledger.read_budget,
    "balances": ledger.read_balances,
}
_DATE_COLUMN = {"ledger": "date", "budget": None, "balances": "date"}
_AMOUNT_COLUMN = {"ledger": "amount", "budget": "amount", "balances": "balance"}


def _role(path: Path) -> tuple[Path, str]:
    """(the cooperative's root, the file's kind), as `publisher check` would read the file."""
    if not path.is_file():
        raise NotABooksFile(_("{path} is not a file.").format(path=path))
    folder = path.resolve().parent
    if folder.name != LEDGERS_DIR or not (folder / "accounts.yml").is_file():
        raise NotABooksFile(
            _(
                "{path} is not in the ledgers/ folder of a cooperative (next to accounts.yml)."
            ).format(path=path)
        )
    if path.name.endswith((".ods", ".xlsx")):
        # Rewritten as CSV text, a workbook would be lost: its cells are corrected where they are.
        raise NotABooksFile(
            _(
                "{path} is a workbook: publisher fix rewrites CSV files only. Correct the cells in your "
                "spreadsheet program; publisher check names the sheet and the cell of each problem."
            ).format(path=path)
        )
    files = find_csv_files(folder)
    resolved = path.resolve()
    for kind, paths in (
        ("ledger", files.ledgers),
        ("budget", files.budgets),
        ("balances", files.balances),
    ):
        if resolved in (p.resolve() for p in paths):
            return folder.parent, kind
    raise NotABooksFile(
        _("{path} is not a ledger, budget or balances file (a .csv file in ledgers/).").format(
            path=path
        )
    )


def _decode(data: bytes, changes: list[Change]) -> str | None:
    """The file's text, noting any change of encoding; None when no decoding is certain."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        changes.append(Change("encoding", None, None, None, "UTF-16", "UTF-8"))
        return text
    if data.startswith(codecs.BOM_UTF8):
        changes.append(Change("byte-order mark", None, None, None, "UTF-8 with BOM", "UTF-8"))
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        return None  # UTF-16 without a byte-order mark, or not text: no certain guess
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    changes.append(Change("encoding", None, None, None, "Windows-1252 (assumed)", "UTF-8"))
    return text


def _currency_marks(currency: str) -> list[str]:
    """The repository's own currency as a code and as the symbols spreadsheets print."""
    marks = {currency}
    for locale in ("en", "de", "fr", "en_GB", "ja", "en_IN"):
        try:
            marks.add(get_currency_symbol(currency, locale=locale))
        except UnknownLocaleError:  # a locale missing from this babel's CLDR data
            continue
    # "$" alone is ambiguous between dollars; it is the repository's sign only for USD.
    return sorted(m for m in marks if m and (m != "$" or currency == "USD"))


def _records(text: str, delimiter: str) -> list[tuple[int, int, list[str]]] | None:
    """(first line, last line, cells) of each record; None when the CSV structure is broken."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: list[tuple[int, int, list[str]]] = []
    previous = 0
    try:
        for record in reader:
            out.append((previous + 1, reader.line_num, record))
            previous = reader.line_num
    except csv.Error:
        return None
    return out


def plan_fix(path: Path | str) -> FixPlan:
    """Work out every certain change to FILE, and what would remain; writes nothing."""
    path = Path(path)
    root, kind = _role(path)
    accounts_text, _read_problems = read_text_file(root, ACCOUNTS_PATH)
    accounts, _parse_problems = parse_accounts(accounts_text or "", ACCOUNTS_PATH)
    if accounts is None:
        raise NotABooksFile(
            _(
                "{accounts_path} cannot be read, so the repository's CSV dialect is unknown: run "
                "`publisher check` and fix it first."
            ).format(accounts_path=ACCOUNTS_PATH)
        )
    with path.open("rb") as handle:
        original = handle.read(MAX_CSV_BYTES + 1)
    relative = path.resolve().relative_to(root).as_posix()
    changes: list[Change] = []
    text = _decode(original, changes) if len(original) <= MAX_CSV_BYTES else None
    if text is None:
        return _finish(path, root, kind, original, original, [], relative, accounts)
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    line_offset = 0
    declared = SEP_LINE.match(text.encode("utf-8"))
    if declared and declared.group(1).decode("utf-8", "replace") == accounts.dialect.delimiter:
        first_line = text.split("\n", 1)[0]
        changes.append(Change("sep= line", 1, None, None, first_line, "(removed)"))
        text = text.split("\n", 1)[1] if "\n" in text else ""
        line_offset = 1
    records = _records(text, accounts.dialect.delimiter)
    if records:
        text = _fix_cells(text, records, kind, accounts, changes, line_offset)
    if crlf:
        text = text.replace("\n", "\r\n")
    plan = _finish(path, root, kind, original, text.encode("utf-8"), changes, relative, accounts)
    plan.lines_removed = line_offset
    return plan


def _fix_cells(
    text: str,
    records: list[tuple[int, int, list[str]]],
    kind: str,
    accounts: Accounts,
    changes: list[Change],
    line_offset: int,
) -> str:
    """The text with the header, date and amount cells rewritten where that is certain."""
    fmt = _FORMATS[kind]
    header = records[0][2]
    rewritten: dict[int, list[str]] = {}  # record index -> new cells
    new_header = list(header)
    for index, name in enumerate(header):
        canonical = name.strip().lower()
        if name != canonical and canonical in fmt.columns and canonical not in new_header:
            new_header[index] = canonical
            changes.append(
                Change("header", 1 + line_offset, canonical, column_letter(index), name, canonical)
            )
    if new_header != header:
        rewritten[0] = new_header
    rows = records[1:]

    def column_of(name: str | None) -> int | None:
        return new_header.index(name) if name in new_header else None

    def cell(record: list[str], index: int) -> str:
        return record[index] if index < len(record) else ""

    date_index = column_of(_DATE_COLUMN[kind])
    if date_index is not None:
        cells = [cell(r, date_index).strip() for _, _, r in rows]
        order = date_order(cells)
        for number, (start, _, record) in enumerate(rows, start=1):
            value = cell(record, date_index)
            if not value.strip() or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
                continue
            fixed = canonical_date(value, order)
            if fixed is not None:
                rewritten.setdefault(number, list(record))[date_index] = fixed
                changes.append(
                    Change(
                        "date",
                        start + line_offset,
                        new_header[date_index],
                        column_letter(date_index),
                        value,
                        fixed,
                    )
                )
    amount_index = column_of(_AMOUNT_COLUMN[kind])
    if amount_index is not None:
        decimal, units = accounts.dialect.decimal, accounts.minor_units
        marks = _currency_marks(accounts.currency)
        valid = re.compile(valid_pattern(decimal))
        cells = [cell(r, amount_index).strip() for _, _, r in rows]
        column_mark = decimal_mark_evidence(cells)
        for number, (start, _, record) in enumerate(rows, start=1):
            value = cell(record, amount_index)
            # A plain amount needs no fix, unless it has more decimals than the currency: "1.234"
            # in a column that proves "," the decimal mark is a thousand, grouped.
            if not value.strip() or (
                valid.fullmatch(value.strip())
                and not _too_many_decimals(value.strip(), decimal, units)
            ):
                continue
            fixed = canonical_amount(value, decimal, units, marks, column_mark)
            if fixed is not None:
                rewritten.setdefault(number, list(record))[amount_index] = fixed
                changes.append(
                    Change(
                        _amount_kind(value, decimal),
                        start + line_offset,
                        new_header[amount_index],
                        column_letter(amount_index),
                        value,
                        fixed,
                    )
                )
    if not rewritten:
        return text
    lines = text.split("\n")
    out: list[str] = []
    position = 1  # the next physical line of `text` to copy
    for number, (start, end, record) in enumerate(records):
        if number not in rewritten:
            continue
        out.extend(lines[position - 1 : start - 1])
        out.append(_serialize(rewritten[number], accounts.dialect.delimiter))
        position = end + 1
    out.extend(lines[position - 1 :])
    return "\n".join(out)


def _too_many_decimals(amount: str, decimal: str, units: int) -> bool:
    """Whether a plain amount has more decimals than the currency's minor units."""
    return decimal in amount and len(amount) - amount.rfind(decimal) - 1 > units


def _amount_kind(cell: str, decimal: str) -> str:
    """The kind of amount change, for the count per kind."""
    if any(char in MINUS_LOOKALIKES for char in cell):
        return "minus sign"
    if re.search(r"[^0-9.,+\-\s'\u00a0\u202f\u2009]", cell):
        return _("currency sign")
    other = "," if decimal == "." else "."
    marks = [c for c in cell if c in ".,"]
    if len(marks) == 1 and marks[0] == other and not re.search(r"[\s'\u00a0\u202f\u2009]", cell):
        return _("decimal mark")
    return _("thousands separator")


def _serialize(cells: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow(cells)
    return buffer.getvalue()[:-1]


def _finish(
    path: Path,
    root: Path,
    kind: str,
    original: bytes,
    fixed: bytes,
    changes: list[Change],
    relative: str,
    accounts: Accounts,
) -> FixPlan:
    table = read_table(fixed, relative, accounts.dialect.delimiter)
    _, problems = _READERS[kind](table, accounts)
    return FixPlan(path, root, kind, original, fixed, changes, problems)


#: Where backups go: outside ledgers/ (whose every file is books, so a backup there would be
#: an unread file) and outside content/ (which the site publishes).
BACKUP_DIR = ".publisher-backups"


def backup_path(path: Path, root: Path) -> Path:
    """`.publisher-backups/ledgers/NAME` in the repository, or the next free `NAME.2`, `NAME.3`..."""
    folder = root / BACKUP_DIR / LEDGERS_DIR
    candidate = folder / path.name
    number = 2
    while candidate.exists():
        candidate = folder / f"{path.name}.{number}"
        number += 1
    return candidate


def write_fix(plan: FixPlan) -> Path:
    """Keep the original as a backup, then replace the file atomically. Returns the backup."""
    backup = backup_path(plan.path, plan.root)
    backup.parent.mkdir(parents=True, exist_ok=True)
    with backup.open("xb") as handle:  # "x": never overwrite a backup, even in a race
        handle.write(plan.original)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{plan.path.name}.", dir=plan.path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(plan.fixed)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, plan.path.stat().st_mode & 0o777)
        os.replace(temporary, plan.path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return backup


#: Changes listed per kind; a column rewritten throughout is then counted, not listed.
CHANGES_LISTED_PER_KIND = 20


def format_plan(plan: FixPlan, shown_path: str, written: Path | None) -> str:
    """The changes (line, column, before → after), a count per kind, and what remains."""
    lines: list[str] = []
    shown: Counter[str] = Counter()
    for change in plan.changes:
        shown[change.kind] += 1
        if shown[change.kind] > CHANGES_LISTED_PER_KIND:
            continue
        where = f"{shown_path}:{change.line}" if change.line is not None else shown_path
        column = (
            _(" column {letter} ({column})").format(letter=change.letter, column=change.column)
            if change.letter
            else ""
        )
        lines.append(
            _("{where}:{column} {kind}: {before!r} → {after!r}").format(
                where=where,
                column=column,
                kind=change.kind,
                before=change.before,
                after=change.after,
            )
        )
    for kind, number in sorted(shown.items()):
        if number > CHANGES_LISTED_PER_KIND:
            more = number - CHANGES_LISTED_PER_KIND
            lines.append(
                _n(
                    "… and {count:,} more change of kind {kind}.",
                    "… and {count:,} more changes of kind {kind}.",
                    more,
                ).format(count=more, kind=kind)
            )
    if plan.changes:
        counts = shown
        counted = _(", ").join(
            _("{kind} {count:,}").format(kind=kind, count=number)
            for kind, number in sorted(counts.items())
        )
        lines.append(_("Changes: {counted}.").format(counted=counted))
        if any(c.kind == "encoding" and "assumed" in c.before for c in plan.changes):
            lines.append(
                _(
                    "The file was not UTF-8; Windows-1252 was assumed: check the accented "
                    "letters of the descriptions."
                )
            )
    else:
        lines.append(_("Nothing to fix."))
    if plan.has_changes:
        if written is not None:
            kept = written.relative_to(plan.root).as_posix()
            lines.append(
                _("Written {path}; the original is kept as {backup}.").format(
                    path=shown_path, backup=kept
                )
            )
        else:
            lines.append(
                _("Nothing was written: run `publisher fix {path} --write` to apply.").format(
                    path=shown_path
                )
            )
    shift = 0 if written is not None else plan.lines_removed  # lines of the file as it is now
    for found in plan.unfixed_errors:
        where = (
            _("{path}:{line}").format(path=found.path, line=found.line + shift)
            if found.line is not None
            else found.path
        )
        lines.append(
            _("Still to fix by hand: {where}: [{code}] {message}").format(
                where=where, code=found.code, message=found.message
            )
        )
    return "\n".join(lines) + "\n"
