"""The history of the books: provenance of every row, the changelog, closed periods.

Everything is computed from one `git log -p` of ledgers/ (see gitrepo.py): for each commit the
rows it added and removed, as CSV records. A row's identity is its `id` where it has one, and
otherwise its whole content; a record removed and added again in one commit with the same
identity was changed (or only moved, when its content is the same). Replaying the commits in
order gives, for every row of today's ledgers, the commit that last changed it, without one
`git blame` per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.accounts import ACCOUNTS_PATH, Accounts
from publisher.checking import Check
from publisher.gitrepo import BooksRepository, CommitChanges, CommitInfo, FileChange
from publisher.i18n import _, _n
from publisher.ledger import unread_ledger_places
from publisher.money import format_minor, parse_decimal_text
from publisher.problems import Problem, problem
from publisher.rowchanges import (
    CHANGE_SIGNS,
    COLUMNS,
    KEPT_AS_WRITTEN,
    Row,
    RowChange,
    closed_period_changes,
    describe_row,
    fund_of,
    in_closed_period,
    pair_rows,
    reopens,
    row_columns,
    table_rows,
)
from publisher.workbook import is_workbook_name, read_workbook
from publisher.yamlfile import load_yaml

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative


@dataclass
class ChangeSet:
    commit: CommitInfo | None  # None: not committed yet
    changes: list[RowChange]
    #: fund -> change of its balance, minor units
    funds: dict[str, int]


@dataclass
class History:
    available: bool
    reason: str | None = None
    changesets: list[ChangeSet] = field(default_factory=list)
    #: row key -> the commits that last changed each copy of that row (None: uncommitted)
    provenance: dict[str, list[CommitInfo | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def commit_of(self, keys: Iterable[str]) -> list[CommitInfo | None]:
        """The last change of each row, for rows given in file order (copies in turn)."""
        taken: Counter[str] = Counter()
        found = []
        for key in keys:
            commits = self.provenance.get(key, [])
            index = taken[key]
            taken[key] += 1
            found.append(commits[index] if index < len(commits) else None)
        return found


def _parse_records(
    lines: list[str], header: list[str], delimiter: str, skip_ragged: bool = False
) -> list[tuple[str, ...]] | None:
    """CSV records in the format's columns, or None when the lines are not whole records.

    With `skip_ragged` (a whole file), a record with another number of cells than the header is
    left out, as the ledger reader leaves it out: the rest of the file still counts."""
    if not lines:
        return []
    try:
        records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    index = [header.index(c) if c in header else None for c in COLUMNS]
    rows = []
    for record in records:
        if not record or all(not c.strip() for c in record):
            continue
        if len(record) != len(header):
            if skip_ragged:
                continue
            return None
        rows.append(
            tuple(
                "" if i is None else record[i] if column in KEPT_AS_WRITTEN else record[i].strip()
                for column, i in zip(COLUMNS, index)
            )
        )
    return rows


def _header(line: str | None, delimiter: str) -> list[str] | None:
    if line is None:
        return None
    try:
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]
    except (csv.Error, StopIteration):
        return None


def _whole_file(text: str | None, delimiter: str) -> tuple[list[str] | None, list[tuple[str, ...]]]:
    if text is None:
        return None, []
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    header = _header(lines[0], delimiter)
    if header is None:
        return None, []
    return header, _parse_records(lines[1:], header, delimiter, skip_ragged=True) or []


def workbook_records(data: bytes | None, path: str, decimal: str) -> list[tuple[str, ...]]:
    """The ledger rows of a workbook's bytes, in the format's columns, as the reader reads them
    (none when the workbook cannot be read, as the reader then reads none either)."""
    if data is None:
        return []
    table = read_workbook(data, path, "ledger", decimal)
    if not table.readable or not len(table.frame):
        return []
    # As the ledger reader: "Date" and "AMOUNT" are the format's date and amount.
    renames = {
        h: h.lower() for h in table.header if h.lower() in COLUMNS and h.lower() not in table.header
    }
    frame = table.frame.rename(columns=renames)
    columns = []
    for column in COLUMNS:
        if column not in frame.columns:
            columns.append([""] * len(frame))
            continue
        values = frame[column].fillna("").astype(str)
        columns.append((values if column in KEPT_AS_WRITTEN else values.str.strip()).tolist())
    return list(zip(*columns, strict=True))


def _closed_through(text: str | None) -> dt.date | None:
    if text is None:
        return None
    loaded = load_yaml(text, ACCOUNTS_PATH)
    value = loaded.data.get("closed_through") if isinstance(loaded.data, dict) else None
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


class _Replay:
    """The state of the books while the commits are replayed in order."""

    def __init__(self, repository: BooksRepository, cooperative: Cooperative) -> None:
        self.repository = repository
        self.cooperative = cooperative
        self.delimiter = cooperative.accounts.dialect.delimiter
        self.decimal = cooperative.accounts.dialect.decimal
        self.default_fund = cooperative.accounts.default_fund
        self.headers: dict[str, list[str]] = {}
        self.rows: dict[str, list[tuple[CommitInfo | None, Row]]] = {}
        #: the latest day ever closed (a closing moved back still holds for the checks)
        self.closed: dt.date | None = None
        #: (through, commit) of each step that moved the closing forward, oldest first
        self.closings: list[tuple[dt.date, CommitInfo | None]] = []
        #: the rows of the closed period as they were when their period was closed
        self.at_closing: list[Row] = []
        #: closed_through as accounts.yml says it now, and the commit that last moved it back
        self.written_closed: dt.date | None = None
        self.reopened_by: CommitInfo | None = None
        #: row cells -> the last commit that removed or changed a row with those cells
        self.removed_by: dict[tuple[str, ...], CommitInfo | None] = {}
        self.history = History(True)

    def read(self, blob: str | None, path: str, commit: CommitInfo | None) -> str | None:
        if commit is None and blob is None:
            try:
                return (self.cooperative.root / path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                return None
        if blob is None:
            return None
        return self.repository.blob(blob).decode("utf-8", "replace")

    def file_rows(
        self, change: FileChange, commit: CommitInfo | None
    ) -> tuple[list[Row], list[Row]]:
        """(removed, added) rows of one file in one commit."""
        old_header = _header(change.old_header, self.delimiter) or self.headers.get(change.path)
        new_header = _header(change.new_header, self.delimiter) or old_header
        # A line with an odd number of quotes starts or ends a cell that spans lines: the hunk
        # may hold only part of that row, so the whole files are compared instead.
        partial = any(line.count('"') % 2 for line in change.removed + change.added)
        removed = _parse_records(change.removed, old_header, self.delimiter) if old_header else []
        added = _parse_records(change.added, new_header, self.delimiter) if new_header else []
        if (
            partial
            or removed is None
            or added is None
            or (change.new_header is not None and change.old_header is not None)
        ):
            # A multi-line cell changed in part, or the header changed: compare whole files.
            old_header, old_rows = _whole_file(
                self.read(change.old_blob, change.path, commit) if change.old_blob else None,
                self.delimiter,
            )
            new_text = (
                self.read(change.new_blob, change.path, commit)
                if (change.new_blob or commit is None)
                else None
            )
            new_header, new_rows = _whole_file(new_text, self.delimiter)
            old_counts, new_counts = Counter(old_rows), Counter(new_rows)
            removed = list((old_counts - new_counts).elements())
            added = list((new_counts - old_counts).elements())
        if new_header is not None:
            self.headers[change.path] = new_header
        elif change.new_blob is None and commit is not None:
            self.headers.pop(change.path, None)
        return [Row(change.path, r) for r in removed], [Row(change.path, r) for r in added]

    def read_bytes(self, blob: str | None, path: str, commit: CommitInfo | None) -> bytes | None:
        """A file's bytes in a commit (from its blob), or in the working tree (commit None)."""
        if commit is None and blob is None:
            try:
                return (self.cooperative.root / path).read_bytes()
            except OSError:
                return None
        return self.repository.blob(blob) if blob is not None else None

    def workbook_rows(
        self, change: FileChange, commit: CommitInfo | None
    ) -> tuple[list[Row], list[Row]]:
        """(removed, added) rows of a workbook in one commit: git sees a workbook as one binary
        blob, so both versions are read whole (with calamine, from memory) and compared."""
        decimal = self.decimal
        old = self.read_bytes(change.old_blob, change.path, commit) if change.old_blob else None
        new = (
            self.read_bytes(change.new_blob, change.path, commit)
            if (change.new_blob or commit is None)
            else None
        )
        old_rows = workbook_records(old, change.path, decimal)
        new_rows = workbook_records(new, change.path, decimal)
        old_counts, new_counts = Counter(old_rows), Counter(new_rows)
        removed = list((old_counts - new_counts).elements())
        added = list((new_counts - old_counts).elements())
        return [Row(change.path, r) for r in removed], [Row(change.path, r) for r in added]

    def amount(self, row: Row) -> int:
        return amount_of(row, self.cooperative.accounts)

    def fund(self, row: Row) -> str:
        return fund_of(row, self.cooperative.accounts)

    def apply(self, changes: CommitChanges) -> None:
        commit = changes.commit
        accounts = changes.files.pop(ACCOUNTS_PATH, None)
        removed: list[Row] = []
        added: list[Row] = []
        from publisher.cooperative import book_role  # the module that imports this one

        for change in changes.files.values():
            name = change.path.rsplit("/", 1)[-1]
            if is_workbook_name(name):
                if "/" not in change.path.removeprefix("ledgers/") and book_role(name) == "ledger":
                    file_removed, file_added = self.workbook_rows(change, commit)
                    removed += file_removed
                    added += file_added
                continue
            if not change.path.lower().endswith(".csv"):
                continue
            name = name.lower()
            if name.startswith("budget") or name == "balances.csv":
                continue
            file_removed, file_added = self.file_rows(change, commit)
            removed += file_removed
            added += file_added
        result: list[RowChange] = []
        pairs, removed, added = pair_rows(removed, added)
        for old, new in pairs:
            self._replace(old, new, commit)
            if new.cells != old.cells:  # the same cells in another file: moved, not changed
                result.append(RowChange("changed", old, new))
        for row in removed:
            self._remove(row)
            result.append(RowChange("removed", row, None))
        for row in added:
            self.rows.setdefault(row.key, []).append((commit, row))
            result.append(RowChange("added", None, row))
        funds: dict[str, int] = {}
        for item in result:
            if item.before is not None:
                funds[self.fund(item.before)] = funds.get(self.fund(item.before), 0) - self.amount(
                    item.before
                )
            if item.after is not None:
                funds[self.fund(item.after)] = funds.get(self.fund(item.after), 0) + self.amount(
                    item.after
                )
        for item in result:
            if item.before is not None:
                self.removed_by[item.before.cells] = commit
        if accounts is not None:
            self.update_closed(accounts, commit)
        if result:
            self.history.changesets.append(
                ChangeSet(commit, result, {f: v for f, v in funds.items() if v})
            )

    def _replace(self, old: Row, new: Row, commit: CommitInfo | None) -> None:
        copies = self.rows.get(old.key, [])
        for index, (when, row) in enumerate(copies):
            if row.cells == old.cells and row.path == old.path or index == len(copies) - 1:
                copies[index] = (commit if new.cells != old.cells else when, new)
                return
        self.rows.setdefault(new.key, []).append((commit, new))

    def _remove(self, old: Row) -> None:
        copies = self.rows.get(old.key, [])
        for index, (_commit, row) in enumerate(copies):
            if row.cells == old.cells:
                del copies[index]
                break
        if not copies:
            self.rows.pop(old.key, None)

    def update_closed(self, change: FileChange, commit: CommitInfo | None) -> None:
        text = (
            self.read(change.new_blob, ACCOUNTS_PATH, commit)
            if (change.new_blob or commit is None)
            else None
        )
        new = _closed_through(text)
        if (
            new != self.written_closed
            and self.closed is not None
            and (new is None or new < self.closed)
        ):
            self.reopened_by = commit
        self.written_closed = new
        if new is not None and (self.closed is None or new > self.closed):
            # The rows newly covered are frozen as they stand after this commit's own changes.
            earlier = self.closed.isoformat() if self.closed is not None else ""
            through = new.isoformat()
            self.at_closing += [
                row
                for _, row in self.current()
                if in_closed_period(row.get("date"), through)
                and not in_closed_period(row.get("date"), earlier)
            ]
            self.closed = new
            self.closings.append((new, commit))

    def current(self) -> list[tuple[CommitInfo | None, Row]]:
        """Every row of the books as they stand, with the commit that last changed it."""
        return [copy for copies in self.rows.values() for copy in copies]

    def closed_by(self, date: str) -> CommitInfo | None:
        """The commit whose closed_through first covered `date`."""
        for through, commit in self.closings:
            if in_closed_period(date, through.isoformat()):
                return commit
        return None

    def closed_period_problems(self) -> list[Problem]:
        """The closed period now against the closed period when it was closed: a change that
        was later reverted is no change; one still in the books is an error on its line."""
        if self.closed is None:
            return []
        found: list[Problem] = []
        closed = self.closed.isoformat()
        if reopens(self.closed, self.written_closed):
            found.append(
                problem(
                    "closed-period-reopened",
                    ACCOUNTS_PATH,
                    self.cooperative.closed_through_line,
                    (
                        _(
                            "closed_through was moved back from {closed} to {closed_through} "
                            "{where}. A closed period stays closed: set closed_through back "
                            "to {closed}, and enter corrections as new rows dated after it."
                        ).format(
                            closed=closed,
                            closed_through=self.written_closed,
                            where=_where(self.reopened_by),
                        )
                        if self.written_closed
                        else _(
                            "closed_through, which was {closed}, was removed {where}. A closed "
                            "period stays closed: set closed_through back to {closed}, and enter "
                            "corrections as new rows dated after it."
                        ).format(closed=closed, where=_where(self.reopened_by))
                    ),
                )
            )
        now = self.current()
        last_change = {id(row): when for when, row in now}
        units = self.cooperative.accounts.minor_units
        accounts = self.cooperative.accounts
        unread = unread_ledger_places(self.cooperative)
        for item in closed_period_changes(
            self.at_closing, [row for _commit, row in now], closed, accounts
        ):
            row = item.row
            date = (item.before or item.after).get("date")  # type: ignore[union-attr]
            closing = self.closed_by(date)
            short = closing.short if closing else ""
            if item.kind == "removed":
                text = (
                    (
                        _(
                            "The books are closed through {closed} (closed_through, set in commit "
                            "{short}), but a row of that period was deleted {where}. "
                            "Put it back in {path} as it was at closing: {describe}; "
                            "then record any correction as a new row dated after {closed}."
                        )
                        if closing
                        else _(
                            "The books are closed through {closed} (closed_through), but a row "
                            "of that period was deleted {where}. "
                            "Put it back in {path} as it was at closing: {describe}; "
                            "then record any correction as a new row dated after {closed}."
                        )
                    ).format(
                        short=short,
                        where=_where(self.removed_by.get(row.cells)),
                        path=row.path,
                        describe=_describe(row, units, self),
                        closed=closed,
                    )
                ) + _unread_note(unread, row.path)
                line = None
            elif item.kind == "added":
                text = (
                    _(
                        "The books are closed through {closed} (closed_through, set in commit "
                        "{short}), but this row, dated in that period, was added {where}: "
                        "{describe}. Remove it, and enter it again dated after {closed} (with a "
                        "note of the day it belongs to)."
                    )
                    if closing
                    else _(
                        "The books are closed through {closed} (closed_through), but this row, "
                        "dated in that period, was added {where}: {describe}. Remove it, and "
                        "enter it again dated after {closed} (with a note of the day it belongs "
                        "to)."
                    )
                ).format(
                    short=short,
                    where=_where(last_change.get(id(item.after))),
                    describe=_describe(row, units, self),
                    closed=closed,
                )
                line = self.cooperative.locate_row(row)
            else:
                before, after = item.before, item.after
                assert before is not None and after is not None, "a changed row has both sides"
                text = (
                    _(
                        "The books are closed through {closed} (closed_through, set in commit "
                        "{short}), but this row of that period was changed {where}; it now "
                        "reads {describe}. Restore the row as it was at closing: "
                        "{describe_at_closing}; then record the correction as a new row dated "
                        "after {closed}."
                    )
                    if closing
                    else _(
                        "The books are closed through {closed} (closed_through), but this row "
                        "of that period was changed {where}; it now reads {describe}. Restore "
                        "the row as it was at closing: {describe_at_closing}; then record the "
                        "correction as a new row dated after {closed}."
                    )
                ).format(
                    short=short,
                    where=_where(last_change.get(id(after))),
                    describe=_describe(after, units, self),
                    describe_at_closing=_describe(before, units, self),
                    closed=closed,
                )
                line = self.cooperative.locate_row(after)
            found.append(problem("closed-period-changed", row.path, line, text))
        return found


