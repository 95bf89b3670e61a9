"""What every import shares: candidate rows, strict amounts, the plan, the write, the summary.

An importer turns its source into `NewRow`s. `plan_import` decides, against the ledgers
already in the repository, which rows are new, which were imported before (duplicates are
skipped), which look typed in by hand already (held back, unless accepted), which cannot be
added (a closed period, a date after today) and which categories accounts.yml must declare.
`apply_plan` writes it, unless any problem is an error: then nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from babel.core import UnknownLocaleError, get_global
from babel.numbers import get_currency_symbol

from publisher.accounts import ACCOUNTS_PATH, Accounts, did_you_mean
from publisher.checking import ROW_PROBLEM_LIMIT
from publisher.cooperative import (
    LEDGERS_DIR,
    Cooperative,
    NotACooperative,
    load_cooperative,
    read_text_file,
)
from publisher.csvfile import MAX_CSV_BYTES
from publisher.i18n import _, _n
from publisher.importers.accountsfile import (
    AccountsEditError,
    CategorySpec,
    add_categories,
    public_line,
    declaration,
)
from publisher.importers.ledgerfile import (
    CannotImport,
    Existing,
    Key,
    LedgerRow,
    amount_text,
    missing_target_columns,
    normalize_description,
    read_existing,
    read_target,
    render_rows,
    resolve_target,
    write_atomic,
)
from publisher.money import MAX_DIGITS, format_minor
from publisher.problems import Problem, has_errors, problem


#: The category of rows that no rule of a bank profile matched.
UNCATEGORIZED = CategorySpec("uncategorized", "expense", "To be categorized", placeholder=True)
#: How many days apart a new row and a ledger row of the same amount may be dated and still be
#: taken for one movement entered twice: banks book a card payment a day or two after it was
#: made, and a weekend adds two more.
LIKELY_DUPLICATE_DAYS = 3
#: How many --accept options the summary spells out for the rows held back.
ACCEPT_LISTED = 20
#: How many uncategorized rows the summary lists, one per line.
UNCATEGORIZED_LISTED = 200


@dataclass(frozen=True)
class NewRow:
    """A ledger row an importer proposes, with the source line it comes from."""

    line: int
    date: dt.date
    description: str
    amount: int  # minor units
    category: str
    fund: str = ""
    counterparty: str = ""
    id: str = ""
    note: str = ""


class Problems:
    """Problems of one source file, at most ROW_PROBLEM_LIMIT per code, like the checks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Problem] = []
        self._counts: Counter[str] = Counter()
        self._first_extra: dict[str, int | None] = {}

    def add(self, code: str, line: int | None, message: str, column: int | None = None) -> None:
        self._counts[code] += 1
        if self._counts[code] <= ROW_PROBLEM_LIMIT:
            self.items.append(problem(code, self.path, line, message, column))
        else:
            self._first_extra.setdefault(code, line)

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def all(self) -> list[Problem]:
        out = list(self.items)
        for code, line in self._first_extra.items():
            extra = self._counts[code] - ROW_PROBLEM_LIMIT
            out.append(
                problem(
                    "too-many-problems",
                    self.path,
                    line,
                    _(
                        "{extra:,} more rows of this file have the same problem [{code}]; only the "
                        "first {row_problem_limit} are listed. Fix those, then import again."
                    ).format(extra=extra, code=code, row_problem_limit=ROW_PROBLEM_LIMIT),
                )
            )
        return out


# -- Amounts ----------------------------------------------------------------------------------

_SPACES = "\u00a0\u202f"


