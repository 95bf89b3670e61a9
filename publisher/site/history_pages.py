"""The changelog of the books as a page: newest first, privacy applied."""

from __future__ import annotations

from publisher.cooperative import Cooperative
from publisher.history import History, Row, amount_of, fund_of
from publisher.money import format_minor
from publisher.privacy import NameFinder
from publisher.site.html import esc

CHANGES_PAGE = "finances/changes.md"
#: The page lists this many commits; the rest stays in git (a page of megabytes helps nobody).
PAGE_COMMITS = 200


def changes_page(history: History, cooperative: Cooperative, finder: NameFinder) -> str:
    parts = [
        "# Changes to the books\n\n",
        "<p>Every change to the ledgers, newest first: which commit made it and when, the rows it "
        "added, changed (before and after) and removed, and what it did to each fund. Nothing in "
        "the books changes without leaving a trace here.</p>\n\n",
    ]
    if not history.available:
        parts.append(f"<p>The history of the books is not available here: {esc(history.reason)}.</p>\n")
        return "".join(parts)
    accounts = cooperative.accounts
    units = accounts.minor_units

    def cells(row: Row) -> str:
        description = finder.redact_text(row.get("description"))
        return (
            f"<td><time>{esc(row.get('date'))}</time></td><td>{esc(description)}</td>"
            f'<td class="publisher-amount">{esc(format_minor(amount_of(row, accounts), units))}</td>'
            f"<td>{esc(row.get('category'))}</td><td>{esc(fund_of(row, accounts))}</td>"
        )

    shown = list(reversed(history.changesets))
    for changeset in shown[:PAGE_COMMITS]:
        commit = changeset.commit
        if commit is None:
            title = "Not committed yet"
            meta = "These changes are in the working copy, not yet in a commit."
        else:
            title = f"{commit.date:%Y-%m-%d}: {finder.redact_text(commit.message) or 'no message'}"
            meta = f"Commit {commit.sha}"
        rows = ""
        for change in changeset.changes:
            if change.kind == "changed":
                rows += f'<tr class="publisher-change--before"><td>changed, before</td>{cells(change.before)}</tr>'
                rows += f'<tr class="publisher-change--after"><td>after</td>{cells(change.after)}</tr>'
            else:
                rows += f"<tr><td>{esc(change.kind)}</td>{cells(change.row)}</tr>"
        effect = ", ".join(
            f"{esc(fund)} {'+' if value > 0 else ''}{esc(format_minor(value, units))}" for fund, value in changeset.funds.items()
        )
        parts.append(
            f'<div class="publisher-changeset"><h2>{esc(title)}</h2><p><code>{esc(meta)}</code> · effect on the funds: '
            f"{effect or 'none'}</p>"
            '<table><thead><tr><th></th><th>Date</th><th>Description</th><th class="publisher-amount">Amount</th>'
            f"<th>Category</th><th>Fund</th></tr></thead><tbody>{rows}</tbody></table></div>\n\n"
        )
    if len(shown) > PAGE_COMMITS:
        parts.append(
            f"<p>{len(shown) - PAGE_COMMITS} older commits are not listed here; the repository's own "
            "history holds them all.</p>\n"
        )
    if not shown:
        parts.append("<p>No commit has changed the books yet.</p>\n")
    return "".join(parts)
