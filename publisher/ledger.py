"""Ledgers, budgets and balance assertions: reading them into frames, and checking them.

Reading turns each CSV file into a frame of typed columns (dates, integer minor units) and
reports every cell that cannot be read. The checks below then work on whole columns at once.

Frames (one row per CSV row, all files of a kind together):

- ledger: path, line, date, description, amount, category, fund, counterparty, decision, id, note
- budget: path, line, year, category, fund, amount, decision
- balances: path, line, date, fund, balance

`amount` and `balance` are integer minor units (nullable Int64: NA where the cell could not be
read); `date` is datetime64 (NaT where unreadable); `fund` is already the default fund where
the cell was empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from publisher.accounts import DELIMITERS, Accounts, did_you_mean
from publisher.checking import check, row_problems
from publisher.csvfile import LINE, Table, arrow_text
from publisher.money import amount_message, format_minor, parse_amounts
from publisher.problems import Problem, problem
from publisher.spreadsheet import TOTALS_WORDS, date_order, date_shape

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative


@dataclass(frozen=True)
class FileFormat:
    kind: str
    columns: tuple[str, ...]
    required: tuple[str, ...]


LEDGER = FileFormat(
    "ledger",
    ("date", "description", "amount", "category", "fund", "counterparty", "decision", "id", "note"),
    ("date", "description", "amount", "category"),
)
BUDGET = FileFormat(
    "budget", ("year", "category", "amount", "fund", "decision"), ("year", "category", "amount")
)
BALANCES = FileFormat("balances", ("date", "fund", "balance"), ("date", "fund", "balance"))

# Columns whose cells are compared with names or patterns: surrounding spaces would only hide
# a match, so they are stripped. Descriptions and notes keep their text as written.
_STRIPPED = {"date", "amount", "category", "fund", "counterparty", "decision", "id", "year", "balance"}

_DATE_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _empty_frame(fmt: FileFormat) -> pd.DataFrame:
    """No rows: only the columns every frame has, which checks test for before using others."""
    return pd.DataFrame({"path": pd.Series([], dtype="str"), LINE: pd.Series([], dtype="int64")})


def _other_delimiter(table: Table, fmt: FileFormat) -> str | None:
    """The delimiter the header really uses, when it is not the configured one."""
    if len(table.header) != 1:
        return None
    for candidate in DELIMITERS:
        names = [n.strip().lower() for n in table.header[0].split(candidate)]
        if candidate != table.delimiter and len(names) > 1 and set(fmt.required) <= set(names):
            return candidate
    return None


def _structure(table: Table, fmt: FileFormat) -> tuple[list[Problem], bool]:
    """The file's structural problems. The bool: can its rows be read at all?"""
    if not table.readable:
        return table.problems, False
    _canonical_header(table, fmt)
    other = _other_delimiter(table, fmt)
    if other is not None:
        # Read with the wrong delimiter, every row is "ragged": only the cause is reported.
        shown = {"\t": "a tab", ";": '";"', ",": '","', "|": '"|"'}
        return [
            problem(
                "csv-delimiter-mismatch",
                table.path,
                table.header_line,
                f"This file separates its cells with {shown[other]}, but ledgers/accounts.yml says "
                f"{shown[table.delimiter]}. Export it again with {shown[table.delimiter]}, or, if all "
                f"your files use {shown[other]}, set csv: {{delimiter: \"{other if other != chr(9) else chr(92) + 't'}\"}} "
                "in ledgers/accounts.yml (with a decimal comma: decimal: \",\").",
            )
        ], False
    problems, usable = _column_problems(table, fmt)
    return table.problems + problems, usable


def _canonical_header(table: Table, fmt: FileFormat) -> None:
    """Read `Date`, `AMOUNT` as the format's `date` and `amount`: a spreadsheet user writes
    headers in capitals, and no other column could be meant. A header that already has the
    lower-case name keeps it, and the other spelling is then reported as a duplicate."""
    renames: dict[str, str] = {}
    for name in table.header:
        lowered = name.lower()
        if name != lowered and lowered in fmt.columns and lowered not in table.header:
            if lowered not in renames.values():
                renames[name] = lowered
    if renames:
        table.rename_columns(renames)


