"""Bank statements -> ledger rows, as a small YAML profile describes them.

Every bank writes CSV its own way: the delimiter, the decimal mark, the date format, the
encoding, lines before the header, the column names, one signed amount or separate debit and
credit columns. A profile says which (see docs/importing.md); ready profiles for common
layouts ship in `publisher/importers/profiles/`, and a cooperative's own profile may start from
one of them (`base:`) and add its `rules`: regular expressions on the description or the
counterparty that give a row its category and fund, first match wins, as in hledger's CSV
rules. A row no rule matches goes to the category `uncategorized`, an import placeholder
whose rows block publishing until they have their real category, and is listed.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from decimal import Decimal
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from publisher.accounts import Accounts, did_you_mean
from publisher.csvfile import read_table
from publisher.i18n import _, _n
from publisher.importers.common import (
    UNCATEGORIZED,
    NewRow,
    Outcome,
    Plan,
    Problems,
    apply_plan,
    check_fund,
    currency_advice,
    open_cooperative,
    parse_amount,
    plan_import,
    read_source,
    source_label,
    strip_currency,
)
from publisher.importers.ledgerfile import CannotImport, normalize_description
from publisher.money import MAX_DIGITS
from publisher.problems import Problem, has_errors, problem
from publisher.yamlfile import YamlChecker, describe, key_line, load_yaml, mapping_line, value_line

DEFAULT_TARGET = "ledgers/bank.csv"
#: At most this many rows of a workbook statement are read (a year of daily movements is
#: a few thousand).
MAX_WORKBOOK_ROWS = 200_000
MAX_WORKBOOK_CELLS = 5_000_000
PROFILES_PACKAGE = "publisher.importers"
PROFILES_DIR = "profiles"


_TOP_KEYS = (
    "base",
    "description",
    "encoding",
    "delimiter",
    "skip_lines",
    "decimal",
    "thousands",
    "date_format",
    "columns",
    "fund",
    "rules",
)
_COLUMN_KEYS = (
    "date",
    "amount",
    "debit",
    "credit",
    "description",
    "counterparty",
    "reference",
    "currency",
)
_RULE_KEYS = ("match", "field", "category", "fund", "sign")
_RULE_FIELDS = ("description", "counterparty")
_SIGNS = ("in", "out")
_DECIMALS = (".", ",")
_THOUSANDS = ("", ".", ",", " ", "'")
_DEFAULTS: dict[str, Any] = {
    "encoding": "utf-8",
    "delimiter": ",",
    "skip_lines": 0,
    "decimal": ".",
    "thousands": "",
    "fund": "",
    "rules": (),
}
#: References that banks write where there is none; they are not ids.
_NO_REFERENCE = {
    "",
    "-",
    "0",
    "none",
    "nonref",
    "notprovided",
    "not provided",
    "n/a",
    "keine angabe",
}


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    field: str  # "description" or "counterparty"
    category: str
    fund: str  # empty: the profile's (or the command's) fund
    sign: str  # "", "in" (money in only) or "out" (money out only)

    def matches(self, description: str, counterparty: str, amount: int) -> bool:
        if (self.sign == "in" and amount <= 0) or (self.sign == "out" and amount >= 0):
            return False
        return bool(
            self.pattern.search(description if self.field == "description" else counterparty)
        )


@dataclass(frozen=True)
class Profile:
    """How to read one bank's statements, and how to categorize their rows."""

    encoding: str
    delimiter: str
    skip_lines: int
    decimal: str
    thousands: str
    date_format: str
    date: str
    description: tuple[str, ...]
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    counterparty: str | None = None
    reference: str | None = None
    currency: str | None = None
    fund: str = ""
    rules: tuple[Rule, ...] = ()


def shipped_profiles() -> list[str]:
    """The names of the ready profiles that ship with the publisher."""
    folder = resources.files(PROFILES_PACKAGE) / PROFILES_DIR
    return sorted(p.name[: -len(".yml")] for p in folder.iterdir() if p.name.endswith(".yml"))


def profile_summary(name: str) -> str:
    """The `description` line of a shipped profile (what --list-profiles prints)."""
    shipped = _shipped_text(name)
    if shipped is None:
        return ""
    data, _ = _load(*shipped)
    value = data.get("description", "") if isinstance(data, dict) else ""
    return " ".join(str(value).split())


def _shipped_text(name: str) -> tuple[str, str] | None:
    if name not in shipped_profiles():
        return None
    path = resources.files(PROFILES_PACKAGE) / PROFILES_DIR / f"{name}.yml"
    return f"publisher/importers/{PROFILES_DIR}/{name}.yml", path.read_text(encoding="utf-8")


