"""`publisher fix`: real spreadsheet exports and small inline books, rewritten only where the
meaning is certain, and then checked clean."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative
from tests.conftest import ACCOUNTS, TODAY, codes_at, write_coop

FIXTURES = Path(__file__).parent / "fixtures" / "libreoffice"
L = "ledgers/2026.csv"
SEMI = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
SHORT = "date,description,amount,category\n"


def fix(path: Path, *options: str):
    result = CliRunner().invoke(main, ["fix", str(path), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def check(root: Path):
    _, problems = check_cooperative(root, today=TODAY)
    return problems


def test_a_dry_run_lists_the_changes_and_changes_no_byte(tmp_path):
    write_coop(tmp_path, {L: SHORT + '13.01.2026,Paint,"-12,50",tools\n05.02.2026,Dues,3,dues\n'})
    before = (tmp_path / L).read_bytes()
    result = fix(tmp_path / L)
    assert result.exit_code == 0
    assert (tmp_path / L).read_bytes() == before
    assert not (tmp_path / ".publisher-backups").exists()
    assert "'13.01.2026' → '2026-01-13'" in result.output and "'-12,50' → '-12.50'" in result.output
    assert "date 2" in result.output and "decimal mark 1" in result.output
    assert {(p.path, p.line, p.code) for p in check(tmp_path)} == {
        (L, 2, "date-format"),
        (L, 3, "date-format"),
        (L, 2, "amount-decimal-comma"),
    }


def test_write_fixes_keeps_a_backup_and_the_books_then_check_clean(tmp_path):
    books = SHORT + '13.01.2026,"Paint, brushes","-12,50",tools\n2026-01-05,Dues,30,dues\n'
    write_coop(tmp_path, {L: books})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".publisher-backups/ledgers/2026.csv").read_text() == books
    assert (tmp_path / L).read_text() == (
        SHORT + '2026-01-13,"Paint, brushes",-12.50,tools\n2026-01-05,Dues,30,dues\n'
    )
    assert codes_at(check(tmp_path)) == set()
    assert fix(tmp_path / L).exit_code == 0  # nothing left to do


def test_an_existing_backup_is_never_overwritten(tmp_path):
    backups = ".publisher-backups/ledgers/"
    write_coop(tmp_path, {L: SHORT + "13.01.2026,Dues,1,dues\n", backups + "2026.csv": "mine\n"})
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert (tmp_path / backups / "2026.csv").read_text() == "mine\n"
    assert (tmp_path / backups / "2026.csv.2").read_text() == SHORT + "13.01.2026,Dues,1,dues\n"


def test_ambiguous_dates_are_left_alone_and_reported(tmp_path):
    books = (
        SHORT + '01/02/2026,Dues,1,dues\n03/04/2026,Dues,2.50,dues\n05/06/2026,Dues,"3,50",dues\n'
    )
    write_coop(tmp_path, {L: books})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 1
    text = (tmp_path / L).read_text()
    assert "01/02/2026" in text and "03/04/2026" in text and "3.50" in text
    assert "[date-format]" in result.output
    assert {p.code for p in check(tmp_path)} == {"date-format"}


def test_a_file_whose_dates_prove_day_first_gets_every_date_rewritten(tmp_path):
    books = SHORT + "01/02/2026,Dues,1,dues\n13/02/2026,Dues,2,dues\n"
    write_coop(tmp_path, {L: books})
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert (tmp_path / L).read_text() == SHORT + "2026-02-01,Dues,1,dues\n2026-02-13,Dues,2,dues\n"


def test_dates_proving_both_orders_are_left_alone(tmp_path):
    write_coop(tmp_path, {L: SHORT + "13/02/2026,Dues,1,dues\n02/13/2026,Dues,2,dues\n"})
    assert fix(tmp_path / L, "--write").exit_code == 1
    assert "13/02/2026" in (tmp_path / L).read_text()


def test_unchanged_rows_keep_their_bytes_and_crlf_stays(tmp_path):
    books = SHORT + '2026-01-05,"Dues",1,dues\n2026-01-06,Paint,\u221212.50,tools\n'
    write_coop(tmp_path, {L: books.replace("\n", "\r\n")})
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert (tmp_path / L).read_bytes() == (
        SHORT + '2026-01-05,"Dues",1,dues\n2026-01-06,Paint,-12.50,tools\n'
    ).replace("\n", "\r\n").encode()


def test_currency_signs_of_the_repository_go_and_others_stay(tmp_path):
    books = (
        SHORT
        + "2026-01-05,Dues,€ 12.50,dues\n2026-01-06,Dues,3.00 EUR,dues\n2026-01-07,Dues,$4,dues\n"
    )
    write_coop(tmp_path, {L: books})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 1
    assert (tmp_path / L).read_text() == (
        SHORT + "2026-01-05,Dues,12.50,dues\n2026-01-06,Dues,3.00,dues\n2026-01-07,Dues,$4,dues\n"
    )
    assert codes_at(check(tmp_path)) == {(L, 4, "amount-currency-symbol")}


def test_a_one_thousand_or_one_point_something_is_never_guessed(tmp_path):
    write_coop(tmp_path, {L: SHORT + '2026-01-05,Dues,"1,234",dues\n'})
    assert fix(tmp_path / L, "--write").exit_code == 1
    assert '"1,234"' in (tmp_path / L).read_text()


def test_an_agreeing_sep_line_and_a_bom_are_removed(tmp_path):
    books = "\ufeffsep=,\n" + SHORT + "2026-01-05,Dues,1,dues\n"
    write_coop(tmp_path, {L: books})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 0 and "sep= line" in result.output
    assert (tmp_path / L).read_bytes() == (SHORT + "2026-01-05,Dues,1,dues\n").encode()


def test_a_disagreeing_sep_line_stays(tmp_path):
    write_coop(tmp_path, {L: "sep=;\n" + SHORT.replace(",", ";") + "2026-01-05;Dues;1;dues\n"})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 1 and "[csv-sep-line]" in result.output


def test_windows_1252_is_converted_and_said_to_be_assumed(tmp_path):
    books = SHORT + "2026-01-05,Café €,1,dues\n"
    write_coop(tmp_path, {L: books.encode("cp1252")})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 0 and "Windows-1252" in result.output
    assert (tmp_path / L).read_text(encoding="utf-8") == books
    assert codes_at(check(tmp_path)) == set()


def test_utf16_with_a_bom_is_converted(tmp_path):
    books = SHORT + "2026-01-05,Dues,1,dues\n"
    write_coop(tmp_path, {L: books.encode("utf-16")})
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert (tmp_path / L).read_bytes() == books.encode()


def test_the_check_of_a_utf16_export_with_a_bom_points_at_fix(tmp_path):
    # LibreOffice's "Unicode" CSV: the check's advice, followed, gives clean books.
    write_coop(tmp_path, {L: (SHORT + "2026-01-05,Dues,1,dues\n").encode("utf-16")})
    (found,) = check(tmp_path)
    assert (found.path, found.code) == (
        L,
        "file-nul-byte",
    ) and f"publisher fix {L}" in found.message
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert codes_at(check(tmp_path)) == set()


def test_utf16_without_a_bom_is_not_guessed(tmp_path):
    write_coop(tmp_path, {L: (SHORT + "2026-01-05,Dues,1,dues\n").encode("utf-16-le")})
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 1 and "[file-nul-byte]" in result.output
    assert not (tmp_path / ".publisher-backups").exists()


def test_budgets_and_balances_are_fixed_with_the_repository_dialect(tmp_path):
    write_coop(
        tmp_path,
        {
            L: "date;description;amount;category\n2026-01-05;Dues;1000;dues\n2026-02-05;Dues;1.000;dues\n",
            "ledgers/budget.csv": "year;category;amount\n2026;dues;1.200,00\n",
            "ledgers/balances.csv": "date;fund;balance\n31.01.2026;general;1.000,00\n",
        },
        accounts=SEMI,
    )
    assert fix(tmp_path / "ledgers/budget.csv", "--write").exit_code == 0
    assert fix(tmp_path / "ledgers/balances.csv", "--write").exit_code == 0
    assert (
        tmp_path / "ledgers/budget.csv"
    ).read_text() == "year;category;amount\n2026;dues;1200,00\n"
    assert (
        tmp_path / "ledgers/balances.csv"
    ).read_text() == "date;fund;balance\n2026-01-31;general;1000,00\n"
    # 1.000 under a decimal comma: the point groups thousands, and check says so too.
    assert fix(tmp_path / L, "--write").exit_code == 1
    errors = {(p.path, p.line, p.code) for p in check(tmp_path) if p.is_error}
    assert errors == {(L, 3, "amount-thousands-separator")}


@pytest.mark.parametrize(
    "target",
    ["ledgers/accounts.yml", "content/notes.csv", "ledgers/missing.csv"],
)
def test_a_file_that_is_not_a_books_file_exits_2(tmp_path, target):
    write_coop(tmp_path, {"content/notes.csv": SHORT})
    assert fix(tmp_path / target).exit_code == 2


@pytest.mark.parametrize(
    "fixture, accounts",
    [("de-semicolon-2026.csv", SEMI), ("en-comma-2026.csv", ACCOUNTS)],
)
def test_a_libreoffice_export_checks_clean_after_fix(tmp_path, fixture, accounts):
    write_coop(tmp_path, {L: (FIXTURES / fixture).read_bytes()}, accounts=accounts)
    assert {p.code for p in check(tmp_path)} >= {"date-format", "amount-thousands-separator"}
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert codes_at(check(tmp_path)) == set()
    # The four rows of the spreadsheet, with their values.
    text = (tmp_path / L).read_text()
    assert "2026-01-05" in text and ("1234.50" in text or "1234,50" in text)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_a_fresh_libreoffice_export_checks_clean_after_fix(tmp_path):
    out = tmp_path / "export"
    env = {**os.environ, "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "HOME": str(tmp_path)}
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76,1",
            "--outdir",
            str(out),
            str(FIXTURES / "books-2026.fods"),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    write_coop(tmp_path / "coop", {L: (out / "books-2026.csv").read_bytes()}, accounts=SEMI)
    assert fix(tmp_path / "coop" / L, "--write").exit_code == 0
    assert codes_at(check(tmp_path / "coop")) == set()


def test_a_column_rewritten_throughout_is_counted_not_listed_line_by_line(tmp_path):
    rows = "".join(f"{day:02d}.01.2026,Dues,1,dues\n" for day in range(1, 26))
    write_coop(tmp_path, {L: SHORT + rows})
    result = fix(tmp_path / L)
    assert result.exit_code == 0
    assert result.output.count("→") == 20
    assert "5 more changes of kind date" in result.output and "date 25" in result.output


def test_a_multiline_cell_in_a_rewritten_row_survives(tmp_path):
    books = SHORT + '13.01.2026,"Paint\nand brushes","-12,50",tools\n2026-01-12,Dues,20,dues\n'
    write_coop(tmp_path, {L: books})
    assert fix(tmp_path / L, "--write").exit_code == 0
    assert (tmp_path / L).read_text() == (
        SHORT + '2026-01-13,"Paint\nand brushes",-12.50,tools\n2026-01-12,Dues,20,dues\n'
    )
    assert codes_at(check(tmp_path)) == set()


def test_a_grouped_thousand_that_looks_like_three_decimals_is_fixed_when_the_column_proves_it(
    tmp_path,
):
    # LibreOffice in German formatting writes 1234 as "1.234" and 12.5 as "12,50": the second
    # cell proves the comma is the decimal mark, so "1.234" is one thousand, never 1.23.
    write_coop(
        tmp_path, {L: SHORT + '2026-01-01,Opening,"1.234",opening\n2026-01-05,Dues,"12,50",dues\n'}
    )
    (found,) = [p for p in check(tmp_path) if p.line == 2]
    assert found.code == "amount-too-many-decimals" and "1234" in found.message
    result = fix(tmp_path / L, "--write")
    assert result.exit_code == 0, result.output
    assert (
        tmp_path / L
    ).read_text() == SHORT + "2026-01-01,Opening,1234,opening\n2026-01-05,Dues,12.50,dues\n"
    assert codes_at(check(tmp_path)) == set()


def test_a_lone_three_decimal_amount_is_not_guessed(tmp_path):
    write_coop(tmp_path, {L: SHORT + "2026-01-01,Opening,1.234,opening\n"})
    books = (tmp_path / L).read_bytes()
    assert fix(tmp_path / L, "--write").exit_code == 1
    assert (tmp_path / L).read_bytes() == books
    assert codes_at(check(tmp_path)) == {(L, 2, "amount-too-many-decimals")}
