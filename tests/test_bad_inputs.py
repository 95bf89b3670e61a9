"""A corpus of realistic treasurer mistakes: each is reported, and nothing ever crashes.

Every case is a tiny cooperative written inline, with the (path, line, code) problems it must
produce. Each runs twice: through `check_cooperative`, and through `publisher check` in-process
(JSON output), which must exit 1 without a traceback. A few cases are not mistakes at all and
must pass cleanly (exit 0).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop

L = "ledgers/2026.csv"
A = "ledgers/accounts.yml"
B = "ledgers/budget.csv"
BAL = "ledgers/balances.csv"
H = LEDGER_HEADER
ROW = "2026-01-05,Dues,12.50,dues,,,,,\n"
SEMI = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
MINIMAL = "name: X\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n"


def row(amount="12.50", date="2026-01-06", description="Dues", category="dues", fund="", id=""):
    return f"{date},{description},{amount},{category},{fund},,,{id},\n"


def case(id, files, expected, accounts=ACCOUNTS, marks=()):
    if isinstance(files, (str, bytes)):
        files = {L: files}
    return pytest.param(files, accounts, expected, id=id, marks=marks)


BAD = [
    # -- Encodings and bytes
    case("latin-1", (H + row(description="Café")).encode("latin-1"), {(L, 2, "file-not-utf8")}),
    case(
        "windows-1252-euro-sign",
        (H + row(description="Fee \u20ac")).encode("cp1252"),
        {(L, 2, "file-not-utf8")},
    ),
    case("utf-16-with-bom", (H + ROW).encode("utf-16"), {(L, 1, "file-nul-byte")}),
    case("utf-16-be-without-bom", (H + ROW).encode("utf-16-be"), {(L, 1, "file-nul-byte")}),
    case(
        "nul-byte-in-a-row",
        (H + ROW + "2026-01-06,Du\x00es,1,dues,,,,,\n").encode(),
        {(L, 3, "file-nul-byte")},
    ),
    case("empty-file", b"", {(L, 1, "file-empty")}),
    case("only-blank-lines", b"\r\n\r\n\n", {(L, 1, "file-empty")}),
    # -- Dialect and structure
    case(
        "bank-export-with-semicolons",
        H.replace(",", ";") + "2026-01-05;Dues;12,50;dues;;;;;\n",
        {(L, 1, "csv-delimiter-mismatch")},
    ),
    case("excel-sep-line-disagreeing", "sep=;\n" + H + ROW, {(L, 1, "csv-sep-line")}),
    case(
        "unquoted-thousands-separator",
        H + "2026-01-05,Dues,1,234.56,dues,,,,,\n",
        {(L, 2, "csv-ragged-row")},
    ),
    case(
        "unquoted-comma-in-description",
        H + ROW + "2026-01-06,Paint, brushes,-3,tools,,,,,\n",
        {(L, 3, "csv-ragged-row")},
    ),
    case(
        "ragged-row-too-short",
        H + ROW + "2026-01-06,Dues,12.50,dues\n" + ROW.replace("05", "07"),
        {(L, 3, "csv-ragged-row")},
    ),
    case(
        "unterminated-quote",
        H + ROW + '2026-01-06,"Dues,12.50,dues,,,,,\n' + ROW,
        {(L, 3, "csv-unterminated-quote")},
    ),
    case(
        "stray-quote-in-a-messy-file",
        H + '2026-01-05,"Dues" March,12.50,dues,,,,,\n2026-01-06,Dues,1,dues\n',
        {(L, 2, "csv-stray-quote")},
    ),
    case(
        "stray-quote-in-an-amount",
        H + '2026-01-05,Dues,"12"50,dues,,,,,\n',
        {(L, 2, "csv-stray-quote")},
    ),
    case(
        "header-with-currency",
        "date,description,Amount (EUR),category\n2026-01-05,Dues,1,dues\n",
        {(L, 1, "column-missing"), (L, 1, "column-unknown")},
    ),
    case(
        "missing-amount-column",
        "date,description,category\n2026-01-05,Dues,dues\n",
        {(L, 1, "column-missing")},
    ),
    case(
        "duplicated-column",
        "date,description,amount,category,amount\n2026-01-05,D,1,dues,1\n",
        {(L, 1, "column-duplicated")},
    ),
    case("total-row-at-the-bottom", H + ROW + ",Total,12.50,,,,,,\n", {(L, 3, "csv-totals-row")}),
    case("empty-description", H + row(description=""), {(L, 2, "value-missing")}),
    case("empty-category", H + row(category=""), {(L, 2, "value-missing")}),
    # -- Amounts
    case("decimal-comma", H + row(amount='"12,50"'), {(L, 2, "amount-decimal-comma")}),
    case(
        "excel-thousands-separator",
        H + row(amount='"1,234.56"'),
        {(L, 2, "amount-thousands-separator")},
    ),
    case("euro-sign", H + row(amount="€12.50"), {(L, 2, "amount-currency-symbol")}),
    case("currency-code-after", H + row(amount="12.50 EUR"), {(L, 2, "amount-currency-symbol")}),
    case("accountant-parentheses", H + row(amount="(12.50)"), {(L, 2, "amount-invalid")}),
    case("trailing-minus", H + row(amount="12.50-"), {(L, 2, "amount-invalid")}),
    case("scientific-notation", H + row(amount="1.2E+03"), {(L, 2, "amount-exponent")}),
    case("nan", H + row(amount="NaN"), {(L, 2, "amount-not-a-number")}),
    case("excel-error", H + row(amount="#VALUE!"), {(L, 2, "amount-not-a-number")}),
    case("too-many-decimals", H + row(amount="12.505"), {(L, 2, "amount-too-many-decimals")}),
    case("pasted-account-number", H + row(amount="4000123412341234"), {(L, 2, "amount-too-large")}),
    case(
        "full-width-digits",
        H + row(amount="１２"),
        {(L, 2, "amount-invalid")},
    ),
    case(
        "decimal-point-in-comma-repository",
        H.replace(",", ";") + "2026-01-05;Dues;12.50;dues;;;;;\n",
        {(L, 2, "amount-decimal-point")},
        accounts=SEMI,
    ),
    case(
        "space-thousands-in-comma-repository",
        H.replace(",", ";") + "2026-01-05;Dues;1 234,56;dues;;;;;\n",
        {(L, 2, "amount-thousands-separator")},
        accounts=SEMI,
    ),
    # -- Dates
    case("day-first-date", H + row(date="21/11/2025"), {(L, 2, "date-format")}),
    case("date-without-zero-padding", H + row(date="2025-2-3"), {(L, 2, "date-format")}),
    case("month-13", H + row(date="2025-13-01"), {(L, 2, "date-impossible")}),
    case("february-30", H + row(date="2026-02-30"), {(L, 2, "date-impossible")}),
    case("date-with-time", H + row(date="2025-11-21 10:30"), {(L, 2, "date-format")}),
    case("excel-serial-date", H + row(date="45981"), {(L, 2, "date-format")}),
    case("far-future-date", H + row(date="2099-01-01"), {(L, 2, "date-in-future")}),
    # -- References
    case("category-typo", H + row(category="due"), {(L, 2, "category-unknown")}),
    case("fund-typo", H + row(fund="comons"), {(L, 2, "fund-unknown")}),
    case(
        "id-used-twice",
        {L: H + row(id="t1"), "ledgers/2025.csv": H + row(date="2025-06-01", id="t1")},
        {(L, 2, "id-duplicate")},
    ),
    case(
        "one-sided-transfer",
        H + row(amount="-50", category="transfer", description="To commons"),
        {(L, 2, "transfer-unbalanced")},
    ),
    case(
        "bank-statement-disagrees",
        {L: H + ROW, BAL: "date,fund,balance\n2026-01-31,general,12.40\n"},
        {(BAL, 2, "balance-mismatch")},
    ),
    case(
        "balances-without-fund-column",
        {L: H + ROW, BAL: "date,balance\n2026-01-31,12.50\n"},
        {(BAL, 1, "column-missing")},
    ),
    # -- Budgets
    case(
        "negative-budget",
        {B: "year,category,amount\n2026,rent,-4800\n"},
        {(B, 2, "budget-amount-negative")},
    ),
    case(
        "budget-fiscal-year",
        {B: "year,category,amount\nFY2026,rent,4800\n"},
        {(B, 2, "budget-year-invalid")},
    ),
    case(
        "budget-for-a-transfer",
        {B: "year,category,amount\n2026,transfer,100\n"},
        {(B, 2, "budget-category-wrong-kind")},
    ),
    case(
        "budget-line-twice",
        {B: "year,category,amount\n2026,rent,100\n2026,rent,100\n"},
        {(B, 3, "budget-duplicate-line")},
    ),
    # -- accounts.yml
    case(
        "yaml-tab-indentation", {}, {(A, 2, "yaml-syntax")}, accounts="name: X\n\tcurrency: EUR\n"
    ),
    case(
        "yaml-misspelt-key",
        {},
        {(A, 3, "accounts-key-unknown"), (A, 1, "accounts-key-missing")},
        accounts="name: X\ncurrency: EUR\ncatgories:\n  dues: {kind: income}\n",
    ),
    case(
        "yaml-euro-sign-as-currency",
        {},
        {(A, 2, "currency-unknown")},
        accounts=MINIMAL.replace("EUR", '"€"'),
    ),
    case(
        "yaml-a-list", {}, {(A, 1, "yaml-not-a-mapping")}, accounts="- name: X\n- currency: EUR\n"
    ),
    case(
        "yaml-duplicate-category",
        {},
        {(A, 5, "yaml-duplicate-key")},
        accounts=MINIMAL + "  dues: {kind: expense}\n",
    ),
    case(
        "yaml-latin-1",
        {A: "name: Café\ncurrency: EUR\n".encode("latin-1")},
        {(A, 1, "file-not-utf8")},
        accounts=None,
    ),
    case(
        "yaml-plural-kind",
        {},
        {(A, 4, "category-kind-invalid")},
        accounts=MINIMAL.replace("income", "incomes"),
    ),
    case(
        "yaml-hex-like-name",
        {},
        {(A, 1, "yaml-syntax")},
        accounts=MINIMAL.replace("name: X", "name: 0x_"),
    ),
]

CLEAN = [
    case("header-only", H, set()),
    case("excel-sep-line-agreeing", "sep=,\n" + H + ROW, set()),
    case(
        "header-in-title-case",
        "Date,Description,Amount,Category\n2026-01-05,Dues,12.50,dues\n",
        set(),
    ),
    case(
        "trailing-separator-on-rows",
        H + ROW.replace("\n", ",\n") + ROW.replace("Dues", "More dues").replace("\n", ",\n"),
        set(),
    ),
    case("blank-lines-after-header", H + "\n\n\r\n", set()),
    case("commas-only-rows", H + ROW + ",,,,,,,,\n", set()),
    case("crlf-and-bom", b"\xef\xbb\xbf" + (H + ROW).replace("\n", "\r\n").encode(), set()),
    case(
        "semicolon-repository",
        H.replace(",", ";") + "2026-01-05;Dues;12,50;dues;;;;;\n",
        set(),
        accounts=SEMI,
    ),
    case("only-accounts-yml", {}, set()),
]


def _run_cli(root: Path):
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("files, accounts, expected", BAD)
def test_a_bad_input_is_reported_without_crashing(tmp_path, files, accounts, expected):
    assert expected, "a bad input names at least one expected problem"
    write_coop(tmp_path, files, accounts)

    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert expected <= codes_at(problems)
    assert any(p.is_error for p in problems)

    result = _run_cli(tmp_path)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert expected <= {(p["path"], p["line"], p["code"]) for p in report["problems"]}


@pytest.mark.parametrize("files, accounts, expected", CLEAN)
def test_an_unusual_but_valid_input_passes(tmp_path, files, accounts, expected):
    write_coop(tmp_path, files, accounts)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert [p for p in problems if p.is_error] == []
    result = _run_cli(tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.output)["errors"] == 0


def test_the_corpus_is_large_and_varied():
    assert len(BAD) >= 40
    codes = {code for param in BAD for (_, _, code) in param.values[2]}
    assert len(codes) >= 35


def test_a_semicolon_export_is_told_about_the_delimiter_setting(tmp_path):
    write_coop(tmp_path, {L: H.replace(",", ";") + "2026-01-05;Dues;12,50;dues;;;;;\n"})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert any("delimiter" in p.message for p in problems)


def test_a_latin1_file_with_a_ragged_row_prints_no_traceback(tmp_path):
    write_coop(tmp_path, {L: (H + "2026-01-05,Café,12.50,dues,,,,\n").encode("latin-1")})
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "file-not-utf8" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout
