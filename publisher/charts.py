"""Charts as plain data: plotly figure specifications plus the table of numbers behind each.

No files and no MkDocs here. A figure is the JSON plotly.js draws (`data` and `layout`);
amounts in it are exact `Decimal`s, written out digit for digit by `to_json`. Colours that
depend on the light or dark theme (text, grid lines, text beside a bar, Sankey links) are left
to the page script; the colours of the marks set here read against both backgrounds.

Only the trace types `bar`, `scatter` and `sankey` are used: the site ships a plotly.js bundle
with those alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)


from publisher.i18n import Words, is_right_to_left, site_words
from publisher.money import to_decimal
from publisher.summary import Summary

# Marks (bars, lines, Sankey nodes) in mid tones: each has a contrast of at least 3.6:1 against
# white and 4.4:1 against Material's dark background (#1e2129), and black text on them at least
# 5.7:1, so one set serves both palettes.
INCOME_COLOUR = "#3a9942"
EXPENSE_COLOUR = "#d9615d"
BUDGET_COLOUR = "#868686"
BALANCE_COLOUR = "#4489d7"
FUND_COLOURS = ["#4489d7", "#aa6fc8", "#d16a11", "#1c949f", "#739137", "#d15f98", "#ab7c64"]
#: Text printed inside a bar (outside a bar the page script gives it the theme's text colour).
INSIDE_BAR_TEXT = "#000000"
#: A trace's `meta` asking the page script for the palette's text colour on its marks.
TEXT_COLOURED = "publisher:text-colour"
#: A bar chart with at most this many bars prints each bar's value on it.
SMALL_BAR_CHART = 8
#: Labels of horizontal bars are broken onto lines of about this many characters, so that a
#: phone keeps room for the bars.
LABEL_LINE = 22
#: Titles longer than this are broken onto two lines: a phone's column holds about 44.
TITLE_LINE = 40


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    #: one sentence saying what the chart shows
    caption: str
    figure: dict[str, Any]
    #: the numbers behind the chart, as written to its CSV: keys as column names, amounts exact
    #: (`-1234.50`)
    columns: list[str]
    rows: list[list[str]]
    #: how many leading columns are text (labels); the others hold amounts
    label_columns: int = 1
    #: one or two sentences saying what the numbers show (the largest category, the change
    #: against last year), for a reader who does not read the chart
    summary: str = ""
    #: the table's column headers as a reader reads them (labels, not keys); empty: `columns`
    headers: list[str] = field(default_factory=list)
    #: the table's cells as a reader reads them (money in the site's format); empty: `rows`
    shown_rows: list[list[str]] = field(default_factory=list)

    @property
    def figure_json(self) -> str:
        """The figure as the page gets it, with the margins its labels and legend need."""
        return to_json(with_margins(self.figure))

    @property
    def table_headers(self) -> list[str]:
        """The headers of the table shown under the chart."""
        return self.headers or self.columns

    @property
    def table_rows(self) -> list[list[str]]:
        """The cells of the table shown under the chart."""
        return self.shown_rows or self.rows


def plain(text: str) -> str:
    """A name from the books for a figure: plotly reads a few HTML tags in its texts (links
    among them), so angle brackets become look-alike quotes."""
    return str(text).replace("<", "‹").replace(">", "›")


def display_money(minor: int, summary: Summary) -> str:
    """1234.5 EUR -> "€1,234.50" in English, "1.234,50 €" in German: for people, in the
    cooperative's language (`summary.locale`, a BCP 47 tag); data files use `format_minor`."""
    # Babel spells locales with "_" ("fr_CA"); accounts.yml and browsers with "-".
    return format_currency(
        to_decimal(minor, summary.units), summary.currency, locale=_locale(summary)
    )


def fund_label(summary: Summary, fund: str) -> str:
    """What readers call a fund: its label from accounts.yml, else its key."""
    return summary.fund_labels.get(fund) or fund


def display_percent(share: Decimal, locale: str | None = None, exact: bool = False) -> str:
    """A share as readers write a percentage, rounded half up to a whole percent: 0.4048 ->
    "40%" in English, "40\u00a0%" in French and German (Babel's no-break space: "40" and "%"
    never part); `exact`: every digit kept (a charter's 12.5 % stays 12.5 %). `locale`:
    Babel's name of it, by default the language of the pages being generated. The one
    percentage format of the site: pages, chart hovers and summaries."""
    locale = locale or _site_locale()
    if exact:
        return format_percent(share, locale=locale, decimal_quantization=False)
    whole = (Decimal(100) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # Rounded already: Babel's own rounding (half to even) has nothing left to do.
    return format_percent(whole / 100, locale=locale)


def percent(part: int, whole: int, locale: str | None = None) -> str:
    """`part` of `whole` as a whole percentage, exact arithmetic ("41%"; `whole` must not be
    0), in the way `display_percent` writes it."""
    return display_percent(Decimal(part) / Decimal(whole), locale)


def month_name(month: str, summary: Summary) -> str:
    """A month for readers: "2026-03" -> "March 2026"."""
    year, number = month.split("-")
    # The skeleton, not a fixed pattern: each language puts its own words around the month
    # ("abril de 2026").
    return format_skeleton("yMMMM", dt.date(int(year), int(number), 1), locale=_locale(summary))


def _words(summary: Summary) -> Words:
    """The site's words in the cooperative's language."""
    return site_words(getattr(summary, "locale", None))


def _site_locale() -> str:
    """The language of the pages being generated, as Babel names it."""
    from publisher.site.templating import babel_locale, current_site_language

    return babel_locale(current_site_language())


def _locale(summary: Summary) -> str:
    """The site's language as Babel names it: the BCP 47 tag "fr-CA" is Babel's "fr_CA"."""
    return (getattr(summary, "locale", None) or "en").replace("-", "_")


def compared(now: int, before: int, summary: Summary, when: str) -> str:
    """How `now` stands against `before` in money and percent: "€400.00 (15 %) more than in
    2025", "the same as in 2025", "against nothing in 2025" (`when`: "in 2025")."""
    gettext = _words(summary).gettext
    difference = now - before
    if difference == 0:
        return gettext("the same as %(when)s") % {"when": when}
    if before == 0:
        return gettext("against nothing %(when)s") % {"when": when}
    values = {
        "amount": display_money(abs(difference), summary),
        "share": percent(abs(difference), abs(before), _locale(summary)),
        "when": when,
    }
    if difference > 0:
        return gettext("%(amount)s (%(share)s) more than %(when)s") % values
    return gettext("%(amount)s (%(share)s) less than %(when)s") % values


def _amounts(values: list[int], summary: Summary) -> list[Decimal]:
    return [to_decimal(v, summary.units) for v in values]


def _hover(values: list[int], summary: Summary) -> list[str]:
    return [display_money(v, summary) for v in values]


def _wrap(label: str, width: int = LABEL_LINE) -> str:
    """A label broken onto lines of about `width` characters (plotly's <br>). A word longer
    than a line is cut into pieces ending in a hyphen: whole, it would take a phone's chart."""
    lines: list[str] = []
    for word in plain(label).split():
        pieces = [word[i : i + width - 1] + "-" for i in range(0, len(word) - width, width - 1)]
        pieces.append(word[len(pieces) * (width - 1) :])
        for piece in pieces:
            if lines and not lines[-1].endswith("-") and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return "<br>".join(lines) or plain(label)


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    """What every chart shares: the title at the top left, the legend under it, margins that
    grow to fit the axes' labels, no zooming or dragging (on a phone a drag scrolls the page)."""
    layout: dict[str, Any] = {
        "title": {
            "text": _wrap(title, TITLE_LINE),
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 8, "l": 4},
        },
        "margin": {"l": 8, "r": 16, "t": 48 if len(title) <= TITLE_LINE else 70, "b": 8, "pad": 4},
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        },
        "hovermode": "closest",
        "separators": _separators(),
        "dragmode": False,
        "autosize": True,
    }
    if _right_to_left():
        # The start of a line is its right: the title and the legend stand there.
        layout["title"].update(x=1, xanchor="right", pad={"t": 8, "r": 4})
        layout["legend"].update(x=1, xanchor="right")
    layout.update(extra)
    return layout


