"""ledgers/measures.csv and the `measures:` of accounts.yml: what the cooperative does, checked
like the ledgers, with figures and costs per unit computed by hand next to each test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from publisher.accounts import parse_accounts
from publisher.cooperative import check_cooperative
from publisher.measures import measure_years, measures_json
from publisher.problems import CODES, Severity, has_errors
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop

MEASURES_HEADER = "date,measure,quantity,fund,note\n"

WITH_MEASURES = (
    ACCOUNTS.rstrip("\n")
    + """
measures:
  kwh: {label: Electricity produced, unit: kWh, cost: [rent, tools], reference_price: "0.28", reference_source: "Regulated tariff 2026"}
  loans: {label: Tools lent, unit: loans}
  members: {label: Members, unit: members, kind: level}
  grid: {label: Energy exchanged with the grid, unit: kWh, negative: true}
"""
)

LEDGER = LEDGER_HEADER + (
    "2026-01-01,Opening balance,1000.00,opening,,,,,\n"
    "2026-03-01,Panel rent,-100.00,rent,,,,,\n"
    "2026-02-01,Panel rent,-300.00,rent,,,,,\n"
    "2026-05-01,Inverter,-120.00,tools,,,,,\n"
    "2026-05-02,Dues,50.00,dues,,,,,\n"
)


def books(tmp_path, measures: str, accounts: str = WITH_MEASURES, ledger: str = LEDGER):
    write_coop(
        tmp_path,
        {"ledgers/2026.csv": ledger, "ledgers/measures.csv": MEASURES_HEADER + measures},
        accounts,
    )
    return check_cooperative(tmp_path, today=TODAY)


def test_measures_are_summed_per_year_and_month_with_cost_per_unit_and_savings(tmp_path):
    cooperative, problems = books(
        tmp_path,
        "2026-01-31,kwh,1000.5,,\n"
        "2026-02-28,kwh,499.5,,\n"
        "2026-03-15,loans,3,,\n"
        "2026-03-20,loans,4,,\n",
    )
    assert not has_errors(problems), problems
    years = measure_years(cooperative)
    kwh = years["kwh"][2026]
    assert kwh.quantity == Decimal("1500.0")
    assert kwh.months == {"2026-01": Decimal("1000.5"), "2026-02": Decimal("499.5")}
    # cost: rent 100 + 300 and tools 120 = 520.00; per kWh 520 / 1500 = 0.346666… -> 0.346667
    assert kwh.cost == 52000
    assert kwh.cost_per_unit == Decimal("0.346667")
    # elsewhere: 0.28 × 1500 = 420.00, so the cooperative's kWh cost 100.00 more: saved -100.00
    assert kwh.saved == 42000 - 52000
    loans = years["loans"][2026]
    assert loans.quantity == 7 and loans.cost is None and loans.saved is None
    data = measures_json(cooperative)
    assert data["kwh"]["years"]["2026"] == {
        "quantity": "1500.0",
        "months": {"2026-01": "1000.5", "2026-02": "499.5"},
        "cost": "520.00",
        "cost_per_unit": "0.346667",
        "saved": "-100.00",
    }
    assert data["kwh"]["reference_source"] == "Regulated tariff 2026"


def test_a_level_measure_takes_the_last_reading_of_each_period(tmp_path):
    cooperative, problems = books(
        tmp_path,
        "2025-12-01,members,40,,\n"
        "2026-01-10,members,42,,\n"
        "2026-06-30,members,51,,\n"
        "2026-06-01,members,49,,\n"
        "2026-06-30,members,9,commons,members of the common fund's project\n",
    )
    assert not has_errors(problems), problems
    years = measure_years(cooperative)["members"]
    assert years[2025].quantity == 40
    # the last day of each fund in 2026: general 51 (June 30), commons 9 (June 30)
    assert years[2026].quantity == 60
    assert years[2026].months == {"2026-01": 42, "2026-06": 60}


@pytest.mark.parametrize(
    "row, code, column",
    [
        ("2026-01-31,kwhh,10,,", "measure-unknown", 12),
        ("2026-01-31,kwh,10 kWh,,", "measure-quantity-invalid", 16),
        ("2026-01-31,kwh,1.2345678,,", "measure-quantity-invalid", 16),
        ("2026-01-31,kwh," + "9" * 16 + ",,", "measure-quantity-invalid", 16),
        ("2026-01-31,kwh,-5,,", "measure-quantity-negative", 16),
        ("31/01/2026,kwh,5,,", "date-format", 1),
        ("2026-12-31,kwh,5,,", "date-in-future", 1),
        ("2026-01-31,kwh,5,solar,", "fund-unknown", 18),
        ("2026-01-31,,5,,", "value-missing", 12),
    ],
)
def test_a_bad_row_is_an_error_at_its_line_and_column(tmp_path, row, code, column):
    _, problems = books(tmp_path, "2026-01-30,loans,1,,\n" + row + "\n")
    found = [p for p in problems if p.code == code]
    assert [(p.path, p.line, p.column) for p in found] == [("ledgers/measures.csv", 3, column)]
    assert CODES[code].severity is Severity.ERROR


def test_an_unknown_measure_suggests_the_declared_one(tmp_path):
    _, problems = books(tmp_path, "2026-01-31,loan,3,,\n")
    (found,) = [p for p in problems if p.code == "measure-unknown"]
    assert 'Did you mean "loans"?' in found.message


def test_a_negative_quantity_is_fine_where_the_measure_says_it_can_be(tmp_path):
    cooperative, problems = books(tmp_path, "2026-01-31,grid,-12.5,,\n2026-02-28,grid,20,,\n")
    assert not has_errors(problems), problems
    assert measure_years(cooperative)["grid"][2026].quantity == Decimal("7.5")


def test_rows_alike_in_every_cell_are_an_error_and_a_note_tells_them_apart(tmp_path):
    _, problems = books(
        tmp_path,
        "2026-03-15,loans,3,,\n2026-03-15,loans,3,,\n2026-03-16,loans,2,,morning\n2026-03-16,loans,2,,evening\n",
    )
    assert {(p.line, p.code) for p in problems if p.code.startswith("measure")} == {
        (3, "measure-duplicate")
    }


def test_two_readings_of_a_level_on_one_day_that_disagree_are_an_error(tmp_path):
    _, problems = books(tmp_path, "2026-03-01,members,40,,\n2026-03-01,members,41,,\n")
    assert ("ledgers/measures.csv", 3, "measure-level-conflict") in codes_at(problems)


def test_rows_without_declared_measures_are_an_error(tmp_path):
    _, problems = books(tmp_path, "2026-03-01,loans,1,,\n", accounts=ACCOUNTS)
    assert codes_at(problems) >= {("ledgers/measures.csv", 2, "measures-not-declared")}


def test_a_decimal_comma_repository_reads_quantities_with_a_comma(tmp_path):
    accounts = WITH_MEASURES + 'csv: {delimiter: ";", decimal: ","}\n'
    ledger = LEDGER.replace(",", ";").replace(".00", ",00")
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": ledger,
            "ledgers/measures.csv": "date;measure;quantity\n2026-01-31;kwh;12,5\n",
        },
        accounts,
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert not has_errors(problems), problems
    assert measure_years(cooperative)["kwh"][2026].quantity == Decimal("12.5")


def test_a_point_in_a_decimal_comma_repository_is_an_error_not_a_decimal(tmp_path):
    # In German books "1.250" is a thousand two hundred and fifty: read as 1.25, the year's
    # 1.250 + 2,5 kWh would be published as 3.75 instead of 1252.5.
    accounts = WITH_MEASURES + 'csv: {delimiter: ";", decimal: ","}\n'
    ledger = LEDGER.replace(",", ";").replace(".00", ",00")
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": ledger,
            "ledgers/measures.csv": "date;measure;quantity\n2026-01-31;kwh;1.250\n2026-02-28;kwh;2,5\n",
        },
        accounts,
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    (found,) = [p for p in problems if p.is_error]
    assert (found.code, found.path, found.line, found.column) == (
        "measure-quantity-invalid",
        "ledgers/measures.csv",
        2,
        16,
    )
    assert '"1.250" has a point' in found.message and 'write "1250"' in found.message


def test_measures_csv_is_never_read_as_a_ledger(tmp_path):
    cooperative, problems = books(tmp_path, "2026-01-31,loans,3,,\n")
    assert not has_errors(problems), problems
    assert "ledgers/measures.csv" not in set(cooperative.ledger["path"])


@pytest.mark.parametrize(
    "declaration, words",
    [
        ("  x: {label: X}", "needs a unit"),
        ("  x: {unit: kWh, cost: [dues]}", "kind income"),
        ("  x: {unit: kWh, cost: [rnt]}", 'Did you mean "rent"?'),
        ("  x: {unit: kWh, kind: sum}", '"total"'),
        ('  x: {unit: kWh, reference_price: "0.28"}', "reference_source"),
        ('  x: {unit: kWh, reference_price: "0,28", reference_source: "Tariff"}', "with a point"),
        ("  x: {unit: kWh, colour: red}", ""),
        ("  x y: {unit: kWh}", "one word"),
        # quarterly counts of the members would add up (20 + 20 + 20 + 20 published as 80)
        ("  members: {label: Members, unit: members}", '"kind: level"'),
        ("  members: {unit: members, kind: total}", '"kind: level"'),
    ],
)
def test_a_bad_measure_declaration_is_reported_at_its_line(declaration, words):
    text = ACCOUNTS.rstrip("\n") + "\nmeasures:\n" + declaration + "\n"
    accounts, problems = parse_accounts(text)
    assert accounts is None
    line = text.splitlines().index(declaration) + 1
    assert [p.line for p in problems] == [line]
    assert words in problems[0].message


def test_summary_json_carries_the_measures_only_where_they_are_kept(tmp_path):
    from publisher.summary import summarize, summary_json

    cooperative, problems = books(tmp_path, "2026-03-15,loans,3,,\n")
    assert not has_errors(problems), problems
    data = summary_json(summarize(cooperative), None)
    assert data["measures"]["loans"]["years"]["2026"]["quantity"] == "3"
    plain, _plain_problems = check_cooperative(
        write_coop(tmp_path / "plain", {"ledgers/2026.csv": LEDGER}), today=TODAY
    )
    assert "measures" not in summary_json(summarize(plain), None)


def _minutes(date: str, members: int, present: int) -> str:
    return f"---\ntitle: Assembly\ndate: {date}\nmembers: {members}\npresent: {present}\n---\n"


def test_membership_comes_from_the_members_measure_else_from_the_minutes(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER,
            "ledgers/measures.csv": MEASURES_HEADER
            + "2026-06-30,members,58,,\n2026-02-01,members,51,,\n",
            "content/minutes/2025-03-01.md": _minutes("2025-03-01", 40, 30),
            "content/minutes/2025-10-01.md": _minutes("2025-10-01", 44, 11),
            "content/minutes/2026-03-01.md": _minutes("2026-03-01", 52, 26),
        },
        WITH_MEASURES,
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert not has_errors(problems), problems
    from publisher.measures import membership_json

    # (the day of each count and each meeting's attendance: tests/test_participation_pages.py)
    keys = ("members", "source", "meetings", "attendance")
    data = {
        year: {k: figures[k] for k in keys}
        for year, figures in membership_json(cooperative).items()
    }
    # 2025: no count in measures.csv, so the last meeting's 44; attendance (30/40 + 11/44) / 2 = 0.5
    assert data["2025"] == {
        "members": "44",
        "source": "minutes",
        "meetings": 2,
        "attendance": "0.5000",
    }
    # 2026: the last reading, 58 on June 30; one meeting, 26 of 52
    assert data["2026"] == {
        "members": "58",
        "source": "measures.csv",
        "meetings": 1,
        "attendance": "0.5000",
    }


def _members_books(tmp_path, readings: str, members: int = 52):
    """A meeting of 2026-03-01 whose minutes record `members` (on line 4 of the file), and the
    members measure's `readings`."""
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER,
            "ledgers/measures.csv": MEASURES_HEADER + readings,
            "content/minutes/2026-03-01.md": _minutes("2026-03-01", members, 26),
        },
        WITH_MEASURES,
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    return problems