def _unread_note(unread: list[str], path: str) -> str:
    """A knock-on note for a closed row missing from `path`: the rows of that file that could
    not be read may be that row, written so that it cannot be read (a ragged row, say)."""
    places = [place for place in unread if place == path or place.startswith(f"{path} line ")]
    if not places:
        return ""
    shown = _(", ").join(places[:10])
    if len(places) > 10:
        return _(
            " ({places} and more could not be read and may be this row; fix them first.)"
        ).format(places=shown)
    return _n(
        " ({places} could not be read and may be this row; fix it first.)",
        " ({places} could not be read and may be this row; fix them first.)",
        len(places),
    ).format(places=shown)


def _where(commit: CommitInfo | None) -> str:
    return (
        _("in commit {short} of {date:%Y-%m-%d} ({message})").format(
            short=commit.short, date=commit.date, message=commit.message
        )
        if commit
        else _("in changes not yet committed")
    )


def amount_of(row: Row, accounts: Accounts) -> int:
    """The row's amount in minor units (0 where it cannot be read)."""
    text = row.get("amount")
    if accounts.dialect.decimal == ",":
        text = text.replace(",", ".")
    return parse_decimal_text(text, accounts.minor_units) or 0


def _describe(row: Row, units: int, replay: _Replay) -> str:
    """The row as the books count it, for the closed-period messages (rowchanges.describe_row)."""
    return describe_row(row, replay.cooperative.accounts)


