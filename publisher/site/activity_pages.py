"""The pages "What we do" (the measures of activity, their cost per unit and what members saved)
and "What we own together" (the collective assets), and their key figures on the home page.

Every figure comes from the data layer (publisher.measures.measure_years,
publisher.assets.collective_assets): here it is only put into words and the site's money format,
never recomputed. The records below are rendered by activity.md.j2 and commons.md.j2 with
autoescaping; links are written `publisher:PATH` for the plugin to resolve per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import quote, urlencode

from babel.numbers import format_currency
from markupsafe import Markup

from publisher import charts
from publisher.accounts import Measure
from publisher.assets import Asset, assets_by_year
from publisher.charts import Chart, display_money, display_quantity
from publisher.cooperative import Cooperative
from publisher.measures import MeasureYear
from publisher.site.governance_pages import DECISIONS_PAGE, decision_anchor
from publisher.site.html import markdown_text
from publisher.site.templating import render
from publisher.summary import Summary

ACTIVITY_PAGE = "activity/index.md"
#: Not `assets/`: the site's own scripts and styles live in assets/publisher/.
COMMONS_PAGE = "commons/index.md"
#: The home page shows the latest year of this many measures, the first declared.
HOME_MEASURES = 4


@dataclass(frozen=True)
class Link:
    """A link to a generated page: the docs path, a query or anchor after it, the text."""

    page: str
    suffix: str
    text: str


@dataclass(frozen=True)
class MeasureYearRow:
    """One year of a measure, in words and the site's formats."""

    year: int
    #: the current year, still running
    so_far: bool
    quantity: str
    #: the spending in the cost categories (None: the measure declares no cost)
    cost: str | None = None
    #: the cost categories, each linked to that year's ledger filtered to it where it has a page
    categories: tuple[Link | str, ...] = ()
    #: cost ÷ quantity in the currency (None: nothing counted, so no cost per unit)
    per_unit: str | None = None
    #: whether `per_unit` is the exact quotient (else it is rounded, and said with "≈")
    per_unit_exact: bool = True
    #: reference price × quantity and the saving (None: no reference price)
    elsewhere: str | None = None
    saved: str | None = None
    #: the saving is below zero: here it cost more than elsewhere (`saved` is then the excess)
    cost_more: bool = False


@dataclass(frozen=True)
class MeasureSection:
    key: str
    label: str
    #: the label for a Markdown heading (escaped for HTML and Markdown alike)
    heading: Markup
    unit: str
    level: bool
    chart: Chart
    has_cost: bool
    reference_price: str | None
    reference_source: str
    years: tuple[MeasureYearRow, ...]


@dataclass(frozen=True)
class ActivityPage:
    name: str
    sections: tuple[MeasureSection, ...]


def price(value: Decimal, summary: Summary) -> str:
    """A price or a cost per unit in the site's money format, rounded half to even to the
    currency's minor units, unless that leaves fewer than two significant digits (a kWh at
    €0.0035): then written with every digit it has."""
    step = Decimal(1).scaleb(-summary.units)
    rounded = value.quantize(step, rounding=ROUND_HALF_EVEN)
    locale = charts._locale(summary)
    if value and abs(rounded) < 10 * step:
        return format_currency(
            value.normalize(), summary.currency, locale=locale, decimal_quantization=False
        )
    return format_currency(rounded, summary.currency, locale=locale)


def _is_shown_exactly(value: Decimal, summary: Summary) -> bool:
    step = Decimal(1).scaleb(-summary.units)
    return value == value.quantize(step, rounding=ROUND_HALF_EVEN) or abs(value) < 10 * step


def _category_links(
    measure: Measure, year: int, summary: Summary, cooperative: Cooperative
) -> tuple[Link | str, ...]:
    """The measure's cost categories by their labels; where the year has a finance page, each
    links to its ledger showing only that category's rows."""
    links: list[Link | str] = []
    for key in measure.cost:
        label = (
            cooperative.accounts.categories[key].label
            if key in cooperative.accounts.categories
            else key
        )
        if year in summary.years:
            query = "?" + urlencode({"category": label}, quote_via=quote)
            links.append(Link(f"finances/{year}.md", query + "#ledger", label))
        else:
            links.append(label)
    return tuple(links)