def _right_to_left() -> bool:
    """Whether the pages being generated are written right to left."""
    from publisher.i18n import is_right_to_left
    from publisher.site.templating import current_site_language

    return is_right_to_left(current_site_language())


def _separators() -> str:
    """Plotly's decimal mark and thousands separator, as the site's language writes numbers."""
    from publisher.site.templating import babel_locale, current_site_language

    locale = babel_locale(current_site_language())
    return get_decimal_symbol(locale) + get_group_symbol(locale)


def _category_axis(**extra: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "category", "automargin": True, "fixedrange": True}
    axis.update(extra)
    return axis


def _value_axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis of amounts: from zero, so that bars and balances compare by their length."""
    axis: dict[str, Any] = {
        "title": {"text": plain(title)},
        "rangemode": "tozero",
        "automargin": True,
        "fixedrange": True,
        "tickformat": ",~r",
    }
    axis.update(extra)
    return axis


def _bar_text(shown: list[str]) -> dict[str, Any]:
    """Values printed on the bars: inside a bar when they fit, else beside it."""
    return {
        "text": shown,
        "textposition": "auto",
        "insidetextfont": {"color": INSIDE_BAR_TEXT},
        "cliponaxis": False,
    }


def _bar(
    name: str,
    x: list[Any],
    values: list[int],
    colour: str,
    summary: Summary,
    with_text: bool = False,
    x_names: list[str] | None = None,
) -> dict:
    """Bars at `x` (a category each); `x_names`: what readers call them in the hover, where
    that is not `x` itself (a month's name for the key "2026-03")."""
    name = plain(name)
    trace = {
        "type": "bar",
        "name": name,
        "x": x,
        "y": _amounts(values, summary),
        "marker": {"color": colour},
        **_hover_data(name, x, values, summary, x_names),
    }
    if with_text:
        trace.update(_bar_text(_hover(values, summary)))
    return trace


def _line(
    name: str,
    x: list[Any],
    values: list[int],
    colour: str,
    summary: Summary,
    x_names: list[str] | None = None,
    **extra: Any,
) -> dict:
    """A line through `x` (`x_names` as for `_bar`)."""
    name = plain(name)
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": _amounts(values, summary),
        "line": {"color": colour},
        "marker": {"color": colour},
        **_hover_data(name, x, values, summary, x_names),
    }
    trace.update(extra)
    return trace


def _hover_data(
    name: str, x: list[Any], values: list[int], summary: Summary, x_names: list[str] | None
) -> dict[str, Any]:
    """A trace's hover: the point's category as readers name it, the trace, the amount in the
    site's money format ("March 2026<br>Income: €600.00")."""
    if x_names is None:
        return {
            "customdata": _hover(values, summary),
            "hovertemplate": "%{x}<br>" + name + ": %{customdata}<extra></extra>",
        }
    return {
        "customdata": [
            [plain(label), text] for label, text in zip(x_names, _hover(values, summary))
        ],
        "hovertemplate": "%{customdata[0]}<br>" + name + ": %{customdata[1]}<extra></extra>",
    }


def _horizontal_bar(
    name: str, ids: list[str], labels: list[str], values: list[int], colour: str, summary: Summary
) -> dict:
    """Bars along the x axis, one per id (the y axis shows `labels` for the ids), each with its
    value printed on it."""
    name = plain(name)
    shown = _hover(values, summary)
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "y": ids,
        "x": _amounts(values, summary),
        "marker": {"color": colour},
        "customdata": [[plain(label), text] for label, text in zip(labels, shown)],
        "hovertemplate": "%{customdata[0]}<br>" + name + ": %{customdata[1]}<extra></extra>",
    }
    trace.update(_bar_text(shown))
    return trace


def _label_axis(ids: list[str], labels: list[str], **extra: Any) -> dict[str, Any]:
    """The y axis of horizontal bars: one row per id, in the given order from the top, named by
    its label (ids keep two categories with the same label apart)."""
    return _category_axis(
        categoryorder="array",
        categoryarray=ids,
        tickmode="array",
        tickvals=ids,
        ticktext=[_wrap(label) for label in labels],
        autorange="reversed",
        **extra,
    )


def _money_cells(values: list[int], summary: Summary) -> tuple[list[str], list[str]]:
    """The same amounts for the CSV (exact) and for readers (the site's money format)."""
    return [summary.money(v) for v in values], [display_money(v, summary) for v in values]


def _month_axis(months: list[str], summary: Summary, **extra: Any) -> dict[str, Any]:
    """The months of one year, named "Jan", "Feb"… (the year is in the title)."""
    names = [
        format_date(dt.date(int(m[:4]), int(m[5:7]), 1), "MMM", locale=_locale(summary))
        for m in months
    ]
    return _category_axis(tickmode="array", tickvals=months, ticktext=names, **extra)


def _years_with_rows(summary: Summary) -> list[int]:
    return sorted(y for y in summary.years if summary.months.get(y))


# -- The cooperative's charts ---------------------------------------------------------------------


