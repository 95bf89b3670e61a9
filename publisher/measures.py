"""ledgers/measures.csv: what the cooperative does, counted (kWh produced, tools lent, course
hours, members), checked like the ledgers and summed per month and year, with the cost of each
unit where accounts.yml says which expense categories make it up.

The file (docs/formats-notes.md): `date`, `measure`, `quantity`, optional `fund` and `note`.
Quantities are exact `Decimal`s, never floats.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from publisher.accounts import MAX_QUANTITY_DECIMALS, MAX_QUANTITY_DIGITS, Accounts, Measure
from publisher.checking import Check, column_label, row_problems
from publisher.csvfile import Table
from publisher.i18n import _
from publisher.ledger import FileFormat, _empty_frame, _locator, _parse_date_column, _read_rows
from publisher.money import format_minor, to_decimal
from publisher.privacy import private_names_in
from publisher.reading import bidi_closed_column
from publisher.problems import Problem, did_you_mean, problem

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

MEASURES_FILE = "measures.csv"
MEASURES = FileFormat(
    "measures", ("date", "measure", "quantity", "fund", "note"), ("date", "measure", "quantity")
)


_QUANTITY = re.compile(
    rf"[+-]?[0-9]{{1,{MAX_QUANTITY_DIGITS}}}(?:\.[0-9]{{1,{MAX_QUANTITY_DECIMALS}}})?"
)
#: Precision of the arithmetic on quantities and prices: a year's sum of a million rows of the
#: largest quantities times a price keeps every digit (Python's default of 28 would round).
_PRECISION = 60


def read_measures(table: Table, accounts: Accounts) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows of measures.csv: `date` (Timestamp), `measure`, `quantity` (Decimal or None),
    `fund`, `note`, with `path` and `line`."""
    frame, problems = _read_rows(table, MEASURES, accounts)
    if frame is None:
        return _empty_frame(MEASURES), problems
    frame["date"], date_problems = _parse_date_column(table, frame, "date")
    # A note is shown on the pages beside the publisher's words: an override left open in it
    # would turn those around (publisher.reading.bidi_closed).
    frame["note"] = bidi_closed_column(frame["note"])
    cells = frame["quantity"]
    pointed = np.zeros(len(cells), dtype=bool)
    if accounts.dialect.decimal == ",":
        # The repository's decimal comma: "12,5" is 12.5, as in its ledgers. A point is never
        # the decimal mark there: "1.250" is a thousand and more, not 1.25.
        pointed = cells.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
        cells = cells.str.replace(",", ".", regex=False)
    shaped = cells.str.fullmatch(_QUANTITY).to_numpy(dtype=bool, na_value=False) & ~pointed
    filled = (cells.str.len() > 0).to_numpy()
    quantity_problems = row_problems(
        frame,
        pointed,
        "measure-quantity-invalid",
        "quantity",
        lambda row: _(
            '"{quantity}" has a point, but this repository writes decimals with a comma '
            '(csv: decimal: "," in ledgers/accounts.yml), where a point is never the decimal '
            'mark: write "1250" for a thousand two hundred and fifty, without the thousands '
            'separator, or "1,25" for one and a quarter.'
        ).format(quantity=row.quantity),
        _locator(table),
    )
    quantity_problems += row_problems(
        frame,
        filled & ~shaped & ~pointed,
        "measure-quantity-invalid",
        "quantity",
        lambda row: _(
            '"{quantity}" is not a quantity: write a number with '
            '"{decimal}" before the decimals (at most {max_quantity_decimals}), at most '
            '{max_quantity_digits} digits before it, and no unit or thousands separator, such as "1250.5".'
        ).format(
            quantity=row.quantity,
            decimal=accounts.dialect.decimal,
            max_quantity_decimals=MAX_QUANTITY_DECIMALS,
            max_quantity_digits=MAX_QUANTITY_DIGITS,
        ),
        _locator(table),
    )
    frame["quantity"] = pd.Series(
        [Decimal(c) if ok else None for c, ok in zip(cells, shaped)],
        index=frame.index,
        dtype=object,
    )
    return frame, problems + date_problems + quantity_problems