def parse_amount(
    cell: str, units: int, decimal: str = ".", thousands: str = ""
) -> tuple[int | None, str]:
    """An amount cell -> (minor units, ""), or (None, why it cannot be read).

    Strict: an optional sign, digits (grouped by `thousands` in threes, or not grouped at all),
    optionally `decimal` and at most `units` decimals. Never through a float.
    """
    text = cell.strip()
    if thousands == " ":
        text = re.sub(f"[{_SPACES}]", " ", text)
    group = rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+|[0-9]+" if thousands else "[0-9]+"
    match = re.fullmatch(rf"([+-]?)({group})(?:{re.escape(decimal)}([0-9]+))?", text)
    if not match:
        return None, _amount_reason(text, decimal, thousands)
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if thousands:
        whole = whole.replace(thousands, "")
    if len(fraction) > units:
        return None, _n(
            "it has {count} decimal where the currency has {units}",
            "it has {count} decimals where the currency has {units}",
            len(fraction),
        ).format(count=len(fraction), units=units)
    if len(whole.lstrip("0")) + units > MAX_DIGITS + 3:
        return None, _("it has more than {max_digits} digits").format(max_digits=MAX_DIGITS)
    value = int(whole + fraction.ljust(units, "0"))
    return (-value if sign == "-" else value), ""


#: Locales whose symbols a statement's amounts may use for the books' currency (a Canadian
#: bank writes "$" for CAD, a German one "€" for EUR).
_SYMBOL_LOCALES = (
    "en",
    "en_US",
    "en_GB",
    "en_CA",
    "en_AU",
    "fr",
    "fr_CA",
    "fr_CH",
    "de",
    "de_CH",
    "es",
    "es_MX",
    "pt",
    "pt_BR",
    "it",
    "nl",
    "pl",
    "sv",
    "ja",
)

#: Signs that always name a currency (a "$" or "kr" of the books' own currency is found by
#: Babel; these catch one of another currency).
_FOREIGN_SIGNS = "€$£¥₹₽₩₺₪₫₴₦₱₡₲₵₸"


#: The currency a sign names when only one does ("$" and "¥" name several).
_SIGN_CODES = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₽": "RUB",
    "₩": "KRW",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₴": "UAH",
    "₦": "NGN",
    "₱": "PHP",
}


@functools.cache
def currency_marks(currency: str) -> frozenset[str]:
    """The ways a statement writes the books' currency: its code and its symbols."""
    marks = {currency.upper()}
    for locale in _SYMBOL_LOCALES:
        try:
            marks.add(get_currency_symbol(currency, locale=locale))
        except (ValueError, UnknownLocaleError):
            continue
    return frozenset(m for m in marks if m and not re.search(r"[0-9.,+-]", m))


def strip_currency(cell: str, currency: str) -> tuple[str, str | None]:
    """An amount cell without the books' currency sign or code ("-12,50 €" -> "-12,50"), and
    the code of another currency it names (None when it names none or the books' own)."""
    text = cell.strip()
    if not currency or not re.search(rf"[{_FOREIGN_SIGNS}]|[A-Za-z]", text):
        return text, None
    for mark in sorted(currency_marks(currency), key=len, reverse=True):
        pattern = rf"^\s*([+-]?)\s*{re.escape(mark)}\s*|\s*{re.escape(mark)}\s*$"
        stripped = re.sub(pattern, lambda m: m.group(1) or "", text, count=1, flags=re.IGNORECASE)
        if stripped != text:
            # "€ -12,50" and "-€12,50" both read as -12,50.
            return re.sub(r"^([+-])\s+", r"\1", stripped.strip()), None
    # Only a mark of another currency makes the cell foreign; the books' own mark in the
    # middle of the number ("12 EUR 50") is left for the amount reader to refuse.
    own = currency_marks(currency)
    code = re.search(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])", text)
    if code and code.group(1) in _iso_codes() and code.group(1) not in own:
        return text, code.group(1)
    sign = re.search(rf"[{_FOREIGN_SIGNS}]", text)
    if sign and sign.group(0) not in own:
        return text, _SIGN_CODES.get(sign.group(0), sign.group(0))
    return text, None


@functools.cache
def _iso_codes() -> frozenset[str]:
    return frozenset(get_global("all_currencies"))