def _year_row(
    measure: Measure, year: int, figures: MeasureYear, summary: Summary, cooperative: Cooperative
) -> MeasureYearRow:
    money = lambda minor: display_money(minor, summary)
    row = MeasureYearRow(
        year=year,
        so_far=year == summary.current_year,
        quantity=display_quantity(figures.quantity, summary),
    )
    if figures.cost is None:
        return row
    elsewhere = saved = None
    if figures.saved is not None:
        # The data layer's saving is (reference price × quantity, rounded) − cost: adding the
        # cost back gives the amount elsewhere exactly, in minor units.
        elsewhere = money(figures.saved + figures.cost)
        saved = money(abs(figures.saved))
    per_unit = figures.cost_per_unit
    return MeasureYearRow(
        year=row.year,
        so_far=row.so_far,
        quantity=row.quantity,
        cost=money(figures.cost),
        categories=_category_links(measure, year, summary, cooperative),
        per_unit=price(per_unit, summary) if per_unit is not None else None,
        per_unit_exact=per_unit is None or _is_shown_exactly(per_unit, summary),
        elsewhere=elsewhere,
        saved=saved,
        cost_more=figures.saved is not None and figures.saved < 0,
    )


def activity_page(
    cooperative: Cooperative,
    summary: Summary,
    figures: dict[str, dict[int, MeasureYear]],
    chart_files: dict[str, Chart],
) -> str:
    """The page "What we do": per measure a chart by month (added to `chart_files`) and a table
    by year with its cost per unit and saving, the arithmetic written out."""
    sections = []
    for key, measure in cooperative.accounts.measures.items():
        years = figures.get(key)
        if not years:
            continue
        months = {m: q for f in years.values() for m, q in f.months.items()}
        chart = charts.measure_by_month(
            summary,
            key,
            measure.label,
            measure.unit,
            measure.kind == "level",
            months,
            {year: f.quantity for year, f in years.items()},
        )
        chart_files[chart.id] = chart
        sections.append(
            MeasureSection(
                key=key,
                label=measure.label,
                heading=Markup(markdown_text(measure.label)),
                unit=measure.unit,
                level=measure.kind == "level",
                chart=chart,
                has_cost=bool(measure.cost),
                reference_price=price(measure.reference_price, summary)
                if measure.reference_price is not None
                else None,
                reference_source=measure.reference_source,
                years=tuple(
                    _year_row(measure, year, f, summary, cooperative)
                    for year, f in sorted(years.items(), reverse=True)
                ),
            )
        )
    return render("activity.md.j2", page=ActivityPage(summary.name, tuple(sections)))


# -- What we own together ---------------------------------------------------------------------


@dataclass(frozen=True)
class AssetRow:
    id: str
    name: str
    acquired: str
    status: str
    #: what its row spent, as shown, and exactly ("640.00", for sorting); "" for a gift
    cost: str
    cost_exact: str
    #: the ledger row that paid for it, on its year's page (None: a gift, or no page)
    row: Link | None
    decision: Link | str
    note: str


@dataclass(frozen=True)
class AssetsYearRow:
    year: int
    created: int
    cost: str


@dataclass(frozen=True)
class CommonsPage:
    name: str
    assets: tuple[AssetRow, ...]
    #: (label, value, note) cards: how many, by status, what they cost
    totals: tuple[tuple[str, str, str], ...]
    years: tuple[AssetsYearRow, ...]
    chart: Chart


def _row_years(cooperative: Cooperative) -> dict[str, int]:
    """Ledger row id -> the year of its date (the page it is shown on)."""
    ledger = cooperative.ledger
    if not len(ledger) or "id" not in ledger.columns:
        return {}
    dated = ledger[ledger["date"].notna() & (ledger["id"].str.len() > 0)]
    return {str(i): int(d.year) for i, d in zip(dated["id"], dated["date"])}


