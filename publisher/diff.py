"""What a change does to the books: `publisher diff BASE [HEAD]`, as plain data and two renderers.

Both sides are read and checked exactly as `publisher check` reads a directory: a revision's
ledgers/ and content/ are written out of git into a scratch directory (gitrepo.export_revision),
the working tree is read where it is. Rows are matched as in the history of the books
(publisher.rowchanges.pair_rows: by `id`, identical rows are one row moved), after aligning each
file's rows (match_rows), so that a row without an id edited in place is one row changed. The
money is compared through the same yearly figures the site publishes (publisher.summary), with
expenses as amounts spent (LEGEND).

Problems are compared by (severity, code, path, message), not by line, so that a problem that
only moved because rows were inserted above it is neither "introduced" nor "fixed". The closed
periods of each side are checked on the repository's history up to that side (a scratch copy has
no git of its own), exactly as `publisher check` does; where that history cannot be read (a
shallow clone), this change alone is held against the base's `closed_through` instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import tempfile
from collections import Counter
from difflib import SequenceMatcher
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from publisher.accounts import ACCOUNTS_PATH, Accounts, Category
from publisher.cooperative import Cooperative, NotACooperative, book_role, check_cooperative
from publisher.gitrepo import BOOKS_DIR, CommitInfo, export_revision
from publisher.history import read_history
from publisher.i18n import N_, _, _n
from publisher.money import format_minor
from publisher.problems import (
    Problem,
    count,
    format_location,
    message_with_place,
    problem,
    sorted_problems,
    summary_line,
)
from publisher.rowchanges import (
    CHANGE_SIGNS,
    COLUMNS,
    ChangeKind,
    Row,
    RowChange,
    closed_period_changes,
    describe_row,
    pair_rows,
    reopens,
    table_rows,
)
from publisher.summary import Summary, summarize

#: What the checks read: the books, the charter and the minutes (not the stories or images).
EXPORTED = (BOOKS_DIR, "content/charter.md", "content/minutes")
#: Codes that need the whole git history: not comparable between scratch copies (see above).
HISTORY_CODES = frozenset(
    {"closed-period-changed", "closed-period-reopened", "history-unavailable"}
)


class DiffError(Exception):
    """The diff cannot be made (a revision that is not valid, no cooperative on either side)."""


@dataclass(frozen=True)
class Side:
    """One side of the comparison."""

    revision: str | None  # as given; None: the working tree
    commit: CommitInfo | None
    #: False when the side has no readable ledgers/accounts.yml (the books do not exist there yet)
    readable: bool = True
    errors: int = 0
    warnings: int = 0
    #: rows of that side the figures leave out (a date or an amount that cannot be read)
    unreadable_rows: int = 0

    @property
    def is_working_tree(self) -> bool:
        """The side is the working tree: messages say "in the working tree" whole, since a
        language's preposition for a place differs from its preposition for a commit."""
        return self.revision is None

    @property
    def label(self) -> str:
        if self.revision is None:
            return _("the working tree")
        short = self.commit.short if self.commit else "?"
        return (
            short
            if self.revision in (short, getattr(self.commit, "sha", None))
            else f"{self.revision} ({short})"
        )


@dataclass(frozen=True)
class RowDiff:
    """A row added, changed or removed, with its line on each side."""

    change: RowChange
    before_line: int | None = None
    after_line: int | None = None

    @property
    def kind(self) -> ChangeKind:
        return self.change.kind

    def changed_columns(self) -> list[str]:
        before, after = self.change.before, self.change.after
        if before is None or after is None:
            return []
        columns = [c for c in COLUMNS if before.get(c) != after.get(c)]
        return columns + (["file"] if before.path != after.path else [])