def income_expense_by_year(summary: Summary) -> Chart:
    years = sorted(summary.years)
    income = [summary.years[y].income for y in years]
    expense = [summary.years[y].expense for y in years]
    net = [summary.years[y].net for y in years]
    labels = [str(y) for y in years]
    small = 2 * len(years) <= SMALL_BAR_CHART
    gettext = _words(summary).gettext
    figure = {
        "data": [
            _bar(gettext("Income"), labels, income, INCOME_COLOUR, summary, with_text=small),
            _bar(gettext("Expense"), labels, expense, EXPENSE_COLOUR, summary, with_text=small),
            _line(gettext("Net result"), labels, net, BALANCE_COLOUR, summary),
        ],
        "layout": _layout(
            gettext("Income and expense by year"),
            barmode="group",
            xaxis=_category_axis(),
            yaxis=_value_axis(summary.currency),
        ),
    }
    rows, shown = [], []
    for year, *values in zip(years, income, expense, net):
        exact, text = _money_cells(values, summary)
        rows.append([str(year)] + exact)
        shown.append([str(year)] + text)
    return Chart(
        "income-expense-by-year",
        gettext("Income and expense by year"),
        gettext("Income, expense and net result of each year, in %(currency)s.")
        % {"currency": summary.currency},
        figure,
        ["year", "income", "expense", "net"],
        rows,
        summary=_income_expense_summary(summary),
        headers=[gettext("Year"), gettext("Income"), gettext("Expense"), gettext("Net result")],
        shown_rows=shown,
    )


def _income_expense_summary(summary: Summary) -> str:
    gettext = _words(summary).gettext
    years = _years_with_rows(summary)
    if not years:
        return gettext("No income or spending is recorded yet.")
    year = years[-1]
    figures = summary.years[year]
    money = lambda v: display_money(v, summary)
    if figures.net > 0:
        result = gettext("a surplus of %(amount)s") % {"amount": money(figures.net)}
    elif figures.net < 0:
        result = gettext("a deficit of %(amount)s") % {"amount": money(-figures.net)}
    else:
        result = gettext("income and spending balanced")
    values = {
        "year": year,
        "income": money(figures.income),
        "expense": money(figures.expense),
        "result": result,
    }
    if year == summary.current_year:
        text = (
            gettext(
                "So far in %(year)s the cooperative took in %(income)s and spent %(expense)s: %(result)s."
            )
            % values
        )
    else:
        text = (
            gettext(
                "In %(year)s the cooperative took in %(income)s and spent %(expense)s: %(result)s."
            )
            % values
        )
    if year - 1 in summary.years:
        before = summary.years[year - 1]
        when = _in_year(summary, year - 1)
        text += " " + gettext("Income was %(income)s, spending %(expense)s.") % {
            "income": compared(figures.income, before.income, summary, when),
            "expense": compared(figures.expense, before.expense, summary, when),
        }
    return text


def _in_year(summary: Summary, year: int) -> str:
    """ "in 2025", for sentences that compare with a year."""
    return _words(summary).gettext("in %(year)s") % {"year": year}


def fund_balances(summary: Summary, year: int | None = None) -> Chart:
    """Each fund's balance at the end of every month (of one year, or of the whole history)."""
    traces = []
    months: list[str] = []
    for index, (fund, history) in enumerate(summary.fund_history.items()):
        points = [(m, v) for m, v in history if year is None or m.startswith(f"{year}-")]
        months = [m for m, _ in points]
        values = [v for _, v in points]
        colour = FUND_COLOURS[index % len(FUND_COLOURS)]
        label = fund_label(summary, fund)
        # A long label on two lines in the legend, rather than cut at the edge of a phone.
        names = [month_name(m, summary) for m in months]
        trace = _line(
            label, months, values, colour, summary, names, line={"shape": "hv", "color": colour}
        )
        traces.append({**trace, "name": _wrap(label, TITLE_LINE)})
    funds = list(summary.fund_history)
    by_month = {fund: dict(history) for fund, history in summary.fund_history.items()}
    rows, shown = [], []
    for month in months:
        exact, text = _money_cells([by_month[f].get(month, 0) for f in funds], summary)
        rows.append([month] + exact)
        shown.append([month_name(month, summary)] + text)
    suffix = f"-{year}" if year else ""
    gettext = _words(summary).gettext
    if year:
        caption = gettext(
            "The balance of each fund at the end of each month in %(year)s, in %(currency)s."
        ) % {"year": year, "currency": summary.currency}
    else:
        caption = gettext(
            "The balance of each fund at the end of each month over the years, in %(currency)s."
        ) % {"currency": summary.currency}
    range_ = [-0.5, len(months) - 0.5]
    return Chart(
        f"fund-balances{suffix}",
        gettext("Fund balances"),
        caption,
        {
            "data": traces,
            "layout": _layout(
                gettext("Fund balances"),
                # Half a month of room at each end: the last month's label and step stay whole.
                xaxis=(
                    _month_axis(months, summary, range=range_)
                    if year
                    else _months_axis(months, summary, range=range_)
                ),
                yaxis=_value_axis(summary.currency),
            ),
        },
        ["month"] + funds,
        rows,
        summary=_fund_summary(summary, months),
        headers=[gettext("Month")] + [fund_label(summary, f) for f in funds],
        shown_rows=shown,
    )


def _fund_summary(summary: Summary, months: list[str]) -> str:
    gettext = _words(summary).gettext
    if not months:
        return gettext("No fund has a recorded balance yet.")
    last = months[-1]
    balances = {fund: dict(history).get(last, 0) for fund, history in summary.fund_history.items()}
    total = sum(balances.values())
    money = lambda v: display_money(v, summary)
    text = gettext("At the end of %(month)s the funds held %(amount)s together") % {
        "month": month_name(last, summary),
        "amount": money(total),
    }
    if len(balances) > 1:
        largest = max(balances, key=lambda f: balances[f])
        share = (
            gettext(", %(share)s of the total")
            % {"share": percent(balances[largest], total, _locale(summary))}
            if total > 0 and balances[largest] > 0
            else ""
        )
        text += gettext("; %(fund)s held the most: %(amount)s") % {
            "fund": fund_label(summary, largest),
            "amount": money(balances[largest]),
        }
        text += share
    # Against the end of the year before, the change a reader asks about: the balances after
    # the last month with rows before this year.
    every_month = [m for m, _ in next(iter(summary.fund_history.values()), [])]
    earlier = [m for m in every_month if m[:4] < last[:4]]
    if earlier:
        before = sum(dict(h).get(earlier[-1], 0) for h in summary.fund_history.values())
        when = gettext("at the end of %(year)s") % {"year": int(last[:4]) - 1}
        text += ", " + compared(total, before, summary, when)
    return text + "."