def _has_rows(cooperative: Cooperative) -> bool:
    return "measure" in cooperative.measures.columns and len(cooperative.measures) > 0


def check_measures(cooperative: Cooperative) -> Iterable[Problem]:
    if not _has_rows(cooperative):
        return []
    rows = cooperative.measures
    declared = cooperative.accounts.measures
    problems: list[Problem] = []
    if not declared:
        first = rows.iloc[0]
        return [
            problem(
                "measures-not-declared",
                str(first["path"]),
                int(first["line"]),
                _(
                    "measures.csv has rows, but ledgers/accounts.yml declares no measures. Declare each "
                    'one under "measures:", e.g. "tool-loans: {label: Tools lent, unit: loans}".'
                ),
            )
        ]
    known = rows["measure"].isin(declared).to_numpy()
    filled = (rows["measure"].str.len() > 0).to_numpy()
    problems += row_problems(
        rows,
        filled & ~known,
        "measure-unknown",
        "measure",
        lambda row: _(
            'The measure "{measure}" is not declared under "measures:" in '
            "ledgers/accounts.yml.{suggestion} The measures are: "
            "{declared}."
        ).format(
            measure=row.measure,
            suggestion=did_you_mean(row.measure, declared),
            declared=", ".join(declared),
        ),
        cooperative.locate,
    )
    # An unknown measure is reported once, as unknown: not also for its sign.
    can_be_negative = np.array(
        [declared[k].negative if k in declared else True for k in rows["measure"]], dtype=bool
    )
    negative = np.array([q is not None and q < 0 for q in rows["quantity"]], dtype=bool)
    problems += row_problems(
        rows,
        negative & ~can_be_negative,
        "measure-quantity-negative",
        "quantity",
        lambda row: _(
            'The quantity {quantity} of "{measure}" is below zero, which this '
            'measure cannot be. Correct the sign, or, if it really can, add "negative: true" to its '
            "declaration in ledgers/accounts.yml."
        ).format(quantity=row.quantity, measure=row.measure),
        cooperative.locate,
    )
    funds = cooperative.accounts.funds
    problems += row_problems(
        rows,
        ~rows["fund"].isin(funds).to_numpy(),
        "fund-unknown",
        "fund",
        lambda row: _(
            'The fund "{fund}" is not declared in ledgers/accounts.yml.'
            "{suggestion} The funds are: {funds}."
        ).format(fund=row.fund, suggestion=did_you_mean(row.fund, funds), funds=", ".join(funds)),
        cooperative.locate,
    )
    today = pd.Timestamp(cooperative.today)
    problems += row_problems(
        rows,
        (rows["date"] > today).to_numpy(),
        "date-in-future",
        "date",
        lambda row: _(
            "{date:%Y-%m-%d} is after today ({today:%Y-%m-%d}); "
            "record what was done once it has been done, and check the year."
        ).format(date=row.date, today=cooperative.today),
        cooperative.locate,
    )
    problems += _duplicates(cooperative, rows, declared)
    return problems + private_names_in(cooperative, rows, ("note",), "measure")


def _duplicates(
    cooperative: Cooperative, rows: pd.DataFrame, declared: dict[str, Measure]
) -> list[Problem]:
    """Rows alike in every cell (one of them would be counted twice); readings of a level
    measure on one day that disagree (which one stands?)."""
    readable = rows[rows["date"].notna() & rows["quantity"].notna()]
    key = readable.assign(text=readable["quantity"].map(str))
    alike = key.duplicated(["date", "measure", "fund", "text", "note"], keep="first")
    problems = row_problems(
        key,
        alike.to_numpy(),
        "measure-duplicate",
        "measure",
        lambda row: _(
            "This row repeats an earlier row of {date:%Y-%m-%d} in every cell, so its "
            "{quantity} would be counted twice. Delete one, or, if both happened, add them up in "
            "one row (or tell them apart in the note)."
        ).format(date=row.date, quantity=row.quantity),
        cooperative.locate,
    )
    levels = [k for k, m in declared.items() if m.kind == "level"]
    readings = key[key["measure"].isin(levels)].drop_duplicates(["date", "measure", "fund", "text"])
    conflict = readings.duplicated(["date", "measure", "fund"], keep="first")
    problems += row_problems(
        readings,
        conflict.to_numpy(),
        "measure-level-conflict",
        "quantity",
        lambda row: _(
            'Another row reads "{measure}" on {date:%Y-%m-%d} with another '
            "quantity. A level (such as a number of members) has one value on a day: keep the right one."
        ).format(measure=row.measure, date=row.date),
        cooperative.locate,
    )
    return problems


