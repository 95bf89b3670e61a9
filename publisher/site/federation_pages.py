"""The site of a federation: its members, the consolidated figures, the money between members.

Like the cooperative's site, everything is written as real files into a staging directory that
the plugin hands to MkDocs. The pages are rendered from the `federation-*.md.j2` templates out
of plain records built here once; the templates escape every text from members' repositories
and federation.yml. Readers see members' names and the categories' labels; the downloads keep
the ids and keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from babel.numbers import format_currency, format_decimal
from markupsafe import Markup

from publisher.charts import (
    BALANCE_COLOUR,
    EXPENSE_COLOUR,
    FUND_COLOURS,
    INCOME_COLOUR,
    Chart,
    _layout,
    display_money,
    percent,
    plain,
)
from publisher.federation import (
    MAPPED_TO_UNDECLARED,
    NO_FEDERATION_MEASURE,
    UNIT_DIFFERS,
    Federation,
    FederationMeasure,
    MemberConfig,
    MemberResult,
    federation_json,
)
from publisher.gitrepo import CommitInfo
from publisher.links import safe_link
from publisher.money import format_minor, to_decimal
from publisher.problems import Problem, sorted_problems
from publisher.site.html import markdown_text, named_csv
from publisher.site.templating import current_site_language, render, site_language, words
from publisher.summary import Summary

OVERVIEW_MARKER = "<!-- publisher:federation -->"
#: A bar chart with at most this many bars writes each bar's value on it.
SMALL_BAR_CHART = 12

#: The Sankey's links, per palette: plotly picks white links when the background is transparent
#: (it takes transparent for dark), invisible on the light page. Each colour keeps 3:1 against
#: its page (Material's white and its slate #1e2129); the node labels get a halo of the page's
#: colour, so that they stay readable where they cross a link.
SANKEY_THEMES = {
    "light": {
        "link.color": "rgba(21, 101, 192, 0.7)",
        "textfont.shadow": "0 0 3px #ffffff, 0 0 2px #ffffff",
    },
    "dark": {
        "link.color": "rgba(100, 181, 246, 0.55)",
        "textfont.shadow": "0 0 3px #1e2129, 0 0 2px #1e2129",
    },
}


@dataclass(frozen=True)
class FederationMoney:
    """The federation's currency in the shape `display_money` reads (currency, units, locale):
    one money format for people on the federation's pages as on a cooperative's."""

    currency: str
    units: int
    locale: str = "en"

    def text(self, minor: int) -> str:
        return display_money(minor, cast(Summary, self))

    def signed(self, minor: int) -> str:
        return ("+" if minor > 0 else "") + self.text(minor)

    def exact(self, minor: int) -> Decimal:
        return to_decimal(minor, self.units)

    def per_unit(self, price: str) -> str:
        """A cost per unit (exact decimal text, "0.099975") for people, every digit kept."""
        return format_currency(
            Decimal(price), self.currency, locale=self.locale, decimal_quantization=False
        )

    def count(self, quantity: Decimal | str | int) -> str:
        """A quantity for people ("2,000.5"), every digit kept."""
        return format_decimal(Decimal(quantity), locale=self.locale, decimal_quantization=False)


def federation_money(federation: Federation) -> FederationMoney:
    return FederationMoney(
        federation.config.currency, federation.config.units, federation.config.language
    )


def _config_member(federation: Federation, member: MemberResult) -> MemberConfig:
    return next(m for m in federation.config.members if m.id == member.id)


def member_label(federation: Federation, member: MemberResult) -> str:
    """The name a reader sees for a member: its own books' name, federation.yml's, or its id."""
    return member.name or _config_member(federation, member).name or member.id


def _member_link(config_member: MemberConfig) -> str:
    if config_member.site:
        return safe_link(config_member.site) or ""
    if config_member.repo:
        return safe_link(config_member.repo.removesuffix(".git"), allow_relative=False) or ""
    return ""


def _years(federation: Federation) -> list[str]:
    years = set(federation.consolidated())
    for member in federation.ok_members():
        years |= set(member.years)
    return sorted(years)


def _share(part: int, whole: int) -> str:
    """Part of a whole as a whole percentage in the site's format ("61%", "61\u00a0%")."""
    if whole <= 0:
        return ""
    return percent(part, whole)


def _against(now: int, before: int | None, year: str, money: FederationMoney) -> str:
    """ ", €X more than in 2025" — the change against the year before, for a summary."""
    gettext = words().gettext
    if before is None:
        return ""
    if now == before:
        return gettext(", the same as in %(year)s") % {"year": year}
    values = {"amount": money.text(abs(now - before)), "year": year}
    if now > before:
        return gettext(", %(amount)s more than in %(year)s") % values
    return gettext(", %(amount)s less than in %(year)s") % values