def budget_against_actual(summary: Summary, year: int) -> Chart:
    figures = summary.years[year]
    keys = [k for k in summary.labels if summary.kinds.get(k) in ("income", "expense")]
    keys = [k for k in keys if k in figures.categories or k in figures.budget]
    # What came in under an income category, what went out under an expense one: a category
    # whose refunds outweigh its spending shows below zero, not as spending.
    actual_of = {
        k: figures.categories.get(k, 0) * (1 if summary.kinds[k] == "income" else -1) for k in keys
    }
    planned_of = {k: figures.budget.get(k, 0) for k in keys}
    # Income first, then expense; in each, the largest first.
    keys.sort(
        key=lambda k: (
            summary.kinds[k] != "income",
            -max(actual_of[k], planned_of[k]),
            summary.labels[k],
        )
    )
    actual = [actual_of[k] for k in keys]
    planned = [planned_of[k] for k in keys]
    words = _words(summary)
    gettext = words.gettext
    kind_word = {
        "income": words.pgettext("kind of category", "income"),
        "expense": words.pgettext("kind of category", "expense"),
    }
    labels = [f"{summary.labels[k]} ({kind_word[summary.kinds[k]]})" for k in keys]
    ids = [f"{summary.kinds[k]}/{k}" for k in keys]
    title = gettext("Budget against actual, %(year)s") % {"year": year}
    figure = {
        "data": [
            _horizontal_bar(gettext("Budget"), ids, labels, planned, BUDGET_COLOUR, summary),
            _horizontal_bar(gettext("Actual"), ids, labels, actual, BALANCE_COLOUR, summary),
        ],
        "layout": _layout(
            title,
            barmode="group",
            height=max(320, 110 + 56 * len(keys)),
            yaxis=_label_axis(ids, labels),
            xaxis=_value_axis(summary.currency),
        ),
    }
    rows, shown = [], []
    for k, p, a in zip(keys, planned, actual):
        exact, text = _money_cells([p, a], summary)
        rows.append([summary.labels[k], summary.kinds[k]] + exact)
        shown.append([summary.labels[k], kind_word[summary.kinds[k]]] + text)
    return Chart(
        f"budget-{year}",
        title,
        gettext(
            "For each income and expense category, what the budget planned for %(year)s and what "
            "the ledgers record, in %(currency)s."
        )
        % {"year": year, "currency": summary.currency},
        figure,
        ["category", "kind", "budget", "actual"],
        rows,
        label_columns=2,
        summary=_budget_summary(summary, keys, planned_of, actual_of, year),
        headers=[gettext("Category"), gettext("Kind"), gettext("Budget"), gettext("Actual")],
        shown_rows=shown,
    )


def _budget_summary(
    summary: Summary, keys: list[str], planned: dict[str, int], actual: dict[str, int], year: int
) -> str:
    money = lambda v: display_money(v, summary)
    gettext = _words(summary).gettext
    if not any(planned.values()):
        return gettext("No budget is recorded for %(year)s.") % {"year": year}
    sentences: list[str] = []
    for kind in ("income", "expense"):
        of_kind = [k for k in keys if summary.kinds[k] == kind]
        planned_total = sum(planned[k] for k in of_kind)
        actual_total = sum(actual[k] for k in of_kind)
        if planned_total:
            values = {
                "actual": money(actual_total),
                "budget": money(planned_total),
                "share": percent(actual_total, planned_total, _locale(summary)),
            }
            if kind == "income":
                sentence = gettext("Income %(actual)s against %(budget)s budgeted (%(share)s)")
            elif not sentences:
                sentence = gettext("Spending %(actual)s against %(budget)s budgeted (%(share)s)")
            else:
                sentence = gettext("spending %(actual)s against %(budget)s budgeted (%(share)s)")
            sentences.append(sentence % values)
    text = "; ".join(sentences) + "."
    over = {
        k: actual[k] - planned[k]
        for k in keys
        if summary.kinds[k] == "expense" and actual[k] > planned[k]
    }
    if over:
        worst = max(over, key=lambda k: (over[k], summary.labels[k]))
        values = {
            "category": summary.labels[worst],
            "amount": money(over[worst]),
            "budget": money(planned[worst]),
        }
        if planned[worst]:
            sentence = gettext(
                "The largest overspend: %(category)s, %(amount)s over its budget of %(budget)s."
            )
        else:
            sentence = gettext("The largest overspend: %(category)s, %(amount)s with no budget.")
        text += " " + sentence % values
    else:
        text += " " + gettext("No expense category went over its budget.")
    return text


def monthly(summary: Summary, year: int) -> Chart:
    months = summary.months.get(year, [])
    labels = [m.month for m in months]
    income = [m.income for m in months]
    expense = [m.expense for m in months]
    balance = [m.balance for m in months]
    small = 2 * len(months) <= SMALL_BAR_CHART
    gettext = _words(summary).gettext
    title = gettext("Month by month, %(year)s") % {"year": year}
    names = [month_name(m, summary) for m in labels]
    figure = {
        "data": [
            _bar(gettext("Income"), labels, income, INCOME_COLOUR, summary, small, names),
            _bar(gettext("Expense"), labels, expense, EXPENSE_COLOUR, summary, small, names),
            _line(
                gettext("Balance (all funds)"),
                labels,
                balance,
                BALANCE_COLOUR,
                summary,
                names,
                yaxis="y2",
            ),
        ],
        "layout": _layout(
            title,
            barmode="group",
            xaxis=_month_axis(labels, summary),
            yaxis=_value_axis(summary.currency),
            yaxis2=_value_axis(
                gettext("Balance, %(currency)s") % {"currency": summary.currency},
                overlaying="y",
                side="right",
                showgrid=False,
                tickmode="auto",
            ),
        ),
    }
    rows, shown = [], []
    for month, *values in zip(labels, income, expense, balance):
        exact, text = _money_cells(values, summary)
        rows.append([month] + exact)
        shown.append([month_name(month, summary)] + text)
    return Chart(
        f"monthly-{year}",
        title,
        gettext(
            "Income and expense of each month of %(year)s, and the balance of all funds together "
            "at the end of each month, in %(currency)s."
        )
        % {"year": year, "currency": summary.currency},
        figure,
        ["month", "income", "expense", "balance"],
        rows,
        summary=_monthly_summary(summary, months),
        headers=[
            gettext("Month"),
            gettext("Income"),
            gettext("Expense"),
            gettext("Balance (all funds)"),
        ],
        shown_rows=shown,
    )


