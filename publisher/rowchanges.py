"""Ledger rows across versions of the books, as the history and `publisher diff` both see them.

One row identity (`Row.key`, `pair_rows`), one closed-period rule (`in_closed_period`,
`reopens`, `closed_period_changes`) and one printer of rows (`describe_row`, `CHANGE_SIGNS`):
publisher.history replays the commits with them, publisher.diff compares two revisions with
them, so a row is "the same row" and "in the closed period" in the same sense in both.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from publisher.accounts import Accounts
from publisher.i18n import _
from publisher.ledger import LEDGER
from publisher.money import format_minor, parse_decimal_text

COLUMNS = LEDGER.columns
#: As the reader keeps them: the other cells lose surrounding spaces.
KEPT_AS_WRITTEN = frozenset({"description", "note"})

#: What happened to a row between two versions of the books.
ChangeKind = Literal["added", "changed", "removed"]
#: How a terminal report marks each kind of change.
CHANGE_SIGNS: dict[ChangeKind, str] = {"added": "+", "changed": "~", "removed": "-"}


@dataclass(frozen=True)
class Row:
    """A ledger row as one version of the books holds it: its file and its cells, in the
    format's columns."""

    path: str
    cells: tuple[str, ...]

    def get(self, column: str) -> str:
        return self.cells[COLUMNS.index(column)]

    @property
    def key(self) -> str:
        """The row's identity across versions: its `id` where it has one, and otherwise its
        whole content."""
        ident = self.get("id")
        return f"id:{ident}" if ident else "row:" + "\x1f".join(self.cells)


@dataclass(frozen=True)
class RowChange:
    kind: ChangeKind
    before: Row | None
    after: Row | None

    @property
    def row(self) -> Row:
        """The row as it is after the change, or as it was when it was removed."""
        row = self.after or self.before
        assert row is not None, "a change has a row on at least one side"
        return row


def table_rows(path: str, frame: pd.DataFrame) -> list[tuple[Row, int]]:
    """The rows of one ledger file's text cells (a csvfile.Table's frame), with their lines."""
    cells = []
    for column in COLUMNS:
        if column not in frame.columns:
            cells.append([""] * len(frame))
            continue
        values = frame[column].fillna("").astype(str)
        cells.append((values if column in KEPT_AS_WRITTEN else values.str.strip()).tolist())
    return [
        (Row(path, tuple(values)), int(line))
        for line, values in zip(frame["line"], zip(*cells, strict=True), strict=True)
    ]


def pair_rows(
    removed: list[Row], added: list[Row]
) -> tuple[list[tuple[Row, Row]], list[Row], list[Row]]:
    """(pairs, removed left, added left): a removed and an added row with the same id are one
    row changed. Rows without an id have no identity but their content: an identical one is the
    same row (moved); the others are left for the caller, which may know their positions."""
    added_by_key: dict[str, list[Row]] = {}
    for row in added:
        added_by_key.setdefault(row.key, []).append(row)
    pairs: list[tuple[Row, Row]] = []
    removed_left: list[Row] = []
    for row in removed:
        partners = added_by_key.get(row.key)
        if partners:
            pairs.append((row, partners.pop(0)))
        else:
            removed_left.append(row)
    paired = {id(new) for _, new in pairs}
    return pairs, removed_left, [row for row in added if id(row) not in paired]


# -- The closed period ---------------------------------------------------------------------


def in_closed_period(date: str, closed: str) -> bool:
    """Whether a row dated `date` (as written, YYYY-MM-DD) lies in the period closed through
    `closed` (an ISO date; "" when nothing is closed). A row without a date is in no period."""
    return bool(date) and date <= closed


def reopens(closed: dt.date, written: dt.date | None) -> bool:
    """Whether closed_through written as `written` reopens a period closed through `closed`:
    a closed period stays closed, so moving the date back or removing it does."""
    return written is None or written < closed


def row_meaning(row: Row, accounts: Accounts) -> tuple[str, ...]:
    """The row's cells as they count in the books: the amount in minor units (so "-400" and
    "-400.00" are the same), an empty fund as the default fund. Text that is not an amount is
    kept as written."""
    cells = list(row.cells)
    amount = COLUMNS.index("amount")
    text = cells[amount].replace(",", ".") if accounts.dialect.decimal == "," else cells[amount]
    minor = parse_decimal_text(text, accounts.minor_units)
    cells[amount] = f"minor:{minor}" if minor is not None else cells[amount]
    cells[COLUMNS.index("fund")] = fund_of(row, accounts)
    return tuple(cells)


