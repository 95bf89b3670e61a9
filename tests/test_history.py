"""The history of the books (issue 5): real git repositories with fixed commit dates, no mocks.

Each test writes its books inline, commits them with `tests.gittools` (a fixed identity, fixed
dates), and asserts on what the publisher reads back: the changesets, the provenance of every
row of today's ledgers, the changelog (terminal and page), closed periods, and what happens in
a shallow clone or outside git.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative, load_cooperative
from publisher.history import read_history, row_provenance
from publisher.privacy import published_ledger
from publisher.problems import Severity, has_errors
from publisher.site.build import build_site
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.gittools import commit, fast_import, git, init_repo, shallow_clone, short

CLOSED = ACCOUNTS + "closed_through: 2025-12-31\n"
CLOSED_LINE = ACCOUNTS.count("\n") + 1  # closed_through is the last line of accounts.yml


def load(root):
    cooperative, problems = load_cooperative(root, today=TODAY)
    assert cooperative is not None, problems
    return cooperative


def provenance_of(root) -> dict[tuple[str, int], str | None]:
    """(path, line) of every row of today's ledgers -> short sha of its last change (None:
    not committed)."""
    cooperative = load(root)
    found = row_provenance(cooperative, cooperative.history())
    return {where: (c.short if c is not None else None) for where, c in found.items()}


def kinds(changeset) -> list[tuple[str, str]]:
    """(kind, description) of each change, sorted: the order inside one commit is not a promise."""
    return sorted((change.kind, change.row.get("description")) for change in changeset.changes)


def closed_problems(problems) -> set[tuple[str, int | None, str]]:
    return {p for p in codes_at(problems) if p[2].startswith(("closed-period", "history-"))}


def ledger(*rows: str) -> str:
    return LEDGER_HEADER + "".join(row + "\n" for row in rows)


# -- Rows added, changed and removed ---------------------------------------------------------------

R1 = "2026-01-05,Dues January,15.00,dues,,,,r1,"
R2 = "2026-01-06,Rent January,-400.00,rent,,,,r2,"
R2_MORE = "2026-01-06,Rent January,-420.00,rent,,,,r2,"
HAMMER = "2026-01-07,Hammer,-25.00,tools,commons,,,,"
HAMMER_MORE = "2026-01-07,Hammer,-27.50,tools,commons,,,,"
GRANT = "2026-02-01,Grant,1000.00,grants,commons,City Council,,r3,"


def three_commits(root):
    """Added (1), an amount changed and a row added (2), a row removed and a row without id
    edited (3). Returns the full shas."""
    init_repo(root)
    write_coop(root, {})
    first = commit(
        root, "Books of January", "2026-01-10", {"ledgers/2026.csv": ledger(R1, R2, HAMMER)}
    )
    second = commit(
        root,
        "Rent corrected, grant",
        "2026-02-10",
        {"ledgers/2026.csv": ledger(R1, R2_MORE, HAMMER, GRANT)},
    )
    third = commit(
        root,
        "Dues refunded, hammer price",
        "2026-03-10",
        {"ledgers/2026.csv": ledger(R2_MORE, HAMMER_MORE, GRANT)},
    )
    return first, second, third


def test_changesets_follow_the_commits_with_before_after_and_fund_effects(tmp_path):
    first, second, third = three_commits(tmp_path)
    history = load(tmp_path).history()
    assert history.available and history.reason is None
    assert [c.commit.sha for c in history.changesets] == [first, second, third]
    one, two, three = history.changesets
    assert one.commit.date == dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    assert one.commit.message == "Books of January"

    assert kinds(one) == [("added", "Dues January"), ("added", "Hammer"), ("added", "Rent January")]
    assert one.funds == {"general": 1500 - 40000, "commons": -2500}

    assert kinds(two) == [("added", "Grant"), ("changed", "Rent January")]
    changed = next(c for c in two.changes if c.kind == "changed")
    assert changed.before.get("amount") == "-400.00" and changed.after.get("amount") == "-420.00"
    assert changed.before.get("id") == changed.after.get("id") == "r2"
    assert changed.before.path == changed.after.path == "ledgers/2026.csv"
    assert two.funds == {"general": -2000, "commons": 100000}

    # A row without id has no identity but its content: an edit is a removal and an addition.
    assert kinds(three) == [("added", "Hammer"), ("removed", "Dues January"), ("removed", "Hammer")]
    hammers = {
        c.kind: c.row.get("amount") for c in three.changes if c.row.get("description") == "Hammer"
    }
    assert hammers == {"removed": "-25.00", "added": "-27.50"}
    assert three.funds == {"general": -1500, "commons": 2500 - 2750}


def test_each_row_of_todays_ledger_points_at_the_commit_that_last_changed_it(tmp_path):
    three_commits(tmp_path)
    second, third = short(tmp_path, "HEAD~1"), short(tmp_path, "HEAD")
    assert provenance_of(tmp_path) == {
        ("ledgers/2026.csv", 2): second,  # R2, amount changed in the second commit
        ("ledgers/2026.csv", 3): third,  # the hammer without id, edited in the third
        ("ledgers/2026.csv", 4): second,  # the grant, added in the second
    }


def test_a_row_moved_to_another_line_or_file_keeps_the_commit_that_wrote_it(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = short(
        tmp_path,
        commit(tmp_path, "January", "2026-01-10", {"ledgers/2026.csv": ledger(R1, R2, HAMMER)}),
    )
    new_row = "2026-02-03,Dues February,15.00,dues,,,,r4,"
    second = short(
        tmp_path,
        commit(
            tmp_path,
            "Reordered; rent to its own file; February dues",
            "2026-02-10",
            {"ledgers/2026.csv": ledger(HAMMER, new_row, R1), "ledgers/rent.csv": ledger(R2)},
        ),
    )
    history = load(tmp_path).history()
    assert [c.commit.short for c in history.changesets] == [first, second]
    assert kinds(history.changesets[1]) == [("added", "Dues February")]  # moves are no changes
    assert history.changesets[1].funds == {"general": 1500}
    assert provenance_of(tmp_path) == {
        ("ledgers/2026.csv", 2): first,
        ("ledgers/2026.csv", 3): second,
        ("ledgers/2026.csv", 4): first,
        ("ledgers/rent.csv", 2): first,
    }


def test_identical_rows_without_id_are_counted_as_copies(tmp_path):
    sandpaper = "2026-01-08,Sandpaper,-3.00,tools,,,,,"
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = short(
        tmp_path,
        commit(
            tmp_path, "Two packs", "2026-01-10", {"ledgers/2026.csv": ledger(sandpaper, sandpaper)}
        ),
    )
    history = load(tmp_path).history()
    assert kinds(history.changesets[0]) == [("added", "Sandpaper"), ("added", "Sandpaper")]
    assert history.changesets[0].funds == {"general": -600}

    second = short(
        tmp_path,
        commit(
            tmp_path,
            "A third pack",
            "2026-01-20",
            {"ledgers/2026.csv": ledger(sandpaper, sandpaper, sandpaper)},
        ),
    )
    history = load(tmp_path).history()
    assert kinds(history.changesets[1]) == [("added", "Sandpaper")]
    assert sorted(provenance_of(tmp_path).values()) == sorted([first, first, second])

    commit(
        tmp_path,
        "One pack was entered twice",
        "2026-01-30",
        {"ledgers/2026.csv": ledger(sandpaper, sandpaper)},
    )
    history = load(tmp_path).history()
    assert kinds(history.changesets[2]) == [("removed", "Sandpaper")]
    assert history.changesets[2].funds == {"general": 300}
    provenance = provenance_of(tmp_path)
    assert len(provenance) == 2 and set(provenance.values()) <= {first, second}


def test_uncommitted_changes_are_a_last_changeset_and_published_as_uncommitted(tmp_path):
    three_commits(tmp_path)
    second = short(tmp_path, "HEAD~1")
    # Edited, not committed: the rent again; and a new ledger file git does not track yet.
    (tmp_path / "ledgers/2026.csv").write_text(
        ledger(R2.replace("-400.00", "-430.00"), HAMMER_MORE, GRANT), encoding="utf-8"
    )
    (tmp_path / "ledgers/cash.csv").write_text(
        ledger("2026-03-12,Coffee fund,5.00,dues,,,,c1,"), encoding="utf-8"
    )
    cooperative = load(tmp_path)
    history = cooperative.history()
    last = history.changesets[-1]
    assert last.commit is None
    assert kinds(last) == [("added", "Coffee fund"), ("changed", "Rent January")]
    assert last.funds == {"general": -1000 + 500}

    published = published_ledger(cooperative, row_provenance(cooperative, history))
    rows = {
        r["id"] or r["description"]: (r["changed_in"], r["changed_on"])
        for _, r in published.iterrows()
    }
    assert rows == {
        "r2": ("uncommitted", ""),
        "c1": ("uncommitted", ""),
        "Hammer": (short(tmp_path), "2026-03-10"),
        "r3": (second, "2026-02-10"),
    }


# -- Multi-line cells: the diff of a part of a record ----------------------------------------------


def test_a_multi_line_cell_edited_on_its_second_line_is_read_from_the_whole_file(tmp_path):
    def books(second_line: str, note_line: str) -> str:
        return ledger(
            f'2026-01-09,"Paid for:\n{second_line}",-10.00,tools,,,,r5,',
            f'2026-01-10,Glue,-4.00,tools,,,,,"Bought at:\n{note_line}"',
            "2026-01-11,Dues,15.00,dues,,,,r6,",
        )

    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = short(
        tmp_path,
        commit(
            tmp_path, "January", "2026-01-12", {"ledgers/2026.csv": books("nails", "the market")}
        ),
    )
    second = short(
        tmp_path,
        commit(
            tmp_path,
            "Details",
            "2026-01-20",
            {"ledgers/2026.csv": books("screws", "the hardware shop")},
        ),
    )
    history = load(tmp_path).history()
    assert [c.commit.short for c in history.changesets] == [first, second]
    changes = history.changesets[1].changes
    assert kinds(history.changesets[1]) == [
        ("added", "Glue"),
        ("changed", "Paid for:\nscrews"),
        ("removed", "Glue"),
    ]
    changed = next(c for c in changes if c.kind == "changed")
    assert changed.before.get("description") == "Paid for:\nnails"
    assert changed.after.get("date") == "2026-01-09" and changed.after.get("amount") == "-10.00"
    glue = {c.kind: c.row.get("note") for c in changes if c.row.get("description") == "Glue"}
    assert glue == {"removed": "Bought at:\nthe market", "added": "Bought at:\nthe hardware shop"}
    assert history.changesets[1].funds == {}
    # The rows start on lines 2, 4 and 6 (each multi-line row takes two lines).
    assert provenance_of(tmp_path) == {
        ("ledgers/2026.csv", 2): second,
        ("ledgers/2026.csv", 4): second,
        ("ledgers/2026.csv", 6): first,
    }

    # The same, not committed yet: the working tree's file is read whole.
    (tmp_path / "ledgers/2026.csv").write_text(
        books("bolts", "the hardware shop"), encoding="utf-8"
    )
    history = load(tmp_path).history()
    assert history.changesets[-1].commit is None
    (changed,) = history.changesets[-1].changes
    assert (changed.kind, changed.before.get("description"), changed.after.get("description")) == (
        "changed",
        "Paid for:\nscrews",
        "Paid for:\nbolts",
    )


def test_a_multi_line_cell_whose_second_line_has_a_comma_is_still_understood(tmp_path):
    def books(items: str) -> str:
        return ledger(f'2025-05-05,"Paid for:\n{items}",-10.00,tools,,,,r5,')

    init_repo(tmp_path)
    write_coop(tmp_path, {}, CLOSED)
    commit(tmp_path, "2025, closed", "2026-01-10", {"ledgers/2025.csv": books("nails, screws")})
    commit(tmp_path, "Details", "2026-01-20", {"ledgers/2025.csv": books("nails, bolts")})
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    (changed,) = cooperative.history().changesets[-1].changes
    assert changed.before.get("date") == "2025-05-05"
    assert changed.after.get("description") == "Paid for:\nnails, bolts"
    assert closed_problems(problems) == {("ledgers/2025.csv", 2, "closed-period-changed")}


# -- The terminal changelog ------------------------------------------------------------------------


def test_publisher_history_prints_the_commits_newest_first(tmp_path):
    first, second, third = three_commits(tmp_path)
    result = CliRunner().invoke(main, ["history", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    titles = [
        f"{short(tmp_path, third)}  2026-03-10  Dues refunded, hammer price",
        f"{short(tmp_path, second)}  2026-02-10  Rent corrected, grant",
        f"{short(tmp_path, first)}  2026-01-10  Books of January",
    ]
    assert all(t in out for t in titles), out
    assert [out.index(t) for t in titles] == sorted(out.index(t) for t in titles)
    block = out[out.index(titles[1]) : out.index(titles[2])]
    assert (
        "  ~ 2026-01-06  Rent January  -400.00  rent  general\n"
        "    → 2026-01-06  Rent January  -420.00  rent  general" in block
    )
    assert "  + 2026-02-01  Grant  1000.00  grants  commons" in block
    assert "  funds: general -20.00, commons +1000.00" in block
    block = out[out.index(titles[0]) : out.index(titles[1])]
    assert "  - 2026-01-05  Dues January  15.00  dues  general" in block
    assert "  - 2026-01-07  Hammer  -25.00  tools  commons" in block
    assert "  + 2026-01-07  Hammer  -27.50  tools  commons" in block
    assert "funds: general -15.00, commons -2.50" in block


def test_publisher_history_outside_git_says_it_is_not_available(tmp_path):
    write_coop(tmp_path, {"ledgers/2026.csv": ledger(R1)})
    result = CliRunner().invoke(main, ["history", str(tmp_path)])
    assert result.exit_code == 0
    assert "history of the books is not available" in result.output
    assert "not in a git repository" in result.output


# -- Closed periods --------------------------------------------------------------------------------

A1 = "2025-03-01,Dues March,15.00,dues,,,,a1,"
A2 = "2025-06-01,Rent June,-400.00,rent,,,,a2,"
A3 = "2025-09-01,Drill,-120.00,tools,commons,,,a3,"
B1 = "2026-01-05,Dues January,15.00,dues,,,,b1,"
B2 = "2026-01-15,Rent January,-400.00,rent,,,,b2,"


def closed_books(root, close: dict[str, str] | None = None) -> None:
    """2025 and January 2026 committed, then 2025 closed in a third commit (with `close`, more
    files written by that same commit)."""
    init_repo(root)
    write_coop(root, {})
    commit(
        root,
        "Books of 2025",
        "2026-01-10",
        {"ledgers/2025.csv": ledger(A1, A2, A3), "ledgers/2026.csv": ledger(B1)},
    )
    commit(root, "January", "2026-01-20", {"ledgers/2026.csv": ledger(B1, B2)})
    commit(root, "Close 2025", "2026-02-15", {"ledgers/accounts.yml": CLOSED, **(close or {})})


def test_closed_books_unchanged_since_have_no_problem(tmp_path):
    closed_books(tmp_path)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    assert not has_errors(problems)


def test_an_edit_of_a_closed_row_is_caught_on_its_line_in_todays_file(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Fix rent",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A1, A2.replace("-400.00", "-410.00"), A3)},
    )
    fix = short(tmp_path)
    late = "2026-02-20,Late dues,15.00,dues,,,,b3,"  # an open-period row on top moves the rent down
    commit(
        tmp_path,
        "Late dues",
        "2026-03-05",
        {"ledgers/2025.csv": ledger(late, A1, A2.replace("-400.00", "-410.00"), A3)},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 4, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert found.severity is Severity.ERROR
    assert fix in found.message and "-400.00" in found.message and "-410.00" in found.message
    assert CliRunner().invoke(main, ["check", str(tmp_path)]).exit_code == 1


def test_an_edit_in_the_commit_that_closes_the_period_is_not_flagged(tmp_path):
    closed_books(
        tmp_path, close={"ledgers/2025.csv": ledger(A1, A2.replace("-400.00", "-410.00"), A3)}
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    assert kinds(cooperative.history().changesets[-1]) == [("changed", "Rent June")]


def test_deleting_a_closed_row_and_adding_one_to_the_closed_period_are_caught(tmp_path):
    closed_books(tmp_path)
    forgotten = "2025-12-31,Forgotten dues,15.00,dues,,,,a4,"  # on the closing day itself
    commit(
        tmp_path,
        "Tidy 2025",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A2, A3), "ledgers/2026.csv": ledger(B1, B2, forgotten)},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/2025.csv", None, "closed-period-changed"),  # deleted: no line today
        ("ledgers/2026.csv", 4, "closed-period-changed"),
    }


def test_an_uncommitted_edit_of_a_closed_row_is_caught(tmp_path):
    closed_books(tmp_path)
    (tmp_path / "ledgers/2025.csv").write_text(
        ledger(A1, A2, A3.replace("-120.00", "-99.00")), encoding="utf-8"
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 4, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert (
        "not yet committed" in found.message
        and "-120.00" in found.message
        and "-99.00" in found.message
    )


def test_a_closed_row_edited_into_an_unreadable_amount_is_quoted_as_written(tmp_path):
    # "-12O.00" (a letter O) must not be described as a row of 0.00: that is a wrong number.
    closed_books(tmp_path)
    (tmp_path / "ledgers/2025.csv").write_text(
        ledger(A1, A2, A3.replace("-120.00", "-12O.00")), encoding="utf-8"
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 4, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert "-12O.00" in found.message and " 0.00 " not in found.message


def test_one_ragged_row_does_not_make_every_closed_row_of_its_file_deleted(tmp_path):
    # A spreadsheet's unquoted comma in one row: that row cannot be read, the others still can.
    closed_books(tmp_path)
    ragged = A3.replace("Drill", "Drill, cordless")
    (tmp_path / "ledgers/2025.csv").write_text(ledger(A1, A2, ragged), encoding="utf-8")
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("ledgers/2025.csv", 4, "csv-ragged-row") in codes_at(problems)
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert "Drill" in found.message and "Rent June" not in found.message
    assert "ledgers/2025.csv line 4" in found.message  # the unreadable row, as a possible cause


def test_moving_closed_through_back_is_caught_and_the_earlier_closing_still_holds(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Reopen the autumn",
        "2026-03-01",
        {"ledgers/accounts.yml": ACCOUNTS + "closed_through: 2025-06-30\n"},
    )
    commit(
        tmp_path,
        "Drill price",
        "2026-03-02",
        {"ledgers/2025.csv": ledger(A1, A2, A3.replace("-120.00", "-130.00"))},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/accounts.yml", CLOSED_LINE, "closed-period-reopened"),
        ("ledgers/2025.csv", 4, "closed-period-changed"),  # dated after the new day, before the old
    }


def test_removing_closed_through_is_caught(tmp_path):
    closed_books(tmp_path)
    commit(tmp_path, "Open everything", "2026-03-01", {"ledgers/accounts.yml": ACCOUNTS})
    commit(
        tmp_path,
        "Drill price",
        "2026-03-02",
        {"ledgers/2025.csv": ledger(A1, A2, A3.replace("-120.00", "-130.00"))},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/accounts.yml", None, "closed-period-reopened"),
        ("ledgers/2025.csv", 4, "closed-period-changed"),
    }


def test_a_correction_as_a_new_row_in_an_open_period_is_fine(tmp_path):
    closed_books(tmp_path)
    correction = "2026-03-01,Correction of the June 2025 rent,-10.00,rent,,,,b3,"
    commit(
        tmp_path, "Correct the rent", "2026-03-01", {"ledgers/2026.csv": ledger(B1, B2, correction)}
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    assert not has_errors(problems)


def test_a_change_to_a_closed_row_later_reverted_is_no_error(tmp_path):
    closed_books(tmp_path)
    changed = ledger(A1, A2.replace("-400.00", "-410.00"), A3)
    commit(tmp_path, "Fix rent", "2026-03-01", {"ledgers/2025.csv": changed})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 3, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    # The advice gives the row as it was at closing, so that it can be followed.
    assert (
        "as it was at closing: 2025-06-01 \u201cRent June\u201d -400.00 rent/general id a2"
        in found.message
    )

    commit(tmp_path, "Undo the rent fix", "2026-03-02", {"ledgers/2025.csv": ledger(A1, A2, A3)})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    assert not has_errors(problems)


def test_restoring_a_closed_row_in_an_equivalent_form_is_no_error(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Fix rent",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A1, A2.replace("-400.00", "-410.00"), A3)},
    )
    # As the advice gives it: the default fund named, the amount without its zero cents.
    restored = A2.replace("-400.00", "-400").replace(",rent,,", ",rent,general,")
    commit(tmp_path, "Rent restored", "2026-03-02", {"ledgers/2025.csv": ledger(A1, restored, A3)})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()


def test_removing_a_backdated_row_as_advised_is_no_error(tmp_path):
    closed_books(tmp_path)
    forgotten = "2025-12-31,Forgotten dues,15.00,dues,,,,a4,"
    commit(tmp_path, "Forgotten", "2026-03-01", {"ledgers/2026.csv": ledger(B1, B2, forgotten)})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2026.csv", 4, "closed-period-changed")}
    late = "2026-03-01,Forgotten dues (of 31 December 2025),15.00,dues,,,,a4,"
    commit(tmp_path, "Dated in March", "2026-03-02", {"ledgers/2026.csv": ledger(B1, B2, late)})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()


def test_a_reverted_change_not_yet_committed_is_no_error(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Fix drill",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A1, A2, A3.replace("-120.00", "-99.00"))},
    )
    (tmp_path / "ledgers/2025.csv").write_text(ledger(A1, A2, A3), encoding="utf-8")
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()


def test_following_the_advice_restores_the_row_and_corrects_in_an_open_period(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Fix rent",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A1, A2.replace("-400.00", "-410.00"), A3)},
    )
    correction = "2026-03-02,Correction of the June 2025 rent,-10.00,rent,,,,b3,"
    commit(
        tmp_path,
        "Rent restored, corrected in March",
        "2026-03-02",
        {"ledgers/2025.csv": ledger(A1, A2, A3), "ledgers/2026.csv": ledger(B1, B2, correction)},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    assert not has_errors(problems)


def test_a_deleted_closed_row_names_the_row_to_put_back(tmp_path):
    closed_books(tmp_path)
    commit(tmp_path, "Tidy 2025", "2026-03-01", {"ledgers/2025.csv": ledger(A2, A3)})
    tidy = short(tmp_path)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", None, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert tidy in found.message and "2025-03-01 \u201cDues March\u201d 15.00" in found.message
    commit(
        tmp_path, "Put it back", "2026-03-02", {"ledgers/2025.csv": ledger(A2, A3, A1)}
    )  # order is free
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()


def test_a_row_without_id_edited_in_a_closed_period_is_one_change_on_its_line(tmp_path):
    hammer = "2025-04-01,Hammer,-25.00,tools,,,,,"
    init_repo(tmp_path)
    write_coop(tmp_path, {}, CLOSED)
    commit(tmp_path, "2025, closed", "2026-01-10", {"ledgers/2025.csv": ledger(A1, hammer)})
    commit(
        tmp_path,
        "Hammer price",
        "2026-01-20",
        {"ledgers/2025.csv": ledger(A1, hammer.replace("-25.00", "-27.50"))},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 3, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert (
        "-27.50" in found.message
        and "as it was at closing: 2025-04-01 \u201cHammer\u201d -25.00" in found.message
    )


def test_a_row_dated_out_of_the_closed_period_is_a_change_on_its_line(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Drill in 2026",
        "2026-03-01",
        {"ledgers/2025.csv": ledger(A1, A2, A3.replace("2025-09-01", "2026-01-02"))},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 4, "closed-period-changed")}


def test_a_row_changed_between_two_closings_is_held_to_the_first_closing(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {}, ACCOUNTS + "closed_through: 2025-06-30\n")
    commit(
        tmp_path, "Books, first half closed", "2026-01-10", {"ledgers/2025.csv": ledger(A1, A2, A3)}
    )
    first = short(tmp_path)
    commit(
        tmp_path,
        "Dues March",
        "2026-01-20",
        {"ledgers/2025.csv": ledger(A1.replace("15.00", "16.00"), A2, A3)},
    )
    commit(tmp_path, "Close 2025", "2026-02-15", {"ledgers/accounts.yml": CLOSED})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {("ledgers/2025.csv", 2, "closed-period-changed")}
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert f"set in commit {first}" in found.message


def test_closed_through_moved_back_and_restored_is_no_error(tmp_path):
    closed_books(tmp_path)
    commit(
        tmp_path,
        "Reopen",
        "2026-03-01",
        {"ledgers/accounts.yml": ACCOUNTS + "closed_through: 2025-06-30\n"},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/accounts.yml", CLOSED_LINE, "closed-period-reopened")
    }
    (found,) = [p for p in problems if p.code == "closed-period-reopened"]
    assert "set closed_through back to 2025-12-31" in found.message
    commit(tmp_path, "Close again", "2026-03-02", {"ledgers/accounts.yml": CLOSED})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()


# -- Shallow clones and books outside git ----------------------------------------------------------


def test_a_shallow_clone_with_closed_books_warns_how_to_fetch_the_history(tmp_path):
    closed_books(tmp_path / "origin")
    clone = shallow_clone(tmp_path / "origin", tmp_path / "clone")
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    _, problems = check_cooperative(clone, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/accounts.yml", CLOSED_LINE, "history-unavailable")
    }
    (found,) = [p for p in problems if p.code == "history-unavailable"]
    assert found.severity is Severity.WARNING and "--unshallow" in found.message
    result = CliRunner().invoke(main, ["check", str(clone)])
    assert result.exit_code == 0, result.output
    assert "history-unavailable" in result.output


def test_closed_books_outside_git_warn_that_the_history_is_unavailable(tmp_path):
    write_coop(tmp_path, {"ledgers/2025.csv": ledger(A1, A2, A3)}, CLOSED)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {
        ("ledgers/accounts.yml", CLOSED_LINE, "history-unavailable")
    }
    (found,) = [p for p in problems if p.code == "history-unavailable"]
    assert "not in a git repository" in found.message
    assert CliRunner().invoke(main, ["check", str(tmp_path)]).exit_code == 0


def test_open_books_outside_git_build_without_a_warning_and_say_the_history_is_missing(tmp_path):
    write_coop(tmp_path, {"ledgers/2026.csv": ledger(B1, B2), "content/index.md": "# Home\n"})
    result = build_site(tmp_path, today=TODAY)
    assert closed_problems(result.problems) == set()
    site = result.site_dir
    assert site is not None
    changes = (site / "finances/changes/index.html").read_text(encoding="utf-8")
    assert "The history of the books is not available here" in changes
    assert "not in a git repository" in changes
    rows = list(csv.DictReader(io.StringIO((site / "data/ledger.csv").read_text(encoding="utf-8"))))
    assert [(r["id"], r["changed_in"], r["changed_on"]) for r in rows] == [
        ("b1", "", ""),
        ("b2", "", ""),
    ]


# -- The site --------------------------------------------------------------------------------------

CHARTER = """\
---
title: Charter
rules:
  quorum: 0.5
  majority: simple
  spending_limit: 500
