"""Properties over many generated inputs: exact amounts, round trips, lines, and no crashes."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from publisher.accounts import parse_accounts
from publisher.cooperative import check_cooperative
from publisher.money import MAX_DIGITS, format_minor, parse_amounts
from tests.conftest import LEDGER_HEADER, codes_at, write_coop

TODAY = dt.date(2026, 11, 21)
DIGITS = "0123456789"
ACCOUNTS_SMALL = """\
name: Test
currency: EUR
funds: {general: x, commons: y}
categories:
  dues: {kind: income}
  rent: {kind: expense}
  transfer: {kind: transfer}
"""


def slow(max_examples: int = 100) -> settings:
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


@st.composite
def amount_parts(draw, units: int, max_whole: int = 13):
    """(sign, whole digits, fraction digits or None) of a valid amount for `units`."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(st.text(DIGITS, min_size=1, max_size=max_whole))
    fraction = None
    if units:
        fraction = draw(st.none() | st.text(DIGITS, min_size=1, max_size=units))
    # The documented limit: at most MAX_DIGITS significant digits.
    assume(len((whole + (fraction or "")).lstrip("0")) <= MAX_DIGITS)
    return sign, whole, fraction


def written(parts, mark: str) -> str:
    sign, whole, fraction = parts
    return sign + whole + (mark + fraction if fraction is not None else "")


def exact_minor(parts, units: int) -> int:
    """Minor units computed independently, with Decimal."""
    sign, whole, fraction = parts
    value = Decimal(f"{'-' if sign == '-' else ''}{whole}.{fraction or '0'}")
    minor = value.scaleb(units)
    assert minor == minor.to_integral_value()
    return int(minor)


def canonical(parts, units: int) -> str:
    """The amount written with exactly `units` decimals, without Decimal or the code under test."""
    sign, whole, fraction = parts
    digits = (whole + (fraction or "").ljust(units, "0")).lstrip("0") or "0"
    digits = digits.rjust(units + 1, "0")
    text = f"{digits[:-units]}.{digits[-units:]}" if units else digits
    return "-" + text if sign == "-" and set(digits) != {"0"} else text


#: (currency, minor units, integer digits that keep within MAX_DIGITS significant digits)
CURRENCIES = [("EUR", 2, 13), ("JPY", 0, 13), ("KWD", 3, 12)]


@slow(100)
@given(data=st.data(), currency=st.sampled_from(CURRENCIES), mark=st.sampled_from([".", ","]))
def test_valid_amounts_are_read_exactly_and_format_back_canonically(data, currency, mark):
    _, units, max_whole = currency
    parts = data.draw(st.lists(amount_parts(units, max_whole), min_size=1, max_size=30))
    cells = pd.Series([written(p, mark) for p in parts], dtype="str")
    minor, issue = parse_amounts(cells, mark, units)
    assert list(issue) == [""] * len(parts)
    assert [int(m) for m in minor] == [exact_minor(p, units) for p in parts]
    assert [format_minor(int(m), units) for m in minor] == [canonical(p, units) for p in parts]


@slow(100)
@given(
    minors=st.lists(
        st.integers(min_value=-(10**MAX_DIGITS) + 1, max_value=10**MAX_DIGITS - 1),
        min_size=1,
        max_size=30,
    ),
    units=st.sampled_from([0, 2, 3]),
    mark=st.sampled_from([".", ","]),
)
def test_a_formatted_amount_parses_back_to_the_same_minor_units(minors, units, mark):
    cells = pd.Series([format_minor(m, units).replace(".", mark) for m in minors], dtype="str")
    parsed, issue = parse_amounts(cells, mark, units)
    assert list(issue) == [""] * len(minors)
    assert [int(m) for m in parsed] == minors


@slow(50)
@given(data=st.data(), units=st.sampled_from([0, 2, 3]))
def test_more_decimals_than_the_currency_has_are_never_rounded(data, units):
    cells = data.draw(
        st.lists(
            st.tuples(
                st.text(DIGITS, min_size=1, max_size=5),
                st.text(DIGITS, min_size=units + 1, max_size=units + 3),
            ).map(".".join),
            min_size=1,
            max_size=20,
        )
    )
    _, issue = parse_amounts(pd.Series(cells, dtype="str"), ".", units)
    assert list(issue) == ["amount-too-many-decimals"] * len(cells)


def test_the_canonical_helper_itself():
    assert canonical(("-", "0012", "5"), 2) == "-12.50"
    assert canonical(("-", "0", "00"), 2) == "0.00"
    assert canonical(("+", "7", None), 0) == "7"
    assert canonical(("", "0", "001"), 3) == "0.001"
    assert exact_minor(("-", "12", "5"), 2) == -1250


def test_sixteen_significant_digits_are_refused_as_documented():
    _, issue = parse_amounts(pd.Series(["1234567890123.456", "123456789012.345"]), ".", 3)
    assert list(issue) == ["amount-too-large", ""]


def test_an_amount_in_a_four_decimal_currency_never_overflows():
    minor, issue = parse_amounts(pd.Series(["999999999999999"]), ".", 4)
    assert issue[0] == "amount-too-large" or int(minor[0]) == 9_999_999_999_999_990_000