def _column_problems(table: Table, fmt: FileFormat) -> tuple[list[Problem], bool]:
    """Missing, duplicated and unknown columns. The bool: can the rows be read at all?"""
    problems: list[Problem] = []
    seen: set[str] = set()
    header_line = table.header_line
    lowered_seen = {name.lower() for name in table.header if name in fmt.columns}
    for index, name in enumerate(table.header):
        _, column = (
            table.position(header_line, name) if index == table.header.index(name) else (1, None)
        )
        if name in seen or (name not in fmt.columns and name.lower() in lowered_seen):
            problems.append(
                problem(
                    "column-duplicated",
                    table.path,
                    header_line,
                    f'The column "{name}" appears twice in the header; only the first one '
                    "would be read. Remove or rename the other.",
                )
            )
            continue
        seen.add(name)
        if name and name not in fmt.columns:
            problems.append(
                problem(
                    "column-unknown",
                    table.path,
                    header_line,
                    f'The column "{name}" is not part of the {fmt.kind} format, so it is ignored '
                    f"and never published.{did_you_mean(name, fmt.columns)}",
                    column,
                )
            )
    missing = [name for name in fmt.required if name not in seen]
    for name in missing:
        problems.append(
            problem(
                "column-missing",
                table.path,
                header_line,
                f'The header has no "{name}" column, which every {fmt.kind} file needs '
                f"({', '.join(fmt.required)}).{did_you_mean(name, [h for h in table.header if h not in fmt.columns])}",
            )
        )
    return problems, not missing


def _text_columns(table: Table, fmt: FileFormat) -> pd.DataFrame:
    """The format's columns from the table (empty text where absent), stripped where needed."""
    frame = table.frame
    columns: dict[str, Any] = {
        "path": pd.Series(table.path, index=frame.index, dtype="str"),
        LINE: frame[LINE].astype("int64"),
    }
    for name in fmt.columns:
        if name in frame.columns:
            values = frame[name].astype("str")
            columns[name] = values.str.strip() if name in _STRIPPED else values
        else:
            columns[name] = pd.Series("", index=frame.index, dtype="str")
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class _TableLocator:
    """Where a cell of one table stands, and its column's letter (see checking.column_label)."""

    table: Table

    def __call__(self, path: str, line: int, column: str) -> tuple[int, int | None]:
        return self.table.position(line, column)

    def column_letter(self, path: str, column: str) -> str | None:
        return self.table.column_letter(column)


def _locator(table: Table) -> _TableLocator:
    return _TableLocator(table)


def _missing_values(table: Table, frame: pd.DataFrame, fmt: FileFormat) -> list[Problem]:
    problems: list[Problem] = []
    for name in fmt.required:
        empty = (frame[name].str.len() == 0).to_numpy()
        problems += row_problems(
            frame,
            empty,
            "value-missing",
            name,
            lambda row, name=name: f'The "{name}" cell is empty; every {fmt.kind} row needs one.',
            _locator(table),
        )
    return problems


def _parse_date_column(
    table: Table, frame: pd.DataFrame, column: str
) -> tuple[pd.Series, list[Problem]]:
    cells = frame[column]
    text = arrow_text(cells)
    shaped = pc.fill_null(pc.match_substring_regex(text, "^" + _DATE_SHAPE + "$"), False)
    # pyarrow's strptime is lenient (2025-02-30 becomes 2025-03-01): a date is real only if
    # its month and day read back as written.
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    written = pc.if_else(shaped, text, "0000-00-00")
    same_month = pc.equal(pc.month(parsed), pc.cast(pc.utf8_slice_codeunits(written, 5, 7), pa.int64()))
    same_day = pc.equal(pc.day(parsed), pc.cast(pc.utf8_slice_codeunits(written, 8, 10), pa.int64()))
    real = pc.fill_null(pc.and_(pc.and_(shaped, same_month), same_day), False)
    real = real.to_numpy(zero_copy_only=False)
    shaped = shaped.to_numpy(zero_copy_only=False)
    dates = pd.Series(parsed.to_numpy(zero_copy_only=False), index=cells.index).where(real)
    nonempty = (cells.str.len() > 0).to_numpy()
    problems = row_problems(
        frame,
        nonempty & ~shaped,
        "date-format",
        column,
        lambda row: date_format_message(getattr(row, column)),
        _locator(table),
        whole_column=lambda rows, filled: _date_column_message(rows[column], filled, table.path),
    )
    problems += row_problems(
        frame,
        shaped & ~real,
        "date-impossible",
        column,
        lambda row: f'"{getattr(row, column)}" is not a day of the calendar; check the month '
        "and the day.",
        _locator(table),
    )
    return dates, problems


