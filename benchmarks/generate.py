"""Generate large, realistic and valid books of a cooperative, for benchmarks.

    python benchmarks/generate.py OUTDIR --rows N [--years Y] [--seed S] [--id-share F]

writes

    OUTDIR/ledgers/accounts.yml       4 funds, 18 income/expense categories, transfer, opening
    OUTDIR/ledgers/YYYY.csv           one cash book per year, N rows in total
    OUTDIR/ledgers/budget-YYYY.csv    one budget per year
    OUTDIR/ledgers/balances.csv       each fund's balance at the end of each year

The books follow the formats specification (accounts.yml, ledgers, budgets, balances) and pass
`publisher check` without a single error or warning: every amount goes in its category's
direction, transfers come in balanced pairs on one date, ids are unique, rows without an id
never repeat another row, no date lies after today, and the balance assertions are computed
exactly, in integer minor units (cents), from the rows written.

The mix imitates a tool library and workshop: monthly, quarterly and annual dues from
thousands of private members, course fees, tool hire, donations, grants from public bodies,
feed-in tariffs of a solar fund, rent, energy, consumables, tools and machines, instructors,
bank fees. Some descriptions carry commas or quotes (so they are quoted in the CSV) and now
and then a note spans two lines inside its quotes.

Deterministic: the same arguments (and the same `today`, which only matters while the last
year is not over) give byte-identical files, on any platform and Python >= 3.11. Only the
standard library is used, so `python benchmarks/generate.py` runs outside the venv too.

Also importable: `generate(outdir, rows, years=5, seed=1)` returns a `Generated` summary.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LAST_YEAR = 2025
HEADER = [
    "date",
    "description",
    "amount",
    "category",
    "fund",
    "counterparty",
    "decision",
    "id",
    "note",
]

NAME = "Benchmark Tool Library & Workshop"
FUNDS = {
    "general": "Day-to-day running costs (current account)",
    "commons": "Common fund of reinvested surplus (savings sub-account)",
    "workshop": "Courses and the teaching workshop",
    "solar": "Community solar roof",
}
DEFAULT_FUND = next(iter(FUNDS))

# key: (kind, label, capital)
CATEGORIES: dict[str, tuple[str, str, bool]] = {
    "dues": ("income", "Membership dues", False),
    "courses": ("income", "Course and workshop fees", False),
    "hire": ("income", "Day passes and tool hire", False),
    "donations": ("income", "Donations (repair café)", False),
    "sales": ("income", "Materials sold at cost", False),
    "feedin": ("income", "Solar feed-in tariff", False),
    "grants": ("income", "Grants and subsidies", False),
    "interest": ("income", "Interest on savings", False),
    "rent": ("expense", "Rent and service charges", False),
    "energy": ("expense", "Electricity and heating", False),
    "insurance": ("expense", "Insurance", False),
    "consumables": ("expense", "Consumables (blades, glue, filament)", False),
    "repairs": ("expense", "Repairs and maintenance", False),
    "instructors": ("expense", "Guest instructor fees", False),
    "events": ("expense", "Repair café and open days", False),
    "admin": ("expense", "Bank fees, website and administration", False),
    "tools": ("expense", "Hand and power tools", True),
    "machines": ("expense", "Machines and workshop installations", True),
    "transfer": ("transfer", "Transfer between funds", False),
    "opening": ("opening", "Opening balance", False),
}

PUBLIC = [
    "City Council",
    "Riverside Community Foundation",
    "Regional Energy Agency",
    "Riverside Hardware Cooperative",
    "Sunbeam Energy Cooperative",
    "Quayside Properties Ltd",
    "Mutual Cooperative Insurance",
    "Ethical Savings Bank",
    "Commons Hosting Cooperative",
    "Fabrikant Machines BV",
    "Print Collective",
]
# Private businesses: shown as "private" on the site, and never named in a description.
PRIVATE_SUPPLIERS = [
    "Bolt & Nut Supplies",
    "Karl's Timber Yard",
    "Café Lumen",
    "Ostrowski Electrics",
]

FIRST_NAMES = (
    "Maria Lukas Elena Jonas Fatima Oskar Chloé Carmen Dmitri Aisha Björn Zoë Mateo Ingrid Kofi "
    "Léa Tomasz Priya Santiago Hana Emeka Sofía Niamh Yusuf Marta Henrik Amara Luca Agnieszka "
    "Ravi Noor Felix Ines Kenji Olumide Greta Tariq Bruna Anders Mei Jakub Zainab Pierre Ayşe "
    "Mikael Thandiwe Giulia Ahmed Saoirse Viktor Leilani Nikolai Daniela Kwame Astrid Hamid "
    "Rosalind Teodor Yara Emil Chiara Bongani Malin Farid Ilse Mateusz Wanjiru Rafael Signe "
    "Hiroshi Lucía Desmond Annika Omar Valentina Sven Nadia"
).split()
LAST_NAMES = (
    "Jensen Hofmann Rossi Lindqvist Benali Brandt Moreau Duarte Volkov Okafor Nowak Müller "
    "García Andersson Haddad Kowalczyk Nakamura Mensah O'Brien Fernández Petrov Svensson "
    "Dubois Yilmaz Schneider Costa Novák Mbeki Larsen Sato Kovač Ferreira Horvat Nieminen "
    "Achterberg Delgado Popescu Keller Abara Johansson Romano Ivanova Brennan Castillo "
    "Lefèvre Wiśniewski Osei Bauer Martins Eriksen Cohen Santos Weber Kaya Mwangi Lund "
    "Fischer Moretti Silva Papadopoulos Grünewald Quispe Hussain Vogel Nyström Carvalho "
    "Lindgren Ochieng Szabó Marino Hansen Zielinski Bianchi Rahman Dąbrowski Ortega"
).split()

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

COURSES = [
    "Knife and chisel sharpening",
    "Bicycle maintenance",
    "Introduction to the table saw",
    "Soldering for beginners",
    "Upholstery, part 1",
    "Upholstery, part 2",
    'Build your own "Bee Hotel"',
    "Wood turning",
    "Sewing machine basics",
    "Repairing small electronics",
    "Welding, safety first",
    "3D printing",
]
HIRE = [
    "Day pass",
    "Tool hire: cordless drill",
    "Tool hire: pressure washer",
    "Tool hire: tile cutter",
    "Tool hire: ladder and scaffolding",
    "Tool hire: garden shredder",
    "Tool hire: sander, 2 days",
    "Tool hire: cargo bike",
]
CONSUMABLES = [
    "Saw blades",
    "Paint, brushes and tape",
    "Screws, nails and wall plugs",
    "Glue, sandpaper and wood filler",
    "PLA filament",
    "Drill bits",
    "Sewing thread and needles",
    "Solder and flux",
    'Gloves, size "L"',
    "Cleaning supplies",
]
REPAIRS = [
    "Repair of the band saw",
    "Service of the compressor",
    "Door lock replaced",
    "Dust extraction, new filters",
    "Electrician: socket circuit in the back room",
    "Inverter inspection",
]
TOOLS = [
    "Cordless drill",
    "Random orbit sander",
    "Set of clamps",
    'Workbench "Oak 180"',
    "Multimeter",
    "Jigsaw",
    "Socket wrench set, 94 pieces",
    "Sewing machine",
    "Pressure washer",
]
MACHINES = ["Table saw", "Wood lathe", "Dust extraction unit", "Laser cutter", "Welding station"]
EVENTS = [
    "Repair café: coffee and cake",
    "Open day flyers",
    "Repair café: spare parts",
    "Summer party, drinks and snacks",
    "Open day: hired marquee",
]
DONATIONS = ["Donation at the repair café", "Donation", "Donation box, open day"]
SALES = [
    "Materials sold at cost",
    "Plywood offcuts sold at cost",
    "Screws, glue and sandpaper sold at cost",
]
NOTES = [
    "Paid in cash",
    "Paid through the booking page",
    "Receipt in folder 3",
    "Card payment",
    'Receipt says "misc.", asked the shop for details',
]
MULTILINE_NOTES = [
    "Paid in two instalments:\nfirst in cash, the rest by bank transfer",
    "Receipt lost.\nConfirmed by the treasurer and one board member",
    "Part of the spring campaign,\nsee the minutes of the board meeting",
]


@dataclass
class Generated:
    outdir: Path
    rows: int
    years: list[int]
    files: list[Path] = field(default_factory=list)
    #: fund -> balance in minor units after the last row
    balances: dict[str, int] = field(default_factory=dict)
    #: distinct counterparties not in public_counterparties (the privacy check searches for each)
    private_counterparties: int = 0

    @property
    def bytes(self) -> int:
        return sum(path.stat().st_size for path in self.files)

    @property
    def csv_files(self) -> list[Path]:
        return [path for path in self.files if path.suffix == ".csv"]


def money(minor: int) -> str:
    """Minor units -> "-12.50": exact, no float on the way."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


