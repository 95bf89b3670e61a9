"""What a change does to the books: `publisher diff BASE [HEAD]`, as plain data and two renderers.

Both sides are read and checked exactly as `publisher check` reads a directory: a revision's
ledgers/ and content/ are written out of git into a scratch directory (gitrepo.export_revision),
the working tree is read where it is. The comparison then uses the same notions as the history
of the books (publisher.history): a row is identified by its `id`, or by its whole content when
it has none; a row removed and added with the same identity was changed. The money is compared
through the same yearly figures the site publishes (publisher.summary).

Problems are compared by (severity, code, path, message), not by line, so that a problem that
only moved because rows were inserted above it is neither "introduced" nor "fixed". The checks
of closed periods need the whole history, which a scratch directory does not have: they are left
out of both sides, and this change alone is held against the base's `closed_through` instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from publisher.accounts import Accounts
from publisher.cooperative import Cooperative, NotACooperative, check_cooperative
from publisher.gitrepo import BOOKS_DIR, CommitInfo, export_revision
from publisher.history import _KEPT_AS_WRITTEN, COLUMNS, Row, RowChange
from publisher.money import format_minor
from publisher.problems import (
    Problem,
    count,
    format_location,
    problem,
    sorted_problems,
    summary_line,
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
    def label(self) -> str:
        if self.revision is None:
            return "the working tree"
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
    def kind(self) -> str:
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
class CategoryChange:
    category: str
    label: str
    kind: str  # income | expense (the category's kind at the head, else at the base)
    #: the signed sum of the category's rows that year
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

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def money_changed(self) -> bool:
        return bool(self.years) or any(m.change for _, m in self.funds)


@dataclass
class _State:
    """A side read and checked."""

    cooperative: Cooperative | None
    problems: list[Problem]
    rows: list[tuple[Row, int]] = field(default_factory=list)
    summary: Summary | None = None
    unreadable_rows: int = 0


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
        raise DiffError(f"{root} is not a directory.")
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
        before = _read_side(base_dir, today)
        after = _read_side(head_dir, today)
    if (
        before.cooperative is None
        and after.cooperative is None
        and not (before.problems or after.problems)
    ):
        raise DiffError(
            f"{root} holds no cooperative at either revision: there is no ledgers/accounts.yml at "
            f"{base} nor at {head or 'the working tree'}."
        )
    return _compare(before, after, Side(base, base_commit), Side(head, head_commit))


def _read_side(directory: Path, today: dt.date | None) -> _State:
    try:
        cooperative, problems = check_cooperative(directory, today)
    except NotACooperative:
        return _State(None, [])
    problems = [p for p in problems if p.code not in HISTORY_CODES]
    state = _State(cooperative, problems)
    if cooperative is None:
        return state
    state.rows = ledger_rows(cooperative)
    state.summary, state.unreadable_rows = _summary(cooperative)
    return state


def ledger_rows(cooperative: Cooperative) -> list[tuple[Row, int]]:
    """Every row of the ledgers as history.Row, with its physical line, in file order."""
    found: list[tuple[Row, int]] = []
    for path, table in cooperative.tables.items():
        name = path.rsplit("/", 1)[-1].lower()
        if name.startswith("budget") or name == "balances.csv" or not len(table.frame):
            continue
        frame = table.frame
        cells = []
        for column in COLUMNS:
            if column not in frame.columns:
                cells.append([""] * len(frame))
                continue
            values = frame[column].fillna("").astype(str)
            cells.append(values if column in _KEPT_AS_WRITTEN else values.str.strip())
        for line, values in zip(frame["line"], zip(*cells, strict=True), strict=True):
            found.append((Row(path, tuple(values)), int(line)))
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
    """Rows added, changed and removed between two lists of rows (history.Row identity)."""
    common = Counter(r for r, _ in before) & Counter(r for r, _ in after)
    removed = _leftover(before, common)
    added = _leftover(after, common)
    added_by_key: dict[str, list[tuple[Row, int]]] = {}
    for row, line in added:
        added_by_key.setdefault(row.key, []).append((row, line))
    result: list[RowDiff] = []
    for row, line in removed:
        partners = added_by_key.get(row.key)
        if partners:
            new, new_line = partners.pop(0)
            if new.cells != row.cells:  # the same cells in another file: moved, not changed
                result.append(RowDiff(RowChange("changed", row, new), line, new_line))
        else:
            result.append(RowDiff(RowChange("removed", row, None), line, None))
    for rows in added_by_key.values():
        result += [RowDiff(RowChange("added", None, row), None, line) for row, line in rows]
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(
        result, key=lambda r: (order[r.kind], r.change.row.path, r.after_line or r.before_line or 0)
    )


def _leftover(rows: list[tuple[Row, int]], common: Counter) -> list[tuple[Row, int]]:
    unmatched = Counter(common)
    left = []
    for row, line in rows:
        if unmatched[row] > 0:
            unmatched[row] -= 1
        else:
            left.append((row, line))
    return left


def compare_problems(
    before: list[Problem], after: list[Problem]
) -> tuple[list[Problem], list[Problem]]:
    """(introduced, fixed): problems by (severity, code, path, message), counted with repeats."""

    def key(p: Problem) -> tuple:
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
    closed = _closed_period_problems(rows, _accounts(before), _accounts(after))
    introduced, fixed = compare_problems(before.problems, after.problems)
    introduced = sorted_problems(introduced + closed)
    head_problems = sorted_problems(after.problems + closed)
    notes: list[str] = []
    for side, state in ((base, before), (head, after)):
        if state.cooperative is None and not state.problems:
            notes.append(
                f"At {side.label} there is no ledgers/accounts.yml: its books count as empty."
            )
        elif state.cooperative is None or state.summary is None:
            notes.append(
                f"At {side.label} the books cannot be summed (see the problems): "
                "no figures for that side."
            )
        elif state.unreadable_rows:
            unreadable = _plural(state.unreadable_rows, "row")
            notes.append(
                f"At {side.label}, {unreadable} with a date or an amount that cannot be read "
                f"{'is' if state.unreadable_rows == 1 else 'are'} left out of the figures."
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
            total = Movement(a_categories.get(category), b_categories.get(category))
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


def _funds(before: _State, after: _State) -> list[tuple[str, Movement]]:
    old = before.summary.funds if before.summary is not None else {}
    new = after.summary.funds if after.summary is not None else {}
    names = list(new) + [f for f in old if f not in new]
    return [(name, Movement(old.get(name), new.get(name))) for name in names]


def _closed_period_problems(
    rows: list[RowDiff], before: Accounts | None, after: Accounts | None
) -> list[Problem]:
    """This change against the base's closed period (the history check, for one change)."""
    closed = before.closed_through if before is not None else None
    if closed is None:
        return []
    found = []
    if after is not None and (after.closed_through is None or after.closed_through < closed):
        found.append(
            problem(
                "closed-period-reopened",
                "ledgers/accounts.yml",
                None,
                f"This change moves closed_through back from {closed} to "
                f"{after.closed_through or 'nothing'}. A closed period stays closed: restore it, "
                "and enter corrections as new rows in an open period.",
            )
        )
    day = closed.isoformat()
    for item in rows:
        dates = [r.get("date") for r in (item.change.before, item.change.after) if r is not None]
        if not any(d and d <= day for d in dates):
            continue
        line = item.after_line if item.change.after is not None else None
        found.append(
            problem(
                "closed-period-changed",
                item.change.row.path,
                line,
                f"The books are closed through {day}, but this change {item.kind} a row of that "
                f"period ({describe_row(item.change.row)}). Undo that change, and enter a correction as a "
                "new row in an open period.",
            )
        )
    return found


