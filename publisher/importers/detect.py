"""`publisher import bank --detect`: propose a profile from the statement itself.

The statement is looked at as a treasurer would: which encoding reads it, which delimiter
gives the most rows of one width, where the header starts (after the bank's preamble lines),
which columns hold the date, the amount (or debit and credit), the description and the
counterparty (by their names, in the languages banks write them), how dates and amounts are
written. The result is a profile file to review, never a guess applied silently: the import
itself still needs `--profile`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import shlex
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.i18n import _, _n
from publisher.importers.bank import (
    HEADER_SEARCH_LINES,
    WorkbookTooLarge,
    first_sheet_rows,
    is_workbook,
    load_profile,
    read_statement,
)
from publisher.importers.common import Problems, open_cooperative, read_source, source_label
from publisher.importers.ledgerfile import CannotImport
from publisher.money import format_minor
from publisher.problems import Problem

#: Rows looked at to decide delimiter, formats and columns.
SAMPLE_ROWS = 500
_DELIMITERS = (";", ",", "\t", "|")
#: Column names banks use, most specific first; matched on lowercased names without accents,
#: whole first, then as a part of the name ("Betrag (EUR)", "Debit Amount").
_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "buchungstag",
        "buchungsdatum",
        "transaction date",
        "posting date",
        "booking date",
        "date operation",
        "date de l'operation",
        "date comptable",
        "date",
        "datum",
        "fecha",
        "data",
        "wertstellung",
        "valuta",
        "value date",
        "date valeur",
    ),
    "debit": ("paid out", "money out", "withdrawals", "withdrawal", "debit", "soll", "ausgang"),
    "credit": ("paid in", "money in", "deposits", "deposit", "credit", "haben", "eingang"),
    "amount": ("betrag", "amount", "montant", "umsatz", "importe", "importo", "bedrag"),
    "description": (
        "verwendungszweck",
        "description",
        "libelle",
        "buchungstext",
        "memo",
        "details",
        "narrative",
        "transaction details",
        "reference",
        "purpose",
    ),
    "counterparty": (
        "auftraggeber/empfanger",
        "beguenstigter/zahlungspflichtiger",
        "zahlungsempfanger*in",
        "zahlungspflichtige*r",
        "empfanger",
        "auftraggeber",
        "payee",
        "counterparty",
        "beneficiaire",
        "name",
    ),
    "currency": ("wahrung", "waehrung", "currency", "devise"),
}
#: Date formats tried, most usual first; among several that read every date, the one under
#: which the statement is most in date order wins (statements are sorted by date).
_DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
)
_HUMAN = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month"}


@dataclass
class Detection:
    """What --detect found; `values` are a profile's keys, `doubts` what to check by eye."""

    values: dict[str, Any]
    columns: dict[str, Any]
    header: list[str]
    header_line: int
    workbook: bool
    doubts: list[str] = field(default_factory=list)


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).lower()