def _date_column_message(cells: pd.Series, filled: int, path: str) -> str | None:
    """One sentence for a date column written in one other pattern throughout, or None."""
    order = date_order(cells)
    shapes = {date_shape(cell, order) for cell in cells}
    if len(shapes) != 1 or None in shapes:
        return None
    shape = shapes.pop()
    share = f"All {len(cells):,}" if len(cells) == filled else f"{len(cells):,} of the {filled:,}"
    if shape.endswith(("/YY", ".YY", "-YY")):
        return (
            f"{share} dates of this column are written {shape}, with two-digit years (a "
            "spreadsheet's short date format), not YYYY-MM-DD. `publisher fix` does not guess "
            "the century: format the column as an ISO date (YYYY-MM-DD) in the spreadsheet and "
            "export again."
        )
    if "NN" in shape:
        return (
            f"{share} dates of this column are written {shape}, not YYYY-MM-DD, and none has a "
            "number above 12 to show whether the day or the month comes first, so "
            f"`publisher fix {path}` cannot rewrite them. Format the column as an ISO date "
            "(YYYY-MM-DD) in the spreadsheet and export again."
        )
    return (
        f"{share} dates of this column are written {shape}, not YYYY-MM-DD. Run "
        f"`publisher fix {path}` to rewrite them, or format the column as an ISO date "
        "(YYYY-MM-DD) in the spreadsheet before exporting."
    )


def date_format_message(cell: str) -> str:
    """Say how to write a date the treasurer wrote in another form."""
    suggestion = ""
    match = re.fullmatch(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})", cell)
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first > 12 and second <= 12:
            suggestion = f' Written day first, that is "{year:04d}-{second:02d}-{first:02d}".'
        elif second > 12 and first <= 12:
            suggestion = f' Written month first, that is "{year:04d}-{first:02d}-{second:02d}".'
        else:
            suggestion = (
                f' If it is day/month/year, write "{year:04d}-{second:02d}-{first:02d}"; '
                f'if month/day/year, "{year:04d}-{first:02d}-{second:02d}".'
            )
    else:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", cell)
        if match:
            year, month, day = (int(g) for g in match.groups())
            suggestion = f' Write "{year:04d}-{month:02d}-{day:02d}".'
    return (
        f'"{cell}" is not a date written YYYY-MM-DD (year, month, day).{suggestion} In a '
        "spreadsheet, format the column as text or as an ISO date before exporting."
    )


def _parse_amount_column(
    table: Table, frame: pd.DataFrame, column: str, accounts: Accounts
) -> tuple[pd.Series, list[Problem]]:
    decimal, units = accounts.dialect.decimal, accounts.minor_units
    minor, issue = parse_amounts(frame[column], decimal, units)
    problems: list[Problem] = []
    codes = issue.to_numpy()
    for code in sorted(set(codes) - {""}):
        problems += row_problems(
            frame,
            codes == code,
            code,
            column,
            lambda row, code=code: amount_message(
                code, getattr(row, column), decimal, units, accounts.currency
            ),
            _locator(table),
            whole_column=lambda rows, filled, code=code: _amount_column_message(
                code, rows[column], filled, table.path, decimal, units, accounts.currency
            ),
        )
    return minor, problems


#: Problems of an amount column that `publisher fix` rewrites when the cells are unambiguous.
FIXABLE_AMOUNT_CODES = frozenset(
    {
        "amount-decimal-comma",
        "amount-decimal-point",
        "amount-thousands-separator",
        "amount-currency-symbol",
        "amount-minus-lookalike",
    }
)


#: Amount problems that come from how a column was formatted, and so can be named once for it.
COLUMN_PATTERN_CODES = FIXABLE_AMOUNT_CODES | {"amount-exponent", "amount-too-many-decimals"}