def commons_page(
    cooperative: Cooperative,
    summary: Summary,
    assets: list[Asset],
    chart_files: dict[str, Chart],
    has_decisions: bool,
) -> str:
    """The page "What we own together": every asset with its cost (linked to the ledger row
    that paid for it) and its decision (linked to the decisions page), the totals, and the
    assets created each year (a chart, added to `chart_files`)."""
    money = lambda minor: display_money(minor, summary)
    row_years = _row_years(cooperative)
    rows = []
    for asset in assets:
        year = row_years.get(asset.row)
        paid = (
            Link(
                f"finances/{year}.md",
                "?" + urlencode({"id": asset.row}, quote_via=quote) + "#ledger",
                asset.row,
            )
            if asset.row and year in summary.years
            else None
        )
        decision: Link | str = asset.decision
        if asset.decision and has_decisions:
            decision = Link(DECISIONS_PAGE, f"#{decision_anchor(asset.decision)}", asset.decision)
        rows.append(
            AssetRow(
                id=asset.id,
                name=asset.name,
                acquired=asset.acquired,
                status=asset.status,
                cost=money(asset.cost) if asset.cost is not None else "",
                cost_exact=summary.money(asset.cost) if asset.cost is not None else "",
                row=paid,
                decision=decision,
                note=asset.note,
            )
        )
    by_year = assets_by_year(assets)
    paid_for = [a.cost for a in assets if a.cost is not None]
    gifts = len(assets) - len(paid_for)
    totals = [
        ("Assets", str(len(assets)), f"{gifts} of them gifts" if gifts else "all bought"),
        ("What they cost", money(sum(paid_for)), "paid from the ledger"),
    ] + [
        (status.capitalize(), str(sum(1 for a in assets if a.status == status)), "")
        for status in ("in use", "lent", "retired")
        if any(a.status == status for a in assets)
    ]
    this_year = by_year.get(summary.current_year)
    totals.append(
        (
            f"Created in {summary.current_year}",
            str(this_year.created if this_year else 0),
            f"costing {money(this_year.cost if this_year else 0)}",
        )
    )
    years = list(by_year)
    chart = charts.yearly_bars(
        "commons-created",
        "Collective assets created",
        "How many lasting assets the members got each year, with what their rows cost.",
        "assets",
        years,
        [Decimal(by_year[y].created) for y in years],
        [f"{by_year[y].created} ({money(by_year[y].cost)})" for y in years],
    )
    chart_files[chart.id] = chart
    return render(
        "commons.md.j2",
        page=CommonsPage(
            name=summary.name,
            assets=tuple(rows),
            totals=tuple(totals),
            years=tuple(
                AssetsYearRow(y, by_year[y].created, money(by_year[y].cost))
                for y in sorted(years, reverse=True)
            ),
            chart=chart,
        ),
    )


# -- The home page ----------------------------------------------------------------------------


def home_figures(
    cooperative: Cooperative,
    summary: Summary,
    figures: dict[str, dict[int, MeasureYear]],
    assets: list[Asset],
) -> list[tuple[str, str, str]]:
    """Key figures for the home page: the latest year of the first measures, and the
    collective assets created this year (only where the books keep them)."""
    items = []
    shown = [k for k in cooperative.accounts.measures if figures.get(k)][:HOME_MEASURES]
    for key in shown:
        measure = cooperative.accounts.measures[key]
        year = max(figures[key])
        quantity = display_quantity(figures[key][year].quantity, summary)
        note = (
            "at the last count"
            if measure.kind == "level"
            else "so far this year"
            if year == summary.current_year
            else ""
        )
        items.append((f"{measure.label} {year}", f"{quantity} {measure.unit}", note))
    if assets:
        this_year = assets_by_year(assets).get(summary.current_year)
        created = this_year.created if this_year else 0
        cost = display_money(this_year.cost if this_year else 0, summary)
        items.append(
            (
                f"Collective assets created {summary.current_year}",
                str(created),
                f"costing {cost}",
            )
        )
    return items