def _amount_reason(text: str, decimal: str, thousands: str) -> str:
    grouping = (
        _(' and "{thousands}" between thousands').format(thousands=thousands)
        if thousands
        else " and no thousands separator"
    )
    expected = _('digits with "{decimal}" before the decimals{grouping}').format(
        decimal=decimal, grouping=grouping
    )
    if not re.search(r"[0-9]", text):
        return _("it holds no number; expected {expected}").format(expected=expected)
    if re.search(r"[€$£¥]|[A-Za-z]{3}", text):
        return _("it contains a currency symbol or code; expected {expected}").format(
            expected=expected
        )
    return _("expected {expected}, such as {example}").format(
        expected=expected, example=_example(decimal, thousands)
    )


def _example(decimal: str, thousands: str) -> str:
    return f'"-1{thousands}234{decimal}50"' if thousands else f'"-1234{decimal}50"'


# -- The plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LikelyDuplicate:
    """A candidate row held back, and the ledger row it probably repeats."""

    row: NewRow
    match: LedgerRow


@dataclass
class Plan:
    """What an import would do. Nothing is written while `problems` holds an error."""

    target: str
    rows: list[NewRow] = field(default_factory=list)  # the rows to add, in the order written
    duplicates: int = 0
    future: int = 0
    #: rows not written because a ledger row looks like the same movement entered by hand
    held_back: list[LikelyDuplicate] = field(default_factory=list)
    #: lines given to accept that held nothing back (already imported, or not in the source)
    accepted_unused: list[int] = field(default_factory=list)
    #: (path, line) of the ledger rows recognized as imported before
    recognized: set[tuple[str, int]] = field(default_factory=set)
    categories: list[CategorySpec] = field(default_factory=list)  # to declare in accounts.yml
    #: organizations to add to public_counterparties (a fiscal host, a payment processor)
    public: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    accounts_text: str | None = None  # accounts.yml with the categories and public names added
    ledger_data: bytes | None = None  # the target ledger with the rows appended


def open_cooperative(root: Path, today: dt.date | None) -> tuple[Cooperative | None, list[Problem]]:
    try:
        return load_cooperative(root, today, history="never")
    except NotACooperative as error:
        raise CannotImport(str(error)) from None


