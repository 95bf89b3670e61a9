"""One small input per problem code of the books core, asserting on (path, line, code).

Each test writes a tiny cooperative (the `coop` fixture) or calls the reading function
directly, next to its assertion. Wording is never asserted, except in the few tests that check
a message tells the treasurer what to change. `@covers` records which codes a test exercises,
so that `test_every_books_code_has_a_test` notices a code without one.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from publisher import csvfile
from publisher.accounts import ACCOUNTS_PATH, parse_accounts
from publisher.checking import ROW_PROBLEM_LIMIT
from publisher.cooperative import NotACooperative, check_cooperative
from publisher.csvfile import read_table
from publisher.problems import CODES, Severity
from publisher.yamlfile import MAX_YAML_BYTES, load_yaml
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop

L = "ledgers/2026.csv"
A = ACCOUNTS_PATH
H = LEDGER_HEADER
ROW = "2026-01-05,Dues,12.50,dues,,,,,\n"  # a clean ledger row
OPENING = "2026-01-01,Opening balance,1000,opening,,,,,\n"  # keeps the fund above zero
SEMICOLON_COMMA = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
MINIMAL = "name: X\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n"

#: Every code the books core (files, CSV, amounts, ledgers, budgets, YAML, accounts.yml) emits.
BOOKS_CODES = frozenset(
    """
    file-too-large file-not-utf8 file-nul-byte file-empty
    csv-unterminated-quote csv-stray-quote csv-ragged-row column-missing column-duplicated
    column-unknown value-missing
    date-format date-impossible date-in-future
    amount-decimal-comma amount-decimal-point amount-currency-symbol amount-thousands-separator
    amount-exponent amount-not-a-number amount-invalid amount-too-many-decimals
    amount-too-large amount-zero amount-against-direction
    category-unknown fund-unknown id-duplicate transfer-unbalanced balance-mismatch
    likely-double-entry
    budget-year-invalid budget-amount-negative budget-category-wrong-kind budget-duplicate-line
    yaml-syntax yaml-duplicate-key yaml-too-deep yaml-too-many-aliases yaml-not-a-mapping
    accounts-missing accounts-key-missing accounts-key-unknown accounts-value-invalid
    currency-unknown category-kind-invalid csv-dialect-invalid too-many-problems
    ledgers-file-not-read ledgers-too-many-files date-outside-file-year
    category-placeholder fund-below-zero rows-not-reconciled
    """.split()
)

COVERED: set[str] = set()


def covers(*codes: str):
    """Record that the decorated test exercises `codes` (checked by the registry test)."""
    unknown = set(codes) - set(CODES)
    assert not unknown, f"not registered: {unknown}"
    COVERED.update(codes)
    return lambda function: function


def ledger(*rows: str) -> str:
    return H + "".join(rows)


def with_code(problems, code):
    return [p for p in problems if p.code == code]


# -- The registry -------------------------------------------------------------------------------


def test_books_codes_are_registered_with_a_summary():
    missing = BOOKS_CODES - set(CODES)
    assert not missing
    for code in BOOKS_CODES:
        assert CODES[code].summary.strip()


def test_every_books_code_has_a_test():
    assert BOOKS_CODES - COVERED == set()


@pytest.mark.parametrize(
    "code",
    [
        "amount-zero",
        "column-unknown",
        "too-many-problems",
        "fund-below-zero",
        "rows-not-reconciled",
    ],
)
def test_warnings_are_registered_as_warnings(code):
    assert CODES[code].severity is Severity.WARNING


@pytest.mark.parametrize(
    "code",
    [
        "balance-mismatch",
        "transfer-unbalanced",
        "id-duplicate",
        "amount-decimal-comma",
        "file-not-utf8",
        "accounts-key-unknown",
        "amount-against-direction",
        "likely-double-entry",
        "date-outside-file-year",
        "ledgers-file-not-read",
        "file-symlink",
        "ledgers-too-many-files",
        "category-placeholder",
    ],
)
def test_errors_are_registered_as_errors(code):
    assert CODES[code].severity is Severity.ERROR


# -- Files --------------------------------------------------------------------------------------


@covers("file-too-large")
def test_a_csv_file_over_the_size_limit_is_refused(coop, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 200)
    problems = coop({L: ledger(*[ROW] * 20)})
    assert (L, None, "file-too-large") in codes_at(problems)


@covers("file-too-large")
def test_a_yaml_file_over_the_size_limit_is_refused_without_parsing():
    text = MINIMAL + "#" + "x" * MAX_YAML_BYTES + "\n"
    assert codes_at(load_yaml(text, A).problems) == {(A, None, "file-too-large")}


def test_the_yaml_size_limit_is_inclusive(monkeypatch):
    from publisher import yamlfile

    monkeypatch.setattr(yamlfile, "MAX_YAML_BYTES", 100)
    text = MINIMAL + "#" * (100 - len(MINIMAL) - 1) + "\n"
    assert len(text.encode()) == 100
    assert load_yaml(text, A).problems == []
    assert codes_at(load_yaml(text + " ", A).problems) == {(A, None, "file-too-large")}


@covers("file-not-utf8")
def test_a_latin1_ledger_is_reported_at_the_line_and_column_of_the_first_bad_byte(coop):
    data = ledger(ROW, "2026-01-06,Café,12.50,dues,,,,,\n").encode("latin-1")
    problems = coop({L: data})
    found = with_code(problems, "file-not-utf8")
    assert [(p.path, p.line, p.column) for p in found] == [(L, 3, 15)]


def test_the_latin1_message_says_how_to_save_the_file(coop):
    problems = coop({L: ledger("2026-01-06,Café,12.50,dues,,,,,\n").encode("latin-1")})
    (found,) = with_code(problems, "file-not-utf8")
    assert "UTF-8" in found.message


@covers("file-not-utf8")
def test_an_accounts_yml_that_is_not_utf8_is_reported(coop):
    problems = coop({A: "name: Caf\xe9\ncurrency: EUR\n".encode("latin-1")}, accounts=None)
    assert codes_at(problems) == {(A, 1, "file-not-utf8")}


@covers("file-nul-byte")
def test_a_utf16_ledger_is_reported_as_nul_bytes_on_line_1(coop):
    problems = coop({L: ledger(ROW).encode("utf-16")})
    assert (L, 1, "file-nul-byte") in codes_at(problems)
    (found,) = with_code(problems, "file-nul-byte")
    assert "UTF-16" in found.message


@covers("file-nul-byte")
def test_a_nul_byte_is_reported_where_it_is(coop):
    problems = coop({L: ledger(ROW, ROW.replace("Dues", "Du\x00es")).encode()})
    found = with_code(problems, "file-nul-byte")
    assert [(p.line, p.column) for p in found] == [(3, 14)]


@covers("file-nul-byte")
def test_an_accounts_yml_with_nul_bytes_is_reported(coop):
    problems = coop({A: MINIMAL.encode("utf-16-le")}, accounts=None)
    assert [(p.path, p.code) for p in problems] == [(A, "file-nul-byte")]


@covers("file-empty")
@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \r\n"])
def test_an_empty_ledger_file_is_reported_on_line_1(coop, content):
    problems = coop({L: content})
    assert (L, 1, "file-empty") in codes_at(problems)


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "file-empty"),
        (ledger("2026-01-06,Café,12.50,dues,,,,,\n").encode("latin-1"), "file-not-utf8"),
        (ledger(ROW).encode("utf-16"), "file-nul-byte"),
    ],
    ids=["empty", "latin-1", "utf-16"],
)
def test_an_unreadable_file_reports_only_why_it_cannot_be_read(coop, content, code):
    problems = coop({L: content})
    assert {p.code for p in problems} == {code}


# -- CSV structure ------------------------------------------------------------------------------


def test_a_row_after_a_three_line_quoted_description_gets_its_physical_line(coop):
    problems = coop(
        {
            L: ledger(
                '2026-01-05,"Paint,\nbrushes\nand tape",12.50,dues,,,,,\n',
                "2026-01-06,Dues,x,dues,,,,,\n",
            )
        }
    )
    assert codes_at(problems) == {(L, 5, "amount-not-a-number")}


def test_read_table_gives_each_row_the_line_it_starts_on():
    table = read_table(
        ledger(
            '2026-01-05,"a\nb\nc",1,dues,,,,,\n', ROW, '2026-01-07,"d\r\ne",1,dues,,,,,\n', ROW
        ).encode(),
        L,
    )
    assert table.problems == []
    assert list(table.frame["line"]) == [2, 5, 6, 8]
    assert table.frame["description"][0] == "a\nb\nc"


def test_lines_after_a_quoted_multiline_cell_are_right_in_a_file_with_a_ragged_row(coop):
    # The ragged row sends the file through the record-by-record reader.
    problems = coop(
        {
            L: ledger(
                '2026-01-05,"a\nb\nc",1,dues,,,,,\n',
                "2026-01-06,Dues,1,dues,,,,\n",
                "2026-01-07,Dues,x,dues,,,,,\n",
            )
        }
    )
    assert codes_at(problems) == {(L, 5, "csv-ragged-row"), (L, 6, "amount-not-a-number")}


def test_a_cell_after_a_multiline_cell_is_located_on_the_line_where_it_starts(coop):
    problems = coop({L: ledger('2026-01-05,"a\nb\nc",x,dues,,,,,\n')})
    (found,) = problems
    assert (found.line, found.column, found.code) == (4, 4, "amount-not-a-number")


def test_blank_lines_between_rows_are_skipped_and_counted(coop):
    problems = coop({L: ledger(ROW, "\n", ",,,,,,,,\n", "2026-01-07,Dues,x,dues,,,,,\n")})
    assert codes_at(problems) == {(L, 5, "amount-not-a-number")}


def test_both_readers_treat_a_row_of_spaces_alike(coop):
    spaces = " , , , , , , , , \n"
    fast = coop({L: ledger(ROW, spaces)})
    careful = coop({L: ledger(ROW, spaces, "2026-01-07,Dues,1,dues\n")})
    assert {p for p in codes_at(fast) if p[1] == 3} == {p for p in codes_at(careful) if p[1] == 3}


def test_crlf_line_endings_give_the_same_lines(coop):
    text = ledger('2026-01-05,"two\nlines",1,dues,,,,,\n', "2026-01-07,Dues,x,dues,,,,,\n")
    problems = coop({L: text.replace("\n", "\r\n").encode()})
    assert codes_at(problems) == {(L, 4, "amount-not-a-number")}


def test_lone_cr_line_endings_give_the_same_lines(coop):
    problems = coop({L: ledger(ROW, "2026-01-07,Dues,x,dues,,,,,\n").replace("\n", "\r").encode()})
    assert codes_at(problems) == {(L, 3, "amount-not-a-number")}


def test_a_utf8_bom_is_accepted_and_does_not_shift_lines_or_columns(coop):
    problems = coop({L: b"\xef\xbb\xbf" + ledger(ROW, "2026-01-07,Dues,x,dues,,,,,\n").encode()})
    assert [(p.path, p.line, p.column, p.code) for p in problems] == [
        (L, 3, 17, "amount-not-a-number")
    ]


def test_a_bom_and_crlf_file_is_clean(coop):
    assert coop({L: b"\xef\xbb\xbf" + ledger(ROW).replace("\n", "\r\n").encode()}) == []


def test_the_column_is_the_character_where_the_cell_starts(coop):
    rows_and_columns = [
        ("2026-01-05,Dues,x,dues,,,,,\n", 17),
        ("2026-01-06,Café ☕,x,dues,,,,,\n", 19),  # characters, not bytes
        ('2026-01-07,"Dues, ""March""",x,dues,,,,,\n', 30),
        ("2026-01-08,Dues,1,dues,x,,,,\n", 24),
    ]
    problems = coop({L: ledger(*[r for r, _ in rows_and_columns])})
    assert sorted((p.line, p.column) for p in problems if p.is_error) == [
        (n + 2, column) for n, (_, column) in enumerate(rows_and_columns)
    ]