@dataclass(frozen=True)
class Movement:
    """A figure before and after, in minor units (None: it does not exist on that side)."""

    before: int | None
    after: int | None

    @property
    def change(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class LineChange:
    """A line of balances.csv or of a budget added, changed or removed. Lines are identified by
    their key cells (a balance by date and fund; a budget line by year, category and fund),
    wherever they stand: a line only moved is no change."""

    file: str  # balances | budget
    kind: ChangeKind
    key: tuple[tuple[str, str], ...]  # (column, cell) of the key columns
    before: tuple[tuple[str, str], ...] | None  # (column, cell) of the other columns
    after: tuple[tuple[str, str], ...] | None
    before_where: str | None = None  # path:line
    after_where: str | None = None


@dataclass(frozen=True)
class SettingChange:
    """A change to accounts.yml that changes what the books mean or what the site shows."""

    kind: str  # category-added|-removed|-changed, fund-added|-removed|-changed,
    #            counterparty-public|-private, closed-through, currency, name
    key: str
    before: str | None
    after: str | None

    @property
    def privacy(self) -> bool:
        """A counterparty made public: its name will be published on every row that names it."""
        return self.kind == "counterparty-public"


@dataclass(frozen=True)
class CategoryChange:
    category: str
    label: str
    kind: str  # income | expense (the category's kind at the head, else at the base)
    #: the category's rows that year as the report shows amounts: received for an income
    #: category, spent for an expense category (both positive when money went the usual way)
    total: Movement


@dataclass(frozen=True)
class YearChange:
    year: int
    income: Movement
    expense: Movement
    categories: tuple[CategoryChange, ...]
    #: category -> planned amount before and after, for budget lines that changed
    budget: tuple[tuple[str, Movement], ...] = ()


@dataclass(frozen=True)
class BooksDiff:
    base: Side
    head: Side
    currency: str
    units: int
    rows: tuple[RowDiff, ...]
    years: tuple[YearChange, ...]
    #: every fund of either side, with its balance after the last row
    funds: tuple[tuple[str, Movement], ...]
    introduced: tuple[Problem, ...]
    fixed: tuple[Problem, ...]
    #: every problem at the head, for the full report
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    #: balances.csv and budget lines added, changed and removed
    lines: tuple[LineChange, ...] = ()
    #: accounts.yml: categories, funds, public counterparties, closed_through
    settings: tuple[SettingChange, ...] = ()

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def money_changed(self) -> bool:
        return bool(self.years) or any(m.change for _, m in self.funds)

    @property
    def changed(self) -> bool:
        return (
            bool(self.rows or self.lines or self.settings or self.introduced or self.fixed)
            or self.money_changed
        )


@dataclass
class _State:
    """A side read and checked."""

    cooperative: Cooperative | None
    problems: list[Problem]
    rows: list[tuple[Row, int]] = field(default_factory=list)
    summary: Summary | None = None
    unreadable_rows: int = 0
    #: why the history up to this side could not be read (None: its closed periods were checked)
    history_unavailable: str | None = None


# -- Computing ---------------------------------------------------------------------------------


def diff_books(
    root: Path | str, base: str, head: str | None = None, today: dt.date | None = None
) -> BooksDiff:
    """Compare the books of the cooperative in `root` at revision `base` with revision `head`
    (None: the working tree). Raises DiffError when a revision is not valid or neither side
    holds a cooperative."""
    from publisher.gitrepo import GitError

    root = Path(root)
    if not root.is_dir():
        raise DiffError(_("{root} is not a directory.").format(root=root))
    with tempfile.TemporaryDirectory(prefix="publisher-diff-") as scratch:
        try:
            base_dir = Path(scratch) / "base"
            base_dir.mkdir()
            base_commit = export_revision(root, base, base_dir, EXPORTED)
            if head is None:
                head_dir, head_commit = root, None
            else:
                head_dir = Path(scratch) / "head"
                head_dir.mkdir()
                head_commit = export_revision(root, head, head_dir, EXPORTED)
        except GitError as error:
            raise DiffError(str(error)) from None
        before = _read_side(base_dir, today, root, base_commit.sha)
        after = _read_side(head_dir, today, root, head_commit.sha if head_commit else None)
    if (
        before.cooperative is None
        and after.cooperative is None
        and not (before.problems or after.problems)
    ):
        raise DiffError(
            _(
                "{root} holds no cooperative at either revision: there is no "
                "ledgers/accounts.yml at "
                "{base} nor at {head}."
            ).format(root=root, base=base, head=head)
            if head
            else _(
                "{root} holds no cooperative at either revision: there is no "
                "ledgers/accounts.yml at "
                "{base} nor in the working tree."
            ).format(root=root, base=base)
        )
    return _compare(before, after, Side(base, base_commit), Side(head, head_commit))


def _read_side(directory: Path, today: dt.date | None, root: Path, until: str | None) -> _State:
    """Read and check one side. Its closed periods are checked on the repository's history up
    to that side (`until`: its commit; None: the working tree), like `publisher check` does."""
    own_history = until is None and directory == root
    try:
        cooperative, problems = check_cooperative(
            directory, today, history="always" if own_history else "if-closed"
        )
    except NotACooperative:
        return _State(None, [])
    # The checks ran on a scratch copy for a revision: their history checks saw no git.
    problems = [p for p in problems if p.code not in HISTORY_CODES]
    state = _State(cooperative, problems)
    if cooperative is None:
        return state
    history = cooperative.history() if own_history else read_history(cooperative, root, until)
    if history.available:
        state.problems += history.problems
    else:
        state.history_unavailable = history.reason or _("the history could not be read")
    state.rows = ledger_rows(cooperative)
    state.summary, state.unreadable_rows = _summary(cooperative)
    return state


def ledger_rows(cooperative: Cooperative) -> list[tuple[Row, int]]:
    """Every row of the ledgers as history.Row, with its physical line, in file order."""
    found: list[tuple[Row, int]] = []
    for path, table in cooperative.tables.items():
        if _file_role(path) != "ledger" or not len(table.frame):
            continue
        found += table_rows(path, table.frame)
    return found


def _summary(cooperative: Cooperative) -> tuple[Summary | None, int]:
    """The yearly figures of the rows that can be read, and how many rows could not."""
    ledger, budget = cooperative.ledger, cooperative.budget
    unreadable = 0
    if len(ledger) and {"date", "amount"} <= set(ledger.columns):
        readable = ledger["date"].notna() & ledger["amount"].notna()
        unreadable = int((~readable).sum())
        ledger = ledger[readable]
    if len(budget) and {"year", "amount"} <= set(budget.columns):
        budget = budget[budget["year"].notna() & budget["amount"].notna()]
    try:
        return summarize(dataclasses.replace(cooperative, ledger=ledger, budget=budget)), unreadable
    except Exception:  # noqa: BLE001 - books too broken to sum: the diff still lists rows and problems
        return None, unreadable


def match_rows(before: list[tuple[Row, int]], after: list[tuple[Row, int]]) -> list[RowDiff]:
    """Rows added, changed and removed between two lists of rows (in file order).

    In each file the rows that stayed are aligned with difflib's SequenceMatcher on their
    cells. Of the rows left, a removed and an added row with the same id are one row changed,
    and identical rows are one row moved (to another line or file: not shown), as in the
    history of the books (rowchanges.pair_rows). Rows without an id that are still left were
    removed and added at the same place of the same file (one block of the alignment): they
    are paired in order, as rows edited in place."""
    removed: list[tuple[Row, int]] = []
    added: list[tuple[Row, int]] = []
    block: dict[int, tuple[str, int]] = {}  # id(row) -> (file, block of the alignment)
    paths = list(dict.fromkeys([r.path for r, _ in before] + [r.path for r, _ in after]))
    for path in paths:
        old_lines = [(r, line) for r, line in before if r.path == path]
        new_lines = [(r, line) for r, line in after if r.path == path]
        matcher = SequenceMatcher(
            None, [r.cells for r, _ in old_lines], [r.cells for r, _ in new_lines], autojunk=False
        )
        for number, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
            if tag == "equal":
                continue
            for item in old_lines[i1:i2] + new_lines[j1:j2]:
                block[id(item[0])] = (path, number)
            removed += old_lines[i1:i2]
            added += new_lines[j1:j2]
    line_of = {id(r): line for r, line in removed + added}
    pairs, gone, new_rows = pair_rows([r for r, _ in removed], [r for r, _ in added])
    result = [
        RowDiff(RowChange("changed", old, new), line_of[id(old)], line_of[id(new)])
        for old, new in pairs
        if old.cells != new.cells  # the same cells elsewhere: moved, not changed
    ]
    # In one block, the most alike rows first: a row inserted next to an edited one is added.
    blocks: dict[tuple[str, int], tuple[list[Row], list[Row]]] = {}
    for row in gone:
        if not row.get("id"):
            blocks.setdefault(block[id(row)], ([], []))[0].append(row)
    for row in new_rows:
        if not row.get("id") and block[id(row)] in blocks:
            blocks[block[id(row)]][1].append(row)
    paired: set[int] = set()
    for olds, news in blocks.values():
        if len(olds) * len(news) > _MAX_PAIRS_COMPARED:
            candidates = [
                (0, i, i, old, new) for i, (old, new) in enumerate(zip(olds, news))
            ]  # in order
        else:
            candidates = sorted(
                (-score, i, j, old, new)
                for i, old in enumerate(olds)
                for j, new in enumerate(news)
                for score in [_likeness(old, new)]
                if score is not None
            )
        for *_unused, old, new in candidates:
            if id(old) not in paired and id(new) not in paired and _likeness(old, new) is not None:
                paired |= {id(old), id(new)}
                result.append(
                    RowDiff(RowChange("changed", old, new), line_of[id(old)], line_of[id(new)])
                )
    result += [
        RowDiff(RowChange("removed", r, None), line_of[id(r)], None)
        for r in gone
        if id(r) not in paired
    ]
    result += [
        RowDiff(RowChange("added", None, r), None, line_of[id(r)])
        for r in new_rows
        if id(r) not in paired
    ]
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(
        result, key=lambda r: (order[r.kind], r.change.row.path, r.after_line or r.before_line or 0)
    )


#: Past this many (removed, added) pairs in one stretch of a file (a file rewritten whole), rows
#: are paired in order rather than by likeness, so that the time stays bounded.
_MAX_PAIRS_COMPARED = 40_000


def _likeness(old: Row, new: Row) -> int | None:
    """How many cells two rows share, or None when fewer than half of the cells either fills
    are the same (then they are two different rows, not one edited)."""
    filled = [c for c in COLUMNS if old.get(c) or new.get(c)]
    same = sum(old.get(c) == new.get(c) for c in filled)
    return same if 2 * same >= len(filled) else None


#: balances.csv and budgets: (file, key columns, value columns)
_LINE_FILES = (
    ("balances", ("date", "fund"), ("balance",)),
    ("budget", ("year", "category", "fund"), ("amount", "decision")),
)


def _file_role(path: str) -> str:
    return book_role(path.rsplit("/", 1)[-1]) or "ledger"


#: The cells of a balances or budget line: (column, cell) of each column, in order.
LineCells = tuple[tuple[str, str], ...]


def _stripped_cells(frame: pd.DataFrame, name: str) -> list[str]:
    """A column's cells as stripped text; a column the file lacks reads as empty cells."""
    if name not in frame.columns:
        return [""] * len(frame)
    return frame[name].fillna("").astype(str).str.strip().tolist()


def _lines(
    cooperative: Cooperative | None, role: str, keys: tuple[str, ...], values: tuple[str, ...]
) -> list[tuple[LineCells, LineCells, str]]:
    """(key, values, path:line) of every line of the balances or budget files, in file order."""
    found: list[tuple[LineCells, LineCells, str]] = []
    if cooperative is None:
        return found
    for path, table in cooperative.tables.items():
        if _file_role(path) != role or not len(table.frame):
            continue
        frame = table.frame
        key_cells = list(zip(*[_stripped_cells(frame, c) for c in keys], strict=True))
        value_cells = list(zip(*[_stripped_cells(frame, c) for c in values], strict=True))
        for key, value, line in zip(key_cells, value_cells, frame["line"], strict=True):
            found.append((tuple(zip(keys, key)), tuple(zip(values, value)), f"{path}:{int(line)}"))
    return found


def compare_lines(before: Cooperative | None, after: Cooperative | None) -> list[LineChange]:
    """balances.csv and budget lines added, changed and removed, by their key cells."""
    changes: list[LineChange] = []
    for role, keys, values in _LINE_FILES:
        old, new = _lines(before, role, keys, values), _lines(after, role, keys, values)
        common = Counter((k, v) for k, v, _ in old) & Counter((k, v) for k, v, _ in new)
        left_old, left_new = Counter(common), Counter(common)
        gone = []
        for key, value, where in old:
            if left_old[(key, value)] > 0:
                left_old[(key, value)] -= 1
            else:
                gone.append((key, value, where))
        came: dict[LineCells, list[tuple[LineCells, str]]] = {}
        for key, value, where in new:
            if left_new[(key, value)] > 0:
                left_new[(key, value)] -= 1
            else:
                came.setdefault(key, []).append((value, where))
        for key, value, where in gone:
            partners = came.get(key)
            if partners:
                new_value, new_where = partners.pop(0)
                changes.append(LineChange(role, "changed", key, value, new_value, where, new_where))
            else:
                changes.append(LineChange(role, "removed", key, value, None, where, None))
        for key, rest in came.items():
            changes += [
                LineChange(role, "added", key, None, value, None, where) for value, where in rest
            ]
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(changes, key=lambda c: (c.file, order[c.kind], c.key))


def compare_accounts(before: Accounts | None, after: Accounts | None) -> list[SettingChange]:
    """What changed in accounts.yml that changes what the books mean or what is published."""
    if before is None or after is None:
        return []
    found: list[SettingChange] = []
    for kind, old, new in (
        ("name", before.name, after.name),
        ("currency", before.currency, after.currency),
    ):
        if old != new:
            found.append(SettingChange(kind, kind, old, new))
    for key in after.categories.keys() - before.categories.keys():
        found.append(SettingChange("category-added", key, None, _category(after.categories[key])))
    for key in before.categories.keys() - after.categories.keys():
        found.append(
            SettingChange("category-removed", key, _category(before.categories[key]), None)
        )
    for key in before.categories.keys() & after.categories.keys():
        old, new = _category(before.categories[key]), _category(after.categories[key])
        if old != new:
            found.append(SettingChange("category-changed", key, old, new))
    for key in after.funds.keys() - before.funds.keys():
        found.append(SettingChange("fund-added", key, None, after.funds[key]))
    for key in before.funds.keys() - after.funds.keys():
        found.append(SettingChange("fund-removed", key, before.funds[key], None))
    for key in before.funds.keys() & after.funds.keys():
        if before.funds[key] != after.funds[key]:
            found.append(SettingChange("fund-changed", key, before.funds[key], after.funds[key]))
    if before.default_fund != after.default_fund:
        found.append(
            SettingChange("default-fund", "default fund", before.default_fund, after.default_fund)
        )
    for name in after.public_counterparties - before.public_counterparties:
        found.append(SettingChange("counterparty-public", name, None, name))
    for name in before.public_counterparties - after.public_counterparties:
        found.append(SettingChange("counterparty-private", name, name, None))
    if before.closed_through != after.closed_through:
        found.append(
            SettingChange(
                "closed-through",
                "closed_through",
                str(before.closed_through) if before.closed_through else None,
                str(after.closed_through) if after.closed_through else None,
            )
        )
    return sorted(found, key=lambda c: (c.kind, c.key))


def _category(category: Category) -> str:
    """A category's kind, label and capital flag, as one comparable text."""
    kind = kind_word(category.kind)
    labelled = category.label != category.key
    if labelled and category.capital:
        return _("{kind}, label \u201c{label}\u201d, capital").format(
            kind=kind, label=category.label
        )
    if labelled:
        return _("{kind}, label \u201c{label}\u201d").format(kind=kind, label=category.label)
    if category.capital:
        return _("{kind}, capital").format(kind=kind)
    return kind


def kind_word(kind: str) -> str:
    """A category's kind (income, expense) as the treasurer reads it in a sentence."""
    words = {
        "income": _("income"),
        "expense": _("expense"),
        "transfer": _("transfer"),
        "opening": _("opening"),
    }
    return words.get(kind, kind)


def change_word(kind: str) -> str:
    """A row's or a line's change (added, changed, removed) as the treasurer reads it."""
    return {"added": _("added"), "changed": _("changed"), "removed": _("removed")}.get(kind, kind)


def compare_problems(
    before: list[Problem], after: list[Problem]
) -> tuple[list[Problem], list[Problem]]:
    """(introduced, fixed): problems by (severity, code, path, message), counted with repeats."""

    def key(p: Problem) -> tuple[str, str, str, str]:
        return (p.severity.value, p.code, p.path, p.message)

    common = Counter(map(key, before)) & Counter(map(key, after))

    def leftover(problems: list[Problem]) -> list[Problem]:
        unmatched = Counter(common)
        left = []
        for p in sorted_problems(problems):
            if unmatched[key(p)] > 0:
                unmatched[key(p)] -= 1
            else:
                left.append(p)
        return left

    return leftover(after), leftover(before)


def _compare(before: _State, after: _State, base: Side, head: Side) -> BooksDiff:
    accounts = _accounts(after) or _accounts(before)
    currency = accounts.currency if accounts else ""
    units = accounts.minor_units if accounts else 2
    rows = match_rows(before.rows, after.rows)
    closed: list[Problem] = []
    missing_history = [
        (side, state)
        for side, state in ((base, before), (head, after))
        if state.history_unavailable
    ]
    base_accounts = _accounts(before)
    fallback = (
        bool(missing_history)
        and base_accounts is not None
        and base_accounts.closed_through is not None
    )
    if fallback:
        # Without the history (a shallow clone), this change alone is held against the base.
        closed = _closed_period_problems(
            before.rows, after.rows, _accounts(before), _accounts(after), base
        )
        before.problems = [p for p in before.problems if p.code not in HISTORY_CODES]
        after.problems = [p for p in after.problems if p.code not in HISTORY_CODES]
    introduced, fixed = compare_problems(before.problems, after.problems)
    introduced = sorted_problems(introduced + closed)
    head_problems = sorted_problems(after.problems + closed)
    notes: list[str] = []
    if fallback:
        side, state = missing_history[0]
        notes.append(
            (
                _(
                    "The history of the books up to the working tree could not be read "
                    "({history_unavailable}): the closed period is checked against "
                    "{base_label} only, so a change that restores a row as it was at closing "
                    "may be shown as a change."
                )
                if side.is_working_tree
                else _(
                    "The history of the books up to {label} could not be read "
                    "({history_unavailable}): "
                    "the closed period is checked against {base_label} only, so a change that "
                    "restores a row "
                    "as it was at closing may be shown as a change."
                )
            ).format(
                label=side.label,
                history_unavailable=state.history_unavailable,
                base_label=base.label,
            )
        )
    for side, state in ((base, before), (head, after)):
        if state.cooperative is None and not state.problems:
            notes.append(
                (
                    _(
                        "In the working tree there is no ledgers/accounts.yml: its books count as empty."
                    )
                    if side.is_working_tree
                    else _("At {label} there is no ledgers/accounts.yml: its books count as empty.")
                ).format(label=side.label)
            )
        elif state.cooperative is None or state.summary is None:
            notes.append(
                (
                    _(
                        "In the working tree the books cannot be summed (see the problems): "
                        "no figures for that side."
                    )
                    if side.is_working_tree
                    else _(
                        "At {label} the books cannot be summed (see the problems): "
                        "no figures for that side."
                    )
                ).format(label=side.label)
            )
        elif state.unreadable_rows:
            notes.append(
                (
                    _n(
                        "In the working tree, {count:,} row with a date or an amount that cannot "
                        "be read is left out of the figures.",
                        "In the working tree, {count:,} rows with a date or an amount that cannot "
                        "be read are left out of the figures.",
                        state.unreadable_rows,
                    )
                    if side.is_working_tree
                    else _n(
                        "At {label}, {count:,} row with a date or an amount that cannot be read "
                        "is left out of the figures.",
                        "At {label}, {count:,} rows with a date or an amount that cannot be read "
                        "are left out of the figures.",
                        state.unreadable_rows,
                    )
                ).format(label=side.label, count=state.unreadable_rows)
            )
    errors, warnings = count(before.problems)
    base = dataclasses.replace(
        base,
        readable=before.cooperative is not None,
        errors=errors,
        warnings=warnings,
        unreadable_rows=before.unreadable_rows,
    )
    errors, warnings = count(head_problems)
    head = dataclasses.replace(
        head,
        readable=after.cooperative is not None,
        errors=errors,
        warnings=warnings,
        unreadable_rows=after.unreadable_rows,
    )
    return BooksDiff(
        base=base,
        head=head,
        currency=currency,
        units=units,
        rows=tuple(rows),
        years=tuple(_years(before.summary, after.summary)),
        funds=tuple(_funds(before, after)),
        introduced=tuple(introduced),
        fixed=tuple(fixed),
        problems=tuple(head_problems),
        notes=tuple(notes),
        lines=tuple(compare_lines(before.cooperative, after.cooperative)),
        settings=tuple(compare_accounts(_accounts(before), _accounts(after))),
    )


def _accounts(state: _State) -> Accounts | None:
    return state.cooperative.accounts if state.cooperative is not None else None


def _years(before: Summary | None, after: Summary | None) -> list[YearChange]:
    old = before.years if before is not None else {}
    new = after.years if after is not None else {}
    kinds = {**(before.kinds if before else {}), **(after.kinds if after else {})}
    labels = {**(before.labels if before else {}), **(after.labels if after else {})}
    changes = []
    for year in sorted(set(old) | set(new)):
        a, b = old.get(year), new.get(year)
        a_categories = a.categories if a else {}
        b_categories = b.categories if b else {}
        categories = []
        for category in sorted(set(a_categories) | set(b_categories)):
            # One convention for the whole report: an expense is the amount spent (positive),
            # as the year's expense total and the budget give it; the ledger's sums are signed.
            sign = -1 if kinds.get(category) == "expense" else 1
            total = Movement(
                _times(sign, a_categories.get(category)), _times(sign, b_categories.get(category))
            )
            if (total.before or 0) != (total.after or 0):
                categories.append(
                    CategoryChange(
                        category, labels.get(category, category), kinds.get(category, ""), total
                    )
                )
        a_budget = a.budget if a else {}
        b_budget = b.budget if b else {}
        budget = tuple(
            (category, Movement(a_budget.get(category), b_budget.get(category)))
            for category in sorted(set(a_budget) | set(b_budget))
            if a_budget.get(category) != b_budget.get(category)
        )
        income = Movement(a.income if a else None, b.income if b else None)
        expense = Movement(a.expense if a else None, b.expense if b else None)
        if categories or budget or income.change or expense.change:
            changes.append(YearChange(year, income, expense, tuple(categories), budget))
    return changes


def _times(sign: int, minor: int | None) -> int | None:
    return None if minor is None else sign * minor


def _funds(before: _State, after: _State) -> list[tuple[str, Movement]]:
    old = before.summary.funds if before.summary is not None else {}
    new = after.summary.funds if after.summary is not None else {}
    names = list(new) + [f for f in old if f not in new]
    return [(name, Movement(old.get(name), new.get(name))) for name in names]


def _closed_period_problems(
    before_rows: list[tuple[Row, int]],
    after_rows: list[tuple[Row, int]],
    before: Accounts | None,
    after: Accounts | None,
    base: Side,
) -> list[Problem]:
    """This change against the base's closed period: the rows of that period at the head are
    compared with the base's, as the history check compares them with the rows at closing
    (rowchanges.closed_period_changes)."""
    closed = before.closed_through if before is not None else None
    if closed is None:
        return []
    found = []
    if after is not None and reopens(closed, after.closed_through):
        found.append(
            problem(
                "closed-period-reopened",
                ACCOUNTS_PATH,
                None,
                (
                    _(
                        "This change moves closed_through back from {closed} to "
                        "{closed_through}. A closed period stays closed: set it back to "
                        "{closed}, and enter corrections as new rows dated after it."
                    ).format(closed=closed, closed_through=after.closed_through)
                    if after.closed_through
                    else _(
                        "This change removes closed_through, which was {closed}. A closed period "
                        "stays closed: set it back to {closed}, and enter corrections as new "
                        "rows dated after it."
                    ).format(closed=closed)
                ),
            )
        )
    day = closed.isoformat()
    lines: dict[int, int] = {id(row): line for row, line in after_rows}
    at = base.label
    for item in closed_period_changes(
        [r for r, _line in before_rows], [r for r, _line in after_rows], day, before
    ):
        if item.kind == "removed":
            text = _(
                "The books are closed through {day}, but this change deletes a row of that "
                "period. Put it back in {path} as it is at "
                "{at}: {describe_row}; then record any correction as a new row dated after {day}."
            ).format(
                path=item.row.path,
                at=at,
                describe_row=describe_row(item.row),
                day=day,
            )
        elif item.kind == "added":
            text = _(
                "The books are closed through {day}, but this change adds a row dated in that "
                "period ({describe_row}). Remove it, and "
                "enter it again dated after {day}."
            ).format(describe_row=describe_row(item.row), day=day)
        else:
            assert item.before is not None, "a changed row has a row before"
            text = _(
                "The books are closed through {day}, but this change changes a row of that "
                "period; it now reads {describe_row}. Restore "
                "it as it is at {at}: {row_at_base}; then record the correction as a "
                "new row dated after {day}."
            ).format(
                describe_row=describe_row(item.row),
                at=at,
                row_at_base=describe_row(item.before),
                day=day,
            )
        line = lines.get(id(item.after)) if item.after is not None else None
        found.append(problem("closed-period-changed", item.row.path, line, text))
    return found


# -- Rendering ---------------------------------------------------------------------------------


def _signed(minor: int, units: int) -> str:
    return ("+" if minor > 0 else "") + format_minor(minor, units)


def _money(minor: int | None, units: int) -> str:
    return "\u2014" if minor is None else format_minor(minor, units)


#: How the report gives amounts: said once, in the legend of both formats (and in README).
LEGEND = N_(
    "Income is money received and expense is money spent, both as positive amounts (as in "
    "summary.json), per year, per category and in the budget; fund balances are balances; "
    "rows are quoted as written in the ledger, where money out is negative."
)


def describe_setting(change: SettingChange) -> str:
    """One sentence for a change to accounts.yml."""
    key, old, new = change.key, change.before, change.after
    match change.kind:
        case "category-added":
            return _("category {key} added ({new})").format(key=key, new=new)
        case "category-removed":
            return _("category {key} removed (it was {old})").format(key=key, old=old)
        case "category-changed":
            return _("category {key} changed: {old} -> {new}").format(key=key, old=old, new=new)
        case "fund-added":
            return _("fund {key} added ({new})").format(key=key, new=new)
        case "fund-removed":
            return _("fund {key} removed (it was {old})").format(key=key, old=old)
        case "fund-changed":
            return _("fund {key} described as {new} (was {old})").format(key=key, new=new, old=old)
        case "default-fund":
            return _(
                "the default fund (the first listed, for rows without a fund) is now {new} "
                "(was {old})"
            ).format(new=new, old=old)
        case "counterparty-public":
            return _(
                "privacy: {key} is now a public counterparty, so the site will publish this "
                "name on "
                "every row that names it, past rows included; make sure they agreed to be named"
            ).format(key=key)
        case "counterparty-private":
            return _(
                "{key} is no longer a public counterparty: its rows will show as private"
            ).format(key=key)
        case "closed-through":
            if old is None:
                return _(
                    "closed_through set to {new}: rows dated on or before it are now frozen"
                ).format(new=new)
            if new is None:
                return _("closed_through removed (it was {old})").format(old=old)
            return _("closed_through moved from {old} to {new}").format(old=old, new=new)
    return _("{key}: {old} -> {new}").format(key=key, old=old, new=new)


def describe_line(change: LineChange) -> str:
    """The key and the values of a balances or budget line (before -> after when changed)."""
    key = " ".join(
        cell or _("(default fund)") if column == "fund" else cell for column, cell in change.key
    )

    def values(cells: LineCells) -> str:
        return ", ".join(f"{column} {cell}" for column, cell in cells if cell)

    if change.before is not None and change.after is not None:
        none = _("(none)")
        moved = [
            f"{column} {old or none} -> {new or none}"
            for (column, old), (_after_column, new) in zip(change.before, change.after)
            if old != new
        ]
        return f"{key}: " + ", ".join(moved)
    return f"{key}: {values(change.before or change.after or ())}"


def _headline(diff: BooksDiff) -> str:
    added, changed, removed = (diff.count(kind) for kind in ("added", "changed", "removed"))
    rows = (
        _("{added}, {changed}, {removed}").format(
            added=_n("{count} added", "{count} added", added).format(count=added),
            changed=_n("{count} changed", "{count} changed", changed).format(count=changed),
            removed=_n("{count} removed", "{count} removed", removed).format(count=removed),
        )
        if diff.rows
        else _("no row changed")
    )
    introduced, fixed = len(diff.introduced), len(diff.fixed)
    return (
        _("Rows: {rows}. Problems: {introduced}, {fixed}; in the working tree: {problems}.")
        if diff.head.is_working_tree
        else _("Rows: {rows}. Problems: {introduced}, {fixed}; at {label}: {problems}.")
    ).format(
        rows=rows,
        introduced=_n("{count} introduced", "{count} introduced", introduced).format(
            count=introduced
        ),
        fixed=_n("{count} fixed", "{count} fixed", fixed).format(count=fixed),
        label=diff.head.label,
        # The summary as it is, not lowercased: German writes its nouns capitalized.
        problems=summary_line(diff.problems).rstrip(".")
        if any(count(diff.problems))
        else _("no problems found"),
    )


def format_diff_text(diff: BooksDiff) -> str:
    """The diff for a terminal."""
    units = diff.units
    out = [
        (
            _("Changes to the books from {base} to the working tree")
            if diff.head.is_working_tree
            else _("Changes to the books from {base} to {head}")
        ).format(base=diff.base.label, head=diff.head.label)
        + (f" ({diff.currency})" if diff.currency else ""),
        "",
    ]
    out.append(_headline(diff))
    out += [_("Note: {note}").format(note=note) for note in diff.notes]
    out.append(_("Amounts: {legend}").format(legend=_(LEGEND)))
    if diff.settings:
        out += ["", _("Settings (ledgers/accounts.yml)")]
        out += [
            _("  {mark} {describe_setting}").format(
                mark="!" if c.privacy else "*", describe_setting=describe_setting(c)
            )
            for c in diff.settings
        ]
    if diff.funds:
        out += ["", _("Funds (balance after the last row: before -> after)")]
        width = max(len(name) for name, _ in diff.funds)
        for name, m in diff.funds:
            change = f"  ({_signed(m.change, units)})" if m.change else ""
            out.append(
                f"  {name:<{width}}  {_money(m.before, units)} -> {_money(m.after, units)}{change}"
            )
    if diff.years:
        out += ["", _("Income and expense (before -> after)")]
        for year in diff.years:
            totals = [
                (
                    _("{kind} {before} -> {after} ({change})").format(
                        kind=name,
                        before=_money(m.before, units),
                        after=_money(m.after, units),
                        change=_signed(m.change, units),
                    )
                    if m.change
                    else _("{kind} {before} -> {after}").format(
                        kind=name, before=_money(m.before, units), after=_money(m.after, units)
                    )
                )
                for name, m in ((_("income"), year.income), (_("expense"), year.expense))
            ]
            out.append(f"  {year.year}  {', '.join(totals)}")
            for c in year.categories:
                total = c.total
                out.append(
                    f"    {c.category} ({kind_word(c.kind)}): {_money(total.before, units)} -> "
                    f"{_money(total.after, units)} ({_signed(total.change, units)})"
                )
            for category, m in year.budget:
                out.append(
                    _("    budget {category}: {before} -> {after}").format(
                        category=category,
                        before=_money(m.before, units),
                        after=_money(m.after, units),
                    )
                )
    for role, title in (
        ("budget", _("Budget lines")),
        ("balances", _("Balance assertions (balances.csv)")),
    ):
        line_changes = [c for c in diff.lines if c.file == role]
        if line_changes:
            out += ["", title]
            for line_change in line_changes:
                sign = CHANGE_SIGNS[line_change.kind]
                where = line_change.after_where or line_change.before_where
                kind = change_word(line_change.kind)
                out.append(f"  {sign} {where}  {kind}: {describe_line(line_change)}")
    for title, problems in (
        (_("Problems introduced"), diff.introduced),
        (_("Problems fixed"), diff.fixed),
    ):
        if problems:
            out += ["", f"{title} ({len(problems)})"]
            out += [
                f"  {format_location(p)}: {p.severity.value}: [{p.code}] {message_with_place(p)}"
                for p in problems
            ]
    if diff.rows:
        out += ["", _("Rows")]
        for item in diff.rows:
            row, before, after = item.change.row, item.change.before, item.change.after
            if before is not None and after is not None:
                columns = ", ".join(item.changed_columns())
                out.append(
                    _("  ~ {path}:{line}  changed: {columns}").format(
                        path=after.path, line=item.after_line, columns=columns
                    )
                )
                out.append(_("      before: {row}").format(row=describe_row(before)))
                out.append(_("      after:  {row}").format(row=describe_row(after)))
            else:
                sign, line = (
                    (CHANGE_SIGNS["added"], item.after_line)
                    if after is not None
                    else (CHANGE_SIGNS["removed"], item.before_line)
                )
                out.append(f"  {sign} {row.path}:{line}  {describe_row(row)}")
    if not diff.changed:
        out += ["", _("No change to the books.")]
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


def md(text: str) -> str:
    """Text from the books, safe in Markdown (also in a table cell): no markup, no HTML, one "
    "line."""
    text = html.escape(text, quote=False).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_problem(p: Problem) -> str:
    mark = "\u274c" if p.is_error else "\u26a0\ufe0f"
    return f"- {mark} {md(format_location(p))} **{md(p.code)}**: {md(message_with_place(p))}"


def format_diff_markdown(diff: BooksDiff) -> str:
    """The diff as GitHub Markdown, for a pull request's job summary. The longest parts (the
    full list of problems, the rows) come last, where a cut to the size limit falls."""
    units = diff.units
    heading = (
        _("## Effect on the books ({currency}): {base} \u2192 {head}").format(
            currency=md(diff.currency), base=md(diff.base.label), head=md(diff.head.label)
        )
        if diff.currency
        else _("## Effect on the books: {base} \u2192 {head}").format(
            base=md(diff.base.label), head=md(diff.head.label)
        )
    )
    out = [heading, ""]
    out.append(md(_headline(diff)))
    for note in diff.notes:
        out += ["", f"> {md(note)}"]
    out += ["", f"*{md(_('Amounts: {legend}').format(legend=_(LEGEND)))}*"]
    for change in diff.settings:
        if change.privacy:
            setting = md(describe_setting(change).removeprefix("privacy: "))
            out += ["", _("> **Privacy:** {setting}.").format(setting=setting)]
    if diff.settings:
        out += ["", _("### Settings (ledgers/accounts.yml)"), ""]
        out += [f"- {md(describe_setting(c))}" for c in diff.settings]
    if diff.funds:
        out += [
            "",
            _("### Funds"),
            "",
            _md_row([_("Fund"), _("Before"), _("After"), _("Change")]),
            "| --- | ---: | ---: | ---: |",
        ]
        for name, m in diff.funds:
            out.append(
                _md_row(
                    [
                        md(name),
                        _money(m.before, units),
                        _money(m.after, units),
                        _signed(m.change, units) if m.change else "",
                    ]
                )
            )
    if diff.years:
        out += [
            "",
            _("### Income and expense"),
            "",
            _md_row([_("Year"), "", _("Before"), _("After"), _("Change")]),
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for year in diff.years:
            for name, m in ((_("**Income**"), year.income), (_("**Expense**"), year.expense)):
                out.append(
                    _md_row(
                        [
                            str(year.year),
                            name,
                            _money(m.before, units),
                            _money(m.after, units),
                            _signed(m.change, units) if m.change else "",
                        ]
                    )
                )
            for c in year.categories:
                about = ", ".join(
                    x for x in (c.category if c.label != c.category else "", kind_word(c.kind)) if x
                )
                label = md(c.label) + (f" ({md(about)})" if about else "")
                out.append(
                    _md_row(
                        [
                            str(year.year),
                            label,
                            _money(c.total.before, units),
                            _money(c.total.after, units),
                            _signed(c.total.change, units),
                        ]
                    )
                )
            for category, m in year.budget:
                out.append(
                    _md_row(
                        [
                            str(year.year),
                            _("budget: {category}").format(category=md(category)),
                            _money(m.before, units),
                            _money(m.after, units),
                            _signed(m.change, units),
                        ]
                    )
                )
    for role, title in (
        ("budget", _("Budget lines")),
        ("balances", _("Balance assertions (balances.csv)")),
    ):
        changes = [c for c in diff.lines if c.file == role]
        if changes:
            out += [
                "",
                f"### {title}",
                "",
                _md_row(["", _("Where"), _("Line")]),
                "| --- | --- | --- |",
            ]
            out += [
                _md_row(
                    [
                        change_word(c.kind),
                        md(c.after_where or c.before_where or ""),
                        md(describe_line(c)),
                    ]
                )
                for c in changes
            ]
    for title, problems in (
        (_("Problems introduced"), diff.introduced),
        (_("Problems fixed"), diff.fixed),
    ):
        if problems:
            out += ["", f"### {title} ({len(problems)})", ""]
            out += [_md_problem(p) for p in problems]
    if diff.problems:
        out += [
            "",
            "<details><summary>"
            + (
                _("All problems in the working tree: {summary}")
                if diff.head.is_working_tree
                else _("All problems at {label}: {summary}")
            ).format(label=md(diff.head.label), summary=md(summary_line(diff.problems)))
            + "</summary>",
            "",
        ]
        out += [_md_problem(p) for p in diff.problems]
        out += ["", "</details>"]
    if diff.rows:
        out += ["", _("### Rows ({count})").format(count=len(diff.rows)), ""]
        out += [
            _md_row(
                ["", _("Where"), _("Date"), _("Description"), _("Amount"), _("Category")]
                + [_("Fund"), _("Id")]
            ),
            "| --- | --- | --- | --- | ---: | --- | --- | --- |",
        ]
        for item in diff.rows:
            before, after = item.change.before, item.change.after
            if before is not None and after is not None:
                columns = md(", ".join(item.changed_columns()))
                out.append(
                    _md_cells(
                        _("changed ({columns}), before").format(columns=columns),
                        before,
                        item.before_line,
                    )
                )
                out.append(_md_cells(_("after"), after, item.after_line))
            else:
                line = item.after_line or item.before_line
                out.append(_md_cells(change_word(item.kind), item.change.row, line))
    if not diff.changed:
        out += ["", _("No change to the books.")]
    return "\n".join(out) + "\n"


def _md_cells(kind: str, row: Row, line: int | None) -> str:
    where = md(f"{row.path}:{line}" if line else row.path)
    return _md_row(
        [kind, where]
        + [md(row.get(c)) for c in ("date", "description", "amount", "category", "fund", "id")]
    )


def limit_bytes(text: str, max_bytes: int | None, markdown: bool = False) -> str:
    """`text` cut at a line so that, with a note saying so, it takes at most `max_bytes` bytes
    of UTF-8 (a cut never splits a character, a line or an open <details>)."""
    data = text.encode("utf-8")
    if max_bytes is None or len(data) <= max_bytes:
        return text
    note = _(
        "\n\n{bold}Cut here: the full report takes {count:,} bytes, more than "
        "the {max_bytes:,} allowed. Run publisher diff locally to see all of it.{bold}\n"
    ).format(bold="**" if markdown else "", count=len(data), max_bytes=max_bytes)
    room = max(0, max_bytes - len(note.encode("utf-8")) - len("\n</details>"))
    cut = data.rfind(b"\n", 0, room + 1)
    kept = data[: max(cut, 0)].decode("utf-8")
    if markdown and kept.count("<details>") > kept.count("</details>"):
        kept += "\n</details>"
    return kept + note


def diff_report(
    root: Path | str,
    base: str,
    head: str | None = None,
    output_format: str = "text",
    max_bytes: int | None = None,
) -> str:
    """`publisher diff`: the report of `diff_books`, as text or Markdown, cut to `max_bytes`."""
    books = diff_books(root, base, head)
    markdown = output_format == "markdown"
    text = format_diff_markdown(books) if markdown else format_diff_text(books)
    return limit_bytes(text, max_bytes, markdown)