def test_a_members_count_and_the_minutes_of_the_same_day_that_agree_are_fine(tmp_path):
    problems = _members_books(tmp_path, "2026-02-01,members,51,,\n2026-03-01,members,52,,\n")
    assert not has_errors(problems), problems


def test_a_members_count_the_minutes_of_the_same_day_contradict_is_an_error(tmp_path):
    problems = _members_books(tmp_path, "2026-02-01,members,51,,\n2026-03-01,members,50,,\n")
    # the reading of 2026-03-01 is the file's third line; the minutes say 52 on their line 4
    assert ("ledgers/measures.csv", 3, "members-count-mismatch") in codes_at(problems)
    (found,) = [p for p in problems if p.code == "members-count-mismatch"]
    # the quantity's cell: "2026-03-01,members," is 19 characters
    assert found.severity is Severity.ERROR and found.column == 20
    assert "50 members on 2026-03-01" in found.message
    assert "content/minutes/2026-03-01.md, line 4" in found.message
    assert '"members: 52"' in found.message


def test_a_members_count_and_minutes_of_different_days_are_not_compared(tmp_path):
    # 51 counted the day before the meeting of 52 members, 58 the day after: members join
    problems = _members_books(tmp_path, "2026-02-28,members,51,,\n2026-03-02,members,58,,\n")
    assert "members-count-mismatch" not in {p.code for p in problems}
    assert not has_errors(problems), problems