def _monthly_summary(summary: Summary, months: list) -> str:
    gettext = _words(summary).gettext
    if not months:
        return gettext("No ledger row is recorded in this year.")
    money = lambda v: display_money(v, summary)
    # The first of equal months: a tie reads "highest in March" of the earlier one.
    spent = max(months, key=lambda m: (m.expense, -months.index(m)))
    earned = max(months, key=lambda m: (m.income, -months.index(m)))
    values = {
        "spent_month": month_name(spent.month, summary),
        "spent": money(spent.expense),
        "earned_month": month_name(earned.month, summary),
        "earned": money(earned.income),
    }
    if spent.expense > 0 and earned.income > 0:
        text = gettext(
            "Spending was highest in %(spent_month)s (%(spent)s), income in %(earned_month)s (%(earned)s). "
        )
    elif spent.expense > 0:
        text = gettext("Spending was highest in %(spent_month)s (%(spent)s). ")
    elif earned.income > 0:
        text = gettext("Income was highest in %(earned_month)s (%(earned)s). ")
    else:
        text = ""
    last = months[-1]
    return (text % values if text else "") + gettext(
        "At the end of %(month)s all funds together held %(amount)s."
    ) % {"month": month_name(last.month, summary), "amount": money(last.balance)}


def flows(summary: Summary, year: int) -> Chart:
    """Where the money came from and where it went: each income and expense category as a
    labelled bar, the largest first, income above expense."""
    figures = summary.years[year]
    data, rows, shown = [], [], []
    ids_in_order: list[str] = []
    labels_in_order: list[str] = []
    gettext = _words(summary).gettext
    for kind, title, colour in (
        ("income", "Income", INCOME_COLOUR),
        ("expense", "Expense", EXPENSE_COLOUR),
    ):
        # The CSV keeps the English word, whatever the language; readers read theirs.
        name = gettext("Income") if kind == "income" else gettext("Expense")
        # What came in, what went out: a category whose refunds outweigh it is below zero.
        amounts = {
            key: amount if kind == "income" else -amount
            for key, amount in figures.categories.items()
            if summary.kinds.get(key) == kind
        }
        keys = sorted(amounts, key=lambda k: (-amounts[k], summary.labels[k]))
        if not keys:
            continue
        ids = [f"{kind}/{key}" for key in keys]
        labels = [summary.labels[key] for key in keys]
        values = [amounts[key] for key in keys]
        data.append(_horizontal_bar(name, ids, labels, values, colour, summary))
        ids_in_order += ids
        labels_in_order += labels
        exact, text = _money_cells(values, summary)
        rows += [[title, label, amount] for label, amount in zip(labels, exact)]
        shown += [[name, label, amount] for label, amount in zip(labels, text)]
    title = gettext("Where the money came from and went, %(year)s") % {"year": year}
    figure = {
        "data": data,
        "layout": _layout(
            title,
            # One row per category: the bars of the two traces never share a row.
            barmode="overlay",
            height=max(320, 110 + 40 * len(ids_in_order)),
            yaxis=_label_axis(ids_in_order, labels_in_order),
            xaxis=_value_axis(summary.currency),
        ),
    }
    return Chart(
        f"flows-{year}",
        title,
        gettext(
            "Income by category (where the money came from) and expense by category (where it "
            "went) in %(year)s, the largest first, in %(currency)s."
        )
        % {"year": year, "currency": summary.currency},
        figure,
        ["side", "category", "amount"],
        rows,
        label_columns=2,
        summary=_flows_summary(summary, year),
        headers=[gettext("Income or expense"), gettext("Category"), gettext("Amount")],
        shown_rows=shown,
    )


def _flows_summary(summary: Summary, year: int) -> str:
    figures = summary.years[year]
    before = summary.years.get(year - 1)
    money = lambda v: display_money(v, summary)
    gettext = _words(summary).gettext
    sentences = []
    for kind, opening, total, whole in (
        (
            "income",
            gettext("The largest source of income was %(category)s: %(amount)s"),
            figures.income,
            gettext(", %(share)s of the year's income"),
        ),
        (
            "expense",
            gettext("The largest expense was %(category)s: %(amount)s"),
            figures.expense,
            gettext(", %(share)s of the year's spending"),
        ),
    ):
        sign = 1 if kind == "income" else -1
        amounts = {
            k: sign * v for k, v in figures.categories.items() if summary.kinds.get(k) == kind
        }
        if not amounts or max(amounts.values()) <= 0:
            continue
        largest = min(amounts, key=lambda k: (-amounts[k], summary.labels[k]))
        sentence = opening % {
            "category": summary.labels[largest],
            "amount": money(amounts[largest]),
        }
        if total > 0:
            sentence += whole % {"share": percent(amounts[largest], total, _locale(summary))}
        if before is not None:
            earlier = sign * before.categories.get(largest, 0)
            when = _in_year(summary, year - 1)
            sentence += ", " + compared(amounts[largest], earlier, summary, when)
        sentences.append(sentence + ".")
    return " ".join(sentences) or gettext("No income or spending is recorded in %(year)s.") % {
        "year": year
    }


# -- Measures of activity -------------------------------------------------------------------------

#: A measure's bars: a colour of its own, not one of money's (income, expense, balance).
MEASURE_COLOUR = "#1c949f"


def display_quantity(quantity: Decimal, summary: Summary) -> str:
    """A quantity as readers read it, every recorded digit kept: Decimal("1250.5") -> "1,250.5"
    in English, "1.250,5" in German."""
    return format_decimal(quantity, locale=_locale(summary), decimal_quantization=False)


