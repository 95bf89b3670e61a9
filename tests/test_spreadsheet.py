"""What spreadsheets leave in CSV files: each leftover is accepted where it is unambiguous, or
reported once, clearly; a whole column with one problem is one problem; every cell problem
names the spreadsheet's column letter."""

from __future__ import annotations

import pytest

from publisher.spreadsheet import canonical_amount, column_letter, date_order
from tests.conftest import ACCOUNTS, LEDGER_HEADER, codes_at

L = "ledgers/2026.csv"
H = LEDGER_HEADER
ROW = "2026-01-05,Dues,12.50,dues,,,,,\n"
SEMI = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
SHORT = "date,description,amount,category\n"


def test_an_agreeing_sep_line_is_skipped_and_lines_stay_physical(coop):
    problems = coop({L: "sep=,\n" + H + ROW + "2026-01-06,Dues,12;50,dues,,,,,\n"})
    assert codes_at(problems) == {(L, 4, "amount-invalid")}


def test_a_quoted_sep_line_with_semicolons_agrees_with_a_semicolon_dialect(coop):
    problems = coop(
        {L: '"sep=;";;;\n' + SHORT.replace(",", ";") + "2026-01-05;Dues;12,50;dues\n"},
        accounts=SEMI,
    )
    assert codes_at(problems) == set()


def test_a_disagreeing_sep_line_is_one_error(coop):
    problems = coop({L: "sep=;\n" + SHORT.replace(",", ";") + "2026-01-05;Dues;12.50;dues\n"})
    assert codes_at(problems) == {(L, 1, "csv-sep-line")}


def test_a_header_after_a_sep_line_is_located_on_line_two(coop):
    problems = coop({L: "sep=,\ndate,description,amount,categry\n2026-01-05,Dues,12.50,dues\n"})
    assert (L, 2, "column-missing") in codes_at(problems)
    (unknown,) = [p for p in problems if p.code == "column-unknown"]
    assert (unknown.line, unknown.column) == (2, 25)


@pytest.mark.parametrize("word", ["Total", "SUM", "Summe", "Gesamt", "Totaal", "Grand total:"])
def test_a_totals_row_named_so_is_one_error(coop, word):
    problems = coop(
        {L: SHORT + "2026-01-05,Dues,12.50,dues\n2026-01-06,Rent,-2,rent\n," + word + ",10.50,\n"}
    )
    assert codes_at(problems) == {(L, 4, "csv-totals-row")}


def test_a_totals_row_with_the_word_in_the_date_cell_is_one_error(coop):
    problems = coop({L: SHORT + "2026-01-05,Dues,12.50,dues\nTotal,,12.50,\n"})
    assert codes_at(problems) == {(L, 3, "csv-totals-row")}


def test_a_last_row_without_date_that_sums_the_rows_above_is_a_totals_row(coop):
    books = SHORT + "2026-01-05,Dues,12.50,dues\n2026-01-06,Dues,7.50,dues\n,,20.00,\n"
    assert codes_at(coop({L: books})) == {(L, 4, "csv-totals-row")}


def test_a_last_row_without_date_that_is_not_a_sum_is_a_missing_value(coop):
    books = SHORT + "2026-01-05,Dues,12.50,dues\n2026-01-06,Dues,7.50,dues\n,Dues,21.00,dues\n"
    assert codes_at(coop({L: books})) == {(L, 4, "value-missing")}


def test_a_budget_totals_row_is_one_error(coop):
    budget = "year,category,amount\n2026,dues,100\n2026,rent,50\n,Total,150\n"
    assert codes_at(coop({"ledgers/budget.csv": budget})) == {
        ("ledgers/budget.csv", 4, "csv-totals-row")
    }


@pytest.mark.parametrize("minus", ["\u2212", "\u2013", "\u2012", "\u2010", "\u2011", "\uff0d"])
def test_a_minus_lookalike_is_an_error_that_names_it(coop, minus):
    problems = coop({L: SHORT + f"2026-01-05,Paint,{minus}12.50,tools\n"})
    assert codes_at(problems) == {(L, 2, "amount-minus-lookalike")}
    (found,) = problems
    assert "publisher fix" in found.message and f"U+{ord(minus):04X}" in found.message