def _decode(data: bytes) -> tuple[str, str]:
    """(encoding, text): UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", data.decode("utf-16", errors="replace")
    try:
        return "utf-8", data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", data.decode("latin-1")


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))


def _table_start(rows: list[list[str]]) -> tuple[int, int] | None:
    """(header index, width): the first row of the widest block of rows of one width (at
    least two columns), which the data rows make; None when there is no such block."""
    widths = [len(r) if any(c.strip() for c in r) else 0 for r in rows]
    counts = Counter(w for w in widths if w >= 2)
    if not counts:
        return None
    width = max(counts, key=lambda w: (counts[w], w))
    for index, w in enumerate(widths):
        if w == width and index < HEADER_SEARCH_LINES:
            # Some banks (Chase, for one) end every data row with a delimiter the header lacks.
            if (
                index
                and widths[index - 1] == width - 1
                and all(not r[-1].strip() for r in rows[index:] if len(r) == width)
            ):
                return index - 1, width
            return index, width
    return None


def _text_rows(data: bytes) -> tuple[str, str, list[list[str]], int]:
    """(encoding, delimiter, rows, header index) of a CSV statement."""
    encoding, text = _decode(data)
    lines = text.splitlines()[: HEADER_SEARCH_LINES + SAMPLE_ROWS]
    best: tuple[int, str, list[list[str]], int] | None = None
    for delimiter in _DELIMITERS:
        rows = _split(lines, delimiter)
        start = _table_start(rows)
        if start is None:
            continue
        index, width = start
        score = sum(1 for r in rows[index:] if len(r) == width) * width
        if best is None or score > best[0]:
            best = (score, delimiter, rows, index)
    if best is None:
        raise CannotImport(
            _(
                "no table found in this statement: no delimiter (; , tab |) gives rows of two or "
                "more columns. Is it a PDF, or a statement saved as text?"
            )
        )
    return encoding, best[1], best[2], best[3]


def _workbook_rows(data: bytes) -> tuple[list[list[Any]], int]:
    try:
        rows = first_sheet_rows(data)
    except WorkbookTooLarge as error:
        raise CannotImport(str(error)) from None
    except Exception as error:  # noqa: BLE001 - calamine's error classes are its own
        raise CannotImport(
            _("this workbook cannot be read ({name}).").format(name=type(error).__name__)
        ) from None
    shown = [[_shown(c) for c in r] for r in rows]
    # Trailing empty cells are how a sheet pads short rows: they do not make a row wider.
    trimmed = [r[: max((i + 1 for i, c in enumerate(r) if c.strip()), default=0)] for r in shown]
    start = _table_start(trimmed)
    if start is None:
        raise CannotImport(_("no table found on the workbook's first sheet."))
    return rows, start[0]


def _shown(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


def _pick_columns(header: list[str]) -> dict[str, Any]:
    """Each role's column, by name; one column serves one role."""
    plain = [_plain(h) for h in header]
    taken: set[int] = set()
    found: dict[str, Any] = {}
    for role, names in _NAMES.items():
        if role == "amount" and "debit" in found and "credit" in found:
            continue  # money out and money in have their columns: "amount" is something else
        for exact in (True, False):
            index = next(
                (
                    i
                    for name in names
                    for i, p in enumerate(plain)
                    if i not in taken and p and (p == name if exact else name in p)
                ),
                None,
            )
            if index is not None:
                found[role] = header[index].strip()
                taken.add(index)
                break
    if "amount" in found and ("debit" in found or "credit" in found):
        # One of "Debit"/"Credit" next to a signed amount is a type marker: keep the amount.
        found.pop("debit", None)
        found.pop("credit", None)
    return found


def _date_format(cells: list[str], doubts: list[str]) -> str | None:
    texts = [c.strip() for c in cells if c.strip()]
    if not texts:
        return None
    readable: list[tuple[int, int, str]] = []
    for order, fmt in enumerate(_DATE_FORMATS):
        try:
            dates = [dt.datetime.strptime(t, fmt).date() for t in texts]
        except ValueError:
            continue
        ascending = sum(1 for a, b in itertools.pairwise(dates) if a <= b)
        descending = sum(1 for a, b in itertools.pairwise(dates) if a >= b)
        readable.append((max(ascending, descending), -order, fmt))
    if not readable:
        return None
    readable.sort(reverse=True)
    best = readable[0][2]
    if len(readable) > 1:
        others = ", ".join(_human(fmt) for _, _, fmt in readable[1:])
        doubts.append(
            _(
                "The dates read as {human} but also as {others}: check that the first rows "
                "below show the right days."
            ).format(human=_human(best), others=others)
        )
    return best


def _human(fmt: str) -> str:
    return re.sub(r"%[a-zA-Z]", lambda m: _HUMAN.get(m.group(0), m.group(0)), fmt)


def _number_style(cells: list[str], doubts: list[str]) -> tuple[str, str]:
    """(decimal mark, thousands separator) of the amount cells written as text."""
    decimal_votes: Counter[str] = Counter()
    thousands_seen: Counter[str] = Counter()
    for cell in cells:
        text = cell.strip().lstrip("+-").strip()
        if not text:
            continue
        if re.search(r"[0-9][\u00a0\u202f ][0-9]{3}", text):
            thousands_seen[" "] += 1
        if "'" in text:
            thousands_seen["'"] += 1
        marks = re.findall(r"[.,]", text)
        if not marks:
            continue
        last = text.rfind(marks[-1])
        digits_after = len(text) - last - 1
        if len(set(marks)) == 2 or marks.count(marks[-1]) == 1 and digits_after != 3:
            decimal_votes[marks[-1]] += 1
            for other in set(marks) - {marks[-1]}:
                thousands_seen[other] += 1
        elif marks.count(marks[-1]) > 1:
            thousands_seen[marks[-1]] += 1
    if decimal_votes:
        decimal = decimal_votes.most_common(1)[0][0]
        if len(decimal_votes) > 1:
            doubts.append(
                _(
                    'Some amounts use "." and some "," before their decimals; "{decimal}" is more '
                    "frequent. Check the amounts below."
                ).format(decimal=decimal)
            )
    else:
        other = {",": ".", ".": ","}
        decimal = next((other[t] for t in thousands_seen if t in other), ".")
        doubts.append(
            _(
                'No amount shows its decimals, so the decimal mark "{decimal}" is a guess: check '
                "it against an amount with cents."
            ).format(decimal=decimal)
        )
    thousands = next((t for t, _ in thousands_seen.most_common() if t != decimal), "")
    return decimal, thousands


