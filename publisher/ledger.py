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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from publisher.accounts import DELIMITERS, Accounts, did_you_mean
from publisher.checking import ROW_PROBLEM_LIMIT, Check, row_problems
from publisher.csvfile import LINE, Table, arrow_text
from publisher.i18n import _
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
_STRIPPED = {
    "date",
    "amount",
    "category",
    "fund",
    "counterparty",
    "decision",
    "id",
    "year",
    "balance",
    # measures.csv and assets.csv: keys, numbers, days and ids, compared like the ledgers'
    "measure",
    "quantity",
    "acquired",
    "status",
    "row",
}

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
                _(
                    "This file separates its cells with {file_delimiter}, but ledgers/accounts.yml says "
                    "{declared_delimiter}. Export it again with {declared_delimiter}, or, if all "
                    'your files use {file_delimiter}, set csv: {{delimiter: "{value}"}} '
                    'in ledgers/accounts.yml (with a decimal comma: decimal: ",").'
                ).format(
                    file_delimiter=shown[other],
                    declared_delimiter=shown[table.delimiter],
                    value=other if other != chr(9) else chr(92) + "t",
                ),
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
        if (
            name != lowered
            and lowered in fmt.columns
            and lowered not in table.header
            and lowered not in renames.values()
        ):
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
        _line, column = (
            table.position(header_line, name) if index == table.header.index(name) else (1, None)
        )
        if name in seen or (name not in fmt.columns and name.lower() in lowered_seen):
            problems.append(
                problem(
                    "column-duplicated",
                    table.path,
                    header_line,
                    _(
                        'The column "{name}" appears twice in the header; only the first one '
                        "would be read. Remove or rename the other."
                    ).format(name=name),
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
                    _(
                        'The column "{name}" is not part of the {kind} format, so it is ignored '
                        "and never published.{suggestion}"
                    ).format(name=name, kind=fmt.kind, suggestion=did_you_mean(name, fmt.columns)),
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
                _(
                    'The header has no "{name}" column, which every {kind} file needs '
                    "({required}).{suggestion}"
                ).format(
                    name=name,
                    kind=fmt.kind,
                    required=", ".join(fmt.required),
                    suggestion=did_you_mean(
                        name, [h for h in table.header if h not in fmt.columns]
                    ),
                ),
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


def _same_message(text: str) -> Callable[[Any], str]:
    """A problem's message that is the same for every row."""
    return lambda row: text


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
            _same_message(
                _('The "{name}" cell is empty; every {kind} row needs one.').format(
                    name=name, kind=fmt.kind
                )
            ),
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
    same_month = pc.equal(
        pc.month(parsed), pc.cast(pc.utf8_slice_codeunits(written, 5, 7), pa.int64())
    )
    same_day = pc.equal(
        pc.day(parsed), pc.cast(pc.utf8_slice_codeunits(written, 8, 10), pa.int64())
    )
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
        lambda row: _(
            '"{value}" is not a day of the calendar; check the month and the day.'
        ).format(value=getattr(row, column)),
        _locator(table),
    )
    return dates, problems


def _date_column_message(cells: pd.Series, filled: int, path: str) -> str | None:
    """One sentence for a date column written in one other pattern throughout, or None."""
    order = date_order(cells)
    shapes = {date_shape(cell, order) for cell in cells}
    if len(shapes) != 1:
        return None
    shape = shapes.pop()
    if shape is None:
        return None
    share = (
        _("All {count:,}").format(count=len(cells))
        if len(cells) == filled
        else f"{len(cells):,} of the {filled:,}"
    )
    if shape.endswith(("/YY", ".YY", "-YY")):
        return _(
            "{share} dates of this column are written {shape}, with two-digit years (a "
            "spreadsheet's short date format), not YYYY-MM-DD. `publisher fix` does not guess "
            "the century: format the column as an ISO date (YYYY-MM-DD) in the spreadsheet and "
            "export again."
        ).format(share=share, shape=shape)
    if "NN" in shape:
        return _(
            "{share} dates of this column are written {shape}, not YYYY-MM-DD, and none has a "
            "number above 12 to show whether the day or the month comes first, so "
            "`publisher fix {path}` cannot rewrite them. Format the column as an ISO date "
            "(YYYY-MM-DD) in the spreadsheet and export again."
        ).format(share=share, shape=shape, path=path)
    return _(
        "{share} dates of this column are written {shape}, not YYYY-MM-DD. Run "
        "`publisher fix {path}` to rewrite them, or format the column as an ISO date "
        "(YYYY-MM-DD) in the spreadsheet before exporting."
    ).format(share=share, shape=shape, path=path)


def date_format_message(cell: str) -> str:
    """Say how to write a date the treasurer wrote in another form."""
    suggestion = ""
    match = re.fullmatch(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})", cell)
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first > 12 and second <= 12:
            suggestion = _(
                ' Written day first, that is "{year:04d}-{second:02d}-{first:02d}".'
            ).format(year=year, second=second, first=first)
        elif second > 12 and first <= 12:
            suggestion = _(
                ' Written month first, that is "{year:04d}-{first:02d}-{second:02d}".'
            ).format(year=year, first=first, second=second)
        else:
            suggestion = _(
                ' If it is day/month/year, write "{year:04d}-{second:02d}-{first:02d}"; '
                'if month/day/year, "{year:04d}-{first:02d}-{second:02d}".'
            ).format(year=year, second=second, first=first)
    else:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", cell)
        if match:
            year, month, day = (int(g) for g in match.groups())
            suggestion = _(' Write "{year:04d}-{month:02d}-{day:02d}".').format(
                year=year, month=month, day=day
            )
    return _(
        '"{cell}" is not a date written YYYY-MM-DD (year, month, day).{suggestion} In a '
        "spreadsheet, format the column as text or as an ISO date before exporting."
    ).format(cell=cell, suggestion=suggestion)