def closed_period_changes(
    at_closing: list[Row], now: list[Row], closed: str, accounts: Accounts | None = None
) -> list[RowChange]:
    """How the rows dated on or before `closed` differ now from `at_closing` (the rows of that
    period when it was closed). Rows are compared by what they mean (`row_meaning`, with
    `accounts`; else by their cells), not by file, so a row moved to another file or rewritten
    in an equivalent form is no change; a row changed and changed back is no change either.
    A row gone from the period and one new in it are paired as one change by `pair_rows`; a row
    whose date left the period is paired with where it stands now."""
    reference = [row for row in at_closing if in_closed_period(row.get("date"), closed)]
    in_period = [row for row in now if in_closed_period(row.get("date"), closed)]

    def meaning(row: Row) -> tuple[str, ...]:
        return row_meaning(row, accounts) if accounts is not None else row.cells

    common = Counter(map(meaning, reference)) & Counter(map(meaning, in_period))
    gone = _unmatched(reference, common, meaning)
    new = _unmatched(in_period, common, meaning)
    pairs, gone, new = pair_rows(gone, new)
    # Rows without an id: their order in the period is not kept, so one gone and one new in the
    # same file and on the same day (else only in the same file) are taken as one row edited.
    same_place: tuple[Callable[[Row, Row], bool], ...] = (
        lambda a, b: a.path == b.path and a.get("date") == b.get("date"),
        lambda a, b: a.path == b.path,
    )
    for same in same_place:
        for row in [r for r in gone if not r.get("id")]:
            partner = next((n for n in new if not n.get("id") and same(row, n)), None)
            if partner is not None:
                pairs.append((row, partner))
                gone.remove(row)
                new.remove(partner)
    # A row whose date was moved out of the period: still there (by id), but no longer in it.
    elsewhere = {row.key: row for row in now if row.get("id") and row.get("date") > closed}
    changes = [RowChange("changed", before, after) for before, after in pairs]
    for row in gone:
        moved = elsewhere.pop(row.key, None)
        changes.append(
            RowChange("changed", row, moved) if moved else RowChange("removed", row, None)
        )
    changes += [RowChange("added", None, row) for row in new]
    return changes


def _unmatched(
    rows: list[Row], common: Counter[tuple[str, ...]], meaning: Callable[[Row], tuple[str, ...]]
) -> list[Row]:
    """The rows of `rows` beyond the multiset `common` of meanings (in order)."""
    left_in_common = Counter(common)
    left = []
    for row in rows:
        if left_in_common[meaning(row)] > 0:
            left_in_common[meaning(row)] -= 1
        else:
            left.append(row)
    return left


# -- Printing rows -------------------------------------------------------------------------


def amount_shown(row: Row, accounts: Accounts) -> str:
    """The row's amount for a message: exact when it can be read, else the cell as written
    (an unreadable "12O.00" is not a row of 0.00)."""
    text = row.get("amount")
    if accounts.dialect.decimal == ",":
        text = text.replace(",", ".")
    minor = parse_decimal_text(text, accounts.minor_units)
    if minor is None:
        return f"\u201c{row.get('amount')}\u201d"
    return format_minor(minor, accounts.minor_units)


def fund_of(row: Row, accounts: Accounts) -> str:
    return row.get("fund") or accounts.default_fund


def describe_row(row: Row, accounts: Accounts | None = None) -> str:
    """date "description" amount category/fund [id], for a message about the row.

    With `accounts`, as the books count it (the amount exact, an empty fund as the default
    fund, for the history); without, as written in the file (for a diff, which quotes rows)."""
    if accounts is not None:
        amount, fund = amount_shown(row, accounts), fund_of(row, accounts)
    else:
        amount, fund = row.get("amount"), row.get("fund") or _("(default fund)")
    if row.get("id"):
        text = _("{date} \u201c{description}\u201d {amount} {category}/{fund} id {id}")
    else:
        text = _("{date} \u201c{description}\u201d {amount} {category}/{fund}")
    return text.format(
        date=row.get("date"),
        description=row.get("description"),
        amount=amount,
        category=row.get("category"),
        fund=fund,
        id=row.get("id"),
    )


def row_columns(row: Row, accounts: Accounts) -> str:
    """The row in columns (date, description, amount, category, fund) as the books count it,
    for the changelog of `publisher history`."""
    return (
        f"{row.get('date')}  {row.get('description')}  {amount_shown(row, accounts)}  "
        f"{row.get('category')}  {fund_of(row, accounts)}"
    )