def find_profile(spec: str, root: Path) -> tuple[str, bytes | str]:
    """(label, content) of the profile `spec`: a file, or the name of a shipped profile."""
    path = Path(spec)
    if path.is_file():
        return source_label(path, root), path.read_bytes()
    shipped = _shipped_text(spec.removesuffix(".yml"))
    if shipped is not None:
        return shipped
    raise CannotImport(
        _(
            "--profile {spec}: no such file, and no profile of that name ships with the publisher "
            "(they are: {shipped_profiles})."
        ).format(spec=spec, shipped_profiles=", ".join(shipped_profiles()))
    )


class _ProfileReader(YamlChecker):
    """Validates one profile file's keys and values; problems name the key's line."""

    unknown_code = "profile-key-unknown"

    def __init__(self, path: str, accounts: Accounts) -> None:
        super().__init__(path)
        self.accounts = accounts

    def invalid(self, mapping: Any, key: str, message: str) -> None:
        self.report("profile-value-invalid", value_line(mapping, key), message)

    def read(self, data: Any) -> dict[str, Any]:
        """The valid values of one file, keyed like the YAML (columns flattened in)."""
        values: dict[str, Any] = {}
        self.unknown_keys(data, _TOP_KEYS, _("a bank profile"))
        if "encoding" in data:
            value = data["encoding"]
            try:
                values["encoding"] = (
                    codecs.lookup(str(value)).name if isinstance(value, str) else None
                )
            except LookupError:
                values["encoding"] = None
            if values["encoding"] is None:
                self.invalid(
                    data,
                    "encoding",
                    _(
                        "The encoding {describe} is not one Python knows; write e.g. "
                        '"utf-8", "cp1252" (Windows Western, often called ANSI) or "latin-1".'
                    ).format(describe=describe(value)),
                )
        if "delimiter" in data:
            value = data["delimiter"]
            value = "\t" if value in ("tab", "\\t") else value
            if isinstance(value, str) and len(value) == 1 and value not in '"\r\n':
                values["delimiter"] = value
            else:
                self.invalid(
                    data,
                    "delimiter",
                    _(
                        'The delimiter {describe} must be one character such as ";", "," or "tab".'
                    ).format(describe=describe(value)),
                )
        if "skip_lines" in data:
            value = data["skip_lines"]
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
                values["skip_lines"] = value
            else:
                self.invalid(
                    data,
                    "skip_lines",
                    _("skip_lines {describe} must be a whole number from 0.").format(
                        describe=describe(value)
                    ),
                )
        self._choice(data, "decimal", _DECIMALS, values)
        if "thousands" in data and data["thousands"] is None:
            values["thousands"] = ""
        else:
            self._choice(data, "thousands", _THOUSANDS, values)
        if "date_format" in data:
            self._date_format(data, values)
        if "columns" in data:
            self._columns(data, values)
        if "fund" in data:
            value = data["fund"]
            if isinstance(value, str) and value in self.accounts.funds:
                values["fund"] = value
            else:
                self.invalid(data, "fund", self._fund_message(value))
        if "rules" in data:
            values["rules"] = self._rules(data)
        return values

    def _choice(
        self, data: Any, key: str, choices: tuple[str, ...], values: dict[str, Any]
    ) -> None:
        if key not in data:
            return
        if data[key] in choices:
            values[key] = data[key]
        else:
            shown = ", ".join(f'"{c}"' for c in choices if c)
            self.invalid(
                data,
                key,
                (
                    _('{key} {describe} is not supported; use {shown} or "" (none).')
                    if "" in choices
                    else _("{key} {describe} is not supported; use {shown}.")
                ).format(key=key, describe=describe(data[key]), shown=shown),
            )

    def _date_format(self, data: Any, values: dict[str, Any]) -> None:
        value = data["date_format"]
        sample = dt.datetime(2025, 1, 31)
        try:
            ok = (
                isinstance(value, str)
                and "%" in value
                and dt.datetime.strptime(sample.strftime(value), value).date() == sample.date()
            )
        except ValueError:
            ok = False
        if ok:
            values["date_format"] = value
        else:
            self.invalid(
                data,
                "date_format",
                _(
                    "date_format {describe} is not a date format Python can read back: write "
                    'it with %d (day), %m (month), %Y (four-digit year) or %y, e.g. "%d.%m.%Y".'
                ).format(describe=describe(value)),
            )

    def _columns(self, data: Any, values: dict[str, Any]) -> None:
        columns = data["columns"]
        if not isinstance(columns, dict):
            self.invalid(
                data,
                "columns",
                '"columns" must map date, amount, description, … to column names.',
            )
            values["columns"] = None
            return
        self.unknown_keys(columns, _COLUMN_KEYS, '"columns"')
        read: dict[str, Any] = {}
        for key in _COLUMN_KEYS:
            if key not in columns:
                continue
            value = columns[key]
            if key == "description" and isinstance(value, list):
                if value and all(isinstance(v, str) and v.strip() for v in value):
                    read[key] = tuple(v.strip() for v in value)
                    continue
            elif isinstance(value, str) and value.strip():
                read[key] = value.strip() if key != "description" else (value.strip(),)
                continue
            self.invalid(
                columns,
                key,
                (
                    _(
                        "The column of the description must be the name of a column of the "
                        "statement's header, or a list of names to join, not {describe}."
                    ).format(describe=describe(value))
                    if key == "description"
                    else _(
                        "The column of {key} must be the name of a column of the statement's "
                        "header, not {describe}."
                    ).format(key=key, describe=describe(value))
                ),
            )
        values["columns"] = read
        values["columns_line"] = key_line(data, "columns")

    def _fund_message(self, value: Any) -> str:
        funds = self.accounts.funds
        return _(
            "The fund {describe} is not declared in ledgers/accounts.yml."
            "{suggestion} The funds are: "
            "{funds}."
        ).format(
            describe=describe(value),
            suggestion=did_you_mean(str(value), funds) if isinstance(value, str) else "",
            funds=", ".join(funds),
        )

    def _rules(self, data: Any) -> tuple[Rule, ...] | None:
        rules = data["rules"]
        if rules is None:
            return ()
        if not isinstance(rules, list):
            self.invalid(
                data, "rules", _('"rules" must be a list, each rule starting with "- match:".')
            )
            return None
        read: list[Rule] = []
        for item in rules:
            if not isinstance(item, dict):
                self.report(
                    "profile-value-invalid",
                    mapping_line(item) or value_line(data, "rules"),
                    _("Each rule must be a mapping such as {match: rent, category: rent}."),
                )
                continue
            rule = self._rule(item)
            if rule is not None:
                read.append(rule)
        return tuple(read)

    def _rule(self, item: Any) -> Rule | None:
        before = len(self.problems)
        self.unknown_keys(item, _RULE_KEYS, "a rule")
        line = mapping_line(item)
        for key in ("match", "category"):
            if key not in item:
                self.report(
                    "profile-key-missing",
                    line,
                    _('This rule has no "{key}"; each rule needs match and category.').format(
                        key=key
                    ),
                )
        pattern = None
        if "match" in item:
            value = item["match"]
            if isinstance(value, str) and value:
                try:
                    pattern = re.compile(value, re.IGNORECASE)
                except re.error as error:
                    self.invalid(
                        item,
                        "match",
                        _('"{value}" is not a regular expression Python can use ({error}).').format(
                            value=value, error=error
                        ),
                    )
            else:
                self.invalid(
                    item,
                    "match",
                    f"match {describe(value)} must be a regular expression (text).",
                )
        field = item.get("field", "description")
        if field not in _RULE_FIELDS:
            self.invalid(
                item,
                "field",
                _("field {describe} must be description or counterparty.").format(
                    describe=describe(field)
                ),
            )
        categories = self.accounts.categories
        category = item.get("category")
        if "category" in item and (not isinstance(category, str) or category not in categories):
            self.invalid(
                item,
                "category",
                _(
                    "The category {describe} is not declared in ledgers/accounts.yml."
                    "{suggestion} Declare it there with its kind, or use "
                    "one of its categories."
                ).format(
                    describe=describe(category), suggestion=did_you_mean(str(category), categories)
                ),
            )
        fund = item.get("fund", "")
        if "fund" in item and (not isinstance(fund, str) or fund not in self.accounts.funds):
            self.invalid(item, "fund", self._fund_message(fund))
        sign = item.get("sign", "")
        if "sign" in item and sign not in _SIGNS:
            self.invalid(
                item,
                "sign",
                _('sign {describe} must be "in" (money in) or "out" (money out).').format(
                    describe=describe(sign)
                ),
            )
        if len(self.problems) > before or pattern is None:
            return None
        return Rule(pattern, field, category, fund, sign)