def _amount_column_message(
    code: str, cells: pd.Series, filled: int, path: str, decimal: str, units: int, currency: str
) -> str | None:
    """One sentence for an amount column with the same problem in (nearly) every cell, or None
    when the problem names no pattern of the export (text, invalid cells: listed one by one)."""
    if code not in COLUMN_PATTERN_CODES:
        return None
    share = f"All {len(cells):,}" if len(cells) == filled else f"{len(cells):,} of the {filled:,}"
    first = amount_message(code, str(cells.iloc[0]), decimal, units, currency)
    fix = (
        f" Run `publisher fix {path}` to rewrite the column."
        if code in FIXABLE_AMOUNT_CODES
        else ""
    )
    return f"{share} amounts of this column have the same problem; the first: {first}{fix}"


def _totals_row(
    frame: pd.DataFrame, fmt: FileFormat, accounts: Accounts
) -> tuple[int, str] | None:
    """(index, what gives it away) of a spreadsheet's totals row at the bottom of a ledger or
    budget, or None.

    The last row is one when its date (the year, in a budget) is empty or a totals word, and
    either a text cell starts with a totals word ("Total", "Summe", ...) or its amount is the
    sum of the amounts above it. It is an error either way, so a real row is never hidden:
    only the message changes.
    """
    if fmt.kind not in ("ledger", "budget") or len(frame) < 2:
        return None
    when = "date" if fmt.kind == "ledger" else "year"
    last = frame.iloc[-1]
    if last[when] and not TOTALS_WORDS.fullmatch(last[when]):
        return None
    texts = [last[name] for name in fmt.columns if name != "amount" and name in frame.columns]
    if any(TOTALS_WORDS.fullmatch(text) for text in texts if text):
        return len(frame) - 1, "a word such as “Total”"
    if len(frame) < 3 or not last["amount"]:
        return None
    minor, _ = parse_amounts(frame["amount"], accounts.dialect.decimal, accounts.minor_units)
    if minor.isna().any():
        return None
    above = int(minor.iloc[:-1].astype("int64").sum())
    if above != int(minor.iloc[-1]):
        return None
    return len(frame) - 1, "an amount equal to the sum of the rows above"


def _read_rows(table: Table, fmt: FileFormat, accounts: Accounts) -> tuple[pd.DataFrame | None, list[Problem]]:
    """What every kind of file shares: structure, text columns, required cells, default fund."""
    problems, usable = _structure(table, fmt)
    if not usable:
        return None, problems
    frame = _text_columns(table, fmt)
    totals = _totals_row(frame, fmt, accounts)
    if totals is not None:
        index, evidence = totals
        problems.append(
            problem(
                "csv-totals-row",
                table.path,
                int(frame[LINE].iloc[index]),
                f"This last row looks like the spreadsheet's totals row (no date, and {evidence}), "
                "not a movement of money: remove the totals row. The publisher adds up the "
                "rows itself.",
            )
        )
        frame = frame.drop(index=frame.index[index]).reset_index(drop=True)
    problems += _missing_values(table, frame, fmt)
    frame["fund"] = frame["fund"].mask(frame["fund"].str.len() == 0, accounts.default_fund)
    return frame, problems


def read_ledger(table: Table, accounts: Accounts) -> tuple[pd.DataFrame, list[Problem]]:
    frame, problems = _read_rows(table, LEDGER, accounts)
    if frame is None:
        return _empty_frame(LEDGER), problems
    frame["date"], date_problems = _parse_date_column(table, frame, "date")
    frame["amount"], amount_problems = _parse_amount_column(table, frame, "amount", accounts)
    frame["kind"] = kinds_of(frame["category"], accounts)
    return frame, problems + date_problems + amount_problems


def read_budget(table: Table, accounts: Accounts) -> tuple[pd.DataFrame, list[Problem]]:
    frame, problems = _read_rows(table, BUDGET, accounts)
    if frame is None:
        return _empty_frame(BUDGET), problems
    shaped = frame["year"].str.fullmatch(r"[0-9]{4}").to_numpy(dtype=bool, na_value=False)
    nonempty = (frame["year"].str.len() > 0).to_numpy()
    problems += row_problems(
        frame,
        nonempty & ~shaped,
        "budget-year-invalid",
        "year",
        lambda row: f'"{row.year}" is not a year; write the four digits of the year, e.g. "2026".',
        _locator(table),
    )
    frame["amount"], amount_problems = _parse_amount_column(table, frame, "amount", accounts)
    frame["year"] = pd.to_numeric(frame["year"].where(shaped), errors="coerce").astype("Int64")
    return frame, problems + amount_problems


