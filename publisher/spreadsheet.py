"""What spreadsheets leave in a CSV file, recognized: dates in day/month order, grouped
amounts, minus signs that are not a hyphen-minus, totals rows, column letters.

Pure functions on text, shared by the readers (to name a pattern once for a whole column) and
by `publisher fix` (to rewrite a cell only when its meaning is certain). Nothing here guesses:
each function answers None when the text could mean two things.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

#: Characters that spreadsheets and word processors write for a minus sign: U+2212 MINUS SIGN,
#: the dashes (figure, en, em), the hyphens (hyphen, non-breaking hyphen), and the small and
#: full-width hyphen-minus. None of them is the ASCII "-" the formats require.
MINUS_LOOKALIKES = "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63\uff0d"

_MINUS_NAMES = {
    "\u2212": "the minus sign U+2212",
    "\u2012": "a figure dash (U+2012)",
    "\u2013": "an en dash (U+2013)",
    "\u2014": "an em dash (U+2014)",
    "\u2010": "a hyphen (U+2010)",
    "\u2011": "a non-breaking hyphen (U+2011)",
    "\ufe63": "a small hyphen-minus (U+FE63)",
    "\uff0d": "a full-width hyphen-minus (U+FF0D)",
}

_GROUPING_SPACES = " '\u00a0\u202f\u2009"  # space, apostrophe, no-break, narrow no-break, thin

_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4})")
_YEAR_FIRST_DATE = re.compile(r"([0-9]{4})([./-])([0-9]{1,2})\2([0-9]{1,2})")
_SHORT_YEAR_DATE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{2})")

#: First words of a totals row, in the languages of the spreadsheets treasurers use.
TOTALS_WORDS = re.compile(
    r"(?i)\s*(?:grand\s+)?(?:totals?|sum|sums|subtotal|summe|gesamt|gesamtsumme|insgesamt|"
    r"totaal|som|somme|totale|suma|summa|yhteens\u00e4)\b[\s:.]*.*"
)

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": the column as a spreadsheet labels it."""
    letters = ""
    index += 1
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def minus_lookalike(cell: str) -> str | None:
    """The name of the minus look-alike a cell contains, or None."""
    for char in cell:
        if char in _MINUS_NAMES:
            return _MINUS_NAMES[char]
    return None


# -- Dates ------------------------------------------------------------------------------------


def date_order(cells: Iterable[str]) -> str | None:
    """DAY_FIRST or MONTH_FIRST when the numeric dates of a column prove one order, else None.

    A date such as 13.01.2026 proves day first, 01/13/2026 month first. When every date has
    both numbers at most 12, or the column proves both orders, nothing is proven.
    """
    day_first = month_first = False
    for cell in cells:
        match = _NUMERIC_DATE.fullmatch(cell.strip())
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        day_first |= first > 12 and second <= 12
        month_first |= second > 12 and first <= 12
    if day_first == month_first:
        return None
    return DAY_FIRST if day_first else MONTH_FIRST


def date_shape(cell: str, order: str | None) -> str | None:
    """How a numeric date is written ("DD.MM.YYYY", "MM/DD/YYYY", "NN/NN/YYYY"), or None."""
    match = _NUMERIC_DATE.fullmatch(cell.strip())
    if match:
        separator = match.group(2)
        first, second = {DAY_FIRST: ("DD", "MM"), MONTH_FIRST: ("MM", "DD")}.get(
            order or "", ("NN", "NN")
        )
        return f"{first}{separator}{second}{separator}YYYY"
    match = _YEAR_FIRST_DATE.fullmatch(cell.strip())
    if match:
        return f"YYYY{match.group(2)}MM{match.group(2)}DD"
    match = _SHORT_YEAR_DATE.fullmatch(cell.strip())
    if match:  # a spreadsheet's default short date: the century is not written
        return f"NN{match.group(2)}NN{match.group(2)}YY"
    return None


