"""Charts as plain data: plotly figure specifications plus the table of numbers behind each.

No files and no MkDocs here. A figure is the JSON plotly.js draws (`data` and `layout`);
amounts in it are exact `Decimal`s, written out digit for digit by `to_json`. Colours that
depend on the light or dark theme are left to the page script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from publisher.money import to_decimal
from publisher.summary import Summary

INCOME_COLOUR = "#2e7d32"
EXPENSE_COLOUR = "#c62828"
BUDGET_COLOUR = "#9e9e9e"
BALANCE_COLOUR = "#1565c0"
FUND_COLOURS = ["#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#558b2f", "#ad1457", "#4e342e"]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    #: one sentence saying what the chart shows
    caption: str
    figure: dict[str, Any]
    #: the numbers behind the chart, as text (amounts exact)
    columns: list[str]
    rows: list[list[str]]
    #: how many leading columns are text (labels); the others hold amounts
    label_columns: int = 1
    #: one or two sentences saying what the numbers show (the largest category, the change
    #: against last year), for a reader who does not read the chart
    summary: str = ""

    @property
    def figure_json(self) -> str:
        return to_json(self.figure)


def plain(text: str) -> str:
    """A name from the books for a figure: plotly reads a few HTML tags in its texts (links
    among them), so angle brackets become look-alike quotes."""
    return str(text).replace("<", "‹").replace(">", "›")


def display_money(minor: int, summary: Summary) -> str:
    """1234.5 EUR -> "€1,234.50" in English, "1.234,50 €" in German: for people, in the
    cooperative's language (`summary.locale`, a BCP 47 tag); data files use `format_minor`."""
    # Babel spells locales with "_" ("fr_CA"); accounts.yml and browsers with "-".
    return format_currency(to_decimal(minor, summary.units), summary.currency, locale=summary.locale.replace("-", "_"))


def _amounts(values: list[int], summary: Summary) -> list[Decimal]:
    return [to_decimal(v, summary.units) for v in values]


def _hover(values: list[int], summary: Summary) -> list[str]:
    return [display_money(v, summary) for v in values]


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "y": -0.15},
        "hovermode": "closest",
        "separators": ".,",
    }
    layout.update(extra)
    return layout


def _bar(name: str, x: list[Any], values: list[int], colour: str, summary: Summary) -> dict:
    name = plain(name)
    return {
        "type": "bar",
        "name": name,
        "x": x,
        "y": _amounts(values, summary),
        "marker": {"color": colour},
        "customdata": _hover(values, summary),
        "hovertemplate": "%{x}<br>" + name + ": %{customdata}<extra></extra>",
    }


def _line(name: str, x: list[Any], values: list[int], colour: str, summary: Summary, **extra: Any) -> dict:
    name = plain(name)
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": _amounts(values, summary),
        "line": {"color": colour},
        "customdata": _hover(values, summary),
        "hovertemplate": "%{x}<br>" + name + ": %{customdata}<extra></extra>",
    }
    trace.update(extra)
    return trace


def _horizontal_bar(name: str, labels: list[str], values: list[int], colour: str, summary: Summary) -> dict:
    name, labels = plain(name), [plain(label) for label in labels]
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "y": labels,
        "x": _amounts(values, summary),
        "marker": {"color": colour},
        "customdata": _hover(values, summary),
        "hovertemplate": "%{y}<br>" + name + ": %{customdata}<extra></extra>",
    }


def income_expense_by_year(summary: Summary) -> Chart:
    years = sorted(summary.years)
    income = [summary.years[y].income for y in years]
    expense = [summary.years[y].expense for y in years]
    net = [summary.years[y].net for y in years]
    labels = [str(y) for y in years]
    figure = {
        "data": [
            _bar("Income", labels, income, INCOME_COLOUR, summary),
            _bar("Expense", labels, expense, EXPENSE_COLOUR, summary),
            _line("Net result", labels, net, BALANCE_COLOUR, summary),
        ],
        "layout": _layout(
            "Income and expense by year",
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": {"text": summary.currency}},
        ),
    }
    return Chart(
        "income-expense-by-year",
        "Income and expense by year",
        f"Income, expense and net result of each year, in {summary.currency}.",
        figure,
        ["year", "income", "expense", "net"],
        [[str(y), summary.money(i), summary.money(e), summary.money(n)] for y, i, e, n in zip(years, income, expense, net)],
    )


def fund_balances(summary: Summary, year: int | None = None) -> Chart:
    """Each fund's balance at the end of every month (of one year, or of the whole history)."""
    traces, rows = [], []
    months: list[str] = []
    for index, (fund, history) in enumerate(summary.fund_history.items()):
        points = [(m, v) for m, v in history if year is None or m.startswith(f"{year}-")]
        months = [m for m, _ in points]
        values = [v for _, v in points]
        colour = FUND_COLOURS[index % len(FUND_COLOURS)]
        traces.append(
            _line(fund, months, values, colour, summary, mode="lines", line={"shape": "hv", "color": colour})
        )
    funds = list(summary.fund_history)
    by_month = {fund: dict(history) for fund, history in summary.fund_history.items()}
    for month in months:
        rows.append([month] + [summary.money(by_month[f].get(month, 0)) for f in funds])
    suffix = f"-{year}" if year else ""
    span = f"in {year}" if year else "over the years"
    return Chart(
        f"fund-balances{suffix}",
        "Fund balances",
        f"The balance of each fund at the end of each month {span}, in {summary.currency}.",
        {
            "data": traces,
            "layout": _layout(
                "Fund balances",
                xaxis={"type": "category"},
                yaxis={"title": {"text": summary.currency}},
            ),
        },
        ["month"] + funds,
        rows,
    )