def read_balances(table: Table, accounts: Accounts) -> tuple[pd.DataFrame, list[Problem]]:
    frame, problems = _read_rows(table, BALANCES, accounts)
    if frame is None:
        return _empty_frame(BALANCES), problems
    frame["date"], date_problems = _parse_date_column(table, frame, "date")
    frame["balance"], amount_problems = _parse_amount_column(table, frame, "balance", accounts)
    return frame, problems + date_problems + amount_problems


# -- Checks -----------------------------------------------------------------------------------


def kinds_of(categories: pd.Series, accounts: Accounts) -> pd.Series:
    """The kind of each row's category (NaN where unknown), through the few distinct values."""
    return categories.astype("category").map(accounts.kinds()).astype(object)


def _kind_of(cooperative: Cooperative, frame: pd.DataFrame) -> pd.Series:
    if "kind" in frame.columns:
        return frame["kind"]
    return kinds_of(frame["category"], cooperative.accounts)


def _has(frame: pd.DataFrame, *columns: str) -> bool:
    return len(frame) > 0 and all(c in frame.columns for c in columns)


@check
def check_categories(cooperative: Cooperative) -> Iterable[Problem]:
    categories = cooperative.accounts.categories
    problems: list[Problem] = []
    for frame, kind in ((cooperative.ledger, "ledger"), (cooperative.budget, "budget")):
        if not _has(frame, "category"):
            continue
        unknown = ~frame["category"].isin(categories) & (frame["category"].str.len() > 0)
        problems += row_problems(
            frame,
            unknown,
            "category-unknown",
            "category",
            lambda row: f'The category "{row.category}" is not declared in ledgers/accounts.yml.'
            f"{did_you_mean(row.category, categories)} Use one of its categories, or add this "
            "one there with its kind.",
            cooperative.locate,
        )
    return problems


@check
def check_funds(cooperative: Cooperative) -> Iterable[Problem]:
    funds = cooperative.accounts.funds
    problems: list[Problem] = []
    for frame in (cooperative.ledger, cooperative.budget, cooperative.balances):
        if not _has(frame, "fund"):
            continue
        problems += row_problems(
            frame,
            ~frame["fund"].isin(funds),
            "fund-unknown",
            "fund",
            lambda row: f'The fund "{row.fund}" is not declared in ledgers/accounts.yml.'
            f"{did_you_mean(row.fund, funds)} The funds are: {', '.join(funds)} (an empty cell "
            f'means "{cooperative.accounts.default_fund}").',
            cooperative.locate,
        )
    return problems


@check
def check_ids(cooperative: Cooperative) -> Iterable[Problem]:
    ledger = cooperative.ledger
    if not _has(ledger, "id"):
        return []
    ids = ledger["id"]
    # Only the id column is scanned; whole rows are looked at only for the repeats found.
    repeated = (ids.duplicated(keep="first") & (ids.str.len() > 0)).to_numpy()
    if not repeated.any():
        return []
    repeated_ids = set(ids[repeated])
    firsts = ledger.loc[ids.isin(repeated_ids).to_numpy() & ~repeated, ["id", "path", "line"]]
    first = {row.id: (row.path, row.line) for row in firsts.itertuples(index=False)}
    return row_problems(
        ledger,
        repeated,
        "id-duplicate",
        "id",
        lambda row: f'The id "{row.id}" is already used at {first[row.id][0]} line '
        f"{first[row.id][1]}; ids must be unique across all ledgers. Give this row "
        "its own id, or remove it if it is the same movement entered twice.",
        cooperative.locate,
    )