def test_columns_follow_the_dialect_delimiter(coop):
    problems = coop(
        {L: ledger("2026-01-05,Dues,x,dues,,,,,\n").replace(",", ";")}, accounts=SEMICOLON_COMMA
    )
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 17, "amount-not-a-number")]


@covers("csv-unterminated-quote")
def test_an_unterminated_quote_is_reported_on_the_line_it_opens(coop):
    problems = coop({L: ledger(ROW, '2026-01-06,"Dues,12.50,dues,,,,,\n', ROW, ROW)})
    assert codes_at(problems) == {(L, 3, "csv-unterminated-quote")}


@covers("csv-stray-quote")
def test_a_stray_quote_is_reported_on_its_line(coop):
    # The ragged last row makes sure the careful reader reads this file.
    problems = coop(
        {L: ledger(ROW, '2026-01-06,"Dues" March,12.50,dues,,,,,\n', "2026-01-07,Dues,1,dues\n")}
    )
    assert (L, 3, "csv-stray-quote") in codes_at(problems)


@covers("csv-stray-quote")
def test_a_stray_quote_in_an_amount_is_never_read_as_a_number(coop):
    problems = coop({L: ledger(ROW, '2026-01-06,Dues,"12"50,dues,,,,,\n')})
    assert (L, 3, "csv-stray-quote") in codes_at(problems)


@covers("csv-ragged-row")
def test_rows_with_too_few_or_too_many_cells_are_reported(coop):
    problems = coop(
        {
            L: ledger(
                ROW,
                "2026-01-06,Dues,12.50,dues\n",
                "2026-01-07,Paint, brushes,-3,tools,,,,,\n",
                "2026-01-08,Dues,12.50,dues,,,,,\n",
            )
        }
    )
    assert codes_at(problems) == {(L, 3, "csv-ragged-row"), (L, 4, "csv-ragged-row")}


@covers("column-missing")
def test_a_missing_required_column_is_reported_on_the_header(coop):
    problems = coop({L: "date,description,amount\n2026-01-05,Dues,12.50\n"})
    assert codes_at(problems) == {(L, 1, "column-missing")}


def test_the_missing_column_message_suggests_a_misspelt_header(coop):
    problems = coop({L: "date,description,amout,category\n2026-01-05,Dues,12.50,dues\n"})
    (missing,) = with_code(problems, "column-missing")
    assert '"amount"' in missing.message and '"amout"' in missing.message


@covers("column-duplicated")
def test_a_duplicated_column_is_reported(coop):
    problems = coop({L: "date,description,amount,category,amount\n2026-01-05,D,1,dues,2\n"})
    assert codes_at(problems) == {(L, 1, "column-duplicated")}


@covers("column-unknown", "column-missing")
def test_a_header_in_another_case_is_read_as_the_format_column(coop):
    # A spreadsheet user writes "Date" and " AMOUNT ": no other column could be meant.
    problems = coop({L: "Date,DESCRIPTION, Amount ,Category\n2026-01-05,Dues,12.50,dues\n"})
    assert codes_at(problems) == set()
    problems = coop({L: "Date,description,amount,categry\n2026-01-05,Dues,12.50,dues\n"})
    assert codes_at(problems) == {(L, 1, "column-unknown"), (L, 1, "column-missing")}


def test_a_header_in_two_spellings_is_a_duplicate(coop):
    problems = coop({L: "date,description,amount,category,Amount\n2026-01-05,D,1,dues,2\n"})
    assert codes_at(problems) == {(L, 1, "column-duplicated")}


def test_an_unknown_column_is_located_by_column(coop):
    problems = coop({L: "date,description,amount,category,memo\n2026-01-05,Dues,12.50,dues,x\n"})
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 34, "column-unknown")]


def test_spaces_around_header_names_and_a_trailing_separator_are_harmless(coop):
    text = " date , description,amount,category,\n2026-01-05,Dues,12.50,dues,\n"
    assert coop({L: text}) == []