def _bar_values(count: int) -> bool:
    return count <= SMALL_BAR_CHART


def members_chart(federation: Federation, money: FederationMoney) -> Chart:
    """Each member's net result per year, side by side."""
    years = _years(federation)
    members = federation.ok_members()
    with_values = _bar_values(len(years) * len(members))
    traces, rows = [], []
    nets: dict[str, dict[str, int]] = {}
    for index, member in enumerate(members):
        label = plain(member_label(federation, member))
        totals = [federation.totals(member.years.get(y, {})) for y in years]
        values = [income - expense for income, expense in totals]
        nets[member.id] = dict(zip(years, values))
        # A year the member has no books for is no bar, not a bar of 0.
        present = [y in member.years for y in years]
        shown = [money.text(v) if here else "" for v, here in zip(values, present)]
        trace: dict[str, Any] = {
            "type": "bar",
            "name": label,
            "x": years,
            "y": [money.exact(v) if here else None for v, here in zip(values, present)],
            "marker": {"color": FUND_COLOURS[index % len(FUND_COLOURS)]},
            "customdata": shown,
            "hovertemplate": "%{x}<br>" + label + ": %{customdata}<extra></extra>",
        }
        if with_values:
            trace.update(text=shown, textposition="outside", textangle=-90, cliponaxis=False)
        traces.append(trace)
        rows += [
            [member.id, y, format_minor(v, money.units)]
            for y, v, here in zip(years, values, present)
            if here
        ]
    summary = ""
    gettext = words().gettext
    if members and years:
        latest = years[-1]
        best = max(members, key=lambda m: nets[m.id][latest])
        total = sum(nets[m.id][latest] for m in members)
        before = sum(nets[m.id][years[-2]] for m in members) if len(years) > 1 else None
        summary = (
            gettext(
                "In %(year)s, %(member)s had the largest net result (%(amount)s); all members together %(total)s"
            )
            % {
                "year": latest,
                "member": member_label(federation, best),
                "amount": money.text(nets[best.id][latest]),
                "total": money.text(total),
            }
            + _against(total, before, years[-2] if len(years) > 1 else "", money)
            + "."
        )
    layout = _layout(
        gettext("Net result of each member"),
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"title": {"text": money.currency}, "rangemode": "tozero", "zeroline": True},
        # plotly shrinks a value to its bar's width (unreadable on a phone): turned upright,
        # it keeps a readable size.
        uniformtext={"minsize": 10, "mode": "show"},
    )
    if with_values and nets:
        # Room above the highest bar (and below the lowest) for its upright value.
        values = [v for member_nets in nets.values() for v in member_nets.values()]
        high, low = max(0, *values), min(0, *values)
        layout["yaxis"]["range"] = [
            money.exact(low) * Decimal("1.4"),
            money.exact(high) * Decimal("1.4"),
        ]
    return Chart(
        "members-net",
        gettext("Net result of each member"),
        gettext(
            "Each member's income minus expense, year by year, in %(currency)s (money between members left out)."
        )
        % {"currency": money.currency},
        {"data": traces, "layout": layout},
        ["member", "year", "net"],
        rows,
        label_columns=2,
        summary=summary,
        headers=[gettext("Member"), gettext("Year"), gettext("Net")],
    )


def categories_chart(federation: Federation, money: FederationMoney, kind: str) -> Chart:
    """The consolidated income (or expense) of each year, stacked by category."""
    consolidated = federation.consolidated()
    years = list(consolidated)
    categories = sorted({c for y in consolidated.values() for c in y if federation.kind(c) == kind})
    sign = 1 if kind == "income" else -1
    label = federation.config.label
    traces, rows = [], []
    for index, category in enumerate(categories):
        values = [sign * consolidated[y].get(category, 0) for y in years]
        name = plain(label(category))
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": years,
                "y": [money.exact(v) for v in values],
                "marker": {"color": FUND_COLOURS[index % len(FUND_COLOURS)]},
                "customdata": [money.text(v) for v in values],
                "hovertemplate": "%{x}<br>" + name + ": %{customdata}<extra></extra>",
            }
        )
        rows += [[category, y, format_minor(v, money.units)] for y, v in zip(years, values)]
    summary = ""
    gettext = words().gettext
    if years and categories:
        latest = years[-1]

        def total(year: str) -> int:
            return sum(sign * consolidated[year].get(c, 0) for c in categories)

        largest = max(categories, key=lambda c: (sign * consolidated[latest].get(c, 0), c))
        opening = (
            gettext("In %(year)s the income of all members was %(amount)s")
            if kind == "income"
            else gettext("In %(year)s the expense of all members was %(amount)s")
        )
        summary = (
            opening % {"year": latest, "amount": money.text(total(latest))}
            + _against(
                total(latest),
                total(years[-2]) if len(years) > 1 else None,
                years[-2] if len(years) > 1 else "",
                money,
            )
            + gettext("; the largest category was %(category)s (%(amount)s).")
            % {
                "category": label(largest),
                "amount": money.text(sign * consolidated[latest].get(largest, 0)),
            }
        )
    title = (
        gettext("Consolidated income by category")
        if kind == "income"
        else gettext("Consolidated expense by category")
    )
    caption = (
        gettext(
            "The income of all members together, by the federation's categories, year by year, in %(currency)s."
        )
        if kind == "income"
        else gettext(
            "The expense of all members together, by the federation's categories, year by year, in %(currency)s."
        )
    )
    return Chart(
        f"consolidated-{kind}",
        title,
        caption % {"currency": money.currency},
        {
            "data": traces,
            "layout": _layout(
                title,
                barmode="stack",
                xaxis={"type": "category"},
                yaxis={"title": {"text": money.currency}, "rangemode": "tozero", "zeroline": True},
            ),
        },
        ["category", "year", kind],
        rows,
        label_columns=2,
        summary=summary,
        headers=[gettext("Category"), gettext("Year"), gettext("Amount")],
    )