def detect(data: bytes) -> Detection:
    """Propose a profile for a statement (CSV text or a workbook); CannotImport if no table."""
    doubts: list[str] = []
    workbook = is_workbook(data)
    values: dict[str, Any] = {}
    if workbook:
        typed_rows, index = _workbook_rows(data)
        rows = [[_shown(c) for c in r] for r in typed_rows]
    else:
        encoding, delimiter, rows, index = _text_rows(data)
        typed_rows = rows
        values["encoding"] = encoding
        values["delimiter"] = "tab" if delimiter == "\t" else delimiter
    values["skip_lines"] = index
    header = [h.strip() for h in rows[index]]
    columns = _pick_columns(header)
    missing = [
        role
        for role, there in (
            ("date", "date" in columns),
            ("description", "description" in columns or "counterparty" in columns),
            (
                "amount (or debit and credit)",
                any(k in columns for k in ("amount", "debit", "credit")),
            ),
        )
        if not there
    ]
    if missing:
        raise CannotImport(
            _(
                "the header on line {value} ({items}) has no column "
                "recognizable as the {missing}. Start from a shipped profile "
                "(--list-profiles) and name the columns yourself."
            ).format(
                value=index + 1,
                items=", ".join(h for h in header if h),
                missing=" nor the ".join(missing),
            )
        )
    if "description" not in columns:
        columns["description"] = columns["counterparty"]
    if "counterparty" in columns:
        others = [
            h
            for h in header
            if h
            and h not in columns.values()
            and any(name in _plain(h) for name in _NAMES["counterparty"])
        ]
        if others:
            doubts.append(
                _(
                    'The counterparty is taken from "{columns}", but '
                    "{others} may name it too (banks that split payer and payee): choose "
                    "one in the profile."
                ).format(columns=columns["counterparty"], others=", ".join(others))
            )
    sample_rows = typed_rows[index + 1 : index + 1 + SAMPLE_ROWS]
    body = [r for r in sample_rows if any(_shown(c).strip() for c in r)]

    def column(name: str) -> list[Any]:
        position = header.index(name)
        return [r[position] if position < len(r) else "" for r in body]

    date_cells = column(columns["date"])
    text_dates = [c for c in date_cells if isinstance(c, str)]
    date_format = _date_format(text_dates, doubts) if text_dates else None
    if date_format is None:
        if text_dates and any(c.strip() for c in text_dates):
            raise CannotImport(
                _(
                    'the dates of the column "{columns}" (such as "{text_dates}") are in '
                    "no format the publisher knows; write a profile with its date_format by hand."
                ).format(columns=columns["date"], text_dates=text_dates[0])
            )
        date_format = "%Y-%m-%d"  # a workbook's date cells need none; text dates would use it
    values["date_format"] = date_format
    amount_cells = [
        c
        for key in ("amount", "debit", "credit")
        if key in columns
        for c in column(columns[key])
        if isinstance(c, str)
    ]
    if amount_cells or not workbook:
        values["decimal"], values["thousands"] = _number_style(amount_cells, doubts)
    if columns.get("counterparty") == columns["description"]:
        columns.pop("counterparty")
    return Detection(values, columns, header, index + 1, workbook, doubts)


def profile_text(detection: Detection, statement_name: str) -> str:
    """The proposed profile as YAML, with comments saying what to review."""
    lines = [
        f"# Proposed by `publisher import bank --detect` from {_one_line(statement_name)}.",
        "# Review every value against the statement, then add rules (see docs/importing.md).",
        f"# The header (line {detection.header_line}) has the columns: "
        + _one_line(", ".join(h for h in detection.header if h)),
    ]
    for doubt in detection.doubts:
        lines.append(f"# To check: {_one_line(doubt)}")
    lines.append(f"description: {_quote('Detected from ' + statement_name)}")
    for key in ("encoding", "delimiter", "skip_lines", "decimal", "thousands", "date_format"):
        if key in detection.values:
            value = detection.values[key]
            lines.append(f"{key}: {value if isinstance(value, int) else _quote(value)}")
    lines.append("columns:")
    for key in ("date", "amount", "debit", "credit", "description", "counterparty", "currency"):
        if key in detection.columns:
            lines.append(f"  {key}: {_quote(detection.columns[key])}")
    lines += [
        "rules: []",
        "# rules:",
        "#   - match: rent        # a regular expression on the description",
        "#     category: rent     # a category of ledgers/accounts.yml",
    ]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _quote(value: str) -> str:
    """A YAML double-quoted scalar: safe for any cell text a bank may put in a header."""
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


@dataclass
class DetectOutcome:
    """What `--detect` prints: the findings, the first rows as read, and where it wrote."""

    written: Path
    lines: list[str]
    problems: list[Problem]