@covers("value-missing")
def test_an_empty_required_cell_is_reported_at_its_column(coop):
    rows_and_columns = [
        (",Dues 1,12.50,dues,,,,,\n", 1),
        ("2026-01-05,,12.50,dues,,,,,\n", 12),
        ("2026-01-05,Dues 2,,dues,,,,,\n", 19),
        ("2026-01-05,Dues 3,12.50,,,,,,\n", 25),
        ("2026-01-05,Dues 4, ,dues,,,,,\n", 19),
    ]
    problems = coop({L: ledger(ROW, *[r for r, _ in rows_and_columns])})
    assert sorted((p.path, p.line, p.column, p.code) for p in problems) == [
        (L, n + 3, column, "value-missing") for n, (_, column) in enumerate(rows_and_columns)
    ]


# -- Dates --------------------------------------------------------------------------------------


BAD_DATES = [
    ("21/11/2025", "date-format"),
    ("2025-2-3", "date-format"),
    ("11/21/2025", "date-format"),
    ("2025.11.21", "date-format"),
    ("yesterday", "date-format"),
    ("45981", "date-format"),
    ("2025-11-21T10:00", "date-format"),
    ("2025-13-01", "date-impossible"),
    ("2025-02-29", "date-impossible"),
    ("2026-04-31", "date-impossible"),
    ("2026-00-10", "date-impossible"),
]


@covers("date-format", "date-impossible")
def test_each_kind_of_bad_date_has_its_code(coop):
    rows = [f"{cell},Dues {n},12.50,dues,,,,,\n" for n, (cell, _) in enumerate(BAD_DATES)]
    problems = coop({L: ledger(ROW, *rows)})
    assert codes_at(problems) == {(L, n + 3, code) for n, (_, code) in enumerate(BAD_DATES)}
    assert {p.column for p in problems} == {1}


def test_the_date_format_message_rewrites_an_unambiguous_date(coop):
    problems = coop({L: ledger("21/11/2025,Dues,12.50,dues,,,,,\n")})
    (found,) = problems
    assert "2025-11-21" in found.message


def test_a_leap_day_is_a_date(coop):
    assert coop({"ledgers/2024.csv": ledger("2024-02-29,Dues,12.50,dues,,,,,\n")}) == []


@covers("date-in-future")
def test_a_date_after_today_is_reported_relative_to_the_today_passed_in(coop):
    files = {L: ledger("2026-11-21,Dues,1,dues,,,,,\n", "2026-11-22,Dues,1,dues,,,,,\n")}
    assert codes_at(coop(files, today=TODAY)) == {(L, 3, "date-in-future")}
    assert coop(files, today=dt.date(2026, 11, 22)) == []
    assert codes_at(coop(files, today=dt.date(2026, 11, 20))) == {
        (L, 2, "date-in-future"),
        (L, 3, "date-in-future"),
    }


@covers("date-in-future")
def test_a_balance_assertion_in_the_future_is_reported(coop):
    problems = coop(
        {L: ledger(ROW), "ledgers/balances.csv": "date,fund,balance\n2027-01-01,general,12.50\n"}
    )
    assert codes_at(problems) == {("ledgers/balances.csv", 2, "date-in-future")}


# -- Amounts ------------------------------------------------------------------------------------


BAD_AMOUNTS = [
    ('"12,50"', "amount-decimal-comma"),
    ("€12.50", "amount-currency-symbol"),
    ("12.50 EUR", "amount-currency-symbol"),
    ("$12", "amount-currency-symbol"),
    ('"1,234.56"', "amount-thousands-separator"),
    ("1 234.56", "amount-thousands-separator"),
    ("1'234.56", "amount-thousands-separator"),
    ("1.2E+03", "amount-exponent"),
    ("1e3", "amount-exponent"),
    ("NaN", "amount-not-a-number"),
    ("#VALUE!", "amount-not-a-number"),
    ("inf", "amount-not-a-number"),
    ("n/a", "amount-not-a-number"),
    ("(12.50)", "amount-invalid"),
    ("12.50-", "amount-invalid"),
    ("--12", "amount-invalid"),
    (".50", "amount-invalid"),
    ("12.", "amount-invalid"),
    ("12.5.0", "amount-invalid"),
    ("12.505", "amount-too-many-decimals"),
    ("1234567890123456", "amount-too-large"),
]


@covers(*{code for _, code in BAD_AMOUNTS})
def test_each_kind_of_bad_amount_has_its_code(coop):
    # One row per bad amount, each on its own line: line n + 3 holds BAD_AMOUNTS[n].
    rows = [f"2026-01-06,Dues {n},{cell},dues,,,,,\n" for n, (cell, _) in enumerate(BAD_AMOUNTS)]
    problems = coop({L: ledger(ROW, *rows)})
    assert {(p.path, p.line, p.column, p.code) for p in problems} == {
        (L, n + 3, len(f"2026-01-06,Dues {n},") + 1, code)
        for n, (_, code) in enumerate(BAD_AMOUNTS)
    }


def test_the_decimal_comma_message_gives_the_fix_and_the_dialect_setting(coop):
    (found,) = coop({L: ledger('2026-01-06,Dues,"12,50",dues,,,,,\n')})
    assert "12.50" in found.message
    assert "csv" in found.message and "decimal" in found.message


@pytest.mark.parametrize(
    "cell, fix",
    [("€12.50", "12.50"), ('"1,234.56"', "1234.56"), ("(12.50)", "-12.50"), ("12.50-", "-12.50")],
)
def test_amount_messages_spell_out_the_fixed_amount(coop, cell, fix):
    (found,) = coop({L: ledger(f"2026-01-06,Dues,{cell},dues,,,,,\n")})
    assert f'"{fix}"' in found.message


@covers("amount-decimal-point")
def test_a_decimal_point_in_a_decimal_comma_repository_is_reported(coop):
    files = {
        L: ledger("2026-01-05,Dues,12,50,dues,,,,,\n", "2026-01-06,Dues,12.50,dues,,,,,\n")
        .replace(",", ";")
        .replace("12;50", "12,50")
    }
    problems = coop(files, accounts=SEMICOLON_COMMA)
    assert codes_at(problems) == {(L, 3, "amount-decimal-point")}


def test_the_decimal_comma_dialect_reads_amounts_exactly(coop):
    rows = [
        "2026-01-05;Dues;12,50;dues;;;;;\n",
        "2026-01-06;Rent;-2,05;rent;;;;;\n",
        "2026-01-07;Dues;+3;dues;;;;;\n",
    ]
    files = {
        L: H.replace(",", ";") + "".join(rows),
        "ledgers/balances.csv": "date;fund;balance\n2026-01-07;general;13,45\n",
        "ledgers/budget.csv": "year;category;amount\n2026;dues;100,5\n",
    }
    assert coop(files, accounts=SEMICOLON_COMMA) == []


def test_a_tab_delimited_repository_is_read(coop):
    accounts = ACCOUNTS + 'csv: {delimiter: "\\t"}\n'
    assert coop({L: ledger(ROW).replace(",", "\t")}, accounts=accounts) == []


@covers("amount-too-many-decimals")
@pytest.mark.parametrize(
    "currency, cell, ok",
    [
        ("JPY", "1250", True),
        ("JPY", "12.5", False),
        ("KWD", "1.250", True),
        ("KWD", "1.2505", False),
        ("EUR", "12.5", True),
        ("EUR", "12", True),
    ],
)
def test_decimals_follow_the_currency_minor_units(coop, currency, cell, ok):
    accounts = MINIMAL.replace("EUR", currency)
    problems = coop({L: ledger(f"2026-01-05,Dues,{cell},dues,,,,,\n")}, accounts=accounts)
    assert codes_at(problems) == (set() if ok else {(L, 2, "amount-too-many-decimals")})