def where_chart(federation: Federation, money: FederationMoney, year: str) -> Chart:
    """Where the money came from and went in one year: every category of the federation as a
    labelled bar, income first, each side sorted from the largest (a sunburst's small slices
    cannot be read)."""
    categories = federation.consolidated().get(year, {})
    label = federation.config.label
    sides = []
    words_ = words()
    gettext = words_.gettext
    kind_word = {
        "income": words_.pgettext("kind of category", "income"),
        "expense": words_.pgettext("kind of category", "expense"),
    }
    for kind, title, colour, sign in (
        ("income", "Income", INCOME_COLOUR, 1),
        ("expense", "Expense", EXPENSE_COLOUR, -1),
    ):
        items = sorted(
            (
                (key, sign * value)
                for key, value in categories.items()
                if federation.kind(key) == kind
            ),
            key=lambda item: (-item[1], label(item[0])),
        )
        sides.append((kind, title, colour, items))
    count = sum(len(items) for *_, items in sides)
    traces, rows = [], []
    for kind, title, colour, items in sides:
        if not items:
            continue
        names = [f"{plain(label(key))} ({kind_word[kind]})" for key, _ in items]
        shown = [money.text(value) for _, value in items]
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h",
            "name": gettext("Income") if kind == "income" else gettext("Expense"),
            "y": names,
            "x": [money.exact(value) for _, value in items],
            "marker": {"color": colour},
            "customdata": shown,
            "hovertemplate": "%{y}: %{customdata}<extra></extra>",
        }
        if _bar_values(count):
            trace.update(text=shown, textposition="auto", cliponaxis=False)
        traces.append(trace)
        rows += [[title, key, format_minor(value, money.units)] for key, value in items]
    summary_parts = []
    for kind, _, _, items in sides:
        whole = sum(value for _, value in items)
        if items and items[0][1] > 0:
            key, value = items[0]
            share = _share(value, whole)
            values = {"category": label(key), "amount": money.text(value), "share": share}
            if kind == "income":
                part = (
                    gettext("the largest income was %(category)s (%(amount)s, %(share)s of income)")
                    if share
                    else gettext("the largest income was %(category)s (%(amount)s)")
                )
            else:
                part = (
                    gettext(
                        "the largest expense was %(category)s (%(amount)s, %(share)s of expense)"
                    )
                    if share
                    else gettext("the largest expense was %(category)s (%(amount)s)")
                )
            summary_parts.append(part % values)
    summary = (
        gettext("In %(year)s %(parts)s.")
        % {"year": year, "parts": gettext(" and ").join(summary_parts)}
        if summary_parts
        else ""
    )
    title = gettext("Where the money came from and went, %(year)s") % {"year": year}
    figure = {
        "data": traces,
        "layout": _layout(
            title,
            height=max(320, 90 + 36 * count),
            showlegend=False,
            yaxis={"automargin": True, "autorange": "reversed", "type": "category"},
            xaxis={
                "title": {"text": money.currency},
                "rangemode": "tozero",
                "zeroline": True,
                "automargin": True,
            },
        ),
    }
    return Chart(
        f"federation-flows-{year}",
        title,
        gettext(
            "Income by category (where the money came from) and expense by category (where it went) of "
            "all members together in %(year)s, largest first, in %(currency)s."
        )
        % {"year": year, "currency": money.currency},
        figure,
        ["side", "category", "amount"],
        rows,
        label_columns=2,
        summary=summary,
        headers=[gettext("Income or expense"), gettext("Category"), gettext("Amount")],
        shown_rows=[
            [gettext("Income") if side == "Income" else gettext("Expense"), key, amount]
            for side, key, amount in rows
        ],
    )