# -- Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureYear:
    """One measure in one year: how much, and what it cost."""

    quantity: Decimal
    #: YYYY-MM -> the month's quantity (a total) or its last reading (a level)
    months: dict[str, Decimal] = field(default_factory=dict)
    #: spending in the measure's cost categories that year, in minor units (None: no cost declared)
    cost: int | None = None
    #: cost / quantity, in the currency, rounded half-even to four decimals more than its minor units
    cost_per_unit: Decimal | None = None
    #: reference_price × quantity - cost, in minor units (None without a reference price or cost)
    saved: int | None = None


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def measure_years(cooperative: Cooperative) -> dict[str, dict[int, MeasureYear]]:
    """measure -> year -> its figures, for every declared measure with readable rows."""
    with localcontext(prec=_PRECISION):
        return _measure_years(cooperative)


def _measure_years(cooperative: Cooperative) -> dict[str, dict[int, MeasureYear]]:
    declared = cooperative.accounts.measures
    if not _has_rows(cooperative) or not declared:
        return {}
    rows = cooperative.measures
    rows = rows[rows["date"].notna() & rows["quantity"].notna() & rows["measure"].isin(declared)]
    rows = rows.assign(
        year=rows["date"].dt.year, month=rows["date"].dt.strftime("%Y-%m")
    ).sort_values(["date", "path", "line"], kind="stable")
    units = cooperative.accounts.minor_units
    out: dict[str, dict[int, MeasureYear]] = {}
    for key, measure in declared.items():
        mine = rows[rows["measure"] == key]
        if not len(mine):
            continue
        years: dict[int, MeasureYear] = {}
        # (pandas-stubs types group keys as any scalar: these are the year's int and "YYYY-MM")
        for year, group in cast(Any, mine.groupby("year", sort=True)):
            if measure.kind == "level":
                # The last reading of each fund on the period's last day with one, summed over funds.
                months = {str(m): _level(g) for m, g in group.groupby("month", sort=True)}
                quantity = _level(group)
            else:
                months = {str(m): _sum(g["quantity"]) for m, g in group.groupby("month", sort=True)}
                quantity = _sum(group["quantity"])
            cost = _cost(cooperative, measure, int(year))
            per_unit = saved = None
            if cost is not None and quantity > 0:
                exact = to_decimal(cost, units) / quantity
                per_unit = exact.quantize(Decimal(1).scaleb(-(units + 4)), rounding=ROUND_HALF_EVEN)
            if cost is not None and measure.reference_price is not None:
                elsewhere = (measure.reference_price * quantity).scaleb(units)
                saved = int(elsewhere.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)) - cost
            years[int(year)] = MeasureYear(quantity, months, cost, per_unit, saved)
        out[key] = years
    return out


def _level(group: pd.DataFrame) -> Decimal:
    last_day = group.groupby("fund")["date"].transform("max")
    return _sum(group[group["date"] == last_day].drop_duplicates(["fund"], keep="last")["quantity"])


def _cost(cooperative: Cooperative, measure: Measure, year: int) -> int | None:
    """What the measure's cost categories spent in `year`, as a positive number of minor units."""
    if not measure.cost:
        return None
    ledger = cooperative.ledger
    if not len(ledger) or "category" not in ledger.columns:
        return 0
    readable = ledger[ledger["date"].notna() & ledger["amount"].notna()]
    spent = readable[(readable["date"].dt.year == year) & readable["category"].isin(measure.cost)]
    return -int(spent["amount"].astype("int64").sum())


