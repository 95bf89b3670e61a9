"""The changelog of the books as pages: newest first, one fold per commit, privacy applied.

The commits are cut into pages of `COMMITS_PER_PAGE` (`finances/changes.md`, then
`finances/changes-2.md`, ...), each commit folded into a `<details>` whose one-line summary says
when, what and how much; the rows open on demand. The page data is built here as plain records
and rendered by `changes.md.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.charts import display_money
from publisher.cooperative import Cooperative
from publisher.history import ChangeSet, History, Row, fund_of
from publisher.money import parse_decimal_text
from publisher.privacy import NameFinder
from publisher.site.templating import render, words
from publisher.summary import Summary

CHANGES_PAGE = "finances/changes.md"
#: Commits on one page: enough to scroll through, few enough to open on a phone.
COMMITS_PER_PAGE = 20
#: The pages list this many commits; the rest stays in git (hundreds of pages help nobody).
MAX_COMMITS = 1000
#: A commit message's first line is cut here in the summary line.
SUMMARY_MESSAGE_CHARS = 120


def changes_page_path(number: int) -> str:
    """The file of page `number` (1 is the newest commits)."""
    return CHANGES_PAGE if number == 1 else f"finances/changes-{number}.md"


@dataclass(frozen=True)
class ChangedRow:
    """One line of a commit's table: a row added or removed, or one side of a changed row."""

    kind: str  # added | removed | before | after
    shown_kind: str  # what the reader sees in the first column
    date: str
    description: str
    amount: str
    category: str
    fund: str


@dataclass(frozen=True)
class FundEffect:
    fund: str
    change: str  # signed, for people


@dataclass(frozen=True)
class ChangeSetView:
    anchor: str
    date: str  # YYYY-MM-DD, "" when not committed
    title: str  # the message's first line, redacted and cut
    message_rest: str  # the rest of the message, redacted
    sha: str  # "" when not committed
    added: int
    changed: int
    removed: int
    net: str  # signed, for people; "" when the funds did not move
    funds: list[FundEffect]
    rows: list[ChangedRow]

    @property
    def counts(self) -> str:
        words_ = words()
        parts = [
            text % {"num": n}
            for n, text in (
                (self.added, words_.pgettext("rows of a commit", "%(num)s added")),
                (self.changed, words_.pgettext("rows of a commit", "%(num)s changed")),
                (self.removed, words_.pgettext("rows of a commit", "%(num)s removed")),
            )
            if n
        ]
        return ", ".join(parts) or words_.gettext("no row")


@dataclass(frozen=True)
class PageLink:
    number: int
    path: str
    current: bool


@dataclass(frozen=True)
class ChangesPage:
    available: bool
    reason: str
    number: int
    count: int  # of pages
    changesets: list[ChangeSetView]
    pages: list[PageLink]
    newer: str | None  # path of the page of newer commits
    older: str | None
    left_out: int  # commits beyond MAX_COMMITS


def signed_money(minor: int, summary: Summary) -> str:
    """+€15.00 / -€400.00: a change, for people."""
    text = display_money(minor, summary)
    return f"+{text}" if minor > 0 else text


def _amount(row: Row, cooperative: Cooperative, summary: Summary) -> str:
    """The row's amount for people; a cell that cannot be read is shown as written (an
    unreadable "12O.00" is not a row of 0.00)."""
    text = row.get("amount")
    if cooperative.accounts.dialect.decimal == ",":
        text = text.replace(",", ".")
    minor = parse_decimal_text(text, cooperative.accounts.minor_units)
    return f"\u201c{row.get('amount')}\u201d" if minor is None else display_money(minor, summary)


def _changed_row(
    kind: str, shown: str, row: Row, cooperative: Cooperative, summary: Summary, finder: NameFinder
) -> ChangedRow:
    category = row.get("category")
    return ChangedRow(
        kind=kind,
        shown_kind=shown,
        date=row.get("date"),
        description=finder.redact_text(row.get("description")),
        amount=_amount(row, cooperative, summary),
        category=summary.labels.get(category, category),
        fund=summary.fund_label(fund_of(row, cooperative.accounts)),
    )