def read_history(
    cooperative: Cooperative, repository_root: Path | None = None, until: str | None = None
) -> History:
    """Replay the history of the books; a History with `available` False says why not.

    By default the history is that of the cooperative's own directory, up to its working tree.
    `publisher diff` reads the books of a revision out of git into a scratch directory: it
    passes the repository's directory and the revision's full sha as `until`, so that the
    closed periods are checked on the history up to that revision."""
    repository = BooksRepository.open(
        repository_root if repository_root is not None else cooperative.root
    )
    if not repository.available:
        return History(False, repository.reason)
    try:
        if repository.shallow:
            return History(
                False,
                _(
                    "the repository is a shallow clone, so its history is incomplete. Fetch "
                    "the whole "
                    "history with `git fetch --unshallow` (in GitHub Actions: `fetch-depth: 0` in "
                    "actions/checkout)"
                ),
            )
        replay = _Replay(repository, cooperative)
        for changes in repository.book_changes(until):
            replay.apply(changes)
        replay.history.problems += replay.closed_period_problems()
        replay.history.provenance = {
            key: [when for when, _ in copies] for key, copies in replay.rows.items()
        }
        return replay.history
    except Exception as error:  # noqa: BLE001 - a broken history must not break the build
        return History(
            False,
            _("git could not read the history ({name}: {error})").format(
                name=type(error).__name__, error=error
            ),
        )
    finally:
        repository.close()