def solidarity_chart(federation: Federation, money: FederationMoney) -> Chart:
    """Money paid between members, as the payers record it: a Sankey diagram."""
    flows = federation.flows()
    by_id = {m.id: member_label(federation, m) for m in federation.members}
    payers = sorted({a for a, _ in flows})
    payees = sorted({b for _, b in flows})
    gettext = words().gettext
    labels = [plain(gettext("%(member)s pays") % {"member": by_id[p]}) for p in payers] + [
        plain(gettext("%(member)s receives") % {"member": by_id[p]}) for p in payees
    ]
    pairs = sorted(flows.items())
    colours = [FUND_COLOURS[index % len(FUND_COLOURS)] for index, _ in enumerate(payers + payees)]
    figure = {
        "data": [
            {
                "type": "sankey",
                "node": {"label": labels, "color": colours or BALANCE_COLOUR, "pad": 20},
                "link": {
                    "source": [payers.index(a) for (a, _), _ in pairs],
                    "target": [len(payers) + payees.index(b) for (_, b), _ in pairs],
                    "value": [money.exact(v) for _, v in pairs],
                    "color": SANKEY_THEMES["light"]["link.color"],
                    "customdata": [money.text(v) for _, v in pairs],
                    "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
                },
                "textfont": {"shadow": SANKEY_THEMES["light"]["textfont.shadow"]},
            }
        ],
        "layout": _layout(gettext("Solidarity between members"), height=420),
        # Colours of the page's palette, applied by the page script (publisher.js, traceThemes).
        "themes": [{"trace": 0, **SANKEY_THEMES}],
    }
    summary = gettext("No money moved between members.")
    if pairs:
        (payer, payee), largest = max(pairs, key=lambda pair: pair[1])
        summary = gettext(
            "Members paid each other %(total)s over all years; the largest "
            "payment was from %(payer)s to %(payee)s (%(amount)s)."
        ) % {
            "total": money.text(sum(v for _, v in pairs)),
            "payer": by_id[payer],
            "payee": by_id[payee],
            "amount": money.text(largest),
        }
    return Chart(
        "solidarity",
        gettext("Solidarity between members"),
        gettext(
            "Money paid by one member to another over all years, as the paying member records it, in %(currency)s."
        )
        % {"currency": money.currency},
        figure,
        ["from", "to", "amount"],
        [[a, b, format_minor(v, money.units)] for (a, b), v in pairs],
        label_columns=2,
        summary=summary,
        headers=[gettext("From"), gettext("To"), gettext("Amount")],
    )


def federation_charts(federation: Federation, money: FederationMoney) -> list[Chart]:
    """The overview's charts, in the order shown."""
    charts = [
        members_chart(federation, money),
        categories_chart(federation, money, "income"),
        categories_chart(federation, money, "expense"),
    ]
    years = list(federation.consolidated())
    if years:
        charts.insert(1, where_chart(federation, money, years[-1]))
    # An empty Sankey is nothing to show, and plotly.js fails on one ("Invalid array length"),
    # which stopped the charts after it from being drawn.
    return charts + ([solidarity_chart(federation, money)] if federation.flows() else [])