def _parse_amount_column(
    table: Table, frame: pd.DataFrame, column: str, accounts: Accounts
) -> tuple[pd.Series, list[Problem]]:
    decimal, units = accounts.dialect.decimal, accounts.minor_units
    minor, issue = parse_amounts(frame[column], decimal, units)
    problems: list[Problem] = []
    codes = issue.to_numpy()
    for code in sorted(set(codes) - {""}):

        def message(row: Any, code: str = code) -> str:
            return amount_message(code, getattr(row, column), decimal, units, accounts.currency)

        def whole_column(rows: pd.DataFrame, filled: int, code: str = code) -> str | None:
            return _amount_column_message(
                code, rows[column], filled, table.path, decimal, units, accounts.currency
            )

        problems += row_problems(
            frame, codes == code, code, column, message, _locator(table), whole_column=whole_column
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
    share = (
        _("All {count:,}").format(count=len(cells))
        if len(cells) == filled
        else f"{len(cells):,} of the {filled:,}"
    )
    first = amount_message(code, str(cells.iloc[0]), decimal, units, currency)
    fix = (
        _(" Run `publisher fix {path}` to rewrite the column.").format(path=path)
        if code in FIXABLE_AMOUNT_CODES
        else ""
    )
    return _(
        "{share} amounts of this column have the same problem; the first: {first}{fix}"
    ).format(share=share, first=first, fix=fix)


def _totals_row(frame: pd.DataFrame, fmt: FileFormat, accounts: Accounts) -> tuple[int, str] | None:
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
        return len(frame) - 1, _("a word such as “Total”")
    if len(frame) < 3 or not last["amount"]:
        return None
    minor, _amount_problems = parse_amounts(
        frame["amount"], accounts.dialect.decimal, accounts.minor_units
    )
    if minor.isna().any():
        return None
    above = int(minor.iloc[:-1].astype("int64").sum())
    if above != int(minor.iloc[-1]):
        return None
    return len(frame) - 1, _("an amount equal to the sum of the rows above")


def _read_rows(
    table: Table, fmt: FileFormat, accounts: Accounts
) -> tuple[pd.DataFrame | None, list[Problem]]:
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
                _(
                    "This last row looks like the spreadsheet's totals row (no date, and {evidence}), "
                    "not a movement of money: remove the totals row. The publisher adds up the "
                    "rows itself."
                ).format(evidence=evidence),
            )
        )
        frame = frame.drop(index=frame.index[index]).reset_index(drop=True)
    problems += _missing_values(table, frame, fmt)
    if "fund" in fmt.columns:
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
        lambda row: _(
            '"{year}" is not a year; write the four digits of the year, e.g. "2026".'
        ).format(year=row.year),
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
            lambda row: _(
                'The category "{category}" is not declared in ledgers/accounts.yml.'
                "{suggestion} Use one of its categories, or add this "
                "one there with its kind."
            ).format(category=row.category, suggestion=did_you_mean(row.category, categories)),
            cooperative.locate,
        )
    return problems


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
            lambda row: _(
                'The fund "{fund}" is not declared in ledgers/accounts.yml.'
                "{suggestion} The funds are: {funds} (an empty cell "
                'means "{default_fund}").'
            ).format(
                fund=row.fund,
                suggestion=did_you_mean(row.fund, funds),
                funds=", ".join(funds),
                default_fund=cooperative.accounts.default_fund,
            ),
            cooperative.locate,
        )
    return problems


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
    # (pandas-stubs types a row's fields as any scalar: these are the ledger's text and lines)
    first = {row.id: (row.path, row.line) for row in cast(Any, firsts.itertuples(index=False))}
    return row_problems(
        ledger,
        repeated,
        "id-duplicate",
        "id",
        lambda row: _(
            'The id "{id}" is already used at {first_path} line '
            "{first_line}; ids must be unique across all ledgers. Give this row "
            "its own id, or remove it if it is the same movement entered twice."
        ).format(id=row.id, first_path=first[row.id][0], first_line=first[row.id][1]),
        cooperative.locate,
    )