# -- Arbitrary bytes never crash ----------------------------------------------------------------


def _check(files: dict[str, bytes | str], accounts: str | None = ACCOUNTS_SMALL):
    with tempfile.TemporaryDirectory() as directory:
        root = write_coop(Path(directory), files, accounts)
        _, problems = check_cooperative(root, today=TODAY)
    for p in problems:
        assert p.path and p.message and p.code
        assert p.line is None or p.line >= 1
        assert p.column is None or p.column >= 1
    return problems


HEADER = LEDGER_HEADER.encode()


@slow(60)
@given(st.one_of(st.binary(max_size=300), st.binary(max_size=200).map(lambda b: HEADER + b)))
@example(b"")
@example(HEADER + b'"')
@example(HEADER + b"\xff\xfe,\r\r\n,,")
@example(b"\xef\xbb\xbf" + HEADER + b"2026-01-05,a,1,dues,,,,,\r")
def test_arbitrary_bytes_as_a_ledger_never_crash(data):
    problems = _check({"ledgers/2026.csv": data})
    assert all(p.path.startswith("ledgers/") for p in problems)


CELLS = st.sampled_from(
    [
        "",
        " ",
        "2026-01-05",
        "2026-02-30",
        "21/11/2025",
        "1",
        "-1",
        "0",
        "12.50",
        "12,50",
        '"1,2"',
        "€1",
        "(1)",
        "1e3",
        "NaN",
        "dues",
        "rent",
        "transfer",
        "x",
        "general",
        "commons",
        "id1",
        '"',
        '""',
        '"a\nb"',
        "\t",
        "\u00e9",
        "date",
        "amount",
        "#N/A",
        "9" * 20,
    ]
)


@st.composite
def csv_like(draw):
    """Text that looks like a ledger: a plausible header, rows of plausible and broken cells."""
    header = draw(
        st.lists(
            st.sampled_from(LEDGER_HEADER.strip().split(",") + ["Date", "x", ""]),
            min_size=1,
            max_size=10,
        )
    )
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=11), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from(["", newline]))


@slow(50)
@given(text=csv_like())
def test_arbitrary_csv_like_ledgers_never_crash(text):
    _check(
        {
            "ledgers/2026.csv": text,
            "ledgers/balances.csv": "date,fund,balance\n2026-06-30,general,0\n",
        }
    )


@pytest.mark.parametrize("text", ["!0", "!!str", "&a !x b"])
def test_a_tagged_scalar_accounts_yml_is_not_a_mapping(text):
    _, problems = parse_accounts(text)
    assert [p.code for p in problems] == ["yaml-not-a-mapping"]


YAML_ISH = st.text(
    alphabet=st.sampled_from(list("abn: \n-{}[],&*!#'\"|>%@`?~0123456789.\t")), max_size=120
)


@slow(100)
@given(st.one_of(st.binary(max_size=200), YAML_ISH.map(str.encode)))
@example(b"name: X\ncurrency: EUR\ncategories: {dues: {kind: income}}\n")
@example(b"&a [*a]")
@example(b"? [a]\n: b\n")
def test_arbitrary_bytes_as_accounts_yml_never_crash(data):
    problems = _check(
        {"ledgers/accounts.yml": data, "ledgers/2026.csv": LEDGER_HEADER}, accounts=None
    )
    assert all(p.path.startswith("ledgers/") for p in problems)


@slow(100)
@given(YAML_ISH)
def test_parse_accounts_returns_accounts_exactly_when_there_is_no_problem(text):
    accounts, problems = parse_accounts(text)
    assert (accounts is None) == bool(problems)


# -- Lines are physical lines -------------------------------------------------------------------


@st.composite
def ledger_with_bad_rows(draw):
    """A ledger with multi-line descriptions and blank lines; the lines of its bad amounts."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [LEDGER_HEADER.strip()]
    expected = set()
    for index in range(draw(st.integers(min_value=1, max_value=8))):
        lines.extend([""] * draw(st.integers(min_value=0, max_value=2)))
        description = draw(
            st.text(alphabet=st.sampled_from(list('ab ,;"\n')), min_size=1, max_size=12)
        )
        assume(description.strip())
        bad = draw(st.booleans())
        quoted = '"' + description.replace('"', '""') + '"'
        if bad:
            expected.add(len(lines) + 1 + description.count("\n"))
        record = f"2026-01-05,{quoted},{'x' if bad else '1'},dues,,,,r{index},"
        lines.extend(record.split("\n"))
    return newline.join(lines) + newline, expected


@slow(30)
@given(ledger_with_bad_rows(), st.booleans())
def test_a_bad_cell_is_reported_on_its_physical_line(generated, ragged_tail):
    text, expected = generated
    if ragged_tail:  # a ragged last row sends the file through the careful reader
        text += "2026-01-06,tail,1\n"
    problems = _check({"ledgers/2026.csv": text})
    found = {line for (_, line, code) in codes_at(problems) if code == "amount-not-a-number"}
    assert found == expected