def measure_chart(federation: Federation, measure: FederationMeasure, number: int) -> Chart | None:
    """One federation measure (the `number`th of federation.yml): each member's quantity per
    year, stacked, so that a bar is the federation's sum. None when no member that is ok counts
    it."""
    consolidated = federation.consolidated_measures()
    years = [y for y, figures in consolidated.items() if measure.key in figures]
    if not years:
        return None
    money = federation_money(federation)
    unit = plain(measure.unit)
    traces, rows = [], []
    counting = [
        m
        for m in federation.ok_members()
        if any(measure.key in m.measures.get(y, {}) for y in years)
    ]
    for index, member in enumerate(counting):
        label = plain(member_label(federation, member))
        quantities = [
            member.measures.get(y, {}).get(measure.key, {}).get("quantity") for y in years
        ]
        shown = ["" if q is None else f"{money.count(q)} {unit}" for q in quantities]
        traces.append(
            {
                "type": "bar",
                "name": label,
                "x": years,
                "y": [None if q is None else Decimal(q) for q in quantities],
                "marker": {"color": FUND_COLOURS[index % len(FUND_COLOURS)]},
                "customdata": shown,
                "hovertemplate": "%{x}<br>" + label + ": %{customdata}<extra></extra>",
            }
        )
        rows += [[member.id, y, q] for y, q in zip(years, quantities) if q is not None]
    latest = years[-1]
    total = consolidated[latest][measure.key]
    counted = [m for m in counting if measure.key in m.measures.get(latest, {})]
    largest = max(counted, key=lambda m: Decimal(m.measures[latest][measure.key]["quantity"]))
    gettext = words().gettext
    if len(counted) == 1:
        summary = gettext(
            "In %(year)s only %(member)s counted %(measure)s: %(total)s %(unit)s."
        ) % {
            "year": latest,
            "member": member_label(federation, largest),
            "measure": measure.label,
            "total": money.count(total),
            "unit": measure.unit,
        }
    else:
        summary = gettext(
            "In %(year)s the members together counted %(total)s %(unit)s (%(measure)s); "
            "%(member)s the most (%(most)s %(unit)s)."
        ) % {
            "year": latest,
            "total": money.count(total),
            "unit": measure.unit,
            "measure": measure.label,
            "member": member_label(federation, largest),
            "most": money.count(largest.measures[latest][measure.key]["quantity"]),
        }
    title = gettext("%(measure)s, all members") % {"measure": measure.label}
    return Chart(
        # By its place, not its key: a key of federation.yml is any text, and the id names a file.
        f"federation-measure-{number}",
        title,
        gettext(
            "%(measure)s of each member that counts it in %(unit)s, year by year, stacked: "
            "a whole bar is the members' sum."
        )
        % {"measure": measure.label, "unit": measure.unit},
        {
            "data": traces,
            "layout": _layout(
                title,
                barmode="stack",
                xaxis={"type": "category"},
                yaxis={"title": {"text": unit}, "rangemode": "tozero", "zeroline": True},
            ),
        },
        ["member", "year", "quantity"],
        rows,
        label_columns=2,
        summary=summary,
        headers=[gettext("Member"), gettext("Year"), gettext("Quantity")],
    )


def measure_charts(federation: Federation) -> dict[str, Chart]:
    """federation measure key -> its chart, for the measures some member counts."""
    found = {}
    for number, (key, measure) in enumerate(federation.config.measures.items(), start=1):
        chart = measure_chart(federation, measure, number)
        if chart is not None:
            found[key] = chart
    return found


# -- Page data: plain records for the templates ---------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    id: str
    page: str
    name: str
    url: str
    #: the member's status in the site's language (status_word)
    status: str
    reason: str
    commit: str  # short sha, "" when none
    date: str
    #: income, expense, net of the latest year, for people; empty when left out of the totals
    figures: tuple[str, ...]


@dataclass(frozen=True)
class MeasureRow:
    """One member's figures of one measure in one year, as shown ("—" where it has none)."""

    year: str
    member: MemberRow
    #: the federation measure's key, label and unit
    key: str
    measure: str
    unit: str
    quantity: str
    cost: str
    cost_per_unit: str
    saved: str


@dataclass(frozen=True)
class MeasureSection:
    key: str
    label: str
    unit: str
    #: (year, the members' sum), newest first
    totals: list[tuple[str, str]]
    #: each member's figures, newest year first
    rows: list[MeasureRow]
    chart: Chart | None


@dataclass(frozen=True)
class UnmatchedMeasures:
    """A member's measures the federation does not count, each with why."""

    member: MemberRow
    reasons: list[str]


@dataclass(frozen=True)
class AssetRow:
    year: str
    #: None: the row of all members together
    member: MemberRow | None
    created: int
    cost: str


@dataclass(frozen=True)
class OverviewPage:
    latest: str
    cards: list[tuple[str, str, str]]
    members: list[MemberRow]
    charts: list[Chart]
    measures: list[MeasureSection] = field(default_factory=list)
    unmatched: list[UnmatchedMeasures] = field(default_factory=list)
    assets: list[AssetRow] = field(default_factory=list)


@dataclass(frozen=True)
class MemberPage:
    #: the member's name as a YAML string for the page's front matter: the plugin escapes a
    #: front-matter title (MkDocs prints a title taken from the heading as it is)
    title: Markup
    heading: Markup
    row: MemberRow
    ok: bool
    commit: str  # the full sha
    years: list[list[str]]
    categories: list[list[str]]
    internal: list[list[str]]
    measures: list[MeasureRow] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    assets: list[AssetRow] = field(default_factory=list)


@dataclass(frozen=True)
class ReconciliationRow:
    year: str
    a: MemberRow
    b: MemberRow
    a_side: str
    b_side: str
    difference: str
    reconciled: bool


@dataclass(frozen=True)
class WarningItem:
    message: str
    path: str
    line: str
    code: str
    #: the page the warning is about (a member's, the reconciliation), "" when none
    page: str
    page_name: str