def test_a_separator_at_the_end_of_every_row_is_accepted(coop):
    books = SHORT + "2026-01-05,Dues,12.50,dues,\n2026-01-06,Dues,13.50,dues,\n"
    assert codes_at(coop({L: books})) == set()


def test_a_separator_at_the_end_of_some_rows_is_still_ragged(coop):
    books = SHORT + "2026-01-05,Dues,12.50,dues,\n2026-01-06,Dues,13.50,dues\n"
    assert codes_at(coop({L: books})) == {(L, 2, "csv-ragged-row")}


def test_grouped_amounts_under_a_decimal_comma_are_a_thousands_separator(coop):
    books = "date;description;amount;category\n2026-01-05;Dues;1.234,50;dues\n2026-01-06;Dues;12,50;dues\n"
    assert codes_at(coop({L: books}, accounts=SEMI)) == {(L, 2, "amount-thousands-separator")}


def test_a_whole_date_column_in_day_first_order_is_one_error(coop):
    rows = "".join(f"{day:02d}.01.2026,Dues,1,dues\n" for day in range(1, 21))
    problems = coop({L: SHORT + rows})
    assert codes_at(problems) == {(L, 2, "date-format")}
    (found,) = problems
    assert "All 20 dates" in found.message and "DD.MM.YYYY" in found.message
    assert f"publisher fix {L}" in found.message


def test_a_nearly_whole_date_column_names_its_share_and_lists_the_others(coop):
    rows = (
        "".join(f"{day:02d}/01/2026,Dues,1,dues\n" for day in range(1, 20))
        + "2026-01-20,Dues,1,dues\n"
    )
    rows += "yesterday,Dues,1,dues\n"
    problems = coop({L: SHORT + rows})
    # 20 of 21 non-empty dates are flagged, but "yesterday" has no pattern: each is listed.
    assert len([p for p in problems if p.code == "date-format"]) == 20
    rows = (
        "".join(f"{day:02d}/01/2026,Dues,1,dues\n" for day in range(1, 20))
        + "2026-01-20,Dues,1,dues\n"
    )
    (found,) = coop({L: SHORT + rows})
    assert "19 of the 20 dates" in found.message and "DD/MM/YYYY" in found.message


def test_an_ambiguous_date_column_says_fix_cannot_decide(coop):
    rows = "".join(f"{day:02d}/01/2026,Dues,1,dues\n" for day in range(1, 6))
    (found,) = coop({L: SHORT + rows})
    assert (
        found.code == "date-format" and "NN/NN/YYYY" in found.message and "cannot" in found.message
    )


def test_a_whole_amount_column_with_decimal_commas_is_one_error(coop):
    rows = "".join(f'2026-01-{day:02d},Dues,"{day},50",dues\n' for day in range(1, 11))
    problems = coop({L: SHORT + rows})
    assert codes_at(problems) == {(L, 2, "amount-decimal-comma")}


def test_a_few_bad_amounts_are_listed_one_by_one(coop):
    rows = "".join(f"2026-01-{day:02d},Dues,{day}.50,dues\n" for day in range(1, 11))
    rows += '2026-01-11,Dues,"1,50",dues\n2026-01-12,Dues,"2,50",dues\n'
    problems = coop({L: SHORT + rows})
    assert codes_at(problems) == {(L, 12, "amount-decimal-comma"), (L, 13, "amount-decimal-comma")}


def test_every_cell_problem_names_the_spreadsheet_column(coop):
    problems = coop(
        {
            L: "note,date,description,amount,category\nx,2026-01-05,Dues,12;50,dues\n,2026-13-01,Dues,1,dues\n"
        }
    )
    messages = {p.code: p.message for p in problems}
    assert messages["amount-invalid"].startswith("Column D (amount): ")
    assert messages["date-impossible"].startswith("Column B (date): ")


