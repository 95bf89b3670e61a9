from tests.conftest import LEDGER_HEADER, codes_at


def test_a_clean_ledger_has_no_problems(coop):
    problems = coop({"ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n"})
    assert problems == []


def test_a_decimal_comma_is_reported_with_its_line(coop):
    problems = coop({"ledgers/2026.csv": LEDGER_HEADER + '2026-01-05,Dues,"12,50",dues,,,,,\n'})
    assert codes_at(problems) == {("ledgers/2026.csv", 2, "amount-decimal-comma")}