def ever_closed(cooperative: Cooperative) -> bool:
    """Whether the books are closed now, or accounts.yml ever said closed_through in git."""
    if cooperative.accounts.closed_through is not None:
        return True
    repository = BooksRepository.open(cooperative.root)
    try:
        return repository.available and repository.ever_contained(ACCOUNTS_PATH, "^closed_through")
    except Exception:  # noqa: BLE001
        return False
    finally:
        repository.close()


def check_closed_periods(cooperative: Cooperative) -> Iterable[Problem]:
    # The loader reads the history when some period is or was closed: it costs a git log.
    if not cooperative.ever_closed:
        return []
    history = cooperative.history()
    if not history.available and cooperative.accounts.closed_through is None:
        return []
    if not history.available:
        return [
            problem(
                "history-unavailable",
                ACCOUNTS_PATH,
                cooperative.closed_through_line,
                _(
                    "The books are closed through {closed_through}, but whether the "
                    "closed period stayed unchanged could not be checked: {reason}."
                ).format(closed_through=cooperative.accounts.closed_through, reason=history.reason),
            )
        ]
    return history.problems


def historical_names(history: History, public: frozenset[str]) -> list[str]:
    """Every private counterparty any version of the books named (deleted rows included)."""
    names = set()
    for changeset in history.changesets:
        for change in changeset.changes:
            for row in (change.before, change.after):
                name = row.get("counterparty") if row is not None else ""
                if name and name not in public and not name.startswith("@"):
                    names.add(name)
    return sorted(names)