def check_transfers(cooperative: Cooperative) -> Iterable[Problem]:
    ledger = cooperative.ledger
    if not _has(ledger, "category", "amount", "date"):
        return []
    is_transfer = (
        (_kind_of(cooperative, ledger) == "transfer")
        & ledger["amount"].notna()
        & ledger["date"].notna()
    )
    transfers = ledger.loc[is_transfer.to_numpy(), ["path", "line", "date", "amount"]]
    if transfers.empty:
        return []
    sums = transfers.groupby("date")["amount"].sum()
    unbalanced = sums[sums != 0]
    problems: list[Problem] = []
    units = cooperative.accounts.minor_units
    # Rows that may belong to a transfer but could not be counted: a transfer row whose amount
    # or date is unreadable, or a row of an unknown category (perhaps a misspelt "transfer").
    kinds = _kind_of(cooperative, ledger)
    maybe_transfer = ((kinds == "transfer") | kinds.isna()).to_numpy(dtype=bool)
    uncounted = ledger.loc[
        maybe_transfer & ~is_transfer.to_numpy(dtype=bool), ["path", "line", "date"]
    ]
    elsewhere = unread_ledger_places(cooperative)
    for date, total in unbalanced.items():
        rows = transfers[transfers["date"] == date]
        where = ", ".join(f"{r.path}:{r.line}" for r in rows.itertuples())
        first = rows.iloc[0]
        line, column = cooperative.locate(first["path"], int(first["line"]), "amount")
        could = uncounted[
            uncounted["date"].isna().to_numpy() | (uncounted["date"] == date).to_numpy()
        ]
        problems.append(
            problem(
                "transfer-unbalanced",
                str(first["path"]),
                line,
                _(
                    "The transfer rows of {date:%Y-%m-%d} ({where}) sum to "
                    "{amount} instead of zero. A transfer is a row out of "
                    "one fund and a row of the opposite amount into another, on the same date."
                    "{note}"
                ).format(
                    date=date,
                    where=where,
                    amount=format_minor(int(total), units),
                    note=unreadable_note(could, elsewhere),
                ),
                column,
            )
        )
    return problems


