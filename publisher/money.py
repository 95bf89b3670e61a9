"""Amounts: strict validation of text cells, exact conversion to integer minor units.

Money never passes through a float. A cell is first matched against a strict pattern (an
optional sign, digits, optionally the decimal mark and digits); only then are its digits
joined and read as an integer, scaled to the currency's minor units. Cells that do not match
are classified so that the treasurer is told what is wrong with them (a decimal comma, a
currency symbol, a thousands separator…) rather than just "invalid".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from publisher.i18n import _
from publisher.spreadsheet import MINUS_LOOKALIKES, canonical_amount, minus_lookalike

#: More digits than this could overflow 64-bit minor units; no cooperative needs them.
MAX_DIGITS = 15

_CURRENCY_SIGNS = "€$£¥₹₩₽¤₺₴₪฿₫₦"
_SEPARATORS = " '\u00a0\u202f"  # spaces and apostrophes that banks use to group thousands


def format_minor(minor: int, units: int) -> str:
    """-1250, 2 -> "-12.50": exactly `units` decimals, a point, no grouping."""
    value = Decimal(int(minor)).scaleb(-units)
    return f"{value:.{units}f}"


def to_decimal(minor: int, units: int) -> Decimal:
    return Decimal(int(minor)).scaleb(-units)


def parse_decimal_text(text: str, units: int) -> int | None:
    """One amount written with a decimal point (as in YAML) -> minor units, or None."""
    match = re.fullmatch(r"([+-]?)([0-9]{1,15})(?:\.([0-9]+))?", text.strip())
    if not match or len(match.group(3) or "") > units:
        return None
    sign, whole, fraction = match.group(1), match.group(2), (match.group(3) or "")
    value = int(whole + fraction.ljust(units, "0"))
    return -value if sign == "-" else value


def valid_pattern(decimal: str) -> str:
    # [0-9], not \d: \d also matches other scripts' digits, which int() would then misread.
    return rf"[+-]?[0-9]+(?:{re.escape(decimal)}[0-9]+)?"


def parse_amounts(cells: pd.Series, decimal: str, units: int) -> tuple[pd.Series, pd.Series]:
    """Validate and convert a column of amount cells (already stripped).

    Returns `(minor, issue)`: minor units as nullable Int64 (NA where the cell is empty or
    invalid), and the problem code for each cell ("" where it is fine or empty). Empty cells
    are not classified here: a missing required value is reported by the caller.
    """
    cells = cells.astype("str")
    empty = (cells.str.len() == 0).to_numpy()
    shaped = cells.str.fullmatch(valid_pattern(decimal)).to_numpy(dtype=bool, na_value=False)
    issue = np.full(len(cells), "", dtype=object)

    bad = ~shaped & ~empty
    if bad.any():
        issue[bad] = classify_invalid(cells[bad], decimal)

    minor = pd.Series(pd.NA, index=cells.index, dtype="Int64")
    if shaped.any():
        good = cells[shaped]
        mark = good.str.find(decimal).to_numpy()
        length = good.str.len().to_numpy()
        decimals = np.where(mark >= 0, length - mark - 1, 0)
        digits = good.str.replace(decimal, "", regex=False).str.replace("+", "", regex=False)
        digit_count = digits.str.lstrip("-").str.lstrip("0").str.len().to_numpy()
        too_many = decimals > units
        # Scaled to minor units the number must still fit in 64 bits (18 digits are safe).
        too_large = (digit_count > MAX_DIGITS) | (digit_count - decimals + units > 18)
        fine = ~too_many & ~too_large
        good_index = np.flatnonzero(shaped)
        issue[good_index[too_many]] = "amount-too-many-decimals"
        issue[good_index[too_large & ~too_many]] = "amount-too-large"
        if fine.any():
            # pyarrow's cast: fifty times faster than pd.to_numeric, and exact.
            values = digits[fine].astype("int64[pyarrow]").to_numpy(dtype=np.int64)
            scale = np.power(10, units - decimals[fine], dtype=np.int64)
            minor.iloc[good_index[fine]] = values * scale
    return minor, pd.Series(issue, index=cells.index, dtype=object)


def classify_invalid(cells: pd.Series, decimal: str) -> np.ndarray:
    """The problem code of each cell that failed the strict pattern."""
    other = "," if decimal == "." else "."
    d, o = re.escape(decimal), re.escape(other)
    seps = re.escape(_SEPARATORS + other)
    tests = [
        # Before every other test: "−12.50" is otherwise a plain amount, and saying so helps.
        ("amount-minus-lookalike", cells.str.contains(rf"[{MINUS_LOOKALIKES}]")),
        ("amount-exponent", cells.str.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")),
        (
            "amount-not-a-number",
            cells.str.fullmatch(r"(?i)[+-]?(?:nan|inf|infinity|n/?a|null|none|#.*)")
            | ~cells.str.contains(r"\d"),  # no digit of any script
        ),
        (
            "amount-currency-symbol",
            cells.str.contains(rf"[{_CURRENCY_SIGNS}]|[A-Za-z]{{3}}"),
        ),
        (
            # "1.500,00" under a decimal point: the other convention, grouped by our own mark.
            "amount-decimal-comma" if decimal == "." else "amount-decimal-point",
            cells.str.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:{d}[0-9]{{3}})+{o}[0-9]+"),
        ),
        (
            "amount-thousands-separator",
            cells.str.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:[{seps}][0-9]{{3}})+(?:{d}[0-9]+)?"),
        ),
        (
            "amount-decimal-comma" if decimal == "." else "amount-decimal-point",
            cells.str.fullmatch(rf"[+-]?[0-9]+{o}[0-9]+"),
        ),
    ]
    conditions = [test.to_numpy(dtype=bool, na_value=False) for _, test in tests]
    return np.select(conditions, [code for code, _ in tests], default="amount-invalid")


def amount_message(code: str, cell: str, decimal: str, units: int, currency: str) -> str:
    """What to change, for a cell that `parse_amounts` flagged with `code`."""
    example = format_minor(-1250 * 10**units // 100, units) if units >= 2 else "-12"
    if decimal == ",":
        example = example.replace(".", ",")
    # The advice must be a value the check accepts ("−1.234,50" is not fixed by its minus
    # alone); where the plain amount is not certain, the cell with only the named fault fixed.
    plain = canonical_amount(cell, decimal, units, (), None)
    if code == "amount-decimal-comma":
        fixed = plain or cell.replace(",", ".")
        return _(
            '"{cell}" uses a decimal comma, but this repository\'s files use a decimal point: '
            'write "{fixed}". If all your files use decimal commas, set '
            'csv: {{delimiter: ";", decimal: ","}} in ledgers/accounts.yml instead.'
        ).format(cell=cell, fixed=fixed)
    if code == "amount-decimal-point":
        fixed = plain or cell.replace(".", ",")
        return _(
            '"{cell}" uses a decimal point, but ledgers/accounts.yml says this repository\'s '
            'files use a decimal comma (csv: decimal: ","): write "{fixed}", or change '
            "the decimal setting if all your files use points."
        ).format(cell=cell, fixed=fixed)
    if code == "amount-minus-lookalike":
        fixed = plain or re.sub(rf"[{MINUS_LOOKALIKES}]", "-", cell)
        return _(
            '"{cell}" is written with {minus_lookalike}, which looks like a minus but is '
            'not the "-" the files use: write "{fixed}". `publisher fix` corrects it.'
        ).format(cell=cell, minus_lookalike=minus_lookalike(cell), fixed=fixed)
    if code == "amount-currency-symbol":
        stripped = re.sub(rf"[{_CURRENCY_SIGNS}]|[A-Za-z]{{3}}", "", cell).strip()
        hint = f' ("{stripped}")' if re.fullmatch(valid_pattern(decimal), stripped) else ""
        return _(
            '"{cell}" contains a currency symbol or code. Every amount is in {currency}; '
            "write the number alone{hint}."
        ).format(cell=cell, currency=currency, hint=hint)
    if code == "amount-thousands-separator":
        other = "," if decimal == "." else "."
        stripped = plain or re.sub(rf"[{re.escape(_SEPARATORS + other)}]", "", cell)
        return _(
            '"{cell}" contains a thousands separator; write the amount without it: '
            '"{stripped}". In a spreadsheet, format the column as a number without grouping.'
        ).format(cell=cell, stripped=stripped)
    if code == "amount-exponent":
        try:
            full = f"{Decimal(cell.replace(',', '.')):.{units}f}"
            if decimal == ",":
                full = full.replace(".", ",")
        except InvalidOperation:
            full = cell
        return _(
            '"{cell}" is in scientific notation (the spreadsheet shortened it). Write it out '
            'in full ("{full}"): format the column as a number with {units} decimals before '
            "exporting."
        ).format(cell=cell, full=full, units=units)
    if code == "amount-not-a-number":
        return _(
            '"{cell}" is not a number. Write the amount, e.g. "{example}" for money paid out.'
        ).format(cell=cell, example=example)
    if code == "amount-too-many-decimals":
        grouped = re.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:{re.escape(decimal)}[0-9]{{3}})+", cell)
        if grouped and units < 3:
            # "1.234" from a spreadsheet that groups thousands with the mark: rounding it to
            # 1.23 would publish a thousandth of the amount.
            whole = cell.replace(decimal, "")
            return _(
                '"{cell}" has more decimals than {currency} has ({units}). If the '
                '"{decimal}" separates thousands, as spreadsheets in some languages write them, '
                'write "{whole}" (`publisher fix` rewrites it when other amounts of the column '
                "show the decimal mark); if it is a fraction, round it to {units} decimals, as "
                "on the bank statement."
            ).format(cell=cell, currency=currency, units=units, decimal=decimal, whole=whole)
        return _(
            '"{cell}" has more decimals than {currency} has ({units}). Round it to '
            "{units} decimals, as on the bank statement."
        ).format(cell=cell, currency=currency, units=units)
    if code == "amount-too-large":
        return _(
            '"{cell}" has more than {max_digits} digits; check the amount (a pasted account '
            "number?)."
        ).format(cell=cell, max_digits=MAX_DIGITS)
    if re.fullmatch(r"\(\s*[0-9.,]+\s*\)", cell):
        inner = cell.strip("() ")
        return _(
            '"{cell}" writes a negative amount in parentheses, as accountants do; write '
            '"-{inner}" instead.'
        ).format(cell=cell, inner=inner)
    if re.search(r"\d", cell) and not re.search(r"[0-9]", cell):
        return _(
            '"{cell}" is written with digits of another script (full-width or Arabic-Indic); '
            'type the amount with the digits 0-9, e.g. "{example}".'
        ).format(cell=cell, example=example)
    if re.fullmatch(r"[0-9.,]+-", cell):
        return _(
            '"{cell}" has its minus sign at the end; write "-{cell_without_sign}" instead.'
        ).format(cell=cell, cell_without_sign=cell[:-1])
    return _(
        '"{cell}" is not a plain amount. Write a signed number with at most {units} '
        'decimals and nothing else, e.g. "{example}" (money out) or "{lstrip}" '
        "(money in)."
    ).format(cell=cell, units=units, example=example, lstrip=example.lstrip("-"))