# -- Rendering ---------------------------------------------------------------------------------


def describe_row(row: Row) -> str:
    """date "description" amount category/fund [id], as written in the file."""
    fund = row.get("fund") or "(default fund)"
    ident = f" id {row.get('id')}" if row.get("id") else ""
    description = f"\u201c{row.get('description')}\u201d"
    return (
        f"{row.get('date')} {description} {row.get('amount')} {row.get('category')}/{fund}{ident}"
    )


def _signed(minor: int, units: int) -> str:
    return ("+" if minor > 0 else "") + format_minor(minor, units)


def _money(minor: int | None, units: int) -> str:
    return "\u2014" if minor is None else format_minor(minor, units)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _headline(diff: BooksDiff) -> str:
    rows = (
        f"{diff.count('added')} added, {diff.count('changed')} changed, {diff.count('removed')} removed"
        if diff.rows
        else "no row changed"
    )
    return (
        f"Rows: {rows}. Problems: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed; "
        f"at {diff.head.label}: {summary_line(diff.problems).rstrip('.').lower()}."
    )


def format_diff_text(diff: BooksDiff) -> str:
    """The diff for a terminal."""
    units = diff.units
    out = [
        f"Changes to the books from {diff.base.label} to {diff.head.label}"
        + (f" ({diff.currency})" if diff.currency else ""),
        "",
    ]
    out.append(_headline(diff))
    out += [f"Note: {note}" for note in diff.notes]
    if diff.funds:
        out += ["", "Funds (balance after the last row: before -> after)"]
        width = max(len(name) for name, _ in diff.funds)
        for name, m in diff.funds:
            change = f"  ({_signed(m.change, units)})" if m.change else ""
            out.append(
                f"  {name:<{width}}  {_money(m.before, units)} -> {_money(m.after, units)}{change}"
            )
    if diff.years:
        out += ["", "Income and expense (before -> after)"]
        for year in diff.years:
            totals = [
                f"{name} {_money(m.before, units)} -> {_money(m.after, units)}"
                + (f" ({_signed(m.change, units)})" if m.change else "")
                for name, m in (("income", year.income), ("expense", year.expense))
            ]
            out.append(f"  {year.year}  {', '.join(totals)}")
            for c in year.categories:
                total = c.total
                out.append(
                    f"    {c.category} ({c.kind}): {_money(total.before, units)} -> "
                    f"{_money(total.after, units)} ({_signed(total.change, units)})"
                )
            for category, m in year.budget:
                out.append(
                    f"    budget {category}: {_money(m.before, units)} -> {_money(m.after, units)}"
                )
    for title, problems in (
        ("Problems introduced", diff.introduced),
        ("Problems fixed", diff.fixed),
    ):
        if problems:
            out += ["", f"{title} ({len(problems)})"]
            out += [
                f"  {format_location(p)}: {p.severity.value}: [{p.code}] {p.message}"
                for p in problems
            ]
    if diff.rows:
        out += ["", "Rows"]
        for item in diff.rows:
            row, before, after = item.change.row, item.change.before, item.change.after
            if before is not None and after is not None:
                columns = ", ".join(item.changed_columns())
                out.append(f"  ~ {after.path}:{item.after_line}  changed: {columns}")
                out.append(f"      before: {describe_row(before)}")
                out.append(f"      after:  {describe_row(after)}")
            else:
                sign, line = (
                    ("+", item.after_line) if after is not None else ("-", item.before_line)
                )
                out.append(f"  {sign} {row.path}:{line}  {describe_row(row)}")
    if not diff.rows and not diff.money_changed and not diff.introduced and not diff.fixed:
        out += ["", "No change to the books."]
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