_NO_ROWS = pd.DataFrame({"path": [], "line": [], "date": pd.Series([], dtype="datetime64[s]")})


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
    elsewhere = unread_ledger_places(cooperative)
    for fund, asserted_rows in assertions.groupby("fund", sort=False):
        in_fund = funds == fund
        unread = (
            ledger.loc[in_fund & ~readable, ["path", "line", "date"]] if len(ledger) else _NO_ROWS
        )
        chosen = np.flatnonzero(in_fund & readable)
        order = chosen[np.argsort(dates[chosen], kind="stable")]
        fund_dates = dates[order]
        running = np.cumsum(amounts[order])
        for row in cast(Any, asserted_rows.itertuples(index=False)):
            upto = int(np.searchsorted(fund_dates, np.datetime64(row.date), side="right"))
            computed = int(running[upto - 1]) if upto > 0 else 0
            asserted = int(row.balance)
            if computed == asserted:
                continue
            # Only rows that could fall on or before the day can explain the difference.
            could = unread[
                unread["date"].isna().to_numpy() | (unread["date"] <= row.date).to_numpy()
            ]
            note = unreadable_note(could, elsewhere)
            line, column = cooperative.locate(row.path, int(row.line), "balance")
            problems.append(
                problem(
                    "balance-mismatch",
                    row.path,
                    line,
                    _(
                        'On {date:%Y-%m-%d} the fund "{fund}" should hold '
                        "{asserted} (asserted) but the ledgers add up to "
                        "{computed} (computed): a difference of "
                        "{difference}. Look for a missing, doubled or "
                        "mistyped row of this fund up to that day.{note}"
                    ).format(
                        date=row.date,
                        fund=fund,
                        asserted=format_minor(asserted, units),
                        computed=format_minor(computed, units),
                        difference=format_minor(computed - asserted, units),
                        note=note,
                    ),
                    column,
                )
            )
    return problems


#: Unreadable lines named in one knock-on note; more are counted.
_UNREAD_LINES_SHOWN = 10


def unread_ledger_places(cooperative: Cooperative) -> list[str]:
    """Ledger rows that are not in the frame at all (a ragged row, a file that cannot be read):
    they could belong to any fund or date."""
    from publisher.cooperative import book_role  # the module that imports this one

    places: list[str] = []
    for path, table in cooperative.tables.items():
        if book_role(path.rsplit("/", 1)[-1]) != "ledger":
            continue
        if not table.readable or not len(table.frame):
            if not table.readable:
                places.append(path)
            continue
        places += [
            _("{path} line {line}").format(path=path, line=p.line)
            for p in table.problems
            if p.line is not None and p.line > 1
        ]
    return places


def unreadable_note(rows: pd.DataFrame, elsewhere: Sequence[str] = ()) -> str:
    """' (ledgers/2026.csv line 12 could not be read and may explain this difference; …)'."""
    places = [
        _("{path} line {line}").format(path=path, line=line)
        for path, line in zip(rows["path"], rows["line"])
    ] + list(elsewhere)
    if not places:
        return ""
    shown = ", ".join(places[:_UNREAD_LINES_SHOWN])
    if len(places) > _UNREAD_LINES_SHOWN:
        shown += _(" and {value:,} more").format(value=len(places) - _UNREAD_LINES_SHOWN)
    one = len(places) == 1
    return _(
        " ({shown} could not be read or counted and "
        "may explain this difference; fix {value} first.)"
    ).format(shown=shown, value="it" if one else "them")


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
        lambda row: _(
            "The planned amount {amount} is negative. Budget "
            "amounts are positive; the category's kind (income or expense) gives the direction: "
            'write "{positive_amount}".'
        ).format(
            amount=format_minor(row.amount, units), positive_amount=format_minor(-row.amount, units)
        ),
        cooperative.locate,
    )
    kinds = _kind_of(cooperative, budget)
    problems += row_problems(
        budget,
        kinds.notna() & ~kinds.isin(["income", "expense"]),
        "budget-category-wrong-kind",
        "category",
        lambda row: _(
            'The category "{category}" is a {kind} '
            "category; a budget plans only income and expense categories. Remove this line."
        ).format(category=row.category, kind=cooperative.accounts.categories[row.category].kind),
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
            lambda row: _(
                'There is already a budget line for {year}, "{category}", fund '
                '"{fund}" at {first_path} line '
                "{first_line}. Merge the two into one line."
            ).format(
                year=row.year,
                category=row.category,
                fund=row.fund,
                first_path=first.at[(row.year, row.category, row.fund), "path"],
                first_line=first.at[(row.year, row.category, row.fund), "line"],
            ),
            cooperative.locate,
        )
    return problems


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
            lambda row: _(
                "{date:%Y-%m-%d} is after today ({today:%Y-%m-%d}); "
                "enter a movement once it has happened, and check the year."
            ).format(date=row.date, today=cooperative.today),
            cooperative.locate,
        )
    return problems


#: Totals are summed in 64-bit integers of minor units; past this they could wrap around.
SAFE_TOTAL = 2**62