def read_source(path: Path, root: Path) -> bytes:
    """The bytes of the file to import (never written to)."""
    if not path.is_file():
        raise CannotImport(_("{path} does not exist or is not a file.").format(path=path))
    if path.resolve().parent == (root / LEDGERS_DIR).resolve():
        raise CannotImport(
            _(
                "{path} lies in {ledgers_dir}/, where every CSV file is read as a ledger: move it "
                "out of there (the repository's root, or any other folder), then import it."
            ).format(path=path, ledgers_dir=LEDGERS_DIR)
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise CannotImport(
            _("{path} is larger than {max_csv_bytes:,} bytes; split it first.").format(
                path=path, max_csv_bytes=MAX_CSV_BYTES
            )
        )
    return data


def source_label(path: Path, root: Path) -> str:
    """How problems name the source file: relative to the cooperative when it lies inside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def currency_advice(root: Path, books_currency: str, source_currency: str) -> str:
    """How to keep books that have no rows yet in the source's currency instead: the exact
    accounts.yml line to change, or the `publisher new` command that creates them so."""
    text, _read_problems = read_text_file(root, ACCOUNTS_PATH)
    lines = (text or "").splitlines()
    where = next((n for n, line in enumerate(lines, 1) if re.match(r"currency\s*:", line)), None)
    line = (
        _("line {where} of {accounts_path}").format(where=where, accounts_path=ACCOUNTS_PATH)
        if where
        else ACCOUNTS_PATH
    )
    written = (
        lines[where - 1].strip()
        if where
        else _("currency: {books_currency}").format(books_currency=books_currency)
    )
    return _(
        "The books have no rows yet, so they can still be kept in {source_currency}: change "
        '{line}, "{written}", to "currency: {source_currency}" (or create the books with '
        "`publisher new --currency {source_currency}`), then import again."
    ).format(source_currency=source_currency, line=line, written=written)


def check_fund(accounts: Accounts, fund: str | None) -> None:
    if fund is not None and fund not in accounts.funds:
        raise CannotImport(
            _(
                "--fund {fund}: accounts.yml declares no such fund."
                "{suggestion} "
                "The funds are: {funds}."
            ).format(
                fund=fund,
                suggestion=did_you_mean(fund, accounts.funds),
                funds=", ".join(accounts.funds),
            )
        )


def plan_import(
    cooperative: Cooperative,
    into: str,
    source: str,
    candidates: list[NewRow],
    specs: dict[str, CategorySpec],
    *,
    match_descriptions: bool,
    problems: list[Problem] | None = None,
    accept_lines: frozenset[int] = frozenset(),
    keep_likely_duplicates: bool = False,
    organizations: frozenset[str] = frozenset(),
) -> Plan:
    """Decide which candidate rows to add to the ledger `into`.

    A candidate is a duplicate when its id is already used by a row of the same amount in any
    ledger of the repository, or, with `match_descriptions` (bank statements), when a row of
    the same date, amount and description is there (counted, so that two equal movements on
    one statement and one in the ledger add one). A candidate that is not, but has the amount
    of a ledger row dated at most LIKELY_DUPLICATE_DAYS away (a row typed by hand, in other
    words), is held back and reported, unless its source line is in `accept_lines` or
    `keep_likely_duplicates` is set. Each ledger row stands for at most one candidate. `specs`
    gives the kind and label of each category the importer may need to declare. `problems` are
    the importer's own, about the source file; with any error among them, nothing will be
    written. `organizations` are counterparties the source shows to be organizations (a fiscal
    host, a payment processor): those the new rows name are made public in accounts.yml, so
    that the site does not hide them as private persons.
    """
    accounts = cooperative.accounts
    relative, path = resolve_target(cooperative.root, into)
    plan = Plan(relative, problems=list(problems or []))
    existing, ledger_problems = read_existing(cooperative)
    plan.problems += ledger_problems
    found = Problems(source)
    today = pd.Timestamp(cooperative.today)
    # Accepted lines are matched last, so that among equal rows the ones not accepted are the
    # ones recognized as imported before, and the accepted ones are imported.
    by_acceptance = sorted(candidates, key=lambda row: row.line in accept_lines)
    remaining = _skip_imported_before(plan, existing, by_acceptance, found, accounts.minor_units)
    if match_descriptions:
        remaining = _skip_equal_rows(plan, existing, remaining)
    held: set[int] = set()
    if not keep_likely_duplicates:
        unmatched = [r for r in existing.rows if (r.path, r.line) not in plan.recognized]
        unaccepted = [row for row in remaining if row.line not in accept_lines]
        for pair in match_likely_duplicates(unaccepted, unmatched):
            held.add(id(pair.row))
            plan.held_back.append(pair)
        position = {id(row): index for index, row in enumerate(candidates)}
        plan.held_back.sort(key=lambda pair: position[id(pair.row)])
        for pair in plan.held_back:
            found.add(
                "import-likely-duplicate",
                pair.row.line,
                _likely_duplicate_message(pair, accounts.minor_units),
            )
    plan.accepted_unused = sorted(
        accept_lines - {row.line for row in remaining if id(row) not in held}
    )
    kept = {id(row) for row in remaining} - held
    new: list[NewRow] = []
    for row in candidates:
        if id(row) not in kept:
            continue
        if pd.Timestamp(row.date) > today:
            plan.future += 1
            found.add(
                "import-date-in-future",
                row.line,
                _(
                    "This movement is dated {date:%Y-%m-%d}, after today "
                    "({today:%Y-%m-%d}): it is left out, and the next import will add it."
                ).format(date=row.date, today=cooperative.today),
            )
            continue
        if accounts.closed_through is not None and row.date <= accounts.closed_through:
            found.add(
                "import-closed-period",
                row.line,
                _(
                    "This movement ({date:%Y-%m-%d}, "
                    "{amount}) "
                    "is not in the ledgers, but accounts.yml closes the books through "
                    "{closed_through:%Y-%m-%d}, and the import adds nothing there. Enter it "
                    "by hand as a new row dated after {closed_through:%Y-%m-%d}, with a note of "
                    "the day it belongs to, and import a statement that starts after that day."
                ).format(
                    date=row.date,
                    amount=format_minor(row.amount, accounts.minor_units),
                    closed_through=accounts.closed_through,
                ),
            )
            continue
        new.append(row)
    order = {id(row): index for index, row in enumerate(new)}
    plan.rows = sorted(new, key=lambda row: (row.date, order[id(row)]))
    plan.problems += found.all()
    _plan_categories(plan, accounts, specs)
    target = read_target(cooperative, relative, path)
    needed = {"id"} if any(r.id for r in plan.rows) else set()
    needed |= {"fund"} if any(r.fund for r in plan.rows) else set()
    needed |= {"counterparty"} if any(r.counterparty for r in plan.rows) else set()
    for column in missing_target_columns(target, needed):
        plan.problems.append(
            problem(
                "import-target-column-missing",
                relative,
                1,
                _(
                    'The header of this ledger has no "{column}" column, which the imported rows '
                    "need. Add the column to the header (each existing row then needs one more "
                    "separator), or import into a new file with --into."
                ).format(column=column),
            )
        )
    if has_errors(plan.problems) or not plan.rows:
        return plan
    plan.ledger_data = render_rows(target, [_cells(row, accounts) for row in plan.rows], accounts)
    named = {row.counterparty for row in plan.rows}
    plan.public = sorted(
        n for n in organizations if n in named and n not in accounts.public_counterparties
    )
    if plan.categories or plan.public:
        text, _problems = read_text_file(cooperative.root, ACCOUNTS_PATH)
        try:
            plan.accounts_text = add_categories(text or "", plan.categories, plan.public)
        except AccountsEditError as error:
            lines = "; ".join(
                [f"under categories: {declaration(spec)}" for spec in plan.categories]
                + [f"under public_counterparties: {public_line(name)}" for name in plan.public]
            )
            plan.problems.append(
                problem(
                    "import-accounts-not-updated",
                    ACCOUNTS_PATH,
                    None,
                    _(
                        "The import needs lines that accounts.yml does not have, and they cannot be "
                        "added to it automatically ({error}). Add them yourself ({lines}), then "
                        "import again."
                    ).format(error=error, lines=lines),
                )
            )
    return plan


def _skip_imported_before(
    plan: Plan, existing: Existing, candidates: list[NewRow], found: Problems, units: int
) -> list[NewRow]:
    """The candidates whose id the ledgers do not hold yet; a known id with another amount is
    a conflict, reported."""
    by_id = {row.id: row for row in reversed(existing.rows) if row.id}
    remaining: list[NewRow] = []
    for row in candidates:
        if not row.id or row.id not in existing.ids:
            remaining.append(row)
            continue
        where, line, amount = existing.ids[row.id]
        if amount is None or amount == row.amount:
            plan.duplicates += 1
            match = by_id.get(row.id)
            if match is not None:
                plan.recognized.add((match.path, match.line))
            continue
        found.add(
            "import-id-conflict",
            row.line,
            _(
                'The id "{id}" is already used at {where} line {line} for an amount of '
                "{used_amount}, but this row moves "
                "{row_amount}. Ids are unique across the "
                "ledgers: if that row was edited by hand, restore it or give it another id."
            ).format(
                id=row.id,
                where=where,
                line=line,
                used_amount=format_minor(amount, units),
                row_amount=format_minor(row.amount, units),
            ),
        )
    return remaining


def _skip_equal_rows(plan: Plan, existing: Existing, candidates: list[NewRow]) -> list[NewRow]:
    """The candidates no ledger row equals in date, amount and description (spaces aside).

    Each ledger row recognizes one candidate, the first in the ledgers' order; a candidate with
    a reference only a row without an id (a row with another id is another movement)."""
    # key -> (rows without an id, rows with one), each a queue of (order, row)
    by_key: dict[Key, tuple[deque[tuple[int, LedgerRow]], deque[tuple[int, LedgerRow]]]] = {}
    for order, ledger_row in enumerate(existing.rows):
        if (ledger_row.path, ledger_row.line) not in plan.recognized:
            pools = by_key.setdefault(ledger_row.key, (deque(), deque()))
            pools[bool(ledger_row.id)].append((order, ledger_row))
    remaining: list[NewRow] = []
    for row in candidates:
        key = (row.date, row.amount, normalize_description(row.description))
        matching = by_key.get(key)
        usable = [] if matching is None else [q for q in matching[: 1 if row.id else 2] if q]
        if not usable:
            remaining.append(row)
            continue
        _, match = min(usable, key=lambda queue: queue[0][0]).popleft()
        plan.recognized.add((match.path, match.line))
        plan.duplicates += 1
    return remaining


def match_likely_duplicates(
    candidates: list[NewRow], ledger_rows: list[LedgerRow]
) -> list[LikelyDuplicate]:
    """Pair candidates with ledger rows of the same amount dated at most LIKELY_DUPLICATE_DAYS
    apart, whatever their wording: probably one movement entered twice (typed by hand, then
    imported). One to one, closest dates first, then in the candidates' order and the ledgers'.
    Not paired: transfers and opening balances (they move no money in or out of the bank), two
    rows that both carry an id (two transactions of their sources), and rows of different funds
    where both name one.

    The ledger rows are kept in queues by (amount, date, has an id, fund), so that each
    candidate looks only at rows it may be paired with, and the work stays proportional to the
    number of rows however many share an amount and a day.
    """
    queues: dict[tuple[int, dt.date, bool, str], deque[tuple[int, LedgerRow]]] = {}
    funds: dict[tuple[int, dt.date, bool], list[str]] = {}
    for order, ledger_row in enumerate(ledger_rows):
        if ledger_row.kind in ("transfer", "opening"):
            continue
        slot = (ledger_row.amount, ledger_row.date, bool(ledger_row.id))
        if slot + (ledger_row.fund,) not in queues:
            queues[slot + (ledger_row.fund,)] = deque()
            funds.setdefault(slot, []).append(ledger_row.fund)
        queues[slot + (ledger_row.fund,)].append((order, ledger_row))
    paired: dict[int, LikelyDuplicate] = {}
    for days in range(LIKELY_DUPLICATE_DAYS + 1):
        for index, row in enumerate(candidates):
            if index in paired:
                continue
            best: deque[tuple[int, LedgerRow]] | None = None
            for date in _days_away(row.date, days):
                for has_id in (False,) if row.id else (False, True):
                    slot = (row.amount, date, has_id)
                    for fund in funds.get(slot, ()):
                        queue = queues[slot + (fund,)]
                        if not queue or (row.fund and fund and fund != row.fund):
                            continue
                        if best is None or queue[0][0] < best[0][0]:
                            best = queue
            if best is not None:
                paired[index] = LikelyDuplicate(row, best.popleft()[1])
    return [paired[index] for index in sorted(paired)]


def _days_away(date: dt.date, days: int) -> list[dt.date]:
    """The dates `days` before and after `date` (one when `days` is 0), within the calendar."""
    dates = []
    for sign in (-1, 1) if days else (1,):
        try:
            dates.append(date + dt.timedelta(days=sign * days))
        except OverflowError:  # before the year 1 or after 9999: no row is dated there
            pass
    return dates


def _short(text: str, limit: int = 60) -> str:
    text = normalize_description(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _likely_duplicate_message(pair: LikelyDuplicate, units: int) -> str:
    row, match = pair.row, pair.match
    when = _("the same day") if match.date == row.date else f"{match.date:%Y-%m-%d}"
    return _(
        'This movement ({date:%Y-%m-%d}, {amount}, "'
        '{short}") is probably already in the books: {path} line '
        '{line} has the same amount on {when} ("{ledger_short}"). It is not '
        "imported, so that it is not counted twice. If it is another movement, import it with "
        "--accept {source_line} (or --keep-likely-duplicates for every row held back)."
    ).format(
        date=row.date,
        amount=format_minor(row.amount, units),
        short=_short(row.description),
        path=match.path,
        line=match.line,
        when=when,
        ledger_short=_short(match.description),
        source_line=row.line,
    )


def _plan_categories(plan: Plan, accounts: Accounts, specs: dict[str, CategorySpec]) -> None:
    used = dict.fromkeys(row.category for row in plan.rows)
    for key in used:
        spec = specs.get(key)
        declared = accounts.categories.get(key)
        if declared is None:
            if spec is not None:
                plan.categories.append(spec)
            continue
        if spec is not None and declared.kind != spec.kind:
            plan.problems.append(
                problem(
                    "import-category-kind-mismatch",
                    ACCOUNTS_PATH,
                    None,
                    _(
                        'The import puts rows under "{key}" as {kind}, but accounts.yml declares '
                        '"{key}" as {declared_kind}. Choose another category for these rows (see '
                        "docs/importing.md), or correct the kind."
                    ).format(key=key, kind=spec.kind, declared_kind=declared.kind),
                )
            )


def _cells(row: NewRow, accounts: Accounts) -> dict[str, str]:
    return {
        "date": f"{row.date:%Y-%m-%d}",
        "description": row.description,
        "amount": amount_text(row.amount, accounts),
        "category": row.category,
        "fund": row.fund,
        "counterparty": row.counterparty,
        "decision": "",
        "id": row.id,
        "note": row.note,
    }


def apply_plan(cooperative: Cooperative, plan: Plan) -> bool:
    """Write the plan: accounts.yml first, then the ledger, each atomically. If the ledger
    cannot be written, accounts.yml is put back as it was. True when anything was written."""
    if has_errors(plan.problems) or plan.ledger_data is None:
        return False
    root = cooperative.root
    accounts_path = root / ACCOUNTS_PATH
    original = accounts_path.read_bytes()
    if plan.accounts_text is not None:
        bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
        write_atomic(accounts_path, bom + plan.accounts_text.encode("utf-8"))
    try:
        write_atomic(root / plan.target, plan.ledger_data)
    except BaseException:
        if plan.accounts_text is not None:
            write_atomic(accounts_path, original)
        raise
    return True


# -- The outcome ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an import did (or, with errors or a dry run, would have done)."""

    source: str
    plan: Plan
    written: bool
    units: int = 2  # the currency's minor units, for the amounts of the summary
    zero: int = 0  # source rows that move no money, left out
    details: list[str] = field(default_factory=list)  # importer-specific lines of the summary
    uncategorized: list[NewRow] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def summary_lines(outcome: Outcome, dry_run: bool = False) -> list[str]:
    """The summary printed after the problems: counts, categories, and what was written."""
    plan = outcome.plan
    if has_errors(plan.problems):
        return [
            _(
                "Nothing was written: fix the errors above in {source} (or the files "
                "they name), then import again."
            ).format(source=outcome.source)
        ]
    imported = (
        _n(
            "Would import {count:,} row from {source} into {target}.",
            "Would import {count:,} rows from {source} into {target}.",
            len(plan.rows),
        )
        if dry_run
        else _n(
            "Imported {count:,} row from {source} into {target}.",
            "Imported {count:,} rows from {source} into {target}.",
            len(plan.rows),
        )
    )
    lines = [imported.format(count=len(plan.rows), source=outcome.source, target=plan.target)]
    lines.append(
        _n(
            "Skipped {count:,} row already in the ledgers.",
            "Skipped {count:,} rows already in the ledgers.",
            plan.duplicates,
        ).format(count=plan.duplicates)
    )
    if outcome.zero:
        lines.append(
            _n(
                "Left out {count:,} row that moves no money.",
                "Left out {count:,} rows that move no money.",
                outcome.zero,
            ).format(count=outcome.zero)
        )
    if plan.future:
        lines.append(
            _n(
                "Left out {count:,} row dated after today; import again later.",
                "Left out {count:,} rows dated after today; import again later.",
                plan.future,
            ).format(count=plan.future)
        )
    if plan.categories:
        keys = _(", ").join(spec.key for spec in plan.categories)
        declared = (
            _("Would declare in {accounts_path}: {keys}.")
            if dry_run
            else _("Declared in {accounts_path}: {keys}.")
        )
        lines.append(declared.format(accounts_path=ACCOUNTS_PATH, keys=keys))
    if plan.held_back:
        held_lines = sorted({pair.row.line for pair in plan.held_back})
        accept = _(" ").join(f"--accept {line}" for line in held_lines[:ACCEPT_LISTED])
        accept += " …" if len(held_lines) > ACCEPT_LISTED else ""
        lines.append(
            _n(
                "Held back {count:,} row that the ledgers probably hold already, "
                "typed in another way (the same amount at most {likely_duplicate_days} days apart; "
                "it is listed above with the ledger row it matches). If it is another "
                "movement, import it with {accept} (or --keep-likely-duplicates for all).",
                "Held back {count:,} rows that the ledgers probably hold already, "
                "typed in another way (the same amount at most {likely_duplicate_days} days apart; "
                "each is listed above with the ledger row it matches). If they are other "
                "movements, import them with {accept} (or --keep-likely-duplicates for all).",
                len(plan.held_back),
            ).format(
                count=len(plan.held_back),
                likely_duplicate_days=LIKELY_DUPLICATE_DAYS,
                accept=accept,
            )
        )
    for line in plan.accepted_unused:
        lines.append(
            _(
                "--accept {line}: line {line} of {source} is not held back as a likely "
                "duplicate (it was imported before, or is not a row of the file), so there was "
                "nothing to accept."
            ).format(line=line, source=outcome.source)
        )
    lines += outcome.details
    if outcome.uncategorized:
        count = len(outcome.uncategorized)
        matched_no_rule = (
            _n(
                '{count:,} row matched no rule and would go to "{key}" ({label}), a '
                "placeholder: publisher check reports it as an error, and the books cannot be "
                "published until it has its real category. ",
                '{count:,} rows matched no rule and would go to "{key}" ({label}), a '
                "placeholder: publisher check reports each as an error, and the books cannot be "
                "published until every one has its real category. ",
                count,
            )
            if dry_run
            else _n(
                '{count:,} row matched no rule and went to "{key}" ({label}), a '
                "placeholder: publisher check reports it as an error, and the books cannot be "
                "published until it has its real category. ",
                '{count:,} rows matched no rule and went to "{key}" ({label}), a '
                "placeholder: publisher check reports each as an error, and the books cannot be "
                "published until every one has its real category. ",
                count,
            )
        )
        lines.append(
            matched_no_rule.format(count=count, key=UNCATEGORIZED.key, label=UNCATEGORIZED.label)
            + (
                _(
                    "Add rules to the profile for them before you import, or change their category "
                    "cells in {target} after:"
                ).format(target=plan.target)
                if dry_run
                else _(
                    "Change the category cell of each in {target}; or delete these rows "
                    "there, add rules to the profile and import again (only they come back):"
                ).format(target=plan.target)
            )
        )
        for row in outcome.uncategorized[:UNCATEGORIZED_LISTED]:
            lines.append(
                _("  {source}:{line}: {date:%Y-%m-%d} {amount} {description}").format(
                    source=outcome.source,
                    line=row.line,
                    date=row.date,
                    amount=format_minor(row.amount, outcome.units),
                    description=row.description,
                )
            )
        more = len(outcome.uncategorized) - UNCATEGORIZED_LISTED
        if more > 0:
            lines.append(
                _n("  … and {count:,} more row.", "  … and {count:,} more rows.", more).format(
                    count=more
                )
            )
    if dry_run:
        lines.append(_("Dry run: nothing was written."))
    elif not outcome.written:
        lines.append(_("Nothing new to write."))
    return lines