def test_the_members_count_of_a_day_is_each_funds_last_reading_summed(tmp_path):
    # commons read 30 on the day of the meeting, general 22 a month before: 52, as the minutes
    agree = "2026-02-01,members,22,general,\n2026-03-01,members,30,commons,\n"
    assert not has_errors(_members_books(tmp_path / "agree", agree)), agree
    # general 20 instead: 50 members that day against the minutes' 52
    differ = "2026-02-01,members,20,general,\n2026-03-01,members,30,commons,\n"
    problems = _members_books(tmp_path / "differ", differ)
    assert ("ledgers/measures.csv", 3, "members-count-mismatch") in codes_at(problems)
    (found,) = [p for p in problems if p.code == "members-count-mismatch"]
    assert "50 members on 2026-03-01" in found.message


def test_conflicting_readings_of_a_meeting_day_are_reported_once_as_a_conflict(tmp_path):
    problems = _members_books(tmp_path, "2026-03-01,members,52,,\n2026-03-01,members,50,,\n")
    assert {p.code for p in problems if p.is_error} == {"measure-level-conflict"}


def test_a_measure_note_naming_a_private_person_stops_the_build(tmp_path):
    ledger = LEDGER + "2026-05-03,Dues,20.00,dues,,Maria Lopez,,,\n"
    _, problems = books(tmp_path, "2026-03-15,loans,3,,lent by Maria Lopez\n", ledger=ledger)
    assert ("ledgers/measures.csv", 2, "private-name-in-activity") in codes_at(problems)