def measures_json(
    cooperative: Cooperative, computed: dict[str, dict[int, MeasureYear]] | None = None
) -> dict:
    """The measures for summary.json: exact decimal text, money as in the rest of the file.
    `computed`: `measure_years(cooperative)`, when the caller has it already."""
    units = cooperative.accounts.minor_units
    out: dict = {}
    for key, years in (measure_years(cooperative) if computed is None else computed).items():
        measure = cooperative.accounts.measures[key]
        out[key] = {
            "label": measure.label,
            "unit": measure.unit,
            "kind": measure.kind,
            "reference_price": str(measure.reference_price)
            if measure.reference_price is not None
            else None,
            "reference_source": measure.reference_source or None,
            "years": {
                str(year): {
                    "quantity": str(figures.quantity),
                    "months": {month: str(q) for month, q in figures.months.items()},
                    "cost": format_minor(figures.cost, units) if figures.cost is not None else None,
                    "cost_per_unit": str(figures.cost_per_unit)
                    if figures.cost_per_unit is not None
                    else None,
                    "saved": format_minor(figures.saved, units)
                    if figures.saved is not None
                    else None,
                }
                for year, figures in years.items()
            },
        }
    return out


# -- Membership -------------------------------------------------------------------------------

#: A `kind: level` measure with this key counts the members (docs/formats-notes.md).
MEMBERS_MEASURE = "members"


@dataclass(frozen=True)
class AssemblyAttendance:
    """One members' meeting: how many of the members came."""

    date: dt.date
    title: str
    #: the minutes' file ("content/minutes/2026-03-01.md")
    path: str
    present: int
    members: int
    #: present ÷ members (None when the minutes give no members)
    attendance: Decimal | None


@dataclass(frozen=True)
class MembershipYear:
    year: int
    #: the members at the year's last count (None: no count that year)
    members: Decimal | None
    #: where that count comes from: "measures.csv" (the members measure) or "minutes"
    source: str | None
    meetings: int
    #: the average share of members present at the year's meetings (None: no meeting)
    attendance: Decimal | None
    #: the day of that count: the last reading of the members measure, or the meeting's day
    as_of: dt.date | None = None
    #: the members the year's last meeting recorded, beside a count from measures.csv (None:
    #: no meeting that year)
    minutes_members: int | None = None
    #: the year's meetings, oldest first
    assemblies: tuple[AssemblyAttendance, ...] = ()


def membership(
    cooperative: Cooperative, computed: dict[str, dict[int, MeasureYear]] | None = None
) -> list[MembershipYear]:
    """Members and participation per year: the members measure where it is kept, else the
    membership the last meeting of the year recorded; the meetings and their attendance."""
    meetings = sorted(cooperative.governance.meetings, key=lambda m: (m.date, m.path))
    measure = cooperative.accounts.measures.get(MEMBERS_MEASURE)
    figures = measure_years(cooperative) if computed is None else computed
    counted = (
        figures.get(MEMBERS_MEASURE, {}) if measure is not None and measure.kind == "level" else {}
    )
    read_on = _last_readings(cooperative) if counted else {}
    years = sorted({m.date.year for m in meetings} | set(counted))
    out = []
    for year in years:
        held = [m for m in meetings if m.date.year == year]
        if year in counted:
            members, source, as_of = counted[year].quantity, MEASURES_FILE, read_on.get(year)
        elif held:
            members, source, as_of = Decimal(held[-1].members), "minutes", held[-1].date
        else:
            members, source, as_of = None, None, None
        attendance = _sum(m.attendance for m in held) / len(held) if held else None
        assemblies = tuple(
            AssemblyAttendance(
                m.date,
                m.title,
                m.path,
                m.present,
                m.members,
                Decimal(m.present) / Decimal(m.members) if m.members else None,
            )
            for m in held
        )
        out.append(
            MembershipYear(
                year,
                members,
                source,
                len(held),
                attendance,
                as_of,
                held[-1].members if held else None,
                assemblies,
            )
        )
    return out