def check_totals_fit(cooperative: Cooperative) -> Iterable[Problem]:
    """Amounts each within limits can still add up beyond what exact sums can hold."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount"):
        return []
    # Floats only estimate the size here; every published sum stays an exact integer.
    magnitude = float(
        np.abs(ledger["amount"].dropna().to_numpy(dtype=np.int64).astype(np.float64)).sum()
    )
    if magnitude < SAFE_TOTAL:
        return []
    first = ledger.iloc[0]
    return [
        problem(
            "amount-total-too-large",
            str(first["path"]),
            None,
            _(
                "The amounts of the ledgers add up to more than the publisher can total exactly "
                "(about {value:.3g} {currency}). "
                "Check for amounts pasted with extra digits."
            ).format(
                value=SAFE_TOTAL / 10**cooperative.accounts.minor_units,
                currency=cooperative.accounts.currency,
            ),
        )
    ]


def check_zero_amounts(cooperative: Cooperative) -> Iterable[Problem]:
    ledger = cooperative.ledger
    if not _has(ledger, "amount"):
        return []
    return row_problems(
        ledger,
        (ledger["amount"] == 0).fillna(False),
        "amount-zero",
        "amount",
        lambda row: _(
            "This row moves no money (amount 0). Enter the real amount, or remove the row."
        ),
        cooperative.locate,
    )


#: A row is a refund, by the treasurer's own word, when its note begins with the word "refund".
_REFUND_NOTE = r"(?i)^\s*refund\b"


def is_marked_refund(notes: pd.Series) -> pd.Series:
    """Whether each row's note marks it as a refund (`refund: drill returned`, `Refund`)."""
    return notes.str.contains(_REFUND_NOTE, regex=True, na=False)


def check_direction(cooperative: Cooperative) -> Iterable[Problem]:
    """Money out under an income category, or in under an expense one, not marked a refund."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount", "category"):
        return []
    kinds = _kind_of(cooperative, ledger)
    amount = ledger["amount"]
    against = (
        (((kinds == "income") & (amount < 0)) | ((kinds == "expense") & (amount > 0)))
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    if not against.any():
        return []
    # Placeholder rows get their own error; the direction of a row not yet categorized means nothing.
    against &= ~ledger["category"].isin(cooperative.accounts.placeholders).to_numpy()
    if "note" in ledger.columns:
        against &= ~is_marked_refund(ledger["note"]).to_numpy(dtype=bool)
    units = cooperative.accounts.minor_units

    def message(row: Any) -> str:
        kind = cooperative.accounts.categories[row.category].kind
        sign = "money out" if row.amount < 0 else "money in"
        return _(
            '{amount} is {sign} under "{category}", an {kind} '
            'category. If it is a refund, start its note with "refund", e.g. '
            '"refund: drill returned to the shop"; otherwise fix the sign or the category.'
        ).format(
            amount=format_minor(row.amount, units), sign=sign, category=row.category, kind=kind
        )

    return row_problems(
        ledger, against, "amount-against-direction", "amount", message, cooperative.locate
    )


#: Lines named in one double-entry problem; a longer group says how many more there are.
_GROUP_LINES_SHOWN = 20

_DOUBLE_KEY = ["date", "amount", "category", "fund", "counterparty", "description"]


def check_double_entries(cooperative: Cooperative) -> Iterable[Problem]:
    """Rows identical in every published figure, unless each carries its own id."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount", "date", "id"):
        return []
    key = _DOUBLE_KEY
    readable = (ledger["amount"].notna() & ledger["date"].notna()).to_numpy()
    without_id = readable & (ledger["id"].str.len() == 0).to_numpy()
    if not without_id.any():
        return []
    # A 64-bit hash of the six cells from integer codes finds the few candidate rows in whole
    # columns; they are then compared exactly (a collision only adds a candidate).
    hashed = np.zeros(len(ledger), dtype=np.uint64)
    for column in key:
        if column == "date":
            codes = ledger["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        elif column == "amount":
            codes = ledger["amount"].fillna(0).to_numpy(dtype=np.int64)
        else:
            codes = pd.factorize(ledger[column])[0]
        with np.errstate(over="ignore"):
            hashed = hashed * np.uint64(1_000_000_007) + codes.astype(np.uint64)
    repeated = pd.Series(hashed).duplicated(keep=False).to_numpy()
    near = readable & repeated & np.isin(hashed, hashed[without_id & repeated])
    candidates = ledger.loc[near, key + ["id", "path", "line"]]
    in_group = candidates.duplicated(key, keep=False).to_numpy()
    if not in_group.any():
        return []
    grouped = candidates[in_group]
    group = grouped.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    no_id = (grouped["id"].str.len() == 0).to_numpy()
    # Rows with distinct ids are two movements by the treasurer's word (a repeated id is
    # id-duplicate's); one row without an id makes the group ambiguous.
    ambiguous_groups = np.unique(group[no_id])
    keep = np.isin(group, ambiguous_groups)
    grouped, group = grouped[keep], group[keep]
    first_of_group = ~pd.Series(group).duplicated().to_numpy()
    members: dict[int, list[str]] = {}
    for number, path, line in zip(group, grouped["path"], grouped["line"]):
        members.setdefault(int(number), []).append(
            _("{path} line {line}").format(path=path, line=line)
        )
    firsts = grouped[first_of_group].assign(group_number=group[first_of_group])

    def message(row: Any) -> str:
        lines = members[int(row.group_number)]
        shown = _(", ").join(lines[:_GROUP_LINES_SHOWN])
        more = len(lines) - _GROUP_LINES_SHOWN
        if more > 0:
            shown += _(" and {more:,} more").format(more=more)
        return _(
            "These {count:,} rows are identical (date, amount, category, fund, counterparty, "
            "description): {shown}. If it is one movement entered more than once, keep one row; "
            "if each happened, give each row its own id."
        ).format(count=len(lines), shown=shown)

    return row_problems(
        firsts,
        np.ones(len(firsts), dtype=bool),
        "likely-double-entry",
        "date",
        message,
        cooperative.locate,
    )


# A year in a ledger's file name: 1900 to 2099, not part of a longer number.
_YEAR_IN_NAME = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])")