def test_the_data_package_offers_measures_and_assets_with_their_fields(tmp_path):
    import json

    from publisher.site.build import build_site

    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER.replace(
                "2026-05-01,Inverter,-120.00,tools,,,,,",
                "2026-05-01,Inverter,-120.00,tools,,,,t-inv,",
            ),
            "ledgers/measures.csv": MEASURES_HEADER
            + "2026-03-15,loans,3,,\n2026-01-31,kwh,=1+1,,\n".replace("=1+1", "10.5"),
            "ledgers/assets.csv": 'id,name,acquired,status,row\ninverter,=HYPERLINK("x"),2026-05-01,in use,t-inv\n',
            "content/index.md": "# Home\n",
        },
        WITH_MEASURES,
    )
    site = tmp_path / "site"
    build_site(tmp_path, site)
    package = json.loads((site / "data/datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in package["resources"]]
    assert {"measures", "assets"} <= set(names)
    measures = (site / "data/measures.csv").read_text(encoding="utf-8").splitlines()
    # oldest first, with the unit
    assert measures == [
        "date,measure,unit,quantity,fund,note",
        "2026-01-31,kwh,kWh,10.5,general,",
        "2026-03-15,loans,loans,3,general,",
    ]
    assets = (site / "data/assets.csv").read_text(encoding="utf-8").splitlines()
    assert assets[1].startswith("inverter,\"'=HYPERLINK") and assets[1].endswith(",120.00,")
    data_page = (site / "data/index.html").read_text(encoding="utf-8")
    assert "measures.csv" in data_page and "assets.csv" in data_page
    import frictionless

    report = frictionless.validate(site / "data/datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_measures_kept_in_a_workbook_are_read_from_its_measures_sheet(tmp_path):
    import datetime as dt

    from tests.workbooktools import xlsx

    data = xlsx(
        [
            [dt.date(2026, 3, 15), "loans", 3],
            [dt.date(2026, 3, 16), "loans", 2.5],
            [dt.date(2026, 3, 17), "lons", 1],
        ],
        title="Measures",
        header=["date", "measure", "quantity"],
    )
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER, "ledgers/measures.xlsx": data}, WITH_MEASURES)
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert [(p.path, p.line, p.code, p.sheet) for p in problems if p.is_error] == [
        ("ledgers/measures.xlsx", 4, "measure-unknown", "Measures")
    ]
    assert "ledgers/measures.xlsx" not in set(cooperative.ledger["path"])
    assert measure_years(cooperative)["loans"][2026].quantity == Decimal("5.5")


def test_the_largest_quantities_keep_every_digit_of_the_saving(tmp_path):
    cooperative, problems = books(
        tmp_path, "2026-01-31,kwh,999999999999999.5,,\n2026-02-28,kwh,0.000001,,\n"
    )
    assert not has_errors(problems), problems
    kwh = measure_years(cooperative)["kwh"][2026]
    assert kwh.quantity == Decimal("999999999999999.500001")
    # 0.28 × 999999999999999.500001 = 279999999999999.86000028 -> 27999999999999986 cents, minus 520.00
    assert kwh.saved == 27999999999999986 - 52000


# tests/fixtures/workbooks/treasurer-measures.csv holds the mistakes people make (a BOM, a
# decimal comma, a thousands separator, a day written 03/04/2026, a blank line, a key one letter
# off, a unit in the quantity, a quantity below zero, a space after a key); LibreOffice Calc
# opened it (en-US) and saved treasurer-measures.ods, and from that treasurer-measures-calc.csv.
_TREASURER_MEASURES = {
    2: "measure-quantity-invalid",  # "12,5"
    4: "date-format",  # 03/04/2026 (Calc: 03/04/26)
    6: "measure-unknown",  # loan
    7: "measure-quantity-invalid",  # 12 kWh
    8: "measure-quantity-negative",  # -3 loans
}


@pytest.mark.parametrize(
    "fixture, expected",
    [
        # typed by hand: "1,250" is text and refused
        ("treasurer-measures.csv", {**_TREASURER_MEASURES, 3: "measure-quantity-invalid"}),
        # saved by Calc from its workbook: 1,250 was read by Calc as the number 1250, 03/04/26 is text
        ("treasurer-measures-calc.csv", _TREASURER_MEASURES),
        # Calc's workbook: 03/04/2026 is the date cell 2026-03-04 (Calc's reading, shown to the
        # treasurer as a date), 1,250 the number 1250
        (
            "treasurer-measures.ods",
            {k: v for k, v in _TREASURER_MEASURES.items() if v != "date-format"},
        ),
    ],
)
def test_a_treasurers_mistakes_saved_by_libreoffice_are_each_an_error_at_its_cell(
    tmp_path, fixture, expected
):
    from tests.workbooktools import FIXTURES

    name = "measures" + fixture[fixture.index(".") :]
    write_coop(
        tmp_path,
        {"ledgers/2026.csv": LEDGER, f"ledgers/{name}": (FIXTURES / fixture).read_bytes()},
        WITH_MEASURES,
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    errors = {p.line: p for p in problems if p.is_error}
    assert {line: p.code for line, p in errors.items()} == expected
    for p in errors.values():
        assert p.path == f"ledgers/{name}" and p.column is not None
        # every message says what to write instead, whole (no words of it cut as a long value)
        assert "…" not in p.message
    quantity = errors[2].message
    assert quantity.endswith('no unit or thousands separator, such as "1250.5".'), quantity
    assert 'Did you mean "loans"?' in errors[6].message
    assert 'add "negative: true"' in errors[8].message


def test_spaces_around_a_measure_key_and_a_quantity_are_ignored(tmp_path):
    cooperative, problems = books(tmp_path, "2026-01-31,loans ,3,,\n2026-02-28, loans, 4 ,,\n")
    assert not has_errors(problems), problems
    assert measure_years(cooperative)["loans"][2026].quantity == Decimal(7)