@pytest.mark.parametrize("cell", ["１２００", "١٢.٥٠"])
def test_non_ascii_digits_in_an_amount_are_a_problem_not_a_crash(coop, cell):
    problems = coop({L: ledger(f"2026-01-05,Dues,{cell},dues,,,,,\n")})
    assert [(p.line, p.is_error) for p in problems] == [(2, True)]


def test_a_budget_year_in_full_width_digits_is_reported(coop):
    problems = coop({"ledgers/budget.csv": "year,category,amount\n２０２６,dues,10\n"})
    assert codes_at(problems) == {("ledgers/budget.csv", 2, "budget-year-invalid")}


@covers("amount-zero")
def test_a_zero_amount_is_a_warning(coop):
    problems = coop(
        {L: ledger(ROW, "2026-01-06,Nothing,0.00,rent,,,,,\n", "2026-01-07,Nil,-0,rent,,,,,\n")}
    )
    assert codes_at(problems) == {(L, 3, "amount-zero"), (L, 4, "amount-zero")}
    assert not any(p.is_error for p in problems)


@covers("amount-against-direction")
def test_money_against_the_category_direction_is_an_error_unless_marked_refund(coop):
    problems = coop(
        {
            L: ledger(
                OPENING,
                "2026-01-05,Dues refund,-12.50,dues,,,,,\n",
                "2026-01-06,Rent refund,30,rent,,,,,\n",
                "2026-01-07,Rent,-30,rent,,,,,\n",
                "2026-01-08,Opening,-5,opening,,,,,\n",
                "2026-01-09,Dues paid back,-12.50,dues,,,,,refund: paid twice\n",
            )
        }
    )
    assert codes_at(problems) == {
        (L, 3, "amount-against-direction"),
        (L, 4, "amount-against-direction"),
    }
    assert all(p.is_error for p in problems)


# -- References between files -------------------------------------------------------------------


@covers("category-unknown")
def test_an_unknown_category_is_reported_with_the_close_one(coop):
    problems = coop({L: ledger(ROW, "2026-01-06,Rent,300,rnet,,,,,\n")})
    assert codes_at(problems) == {(L, 3, "category-unknown")}
    (found,) = problems
    assert found.column == 21
    assert '"rent"' in found.message


@covers("fund-unknown")
def test_an_unknown_fund_is_reported_in_ledgers_budgets_and_balances(coop):
    problems = coop(
        {
            L: ledger(ROW, "2026-01-06,Dues,1,dues,comons,,,,\n"),
            "ledgers/budget.csv": "year,category,amount,fund\n2026,dues,10,reserve\n",
            "ledgers/balances.csv": "date,fund,balance\n2026-01-06,savings,0\n",
        }
    )
    assert {(p.path, p.line) for p in with_code(problems, "fund-unknown")} == {
        (L, 3),
        ("ledgers/budget.csv", 2),
        ("ledgers/balances.csv", 2),
    }
    (in_ledger,) = [p for p in with_code(problems, "fund-unknown") if p.path == L]
    assert '"commons"' in in_ledger.message


def test_an_empty_fund_cell_is_the_default_fund(coop):
    files = {
        L: ledger(ROW),
        "ledgers/balances.csv": "date,fund,balance\n2026-01-05,general,12.50\n",
    }
    assert coop(files) == []


@covers("id-duplicate")
def test_an_id_used_in_two_ledger_files_is_reported_once_on_the_later_row(coop):
    problems = coop(
        {
            "ledgers/2025.csv": ledger("2025-12-30,Dues,5,dues,,,,tx-1,\n"),
            L: ledger(
                ROW, "2026-01-06,Dues,5,dues,,,,tx-1,\n", "2026-01-07,Dues,5,dues,,,,tx-2,\n"
            ),
        }
    )
    assert codes_at(problems) == {(L, 3, "id-duplicate")}
    (found,) = problems
    assert "ledgers/2025.csv" in found.message


def test_distinct_ids_and_empty_ids_are_fine(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-06,A,5,dues,,,,tx-1,\n",
                "2026-01-06,B,5,dues,,,,tx-2,\n",
                "2026-01-07,C,5,dues,,,,,\n",
                "2026-01-08,D,6,dues,,,,,\n",
            )
        }
    )
    assert problems == []


@covers("transfer-unbalanced")
def test_transfers_must_net_to_zero_on_each_date(coop):
    problems = coop(
        {
            L: ledger(
                OPENING,
                "2026-01-05,To commons,-100,transfer,general,,,,\n",
                "2026-01-05,To commons,100,transfer,commons,,,,\n",
                "2026-02-05,To commons,-100,transfer,general,,,,\n",
                "2026-02-05,To commons,99.99,transfer,commons,,,,\n",
            )
        }
    )
    assert codes_at(problems) == {(L, 5, "transfer-unbalanced")}
    (found,) = problems
    assert "-0.01" in found.message


def test_balanced_transfers_across_two_files_are_fine(coop):
    problems = coop(
        {
            L: ledger(OPENING, "2026-01-05,To commons,-100,transfer,general,,,,\n"),
            "ledgers/2026-commons.csv": ledger(
                "2026-01-05,From general,100,transfer,commons,,,,\n"
            ),
        }
    )
    assert problems == []


@covers("transfer-unbalanced")
def test_a_lone_transfer_row_is_unbalanced(coop):
    problems = coop({L: ledger(ROW, "2026-03-01,To commons,50,transfer,commons,,,,\n")})
    assert codes_at(problems) == {(L, 3, "transfer-unbalanced")}


BALANCE_LEDGER = ledger(
    "2026-01-01,Opening,100.00,opening,,,,,\n",
    "2026-01-05,Dues,12.50,dues,,,,,\n",
    "2026-01-05,Rent,-50.25,rent,,,,,\n",
    "2026-01-06,To commons,-10,transfer,general,,,,\n",
    "2026-01-06,To commons,10,transfer,commons,,,,\n",
    "2026-02-01,Dues,1000,dues,,,,,\n",
)
NOT_RECONCILED = ("ledgers/2026.csv", 7, "rows-not-reconciled")  # the row of 2026-02-01
AFTER_JAN_5 = ("ledgers/2026.csv", 5, "rows-not-reconciled")  # the rows from 2026-01-06 on


@pytest.mark.parametrize(
    "assertion, expected",
    [
        ("2026-01-05,general,62.25", {AFTER_JAN_5}),
        (
            "2026-01-05,general,62.26",
            {("ledgers/balances.csv", 2, "balance-mismatch"), AFTER_JAN_5},
        ),
        (
            "2026-01-05,general,62.24",
            {("ledgers/balances.csv", 2, "balance-mismatch"), AFTER_JAN_5},
        ),
        ("2026-01-06,general,52.25", {NOT_RECONCILED}),
        ("2026-01-06,commons,10.00", set()),
        ("2026-01-06,commons,0", {("ledgers/balances.csv", 2, "balance-mismatch")}),
        ("2025-12-31,general,0", {("ledgers/2026.csv", 2, "rows-not-reconciled")}),
        (
            "2025-12-31,general,100",
            {
                ("ledgers/balances.csv", 2, "balance-mismatch"),
                ("ledgers/2026.csv", 2, "rows-not-reconciled"),
            },
        ),
        ("2026-02-01,general,1052.25", set()),
    ],
)
def test_a_balance_assertion_is_checked_against_the_rows_up_to_its_day(coop, assertion, expected):
    problems = coop(
        {L: BALANCE_LEDGER, "ledgers/balances.csv": f"date,fund,balance\n{assertion}\n"}
    )
    assert codes_at(problems) == expected


covers("balance-mismatch")(test_a_balance_assertion_is_checked_against_the_rows_up_to_its_day)


def test_the_balance_mismatch_message_states_asserted_computed_and_difference(coop):
    (found,) = with_code(
        coop(
            {
                L: BALANCE_LEDGER,
                "ledgers/balances.csv": "date,fund,balance\n2026-01-05,general,62.26\n",
            }
        ),
        "balance-mismatch",
    )
    assert "62.26" in found.message and "62.25" in found.message and "0.01" in found.message
    assert found.column == 20