def status_word(status: str) -> str:
    """A member's status ("ok", "invalid", "unreachable") in the site's language."""
    words_ = words()
    return {
        "ok": words_.pgettext("member status", "ok"),
        "invalid": words_.pgettext("member status", "invalid"),
        "unreachable": words_.pgettext("member status", "unreachable"),
    }.get(status, status)


def unmatched_reason(federation: Federation, record: dict[str, str]) -> str:
    """Why a member's measure is left out of the federation's measures, in the federation's
    language: the measure named by the label of the member's accounts.yml, the federation's
    measure by its label in federation.yml. Text: the template escapes it."""
    gettext = words().gettext
    target = record.get("federation_measure") or ""
    declared = federation.config.measures.get(target) if federation.config else None
    values = {
        "measure": record.get("label") or record.get("measure") or "",
        "unit": record.get("unit") or "",
        "federation_measure": declared.label if declared else target,
        "federation_unit": record.get("federation_unit") or "",
    }
    reason = record.get("reason")
    if reason == UNIT_DIFFERS:
        return (
            gettext(
                "%(measure)s: counted in %(unit)s, while the federation counts "
                "%(federation_measure)s in %(federation_unit)s (units are never converted)"
            )
            % values
        )
    if reason == MAPPED_TO_UNDECLARED:
        return (
            gettext(
                "%(measure)s: federation.yml maps it to “%(federation_measure)s”, a measure the "
                "federation does not declare"
            )
            % values
        )
    if reason == NO_FEDERATION_MEASURE:
        return (
            gettext(
                "%(measure)s: the federation counts no measure of that name, and federation.yml "
                "maps it to none"
            )
            % values
        )
    return values["measure"]


def member_row(
    federation: Federation, member: MemberResult, money: FederationMoney, latest: str | None
) -> MemberRow:
    figures: tuple[str, ...] = ()
    if member.ok and latest:
        income, expense = federation.totals(member.years.get(latest, {}))
        figures = (money.text(income), money.text(expense), money.text(income - expense))
    return MemberRow(
        id=member.id,
        page=f"members/{member.id}.md",
        name=member_label(federation, member),
        url=_member_link(_config_member(federation, member)),
        status=status_word(member.status),
        # In the federation's language: the page is the readers', not the treasurer's.
        reason=member.reason_in(current_site_language()),
        commit=(member.commit or "")[:7],
        date=(member.date or "")[:10] if member.commit else "",
        figures=figures,
    )


def overview_page(
    federation: Federation,
    money: FederationMoney,
    charts: list[Chart],
    measures: dict[str, Chart] | None = None,
) -> OverviewPage:
    """The overview's records. `measures`: the measures' charts, when the caller has drawn them
    (else they are drawn here)."""
    years = _years(federation)
    latest = years[-1] if years else ""
    consolidated = federation.consolidated()
    cards = []
    if latest and latest in consolidated:
        income, expense = federation.totals(consolidated[latest])
        gettext = words().gettext
        cards = [
            (
                gettext("Income %(year)s") % {"year": latest},
                money.text(income),
                gettext("all members, money between them left out"),
            ),
            (gettext("Expense %(year)s") % {"year": latest}, money.text(expense), ""),
            (
                gettext("Members"),
                gettext("%(counted)s of %(all)s")
                % {"counted": len(federation.ok_members()), "all": len(federation.members)},
                gettext("counted in the totals"),
            ),
        ]
    rows = [member_row(federation, m, money, latest) for m in federation.members]
    shown = {m.id: member_row(federation, m, money, None) for m in federation.members}
    drawn = measure_charts(federation) if measures is None else measures
    consolidated_measures = federation.consolidated_measures()
    sections = []
    for key, measure in federation.config.measures.items():
        totals = [
            (year, money.count(figures[key]))
            for year, figures in reversed(consolidated_measures.items())
            if key in figures
        ]
        if not totals:
            continue
        measure_rows = [
            row
            for member in federation.ok_members()
            for row in measure_rows_of(federation, member, money, shown[member.id])
            if row.key == key
        ]
        measure_rows.sort(
            key=lambda row: row.year, reverse=True
        )  # stable: members keep their order
        sections.append(
            MeasureSection(key, measure.label, measure.unit, totals, measure_rows, drawn.get(key))
        )
    unmatched = [
        UnmatchedMeasures(
            shown[m.id], [unmatched_reason(federation, u) for u in m.unmatched_measures]
        )
        for m in federation.ok_members()
        if m.unmatched_measures
    ]
    return OverviewPage(
        latest, cards, rows, charts, sections, unmatched, asset_rows(federation, money, shown)
    )