def kind_word(kind: str) -> str:
    """How a changed row is marked for readers ("added", "changed, before", "after")."""
    words_ = words()
    return {
        "added": words_.pgettext("row", "added"),
        "removed": words_.pgettext("row", "removed"),
        "changed, before": words_.pgettext("row", "changed, before"),
        "after": words_.pgettext("row", "after"),
    }.get(kind, kind)


def changeset_view(
    changeset: ChangeSet, cooperative: Cooperative, summary: Summary, finder: NameFinder
) -> ChangeSetView:
    """One commit's changes as the page shows them."""
    rows: list[ChangedRow] = []
    for change in changeset.changes:
        if change.kind == "changed":
            assert change.before is not None and change.after is not None
            rows.append(
                _changed_row(
                    "before",
                    kind_word("changed, before"),
                    change.before,
                    cooperative,
                    summary,
                    finder,
                )
            )
            rows.append(
                _changed_row(
                    "after", kind_word("after"), change.after, cooperative, summary, finder
                )
            )
        else:
            rows.append(
                _changed_row(
                    change.kind, kind_word(change.kind), change.row, cooperative, summary, finder
                )
            )
    kinds = [change.kind for change in changeset.changes]
    commit = changeset.commit
    if commit is None:
        anchor, date, sha = "not-committed", "", ""
        title, rest = (
            words().gettext("Not committed yet"),
            words().gettext("These changes are in the working copy, not yet in a commit."),
        )
    else:
        anchor, date, sha = f"commit-{commit.short}", f"{commit.date:%Y-%m-%d}", commit.sha
        first, _, rest = finder.redact_text(commit.message).strip().partition("\n")
        title = first.strip() or words().gettext("no message")
        if len(title) > SUMMARY_MESSAGE_CHARS:
            title, rest = (
                title[: SUMMARY_MESSAGE_CHARS - 1] + "…",
                title + ("\n" + rest if rest else ""),
            )
        rest = rest.strip()
    net = sum(changeset.funds.values())
    return ChangeSetView(
        anchor=anchor,
        date=date,
        title=title,
        message_rest=rest,
        sha=sha,
        added=kinds.count("added"),
        changed=kinds.count("changed"),
        removed=kinds.count("removed"),
        net=signed_money(net, summary) if changeset.funds else "",
        funds=[
            FundEffect(summary.fund_label(fund), signed_money(value, summary))
            for fund, value in changeset.funds.items()
        ],
        rows=rows,
    )


def changes_pages(
    history: History, cooperative: Cooperative, summary: Summary, finder: NameFinder
) -> dict[str, str]:
    """The Changes pages: path -> Markdown text. One page says why when there is no history."""
    if not history.available:
        page = ChangesPage(False, history.reason or "", 1, 1, [], [], None, None, 0)
        return {CHANGES_PAGE: render("changes.md.j2", page=page)}
    newest_first = list(reversed(history.changesets))
    shown, left_out = newest_first[:MAX_COMMITS], max(0, len(newest_first) - MAX_COMMITS)
    count = max(1, -(-len(shown) // COMMITS_PER_PAGE))
    links = [PageLink(n, changes_page_path(n), False) for n in range(1, count + 1)]
    files: dict[str, str] = {}
    for number in range(1, count + 1):
        chunk = shown[(number - 1) * COMMITS_PER_PAGE : number * COMMITS_PER_PAGE]
        page = ChangesPage(
            available=True,
            reason="",
            number=number,
            count=count,
            changesets=[changeset_view(c, cooperative, summary, finder) for c in chunk],
            pages=[PageLink(link.number, link.path, link.number == number) for link in links],
            newer=changes_page_path(number - 1) if number > 1 else None,
            older=changes_page_path(number + 1) if number < count else None,
            left_out=left_out if number == count else 0,
        )
        files[changes_page_path(number)] = render("changes.md.j2", page=page)
    return files