def row_provenance(
    cooperative: Cooperative, history: History
) -> dict[tuple[str, int], CommitInfo | None]:
    """(path, line) of every ledger row -> the commit that last changed it (None: uncommitted)."""
    found: dict[tuple[str, int], CommitInfo | None] = {}
    if not history.available or not len(cooperative.ledger):
        return found
    for path in cooperative.ledger["path"].unique():
        table = cooperative.tables.get(str(path))
        if table is None or not len(table.frame):
            continue
        rows = table_rows(str(path), table.frame)
        for (_row, line), commit in zip(rows, history.commit_of(row.key for row, _line in rows)):
            found[(str(path), line)] = commit
    return found


def format_changes(history: History, accounts: Accounts) -> str:
    """The changelog for a terminal, newest first."""
    if not history.available:
        return _("The history of the books is not available: {reason}.\n").format(
            reason=history.reason
        )
    units = accounts.minor_units

    def describe(row: Row) -> str:
        return row_columns(row, accounts)

    lines: list[str] = []
    for changeset in reversed(history.changesets):
        commit = changeset.commit
        title = (
            _("{short}  {date:%Y-%m-%d}  {message}").format(
                short=commit.short, date=commit.date, message=commit.message
            )
            if commit
            else _("(not committed yet)")
        )
        lines.append(title)
        for change in changeset.changes:
            if change.before is not None and change.after is not None:
                lines.append(
                    f"  {CHANGE_SIGNS['changed']} {describe(change.before)}\n"
                    f"    → {describe(change.after)}"
                )
            else:
                lines.append(f"  {CHANGE_SIGNS[change.kind]} {describe(change.row)}")
        effect = ", ".join(
            _("{fund} {sign}{amount}").format(
                fund=fund, sign="+" if v > 0 else "", amount=format_minor(v, units)
            )
            for fund, v in changeset.funds.items()
        )
        lines.append(
            _("  funds: {effect}").format(effect=effect) if effect else _("  funds: no change")
        )
        lines.append("")
    if not lines:
        return _("No commit has changed the books yet.\n")
    return "\n".join(lines)


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_closed_periods,
]