def load_profile(
    label: str, content: bytes | str, accounts: Accounts
) -> tuple[Profile | None, list[Problem]]:
    """Read and validate a profile (and the shipped profile it names as `base`)."""
    data, problems = _load(label, content)
    if data is None:
        return None, problems
    reader = _ProfileReader(label, accounts)
    values = dict(_DEFAULTS)
    if "base" in data:
        base = data["base"]
        shipped = _shipped_text(base) if isinstance(base, str) else None
        if shipped is None:
            reader.invalid(
                data,
                "base",
                _(
                    "base {describe} is not a profile that ships with the publisher (they "
                    "are: {shipped_profiles})."
                ).format(describe=describe(base), shipped_profiles=", ".join(shipped_profiles())),
            )
        else:
            base_data, base_problems = _load(*shipped)
            if base_data is None:
                return None, base_problems
            base_reader = _ProfileReader(shipped[0], accounts)
            values.update(base_reader.read(base_data))
            problems += base_reader.problems
    values.update(reader.read(data))
    problems += reader.problems
    if problems:
        return None, problems
    return _assemble(values, data, label)


def _load(label: str, content: bytes | str) -> tuple[Any, list[Problem]]:
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content.count(b"\n", 0, error.start) + 1
            return None, [
                problem(
                    "file-not-utf8",
                    label,
                    line,
                    _("This profile is not UTF-8 text; save it as UTF-8."),
                )
            ]
    else:
        text = content
    loaded = load_yaml(text, label)
    if loaded.problems:
        return None, loaded.problems
    if not isinstance(loaded.data, dict):
        return None, [
            problem(
                "yaml-not-a-mapping",
                label,
                mapping_line(loaded.data) or 1,
                _(
                    "A bank profile must be a mapping of keys (delimiter, decimal, columns, …) to "
                    "values."
                ),
            )
        ]
    return loaded.data, []