def year_of_file(path: str) -> int | None:
    """The year a ledger file is named after (2026.csv, 2026-bank.csv, ledger-2026.csv), if
    its name holds exactly one year; a name such as 2025-2026.csv names none."""
    name = path.rsplit("/", 1)[-1]
    years = set(_YEAR_IN_NAME.findall(name.removesuffix(".csv")))
    return int(years.pop()) if len(years) == 1 else None


def check_file_year(cooperative: Cooperative) -> Iterable[Problem]:
    """A row of 2025 in ledgers/2026.csv would be published in the wrong year's accounts."""
    ledger = cooperative.ledger
    if not _has(ledger, "date"):
        return []
    codes, paths = pd.factorize(ledger["path"])
    named = {str(path): year for path in paths if (year := year_of_file(str(path))) is not None}
    if not named:
        return []
    # Whole columns at once: the file's year per row through the few distinct paths.
    file_year = np.array([named.get(str(path), -1) for path in paths], dtype=np.int64)[codes]
    dates = ledger["date"].to_numpy()
    row_year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    outside = (file_year >= 0) & ~np.isnat(dates) & (row_year != file_year)
    return row_problems(
        ledger,
        outside,
        "date-outside-file-year",
        "date",
        lambda row: _(
            "This row is dated {date:%Y-%m-%d}, but its file is named after "
            "{named}: it would be published in {year}'s accounts. Move it to the "
            "ledger of {year}, or correct the year of the date."
        ).format(date=row.date, named=named[row.path], year=row.date.year),
        cooperative.locate,
    )


def check_placeholders(cooperative: Cooperative) -> Iterable[Problem]:
    """Rows an importer could not categorize are neither income nor expense until they are."""
    placeholders = cooperative.accounts.placeholders
    if not placeholders:
        return []
    problems: list[Problem] = []
    for frame, what in ((cooperative.ledger, "row"), (cooperative.budget, "budget line")):
        if not _has(frame, "category"):
            continue

        def message(row: Any, what: str = what) -> str:
            return _(
                'This {what} is in "{category}", which holds what is still to '
                "be categorized; it is counted neither as income nor as expense. Give it its real "
                "category from ledgers/accounts.yml."
            ).format(what=what, category=row.category)

        problems += row_problems(
            frame,
            frame["category"].isin(placeholders).to_numpy(),
            "category-placeholder",
            "category",
            message,
            cooperative.locate,
        )
    return problems