@covers("likely-double-entry")
def test_two_identical_rows_without_id_are_a_double_entry_error(coop):
    row = "2026-01-05,Monthly dues,12.50,dues,,Ann,,,\n"
    problems = coop({L: ledger(row, ROW, row)})
    assert codes_at(problems) == {(L, 2, "likely-double-entry")}
    assert all(p.is_error for p in problems)


def test_identical_rows_with_distinct_ids_are_two_movements(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-05,Monthly dues,12.50,dues,,Ann,,a,\n",
                "2026-01-05,Monthly dues,12.50,dues,,Ann,,b,\n",
            )
        }
    )
    assert problems == []


def test_rows_differing_in_one_field_are_not_double_entries(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-05,Monthly dues,12.50,dues,,Ann,,,\n",
                "2026-01-05,Monthly dues,12.50,dues,,Bob,,,\n",
                "2026-01-05,Monthly dues,12.50,dues,commons,Ann,,,\n",
                "2026-01-06,Monthly dues,12.50,dues,,Ann,,,\n",
            )
        }
    )
    assert problems == []


# -- Budgets ------------------------------------------------------------------------------------

B = "ledgers/budget.csv"
BUDGET_HEADER = "year,category,amount,fund\n"


def budget(*rows: str) -> dict[str, str]:
    return {B: BUDGET_HEADER + "".join(rows)}


@covers("budget-amount-negative")
def test_a_negative_budget_amount_is_reported(coop):
    problems = coop(budget("2026,dues,100,\n", "2026,rent,-4800,\n"))
    assert codes_at(problems) == {(B, 3, "budget-amount-negative")}
    assert '"4800.00"' in problems[0].message


def test_a_zero_budget_line_is_allowed(coop):
    assert coop(budget("2026,rent,0,\n")) == []


@covers("category-unknown")
def test_an_unknown_budget_category_is_reported(coop):
    problems = coop(budget("2026,dues,100,\n", "2026,rents,100,\n"))
    assert codes_at(problems) == {(B, 3, "category-unknown")}


@covers("budget-category-wrong-kind")
@pytest.mark.parametrize("category", ["transfer", "opening"])
def test_a_budget_line_for_a_transfer_or_opening_category_is_reported(coop, category):
    problems = coop(budget("2026,dues,100,\n", f"2026,{category},100,\n"))
    assert codes_at(problems) == {(B, 3, "budget-category-wrong-kind")}


@covers("budget-duplicate-line")
def test_two_budget_lines_for_the_same_year_category_and_fund_are_reported(coop):
    problems = coop(
        budget(
            "2026,rent,100,\n",
            "2026,rent,100,commons\n",
            "2027,rent,100,\n",
            "2026,rent,50,general\n",
        )
    )
    assert codes_at(problems) == {(B, 5, "budget-duplicate-line")}


def test_budget_duplicates_are_found_across_budget_files(coop):
    problems = coop(
        {
            B: BUDGET_HEADER + "2026,rent,100,\n",
            "ledgers/budget-2026b.csv": BUDGET_HEADER + "2026,rent,5,\n",
        }
    )
    # Files are read in name order: budget-2026b.csv comes first.
    assert codes_at(problems) == {("ledgers/budget.csv", 2, "budget-duplicate-line")}


@covers("budget-year-invalid")
def test_a_budget_year_that_is_not_four_digits_is_reported(coop):
    years = ["26", "FY2026", "2026.0", "20266", "2026-01-01"]
    problems = coop(
        budget("2026,dues,100,\n", *[f"{year},rent,{n},\n" for n, year in enumerate(years)])
    )
    assert codes_at(problems) == {(B, n + 3, "budget-year-invalid") for n in range(len(years))}


def test_budget_files_need_their_columns(coop):
    problems = coop({B: "year,amount\n2026,100\n"})
    assert codes_at(problems) == {(B, 1, "column-missing")}


# -- Too many problems --------------------------------------------------------------------------


@covers("too-many-problems")
def test_more_than_the_limit_of_bad_rows_is_summarized_in_one_problem(coop):
    bad = ROW_PROBLEM_LIMIT + 7
    problems = coop({L: ledger(*["2026-01-05,Dues,x,dues,,,,,\n"] * bad)})
    listed = with_code(problems, "amount-not-a-number")
    assert [p.line for p in listed] == list(range(2, 2 + ROW_PROBLEM_LIMIT))
    (summary,) = with_code(problems, "too-many-problems")
    assert (summary.path, summary.line) == (L, 2 + ROW_PROBLEM_LIMIT)
    assert "7" in summary.message and not summary.is_error


def test_exactly_the_limit_of_bad_rows_is_listed_without_a_summary(coop):
    problems = coop({L: ledger(*["2026-01-05,Dues,x,dues,,,,,\n"] * ROW_PROBLEM_LIMIT)})
    assert len(problems) == ROW_PROBLEM_LIMIT
    assert not with_code(problems, "too-many-problems")


def test_the_limit_counts_per_file(coop):
    half = ROW_PROBLEM_LIMIT // 2 + 1
    problems = coop(
        {
            L: ledger(*["2026-01-05,Dues,x,dues,,,,,\n"] * half),
            "ledgers/2025.csv": ledger(*["2025-01-05,Dues,x,dues,,,,,\n"] * half),
        }
    )
    assert len(problems) == 2 * half


# -- YAML ---------------------------------------------------------------------------------------


@covers("yaml-syntax")
@pytest.mark.parametrize(
    "text, line",
    [
        ("name: X\ncurrency: [EUR\ncategories:\n  dues: {kind: income}\n", 3),
        ("name: X\n  currency: EUR\n", 2),
        ("name: X\n\tcurrency: EUR\n", 2),
        (MINIMAL + "x: *undefined\n", 5),
        (MINIMAL + "---\nname: Y\n", 5),
    ],
)
def test_a_yaml_syntax_error_is_reported_with_its_line(coop, text, line):
    assert codes_at(coop({}, accounts=text)) == {(A, line, "yaml-syntax")}


@pytest.mark.parametrize("value", ["0x_", "!!bool maybe", "!!omap [a: 1, a: 2]"])
def test_yaml_values_that_cannot_be_constructed_are_problems_not_crashes(value):
    result = load_yaml(MINIMAL + f"label: {value}\n", A)
    assert [p.code for p in result.problems] == ["yaml-syntax"]


def test_an_impossible_yaml_date_is_reported_on_its_line():
    _, problems = parse_accounts(MINIMAL + "closed_through: 2025-02-30\n")
    assert [(p.line, p.code in {"yaml-syntax", "accounts-value-invalid"}) for p in problems] == [
        (5, True)
    ]


@covers("yaml-duplicate-key")
def test_a_duplicate_key_is_reported_on_its_second_occurrence(coop):
    text = "name: X\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n  dues: {kind: expense}\n"
    problems = coop({}, accounts=text)
    assert codes_at(problems) == {(A, 5, "yaml-duplicate-key")}
    assert '"dues"' in problems[0].message


@covers("yaml-too-deep")
def test_yaml_nested_too_deep_is_refused():
    result = load_yaml(MINIMAL + "x: " + "[" * 200 + "]" * 200 + "\n", A)
    assert codes_at(result.problems) == {(A, 5, "yaml-too-deep")}
    assert result.data is None


@covers("yaml-too-deep")
def test_block_yaml_nested_too_deep_is_refused():
    text = "".join("  " * depth + f"k{depth}:\n" for depth in range(40)) + "  " * 40 + "v: 1\n"
    result = load_yaml(text, A)
    assert [p.code for p in result.problems] == ["yaml-too-deep"]


@covers("yaml-too-many-aliases")
def test_a_billion_laughs_alias_bomb_is_refused_quickly(coop):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = MINIMAL + "\n".join(lines) + "\n"
    started = time.perf_counter()
    problems = coop({L: ledger(ROW)}, accounts=text)
    elapsed = time.perf_counter() - started
    assert elapsed < 5
    assert [(p.path, p.code) for p in problems] == [(A, "yaml-too-many-aliases")]
    assert problems[0].line is not None and 5 <= problems[0].line <= 13