def _assemble(
    values: dict[str, Any], data: Any, label: str
) -> tuple[Profile | None, list[Problem]]:
    problems: list[Problem] = []

    def missing(message: str, line: int | None) -> None:
        problems.append(problem("profile-key-missing", label, line or 1, message))

    columns = values.get("columns") or {}
    columns_line = values.get("columns_line")
    if "date_format" not in values:
        missing(
            _(
                'The profile has no "date_format", such as "%d.%m.%Y"; it says how the bank '
                "writes dates."
            ),
            1,
        )
    if not values.get("columns"):
        missing(
            _(
                'The profile has no "columns" naming the statement\'s date, amount and '
                "description columns."
            ),
            1,
        )
    else:
        for key in ("date", "description"):
            if key not in columns:
                missing(_('"columns" names no {key} column.').format(key=key), columns_line)
        has_amount = "amount" in columns
        has_split = "debit" in columns or "credit" in columns
        if not has_amount and not has_split:
            missing(
                _('"columns" names neither an amount column nor debit and credit columns.'),
                columns_line,
            )
        if has_amount and has_split:
            problems.append(
                problem(
                    "profile-value-invalid",
                    label,
                    columns_line,
                    _(
                        '"columns" names both an amount column and debit or credit columns; name one '
                        "signed amount column, or the debit and credit columns."
                    ),
                )
            )
    if values["thousands"] and values["thousands"] == values["decimal"]:
        problems.append(
            problem(
                "profile-value-invalid",
                label,
                value_line(data, "thousands") if "thousands" in data else 1,
                _("The decimal mark and the thousands separator are the same character."),
            )
        )
    rules = values.get("rules") or ()
    if "counterparty" not in columns and any(r.field == "counterparty" for r in rules):
        problems.append(
            problem(
                "profile-value-invalid",
                label,
                key_line(data, "rules") if "rules" in data else 1,
                _(
                    'A rule matches on the counterparty, but "columns" names no counterparty column.'
                ),
            )
        )
    if problems:
        return None, problems
    profile = Profile(
        encoding=values["encoding"],
        delimiter=values["delimiter"],
        skip_lines=values["skip_lines"],
        decimal=values["decimal"],
        thousands=values["thousands"],
        date_format=values["date_format"],
        date=columns["date"],
        description=columns["description"],
        amount=columns.get("amount"),
        debit=columns.get("debit"),
        credit=columns.get("credit"),
        counterparty=columns.get("counterparty"),
        reference=columns.get("reference"),
        currency=columns.get("currency"),
        fund=values["fund"],
        rules=tuple(rules),
    )
    return profile, []


# -- Statements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """One row of a bank statement, read."""

    line: int
    date: dt.date
    amount: int
    description: str
    counterparty: str
    reference: str


def _human_format(date_format: str) -> str:
    words = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month"}
    return re.sub(r"%[a-zA-Z]", lambda m: words.get(m.group(0), m.group(0)), date_format)


def _decode(data: bytes, profile: Profile, path: str, found: Problems) -> str | None:
    encoding = "utf-8-sig" if profile.encoding == "utf-8" else profile.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        hint = (
            _(' Banks often export Windows-1252 ("ANSI"): try encoding: cp1252 in the profile.')
            if profile.encoding == "utf-8"
            else ""
        )
        found.add(
            "import-encoding-invalid",
            line,
            _(
                "Byte 0x{data:02x} cannot be read as {encoding}, the encoding "
                "the profile names.{hint}"
            ).format(data=data[error.start], encoding=profile.encoding, hint=hint),
            column,
        )
        return None