def measure_rows_of(
    federation: Federation, member: MemberResult, money: FederationMoney, row: MemberRow
) -> list[MeasureRow]:
    """A member's figures of each federation measure it counts, newest year first."""
    found = []
    for year in sorted(member.measures, reverse=True):
        for key, measure in federation.config.measures.items():
            figures = member.measures[year].get(key)
            if figures is None:
                continue
            found.append(
                MeasureRow(
                    year=year,
                    member=row,
                    key=key,
                    measure=measure.label,
                    unit=measure.unit,
                    quantity=money.count(figures["quantity"]),
                    cost="—" if figures["cost"] is None else money.text(figures["cost"]),
                    cost_per_unit="—"
                    if figures["cost_per_unit"] is None
                    else money.per_unit(figures["cost_per_unit"]),
                    saved="—" if figures["saved"] is None else money.signed(figures["saved"]),
                )
            )
    return found


def asset_rows(
    federation: Federation, money: FederationMoney, shown: dict[str, MemberRow]
) -> list[AssetRow]:
    """The collective assets created per year, newest first: each member's, then all members'
    together."""
    rows = []
    for year, total in reversed(federation.consolidated_assets().items()):
        mine = [
            AssetRow(
                year, shown[m.id], m.assets[year]["created"], money.text(m.assets[year]["cost"])
            )
            for m in federation.ok_members()
            if year in m.assets
        ]
        rows += mine
        rows.append(AssetRow(year, None, total["created"], money.text(total["cost"])))
    return rows


def overview_fragment(
    federation: Federation,
    money: FederationMoney,
    charts: list[Chart],
    measures: dict[str, Chart] | None = None,
) -> str:
    return render(
        "federation-overview.md.j2", page=overview_page(federation, money, charts, measures)
    )


def member_page_data(
    federation: Federation, member: MemberResult, money: FederationMoney
) -> MemberPage:
    label = federation.config.label
    newest_first = sorted(member.years, reverse=True)
    years = []
    for year in newest_first:
        income, expense = federation.totals(member.years[year])
        years.append([year, money.text(income), money.text(expense), money.text(income - expense)])
    categories = [
        [year, label(category), money.text(value)]
        for year in newest_first
        for category, value in sorted(member.years[year].items(), key=lambda item: label(item[0]))
    ]
    names = {m.id: member_label(federation, m) for m in federation.members}
    internal = [
        [year, names.get(other, f"@{other}"), money.signed(value)]
        for year in sorted(member.internal, reverse=True)
        for other, value in sorted(member.internal[year].items())
    ]
    row = member_row(federation, member, money, None)
    return MemberPage(
        title=Markup(json.dumps(member_label(federation, member), ensure_ascii=True)),
        heading=Markup(markdown_text(member_label(federation, member))),
        row=row,
        ok=member.ok,
        commit=member.commit or "",
        years=years,
        categories=categories,
        internal=internal,
        measures=measure_rows_of(federation, member, money, row) if member.ok else [],
        unmatched=[unmatched_reason(federation, u) for u in member.unmatched_measures]
        if member.ok
        else [],
        assets=[
            AssetRow(year, row, figures["created"], money.text(figures["cost"]))
            for year, figures in sorted(member.assets.items(), reverse=True)
        ]
        if member.ok
        else [],
    )


def member_page(federation: Federation, member: MemberResult, money: FederationMoney) -> str:
    return render("federation-member.md.j2", page=member_page_data(federation, member, money))


def reconciliation_rows(federation: Federation, money: FederationMoney) -> list[ReconciliationRow]:
    ok = {m.id: m for m in federation.ok_members()}
    shown = {m.id: member_row(federation, m, money, None) for m in federation.ok_members()}
    rows = []
    for a in sorted(ok):
        for b in sorted(ok):
            if a >= b:
                continue
            for year in sorted(set(ok[a].internal) | set(ok[b].internal)):
                a_side = ok[a].internal.get(year, {}).get(b, 0)
                b_side = ok[b].internal.get(year, {}).get(a, 0)
                if a_side == 0 and b_side == 0:
                    continue
                rows.append(
                    ReconciliationRow(
                        year,
                        shown[a],
                        shown[b],
                        money.signed(a_side),
                        money.signed(b_side),
                        money.signed(a_side + b_side),
                        a_side + b_side == 0,
                    )
                )
    return rows


def reconciliation_page(federation: Federation, money: FederationMoney) -> str:
    return render("federation-reconciliation.md.j2", rows=reconciliation_rows(federation, money))


def _warning_page(federation: Federation, problem: Problem) -> tuple[str, str]:
    """The page a warning is about: the reconciliation for a mismatch; the member whose entry of
    federation.yml holds the warning's line."""
    if problem.code == "federation-reconciliation-mismatch":
        return "reconciliation.md", words().gettext("the money between members")
    if problem.path != "federation.yml" or problem.line is None:
        return "", ""
    starts = sorted((m.line, m.id) for m in federation.config.members if m.line is not None)
    found = [ident for line, ident in starts if line <= problem.line]
    if not found:
        return "", ""
    member = next(m for m in federation.members if m.id == found[-1])
    return f"members/{member.id}.md", member_label(federation, member)


