"""One loader reads everything before the checks run: the files, the history of the books
(git), the place of closed_through; the checks then work on the frozen record alone."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from publisher.checks import run_checks
from publisher.cooperative import Cooperative, HistoryNotRead, check_cooperative, load_cooperative
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.gittools import commit, init_repo

CLOSED = ACCOUNTS + "closed_through: 2025-12-31\n"
CLOSED_LINE = ACCOUNTS.count("\n") + 1


def ledger(*rows: str) -> str:
    return LEDGER_HEADER + "".join(row + "\n" for row in rows)


def closed_books_changed_since(root):
    """Books closed through 2025, then a row of 2025 (paid to a private counterparty) changed
    in a later commit."""
    init_repo(root)
    write_coop(root, {}, CLOSED)
    commit(
        root,
        "2025, closed",
        "2026-01-10",
        {"ledgers/2025.csv": ledger("2025-05-05,Rent,-400.00,rent,,Jane Doe,,r1,")},
    )
    commit(
        root,
        "Rent",
        "2026-01-20",
        {"ledgers/2025.csv": ledger("2025-05-05,Rent,-450.00,rent,,Jane Doe,,r1,")},
    )


#: Pages with a problem for each check of content/: the pages', the stories' and the private
#: names' in pages.
PAGES = {
    "content/index.md": "# Home\n\n<script>alert(1)</script>\n",
    "content/about.md": "# About\n\nOur landlord is Jane Doe.\n",
    "content/stories/posts/spring.md": "---\ndate: 2026-03-06\ncategories: [a<b]\n---\n\nText.\n",
    "content/stories/.authors.yml": "authors:\n  board:\n    name: Board\n    url: 'javascript:1'\n",
}


def test_the_checks_read_nothing_once_the_books_are_loaded(tmp_path):
    closed_books_changed_since(tmp_path)
    write_coop(tmp_path, PAGES, accounts=None)
    cooperative, _loaded = load_cooperative(tmp_path, TODAY, history="if-closed")
    assert cooperative is not None
    # Without the repository, the books and the pages on disk, the checks find the same
    # problems: what they need (the history, closed_through's line, the pages) was read by the
    # loader.
    shutil.rmtree(tmp_path / ".git")
    shutil.rmtree(tmp_path / "ledgers")
    shutil.rmtree(tmp_path / "content")
    found = codes_at(run_checks(cooperative))
    assert ("ledgers/2025.csv", 2, "closed-period-changed") in found
    assert not any(code == "history-unavailable" for _, _, code in found)
    assert {
        ("content/index.md", 3, "page-active-content"),
        ("content/about.md", 3, "private-name-in-page"),
        ("content/stories/posts/spring.md", 3, "story-value-invalid"),
        ("content/stories/.authors.yml", 4, "story-value-invalid"),
    } <= found


def test_the_history_is_read_as_the_loader_is_told(tmp_path):
    closed_books_changed_since(tmp_path)
    always, _ = load_cooperative(tmp_path, TODAY)
    assert always is not None and always.history().available
    never, _ = load_cooperative(tmp_path, TODAY, history="never")
    assert never is not None and never.books_history is None and never.ever_closed
    with pytest.raises(HistoryNotRead):
        never.history()


def test_books_never_closed_are_checked_without_reading_their_history(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {}, ACCOUNTS)
    commit(
        tmp_path,
        "2025",
        "2026-01-10",
        {"ledgers/2025.csv": ledger("2025-05-05,Rent,-400.00,rent,,,,r1,")},
    )
    cooperative, problems = check_cooperative(tmp_path, TODAY, history="if-closed")
    assert cooperative is not None and not cooperative.ever_closed
    assert cooperative.books_history is None
    assert not any(
        code.startswith(("closed-period", "history-")) for _, _, code in codes_at(problems)
    )
    built, _ = check_cooperative(tmp_path, TODAY, history="always")
    assert built is not None and len(built.history().changesets) == 1


def test_closed_through_is_located_when_the_period_is_reopened(tmp_path):
    closed_books_changed_since(tmp_path)
    commit(tmp_path, "Reopen", "2026-01-25", {"ledgers/accounts.yml": ACCOUNTS})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert ("ledgers/accounts.yml", None, "closed-period-reopened") in codes_at(problems)
    cooperative, _ = load_cooperative(tmp_path, TODAY, history="never")
    assert cooperative is not None and cooperative.closed_through_line is None
    closed_again, _ = load_cooperative(write_coop(tmp_path, {}, CLOSED), TODAY, history="never")
    assert closed_again is not None and closed_again.closed_through_line == CLOSED_LINE


def test_the_record_holds_no_cache():
    """Every field of the record is data the loader filled; none is a mutable cache."""
    names = {field.name for field in dataclasses.fields(Cooperative)}
    assert not any(name.startswith("_") for name in names)
    assert Cooperative.__dataclass_params__.frozen


def test_a_page_that_is_a_link_is_not_read_through(tmp_path):
    """The loader keeps no record of a link under content/, so no check reads what it points
    to: the link is the one problem reported there."""
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n\n" + "[" * 200 + "\n\nJane Doe\n", encoding="utf-8")
    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2026.csv": ledger("2026-01-05,Rent,-400.00,rent,,Jane Doe,,,"),
            "content/index.md": "# Home\n",
        },
    )
    (root / "content" / "about.md").symlink_to(outside)
    cooperative, problems = check_cooperative(root, TODAY)
    assert cooperative is not None
    assert [file.path for file in cooperative.content] == ["content/index.md"]
    assert [(p.path, p.line, p.code) for p in problems if p.path.startswith("content/")] == [
        ("content/about.md", None, "file-symlink")
    ]
