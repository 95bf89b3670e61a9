"""`publisher diff`: real git repositories with known changes, figures computed by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.diff import diff_books, format_diff_markdown, format_diff_text, limit_bytes
from publisher.gitrepo import export_revision, valid_revision_name
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at
from tests.gittools import commit, git, init_repo

BASE_LEDGER = LEDGER_HEADER + (
    "2026-01-01,Opening balance,1000.00,opening,general,,,o1,\n"  # line 2
    "2026-01-05,Dues January,30.00,dues,,,,d1,\n"  # line 3
    "2026-02-01,Rent February,-400.00,rent,,,,r1,\n"  # line 4
    "2026-03-10,Grant for the workshop,500.00,grants,commons,City Council,,g1,\n"  # line 5
    "2026-04-31,Dues April,30.00,dues,,,,d4,\n"  # line 6: no 31 April (date-impossible)
)
HEAD_LEDGER = (
    LEDGER_HEADER
    + (
        "2026-01-01,Opening balance,1000.00,opening,general,,,o1,\n"  # line 2: unchanged
        "2026-01-05,Dues January,45.00,dues,,,,d1,\n"  # line 3: amount changed
        "2026-03-10,Grant for the workshop,500.00,grants,commons,City Council,,g1,\n"  # line 4: unchanged (r1 removed)
        "2026-04-30,Dues April,30.00,dues,,,,d4,\n"  # line 5: date corrected (problem fixed)
        "2026-05-01,Dues May,30.00,dues,,,,d5,\n"  # line 6: added
        "2026-05-02,Snacks for the open day,-12.50,snacks,,,,s1,\n"  # line 7: added, unknown category
    )
)


def books_repo(root: Path) -> tuple[Path, str, str]:
    """A repository with the base books, then a commit with the head books: (root, base, head)."""
    init_repo(root)
    base = commit(
        root,
        "Books of 2026",
        "2026-06-01",
        {"ledgers/accounts.yml": ACCOUNTS, "ledgers/2026.csv": BASE_LEDGER},
    )
    head = commit(root, "Corrections", "2026-06-02", {"ledgers/2026.csv": HEAD_LEDGER})
    return root, base, head


def by_id(diff, kind: str) -> dict[str, object]:
    return {item.change.row.get("id"): item for item in diff.rows if item.kind == kind}


def test_rows_money_funds_and_problems_between_two_revisions(tmp_path):
    root, base, _head = books_repo(tmp_path / "coop")
    diff = diff_books(root, base, "HEAD", today=TODAY)

    added, changed, removed = by_id(diff, "added"), by_id(diff, "changed"), by_id(diff, "removed")
    assert set(added) == {"d5", "s1"} and set(changed) == {"d1", "d4"} and set(removed) == {"r1"}
    assert (added["d5"].after_line, added["s1"].after_line) == (6, 7)
    assert (changed["d1"].before_line, changed["d1"].after_line) == (3, 3)
    assert changed["d1"].changed_columns() == ["amount"]
    assert changed["d4"].changed_columns() == ["date"]
    assert removed["r1"].before_line == 4

    # Base figures count rows 2-5 (the 31 April row cannot be read): general 1000 + 30 - 400,
    # commons 500. Head: general 1000 + 45 + 30 + 30 - 12.50, commons 500.
    funds = {name: (m.before, m.after, m.change) for name, m in diff.funds}
    assert funds == {"general": (63000, 109250, 46250), "commons": (50000, 50000, 0)}
    (year,) = diff.years
    assert year.year == 2026
    assert (year.income.before, year.income.after) == (
        53000,
        60500,
    )  # dues 30 + grant 500 -> dues 105 + grant 500
    assert (year.expense.before, year.expense.after) == (
        40000,
        0,
    )  # the rent row is gone; snacks has no kind
    categories = {
        c.category: (c.total.before, c.total.after, c.total.change) for c in year.categories
    }
    assert categories == {"dues": (3000, 10500, 7500), "rent": (40000, None, -40000)}  # spent

    assert codes_at(diff.introduced) == {("ledgers/2026.csv", 7, "category-unknown")}
    assert codes_at(diff.fixed) == {("ledgers/2026.csv", 6, "date-impossible")}
    assert (diff.base.errors, diff.head.errors) == (1, 1)
    assert any("left out of the figures" in note for note in diff.notes)


def test_the_working_tree_is_the_default_head_and_the_text_report(tmp_path):
    root = init_repo(tmp_path / "coop")
    commit(
        root,
        "Books of 2026",
        "2026-06-01",
        {"ledgers/accounts.yml": ACCOUNTS, "ledgers/2026.csv": BASE_LEDGER},
    )
    (root / "ledgers/2026.csv").write_text(HEAD_LEDGER, encoding="utf-8")  # not committed

    result = CliRunner().invoke(main, ["diff", "HEAD", str(root)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "to the working tree (EUR)" in text
    assert "Rows: 2 added, 2 changed, 1 removed. Problems: 1 introduced, 1 fixed" in text
    assert "general  630.00 -> 1092.50  (+462.50)" in text
    assert "commons  500.00 -> 500.00\n" in text
    assert "dues (income): 30.00 -> 105.00 (+75.00)" in text
    assert (
        "+ ledgers/2026.csv:7  2026-05-02 \u201cSnacks for the open day\u201d -12.50 snacks/(default fund) id s1"
        in text
    )
    assert (
        "- ledgers/2026.csv:4  2026-02-01 \u201cRent February\u201d -400.00 rent/(default fund) id r1"
        in text
    )
    assert "~ ledgers/2026.csv:3  changed: amount" in text
    assert "ledgers/2026.csv:7:43: error: [category-unknown]" in text


def test_nothing_changed(tmp_path):
    root, _base, _ = books_repo(tmp_path / "coop")
    result = CliRunner().invoke(main, ["diff", "HEAD", "HEAD", str(root)])
    assert result.exit_code == 0
    assert "No change to the books." in result.output
    assert "Rows: no row changed. Problems: 0 introduced, 0 fixed" in result.output


def test_markdown_report_escapes_what_the_books_say(tmp_path):
    root, base, _ = books_repo(tmp_path / "coop")
    hostile = (
        HEAD_LEDGER
        + '2026-05-03,"<script>alert(1)</script> | *bold* [x](y) `code`",5.00,dues,,,,h1,\n'
    )
    (root / "ledgers/2026.csv").write_text(hostile, encoding="utf-8")
    report = format_diff_markdown(diff_books(root, base, today=TODAY))

    assert "| general | 630.00 | 1097.50 | +467.50 |" in report
    assert "| 2026 | dues (income) | 30.00 | 110.00 | +80.00 |" in report  # no label in ACCOUNTS
    assert "<script>" not in report and "&lt;script&gt;" in report
    (line,) = [row for row in report.splitlines() if "alert" in row]
    assert (
        len(re.split(r"(?<!\\)\|", line)) == 8 + 2
    )  # eight cells: the pipe in the text is escaped
    assert "\\*bold\\*" in report and "\\[x\\](y)" in report and "\\`code\\`" in report
    assert "### Problems introduced (1)" in report and "**category-unknown**" in report
    assert "<details><summary>All problems in the working tree" in report and "</details>" in report


def test_max_bytes_cuts_at_a_line_with_a_note(tmp_path):
    root = init_repo(tmp_path / "coop")
    commit(
        root,
        "Books",
        "2026-06-01",
        {"ledgers/accounts.yml": ACCOUNTS, "ledgers/2026.csv": LEDGER_HEADER},
    )
    rows = "".join(
        f"2026-0{1 + i % 9}-1{i % 10},Cotisation réglée — été {i},10.00,dues,,,,n{i},\n"
        for i in range(400)
    )
    (root / "ledgers/2026.csv").write_text(LEDGER_HEADER + rows, encoding="utf-8")

    for output_format in ("markdown", "text"):
        result = CliRunner().invoke(
            main, ["diff", "HEAD", str(root), "--format", output_format, "--max-bytes", "5000"]
        )
        assert result.exit_code == 0, result.output
        data = result.stdout_bytes
        assert len(data) <= 5000
        assert "Cut here: the full report takes" in data.decode("utf-8")  # and it is valid UTF-8
        assert (
            "| general | 0.00 | 4000.00 | +4000.00 |" in result.output
            or "general  0.00 -> 4000.00" in result.output
        )
    assert limit_bytes("short\n", 5000) == "short\n"
    cut = limit_bytes("<details>\n" + "x\n" * 3000, 2000, markdown=True)
    assert cut.count("</details>") == 1 and len(cut.encode()) <= 2000


@pytest.mark.parametrize(
    "revision",
    [
        "-x",
        "--output=owned.txt",
        "HEAD..main",
        "main...HEAD",
        "HEAD:ledgers",
        "a b",
        "",
        "nope",
        "-",
        "main\n",
    ],
)
def test_revisions_that_are_not_valid_are_refused_with_exit_2(tmp_path, revision):
    root, _, _ = books_repo(tmp_path / "coop")
    for args in (
        ["diff", "--", revision, "HEAD", str(root)],
        ["diff", "HEAD", "--", revision, str(root)],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit)  # a message, never a traceback
        assert "publisher: cannot diff:" in result.output
    assert not (root / "owned.txt").exists() and not (Path.cwd() / "owned.txt").exists()


def test_an_option_in_place_of_a_revision_is_a_usage_error(tmp_path):
    root, _, _ = books_repo(tmp_path / "coop")
    result = CliRunner().invoke(main, ["diff", "--output=x", str(root)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)


def test_outside_a_repository_exit_2(tmp_path):
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers/accounts.yml").write_text(ACCOUNTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "HEAD", str(tmp_path)])
    assert result.exit_code == 2
    assert "not in a git repository" in result.output


def test_valid_revision_names():
    for name in (
        "main",
        "HEAD",
        "HEAD^1",
        "HEAD~2",
        "origin/main",
        "v1.0",
        "main@{1}",
        "a" * 40,
        "feature/x-y_z",
    ):
        assert valid_revision_name(name), name
    for name in ("-x", "--all", "a..b", "a b", "a:b", "", "main.", "x.lock", "main/", "a\tb", "é"):
        assert not valid_revision_name(name), name


def test_a_change_inside_a_closed_period_is_introduced(tmp_path):
    root = init_repo(tmp_path / "coop")
    closed = ACCOUNTS + "closed_through: 2026-02-28\n"
    base = commit(
        root,
        "Books",
        "2026-06-01",
        {"ledgers/accounts.yml": closed, "ledgers/2026.csv": BASE_LEDGER},
    )
    commit(
        root,
        "Edit January",
        "2026-06-02",
        {"ledgers/2026.csv": BASE_LEDGER.replace("30.00,dues,,,,d1", "35.00,dues,,,,d1")},
    )
    diff = diff_books(root, base, "HEAD", today=TODAY)
    assert codes_at(diff.introduced) == {("ledgers/2026.csv", 3, "closed-period-changed")}
    assert not diff.fixed

    commit(root, "Reopen", "2026-06-03", {"ledgers/accounts.yml": ACCOUNTS})
    diff = diff_books(root, base, "HEAD", today=TODAY)
    assert ("ledgers/accounts.yml", None, "closed-period-reopened") in codes_at(diff.introduced)


def test_a_base_without_books_counts_as_empty(tmp_path):
    root = init_repo(tmp_path / "coop")
    base = commit(root, "Start", "2026-06-01", {"README.md": "Our cooperative\n"})
    commit(
        root,
        "Books",
        "2026-06-02",
        {"ledgers/accounts.yml": ACCOUNTS, "ledgers/2026.csv": HEAD_LEDGER},
    )
    diff = diff_books(root, base, "HEAD", today=TODAY)
    assert diff.count("added") == 6 and not diff.count("removed")
    assert {n: m.before for n, m in diff.funds} == {"general": None, "commons": None}
    assert any("no ledgers/accounts.yml" in note for note in diff.notes)
    result = CliRunner().invoke(main, ["diff", base, base, str(root)])
    assert result.exit_code == 2 and "no cooperative at either revision" in result.output


def test_a_cooperative_in_a_subdirectory_and_links_are_not_followed(tmp_path):
    root = init_repo(tmp_path / "repo")
    coop = "books/"
    base = commit(
        root,
        "Books",
        "2026-06-01",
        {coop + "ledgers/accounts.yml": ACCOUNTS, coop + "ledgers/2026.csv": BASE_LEDGER},
    )
    (root / "secret.txt").write_text(
        "date,description,amount,category\n2026-01-01,secret,1,dues\n", encoding="utf-8"
    )
    os.symlink("../../secret.txt", root / coop / "ledgers/link.csv")
    commit(root, "Head", "2026-06-02", {coop + "ledgers/2026.csv": HEAD_LEDGER})
    target = tmp_path / "export"
    export_revision(root / "books", "HEAD", target)
    assert sorted(p.name for p in (target / "ledgers").iterdir()) == ["2026.csv", "accounts.yml"]
    diff = diff_books(root / "books", base, "HEAD", today=TODAY)
    assert diff.count("added") == 2 and diff.count("changed") == 2
    assert git(root, "status", "--porcelain") == ""  # reading revisions changes nothing


def test_text_and_markdown_render_the_same_diff(tmp_path):
    root, base, head = books_repo(tmp_path / "coop")
    diff = diff_books(root, base, head, today=TODAY)
    assert diff.head.label == head[:7] and diff.base.label == base[:7]
    text, markdown = format_diff_text(diff), format_diff_markdown(diff)
    for figure in ("630.00", "1092.50", "+462.50", "+75.00"):
        assert figure in text and figure in markdown


# -- Rows without id, balances, budgets, accounts.yml, one sign convention (issue 11.9) --------

HAMMER = "2026-01-07,Hammer,-25.00,tools,commons,,,,"
NAILS = "2026-01-08,Nails,-4.00,tools,,,,,"
SAW = "2026-01-09,Saw,-30.00,tools,,,,,"


def two_commits(
    root: Path, base_files: dict[str, str], head_files: dict[str, str]
) -> tuple[str, str]:
    init_repo(root)
    base = commit(root, "Base", "2026-06-01", {"ledgers/accounts.yml": ACCOUNTS, **base_files})
    head = commit(root, "Head", "2026-06-02", head_files)
    return base, head


def test_a_row_without_id_edited_in_place_is_changed_not_removed_and_added(tmp_path):
    root = tmp_path / "coop"
    before = f"{LEDGER_HEADER}{HAMMER}\n{NAILS}\n{SAW}\n"
    late = "2026-01-10,Glue,-3.00,tools,,,,,"
    after = (
        LEDGER_HEADER
        + "\n".join(
            [late, HAMMER.replace("-25.00", "-27.50"), NAILS, SAW.replace("Saw", "Hand saw")]
        )
        + "\n"
    )
    base, head = two_commits(root, {"ledgers/2026.csv": before}, {"ledgers/2026.csv": after})
    diff = diff_books(root, base, head, today=TODAY)
    changes = {
        (item.kind, item.before_line, item.after_line, tuple(item.changed_columns()))
        for item in diff.rows
    }
    assert changes == {
        ("added", None, 2, ()),
        ("changed", 2, 3, ("amount",)),
        ("changed", 4, 5, ("description",)),
    }
    text = format_diff_text(diff)
    assert "~ ledgers/2026.csv:3  changed: amount" in text
    assert "      before: 2026-01-07 \u201cHammer\u201d -25.00 tools/commons" in text
    assert "      after:  2026-01-07 \u201cHammer\u201d -27.50 tools/commons" in text
    assert "Rows: 1 added, 2 changed, 0 removed." in text


def test_a_row_without_id_moved_to_another_file_is_no_change(tmp_path):
    root = tmp_path / "coop"
    base, head = two_commits(
        root,
        {"ledgers/2026.csv": LEDGER_HEADER + HAMMER + "\n" + NAILS + "\n"},
        {
            "ledgers/2026.csv": LEDGER_HEADER + NAILS + "\n",
            "ledgers/tools.csv": LEDGER_HEADER + HAMMER + "\n",
        },
    )
    assert diff_books(root, base, head, today=TODAY).rows == ()


def test_balances_budgets_and_accounts_changes_are_listed(tmp_path):
    root = tmp_path / "coop"
    ledger = LEDGER_HEADER + "2026-01-01,Opening balance,100.00,opening,general,,,o1,\n"
    balances = "date,fund,balance\n2026-01-31,general,100.00\n2026-02-28,general,100.00\n"
    budget = "year,category,amount,fund,decision\n2026,rent,4800.00,,\n2026,dues,500.00,,\n"
    new_accounts = (
        ACCOUNTS.replace("  tools: {kind: expense, capital: true}\n", "")
        .replace(
            "  rent: {kind: expense}\n",
            "  rent: {kind: expense, label: Rent of the workshop}\n  snacks: {kind: expense}\n",
        )
        .replace("  - City Council\n", "  - City Council\n  - Jane Doe\n")
        + "closed_through: 2025-12-31\n"
    )
    base, head = two_commits(
        root,
        {
            "ledgers/2026.csv": ledger,
            "ledgers/balances.csv": balances,
            "ledgers/budget.csv": budget,
        },
        {
            "ledgers/accounts.yml": new_accounts,
            "ledgers/balances.csv": "date,fund,balance\n2026-02-28,general,100.00\n2026-01-31,general,90.00\n2026-03-31,general,100.00\n",
            "ledgers/budget.csv": "year,category,amount,fund,decision\n2026,rent,5000.00,,\n2026,snacks,50.00,,\n",
        },
    )
    diff = diff_books(root, base, head, today=TODAY)
    lines = {(c.file, c.kind, c.key, c.after_where or c.before_where) for c in diff.lines}
    assert lines == {
        (
            "balances",
            "changed",
            (("date", "2026-01-31"), ("fund", "general")),
            "ledgers/balances.csv:3",
        ),
        (
            "balances",
            "added",
            (("date", "2026-03-31"), ("fund", "general")),
            "ledgers/balances.csv:4",
        ),
        (
            "budget",
            "changed",
            (("year", "2026"), ("category", "rent"), ("fund", "")),
            "ledgers/budget.csv:2",
        ),
        (
            "budget",
            "added",
            (("year", "2026"), ("category", "snacks"), ("fund", "")),
            "ledgers/budget.csv:3",
        ),
        (
            "budget",
            "removed",
            (("year", "2026"), ("category", "dues"), ("fund", "")),
            "ledgers/budget.csv:3",
        ),
    }
    settings = {(c.kind, c.key, c.before, c.after) for c in diff.settings}
    assert settings == {
        ("category-added", "snacks", None, "expense"),
        ("category-removed", "tools", "expense, capital", None),
        ("category-changed", "rent", "expense", "expense, label \u201cRent of the workshop\u201d"),
        ("counterparty-public", "Jane Doe", None, "Jane Doe"),
        ("closed-through", "closed_through", None, "2025-12-31"),
    }
    text = format_diff_text(diff)
    assert (
        "  ~ ledgers/balances.csv:3  changed: 2026-01-31 general: balance 100.00 -> 90.00" in text
    )
    assert "  - ledgers/budget.csv:3  removed: 2026 dues (default fund): amount 500.00" in text
    assert "  ! privacy: Jane Doe is now a public counterparty" in text
    assert "  * closed_through set to 2025-12-31" in text
    markdown = format_diff_markdown(diff)
    assert "> **Privacy:** Jane Doe is now a public counterparty" in markdown
    assert (
        "| changed | ledgers/balances.csv:3 | 2026-01-31 general: balance 100.00 -&gt; 90.00 |"
        in markdown
    )
    assert "No change to the books." not in text


def test_expenses_are_amounts_spent_everywhere_in_the_report(tmp_path):
    root = tmp_path / "coop"
    base, head = two_commits(
        root,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-02-01,Rent February,-400.00,rent,,,,r1,\n",
            "ledgers/budget.csv": "year,category,amount,fund,decision\n2026,rent,4800.00,,\n",
        },
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-02-01,Rent February,-450.00,rent,,,,r1,\n",
            "ledgers/budget.csv": "year,category,amount,fund,decision\n2026,rent,5000.00,,\n",
        },
    )
    diff = diff_books(root, base, head, today=TODAY)
    (year,) = diff.years
    (rent,) = year.categories
    assert (year.expense.before, year.expense.after) == (40000, 45000)
    assert (rent.total.before, rent.total.after, rent.total.change) == (40000, 45000, 5000)
    text = format_diff_text(diff)
    assert "expense 400.00 -> 450.00 (+50.00)" in text
    assert "rent (expense): 400.00 -> 450.00 (+50.00)" in text
    assert "budget rent: 4800.00 -> 5000.00" in text
    assert "Amounts: Income is money received and expense is money spent, both as positive" in text
    markdown = format_diff_markdown(diff)
    assert "| 2026 | **Expense** | 400.00 | 450.00 | +50.00 |" in markdown
    assert "| 2026 | rent (expense) | 400.00 | 450.00 | +50.00 |" in markdown
    assert "money spent, both as positive amounts" in markdown
    assert "(expense) | -400.00" not in markdown and "(expense): -400.00" not in text


@pytest.mark.parametrize(
    "name", ["tab\there.csv", 'a "quoted"\\name.csv', "new\nline.csv", "Çà et là.csv"]
)
def test_rows_of_a_file_with_any_name_are_diffed(tmp_path, name):
    root = tmp_path / "coop"
    try:
        base, head = two_commits(
            root,
            {"ledgers/" + name: LEDGER_HEADER + HAMMER + "\n"},
            {"ledgers/" + name: LEDGER_HEADER + HAMMER.replace("-25.00", "-26.00") + "\n"},
        )
    except OSError:
        pytest.skip(f"the file system refuses the name {name!r}")
    diff = diff_books(root, base, head, today=TODAY)
    assert [(item.kind, item.change.row.path, item.after_line) for item in diff.rows] == [
        ("changed", "ledgers/" + name, 2)
    ]


def test_restoring_a_closed_row_is_a_fix_not_a_change_to_the_closed_period(tmp_path):
    root = init_repo(tmp_path / "coop")
    closed = ACCOUNTS + "closed_through: 2026-02-28\n"
    commit(
        root,
        "Books",
        "2026-06-01",
        {"ledgers/accounts.yml": closed, "ledgers/2026.csv": BASE_LEDGER},
    )
    edited = BASE_LEDGER.replace("30.00,dues,,,,d1", "35.00,dues,,,,d1")
    base = commit(root, "Edit January", "2026-06-02", {"ledgers/2026.csv": edited})
    head = commit(root, "Restore January", "2026-06-03", {"ledgers/2026.csv": BASE_LEDGER})
    diff = diff_books(root, base, head, today=TODAY)
    assert not {p for p in codes_at(diff.introduced) if p[2].startswith("closed-period")}
    assert codes_at(diff.fixed) >= {("ledgers/2026.csv", 3, "closed-period-changed")}
    assert diff.base.errors == diff.head.errors + 1


def test_without_the_history_the_change_is_held_against_the_base(tmp_path):
    origin = init_repo(tmp_path / "origin")
    closed = ACCOUNTS + "closed_through: 2026-02-28\n"
    commit(
        origin,
        "Books",
        "2026-06-01",
        {"ledgers/accounts.yml": closed, "ledgers/2026.csv": BASE_LEDGER},
    )
    commit(
        origin,
        "More",
        "2026-06-02",
        {"ledgers/2026.csv": BASE_LEDGER + "2026-05-01,Dues May,30.00,dues,,,,d5,\n"},
    )
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", origin.resolve().as_uri(), str(clone))
    (clone / "ledgers/2026.csv").write_text(
        BASE_LEDGER.replace("30.00,dues,,,,d1", "35.00,dues,,,,d1"), encoding="utf-8"
    )
    diff = diff_books(clone, "HEAD", today=TODAY)
    assert ("ledgers/2026.csv", 3, "closed-period-changed") in codes_at(diff.introduced)
    assert any("could not be read" in note for note in diff.notes)