def budget_against_actual(summary: Summary, year: int) -> Chart:
    figures = summary.years[year]
    keys = [k for k in summary.labels if summary.kinds.get(k) in ("income", "expense")]
    keys = [k for k in keys if k in figures.categories or k in figures.budget]
    actual = [abs(figures.categories.get(k, 0)) for k in keys]
    planned = [figures.budget.get(k, 0) for k in keys]
    labels = [f"{summary.labels[k]} ({summary.kinds[k]})" for k in keys]
    figure = {
        "data": [
            _horizontal_bar("Budget", labels, planned, BUDGET_COLOUR, summary),
            _horizontal_bar("Actual", labels, actual, BALANCE_COLOUR, summary),
        ],
        "layout": _layout(
            f"Budget against actual, {year}",
            barmode="group",
            height=max(320, 60 + 44 * len(keys)),
            yaxis={"automargin": True, "autorange": "reversed", "type": "category"},
            xaxis={"title": {"text": summary.currency}},
        ),
    }
    return Chart(
        f"budget-{year}",
        f"Budget against actual, {year}",
        f"For each income and expense category, what the budget planned for {year} and what "
        f"the ledgers record, in {summary.currency}.",
        figure,
        ["category", "kind", "budget", "actual"],
        [[summary.labels[k], summary.kinds[k], summary.money(p), summary.money(a)] for k, p, a in zip(keys, planned, actual)],
        label_columns=2,
    )


def monthly(summary: Summary, year: int) -> Chart:
    months = summary.months.get(year, [])
    labels = [m.month for m in months]
    income = [m.income for m in months]
    expense = [m.expense for m in months]
    balance = [m.balance for m in months]
    figure = {
        "data": [
            _bar("Income", labels, income, INCOME_COLOUR, summary),
            _bar("Expense", labels, expense, EXPENSE_COLOUR, summary),
            _line("Balance (all funds)", labels, balance, BALANCE_COLOUR, summary, yaxis="y2"),
        ],
        "layout": _layout(
            f"Month by month, {year}",
            margin={"l": 60, "r": 70, "t": 50, "b": 50},
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": {"text": summary.currency}},
            yaxis2={"title": {"text": "Balance"}, "overlaying": "y", "side": "right", "showgrid": False},
        ),
    }
    return Chart(
        f"monthly-{year}",
        f"Month by month, {year}",
        f"Income and expense of each month of {year}, and the balance of all funds together at "
        f"the end of each month, in {summary.currency}.",
        figure,
        ["month", "income", "expense", "balance"],
        [[m, summary.money(i), summary.money(e), summary.money(b)] for m, i, e, b in zip(labels, income, expense, balance)],
    )


def flows(summary: Summary, year: int) -> Chart:
    """Where the money came from and where it went: a sunburst of categories."""
    figures = summary.years[year]
    ids, labels, parents, values, rows = [], [], [], [], []
    for kind, title, total in (("income", "Income", figures.income), ("expense", "Expense", figures.expense)):
        ids.append(kind)
        labels.append(title)
        parents.append("")
        children = []
        for key, amount in figures.categories.items():
            if summary.kinds.get(key) != kind:
                continue
            value = amount if kind == "income" else -amount
            rows.append([title, summary.labels[key], summary.money(value)])
            if value > 0:  # a category whose refunds outweigh it has nothing to draw
                children.append((key, value))
        values.append(sum(v for _, v in children))
        for key, value in children:
            ids.append(f"{kind}/{key}")
            labels.append(plain(summary.labels[key]))
            parents.append(kind)
            values.append(value)
    figure = {
        "data": [
            {
                "type": "sunburst",
                "ids": ids,
                "labels": labels,
                "parents": parents,
                "values": _amounts(values, summary),
                "branchvalues": "total",
                "customdata": _hover(values, summary),
                "hovertemplate": "%{label}: %{customdata}<extra></extra>",
            }
        ],
        "layout": _layout(f"Where the money came from and went, {year}", height=480),
    }
    return Chart(
        f"flows-{year}",
        f"Where the money came from and went, {year}",
        f"Income by category (where the money came from) and expense by category (where it "
        f"went) in {year}, in {summary.currency}.",
        figure,
        ["side", "category", "amount"],
        rows,
        label_columns=2,
    )


def to_json(value: Any) -> str:
    """JSON with Decimals written digit for digit, safe to embed in an HTML <script> block."""
    return _encode(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + _encode(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)



def yearly_bars(
    chart_id: str,
    title: str,
    caption: str,
    axis: str,
    years: list[int],
    values: list[Decimal | None],
    shown: list[str],
    colour: str = BALANCE_COLOUR,
    target: list[Decimal | None] | None = None,
) -> Chart:
    """One figure per year as bars (None: no bar), optionally with a target line."""
    labels = [str(y) for y in years]
    data: list[dict] = [
        {
            "type": "bar",
            "name": title,
            "x": labels,
            "y": values,
            "marker": {"color": colour},
            "customdata": shown,
            "hovertemplate": "%{x}: %{customdata}<extra></extra>",
        }
    ]
    columns, rows = ["year", axis], [[label, text] for label, text in zip(labels, shown)]
    if target is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Target",
                "x": labels,
                "y": target,
                "marker": {"color": BUDGET_COLOUR, "symbol": "line-ew-open", "size": 28, "line": {"width": 3}},
                "hovertemplate": "%{x}: target %{y}<extra></extra>",
            }
        )
        columns.append("target")
        rows = [row + ["" if t is None else f"{t}"] for row, t in zip(rows, target)]
    figure = {
        "data": data,
        "layout": _layout(title, xaxis={"type": "category"}, yaxis={"title": {"text": axis}}, showlegend=target is not None),
    }
    return Chart(chart_id, title, caption, figure, columns, rows)