def md(text: str) -> str:
    """Text from the books, safe in Markdown (also in a table cell): no markup, no HTML, one line."""
    text = html.escape(text, quote=False).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_problem(p: Problem) -> str:
    mark = "\u274c" if p.is_error else "\u26a0\ufe0f"
    return f"- {mark} {md(format_location(p))} **{md(p.code)}**: {md(p.message)}"


def format_diff_markdown(diff: BooksDiff) -> str:
    """The diff as GitHub Markdown, for a pull request's job summary. The longest parts (the
    full list of problems, the rows) come last, where a cut to the size limit falls."""
    units = diff.units
    currency = f" ({md(diff.currency)})" if diff.currency else ""
    out = [
        f"## Effect on the books{currency}: {md(diff.base.label)} \u2192 {md(diff.head.label)}",
        "",
    ]
    out.append(md(_headline(diff)))
    for note in diff.notes:
        out += ["", f"> {md(note)}"]
    if diff.funds:
        out += [
            "",
            "### Funds",
            "",
            _md_row(["Fund", "Before", "After", "Change"]),
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
            "### Income and expense",
            "",
            _md_row(["Year", "", "Before", "After", "Change"]),
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for year in diff.years:
            for name, m in (("**Income**", year.income), ("**Expense**", year.expense)):
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
                    x for x in (c.category if c.label != c.category else "", c.kind) if x
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
                            f"budget: {md(category)}",
                            _money(m.before, units),
                            _money(m.after, units),
                            _signed(m.change, units),
                        ]
                    )
                )
    for title, problems in (
        ("Problems introduced", diff.introduced),
        ("Problems fixed", diff.fixed),
    ):
        if problems:
            out += ["", f"### {title} ({len(problems)})", ""]
            out += [_md_problem(p) for p in problems]
    if diff.problems:
        out += [
            "",
            f"<details><summary>All problems at {md(diff.head.label)}: {md(summary_line(diff.problems))}</summary>",
            "",
        ]
        out += [_md_problem(p) for p in diff.problems]
        out += ["", "</details>"]
    if diff.rows:
        out += ["", f"### Rows ({len(diff.rows)})", ""]
        out += [
            _md_row(["", "Where", "Date", "Description", "Amount", "Category", "Fund", "Id"]),
            "| --- | --- | --- | --- | ---: | --- | --- | --- |",
        ]
        for item in diff.rows:
            before, after = item.change.before, item.change.after
            if before is not None and after is not None:
                columns = md(", ".join(item.changed_columns()))
                out.append(_md_cells(f"changed ({columns}), before", before, item.before_line))
                out.append(_md_cells("after", after, item.after_line))
            else:
                line = item.after_line or item.before_line
                out.append(_md_cells(item.kind, item.change.row, line))
    if not diff.rows and not diff.money_changed and not diff.introduced and not diff.fixed:
        out += ["", "No change to the books."]
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
    note = (
        f"\n\n{'**' if markdown else ''}Cut here: the full report takes {len(data):,} bytes, more than "
        f"the {max_bytes:,} allowed. Run publisher diff locally to see all of it.{'**' if markdown else ''}\n"
    )
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