@check
def check_transfers(cooperative: Cooperative) -> Iterable[Problem]:
    ledger = cooperative.ledger
    if not _has(ledger, "category", "amount", "date"):
        return []
    is_transfer = (_kind_of(cooperative, ledger) == "transfer") & ledger["amount"].notna() & ledger["date"].notna()
    transfers = ledger.loc[is_transfer.to_numpy(), ["path", "line", "date", "amount"]]
    if transfers.empty:
        return []
    sums = transfers.groupby("date")["amount"].sum()
    unbalanced = sums[sums != 0]
    problems: list[Problem] = []
    units = cooperative.accounts.minor_units
    for date, total in unbalanced.items():
        rows = transfers[transfers["date"] == date]
        where = ", ".join(f"{r.path}:{r.line}" for r in rows.itertuples())
        first = rows.iloc[0]
        line, column = cooperative.locate(first["path"], int(first["line"]), "amount")
        problems.append(
            problem(
                "transfer-unbalanced",
                str(first["path"]),
                line,
                f"The transfer rows of {date:%Y-%m-%d} ({where}) sum to "
                f"{format_minor(int(total), units)} instead of zero. A transfer is a row out of "
                "one fund and a row of the opposite amount into another, on the same date.",
                column,
            )
        )
    return problems


@check
def check_balances(cooperative: Cooperative) -> Iterable[Problem]:
    balances, ledger = cooperative.balances, cooperative.ledger
    if not _has(balances, "balance", "date", "fund"):
        return []
    units = cooperative.accounts.minor_units
    assertions = balances[balances["balance"].notna() & balances["date"].notna()]
    if assertions.empty:
        return []
    # The running balance of each fund: rows sorted by fund then date, summed cumulatively.
    if len(ledger):
        readable = (ledger["amount"].notna() & ledger["date"].notna()).to_numpy()
        funds = ledger["fund"].to_numpy(dtype=object)
        dates = ledger["date"].to_numpy()
        amounts = ledger["amount"].fillna(0).to_numpy(dtype=np.int64)
    else:
        readable = np.zeros(0, dtype=bool)
        funds = dates = amounts = np.zeros(0)
    problems: list[Problem] = []
    for fund, asserted_rows in assertions.groupby("fund", sort=False):
        in_fund = funds == fund
        unreadable = int((in_fund & ~readable).sum())
        chosen = np.flatnonzero(in_fund & readable)
        order = chosen[np.argsort(dates[chosen], kind="stable")]
        fund_dates = dates[order]
        running = np.cumsum(amounts[order])
        for row in asserted_rows.itertuples(index=False):
            upto = int(np.searchsorted(fund_dates, np.datetime64(row.date), side="right"))
            computed = int(running[upto - 1]) if upto > 0 else 0
            asserted = int(row.balance)
            if computed == asserted:
                continue
            note = (
                f" ({unreadable} {'row' if unreadable == 1 else 'rows'} of this fund could not be "
                "read and are not counted; fix them first.)"
                if unreadable
                else ""
            )
            line, column = cooperative.locate(row.path, int(row.line), "balance")
            problems.append(
                problem(
                    "balance-mismatch",
                    row.path,
                    line,
                    f'On {row.date:%Y-%m-%d} the fund "{fund}" should hold '
                    f"{format_minor(asserted, units)} (asserted) but the ledgers add up to "
                    f"{format_minor(computed, units)} (computed): a difference of "
                    f"{format_minor(computed - asserted, units)}. Look for a missing, doubled or "
                    f"mistyped row of this fund up to that day.{note}",
                    column,
                )
            )
    return problems


@check
def check_budget(cooperative: Cooperative) -> Iterable[Problem]:
    budget = cooperative.budget
    if not _has(budget, "amount", "category"):
        return []
    units = cooperative.accounts.minor_units
    problems = row_problems(
        budget,
        (budget["amount"] < 0).fillna(False),
        "budget-amount-negative",
        "amount",
        lambda row: f"The planned amount {format_minor(row.amount, units)} is negative. Budget "
        "amounts are positive; the category's kind (income or expense) gives the direction: "
        f'write "{format_minor(-row.amount, units)}".',
        cooperative.locate,
    )
    kinds = _kind_of(cooperative, budget)
    problems += row_problems(
        budget,
        kinds.notna() & ~kinds.isin(["income", "expense"]),
        "budget-category-wrong-kind",
        "category",
        lambda row: f'The category "{row.category}" is a {cooperative.accounts.categories[row.category].kind} '
        "category; a budget plans only income and expense categories. Remove this line.",
        cooperative.locate,
    )
    keyed = budget[budget["year"].notna()]
    repeated = keyed.duplicated(["year", "category", "fund"], keep="first")
    if repeated.any():
        first = keyed[~repeated].set_index(["year", "category", "fund"])
        problems += row_problems(
            keyed,
            repeated,
            "budget-duplicate-line",
            "category",
            lambda row: f'There is already a budget line for {row.year}, "{row.category}", fund '
            f'"{row.fund}" at {first.at[(row.year, row.category, row.fund), "path"]} line '
            f"{first.at[(row.year, row.category, row.fund), 'line']}. Merge the two into one line.",
            cooperative.locate,
        )
    return problems