def test_a_few_aliases_are_fine():
    text = MINIMAL.replace(
        "categories:\n  dues: {kind: income}\n",
        "categories:\n  dues: &inc {kind: income}\n  grants: *inc\n",
    )
    accounts, problems = parse_accounts(text)
    assert problems == []
    assert accounts.categories["grants"].kind == "income"


@covers("yaml-not-a-mapping")
@pytest.mark.parametrize(
    "text, lines", [("- name\n- currency\n", {1}), ("just text\n", {None, 1}), ("", {None, 1})]
)
def test_an_accounts_yml_that_is_not_a_mapping_is_reported(coop, text, lines):
    (found,) = coop({}, accounts=text)
    assert (found.path, found.code) == (A, "yaml-not-a-mapping")
    assert found.line in lines


def test_yaml_tags_are_never_executed():
    result = load_yaml("x: !!python/object/apply:os.system [echo hacked]\n", A)
    assert result.problems == []
    assert list(result.data["x"]) == ["echo hacked"]  # inert data, not a call


def test_yaml_decimals_are_read_exactly():
    result = load_yaml("amount: 0.10\n", A)
    assert str(result.data["amount"]) == "0.10"


def test_yaml_lines_are_offset_for_front_matter():
    result = load_yaml("a: 1\na: 2\n", "content/minutes/x.md", line_offset=1)
    assert codes_at(result.problems) == {("content/minutes/x.md", 3, "yaml-duplicate-key")}


# -- accounts.yml -------------------------------------------------------------------------------


@covers("accounts-missing")
def test_a_directory_without_accounts_yml_is_not_a_cooperative(tmp_path):
    # accounts-missing is not reported as a problem: the directory cannot be checked at all.
    write_coop(tmp_path, {L: ledger(ROW)}, accounts=None)
    with pytest.raises(NotACooperative, match="accounts.yml"):
        check_cooperative(tmp_path, today=TODAY)
    assert CODES["accounts-missing"].severity is Severity.ERROR


@covers("accounts-key-missing")
def test_each_missing_required_key_is_reported(coop):
    problems = coop({}, accounts="name: X\n")
    assert [(p.path, p.line, p.code) for p in problems] == [(A, 1, "accounts-key-missing")] * 2
    messages = " ".join(p.message for p in problems)
    assert '"currency"' in messages and '"categories"' in messages


@covers("accounts-key-unknown")
@pytest.mark.parametrize(
    "text, line, suggestion",
    [
        (MINIMAL + "categorys: {}\n", 5, '"categories"'),
        (MINIMAL + "closed_trough: 2025-12-31\n", 5, '"closed_through"'),
        (MINIMAL.replace("{kind: income}", "{kind: income, lable: Dues}"), 4, '"label"'),
        (MINIMAL + "csv:\n  delimter: ';'\n", 6, '"delimiter"'),
    ],
)
def test_an_unknown_key_is_reported_on_its_line_with_the_close_key(coop, text, line, suggestion):
    problems = coop({}, accounts=text)
    assert codes_at(problems) == {(A, line, "accounts-key-unknown")}
    assert suggestion in problems[0].message


@covers("accounts-value-invalid")
@pytest.mark.parametrize(
    "text, line",
    [
        ("name: [a, b]\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n", 1),
        (MINIMAL + "funds: [general]\n", 5),
        (MINIMAL + "funds: ~\n", 5),
        (MINIMAL.replace("{kind: income}", "{kind: income, capital: yes}"), 4),
        (MINIMAL + "public_counterparties: City Council\n", 5),
        (MINIMAL + "closed_through: last year\n", 5),
        ("name: X\ncurrency: EUR\ncategories: [dues]\n", 3),
        ("name: X\ncurrency: EUR\ncategories:\n  dues: income\n", 4),
    ],
)
def test_a_value_of_the_wrong_form_is_reported_on_its_line(coop, text, line):
    assert codes_at(coop({}, accounts=text)) == {(A, line, "accounts-value-invalid")}


@pytest.mark.parametrize(
    "text, line",
    [
        ("name:\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n", 1),
        (MINIMAL + "funds:\n", 5),
        (MINIMAL + "funds:\n\n\nclosed_through: 2025-01-01\n", 5),
        (MINIMAL + "closed_through:\n", 5),
    ],
)
def test_an_empty_value_is_reported_on_the_line_of_its_key(coop, text, line):
    assert codes_at(coop({}, accounts=text)) == {(A, line, "accounts-value-invalid")}


@covers("currency-unknown")
@pytest.mark.parametrize("currency", ["EURO", "€", "XYZ", "12"])
def test_an_unknown_currency_is_reported(coop, currency):
    problems = coop({}, accounts=MINIMAL.replace("EUR", currency))
    assert codes_at(problems) == {(A, 2, "currency-unknown")}


def test_a_lower_case_currency_is_accepted():
    accounts, problems = parse_accounts(MINIMAL.replace("EUR", "eur"))
    assert problems == [] and accounts.currency == "EUR" and accounts.minor_units == 2


@covers("category-kind-invalid")
@pytest.mark.parametrize(
    "spec, line",
    [("{kind: incme}", 4), ("{kind: Income}", 4), ("{label: Dues}", 4), ("\n    kind: revenue", 5)],
)
def test_an_invalid_category_kind_is_reported(coop, spec, line):
    problems = coop({}, accounts=MINIMAL.replace("{kind: income}", spec))
    assert codes_at(problems) == {(A, line, "category-kind-invalid")}


def test_the_kind_message_names_the_close_kind(coop):
    (found,) = coop({}, accounts=MINIMAL.replace("{kind: income}", "{kind: incme}"))
    assert '"income"' in found.message


@covers("csv-dialect-invalid")
@pytest.mark.parametrize(
    "dialect, line",
    [
        ("csv: {delimiter: ':'}", 5),
        ("csv: {decimal: ';'}", 5),
        ("csv: {delimiter: ',', decimal: ','}", 5),
        ("csv: {decimal: ','}", 5),  # the default delimiter is a comma too
        ("csv: semicolon", 5),
        ("csv:\n  delimiter: ';'\n  decimal: '·'", 7),
    ],
)
def test_an_unusable_csv_dialect_is_reported(coop, dialect, line):
    problems = coop({}, accounts=MINIMAL + dialect + "\n")
    assert codes_at(problems) == {(A, line, "csv-dialect-invalid")}


def test_problems_in_accounts_yml_stop_the_ledgers_being_checked(coop):
    problems = coop(
        {L: ledger("2026-01-05,Dues,xx,dues,,,,,\n")}, accounts=MINIMAL.replace("EUR", "EURO")
    )
    assert {p.path for p in problems} == {A}


def test_the_example_accounts_yml_of_the_formats_is_valid():
    text = """\
name: Riverside Tool Library        # required
currency: EUR                       # required, ISO 4217; every amount is in this currency
funds:                              # optional; default: one fund named "general"
  general: Day-to-day running costs
  commons: Common fund (reinvested surplus)
categories:                         # required; every category a ledger or budget uses
  dues:     {kind: income, label: Membership dues}
  grants:   {kind: income}
  rent:     {kind: expense}
  tools:    {kind: expense, label: Tools and equipment, capital: true}
  transfer: {kind: transfer}        # moves money between funds
  opening:  {kind: opening}         # opening balances
public_counterparties:              # published by name; every other one is "private"
  - City Council
  - Hardware Cooperative
closed_through: 2025-12-31          # optional: rows dated on or before this day are frozen
csv: {delimiter: ",", decimal: "."} # optional dialect of this repository's CSV files
"""
    accounts, problems = parse_accounts(text)
    assert problems == []
    assert accounts.default_fund == "general"
    assert accounts.categories["tools"].capital is True
    assert accounts.categories["dues"].label == "Membership dues"
    assert accounts.closed_through == dt.date(2025, 12, 31)
    assert accounts.public_counterparties == frozenset({"City Council", "Hardware Cooperative"})