#: How a workbook statement is recognized: .xlsx (and .ods) files are zip archives.
ZIP_MAGIC = b"PK\x03\x04"
#: Lines (or rows) searched for the header when skip_lines looks wrong.
HEADER_SEARCH_LINES = 100


def is_workbook(data: bytes) -> bool:
    """Whether the statement is a spreadsheet workbook (.xlsx, .ods) rather than CSV text."""
    return data.startswith(ZIP_MAGIC)


@dataclass
class StatementTable:
    """A statement's header and its rows: text cells from CSV, typed cells from a workbook."""

    header: list[str]
    lines: list[int]  # the file's line (CSV) or the sheet's row number (workbook) of each row
    columns: dict[str, list[Any]]  # header name -> the cells of that column


def _profile_columns(profile: Profile) -> list[str]:
    named = [getattr(profile, k) for k in ("date", "amount", "debit", "credit", "counterparty")]
    return [n for n in named if n] + list(profile.description)


def _loose(name: str) -> str:
    return " ".join(str(name).split()).lower()


def _header_index(rows: list[list[str]], profile: Profile) -> int | None:
    """The index of the first row that holds every column the profile names, if any."""
    wanted = {_loose(n) for n in _profile_columns(profile)}
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        if wanted <= {_loose(c) for c in row}:
            return index
    return None


def _skip_lines_hint(
    rows: list[list[str]], profile: Profile, found: Problems, unit: str = "lines"
) -> bool:
    """One problem when the header is elsewhere than skip_lines says (instead of a ragged row
    or a missing column on every line); True if it reported one."""
    index = _header_index(rows, profile)
    if index is None or index == profile.skip_lines:
        return False
    skipped = rows[profile.skip_lines] if profile.skip_lines < len(rows) else []
    if index == profile.skip_lines + 1 and re.fullmatch(r"sep=.?", "".join(skipped).strip()):
        return False  # Excel's "sep=;" line before the header, which the CSV reader skips
    found.add(
        "import-skip-lines-wrong",
        index + 1,
        (
            _n(
                "The header naming the profile's columns is row {header}, but the profile "
                "skips {skip_lines} row before it: write skip_lines: {index} in the profile.",
                "The header naming the profile's columns is row {header}, but the profile "
                "skips {skip_lines} rows before it: write skip_lines: {index} in the profile.",
                profile.skip_lines,
            )
            if unit == "rows"
            else _n(
                "The header naming the profile's columns is line {header}, but the profile "
                "skips {skip_lines} line before it: write skip_lines: {index} in the profile.",
                "The header naming the profile's columns is line {header}, but the profile "
                "skips {skip_lines} lines before it: write skip_lines: {index} in the profile.",
                profile.skip_lines,
            )
        ).format(header=index + 1, skip_lines=profile.skip_lines, index=index),
    )
    return True


def _csv_table(data: bytes, path: str, profile: Profile, found: Problems) -> StatementTable | None:
    text = _decode(data, profile, path, found)
    if text is None:
        return None
    head_rows = list(
        csv.reader(
            io.StringIO("\n".join(text.splitlines()[:HEADER_SEARCH_LINES])),
            delimiter=profile.delimiter,
        )
    )
    if _skip_lines_hint(head_rows, profile, found):
        return None
    offset = 0
    if profile.skip_lines:
        breaks = list(re.finditer(r"\r\n|\r|\n", text))
        if len(breaks) < profile.skip_lines:
            found.add(
                "file-empty",
                1,
                _(
                    "The profile skips {skip_lines} lines before the header, but this file "
                    "has no more lines than that."
                ).format(skip_lines=profile.skip_lines),
            )
            return None
        text = text[breaks[profile.skip_lines - 1].end() :]
        offset = profile.skip_lines
    table = read_table(text.encode("utf-8"), path, profile.delimiter)
    found.extend(
        [dataclasses.replace(p, line=p.line + offset) if p.line else p for p in table.problems]
    )
    if not table.readable or has_errors(table.problems):
        return None
    frame = table.frame
    header = list(table.header)
    return StatementTable(
        header,
        [int(line) + offset for line in frame["line"].tolist()],
        {name: frame[name].astype("str").tolist() for name in header if name in frame},
    )


def _workbook_table(data: bytes, profile: Profile, found: Problems) -> StatementTable | None:
    """The first sheet of a workbook; rows are numbered as the spreadsheet numbers them."""
    try:
        rows = first_sheet_rows(data)
    except WorkbookTooLarge as error:
        found.add("file-too-large", None, f"{error}")
        return None
    except Exception as error:  # noqa: BLE001 - calamine raises its own, undocumented, error classes
        found.add(
            "import-workbook-unreadable",
            None,
            _(
                "This workbook cannot be read ({name}); open it in a spreadsheet "
                "program and save it again as .xlsx, or export it as CSV."
            ).format(name=type(error).__name__),
        )
        return None
    shown = [[_cell_text(c) for c in row] for row in rows]
    if _skip_lines_hint(shown, profile, found, unit="rows"):
        return None
    if len(rows) <= profile.skip_lines:
        found.add(
            "file-empty",
            1,
            _(
                "The profile skips {skip_lines} rows before the header, but this sheet has "
                "no more rows than that."
            ).format(skip_lines=profile.skip_lines),
        )
        return None
    header = [c.strip() for c in shown[profile.skip_lines]]
    lines: list[int] = []
    body: list[list[Any]] = []
    for number, row in enumerate(rows[profile.skip_lines + 1 :], start=profile.skip_lines + 2):
        if all(_cell_text(c).strip() == "" for c in row):
            continue  # empty rows between blocks, or below the last movement
        lines.append(number)
        body.append(list(row) + [""] * (len(header) - len(row)))
    columns = {name: [r[i] for r in body] for i, name in enumerate(header) if name}
    return StatementTable(header, lines, columns)


class WorkbookTooLarge(Exception):
    """A sheet with more rows or cells than a statement ever has."""