class _CsvCells(dict):
    """text -> its CSV cell, quoted where needed; remembered, since few texts recur."""

    def __call__(self, text: str) -> str:
        try:
            return self[text]
        except KeyError:
            needs_quotes = any(c in text for c in ',"\n\r')
            quoted = '"' + text.replace('"', '""') + '"' if needs_quotes else text
            self[text] = quoted
            return quoted


def accounts_yaml() -> str:
    lines = [
        "# Generated by benchmarks/generate.py: a large, valid cooperative for benchmarks.",
        f'name: "{NAME}"',
        "currency: EUR",
        "funds:",
        *(f"  {key}: {description}" for key, description in FUNDS.items()),
        "categories:",
    ]
    for key, (kind, label, capital) in CATEGORIES.items():
        extra = ", capital: true" if capital else ""
        lines.append(f'  {key}: {{kind: {kind}, label: "{label}"{extra}}}')
    lines.append("public_counterparties:")
    lines += [f"  - {name}" for name in PUBLIC]
    lines.append('csv: {delimiter: ",", decimal: "."}')
    return "\n".join(lines) + "\n"


class _Maker:
    """Draws the rows. One instance per run: all randomness comes from one seeded Random."""

    def __init__(self, rng: random.Random, rows: int) -> None:
        self.rng = rng
        people = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(people)
        # The membership grows with the books: many members, each paying dues again and again,
        # and a wider public (course participants, tool hirers, instructors) that includes them.
        self.members = people[: max(40, min(len(people), rows // 60))]
        self.people = people[: max(100, min(len(people), rows // 15))]
        self._descriptions: dict[tuple, str] = {}
        r = rng.random
        members, everyone = self.members, self.people

        def person() -> str:
            return members[int(r() * len(members))]

        def anyone() -> str:
            return everyone[int(r() * len(everyone))]

        def pick(items):
            return lambda: items[int(r() * len(items))]

        def steps(low: int, high: int, step: int):
            # a random multiple of `step` minor units in [low, high]
            count = (high - low) // step + 1
            return lambda: low + step * int(r() * count)

        def skewed(low: int, high: int, step: int):
            # small amounts are more frequent than large ones
            count = (high - low) // step + 1
            return lambda: low + step * int(r() * r() * count)

        def fixed(value: int):
            return lambda: value

        def text(choices):
            return lambda month, year: choices[int(r() * len(choices))]

        nobody = lambda: ""
        month_name = lambda label: lambda month, year: f"{label}, {MONTHS[month - 1]} {year}"

        supplier = pick(["Riverside Hardware Cooperative"] * 3 + PRIVATE_SUPPLIERS)
        # (weight, category, fund cell, counterparty, amount in cents (sign applied below),
        #  description(month, year))
        self.templates = [
            (22.0, "dues", "", person, fixed(1500), month_name("Monthly dues")),
            (
                6.0,
                "dues",
                "",
                person,
                fixed(4500),
                lambda month, year: f"Quarterly dues, Q{(month - 1) // 3 + 1} {year}",
            ),
            (3.0, "dues", "", person, fixed(17000), lambda month, year: f"Annual dues {year}"),
            (
                4.0,
                "donations",
                "",
                lambda: anyone() if r() < 0.6 else "",
                skewed(200, 20000, 50),
                text(DONATIONS),
            ),
            (
                10.0,
                "courses",
                "workshop",
                anyone,
                steps(2000, 12000, 500),
                lambda month, year: f"Course fee: {COURSES[int(r() * len(COURSES))]}",
            ),
            (12.0, "hire", "", anyone, skewed(300, 6000, 50), text(HIRE)),
            (3.0, "sales", "", anyone, skewed(100, 6000, 10), text(SALES)),
            (
                0.5,
                "feedin",
                "solar",
                fixed("Sunbeam Energy Cooperative"),
                steps(4000, 90000, 1),
                month_name("Feed-in tariff"),
            ),
            (
                0.12,
                "grants",
                pick(["workshop", "solar", ""]),
                pick(["City Council", "Riverside Community Foundation", "Regional Energy Agency"]),
                steps(100000, 1500000, 5000),
                text(
                    [
                        "Grant for the course programme",
                        "Grant: solar roof extension",
                        "Subsidy for the repair café, part payment",
                        "Energy efficiency grant",
                    ]
                ),
            ),
            (
                0.1,
                "interest",
                "commons",
                fixed("Ethical Savings Bank"),
                skewed(50, 4000, 1),
                text(["Interest on savings"]),
            ),
            (8.0, "consumables", "", supplier, skewed(150, 15000, 1), text(CONSUMABLES)),
            (
                2.5,
                "repairs",
                pick(["", "", "solar"]),
                supplier,
                skewed(1000, 60000, 100),
                text(REPAIRS),
            ),
            (1.5, "tools", pick(["", "commons"]), supplier, skewed(1500, 45000, 5), text(TOOLS)),
            (
                0.05,
                "machines",
                "commons",
                fixed("Fabrikant Machines BV"),
                steps(80000, 600000, 1000),
                text(MACHINES),
            ),
            (
                4.0,
                "instructors",
                "workshop",
                anyone,
                steps(4000, 30000, 1000),
                lambda month, year: f"Guest instructor: {COURSES[int(r() * len(COURSES))]}",
            ),
            (
                3.0,
                "events",
                "",
                lambda: supplier() if r() < 0.5 else "",
                skewed(500, 25000, 1),
                text(EVENTS),
            ),
            (
                2.0,
                "admin",
                "",
                pick(["Ethical Savings Bank", "Commons Hosting Cooperative", "Print Collective"]),
                skewed(300, 12000, 1),
                text(
                    [
                        "Bank fees",
                        "Website hosting",
                        "Printing: newsletter",
                        "Postage and envelopes",
                    ]
                ),
            ),
            (
                1.0,
                "energy",
                "",
                fixed("Sunbeam Energy Cooperative"),
                steps(4000, 40000, 1),
                month_name("Electricity top-up"),
            ),
        ]
        self.weights = [t[0] for t in self.templates]
        self.signs = [1 if CATEGORIES[t[1]][0] == "income" else -1 for t in self.templates]
        self.nobody = nobody

    def random_rows(self, year: int, first: int, last: int, count: int) -> list[tuple]:
        """`count` rows dated between the ordinals `first` and `last` (see `Row`)."""
        r = self.rng.random
        span = last - first + 1
        months = [dt.date.fromordinal(o).month for o in range(first, last + 1)]
        chosen = self.rng.choices(range(len(self.templates)), self.weights, k=count)
        out = []
        append = out.append
        templates, signs = self.templates, self.signs
        notes, multiline = NOTES, MULTILINE_NOTES
        for index in chosen:
            _, category, fund, counterparty, amount, describe = templates[index]
            day = int(r() * span)
            if fund.__class__ is not str:
                fund = fund()
            roll = r()
            if roll >= 0.06:
                note = ""
            elif roll < 0.0005:
                note = multiline[int(r() * len(multiline))]
            else:
                note = notes[int(r() * len(notes))]
            append(
                (
                    first + day,
                    describe(months[day], year),
                    signs[index] * amount(),
                    category,
                    fund,
                    counterparty(),
                    note,
                )
            )
        return out

    def scheduled_rows(self, year: int, last: int) -> list:
        rows = []
        for month in range(1, 13):
            name = MONTHS[month - 1]
            for day, row in (
                (
                    1,
                    (
                        f"Workshop rent, {name} {year}",
                        -46500,
                        "rent",
                        "",
                        "Quayside Properties Ltd",
                    ),
                ),
                (
                    3,
                    (f"Bank account fee, {name} {year}", -850, "admin", "", "Ethical Savings Bank"),
                ),
                (
                    15,
                    (
                        f"Electricity and heating prepayment, {name} {year}",
                        -24000 if month in (1, 2, 11, 12) else -18000,
                        "energy",
                        "",
                        "Sunbeam Energy Cooperative",
                    ),
                ),
            ):
                rows.append((dt.date(year, month, day).toordinal(), *row, ""))
        rows.append(
            (
                dt.date(year, 1, 15).toordinal(),
                f"Public liability and contents insurance {year}",
                -48240,
                "insurance",
                "",
                "Mutual Cooperative Insurance",
                "",
            )
        )
        rows.append(
            (
                dt.date(year, 3, 31).toordinal(),
                f"Accountant: annual report {year - 1}",
                -60000,
                "admin",
                "",
                "Print Collective",
                "Review of the accounts, as every year",
            )
        )
        return [row for row in rows if row[0] <= last]

    def transfer_pairs(self, first: int, last: int, count: int) -> list:
        r = self.rng.random
        routes = [
            ("general", "commons", "Reinvestment of surplus into the common fund", 20000, 400000),
            ("general", "workshop", "Advance to the workshop fund", 10000, 150000),
            ("workshop", "general", "Workshop fund: share of overheads", 10000, 150000),
            ("commons", "solar", "Common fund: solar roof reserve", 10000, 300000),
            ("solar", "commons", "Solar surplus to the common fund", 10000, 100000),
        ]
        weights = [5, 2, 3, 1, 2]
        out = []
        for route in self.rng.choices(routes, weights, k=count):
            source, target, description, low, high = route
            ordinal = first + int(r() * (last - first + 1))
            amount = low + 100 * int(r() * ((high - low) // 100 + 1))
            note = "Transfer between our own accounts"
            text = f"{description} ({source} to {target})"
            out.append(
                (
                    ordinal,
                    text,
                    -amount,
                    "transfer",
                    "" if source == DEFAULT_FUND else source,
                    "",
                    note,
                )
            )
            out.append(
                (
                    ordinal,
                    text,
                    amount,
                    "transfer",
                    "" if target == DEFAULT_FUND else target,
                    "",
                    note,
                )
            )
        return out


def _year_counts(rows: int, years: list[int]) -> list[int]:
    """Rows per year, growing a little each year (the cooperative grows); sums to `rows`."""
    weights = [1.0 + 0.15 * i for i in range(len(years))]
    total = sum(weights)
    counts = [int(rows * w / total) for w in weights]
    counts[-1] += rows - sum(counts)
    return counts


def generate(
    outdir: Path | str,
    rows: int,
    years: int = 5,
    seed: int = 1,
    id_share: float = 0.9,
    today: dt.date | None = None,
) -> Generated:
    """Write the books of a cooperative with `rows` ledger rows under `outdir`.

    `id_share` is the share of rows that get an id; a row that repeats another row exactly
    (a "likely double entry" unless each has its own id) gets one anyway.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    if rows < 20 * years:
        raise ValueError(f"ask for at least {20 * years} rows ({years} years)")
    today = today or dt.date.today()
    first_year = LAST_YEAR - years + 1
    end = min(dt.date(LAST_YEAR, 12, 31), today)
    if end < dt.date(first_year, 1, 1):
        raise ValueError(f"today ({today}) is before the first year of the books ({first_year})")
    year_list = [y for y in range(first_year, LAST_YEAR + 1) if dt.date(y, 1, 1) <= end]
    counts = _year_counts(rows, year_list)

    outdir = Path(outdir)
    ledgers = outdir / "ledgers"
    ledgers.mkdir(parents=True, exist_ok=True)
    for old in ledgers.glob("*.csv"):  # a smaller earlier run must not leave files behind
        old.unlink()
    result = Generated(outdir=outdir, rows=rows, years=year_list)
    accounts = ledgers / "accounts.yml"
    accounts.write_text(accounts_yaml(), encoding="utf-8", newline="\n")
    result.files.append(accounts)

    rng = random.Random(seed)
    maker = _Maker(rng, rows)
    with_schedule = rows >= 200 * len(year_list)
    balance = {fund: 0 for fund in FUNDS}
    balance_lines: list[list[str]] = []
    kinds = {key: spec[0] for key, spec in CATEGORIES.items()}
    amounts: dict[int, str] = {}
    cell = _CsvCells()
    names: set[str] = set()

    for year, count in zip(year_list, counts):
        first = dt.date(year, 1, 1).toordinal()
        last = min(dt.date(year, 12, 31), end).toordinal()
        fixed: list = []
        if year == year_list[0]:
            # The running fund starts with enough that the first months' bills keep it above zero.
            openings = {"general": 1500000, "commons": 3000000, "workshop": 80000, "solar": 350000}
            fixed += [
                (
                    first,
                    "Opening balance, carried over from the old books",
                    openings[fund],
                    "opening",
                    "" if fund == DEFAULT_FUND else fund,
                    "",
                    "Bank statement of 31 December",
                )
                for fund in FUNDS
            ]
        if with_schedule:
            fixed += maker.scheduled_rows(year, last)
        pairs = count // 200
        fixed += maker.transfer_pairs(first, last, pairs)
        drawn = maker.random_rows(year, first, last, count - len(fixed))
        # Fixed rows first, so that on one day the opening balance precedes all else; the
        # sort is stable, so the two rows of a transfer stay next to each other.
        year_rows = fixed + drawn
        year_rows.sort(key=lambda item: item[0])

        # Rows identical in every compared cell are two movements only if each has its own id.
        repeated = Counter(
            (o, a, c, f or DEFAULT_FUND, cp, d)
            for o, d, a, c, f, cp, _ in year_rows
            if c != "transfer"
        )
        sums: dict[tuple[str, str], int] = {}
        dates = [dt.date.fromordinal(o).isoformat() for o in range(first, last + 1)]
        r = rng.random
        lines = []
        append = lines.append
        for number, (ordinal, description, amount, category, fund, counterparty, note) in enumerate(
            year_rows, start=1
        ):
            effective = fund or DEFAULT_FUND
            if r() >= id_share and category != "transfer":
                key = (ordinal, amount, category, effective, counterparty, description)
                # a row that repeats another needs an id
                row_id = f"{year}-{number:06d}" if repeated[key] > 1 else ""
            else:
                row_id = f"{year}-{number:06d}"
            balance[effective] += amount
            names.add(counterparty)
            if kinds[category] in ("income", "expense"):
                sums[(category, effective)] = sums.get((category, effective), 0) + amount
            text = amounts.get(amount)
            if text is None:
                text = amounts[amount] = money(amount)
            # date, description, amount, category, fund, counterparty, decision, id, note
            append(
                f"{dates[ordinal - first]},{cell(description)},{text},{category},{fund},"
                f"{cell(counterparty)},,{row_id},{cell(note)}\n"
            )
        path = ledgers / f"{year}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(HEADER) + "\n")
            handle.write("".join(lines))
        result.files.append(path)
        del lines, year_rows

        budget_path = ledgers / f"budget-{year}.csv"
        with budget_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["year", "category", "fund", "amount", "decision"])
            for (category, fund), total in sorted(
                sums.items(),
                key=lambda item: (
                    list(CATEGORIES).index(item[0][0]),
                    list(FUNDS).index(item[0][1]),
                ),
            ):
                # The plan: the year's outcome give or take 10 %, in round hundreds of euros.
                planned = abs(total) * (90 + int(rng.random() * 21)) // 100
                planned = max(10000, (planned + 5000) // 10000 * 10000)
                writer.writerow([year, category, fund, money(planned), ""])
        result.files.append(budget_path)

        statement = dt.date.fromordinal(last).isoformat()
        balance_lines += [[statement, fund, money(balance[fund])] for fund in FUNDS]

    balances_path = ledgers / "balances.csv"
    with balances_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "fund", "balance"])
        writer.writerows(balance_lines)
    result.files.append(balances_path)
    result.balances = dict(balance)
    result.private_counterparties = len(names - set(PUBLIC) - {""})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "outdir", type=Path, help="directory to write (its ledgers/*.csv are replaced)"
    )
    parser.add_argument("--rows", type=int, required=True, help="ledger rows in total")
    parser.add_argument(
        "--years", type=int, default=5, help=f"years of books, ending in {LAST_YEAR} (default 5)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--id-share", type=float, default=0.9, help="share of rows with an id (default 0.9)"
    )
    args = parser.parse_args(argv)
    try:
        result = generate(args.outdir, args.rows, args.years, args.seed, args.id_share)
    except ValueError as error:
        parser.error(str(error))
    print(
        f"{result.rows:,} rows, {len(result.years)} years ({result.years[0]}-{result.years[-1]}), "
        f"{len(result.files)} files, {result.bytes:,} bytes, "
        f"{result.private_counterparties:,} private counterparties, in {result.outdir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