def test_a_check_on_the_whole_books_names_the_column_too(coop):
    (found,) = coop({L: SHORT + "2026-01-05,Dues,12.50,dus\n"})
    assert found.code == "category-unknown" and found.message.startswith("Column D (category): ")


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == [
        "A",
        "C",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_the_date_order_is_proven_only_by_a_number_above_twelve():
    assert date_order(["01.02.2026", "13.02.2026"]) == "day-first"
    assert date_order(["02/13/2026", "01/02/2026"]) == "month-first"
    assert date_order(["01/02/2026", "03/04/2026"]) is None
    assert date_order(["13/02/2026", "02/13/2026"]) is None  # both orders: nothing proven


@pytest.mark.parametrize(
    "cell, decimal, column_mark, expected",
    [
        ("1.234,50", ".", None, "1234.50"),
        ("1,234.50", ".", None, "1234.50"),
        ("12,50", ".", None, "12.50"),
        ("\u221212.50", ".", None, "-12.50"),
        ("\u2013 1 234,50 €", ",", None, "-1234,50"),
        ("€ -5", ".", None, "-5"),
        ("1.234", ".", None, None),  # one thousand or one point something: never guessed
        ("1,234", ".", ".", "1234"),  # the column proves "." is the decimal mark
        ("1,234", ".", ",", None),  # ... or "," is: three decimals, too many for EUR
        ("1.234.567", ",", None, "1234567"),
        ("12,3456", ".", None, None),  # too many decimals
        ("1,23,456.00", ".", None, None),  # not groups of three
        ("$12.50", ".", None, None),  # another currency's sign stays
        ("12.50 USD", ".", None, None),
    ],
)
def test_an_amount_is_rewritten_only_when_its_value_is_certain(
    cell, decimal, column_mark, expected
):
    assert canonical_amount(cell, decimal, 2, ["EUR", "€"], column_mark) == expected


def test_a_problem_about_a_whole_row_names_no_column(coop):
    problems = coop({L: SHORT + "2026-01-05,Dues,12.50,dues\n2026-01-05,Dues,12.50,dues\n"})
    (double,) = [p for p in problems if p.code == "likely-double-entry"]
    assert not double.message.startswith("Column")


def test_a_date_column_with_two_digit_years_is_one_error_that_fix_does_not_guess(coop):
    # LibreOffice's default export of a date column: 05.01.26.
    rows = "".join(f"{day:02d}.01.26,Dues,1,dues\n" for day in range(1, 6))
    (found,) = coop({L: SHORT + rows})
    assert (
        found.code == "date-format" and "NN.NN.YY" in found.message and "century" in found.message
    )


def _advised_value(message: str) -> str:
    """The value a message tells the treasurer to write instead (`write "…"`)."""
    return message.split('write "', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("cell", "accounts", "code"),
    [
        # A spreadsheet in German formatting, exported with the repository's comma delimiter.
        ('"1.500,00"', ACCOUNTS, "amount-decimal-comma"),
        ('"\u22121.234,50"', ACCOUNTS, "amount-minus-lookalike"),
        ('"\u221245,10"', ACCOUNTS, "amount-minus-lookalike"),
        ('"1,500.00"', SEMI, "amount-decimal-point"),
        ("\u22121.234,50", SEMI, "amount-minus-lookalike"),
        ("\u2212" + "1234.50", SEMI, "amount-minus-lookalike"),
    ],
)
def test_the_advised_amount_is_accepted_when_written(coop, cell, accounts, code):
    delimiter = ";" if accounts is SEMI else ","
    header = SHORT.replace(",", delimiter)

    # An opening balance keeps the fund above zero; money out is a tool, money in dues.
    opening = delimiter.join(["2026-01-01", "Opening", "5000", "opening"]) + "\n"
    category = "dues" if cell.strip('"')[0].isdigit() else "tools"

    def books(amount: str) -> dict[str, str]:
        row = delimiter.join(["2026-01-05", "Paint", amount, category]) + "\n"
        return {L: header + opening + row}

    (found,) = coop(books(cell), accounts=accounts)
    assert (found.path, found.line, found.code) == (L, 3, code)
    assert codes_at(coop(books(_advised_value(found.message)), accounts=accounts)) == set()