def first_sheet_rows(data: bytes) -> list[list[Any]]:
    """The rows of a workbook's first sheet, typed cells, numbered from the sheet's row 1."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    if sheet.height > MAX_WORKBOOK_ROWS or sheet.height * sheet.width > MAX_WORKBOOK_CELLS:
        raise WorkbookTooLarge(
            _(
                "This sheet has {height:,} rows of {width:,} columns; at most "
                "{max_workbook_rows:,} rows and {max_workbook_cells:,} cells are read. Split it."
            ).format(
                height=sheet.height,
                width=sheet.width,
                max_workbook_rows=MAX_WORKBOOK_ROWS,
                max_workbook_cells=MAX_WORKBOOK_CELLS,
            )
        )
    rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    return rows


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


def read_statement(
    data: bytes,
    path: str,
    profile: Profile,
    accounts: Accounts,
    found: Problems,
    *,
    empty_books: Path | None = None,
) -> list[Movement]:
    """The movements of a statement (CSV text, or a workbook's first sheet), in file order.
    `empty_books`: the root of books without rows yet, whose currency can still be changed
    (a currency mismatch then says how)."""
    table = (
        _workbook_table(data, profile, found)
        if is_workbook(data)
        else _csv_table(data, path, profile, found)
    )
    if table is None:
        return []
    header = table.header
    offset = profile.skip_lines
    names = {}
    for key in ("date", "amount", "debit", "credit", "counterparty", "reference", "currency"):
        wanted = getattr(profile, key)
        if wanted:
            names[key] = _find_column(wanted, header, offset, found)
    descriptions = [_find_column(name, header, offset, found) for name in profile.description]
    if None in names.values() or None in descriptions:
        return []
    # (every name is found: the filters only tell the type checker so)
    cells = {key: table.columns[name] for key, name in names.items() if name is not None}
    description_cells = [
        [_cell_text(c) for c in table.columns[n]] for n in descriptions if n is not None
    ]
    units = accounts.minor_units
    human = _human_format(profile.date_format)
    movements: list[Movement] = []
    wrong_currency: dict[str, list[int]] = {}
    for index, line in enumerate(table.lines):
        typed = {key: values[index] for key, values in cells.items()}
        row = {key: _cell_text(value).strip() for key, value in typed.items()}

        def cell(key: str, row: dict[str, str] = row) -> str:
            return row.get(key, "")

        ok = True
        date_text = cell("date")
        date = None
        raw_date = typed.get("date")
        if isinstance(raw_date, dt.date):  # a workbook's date cell: no format to read
            date = raw_date.date() if isinstance(raw_date, dt.datetime) else raw_date
        elif not date_text:
            found.add("import-value-missing", line, _("This row has no date."))
            ok = False
        else:
            try:
                date = dt.datetime.strptime(date_text, profile.date_format).date()
            except ValueError:
                found.add(
                    "import-date-invalid",
                    line,
                    _(
                        '"{date_text}" is not a date written {human} '
                        '(date_format "{date_format}" '
                        "in the profile)."
                    ).format(date_text=date_text, human=human, date_format=profile.date_format),
                )
                ok = False
        foreign: list[str] = []
        amount = _amount(
            cell, profile, units, line, found, typed, accounts.currency, foreign.append
        )
        currency = foreign[0] if foreign else cell("currency").upper()
        if currency and currency != accounts.currency:
            wrong_currency.setdefault(currency, []).append(line)
            ok = False
        if not ok or amount is None or date is None:
            continue
        description = normalize_description(" ".join(c[index] for c in description_cells))
        counterparty = normalize_description(cell("counterparty"))
        reference = cell("reference")
        if reference.lower() in _NO_REFERENCE:
            reference = ""
        movements.append(
            Movement(
                line,
                date,
                amount,
                description or counterparty or reference or "Bank movement",
                counterparty,
                reference,
            )
        )
    for currency, currency_lines in wrong_currency.items():
        more = len(currency_lines) - 1
        found.add(
            "import-currency-mismatch",
            currency_lines[0],
            (
                _n(
                    "This movement is in {currency} (and {count:,} more row), but the books are "
                    "kept in {books_currency} (accounts.yml). ",
                    "This movement is in {currency} (and {count:,} more rows), but the books are "
                    "kept in {books_currency} (accounts.yml). ",
                    more,
                )
                if more
                else _(
                    "This movement is in {currency}, but the books are kept in {books_currency} "
                    "(accounts.yml). "
                )
            ).format(currency=currency, count=more, books_currency=accounts.currency)
            + (
                currency_advice(empty_books, accounts.currency, currency)
                if empty_books is not None
                else _("Import only the statement of an account in that currency.")
            ),
        )
    _check_references(movements, profile, found)
    return movements


def _find_column(name: str, header: list[str], offset: int, found: Problems) -> str | None:
    if name in header:
        return name
    loose = {" ".join(h.split()).lower(): h for h in header}
    match = loose.get(" ".join(name.split()).lower())
    if match is not None:
        return match
    found.add(
        "import-column-missing",
        offset + 1,
        _(
            'The profile names the column "{name}", which this header does not have.'
            "{suggestion} The columns are: {items}. "
            "Correct the name in the profile (or skip_lines, if the header is further down)."
        ).format(
            name=name,
            suggestion=did_you_mean(name, header),
            items=", ".join(h for h in header if h),
        ),
    )
    return None


def _amount(
    cell: Callable[[str], str],
    profile: Profile,
    units: int,
    line: int,
    found: Problems,
    typed: dict[str, Any] | None = None,
    currency: str = "",
    foreign: Callable[[str], None] = lambda code: None,
) -> int | None:
    """The signed amount of a row: its amount column, or its credit minus its debit.

    A cell may carry the books' own currency ("€ -12,50", "12.50 EUR"): that says nothing
    else than the books do. A cell in another currency is given to `foreign` and not read."""

    def read(key: str) -> int | None:
        raw = (typed or {}).get(key)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return _number_amount(raw, key, units, line, found)
        text, other = strip_currency(cell(key), currency)
        if other:
            foreign(other)
            return None
        value, why = parse_amount(text, units, profile.decimal, profile.thousands)
        if value is None:
            found.add(
                "import-amount-invalid",
                line,
                _('The {key} "{cell}" cannot be read: {why}.').format(
                    key=key, cell=cell(key), why=why
                ),
            )
        return value

    if profile.amount:
        if not cell("amount"):
            found.add("import-value-missing", line, _("This row has no amount."))
            return None
        return read("amount")
    debit = read("debit") if cell("debit") else 0
    credit = read("credit") if cell("credit") else 0
    if not cell("debit") and not cell("credit"):
        found.add(
            "import-value-missing", line, _("This row has neither a debit nor a credit amount.")
        )
        return None
    if debit is None or credit is None:
        return None
    return abs(credit) - abs(debit)  # banks write money out with or without a minus sign


def _number_amount(number: float, key: str, units: int, line: int, found: Problems) -> int | None:
    """A workbook's number cell in minor units, exactly: through the shortest decimal text
    that reads back as the same number (Decimal(str(x))), never through float arithmetic."""
    if isinstance(number, float) and not math.isfinite(number):
        found.add(
            "import-amount-invalid",
            line,
            _("The {key} cell holds no number ({number}).").format(key=key, number=number),
        )
        return None
    value = Decimal(str(number))
    decimals = max(0, -int(value.as_tuple().exponent)) if value != value.to_integral() else 0
    if decimals > units:
        found.add(
            "import-amount-invalid",
            line,
            _(
                "The {key} {value} has {decimals} decimals where the currency has {units}: the "
                "cell holds a computed or unrounded number. Round it in the spreadsheet (or "
                "export the statement again) so that it shows the exact amount."
            ).format(key=key, value=value, decimals=decimals, units=units),
        )
        return None
    minor = value.scaleb(units)
    if abs(minor) >= Decimal(10) ** (MAX_DIGITS + 3):
        found.add(
            "import-amount-invalid",
            line,
            _("The {key} {value} has too many digits.").format(key=key, value=value),
        )
        return None
    return int(minor)


def _check_references(movements: list[Movement], profile: Profile, found: Problems) -> None:
    first: dict[str, int] = {}
    for m in movements:
        if not m.reference:
            continue
        if m.reference in first:
            found.add(
                "import-id-repeated",
                m.line,
                _(
                    'The reference "{reference}" is already on line {first}: '
                    'the column "{reference_column}" does not name each movement uniquely, so it '
                    "cannot serve as its id. Remove reference from the profile's columns "
                    "(duplicates are then recognized by date, amount and description)."
                ).format(
                    reference=m.reference,
                    first=first[m.reference],
                    reference_column=profile.reference,
                ),
            )
        else:
            first[m.reference] = m.line


def categorize(
    movements: list[Movement], profile: Profile, fund: str
) -> tuple[list[NewRow], set[int], int]:
    """Ledger rows (first matching rule wins), the identities of the uncategorized ones, and
    how many movements move no money."""
    rows: list[NewRow] = []
    unmatched: set[int] = set()
    zero = 0
    default_fund = fund or profile.fund
    for m in movements:
        if m.amount == 0:
            zero += 1
            continue
        rule = next(
            (r for r in profile.rules if r.matches(m.description, m.counterparty, m.amount)), None
        )
        row = NewRow(
            line=m.line,
            date=m.date,
            description=m.description,
            amount=m.amount,
            category=rule.category if rule else UNCATEGORIZED.key,
            fund=(rule.fund if rule and rule.fund else default_fund),
            counterparty=m.counterparty,
            id=m.reference,
        )
        rows.append(row)
        if rule is None:
            unmatched.add(id(row))
    return distinguish_repeats(rows, unmatched), unmatched, zero


def distinguish_repeats(rows: list[NewRow], unmatched: set[int]) -> list[NewRow]:
    """Rows a statement lists more than once, alike in every column, get ids of their own.

    The bank's statement is its record of what happened: two equal coffees on one day are two
    movements. Without ids the books would call them a likely double entry, and the treasurer
    would have to number them by hand. The id is made of what the rows share and their order,
    so importing an overlapping statement again gives the same ids (and adds nothing).
    `unmatched` (identities of rows) is kept in step with the new rows.
    """
    groups: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        if not row.id:
            key = (row.date, row.amount, row.description, row.counterparty, row.category, row.fund)
            groups.setdefault(key, []).append(index)
    out = list(rows)
    for key, indexes in groups.items():
        if len(indexes) < 2:
            continue
        digest = hashlib.sha256(repr(key[1:4]).encode("utf-8")).hexdigest()[:6]
        for number, index in enumerate(indexes, 1):
            row = rows[index]
            out[index] = dataclasses.replace(row, id=f"{row.date:%Y%m%d}-{digest}-{number}")
            if id(row) in unmatched:
                unmatched.discard(id(row))
                unmatched.add(id(out[index]))
    return out


def import_bank(
    statement: Path,
    root: Path,
    *,
    profile: str,
    into: str = DEFAULT_TARGET,
    fund: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    accept_lines: frozenset[int] = frozenset(),
    keep_likely_duplicates: bool = False,
) -> Outcome:
    """Import a bank statement into the cooperative at `root`, read as `profile` says.

    Rows that look like ledger rows typed by hand are held back, except those at the
    statement's `accept_lines` (or all, with `keep_likely_duplicates`). Raises CannotImport
    when the import cannot run; bad data comes back as problems.
    """
    root = Path(root)
    data = read_source(statement, root)
    cooperative, problems = open_cooperative(root, today)
    label = source_label(statement, root)
    if cooperative is None:
        return Outcome(label, Plan(into, problems=problems), written=False)
    accounts = cooperative.accounts
    check_fund(accounts, fund)
    profile_label, content = find_profile(profile, root)
    read_profile, profile_problems = load_profile(profile_label, content, accounts)
    if read_profile is None:
        return Outcome(label, Plan(into, problems=profile_problems), written=False)
    found = Problems(label)
    empty_books = root if cooperative.ledger.empty else None
    movements = read_statement(data, label, read_profile, accounts, found, empty_books=empty_books)
    candidates, unmatched, zero = categorize(movements, read_profile, fund or "")
    plan = plan_import(
        cooperative,
        into,
        label,
        candidates,
        {UNCATEGORIZED.key: UNCATEGORIZED},
        match_descriptions=True,
        problems=found.all(),
        accept_lines=accept_lines,
        keep_likely_duplicates=keep_likely_duplicates,
    )
    written = False if dry_run else apply_plan(cooperative, plan)
    outcome = Outcome(label, plan, written, units=accounts.minor_units, zero=zero)
    outcome.uncategorized = [row for row in plan.rows if id(row) in unmatched]
    if not has_errors(plan.problems):
        outcome.details = [
            _n(
                "Read {count:,} movement with the profile {profile_label}.",
                "Read {count:,} movements with the profile {profile_label}.",
                len(movements),
            ).format(count=len(movements), profile_label=profile_label)
        ]
    return outcome