@check
def check_dates_not_in_future(cooperative: Cooperative) -> Iterable[Problem]:
    today = pd.Timestamp(cooperative.today)
    problems: list[Problem] = []
    for frame in (cooperative.ledger, cooperative.balances):
        if not _has(frame, "date"):
            continue
        problems += row_problems(
            frame,
            (frame["date"] > today).to_numpy(),
            "date-in-future",
            "date",
            lambda row: f"{row.date:%Y-%m-%d} is after today ({cooperative.today:%Y-%m-%d}); "
            "enter a movement once it has happened, and check the year.",
            cooperative.locate,
        )
    return problems


#: Totals are summed in 64-bit integers of minor units; past this they could wrap around.
SAFE_TOTAL = 2**62


@check
def check_totals_fit(cooperative: Cooperative) -> Iterable[Problem]:
    """Amounts each within limits can still add up beyond what exact sums can hold."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount"):
        return []
    # Floats only estimate the size here; every published sum stays an exact integer.
    magnitude = float(np.abs(ledger["amount"].dropna().to_numpy(dtype=np.int64).astype(np.float64)).sum())
    if magnitude < SAFE_TOTAL:
        return []
    first = ledger.iloc[0]
    return [
        problem(
            "amount-total-too-large",
            str(first["path"]),
            None,
            "The amounts of the ledgers add up to more than the publisher can total exactly "
            f"(about {SAFE_TOTAL / 10 ** cooperative.accounts.minor_units:.3g} {cooperative.accounts.currency}). "
            "Check for amounts pasted with extra digits.",
        )
    ]


@check
def check_zero_amounts(cooperative: Cooperative) -> Iterable[Problem]:
    ledger = cooperative.ledger
    if not _has(ledger, "amount"):
        return []
    return row_problems(
        ledger,
        (ledger["amount"] == 0).fillna(False),
        "amount-zero",
        "amount",
        lambda row: "This row moves no money (amount 0). Enter the real amount, or remove the row.",
        cooperative.locate,
    )


@check
def check_direction(cooperative: Cooperative) -> Iterable[Problem]:
    """Money out under an income category, or in under an expense one: usually a refund."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount", "category"):
        return []
    kinds = _kind_of(cooperative, ledger)
    amount = ledger["amount"]
    against = ((kinds == "income") & (amount < 0)) | ((kinds == "expense") & (amount > 0))
    units = cooperative.accounts.minor_units

    def message(row: Any) -> str:
        kind = cooperative.accounts.categories[row.category].kind
        sign = "money out" if row.amount < 0 else "money in"
        return (
            f'{format_minor(row.amount, units)} is {sign} under "{row.category}", an {kind} '
            "category: published as a refund that reduces the category's total. If it is not a "
            "refund, check the sign or the category."
        )

    return row_problems(
        ledger, against.fillna(False), "amount-against-direction", "amount", message, cooperative.locate
    )


@check
def check_double_entries(cooperative: Cooperative) -> Iterable[Problem]:
    """Rows without an id that repeat another row in every field that matters."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount", "date", "id"):
        return []
    key = ["date", "amount", "category", "fund", "counterparty", "description"]
    candidates = ledger[(ledger["id"].str.len() == 0) & ledger["amount"].notna() & ledger["date"].notna()]
    repeated = candidates.duplicated(key, keep="first")
    if not repeated.any():
        return []
    first = candidates[~repeated].drop_duplicates(key)
    first_location = {
        tuple(values): f"{path} line {line}"
        for *values, path, line in first[key + ["path", "line"]].itertuples(index=False)
    }
    return row_problems(
        candidates,
        repeated,
        "likely-double-entry",
        "date",
        lambda row: "This row repeats "
        f"{first_location.get(tuple(getattr(row, k) for k in key), 'an earlier row')} exactly "
        "(date, amount, category, fund, counterparty, description). If it is the same movement "
        "entered twice, remove one; if both happened, give each an id.",
        cooperative.locate,
    )