def check_funds_below_zero(cooperative: Cooperative) -> Iterable[Problem]:
    """A fund that holds less than nothing at the end of a day: once per dip below zero."""
    ledger = cooperative.ledger
    if not _has(ledger, "amount", "date", "fund"):
        return []
    mask = (ledger["amount"].notna() & ledger["date"].notna()).to_numpy()
    readable = ledger.loc[mask, ["path", "line", "fund", "date", "amount"]]
    if readable.empty:
        return []
    daily = readable.groupby(["fund", "date"], sort=True, observed=True)["amount"].sum()
    balance = daily.groupby(level="fund", sort=False).cumsum()
    below = (balance < 0).to_numpy(dtype=bool)
    if not below.any():
        return []
    fund_of = daily.index.get_level_values("fund").to_numpy(dtype=object)
    # A dip starts on a day below zero whose previous day of the same fund was not.
    starts = below & ~np.concatenate(([False], below[:-1] & (fund_of[1:] == fund_of[:-1])))
    units = cooperative.accounts.minor_units
    # Each dip is reported at the last row of its first day (the one that took the fund below zero).
    last_rows = readable.drop_duplicates(["fund", "date"], keep="last").set_index(["fund", "date"])
    problems: list[Problem] = []
    reported: dict[str, int] = {}
    for index in np.flatnonzero(starts):
        fund, date = daily.index[int(index)]
        # A fund hovering around zero could dip every day: the first dips are enough to see it.
        reported[fund] = reported.get(fund, 0) + 1
        if reported[fund] > ROW_PROBLEM_LIMIT:
            continue
        row = last_rows.loc[(fund, date)]
        line, column = cooperative.locate(str(row["path"]), int(row["line"]), "amount")
        problems.append(
            problem(
                "fund-below-zero",
                str(row["path"]),
                line,
                _(
                    'At the end of {date:%Y-%m-%d} the fund "{fund}" holds '
                    "{amount}, less than nothing. If the bank "
                    "did not lend it, a row of this fund is missing, in the wrong fund, or has the "
                    "wrong sign."
                ).format(
                    date=date, fund=fund, amount=format_minor(int(balance.iloc[index]), units)
                ),
                column,
            )
        )
    return problems


def check_rows_not_reconciled(cooperative: Cooperative) -> Iterable[Problem]:
    """Rows of a fund after its last balance assertion: published as not yet reconciled.

    Once per fund, at its earliest such row. A fund without any assertion is not warned about
    (its year pages say it is not reconciled): many small books keep no balances.csv.
    """
    balances, ledger = cooperative.balances, cooperative.ledger
    if not _has(balances, "date", "fund") or not _has(ledger, "date", "fund"):
        return []
    last = balances[balances["date"].notna()].groupby("fund")["date"].max()
    if last.empty:
        return []
    through = ledger["fund"].map(last)
    after = (through.notna() & (ledger["date"] > through)).to_numpy(dtype=bool)
    if not after.any():
        return []
    rows = ledger.loc[after, ["path", "line", "fund", "date"]]
    problems: list[Problem] = []
    for fund, group in rows.groupby("fund", sort=False):
        first = group.sort_values(["date", "path", "line"], kind="stable").iloc[0]
        line, column = cooperative.locate(str(first["path"]), int(first["line"]), "date")
        # No count in the message: a row added later is not a new problem in a diff of the books.
        problems.append(
            problem(
                "rows-not-reconciled",
                str(first["path"]),
                line,
                _(
                    'This row and the later ones of the fund "{fund}" are dated after its last balance '
                    "assertion ({last:%Y-%m-%d}): they are published as not yet reconciled with "
                    "the bank. When the next statement comes, add its balance to ledgers/balances.csv."
                ).format(fund=fund, last=last[fund]),
                column,
            )
        )
    return problems


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_categories,
    check_funds,
    check_ids,
    check_transfers,
    check_balances,
    check_budget,
    check_dates_not_in_future,
    check_totals_fit,
    check_zero_amounts,
    check_direction,
    check_double_entries,
    check_file_year,
    check_placeholders,
    check_funds_below_zero,
    check_rows_not_reconciled,
]