def _every_month(first: str, last: str) -> list[str]:
    """ "2024-11", "2025-02" -> the months from the one to the other, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _months_axis(months: list[str], summary: Summary, **extra: Any) -> dict[str, Any]:
    """Months over one or several years: a tick every month, quarter, half-year or year,
    whichever keeps about six (they fit a phone unturned); the first tick and each January
    carry the year."""
    step = next(s for s in (1, 3, 6, 12) if len(months) <= 6 * s or s == 12)
    ticks = [m for m in months if (int(m[5:7]) - 1) % step == 0] or months[:1]
    names = [
        format_date(
            dt.date(int(m[:4]), int(m[5:7]), 1),
            "MMM y" if index == 0 or m.endswith("-01") else "MMM",
            locale=_locale(summary),
        )
        for index, m in enumerate(ticks)
    ]
    return _category_axis(
        categoryorder="array",
        categoryarray=months,
        tickmode="array",
        tickvals=ticks,
        ticktext=names,
        **extra,
    )


def measure_by_month(
    summary: Summary,
    key: str,
    label: str,
    unit: str,
    level: bool,
    months: dict[str, Decimal],
    yearly: dict[int, Decimal],
) -> Chart:
    """One measure month by month, from its first recorded month to its last: bars for a
    quantity that adds up, a line for a level (such as members, its last reading of each
    month). A month without a row has no bar and shows "—" in the table: nothing recorded,
    which the chart does not pretend is a zero; a level's table lists its readings only. `months` and `yearly` (each year's figure) are
    the data layer's (publisher.measures.measure_years)."""
    axis = _every_month(min(months), max(months)) if months else []
    values: list[Decimal | None] = [months.get(m) for m in axis]
    shown = ["—" if v is None else f"{display_quantity(v, summary)} {unit}" for v in values]
    name = plain(label)
    trace: dict[str, Any] = {
        "name": name,
        "x": axis,
        "y": values,
        "marker": {"color": MEASURE_COLOUR},
        "customdata": [month_name(m, summary) + ": " + plain(s) for m, s in zip(axis, shown)],
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    if level:
        trace.update(
            type="scatter",
            mode="lines+markers",
            line={"color": MEASURE_COLOUR},
            connectgaps=True,
        )
    else:
        trace.update(type="bar")
    # The label alone: a title of two lines leaves less of a phone to the bars.
    title = label
    # A level between two readings is not known, not nothing: its table lists the readings.
    listed = [(m, v) for m, v in zip(axis, values) if v is not None or not level]
    listed_shown = [s for v, s in zip(values, shown) if v is not None or not level]
    figure = {
        "data": [trace],
        "layout": _layout(
            title,
            showlegend=False,
            xaxis=_months_axis(axis, summary),
            yaxis=_value_axis(unit),
        ),
    }
    gettext = _words(summary).gettext
    what = (
        gettext("%(label)s, month by month: the last count of each month, in %(unit)s.")
        if level
        else gettext(
            "%(label)s, month by month, in %(unit)s; a month without a bar has no row in measures.csv."
        )
    ) % {"label": label, "unit": unit}
    return Chart(
        f"measure-{key}",
        title,
        what,
        figure,
        ["month", "quantity"],
        [[m, "" if v is None else format(v, "f")] for m, v in listed],
        summary=_measure_summary(summary, unit, level, months, yearly),
        headers=[gettext("Month"), unit],
        shown_rows=[[month_name(m, summary), s] for (m, _), s in zip(listed, listed_shown)],
    )


def _measure_summary(
    summary: Summary, unit: str, level: bool, months: dict[str, Decimal], yearly: dict[int, Decimal]
) -> str:
    """The latest year's figure against the year before's, and for a total its busiest month."""
    gettext = _words(summary).gettext
    if not yearly:
        return gettext("Nothing is recorded yet.")
    quantity = lambda v: f"{display_quantity(v, summary)} {unit}"
    year = max(yearly)
    values = {"year": year, "quantity": quantity(yearly[year])}
    if year - 1 in yearly:
        values.update(before=quantity(yearly[year - 1]), earlier=year - 1)
        if level:
            sentence = gettext(
                "At the last count of %(year)s: %(quantity)s, against %(before)s in %(earlier)s."
            )
        elif year == summary.current_year:
            sentence = gettext(
                "In %(year)s so far: %(quantity)s, against %(before)s in %(earlier)s."
            )
        else:
            sentence = gettext("In %(year)s: %(quantity)s, against %(before)s in %(earlier)s.")
    elif level:
        sentence = gettext("At the last count of %(year)s: %(quantity)s.")
    elif year == summary.current_year:
        sentence = gettext("In %(year)s so far: %(quantity)s.")
    else:
        sentence = gettext("In %(year)s: %(quantity)s.")
    text = sentence % values
    of_year = [m for m in sorted(months) if m.startswith(f"{year}-")]
    if not level and of_year:
        busiest = max(of_year, key=lambda m: (months[m], -of_year.index(m)))
        if months[busiest] > 0:
            text += " " + gettext("The busiest month was %(month)s: %(quantity)s.") % {
                "month": month_name(busiest, summary),
                "quantity": quantity(months[busiest]),
            }
    return text


# -- Margins, worked out before plotly draws ------------------------------------------------------
#
# plotly's `automargin` grows a margin once it has drawn the labels that need it, and then draws
# the whole chart again: on a phone that second layout is a third to a half of a chart's time.
# Margins wide enough from the start make it lay out once. They are worked out here from the
# labels' lengths in characters; automargin stays on, so that a font wider than estimated costs
# a second layout, never a cut label.

#: The sizes plotly draws text in (the page script sets the family and the colours only).
LABEL_FONT = 12
AXIS_TITLE_FONT = 14
#: The width of one character, in ems: a little above the usual sans-serif fonts' average
#: (Arial, Helvetica, Liberation Sans, Roboto: about 0.5), so that the estimate errs wide.
CHAR_EM = 0.54
#: plotly's own spacing, measured in Chromium: between tick labels and their axis (below an x
#: axis, beside a y axis), the room of an axis title, the pad plotly adds to every margin a
#: label pushes, a legend's row and the room around it, and around one entry besides its text
#: (the line or box before it).
X_TICK_GAP = 8
Y_TICK_GAP = 6
AXIS_TITLE_ROOM = 1.15 * AXIS_TITLE_FONT + 2
MARGIN_PAD = 12
LEGEND_ROW = 19
LEGEND_FRAME = 10
LEGEND_ENTRY = 44
#: The smallest margins: every margin at least MARGIN_PAD keeps that pad the same on each side.
BASE_MARGIN = {"l": MARGIN_PAD, "r": 16, "b": MARGIN_PAD}
#: The width of a chart in a phone's column (a 390 px screen) and in a desktop's; the page
#: script draws with the narrow margins below NARROW_BELOW px (figure["narrow"]).
NARROW_WIDTH = 358
WIDE_WIDTH = 688
NARROW_BELOW = 560
#: A line of text longer than this counts as this long, so that the margins the publisher sets
#: stay bounded (the builders break labels onto lines of LABEL_LINE or TITLE_LINE characters;
#: a longer line still shows whole, automargin making room for it).
LONGEST_LABEL = 40


def _text_width(text: str, size: int = LABEL_FONT) -> float:
    """The width of plotly text in pixels, estimated: its longest line (plotly's <br>)."""
    lines = str(text).split("<br>")
    return min(LONGEST_LABEL, max(len(line) for line in lines)) * CHAR_EM * size


def _text_lines(text: str) -> int:
    return str(text).count("<br>") + 1


def _axis_traces(figure: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The bar and scatter traces drawn against the axis `key` ("xaxis", "yaxis2")."""
    letter, ref = key[0], key[0] + key[5:]
    return [
        trace
        for trace in figure.get("data", [])
        if trace.get("type", "scatter") in ("bar", "scatter")
        and trace.get(f"{letter}axis", letter) == ref
    ]


def _value_label(values: list[Any], axis: dict[str, Any], stacked: bool) -> str:
    """The longest tick label plotly may write on an axis of amounts, about: the largest value
    with the autorange's padding, its digits grouped, a sign if any value is below zero."""
    numbers = [Decimal(str(v)) for v in values if v is not None and not isinstance(v, str)]
    if isinstance(axis.get("range"), list):
        numbers += [Decimal(str(v)) for v in axis["range"] if v is not None]
    positive = sum((n for n in numbers if n > 0), Decimal(0)) if stacked else None
    top = max([abs(n) for n in numbers] + [positive or Decimal(0)]) * Decimal("1.1")
    if "," in str(axis.get("tickformat", "")):
        text = f"{int(top):,}"
    else:  # plotly's default: SI prefixes, "1.5k", "20M"
        text = "1.55k" if top >= 1000 else str(int(top))
    if top < 10:
        text += ".25"  # ticks at quarters
    return ("−" if any(n < 0 for n in numbers) else "") + text


def _tick_labels(figure: dict[str, Any], key: str, axis: dict[str, Any]) -> list[str]:
    """The tick labels of an axis as plotly will write them, or an estimate for amounts."""
    if axis.get("ticktext"):
        return [str(t) for t in axis["ticktext"]]
    letter = key[0]
    traces = _axis_traces(figure, key)
    values = [v for trace in traces for v in trace.get(letter, [])]
    if axis.get("type") == "category" or any(isinstance(v, str) for v in values):
        return [plain(str(v)) for v in values]
    stacked = figure.get("layout", {}).get("barmode") in ("stack", "relative")
    return [_value_label(values, axis, stacked)] if values or axis.get("range") else []


def _axis_title_room(axis: dict[str, Any]) -> float:
    title = axis.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    return AXIS_TITLE_ROOM if text else 0


def _category_count(figure: dict[str, Any], key: str, axis: dict[str, Any]) -> int:
    if axis.get("categoryarray"):
        return len(axis["categoryarray"])
    values = {str(v) for trace in _axis_traces(figure, key) for v in trace.get(key[0], [])}
    return max(1, len(values))


def _bottom_room(
    figure: dict[str, Any], key: str, axis: dict[str, Any], plot_width: float
) -> float:
    """What an x axis needs below the plot: its labels (turned upright when two neighbours
    would overlap, as plotly does) and its title."""
    labels = _tick_labels(figure, key, axis)
    if not labels:
        return 0
    height = max(_text_lines(t) for t in labels) * LABEL_FONT * 1.2
    widths = [_text_width(t) for t in labels]
    if axis.get("type") == "category" or axis.get("tickvals"):
        # One label per category, or per tick value among the categories.
        categories = _category_count(figure, key, axis)
        spacing = plot_width / max(1, categories) * (categories / len(labels))
        neighbours = (
            max((a + b) / 2 for a, b in itertools.pairwise(widths)) if len(widths) > 1 else 0
        )
        if neighbours + 4 > spacing:  # plotly keeps a few pixels between labels
            # plotly tries 30°, then 90° (at 30° a label needs twice its height of room).
            upright = 2 * height > spacing
            height = max(widths) + 14 if upright else max(widths) / 2 + height * 0.87
    return height + X_TICK_GAP + _axis_title_room(axis)


def _side_room(figure: dict[str, Any], key: str, axis: dict[str, Any]) -> float:
    """What a y axis needs beside the plot: its widest label and its title."""
    labels = _tick_labels(figure, key, axis)
    widest = max((_text_width(t) for t in labels), default=0)
    return widest + Y_TICK_GAP + _axis_title_room(axis)


def _legend_height(figure: dict[str, Any], plot_width: float) -> float:
    """A horizontal legend's height: its entries in one row when they fit the plot's width, else
    as many of the widest per row as fit (plotly's columns)."""
    layout = figure.get("layout", {})
    entries = [
        t
        for t in figure.get("data", [])
        if t.get("type", "scatter") in ("bar", "scatter") and t.get("showlegend") is not False
    ]
    shown = layout.get("showlegend")
    if shown is False or (shown is None and len(entries) < 2) or not entries:
        return 0
    widths = [LEGEND_ENTRY + _text_width(t.get("name", "")) for t in entries]
    lines = max(_text_lines(t.get("name", "")) for t in entries)
    if sum(widths) <= plot_width:
        rows = 1
    else:
        per_row = max(1, int(plot_width // max(widths)))
        rows = -(-len(entries) // per_row)
    return LEGEND_FRAME + LEGEND_ROW * rows * lines


def chart_margins(figure: dict[str, Any], width: float) -> dict[str, int]:
    """The margins a cartesian figure needs at `width` px: left and right for the y axes'
    labels and titles, below for the x axis and the legend under it; the top is the figure's
    own (its title)."""
    layout = figure.get("layout", {})
    given = layout.get("margin", {})
    if not any(t.get("type", "scatter") in ("bar", "scatter") for t in figure.get("data", [])):
        return dict(given)  # a Sankey: no axes
    margin = {side: max(BASE_MARGIN.get(side, 0), given.get(side, 0)) for side in "lrb"}
    axes = {key: axis for key, axis in layout.items() if key[:5] in ("xaxis", "yaxis")}
    axes.setdefault("xaxis", {})
    axes.setdefault("yaxis", {})
    left = right = bottom = 0.0
    for key, axis in axes.items():
        if key.startswith("yaxis"):
            room = _side_room(figure, key, axis)
            if axis.get("side") == "right":
                right = max(right, room)
            else:
                left = max(left, room)
    # Rounded up: a margin a fraction of a pixel short is a second layout.
    l = max(margin["l"], math.ceil(left + MARGIN_PAD)) if left else margin["l"]
    r = max(margin["r"], math.ceil(right + MARGIN_PAD)) if right else margin["r"]
    plot_width = max(1.0, width - l - r)
    for key, axis in axes.items():
        if key.startswith("xaxis"):
            bottom = max(bottom, _bottom_room(figure, key, axis, plot_width))
    b = max(margin["b"], math.ceil(bottom + MARGIN_PAD) if bottom else 0)
    b += math.ceil(_legend_height(figure, plot_width))
    return {"l": l, "r": r, "t": given.get("t", 48), "b": b, "pad": given.get("pad", 4)}


def with_margins(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure with the margins it needs on a desktop, and in `narrow` those on a phone
    (the page script picks them by the chart's width)."""
    layout = figure.get("layout", {})
    wide = chart_margins(figure, WIDE_WIDTH)
    narrow = chart_margins(figure, NARROW_WIDTH)
    fitted = {**figure, "layout": {**layout, "margin": wide}}
    if narrow != wide:
        fitted["narrow"] = {"below": NARROW_BELOW, "margin": narrow}
    return fitted


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
    target_shown: list[str] | None = None,
) -> Chart:
    """One figure per year as bars (None: no bar), optionally with a target line. `shown` says
    each value as a reader reads it (on the bars and in the table); the CSV keeps the exact
    values. `target_shown` does the same for the targets (default: the exact value). Its own
    words are in the language of the pages being generated."""
    from publisher.site.templating import words

    gettext = words().gettext
    labels = [str(y) for y in years]
    bar: dict[str, Any] = {
        "type": "bar",
        "name": plain(title),
        "x": labels,
        "y": values,
        "marker": {"color": colour},
        "customdata": shown,
        "hovertemplate": "%{x}: %{customdata}<extra></extra>",
    }
    if len(years) <= SMALL_BAR_CHART:
        bar.update(_bar_text(["" if v is None else s for v, s in zip(values, shown)]))
    data: list[dict] = [bar]
    exact = ["" if v is None else format(v, "f") for v in values]
    columns, rows = ["year", axis], [[label, text] for label, text in zip(labels, exact)]
    headers = [gettext("Year"), title]
    table = [[label, text] for label, text in zip(labels, shown)]
    if target is not None:
        targets_shown = target_shown or ["" if t is None else format(t, "f") for t in target]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": gettext("Target"),
                "x": labels,
                "y": target,
                # Drawn across a bar: in the page's text colour (the page script sets it), which
                # stands out against the bar and the background alike.
                "meta": TEXT_COLOURED,
                "marker": {
                    "color": BUDGET_COLOUR,
                    "symbol": "line-ew-open",
                    "size": 28,
                    "line": {"width": 3},
                },
                "customdata": targets_shown,
                "hovertemplate": "%{x}: "
                + plain(gettext("target %(value)s") % {"value": "%{customdata}"})
                + "<extra></extra>",
            }
        )
        columns.append("target")
        headers.append(gettext("Target"))
        rows = [row + ["" if t is None else format(t, "f")] for row, t in zip(rows, target)]
        table = [
            row + [("" if t is None else s)] for row, t, s in zip(table, target, targets_shown)
        ]
    figure = {
        "data": data,
        "layout": _layout(
            title, xaxis=_category_axis(), yaxis=_value_axis(axis), showlegend=target is not None
        ),
    }
    return Chart(
        chart_id,
        title,
        caption,
        figure,
        columns,
        rows,
        summary=_yearly_summary(title, labels, values, shown, target, target_shown, gettext),
        headers=headers,
        shown_rows=table,
    )


def attendance_by_meeting(
    chart_id: str,
    title: str,
    caption: str,
    meetings: list[tuple[dt.date, int, int]],
) -> Chart:
    """The share of the members present at each meeting, oldest first: one bar per meeting of
    `meetings` ((day, present, members)), on an axis from 0 to 100 %. The bars are the percent
    to one decimal, rounded half up; a reader reads a whole percent (and "11 of 21"). A meeting
    whose minutes give no members has no bar. Its words are in the language of the pages being
    generated."""
    from publisher.site.templating import current_site_language, reader_date, words

    gettext = words().gettext
    hundred = Decimal(100)
    # Categories by place, not by day: two meetings of one day are two bars.
    ids = [f"meeting-{n}" for n in range(1, len(meetings) + 1)]
    # plotly writes its texts left to right: a day of a right-to-left language, whose parts
    # Babel joins with right-to-left marks ("20\u200f/01\u200f/2024"), came out jumbled on the
    # axis ("202024/01/"); begun with a right-to-left mark it reads as the page's text does.
    lead = "\u200f" if is_right_to_left(current_site_language()) else ""
    days = [lead + reader_date(day) for day, _, _ in meetings]
    exact = [
        (hundred * present / members).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if members
        else None
        for _, present, members in meetings
    ]
    whole = [
        "—"
        if share is None
        else f"{(hundred * present / members).quantize(Decimal(1), rounding=ROUND_HALF_UP)}\u00a0%"
        for share, (_, present, members) in zip(exact, meetings)
    ]
    of_members = [
        gettext("%(present)s of %(members)s members") % {"present": present, "members": members}
        for _, present, members in meetings
    ]
    bar: dict[str, Any] = {
        "type": "bar",
        "name": plain(title),
        "x": ids,
        "y": exact,
        "marker": {"color": BALANCE_COLOUR},
        "customdata": [
            plain(f"{day}: {share} ({count})") for day, share, count in zip(days, whole, of_members)
        ],
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    if len(meetings) <= SMALL_BAR_CHART:
        bar.update(_bar_text(["" if v is None else s for v, s in zip(exact, whole)]))
    figure = {
        "data": [bar],
        "layout": _layout(
            title,
            showlegend=False,
            xaxis=_category_axis(
                categoryorder="array",
                categoryarray=ids,
                tickmode="array",
                tickvals=ids,
                ticktext=[plain(day) for day in days],
            ),
            # Always the whole scale: a meeting of 40 % is not drawn as nearly full.
            yaxis=_value_axis("%", range=[0, 100]),
        ),
    }
    return Chart(
        chart_id,
        title,
        caption,
        figure,
        ["date", "present", "members", "percent"],
        [
            [day.isoformat(), str(present), str(members), "" if share is None else str(share)]
            for (day, present, members), share in zip(meetings, exact)
        ],
        summary=_attendance_summary(days, whole, of_members, gettext),
    )


def _attendance_summary(days: list[str], shares: list[str], counts: list[str], gettext: Any) -> str:
    """The latest meeting's attendance, against the meeting before's."""
    if not days:
        return gettext("No meeting has minutes yet.")
    text = gettext("At the meeting of %(day)s, %(count)s came: %(share)s") % {
        "day": days[-1],
        "share": shares[-1],
        "count": counts[-1],
    }
    if len(days) > 1:
        text += gettext(", against %(share)s at the meeting of %(day)s") % {
            "share": shares[-2],
            "day": days[-2],
        }
    return text + "."


def _yearly_summary(
    title: str,
    years: list[str],
    values: list[Decimal | None],
    shown: list[str],
    target: list[Decimal | None] | None,
    target_shown: list[str] | None,
    gettext: Any,
) -> str:
    known = [i for i, v in enumerate(values) if v is not None]
    if not known:
        return gettext("No year has a figure yet.")
    last = known[-1]
    text = gettext("%(figure)s in %(year)s: %(value)s") % {
        "figure": title,
        "year": years[last],
        "value": shown[last],
    }
    if target is not None and target[last] is not None:
        goal = target_shown[last] if target_shown else format(target[last], "f")
        text += gettext(" (target %(value)s)") % {"value": goal}
    if len(known) > 1:
        previous = known[-2]
        text += gettext(", against %(value)s in %(year)s") % {
            "value": shown[previous],
            "year": years[previous],
        }
    return text + "."
