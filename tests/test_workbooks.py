"""Books kept in workbooks (.ods, .xlsx) in ledgers/ (issue 14, item 3).

Workbooks are written inline with openpyxl (tests/workbooktools.py), or saved by LibreOffice
Calc: the fixtures in tests/fixtures/workbooks/ were, and the tests marked `needs_soffice` save
new ones. Git histories are real temporary repositories with fixed dates.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative, load_cooperative
from publisher.diff import diff_books, format_diff_text
from publisher.problems import Severity, format_github, format_json, format_text
from publisher.workbook import cell_text
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.gittools import commit, git, init_repo
from tests.workbooktools import FIXTURES, HEADER, needs_soffice, soffice_convert, xlsx

W = "ledgers/2026.xlsx"
D = dt.date


def check(root: Path):
    _, problems = check_cooperative(root, today=TODAY)
    return problems


def books(tmp_path: Path, files: dict[str, bytes | str], accounts: str = ACCOUNTS):
    write_coop(tmp_path, files, accounts)
    return check(tmp_path)


# -- Typed cells -------------------------------------------------------------------------------


def test_typed_cells_are_read_exactly_in_minor_units(tmp_path):
    rows = [
        [D(2026, 1, 1), "Opening", 1000, "opening"],
        [D(2026, 1, 5), "Dues", 12.5, "dues"],
        [dt.datetime(2026, 1, 6), "Rent", -400.0, "rent"],
        ["2026-01-07", "Text date, as CSV", 0.1, "dues"],
        [D(2026, 1, 8), "Cents", 1234.56, "dues"],
    ]
    problems = books(tmp_path, {W: xlsx(rows)})
    assert codes_at(problems) == set()
    cooperative, _ = load_cooperative(tmp_path, today=TODAY)
    ledger = cooperative.ledger
    assert ledger["amount"].tolist() == [100000, 1250, -40000, 10, 123456]
    assert ledger["line"].tolist() == [2, 3, 4, 5, 6]
    assert [d.date() for d in ledger["date"]] == [D(2026, 1, d) for d in (1, 5, 6, 7, 8)]


def test_cell_text_goes_through_the_shortest_round_trip_never_float_arithmetic():
    assert cell_text(0.1) == "0.1"
    assert cell_text(0.30000000000000004) == "0.30000000000000004"
    assert cell_text(-400.0) == "-400"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(12.5, decimal=",") == "12,5"
    assert cell_text(D(2026, 3, 4)) == "2026-03-04"
    assert cell_text(dt.datetime(2026, 3, 4, 14, 30)) == "2026-03-04 14:30:00"


@pytest.mark.parametrize(
    "value, currency",
    [(0.30000000000000004, "EUR"), (12.345, "EUR"), (12.5, "JPY"), (1e-7, "EUR")],
)
def test_a_number_with_more_decimals_than_the_currency_is_an_error_at_its_cell(
    tmp_path, value, currency
):
    rows = [
        [D(2026, 1, 5), "Dues", 12, "dues"],
        [D(2026, 1, 6), "Formula residue", 7777.25, "dues"],
    ]
    # openpyxl writes floats in 15 digits; a spreadsheet's cached result may hold all 17.
    workbook = _replaced(
        xlsx(rows), "xl/worksheets/sheet1.xml", "<v>7777.25</v>", f"<v>{value!r}</v>"
    )
    problems = books(
        tmp_path, {W: workbook}, ACCOUNTS.replace("currency: EUR", f"currency: {currency}")
    )
    assert codes_at(problems) == {(W, 3, "amount-too-many-decimals")}
    (found,) = problems
    assert (found.column, found.sheet, found.cell) == (3, "Ledger", "C3")


def test_a_date_with_a_time_of_day_and_a_text_date_as_shown_are_refused(tmp_path):
    rows = [
        [dt.datetime(2026, 1, 5, 14, 30), "With a time", 12, "dues"],
        ["05/01/2026", "As shown", 12, "dues"],
    ]
    problems = books(tmp_path, {W: xlsx(rows)})
    assert codes_at(problems) == {(W, 2, "date-format"), (W, 3, "date-format")}


def test_a_decimal_comma_dialect_reads_number_cells_alike(tmp_path):
    accounts = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
    problems = books(tmp_path, {W: xlsx([[D(2026, 1, 5), "Dues", 12.5, "dues"]])}, accounts)
    assert codes_at(problems) == set()
    cooperative, _ = load_cooperative(tmp_path, today=TODAY)
    assert cooperative.ledger["amount"].tolist() == [1250]


# -- Formulas, hidden rows and sheets, totals ---------------------------------------------------


def test_a_formula_without_a_saved_result_is_an_error_at_its_cell(tmp_path):
    # openpyxl saves formulas without results, as a program that does not calculate does.
    rows = [[D(2026, 1, 5), "Dues", 12.5, "dues"], [D(2026, 1, 6), "Twice", "=C2*2", "dues"]]
    problems = books(tmp_path, {W: xlsx(rows)})
    assert codes_at(problems) == {(W, 3, "workbook-formula-value")}  # not also value-missing
    (found,) = [p for p in problems if p.code == "workbook-formula-value"]
    assert found.cell == "C3" and found.is_error


def test_a_hidden_row_is_an_error_and_still_read(tmp_path):
    rows = [[D(2026, 1, 5), "Dues", 12.5, "dues"], [D(2026, 1, 6), "Hidden", 20, "dues"]]
    problems = books(tmp_path, {W: xlsx(rows, hidden_rows=(3,))})
    assert codes_at(problems) == {(W, 3, "workbook-hidden-row")}
    cooperative, _ = load_cooperative(tmp_path, today=TODAY)
    assert cooperative.ledger["amount"].tolist() == [1250, 2000]


def test_a_totals_row_is_reported_like_a_csv_totals_row(tmp_path):
    rows = [
        [D(2026, 1, 5), "Dues", 12.5, "dues"],
        [D(2026, 1, 6), "Dues", 20, "dues"],
        [None, "Total", 32.5, None],
    ]
    assert codes_at(books(tmp_path, {W: xlsx(rows)})) == {(W, 4, "csv-totals-row")}


def test_the_sheet_named_like_the_role_is_read_else_the_first_visible_one(tmp_path):
    notes = [["Notes of the treasurer"]]
    good = [[D(2026, 1, 5), "Dues", 12.5, "dues"]]
    named = xlsx(notes, title="Read me", header=None, sheets={"ledger": [HEADER] + good})
    assert books(tmp_path, {W: named}) == []
    first_visible = xlsx(
        notes, title="Old", header=None, sheets={"Books": [HEADER] + good}, hidden_sheets=("Old",)
    )
    problems = books(tmp_path, {W: first_visible})
    assert codes_at(problems) == {(W, None, "workbook-hidden-sheet")}
    assert problems[0].severity is Severity.WARNING


def test_a_hidden_sheet_named_like_the_role_is_an_error(tmp_path):
    good = [HEADER, [D(2026, 1, 5), "Dues", 12.5, "dues"]]
    workbook = xlsx(
        [["nothing"]],
        title="Sheet1",
        header=None,
        sheets={"Ledger": good},
        hidden_sheets=("Ledger",),
    )
    assert (W, None, "workbook-sheet-hidden") in codes_at(books(tmp_path, {W: workbook}))


def test_budget_and_balances_workbooks_are_read_with_every_check(tmp_path):
    ledger = xlsx(
        [[D(2026, 1, 1), "Opening", 100, "opening"], [D(2026, 1, 5), "Dues", 12.5, "dues"]]
    )
    budget = xlsx([[2026, "dues", 100]], title="Budget", header=["year", "category", "amount"])
    balances = xlsx(
        [[D(2026, 1, 31), "general", 112.49]], title="Balances", header=["date", "fund", "balance"]
    )
    problems = books(
        tmp_path, {W: ledger, "ledgers/budget.xlsx": budget, "ledgers/balances.xlsx": balances}
    )
    assert codes_at(problems) == {("ledgers/balances.xlsx", 2, "balance-mismatch")}
    (found,) = problems
    assert found.place == 'sheet "Balances", cell C2'
    cooperative, _ = load_cooperative(tmp_path, today=TODAY)
    assert cooperative.budget["amount"].tolist() == [10000]


def test_a_damaged_workbook_and_one_saved_beside_its_csv_are_errors(tmp_path):
    problems = books(
        tmp_path, {W: b"PK\x03\x04 not really a zip", "ledgers/2026.csv": LEDGER_HEADER}
    )
    assert codes_at(problems) == {(W, None, "workbook-unreadable"), (W, None, "workbook-and-csv")}


def test_a_workbook_that_unpacks_into_too_much_is_refused(tmp_path, monkeypatch):
    from publisher import workbook

    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 1000)
    problems = books(tmp_path, {W: xlsx([[D(2026, 1, 5), "Dues", 12.5, "dues"]])})
    assert codes_at(problems) == {(W, None, "workbook-unreadable")}


# -- Where problems are shown ------------------------------------------------------------------


def test_every_printer_names_the_sheet_and_the_cell(tmp_path):
    problems = books(tmp_path, {W: xlsx([[D(2026, 1, 5), "Dues", 12.5, "snacks"]])})
    assert codes_at(problems) == {(W, 2, "category-unknown")}
    text = format_text(problems)
    assert text.startswith(f'{W}:2:4: error: [category-unknown] sheet "Ledger", cell D2: ')
    (item,) = json.loads(format_json(problems))["problems"]
    assert (item["path"], item["line"], item["column"], item["sheet"], item["cell"]) == (
        W,
        2,
        4,
        "Ledger",
        "D2",
    )
    assert format_github(problems).startswith(
        f"::error file={W},line=2,col=4,title=category-unknown::sheet"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1 and 'sheet "Ledger", cell D2' in result.output


def test_a_sheet_name_cannot_forge_a_line_of_the_report(tmp_path):
    workbook = xlsx([[D(2026, 1, 5), "Dues", 12.5, "snacks"]], title="Ledger")
    # openpyxl refuses control characters in titles; rename the sheet inside the archive.
    workbook = _renamed_sheet(workbook, "Ledger", "Led&#10;ger")
    problems = books(tmp_path, {W: workbook})
    (found,) = problems
    assert "\n" not in found.sheet and "\n" not in format_text(problems).splitlines()[0]


def _renamed_sheet(data: bytes, old: str, new: str) -> bytes:
    return _replaced(data, "xl/workbook.xml", f'name="{old}"', f'name="{new}"')


def _replaced(data: bytes, member: str, old: str, new: str) -> bytes:
    """A workbook with `old` replaced by `new` in one part of its archive."""
    import io

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == member:
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode())
            target.writestr(item, content)
    return out.getvalue()


# -- Made by LibreOffice -----------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["clean-2026.ods", "clean-2026.xlsx"])
def test_workbooks_saved_by_libreoffice_read_like_their_csv(tmp_path, fixture):
    suffix = fixture.rsplit(".", 1)[1]
    problems = books(tmp_path / "wb", {f"ledgers/2026.{suffix}": (FIXTURES / fixture).read_bytes()})
    assert problems == []
    from_csv = books(
        tmp_path / "csv", {"ledgers/2026.csv": (FIXTURES / "clean-2026.csv").read_bytes()}
    )
    assert from_csv == []
    workbook, _ = load_cooperative(tmp_path / "wb", today=TODAY)
    csv, _ = load_cooperative(tmp_path / "csv", today=TODAY)
    columns = ["line", "date", "description", "amount", "category", "fund", "counterparty", "id"]
    assert workbook.ledger[columns].equals(csv.ledger[columns])
    assert workbook.ledger["amount"].tolist() == [100000, 1250, -40000, 123456]


@pytest.mark.parametrize("suffix", ["ods", "xlsx"])
def test_libreoffice_hidden_rows_error_values_and_totals_rows_are_reported(tmp_path, suffix):
    path = f"ledgers/2026.{suffix}"
    problems = books(tmp_path, {path: (FIXTURES / f"flawed-2026.{suffix}").read_bytes()})
    found = codes_at(problems)
    assert {
        (path, 3, "workbook-hidden-row"),
        (path, 4, "workbook-formula-value"),
        (path, 6, "csv-totals-row"),
    } <= found
    # Calc saves 0.1 + 0.2 rounded to 15 digits: 0.3, which EUR holds.
    assert not any(p.code == "amount-too-many-decimals" for p in problems)
    cells = {p.cell for p in problems if p.code == "workbook-formula-value"}
    assert "C4" in cells


@needs_soffice
@pytest.mark.parametrize("fmt", ["ods", "xlsx"])
def test_a_workbook_saved_now_by_libreoffice_is_read(tmp_path, fmt):
    source = tmp_path / "2026.xlsx"
    rows = [[D(2026, 1, 5), "Dues", 12.5, "dues"], [D(2026, 1, 6), "Sum", "=C2*3", "dues"]]
    source.write_bytes(xlsx(rows, hidden_rows=(3,)))
    saved = soffice_convert(source, fmt, tmp_path / "out")
    path = f"ledgers/2026.{fmt}"
    problems = books(tmp_path / "coop", {path: saved.read_bytes()})
    assert codes_at(problems) == {
        (path, 3, "workbook-hidden-row")
    }  # the formula now has its result
    cooperative, _ = load_cooperative(tmp_path / "coop", today=TODAY)
    assert cooperative.ledger["amount"].tolist() == [1250, 3750]


# -- History, closed periods, diff -------------------------------------------------------------

CLOSED = ACCOUNTS + "closed_through: 2025-12-31\n"
Y25 = "ledgers/2025.xlsx"
ROWS_2025 = [
    [D(2025, 1, 1), "Opening", 1000, "opening", None, None, None, "o1"],
    [D(2025, 3, 1), "Rent", -400, "rent", None, None, None, "r1"],
]


def commit_workbook(
    root: Path,
    message: str,
    day: str,
    workbooks: dict[str, bytes],
    texts: dict[str, str] | None = None,
):
    for relative, data in workbooks.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return commit(root, message, day, texts or {})


def closed_workbook(root: Path) -> None:
    init_repo(root)
    write_coop(root, {})
    commit_workbook(root, "Books of 2025", "2026-01-10", {Y25: xlsx(ROWS_2025)})
    commit(root, "Close 2025", "2026-02-15", {"ledgers/accounts.yml": CLOSED})


def test_an_edit_of_a_closed_row_in_a_workbook_is_refused(tmp_path):
    closed_workbook(tmp_path)
    assert {p.code for p in check(tmp_path)} & {"closed-period-changed"} == set()
    edited = [list(r) for r in ROWS_2025]
    edited[1][2] = -410
    commit_workbook(tmp_path, "Fix rent", "2026-03-01", {Y25: xlsx(edited)})
    problems = check(tmp_path)
    assert {p for p in codes_at(problems) if p[2].startswith("closed")} == {
        (Y25, 3, "closed-period-changed")
    }
    (found,) = [p for p in problems if p.code == "closed-period-changed"]
    assert found.sheet == "Ledger" and "-400.00" in found.message and "-410.00" in found.message


def test_an_uncommitted_workbook_edit_of_a_closed_row_is_refused_too(tmp_path):
    closed_workbook(tmp_path)
    (tmp_path / Y25).write_bytes(xlsx(ROWS_2025[:1]))  # the rent row deleted, not committed
    problems = check(tmp_path)
    assert (Y25, None, "closed-period-changed") in codes_at(problems)


def test_a_closed_ledger_saved_again_as_a_workbook_is_no_change(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    csv_text = (
        LEDGER_HEADER
        + "2025-01-01,Opening,1000.00,opening,,,,o1,\n2025-03-01,Rent,-400.00,rent,,,,r1,\n"
    )
    commit(tmp_path, "Books of 2025", "2026-01-10", {"ledgers/2025.csv": csv_text})
    commit(tmp_path, "Close 2025", "2026-02-15", {"ledgers/accounts.yml": CLOSED})
    commit_workbook(tmp_path, "Keep 2025 in a workbook", "2026-03-01", {Y25: xlsx(ROWS_2025)})
    git(tmp_path, "rm", "-q", "ledgers/2025.csv")
    git(tmp_path, "commit", "-q", "-m", "CSV removed")
    problems = check(tmp_path)
    assert not any(p.code.startswith("closed") for p in problems), problems


def test_provenance_of_workbook_rows_is_the_commit_that_changed_them(tmp_path):
    from publisher.history import row_provenance

    init_repo(tmp_path)
    write_coop(tmp_path, {})
    first = commit_workbook(
        tmp_path, "January", "2026-01-10", {W: xlsx([[D(2026, 1, 5), "Dues", 12.5, "dues"]])}
    )
    rows = [[D(2026, 1, 5), "Dues", 12.5, "dues"], [D(2026, 2, 5), "Dues", 20, "dues"]]
    second = commit_workbook(tmp_path, "February", "2026-02-10", {W: xlsx(rows)})
    cooperative, _ = load_cooperative(tmp_path, today=TODAY)
    found = row_provenance(cooperative, cooperative.history())
    assert {where: c.sha for where, c in found.items()} == {(W, 2): first, (W, 3): second}


def test_publisher_diff_compares_workbooks_between_revisions(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {})
    base = commit_workbook(
        tmp_path,
        "Base",
        "2026-01-10",
        {W: xlsx([[D(2026, 1, 5), "Dues", 12.5, "dues", None, None, None, "d1"]])},
    )
    rows = [
        [D(2026, 1, 5), "Dues", 15, "dues", None, None, None, "d1"],
        [D(2026, 2, 1), "Grant", 100, "grants", None, None, None, "g1"],
    ]
    head = commit_workbook(tmp_path, "Head", "2026-02-10", {W: xlsx(rows)})
    diff = diff_books(tmp_path, base, head, today=TODAY)
    assert sorted(r.kind for r in diff.rows) == ["added", "changed"]
    changed = next(r for r in diff.rows if r.kind == "changed")
    assert changed.changed_columns() == ["amount"] and (
        changed.before_line,
        changed.after_line,
    ) == (2, 2)
    assert format_diff_text(diff).count(W) >= 1


# -- publisher new --books ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["ods", "xlsx"])
def test_new_books_as_a_workbook_with_lists_and_instructions(tmp_path, fmt):
    from python_calamine import CalamineWorkbook

    target = tmp_path / "coop"
    result = CliRunner().invoke(main, ["new", str(target), "--books", fmt])
    assert result.exit_code == 0, result.output
    year = dt.date.today().year
    path = target / "ledgers" / f"{year}.{fmt}"
    assert not (target / "ledgers" / f"{year}.csv").exists()
    assert check_cooperative(target)[1] == []
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["Ledger", "Instructions", "Lists"]
    header = workbook.get_sheet_by_name("Ledger").to_python()[0]
    assert header == HEADER
    lists = workbook.get_sheet_by_name("Lists").to_python()
    assert lists[0][0] == "categories" and "dues" in [row[0] for row in lists]
    archive = zipfile.ZipFile(path)
    if fmt == "xlsx":
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        assert sheet.count('type="list"') == 2 and "D2:D5001" in sheet and "E2:E5001" in sheet
    else:
        content = archive.read("content.xml").decode()
        assert content.count("cell-content-is-in-list") == 2


@needs_soffice
@pytest.mark.parametrize("fmt", ["ods", "xlsx"])
def test_a_new_workbook_keeps_its_lists_when_libreoffice_saves_it(tmp_path, fmt):
    from openpyxl import load_workbook

    target = tmp_path / "coop"
    assert CliRunner().invoke(main, ["new", str(target), "--books", fmt]).exit_code == 0
    year = dt.date.today().year
    saved = soffice_convert(target / "ledgers" / f"{year}.{fmt}", "xlsx", tmp_path / "out")
    validations = load_workbook(saved)["Ledger"].data_validations.dataValidation
    assert sorted(str(v.sqref)[:3] for v in validations) == ["D2:", "E2:"]
    assert all(
        v.type == "list" and v.formula1.startswith(("Lists!", "'Lists'!")) for v in validations
    )


def test_new_refuses_an_unknown_books_format(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "coop"), "--books", "numbers"])
    assert result.exit_code != 0 and not (tmp_path / "coop").exists()


def test_publisher_diff_reads_a_balances_workbook_as_balances(tmp_path):
    init_repo(tmp_path)
    header = ["date", "fund", "balance"]
    ledger = {W: xlsx([[D(2026, 1, 1), "Opening", 100, "opening"]])}
    write_coop(tmp_path, {})
    base = commit_workbook(
        tmp_path,
        "Base",
        "2026-01-10",
        {**ledger, "ledgers/balances.xlsx": xlsx([[D(2026, 1, 1), "general", 100]], header=header)},
    )
    head = commit_workbook(
        tmp_path,
        "Head",
        "2026-02-10",
        {"ledgers/balances.xlsx": xlsx([[D(2026, 1, 2), "general", 100]], header=header)},
    )
    diff = diff_books(tmp_path, base, head, today=TODAY)
    assert not diff.rows and sorted(change.kind for change in diff.lines) == ["added", "removed"]


def test_publisher_fix_leaves_a_workbook_untouched(tmp_path):
    data = xlsx([["05/01/2026", "Dues", 12.5, "dues"]])
    write_coop(tmp_path, {W: data})
    result = CliRunner().invoke(main, ["fix", str(tmp_path / W), "--write"])
    assert result.exit_code != 0 and "workbook" in result.output
    assert (tmp_path / W).read_bytes() == data