def _last_readings(cooperative: Cooperative) -> dict[int, dt.date]:
    """year -> the day of the members measure's last readable reading that year."""
    rows = cooperative.measures
    rows = rows[
        (rows["measure"] == MEMBERS_MEASURE) & rows["date"].notna() & rows["quantity"].notna()
    ]
    last: dict[int, dt.date] = {}
    for stamp in rows["date"]:
        day = stamp.date()
        if day > last.get(day.year, dt.date.min):
            last[day.year] = day
    return last


def _share_text(share: Decimal | None) -> str | None:
    return (
        None if share is None else str(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))
    )


def membership_json(
    cooperative: Cooperative, computed: dict[str, dict[int, MeasureYear]] | None = None
) -> dict:
    """summary.json's `membership`: per year the members, where the count comes from and its
    day, the members the last meeting recorded, the meetings and their average attendance (a
    share, four decimals), and each meeting's attendance."""
    return {
        str(y.year): {
            "members": str(y.members) if y.members is not None else None,
            "source": y.source,
            "as_of": y.as_of.isoformat() if y.as_of is not None else None,
            "minutes_members": y.minutes_members,
            "meetings": y.meetings,
            "attendance": _share_text(y.attendance),
            "assemblies": [
                {
                    # No title: summary.json is made from the books as written, and a title may
                    # name a private person (the pages show it with the name replaced).
                    "date": a.date.isoformat(),
                    "present": a.present,
                    "members": a.members,
                    "attendance": _share_text(a.attendance),
                }
                for a in y.assemblies
            ],
        }
        for y in membership(cooperative, computed)
    }


def check_members_agree(cooperative: Cooperative) -> list[Problem]:
    """The minutes and the members measure count the same members: where a meeting's minutes
    give `members` and the members measure has a reading on the same day, the two must be
    equal, or the site would publish two numbers of members for one day (docs/formats-notes.md).
    The measure's count on a day is a level's: each fund's last reading up to that day, summed
    over the funds."""
    measure = cooperative.accounts.measures.get(MEMBERS_MEASURE)
    meetings = cooperative.governance.meetings
    if measure is None or measure.kind != "level" or not meetings or not _has_rows(cooperative):
        return []
    rows = cooperative.measures
    rows = rows[
        (rows["measure"] == MEMBERS_MEASURE) & rows["date"].notna() & rows["quantity"].notna()
    ].sort_values(["date", "path", "line"], kind="stable")
    if not len(rows):
        return []
    days = {stamp.date() for stamp in rows["date"]}
    problems: list[Problem] = []
    for meeting in sorted(meetings, key=lambda m: (m.date, m.path)):
        if meeting.date not in days:
            continue
        upto = rows[rows["date"] <= pd.Timestamp(meeting.date)]
        on_day = upto[upto["date"] == pd.Timestamp(meeting.date)]
        if (on_day.groupby("fund")["quantity"].nunique() > 1).any():
            continue  # readings of one fund that disagree: measure-level-conflict says so
        count = _level(upto)
        if count == meeting.members:
            continue
        reading = on_day.iloc[-1]
        path = str(reading["path"])
        line, column = cooperative.locate(path, int(reading["line"]), "quantity")
        problems.append(
            problem(
                "members-count-mismatch",
                path,
                line,
                column_label(cooperative.locate, path, "quantity")
                + _(
                    "The members measure counts {count} members on {date:%Y-%m-%d}, but the "
                    "minutes of that day's meeting ({minutes}, line {minutes_line}) record "
                    '"members: {members}". Both count the members of one day: correct the one '
                    "that is wrong, so that this quantity and the minutes agree."
                ).format(
                    count=count,
                    date=meeting.date,
                    minutes=meeting.path,
                    minutes_line=meeting.lines.get("members", 1),
                    members=meeting.members,
                ),
                column,
            )
        )
    return problems


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_measures,
    check_members_agree,
]