def canonical_date(cell: str, order: str | None) -> str | None:
    """`cell` written YYYY-MM-DD when its reading is certain (and it is a real day), else None."""
    text = cell.strip()
    match = _NUMERIC_DATE.fullmatch(text)
    if match:
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if order == DAY_FIRST:
            day, month = first, second
        elif order == MONTH_FIRST:
            month, day = first, second
        else:
            return None
    else:
        match = _YEAR_FIRST_DATE.fullmatch(text)
        if not match:
            return None
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# -- Amounts ----------------------------------------------------------------------------------


def _marks(body: str) -> list[str]:
    return [char for char in body if char in ".,"]


def decimal_mark_evidence(cells: Iterable[str]) -> str | None:
    """The decimal mark that a column of amounts proves it uses ("." or ","), or None.

    `12,50` proves a comma, `1.234,50` a comma, `1.234.567` a comma (a point used twice groups
    thousands). `1.234` proves nothing: three digits after a single mark may be either.
    """
    seen: set[str] = set()
    for cell in cells:
        body = re.sub(r"[^0-9.,]", "", cell)
        marks = _marks(body)
        if not marks:
            continue
        if len(set(marks)) == 2:
            seen.add(marks[-1])
        elif len(marks) > 1:
            seen.add("," if marks[0] == "." else ".")
        elif len(body) - body.rfind(marks[0]) - 1 != 3:
            seen.add(marks[0])
    return seen.pop() if len(seen) == 1 else None


def canonical_amount(
    cell: str, decimal: str, units: int, currency_marks: Iterable[str], column_mark: str | None
) -> str | None:
    """`cell` as a plain amount with the dialect's `decimal` mark, when that is certain.

    Removes the repository's own currency symbol or code (never another currency's), turns a
    minus look-alike into "-", drops thousands separators and writes the decimal mark as the
    dialect does. `column_mark` is the decimal mark the rest of the column proves, which
    settles a cell like `1.234`. None when the cell could mean more than one number.
    """
    text = cell.strip()
    for mark in sorted(currency_marks, key=len, reverse=True):
        if mark and (text.startswith(mark) or text.endswith(mark)):
            text = (text[len(mark) :] if text.startswith(mark) else text[: -len(mark)]).strip()
            break
    sign = ""
    if text[:1] in ("+", "-") or (text[:1] and text[0] in MINUS_LOOKALIKES):
        sign = "" if text[0] == "+" else "-"
        text = text[1:].strip()
        for mark in sorted(currency_marks, key=len, reverse=True):  # -€12.50
            if mark and text.startswith(mark):
                text = text[len(mark) :].strip()
                break
    if not re.fullmatch(r"[0-9](?:[0-9.,'\u00a0\u202f\u2009 ]*[0-9])?", text):
        return None
    spaces = [char for char in text if char in _GROUPING_SPACES]
    marks = _marks(text)
    fraction_mark: str | None = None
    if len(set(marks)) == 2:
        fraction_mark = marks[-1]
        if marks.count(fraction_mark) != 1:
            return None
    elif len(marks) == 1:
        after = len(text) - text.rfind(marks[0]) - 1
        if after != 3 or spaces:
            fraction_mark = marks[0]
        elif column_mark is not None:
            fraction_mark = marks[0] if column_mark == marks[0] else None
        else:
            return None  # 1.234: one thousand or one point something?
    if fraction_mark is not None:
        whole, fraction = text.rsplit(fraction_mark, 1)
    else:
        whole, fraction = text, ""
    grouping = {c for c in whole if not c.isdigit()}
    if len(grouping) > 1:
        return None
    if grouping:
        groups = re.split(r"[^0-9]", whole)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        whole = "".join(groups)
    if not fraction.isdigit() and fraction:
        return None
    if len(fraction) > units:
        return None
    return sign + whole + (decimal + fraction if fraction else "")