---

# Charter

We share tools.
"""


def test_the_site_publishes_provenance_the_changelog_and_page_dates_without_private_names(tmp_path):
    dues = "2026-01-05,Dues January,15.00,dues,,Maria Jensen,,r1,"
    rent = "2026-01-06,Rent January,-400.00,rent,,City Council,,r2,"
    paid = "2026-02-01,Dues paid by Maria Jensen,15.00,dues,,Maria Jensen,,r3,"
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = commit(
        tmp_path,
        "Start the books",
        "2026-01-10",
        {
            "ledgers/2026.csv": ledger(dues, rent),
            "content/index.md": "# Home\n",
            "content/charter.md": CHARTER,
        },
    )
    second = commit(
        tmp_path,
        "Dues from Maria Jensen, rent corrected",
        "2026-02-10",
        {
            "ledgers/2026.csv": ledger(dues, rent.replace("-400.00", "-420.00"), paid),
            "content/index.md": "# Home\n\nWelcome.\n",
        },
    )
    result = build_site(tmp_path, today=TODAY)
    site = result.site_dir
    assert site is not None, result.problems

    rows = list(csv.DictReader(io.StringIO((site / "data/ledger.csv").read_text(encoding="utf-8"))))
    assert [(r["id"], r["changed_in"], r["changed_on"]) for r in rows] == [
        ("r1", short(tmp_path, first), "2026-01-10"),
        ("r2", short(tmp_path, second), "2026-02-10"),
        ("r3", short(tmp_path, second), "2026-02-10"),
    ]

    changes = (site / "finances/changes/index.html").read_text(encoding="utf-8")
    assert second in changes and first in changes
    assert changes.index(second) < changes.index(first)  # newest first
    assert "2026-02-10: Dues from private, rent corrected" in changes
    assert "Dues paid by private" in changes
    assert "Maria" not in changes and "Jensen" not in changes
    # Funds by their label from accounts.yml, as everywhere readers see them; never the key.
    assert "effect on the funds: Day-to-day" in changes
    assert "<td>Day-to-day</td>" in changes and "<td>general</td>" not in changes

    charter = (site / "charter/index.html").read_text(encoding="utf-8")
    assert f"Last changed on 2026-01-10 in commit <code>{short(tmp_path, first)}</code>" in charter
    assert "history of this page" not in charter  # no remote: nowhere to browse the history
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Last changed on" not in home  # only the charter, minutes and stories are dated

    git(tmp_path, "remote", "add", "origin", "https://git.example.org/coop/books.git")
    site = build_site(tmp_path, today=TODAY).site_dir
    charter = (site / "charter/index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example.org/coop/books/commits/HEAD/content/charter.md"' in charter


def test_the_changelog_does_not_publish_the_private_name_of_a_deleted_row(tmp_path):
    refund = "2026-01-07,Refund to Jonas Weber,-15.00,dues,,Jonas Weber,,r9,"
    init_repo(tmp_path)
    write_coop(tmp_path, {"content/index.md": "# Home\n"})
    commit(tmp_path, "January", "2026-01-10", {"ledgers/2026.csv": ledger(R1, refund)})
    commit(tmp_path, "The refund was never paid", "2026-01-20", {"ledgers/2026.csv": ledger(R1)})
    site = build_site(tmp_path, today=TODAY).site_dir
    assert site is not None
    changes = (site / "finances/changes/index.html").read_text(encoding="utf-8")
    assert "Refund to private" in changes
    assert "Jonas" not in changes and "Weber" not in changes
    assert "Jonas" not in (site / "search/search_index.json").read_text(encoding="utf-8")


# -- Where the books sit in the repository, and how git is configured ------------------------------


def test_books_in_a_subdirectory_of_the_repository(tmp_path):
    init_repo(tmp_path)
    root = tmp_path / "workshop"
    write_coop(root, {})
    (tmp_path / "README.md").write_text("Our repository\n", encoding="utf-8")
    first = short(
        tmp_path,
        commit(tmp_path, "January", "2026-01-10", {"workshop/ledgers/2026.csv": ledger(R1, R2)}),
    )
    second = short(
        tmp_path,
        commit(tmp_path, "Rent", "2026-02-10", {"workshop/ledgers/2026.csv": ledger(R1, R2_MORE)}),
    )
    history = load(root).history()
    assert [c.commit.short for c in history.changesets] == [first, second]
    assert history.changesets[1].changes[0].after.path == "ledgers/2026.csv"
    assert provenance_of(root) == {("ledgers/2026.csv", 2): first, ("ledgers/2026.csv", 3): second}


def test_a_ledger_file_with_a_non_ascii_name_has_a_history(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = short(
        tmp_path, commit(tmp_path, "Café", "2026-01-10", {"ledgers/café.csv": ledger(R1)})
    )
    history = load(tmp_path).history()
    assert [c.commit.short for c in history.changesets] == [first]
    assert provenance_of(tmp_path) == {("ledgers/café.csv", 2): first}


ODD_NAMES = [
    "tab\there.csv",
    'a "quoted" name.csv',
    "back\\slash.csv",
    "new\nline.csv",
    "Çà et là, ünïcode.csv",
    'all\t"of\\ them\n é.csv',
]


def write_odd(root, name: str, content: str) -> str:
    """Write ledgers/<name>; skip the test where the file system refuses the name."""
    try:
        (root / "ledgers").mkdir(parents=True, exist_ok=True)
        (root / "ledgers" / name).write_text(content, encoding="utf-8", newline="")
    except OSError:
        pytest.skip(f"the file system refuses the name {name!r}")
    return "ledgers/" + name


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_backdated_row_in_a_file_with_any_name_is_caught(tmp_path, name):
    closed_books(tmp_path)
    path = write_odd(tmp_path, name, ledger(B1))
    commit(tmp_path, "Another ledger", "2026-03-01")
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == set()
    backdated = "2025-11-30,Forgotten dues,15.00,dues,,,,a9,"
    write_odd(tmp_path, name, ledger(B1, backdated))
    commit(tmp_path, "Backdated", "2026-03-02")
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert closed_problems(problems) == {(path, 3, "closed-period-changed")}


@pytest.mark.parametrize("name", ODD_NAMES)
def test_rows_of_a_file_with_any_name_have_their_commit(tmp_path, name):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    path = write_odd(tmp_path, name, ledger(R1))
    first = short(tmp_path, commit(tmp_path, "January", "2026-01-10"))
    write_odd(tmp_path, name, ledger(R1, R2))
    second = short(tmp_path, commit(tmp_path, "Rent", "2026-01-20"))
    write_odd(tmp_path, name, ledger(R1, R2, GRANT))  # not committed
    assert provenance_of(tmp_path) == {(path, 2): first, (path, 3): second, (path, 4): None}
    cooperative = load(tmp_path)
    published = published_ledger(cooperative, row_provenance(cooperative, cooperative.history()))
    assert dict(zip(published["id"], published["changed_in"])) == {
        "r1": first,
        "r2": second,
        "r3": "uncommitted",
    }


def test_a_commit_subject_holding_the_log_separators_does_not_split_the_history(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = short(
        tmp_path,
        commit(tmp_path, "January \x1e\x1f", "2026-01-10", {"ledgers/2026.csv": ledger(R1)}),
    )
    second = short(
        tmp_path, commit(tmp_path, "Rent \x1e", "2026-01-20", {"ledgers/2026.csv": ledger(R1, R2)})
    )
    history = load(tmp_path).history()
    assert [c.commit.message for c in history.changesets] == ["January \x1e\x1f", "Rent \x1e"]
    assert provenance_of(tmp_path) == {
        ("ledgers/2026.csv", 2): first,
        ("ledgers/2026.csv", 3): second,
    }


def test_the_history_does_not_depend_on_the_users_diff_prefix_setting(tmp_path):
    init_repo(tmp_path)
    git(tmp_path, "config", "diff.noprefix", "true")
    write_coop(tmp_path, {})
    first = short(
        tmp_path, commit(tmp_path, "January", "2026-01-10", {"ledgers/2026.csv": ledger(R1)})
    )
    assert provenance_of(tmp_path) == {("ledgers/2026.csv", 2): first}


# -- Many commits ----------------------------------------------------------------------------------


def test_three_hundred_commits_replay_and_every_row_gets_its_commit(tmp_path):
    """Not a timing: a long history made with fast-import, replayed, every row accounted for."""
    init_repo(tmp_path)
    rows: dict[str, str] = {}  # id -> the row as it stands
    last: dict[str, int] = {}  # id -> the commit that last changed it
    commits: list[tuple[str, dict[str, str]]] = []
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    for number in range(300):
        day = (start + dt.timedelta(days=number)).date().isoformat()
        for k in range(2):
            ident = f"n{number}-{k}"
            rows[ident] = f"{day},Dues {ident},{15 + k}.00,dues,,,,{ident},"
            last[ident] = number
        if number % 10 == 9:  # correct an older row
            ident = f"n{number - 9}-0"
            rows[ident] = rows[ident].replace(",15.00,", ",16.50,")
            last[ident] = number
        if number % 50 == 49:  # delete one
            ident = f"n{number - 20}-1"
            del rows[ident], last[ident]
        files = {"ledgers/2026.csv": ledger(*rows.values())}
        if number == 0:
            files["ledgers/accounts.yml"] = ACCOUNTS
        commits.append((f"Books of {day}", files))
    fast_import(tmp_path, commits, start)
    shas = git(tmp_path, "rev-list", "--reverse", "main").split()
    assert len(shas) == 300

    cooperative = load(tmp_path)
    history = read_history(cooperative)
    assert history.available and len(history.changesets) == 300
    assert sum(c.kind == "changed" for cs in history.changesets for c in cs.changes) == 30
    assert sum(c.kind == "removed" for cs in history.changesets for c in cs.changes) == 6
    provenance = row_provenance(cooperative, history)
    assert len(provenance) == len(rows)
    expected = {line: shas[last[ident]] for line, ident in enumerate(rows, start=2)}
    assert {line: c.sha for (_, line), c in provenance.items()} == expected


def test_a_closed_period_message_is_whole_in_the_language_of_lang(tmp_path):
    closed_books(tmp_path)
    closing = short(tmp_path)
    (tmp_path / "ledgers/2025.csv").write_text(
        ledger(A1, A2.replace("-400.00", "-410.00"), A3), encoding="utf-8"
    )
    env = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C"}
    spanish = CliRunner().invoke(main, ["--lang", "es", "check", str(tmp_path)], env=env)
    assert spanish.exit_code == 1, spanish.output
    assert (
        f"Las cuentas están cerradas hasta el 2025-12-31 (closed_through, puesto en el commit "
        f"{closing}), pero se cambió esta fila de ese periodo en cambios todavía sin commit"
    ) in spanish.output
    english = CliRunner().invoke(main, ["check", str(tmp_path)], env=env)
    assert (
        f"The books are closed through 2025-12-31 (closed_through, set in commit {closing}), "
        "but this row of that period was changed in changes not yet committed"
    ) in english.output