def _free_name(root: Path, statement: Path) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", statement.stem).strip("-")[:60] or "statement"
    for number in range(1, 1000):
        suffix = "" if number == 1 else f"-{number}"
        candidate = root / f"profile-{stem}{suffix}.yml"
        if not candidate.exists():
            return candidate
    raise CannotImport(_("no free name for the profile; name one with --profile PATH."))


def detect_profile(
    statement: Path,
    root: Path,
    *,
    output: Path | None = None,
    today: dt.date | None = None,
    sample: int = 5,
) -> DetectOutcome:
    """Propose a profile for `statement`, show its first rows read with it, and write it to
    `output` (default: profile-STATEMENT.yml in `root`), never over an existing file."""
    root = Path(root)
    data = read_source(statement, root)
    cooperative, _problems = open_cooperative(root, today)
    if cooperative is None:
        raise CannotImport(
            _(
                "the books of this directory cannot be read (run `publisher check`), and the "
                "currency's decimals are needed to read the amounts."
            )
        )
    if output is not None and output.exists():
        raise CannotImport(
            _("{output} exists already; it is never overwritten. Name another file.").format(
                output=output
            )
        )
    label = source_label(statement, root)
    detection = detect(data)
    text = profile_text(detection, statement.name)
    target = output if output is not None else _free_name(root, statement)
    profile, profile_problems = load_profile(source_label(target, root), text, cooperative.accounts)
    if profile is None:  # a detected value the profile reader refuses: say so, write nothing
        return DetectOutcome(target, [], profile_problems)
    found = Problems(label)
    movements = read_statement(data, label, profile, cooperative.accounts, found)
    units = cooperative.accounts.minor_units
    values = detection.values
    lines = [_("Detected in {label}:").format(label=label)]
    if detection.workbook:
        lines.append(_("  a workbook: its first sheet is read, with typed dates and numbers"))
    else:
        shown = {"\t": "tab", "tab": "tab"}.get(values["delimiter"], f'"{values["delimiter"]}"')
        lines.append(
            _("  encoding {values}, cells separated by {shown}").format(
                values=values["encoding"], shown=shown
            )
        )
    if "decimal" in values:
        lines.append(
            _('  decimal mark "{decimal}", thousands separator "{thousands}"').format(
                decimal=values["decimal"], thousands=values["thousands"]
            )
            if values["thousands"]
            else _('  decimal mark "{decimal}", no thousands separator').format(
                decimal=values["decimal"]
            )
        )
    lines.append(
        _("  dates written {human} ({values})").format(
            human=_human(values["date_format"]), values=values["date_format"]
        )
    )
    skip = int(values["skip_lines"])
    lines.append(
        (
            _n(
                "  header on row {header_line} (skip_lines: {skip_lines} row before it)",
                "  header on row {header_line} (skip_lines: {skip_lines} rows before it)",
                skip,
            )
            if detection.workbook
            else _n(
                "  header on line {header_line} (skip_lines: {skip_lines} line before it)",
                "  header on line {header_line} (skip_lines: {skip_lines} lines before it)",
                skip,
            )
        ).format(header_line=detection.header_line, skip_lines=values["skip_lines"])
    )
    lines.append(
        _("  columns: {columns}").format(
            columns=_(", ").join(f'{k} "{v}"' for k, v in detection.columns.items())
        )
    )
    lines.append(
        _n(
            "First rows as read ({count:,} movement in all):",
            "First rows as read ({count:,} movements in all):",
            len(movements),
        ).format(count=len(movements))
    )
    for movement in movements[:sample]:
        lines.append(
            (
                _("  row {line}: {isoformat}  {amount:>12}  {one_line}")
                if detection.workbook
                else _("  line {line}: {isoformat}  {amount:>12}  {one_line}")
            ).format(
                line=movement.line,
                isoformat=movement.date.isoformat(),
                amount=format_minor(movement.amount, units),
                one_line=_one_line(movement.description)[:60],
            )
        )
    for doubt in detection.doubts:
        lines.append(_("To check: {doubt}").format(doubt=doubt))
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CannotImport(
            _("{target} exists already; it is never overwritten.").format(target=target)
        ) from None
    shown_target = source_label(target, root)
    lines += [
        _(
            "Wrote the proposed profile to {shown_target}. Review it (and add rules), then import "
            "with"
        ).format(shown_target=shown_target),
        _("  publisher import bank {statement} {directory} --profile {profile} --dry-run").format(
            statement=shlex.quote(str(statement)),
            directory=shlex.quote(str(root)),
            profile=shlex.quote(str(target)),
        ),
    ]
    return DetectOutcome(target, lines, found.all())