# -- Never publish a wrong number ---------------------------------------------------------------


@covers("amount-against-direction")
@pytest.mark.parametrize(
    "note", ["refund: drill returned to the shop", "Refund", "  REFUND - paid twice"]
)
def test_a_row_against_its_direction_marked_refund_gives_no_problem(coop, note):
    problems = coop({L: ledger(OPENING, f"2026-01-06,Drill returned,30,tools,,,,,{note}\n")})
    assert problems == []


@pytest.mark.parametrize("note", ["", "refunded by the shop", "not a refund", "returned"])
def test_a_row_against_its_direction_without_the_refund_word_is_an_error(coop, note):
    problems = coop({L: ledger(OPENING, f"2026-01-06,Drill returned,30,tools,,,,,{note}\n")})
    assert codes_at(problems) == {(L, 3, "amount-against-direction")}
    (found,) = problems
    assert found.is_error and "refund" in found.message


def test_a_marked_refund_reduces_its_category_total(tmp_path):
    from publisher.summary import summarize

    write_coop(
        tmp_path,
        {
            L: ledger(
                OPENING,
                "2026-01-05,Drill,-100,tools,,,,,\n",
                "2026-01-06,Drill back,30,tools,,,,,refund\n",
            )
        },
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert problems == []
    assert summarize(cooperative).years[2026].categories["tools"] == -7000


@covers("likely-double-entry")
def test_identical_rows_are_one_error_on_the_first_line_naming_every_line(coop):
    row = "2026-01-05,Monthly dues,12.50,dues,,Ann,,,\n"
    problems = coop({L: ledger(row, ROW, row, row), "ledgers/cash.csv": ledger(row)})
    assert codes_at(problems) == {(L, 2, "likely-double-entry")}
    (found,) = problems
    assert found.is_error
    for place in (f"{L} line 2", f"{L} line 4", f"{L} line 5", "ledgers/cash.csv line 2"):
        assert place in found.message


def test_identical_rows_one_without_an_id_are_a_double_entry(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-05,Dues,12.50,dues,,Ann,,a1,\n", "2026-01-05,Dues,12.50,dues,,Ann,,,\n"
            )
        }
    )
    assert codes_at(problems) == {(L, 2, "likely-double-entry")}


def test_identical_rows_that_differ_only_in_the_note_are_a_double_entry(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-05,Dues,12.50,dues,,Ann,,,x\n", "2026-01-05,Dues,12.50,dues,,Ann,,,y\n"
            )
        }
    )
    assert codes_at(problems) == {(L, 2, "likely-double-entry")}


def test_many_groups_of_double_entries_keep_the_cap(coop):
    rows = [
        f"2026-01-{day:02d},Dues {n},1,dues,,,,,\n"
        for day in (5,)
        for n in range(ROW_PROBLEM_LIMIT + 3)
    ]
    problems = coop({L: ledger(*rows, *rows)})
    found = with_code(problems, "likely-double-entry")
    assert len(found) == ROW_PROBLEM_LIMIT
    assert (L, ROW_PROBLEM_LIMIT + 2, "too-many-problems") in codes_at(problems)


@covers("date-outside-file-year")
@pytest.mark.parametrize(
    "name", ["2026.csv", "2026-bank.csv", "ledger-2026.csv", "bank_2026_03.csv"]
)
def test_a_row_of_another_year_in_a_file_named_by_a_year_is_an_error(coop, name):
    path = f"ledgers/{name}"
    problems = coop({path: ledger(ROW, "2025-12-31,Dues,12.50,dues,,,,,\n")})
    assert codes_at(problems) == {(path, 3, "date-outside-file-year")}
    (found,) = problems
    assert found.column == 1


@pytest.mark.parametrize(
    "name", ["cash.csv", "2025-2026.csv", "account-12026.csv", "invoice-1234.csv"]
)
def test_a_file_not_named_by_one_year_holds_any_year(coop, name):
    problems = coop({f"ledgers/{name}": ledger(ROW, "2025-12-31,Dues,12.50,dues,,,,,\n")})
    assert problems == []


@covers("ledgers-file-not-read")
@pytest.mark.parametrize(
    "name",
    [
        "2026.XLSX",
        "2026.xlsm",
        "2026.xls",
        "2026.numbers",
        "2026.txt",
        "2026.csv.txt",
        "2026.CSV",
        ".2026.csv",
        "notes.pdf",
    ],
)
def test_a_file_under_ledgers_that_is_not_read_is_an_error(coop, name):
    problems = coop({L: ledger(ROW), f"ledgers/{name}": ledger("2026-02-01,Dues,99,dues,,,,,\n")})
    assert codes_at(problems) == {(f"ledgers/{name}", None, "ledgers-file-not-read")}
    assert problems[0].is_error


def test_a_capitalised_csv_is_told_to_be_renamed_in_lower_case(coop):
    (found,) = coop({"ledgers/Bank.CSV": ledger(ROW)})
    assert '"Bank.csv"' in found.message


@covers("ledgers-file-not-read")
def test_a_subfolder_of_ledgers_is_an_error(coop):
    problems = coop(
        {L: ledger(ROW), "ledgers/old/2025.csv": ledger("2025-02-01,Dues,99,dues,,,,,\n")}
    )
    assert codes_at(problems) == {("ledgers/old", None, "ledgers-file-not-read")}


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "readme.txt",
        ".gitkeep",
        ".DS_Store",
        ".~lock.2026.csv#",
        "~$2026.xlsx",
        "Thumbs.db",
    ],
)
def test_expected_files_that_are_not_books_are_allowed_under_ledgers(coop, name):
    assert coop({L: ledger(ROW), f"ledgers/{name}": "anything\n"}) == []


def test_budget_and_balances_files_are_recognized_in_any_case(coop):
    problems = coop(
        {L: ledger(ROW), "ledgers/Budget-2026.csv": "year,category,amount\n2026,dues,x\n"}
    )
    assert codes_at(problems) == {("ledgers/Budget-2026.csv", 2, "amount-not-a-number")}