def warning_items(federation: Federation) -> list[WarningItem]:
    items = []
    for problem in sorted_problems(federation.problems):
        page, name = _warning_page(federation, problem)
        items.append(
            WarningItem(
                # In the federation's language, not the treasurer's: the page is the readers'.
                problem.message_in(current_site_language()),
                problem.path,
                str(problem.line or ""),
                problem.code,
                page,
                name,
            )
        )
    return items


def warnings_page(federation: Federation) -> str:
    return render("federation-warnings.md.j2", warnings=warning_items(federation))


def consolidated_csv(federation: Federation) -> str:
    rows = [
        [
            str(year),
            category,
            federation.kind(category),
            format_minor(value, federation.config.units),
        ]
        for year, categories in federation.consolidated().items()
        for category, value in sorted(categories.items())
    ]
    return named_csv(["year", "category", "kind", "amount"], rows, {"amount"})


def members_csv(federation: Federation) -> str:
    units = federation.config.units
    rows: list[list[str]] = []
    for member in federation.members:
        if not member.years:
            rows.append([member.id, member.status, member.commit or "", "", "", "", ""])
        for year in sorted(member.years):
            income, expense = federation.totals(member.years[year])
            money = [format_minor(v, units) for v in (income, expense, income - expense)]
            rows.append([member.id, member.status, member.commit or "", str(year), *money])
    columns = ["member", "status", "commit", "year", "income", "expense", "net"]
    return named_csv(columns, rows, {"income", "expense", "net"})


def datapackage(federation: Federation) -> dict:
    def field(name: str, kind: str) -> dict:
        return {"name": name, "type": kind}

    def resource(name: str, fields: list[dict]) -> dict:
        return {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": fields},
        }

    return {
        "profile": "tabular-data-package",
        "name": "federation",
        "title": f"Consolidated books of {federation.config.name}",
        "resources": [
            resource(
                "consolidated",
                [
                    field("year", "integer"),
                    field("category", "string"),
                    field("kind", "string"),
                    field("amount", "number"),
                ],
            ),
            resource(
                "members",
                [
                    field("member", "string"),
                    field("status", "string"),
                    field("commit", "string"),
                    field("year", "integer"),
                    field("income", "number"),
                    field("expense", "number"),
                    field("net", "number"),
                ],
            ),
        ],
    }


def generate_federation_site(
    federation: Federation, commit: CommitInfo | None, docs_dir: Path, out_dir: Path
):
    """The federation's pages, every word in the federation's language (`language:` in
    federation.yml), whatever language its members write in."""
    with site_language(federation.config.language):
        return _generate_federation_site(federation, commit, docs_dir, out_dir)


def _generate_federation_site(
    federation: Federation, commit: CommitInfo | None, docs_dir: Path, out_dir: Path
):
    from publisher.site.generate import SiteContent, write_generated

    money = federation_money(federation)
    charts = federation_charts(federation, money)
    measures = measure_charts(federation)
    files: dict[str, str] = {}
    if not (docs_dir / "index.md").is_file():
        files["index.md"] = render(
            "federation-index.md.j2",
            heading=Markup(markdown_text(federation.config.name)),
            marker=Markup(OVERVIEW_MARKER),
        )
    for member in federation.members:
        files[f"members/{member.id}.md"] = member_page(federation, member, money)
    files["reconciliation.md"] = reconciliation_page(federation, money)
    files["warnings.md"] = warnings_page(federation)
    files["data/federation.json"] = (
        json.dumps(federation_json(federation), indent=2, ensure_ascii=False) + "\n"
    )
    files["data/consolidated.csv"] = consolidated_csv(federation)
    files["data/members.csv"] = members_csv(federation)
    files["data/datapackage.json"] = json.dumps(datapackage(federation), indent=2) + "\n"
    files["data/index.md"] = render("federation-data.md.j2", commit=commit)
    written = write_generated(out_dir, files, charts + list(measures.values()))
    gettext = words().gettext
    nav: list[dict] = [
        {gettext("Overview"): "index.md"},
        {gettext("Members"): [f"members/{m.id}.md" for m in federation.members]},
        {gettext("Reconciliation"): "reconciliation.md"},
        {gettext("Warnings"): "warnings.md"},
        {gettext("Data"): "data/index.md"},
    ]
    return SiteContent(
        directory=out_dir,
        files=written,
        nav=nav,
        fragments={"index.md": ("marker", overview_fragment(federation, money, charts, measures))},
        summary=None,
        commit=commit,
        language=federation.config.language,
    )