@covers("file-symlink")
def test_a_symbolic_link_under_ledgers_is_refused_and_never_followed(coop, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-secret.csv"
    outside.write_text(ledger("2026-02-01,Secret salary of Zed,-99,rent,,,,,\n"), encoding="utf-8")
    (tmp_path / "ledgers").mkdir(parents=True)
    (tmp_path / "ledgers" / "2026-linked.csv").symlink_to(outside)
    (tmp_path / "ledgers" / "folder").symlink_to(tmp_path.parent, target_is_directory=True)
    problems = coop({L: ledger(ROW)})
    assert codes_at(problems) == {
        ("ledgers/2026-linked.csv", None, "file-symlink"),
        ("ledgers/folder", None, "file-symlink"),
    }
    assert not any("Zed" in p.message or str(tmp_path.parent) in p.message for p in problems)


@covers("ledgers-too-many-files")
def test_more_than_a_thousand_files_under_ledgers_is_one_error(coop):
    files = {f"ledgers/{n:04d}-x.csv": ledger(ROW) for n in range(1001)}
    problems = coop(files)
    assert codes_at(problems) == {("ledgers", None, "ledgers-too-many-files")}


def test_a_thousand_files_under_ledgers_are_read(coop):
    files = {f"ledgers/part-{n:04d}.csv": H for n in range(999)}  # with accounts.yml: 1,000
    assert coop(files) == []


PLACEHOLDER_ACCOUNTS = ACCOUNTS.replace(
    "  opening: {kind: opening}\n",
    "  opening: {kind: opening}\n  uncategorized: {kind: expense, label: To be categorized, placeholder: true}\n"
    "  suspense: {kind: income, placeholder: true}\n",
)


@covers("category-placeholder")
def test_rows_and_budget_lines_in_a_placeholder_category_are_errors(coop):
    problems = coop(
        {
            L: ledger(
                OPENING,
                "2026-01-05,Card payment,-20,uncategorized,,,,,\n",
                "2026-01-06,Transfer in,5,suspense,,,,,\n",
            ),
            "ledgers/budget.csv": "year,category,amount\n2026,uncategorized,100\n",
        },
        accounts=PLACEHOLDER_ACCOUNTS,
    )
    assert codes_at(problems) == {
        (L, 3, "category-placeholder"),
        (L, 4, "category-placeholder"),
        ("ledgers/budget.csv", 2, "category-placeholder"),
    }


def test_the_uncategorized_key_is_a_placeholder_without_the_flag(coop):
    accounts = ACCOUNTS + "  uncategorized: {kind: expense}\n"
    accounts = (
        accounts.replace("public_counterparties:\n  - City Council\n", "")
        + "public_counterparties: [City Council]\n"
    )
    problems = coop(
        {L: ledger(OPENING, "2026-01-05,Card payment,20,uncategorized,,,,,\n")}, accounts=accounts
    )
    assert codes_at(problems) == {(L, 3, "category-placeholder")}  # and no direction error


def test_placeholder_rows_are_never_income_or_expense_in_the_summary(tmp_path):
    from publisher.summary import summarize

    write_coop(
        tmp_path,
        {
            L: ledger(
                OPENING,
                "2026-01-05,Card,-20,uncategorized,,,,,\n",
                "2026-01-06,Rent,-30,rent,,,,,\n",
            )
        },
        PLACEHOLDER_ACCOUNTS,
    )
    cooperative, _ = check_cooperative(tmp_path, today=TODAY)
    figures = summarize(cooperative).years[2026]
    assert "uncategorized" not in figures.categories
    assert (figures.income, figures.expense) == (0, 3000)


@covers("accounts-value-invalid")
def test_a_placeholder_flag_that_is_not_a_boolean_is_invalid():
    text = MINIMAL + "  x: {kind: expense, placeholder: maybe}\n"
    _accounts, problems = parse_accounts(text, A)
    assert codes_at(problems) == {(A, 5, "accounts-value-invalid")}


@covers("fund-below-zero")
def test_a_fund_below_zero_is_one_warning_per_dip_on_its_first_day(coop):
    problems = coop(
        {
            L: ledger(
                "2026-01-01,Opening,100,opening,,,,,\n",
                "2026-01-05,Rent,-150,rent,,,,,\n",  # 2: below zero
                "2026-01-05,Dues,20,dues,,,,,\n",  # 3: still below zero at the end of the day
                "2026-01-06,Rent,-10,rent,,,,,\n",  # 4: deeper, same dip
                "2026-01-07,Grant,100,grants,,,,,\n",  # 5: back above zero
                "2026-01-08,Rent,-100,rent,,,,,\n",  # 6: a second dip
                "2026-01-08,Commons,-1,rent,commons,,,,\n",  # 7: another fund
            )
        }
    )
    assert codes_at(problems) == {
        (L, 4, "fund-below-zero"),
        (L, 7, "fund-below-zero"),
        (L, 8, "fund-below-zero"),
    }
    assert not any(p.is_error for p in problems)
    assert "2026-01-05" in next(p.message for p in problems if p.line == 4)


def test_a_fund_dipping_below_zero_within_a_day_only_is_fine(coop):
    rows = ("2026-01-05,Rent,-150,rent,,,,,\n", "2026-01-05,Dues,200,dues,,,,,\n")
    assert coop({L: ledger(*rows)}) == []


UNREADABLE_BALANCE = {
    L: ledger(
        OPENING,
        "2026-01-05,Dues,12.50,dues,,,,,\n",
        "2026-01-06,Dues,x,dues,,,,,\n",
        "2026-13-07,Dues,1,dues,,,,,\n",
        "2026-02-01,Dues,y,dues,,,,,\n",
    ),
    "ledgers/balances.csv": "date,fund,balance\n2026-01-31,general,1014.50\n",
}


def test_a_balance_mismatch_names_the_unreadable_rows_that_may_explain_it(coop):
    problems = coop(UNREADABLE_BALANCE)
    (found,) = with_code(problems, "balance-mismatch")
    assert (found.path, found.line) == ("ledgers/balances.csv", 2)
    assert f"{L} line 4" in found.message and f"{L} line 5" in found.message
    assert f"{L} line 6" not in found.message  # dated after the assertion: cannot explain it


def test_a_transfer_difference_names_the_unreadable_transfer_rows_of_its_date(coop):
    problems = coop(
        {
            L: ledger(
                OPENING,
                "2026-01-05,To commons,-100,transfer,general,,,,\n",
                "2026-01-05,To commons,1OO,transfer,commons,,,,\n",
                "2026-01-05,To commons,100,transfre,commons,,,,\n",
                "2026-01-06,Other,x,transfer,commons,,,,\n",
            )
        }
    )
    (found,) = with_code(problems, "transfer-unbalanced")
    assert found.line == 3
    assert f"{L} line 4" in found.message and f"{L} line 5" in found.message
    assert f"{L} line 6" not in found.message


def test_a_fund_dipping_every_day_is_reported_for_the_first_dips_only(coop):
    rows = [
        f"2026-{1 + n // 28:02d}-{1 + n % 28:02d},{'Rent' if n % 2 == 0 else 'Dues'},{'-1' if n % 2 == 0 else '1'},"
        f"{'rent' if n % 2 == 0 else 'dues'},,,,,\n"
        for n in range(2 * ROW_PROBLEM_LIMIT + 10)
    ]
    problems = coop({"ledgers/cash.csv": ledger(*rows)})
    assert len(with_code(problems, "fund-below-zero")) == ROW_PROBLEM_LIMIT


@covers("rows-not-reconciled")
def test_rows_after_a_funds_last_balance_assertion_are_one_warning_per_fund(coop):
    problems = coop(
        {
            L: ledger(
                OPENING,
                "2026-01-01,Opening,100,opening,commons,,,,\n",
                "2026-02-03,Dues,5,dues,,,,,\n",  # 4: after general's assertion
                "2026-02-01,Dues,5,dues,,,,,\n",  # 5: after it too, and the earlier
                "2026-03-01,Dues,5,dues,commons,,,,\n",  # commons has no assertion: no warning
            ),
            "ledgers/balances.csv": "date,fund,balance\n2026-01-15,general,1000\n2026-01-31,general,1000\n",
        }
    )
    assert codes_at(problems) == {(L, 5, "rows-not-reconciled")}
    (found,) = problems
    assert not found.is_error and "2026-01-31" in found.message


def test_a_file_name_with_a_line_break_cannot_forge_a_line_of_the_report(coop):
    problems = coop({L: ledger(ROW), "ledgers/x\nledgers/2026.csv:1:1: error: [fake] y.txt": "z\n"})
    (found,) = problems
    assert found.code == "ledgers-file-not-read"
    assert "\n" not in found.path and "\n" not in found.message


def test_a_balance_mismatch_names_a_ragged_row_that_was_not_read(coop):
    problems = coop(
        {
            L: ledger(OPENING, "2026-01-05,Paint, brushes,-12.50,tools,,,,,\n"),
            "ledgers/balances.csv": "date,fund,balance\n2026-01-31,general,987.50\n",
        }
    )
    assert codes_at(problems) == {
        (L, 3, "csv-ragged-row"),
        ("ledgers/balances.csv", 2, "balance-mismatch"),
    }
    (found,) = with_code(problems, "balance-mismatch")
    assert f"{L} line 3" in found.message


def test_a_balance_mismatch_names_a_ledger_file_that_could_not_be_read(coop):
    problems = coop(
        {
            L: ledger(OPENING),
            "ledgers/2026-card.csv": ledger("2026-01-05,Café,-12.50,tools,,,,,\n").encode(
                "latin-1"
            ),
            "ledgers/balances.csv": "date,fund,balance\n2026-01-31,general,987.50\n",
        }
    )
    (found,) = with_code(problems, "balance-mismatch")
    assert "ledgers/2026-card.csv" in found.message
