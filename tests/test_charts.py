"""The charts: each builder's figure on small books, checked by hand (zero-based axes, sorted
bars, values on the bars, summary sentences, labels not keys, exact amounts), the table and CSV
behind each, and the example's year page drawn in Chromium at phone and desktop width in both
palettes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from publisher import charts
from publisher.cooperative import check_cooperative
from publisher.site.html import chart_csv, figure_html
from publisher.summary import Summary, summarize
from tests.conftest import LEDGER_HEADER, TODAY, write_coop

ACCOUNTS = """\
name: Test Workshop
currency: EUR
funds:
  general: Day-to-day costs
  commons: Common fund
categories:
  dues: {kind: income, label: Membership dues}
  grants: {kind: income, label: Grants}
  rent: {kind: expense, label: Rent}
  tools: {kind: expense, label: Tools, capital: true}
  insurance: {kind: expense, label: Insurance}
  transfer: {kind: transfer}
  opening: {kind: opening}
"""

# 2025: income 1,500.00 (dues 500, grants 1,000), expense 3,500.00 (rent 800, tools 2,700);
# at its end general 2,700.00 and commons 300.00.
LEDGER_2025 = LEDGER_HEADER + (
    "2025-01-01,Opening balance,5000.00,opening,general,,,,\n"
    "2025-01-10,Dues,500.00,dues,general,,,,\n"
    "2025-02-01,Grant,1000.00,grants,general,City Council,,,\n"
    "2025-02-15,Rent,-800.00,rent,general,,,,\n"
    "2025-03-20,To the common fund,-3000.00,transfer,general,,,,\n"
    "2025-03-20,From the day-to-day fund,3000.00,transfer,commons,,,,\n"
    "2025-03-21,Lathe,-2700.00,tools,commons,,,,\n"
)
# 2026: income 2,600.00 (grants 2,000, dues 600), expense 3,950.00 (tools 2,500, rent 1,500,
# insurance -50: a refund of 150 outweighs the 100 paid); at the end of March general
# 1,350.00, commons 300.00.
LEDGER_2026 = LEDGER_HEADER + (
    "2026-01-10,Dues,600.00,dues,general,,,,\n"
    "2026-02-01,Grant,2000.00,grants,general,City Council,,,\n"
    "2026-02-15,Rent,-1500.00,rent,general,,,,\n"
    "2026-03-01,Drill press,-2500.00,tools,general,,,,\n"
    "2026-03-05,Insurance,-100.00,insurance,general,,,,\n"
    "2026-03-25,Insurance refund,150.00,insurance,general,,,,refund: overpaid premium\n"
)
BUDGET = (
    "year,category,fund,amount\n"
    "2026,dues,general,500.00\n"
    "2026,grants,general,2500.00\n"
    "2026,rent,general,1200.00\n"
    "2026,tools,general,2000.00\n"
    "2026,insurance,general,100.00\n"
)


@pytest.fixture
def books(tmp_path) -> Summary:
    write_coop(
        tmp_path,
        {
            "ledgers/2025.csv": LEDGER_2025,
            "ledgers/2026.csv": LEDGER_2026,
            "ledgers/budget.csv": BUDGET,
        },
        ACCOUNTS,
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert cooperative is not None and not [p for p in problems if p.is_error], problems
    return summarize(cooperative)


def exact(chart: charts.Chart) -> dict:
    """The figure as plotly.js receives it, numbers read as Decimals."""
    return json.loads(chart.figure_json, parse_float=Decimal)


def csv_rows(chart: charts.Chart) -> list[list[str]]:
    return list(csv.reader(io.StringIO(chart_csv(chart))))


NBSP = "\u00a0"


# -- Small pieces --------------------------------------------------------------------------------


def test_percent_rounds_half_up_and_keeps_the_sign_with_its_number():
    assert charts.percent(1, 8) == "13%"  # 12.5: half up, not to the even 12
    assert charts.percent(5, 8) == "63%"
    assert charts.percent(2000, 2600) == "77%"
    assert charts.percent(0, 3) == "0%"


NNBSP = "\u202f"


@pytest.mark.parametrize(
    "locale, expected",
    [
        # Babel's (CLDR's) patterns: "#,##0%" in English, Portuguese and Arabic (whose digits
        # Babel writes in the Latin script, as it does the site's money), "#,##0 %" with a
        # no-break space in French, German and Spanish; French groups thousands with a narrow
        # no-break space, German and Spanish with a point.
        ("en", ["40%", "13%", "-12%", "1,250%"]),
        ("fr", [f"40{NBSP}%", f"13{NBSP}%", f"-12{NBSP}%", f"1{NNBSP}250{NBSP}%"]),
        ("de", [f"40{NBSP}%", f"13{NBSP}%", f"-12{NBSP}%", f"1.250{NBSP}%"]),
        ("es", [f"40{NBSP}%", f"13{NBSP}%", f"-12{NBSP}%", f"1.250{NBSP}%"]),
        ("pt", ["40%", "13%", "-12%", "1.250%"]),
        ("ar", ["40%", "13%", "-12%", "1,250%"]),
    ],
)
def test_percentages_are_written_as_each_language_writes_them(locale, expected):
    # 40.48 % rounds to 40; 12.5 % half up to 13 (Babel alone would round it to the even 12).
    shares = [Decimal("0.4048"), Decimal("0.125"), Decimal("-0.12"), Decimal("12.5")]
    assert [charts.display_percent(share, locale) for share in shares] == expected


def test_a_percentage_is_in_the_site_language_unless_told_and_a_rule_keeps_its_digits():
    from publisher.site.templating import site_language

    with site_language("de"):
        assert charts.percent(1, 8) == f"13{NBSP}%"
        assert charts.percent(1, 8, "en") == "13%"
        assert charts.display_percent(Decimal("0.125"), exact=True) == f"12,5{NBSP}%"
    assert charts.display_percent(Decimal("0.125"), exact=True) == "12.5%"


def test_compared_says_the_change_in_money_and_percent(books):
    assert charts.compared(2500_00, 2700_00, books, "in 2025") == "€200.00 (7%) less than in 2025"
    assert (
        charts.compared(2000_00, 1000_00, books, "in 2025") == "€1,000.00 (100%) more than in 2025"
    )
    assert charts.compared(5_00, 5_00, books, "in 2025") == "the same as in 2025"
    assert charts.compared(5_00, 0, books, "in 2025") == "against nothing in 2025"


# -- Where the money came from and went ------------------------------------------------------------


def test_flows_are_sorted_labelled_horizontal_bars_from_zero(books):
    chart = charts.flows(books, 2026)
    figure = exact(chart)
    income, expense = figure["data"]
    assert {t["type"] for t in figure["data"]} == {"bar"} and {
        t["orientation"] for t in figure["data"]
    } == {"h"}
    assert (income["name"], expense["name"]) == ("Income", "Expense")
    # The largest first on each side; a category whose refunds outweigh it is below zero.
    assert income["y"] == ["income/grants", "income/dues"] and income["x"] == [
        Decimal("2000.00"),
        Decimal("600.00"),
    ]
    assert expense["y"] == ["expense/tools", "expense/rent", "expense/insurance"]
    assert expense["x"] == [Decimal("2500.00"), Decimal("1500.00"), Decimal("-50.00")]
    assert expense["text"] == ["€2,500.00", "€1,500.00", "-€50.00"]  # the value on each bar
    axis = figure["layout"]["yaxis"]
    assert axis["categoryarray"] == income["y"] + expense["y"] and axis["autorange"] == "reversed"
    assert axis["ticktext"] == ["Grants", "Membership dues", "Tools", "Rent", "Insurance"]
    assert figure["layout"]["xaxis"]["rangemode"] == "tozero"
    assert '"x":[2000.00,600.00]' in chart.figure_json  # digit for digit, not 2000.0


def test_the_flows_summary_names_the_largest_categories_with_their_share_and_change(books):
    assert charts.flows(books, 2026).summary == (
        "The largest source of income was Grants: €2,000.00, 77% of the year's income, "
        "€1,000.00 (100%) more than in 2025. "
        "The largest expense was Tools: €2,500.00, 63% of the year's spending, "
        "€200.00 (7%) less than in 2025."
    )
    # The first year has nothing to compare with.
    assert charts.flows(books, 2025).summary == (
        "The largest source of income was Grants: €1,000.00, 67% of the year's income. "
        "The largest expense was Tools: €2,700.00, 77% of the year's spending."
    )


def test_the_flows_table_shows_money_to_readers_and_the_csv_keeps_exact_amounts(books):
    chart = charts.flows(books, 2026)
    assert chart.table_headers == ["Income or expense", "Category", "Amount"]
    assert chart.table_rows[-1] == ["Expense", "Insurance", "-€50.00"]
    assert csv_rows(chart) == [
        ["side", "category", "amount"],
        ["Income", "Grants", "2000.00"],
        ["Income", "Membership dues", "600.00"],
        ["Expense", "Tools", "2500.00"],
        ["Expense", "Rent", "1500.00"],
        ["Expense", "Insurance", "-50.00"],
    ]


# -- Budget against actual --------------------------------------------------------------------------


def test_budget_bars_are_sorted_signed_and_labelled(books):
    chart = charts.budget_against_actual(books, 2026)
    budget, actual = exact(chart)["data"]
    assert (
        budget["y"]
        == actual["y"]
        == ["income/grants", "income/dues", "expense/tools", "expense/rent", "expense/insurance"]
    )
    assert budget["x"] == [
        Decimal(v) for v in ("2500.00", "500.00", "2000.00", "1200.00", "100.00")
    ]
    # Insurance got back more than it paid: -50.00, never 50.00 of spending.
    assert actual["x"] == [
        Decimal(v) for v in ("2000.00", "600.00", "2500.00", "1500.00", "-50.00")
    ]
    assert actual["text"][-1] == "-€50.00" and budget["text"][0] == "€2,500.00"
    layout = exact(chart)["layout"]
    assert layout["xaxis"]["rangemode"] == "tozero"
    # Labels, on two lines when long: a phone keeps room for the bars.
    assert layout["yaxis"]["ticktext"][:2] == ["Grants (income)", "Membership dues<br>(income)"]
    assert chart.table_headers == ["Category", "Kind", "Budget", "Actual"]
    assert chart.table_rows[-1] == ["Insurance", "expense", "€100.00", "-€50.00"]
    assert csv_rows(chart)[-1] == ["Insurance", "expense", "100.00", "-50.00"]


def test_the_budget_summary_gives_the_totals_and_the_largest_overspend(books):
    # Income 2,600 of 3,000 (86.7 %); spending 2,500 + 1,500 - 50 = 3,950 of 3,300 (119.7 %);
    # tools 500.00 over, rent 300.00 over.
    assert charts.budget_against_actual(books, 2026).summary == (
        "Income €2,600.00 against €3,000.00 budgeted (87%); spending €3,950.00 against "
        "€3,300.00 budgeted (120%). The largest overspend: Tools, €500.00 over its budget of €2,000.00."
    )
    assert charts.budget_against_actual(books, 2025).summary == "No budget is recorded for 2025."


# -- Year by year, month by month ---------------------------------------------------------------------


def test_income_and_expense_by_year_from_zero_with_values_and_a_summary(books):
    chart = charts.income_expense_by_year(books)
    income, expense, net = exact(chart)["data"]
    assert income["y"] == [Decimal("1500.00"), Decimal("2600.00")]
    assert expense["y"] == [Decimal("3500.00"), Decimal("3950.00")]
    assert net["y"] == [Decimal("-2000.00"), Decimal("-1350.00")]
    assert income["text"] == ["€1,500.00", "€2,600.00"]  # four bars: a small chart
    assert exact(chart)["layout"]["yaxis"]["rangemode"] == "tozero"
    assert chart.table_rows == [
        ["2025", "€1,500.00", "€3,500.00", "-€2,000.00"],
        ["2026", "€2,600.00", "€3,950.00", "-€1,350.00"],
    ]
    assert csv_rows(chart)[1] == ["2025", "1500.00", "3500.00", "-2000.00"]
    # 2026 is the current year (TODAY): "so far".
    assert chart.summary == (
        "So far in 2026 the cooperative took in €2,600.00 and spent €3,950.00: a deficit of €1,350.00. "
        "Income was €1,100.00 (73%) more than in 2025, spending €450.00 (13%) more than in 2025."
    )


def test_month_by_month_has_both_axes_from_zero_and_values_when_the_year_is_short(books):
    chart = charts.monthly(books, 2026)
    income, expense, balance = exact(chart)["data"]
    assert income["x"] == ["2026-01", "2026-02", "2026-03"]
    # March: 2,500 + 100 paid, 150 refunded.
    assert expense["y"] == [Decimal("0.00"), Decimal("1500.00"), Decimal("2450.00")]
    assert balance["y"] == [Decimal("3600.00"), Decimal("4100.00"), Decimal("1650.00")]
    assert expense["text"] == ["€0.00", "€1,500.00", "€2,450.00"]  # six bars: a small chart
    layout = exact(chart)["layout"]
    assert layout["yaxis"]["rangemode"] == layout["yaxis2"]["rangemode"] == "tozero"
    assert chart.summary == (
        "Spending was highest in March 2026 (€2,450.00), income in February 2026 (€2,000.00). "
        "At the end of March 2026 all funds together held €1,650.00."
    )


def test_month_by_month_hovers_name_the_months_and_ticks_too(books):
    chart = charts.monthly(books, 2026)
    income, _expense, balance = exact(chart)["data"]
    assert income["x"] == ["2026-01", "2026-02", "2026-03"]  # the keys stay ISO
    assert income["customdata"] == [
        ["January 2026", "€600.00"],
        ["February 2026", "€2,000.00"],
        ["March 2026", "€0.00"],
    ]
    assert income["hovertemplate"] == "%{customdata[0]}<br>Income: %{customdata[1]}<extra></extra>"
    assert balance["customdata"][2] == ["March 2026", "€1,650.00"]
    assert exact(chart)["layout"]["xaxis"]["ticktext"] == ["Jan", "Feb", "Mar"]
    french = exact(charts.monthly(replace(books, locale="fr"), 2026))
    assert french["data"][1]["customdata"] == [
        ["janvier 2026", f"0,00{NBSP}€"],
        ["février 2026", f"1{NNBSP}500,00{NBSP}€"],
        ["mars 2026", f"2{NNBSP}450,00{NBSP}€"],
    ]
    assert french["layout"]["xaxis"]["ticktext"] == ["janv.", "févr.", "mars"]
    german = exact(charts.monthly(replace(books, locale="de"), 2026))
    assert [point[0] for point in german["data"][2]["customdata"]] == [
        "Januar 2026",
        "Februar 2026",
        "März 2026",
    ]


def test_a_full_year_of_months_prints_no_values_on_its_bars(tmp_path):
    rows = "".join(f"2026-{m:02d}-05,Dues,10.00,dues,general,,,,\n" for m in range(1, 13))
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows}, ACCOUNTS)
    cooperative, _ = check_cooperative(tmp_path, today=TODAY)
    income = exact(charts.monthly(summarize(cooperative), 2026))["data"][0]
    assert len(income["x"]) == 12 and "text" not in income  # 24 bars: the table holds the values


# -- Fund balances ---------------------------------------------------------------------------------------


def test_fund_balances_start_at_zero_keep_their_last_month_and_use_labels(books):
    chart = charts.fund_balances(books, 2026)
    general, commons = exact(chart)["data"]
    assert (general["name"], commons["name"]) == ("Day-to-day costs", "Common fund")
    assert general["x"] == ["2026-01", "2026-02", "2026-03"]
    assert general["y"] == [Decimal("3300.00"), Decimal("3800.00"), Decimal("1350.00")]
    assert commons["y"] == [Decimal("300.00")] * 3
    layout = exact(chart)["layout"]
    assert layout["yaxis"]["rangemode"] == "tozero"
    # Half a month of room after the last one: its label and its step are not cut.
    assert layout["xaxis"]["range"] == [-0.5, 2.5] and layout["xaxis"]["automargin"] is True
    assert chart.columns == ["month", "general", "commons"]  # keys in the download
    assert chart.table_headers == ["Month", "Day-to-day costs", "Common fund"]  # labels for readers
    assert chart.table_rows[-1] == ["March 2026", "€1,350.00", "€300.00"]  # months for readers
    assert csv_rows(chart)[-1] == ["2026-03", "1350.00", "300.00"]


def test_fund_balances_over_the_years_name_their_months_in_ticks_and_hovers(books):
    figure = exact(charts.fund_balances(replace(books, locale="de")))
    general = figure["data"][0]
    assert general["x"][:2] == ["2025-01", "2025-02"]  # the keys stay ISO
    assert general["customdata"][0] == ["Januar 2025", f"5.500,00{NBSP}€"]
    assert general["customdata"][-1] == ["März 2026", f"1.350,00{NBSP}€"]
    # Six months: a tick each; the first and each January carry the year.
    axis = figure["layout"]["xaxis"]
    assert axis["tickvals"] == ["2025-01", "2025-02", "2025-03", "2026-01", "2026-02", "2026-03"]
    assert axis["ticktext"] == ["Jan. 2025", "Feb.", "März", "Jan. 2026", "Feb.", "März"]
    assert axis["range"] == [-0.5, 5.5]


def test_the_fund_summary_gives_the_total_the_largest_fund_and_the_change_over_the_year(books):
    assert charts.fund_balances(books, 2026).summary == (
        "At the end of March 2026 the funds held €1,650.00 together; Day-to-day costs held the most: "
        "€1,350.00, 82% of the total, €1,350.00 (45%) less than at the end of 2025."
    )
    assert charts.fund_balances(books, 2025).summary == (
        "At the end of March 2025 the funds held €3,000.00 together; Day-to-day costs held the most: "
        "€2,700.00, 90% of the total."
    )


# -- Yearly bars (self-government) ------------------------------------------------------------------------


def test_yearly_bars_print_their_values_keep_exact_numbers_in_the_csv_and_sum_up():
    chart = charts.yearly_bars(
        "capital",
        "Lasting collective assets",
        "Capital spending.",
        "EUR",
        [2025, 2026],
        [Decimal("2700.00"), None],
        ["€2,700.00", "—"],
        target=[Decimal("1000.00"), Decimal("1200.00")],
        target_shown=["€1,000.00", "€1,200.00"],
    )
    bar, _target = exact(chart)["data"]
    assert (
        bar["text"] == ["€2,700.00", ""]
        and exact(chart)["layout"]["yaxis"]["rangemode"] == "tozero"
    )
    assert csv_rows(chart) == [
        ["year", "EUR", "target"],
        ["2025", "2700.00", "1000.00"],
        ["2026", "", "1200.00"],
    ]
    assert chart.table_headers == ["Year", "Lasting collective assets", "Target"]
    assert chart.table_rows == [["2025", "€2,700.00", "€1,000.00"], ["2026", "—", "€1,200.00"]]
    assert chart.summary == "Lasting collective assets in 2025: €2,700.00 (target €1,000.00)."


# -- Every chart: the figure, the page and the trace types --------------------------------------------------


def every_chart(summary: Summary) -> list[charts.Chart]:
    return [
        charts.income_expense_by_year(summary),
        charts.fund_balances(summary),
        *(
            build(summary, year)
            for year in (2025, 2026)
            for build in (
                charts.budget_against_actual,
                charts.monthly,
                charts.flows,
                charts.fund_balances,
            )
        ),
    ]


def test_every_chart_uses_only_the_bundled_trace_types_and_no_zooming(books):
    for chart in every_chart(books):
        figure = exact(chart)
        assert {t["type"] for t in figure["data"]} <= {"bar", "scatter", "sankey"}, chart.id
        assert figure["layout"]["dragmode"] is False, chart.id
        assert chart.summary and chart.summary.endswith("."), chart.id


def test_the_figure_shows_labels_and_money_and_escapes_the_summary(tmp_path):
    hostile = ACCOUNTS.replace("label: Tools,", "label: '<b>Tools</b>',")
    write_coop(tmp_path, {"ledgers/2025.csv": LEDGER_2025}, hostile)
    cooperative, _ = check_cooperative(tmp_path, today=TODAY)
    chart = charts.flows(summarize(cooperative), 2025)
    html = figure_html(chart, {2})
    assert "<th>Income or expense</th><th>Category</th>" in html
    assert '<td class="publisher-amount">€2,700.00</td>' in html
    assert "The largest expense was &lt;b&gt;Tools&lt;/b&gt;: €2,700.00" in html
    assert "<b>Tools" not in html
    # In the figure, plotly must not read the label as markup either.
    assert "‹b›Tools‹/b›" in json.loads(chart.figure_json)["layout"]["yaxis"]["ticktext"]


# -- In the browser ------------------------------------------------------------------------------------------

#: For every chart of the page: whether it drew, and every piece of text it holds that is cut
#: off (outside its SVG, or the SVG outside its figure) or too faint for its background.
CHART_REPORT = """() => {
  function rgb(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    return m ? m[1].split(',').slice(0, 3).map(Number) : null;
  }
  function luminance(c) {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  function inside(inner, outer) {
    return inner.left >= outer.left - 1 && inner.right <= outer.right + 1 &&
      inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  }
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  return Array.from(document.querySelectorAll('.publisher-chart__plot')).map(node => {
    const figure = node.closest('figure').getBoundingClientRect();
    const column = node.closest('.md-content__inner').getBoundingClientRect();
    const svgs = Array.from(node.querySelectorAll('svg.main-svg'));
    const box = svgs.length ? svgs[0].getBoundingClientRect() : null;
    const problems = [];
    if (!box || !inside(box, figure) || !inside(figure, column)) problems.push('the plot is wider than its column');
    let barTexts = 0;
    svgs.forEach(svg => svg.querySelectorAll('text').forEach(text => {
      const r = text.getBoundingClientRect();
      if (!text.textContent.trim() || r.width === 0) return;
      if (!inside(r, box)) problems.push('cut: ' + text.textContent);
      const style = getComputedStyle(text);
      if (Number(style.opacity) === 0 || style.visibility === 'hidden') return;
      const bar = text.classList.contains('bartext') ? text.closest('.point').querySelector('path') : null;
      if (bar) barTexts += 1;
      // Text inside a bar stands on the bar, any other on the page.
      const over = bar && inside(r, bar.getBoundingClientRect()) ? rgb(getComputedStyle(bar).fill) : page;
      const ratio = contrast(rgb(style.fill), over);
      if (ratio < 4.5) problems.push('faint (' + ratio.toFixed(2) + '): ' + text.textContent);
    }));
    return {id: node.closest('.publisher-chart').id, drawn: node.dataset.drawn, theme: node.dataset.theme, barTexts, problems};
  });
}"""


@pytest.fixture(scope="module")
def example_year_page(tmp_path_factory):
    from publisher.site.build import build_site
    from tests.sitetools import copy_example, serve_directory

    root = copy_example(tmp_path_factory.mktemp("example"))
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        assert build_site(root, site, site_url=url).site_dir is not None
        yield url + "finances/2025/"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_year_pages_charts_fit_their_column_and_read_in_both_palettes(example_year_page, width):
    from playwright.sync_api import sync_playwright

    from tests.firstvisit import draw_every_chart
    from tests.sitetools import CHROMIUM, CHROMIUM_ARGS

    drawn = "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true' && n.dataset.theme === '{}')"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 844}, color_scheme="light")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(example_year_page)
        draw_every_chart(page)  # each chart is drawn once it comes near the viewport
        reports = {}
        for theme in ("light", "dark"):
            if theme == "dark":  # the reader's switch: every chart is drawn again
                page.locator("label.md-header__button[for^='__palette']:visible").first.click()
            page.wait_for_function(drawn.format(theme), timeout=30_000)
            reports[theme] = page.evaluate(CHART_REPORT)
            if theme == "light":
                laid_out = page.evaluate(MARGINS)
        browser.close()
    # The publisher's margins were wide enough: plotly laid each chart out once.
    assert [c["set"] for c in laid_out] == [c["drawn"] for c in laid_out], (width, laid_out)
    for theme, charts_drawn in reports.items():
        assert [c["id"] for c in charts_drawn] == [
            "chart-budget-2025",
            "chart-monthly-2025",
            "chart-flows-2025",
            "chart-fund-balances-2025",
        ]
        assert {c["id"]: c["problems"] for c in charts_drawn} == {
            c["id"]: [] for c in charts_drawn
        }, (theme, width)
        by_id = {c["id"]: c for c in charts_drawn}
        # A value on every bar: 16 categories in the example's 2025, two bars each in the budget.
        assert by_id["chart-flows-2025"]["barTexts"] == 16, (theme, width)
        assert by_id["chart-budget-2025"]["barTexts"] == 32, (theme, width)
    assert errors == []


# -- Margins worked out before plotly draws -------------------------------------------------------------


def _bars(labels: list[str]) -> dict:
    """Horizontal bars named by `labels`, as the budget and flows charts draw them."""
    ids = [f"expense/{i}" for i in range(len(labels))]
    return {
        "data": [
            {"type": "bar", "orientation": "h", "name": "Actual", "y": ids, "x": [5] * len(ids)}
        ],
        "layout": {
            "margin": {"l": 8, "r": 16, "t": 48, "b": 8, "pad": 4},
            "yaxis": {"type": "category", "tickvals": ids, "ticktext": labels},
            "xaxis": {"title": {"text": "EUR"}, "tickformat": ",~r"},
        },
    }


def test_the_left_margin_holds_the_longest_label_line_and_is_bounded():
    # 20 characters × 0.54 em × 12 px = 129.6, + 6 between label and axis, + plotly's pad of 12.
    assert charts.chart_margins(_bars(["a" * 20, "b"]), 688)["l"] == 148
    # The longest line of a wrapped label counts, not the whole label.
    assert charts.chart_margins(_bars(["a" * 20 + "<br>" + "b" * 10]), 688)["l"] == 148
    # A label of 1,000 characters counts as 40: 259.2 + 18.
    assert charts.chart_margins(_bars(["x" * 1000]), 688)["l"] == 278
    # Below: one line of labels (14.4 + 8), the axis title (18.1) and the pad: 52.5.
    assert charts.chart_margins(_bars(["a"]), 688)["b"] == 53


def test_a_legend_that_does_not_fit_a_phone_is_given_its_rows_there():
    names = ["Income", "Expense", "Balance (all funds)"]
    figure = {
        "data": [
            {"type": "bar", "name": name, "x": ["2025-01", "2025-02"], "y": [1, 2]}
            for name in names
        ],
        "layout": {"margin": {"l": 8, "r": 16, "t": 48, "b": 8}, "xaxis": {"type": "category"}},
    }
    # The entries (44 px each and their text) are 83, 89 and 167 px wide: one row of 19 px and
    # 10 px around it on a desktop; on a phone's 358 px (294 left for the plot) one per row.
    wide, narrow = charts.chart_margins(figure, 688), charts.chart_margins(figure, 358)
    assert narrow["b"] - wide["b"] == 2 * 19
    fitted = json.loads(charts.to_json(charts.with_margins(figure)))
    assert fitted["layout"]["margin"] == wide
    assert fitted["narrow"] == {"below": charts.NARROW_BELOW, "margin": narrow}


def test_every_chart_gets_margins_for_its_labels(books):
    for chart in every_chart(books):
        margin = exact(chart)["layout"]["margin"]
        assert margin["l"] >= 12 and margin["b"] >= 12 and margin["r"] >= 16, chart.id
    budget = exact(charts.budget_against_actual(books, 2026))
    # The longest line: "Insurance (expense)" (19 characters; "Membership dues (income)" is
    # broken after "dues").
    assert budget["layout"]["margin"]["l"] == 142  # 19 × 6.48 + 18, rounded up


#: For every chart drawn: the margins the publisher set and those plotly ended with. Equal: plotly
#: laid the chart out once (automargin grows a margin only when a label needs more, and then
#: draws the chart again).
MARGINS = """Array.from(document.querySelectorAll('.publisher-chart__plot')).map(n => ({
  id: n.closest('.publisher-chart').id,
  set: ['l', 'r', 'b'].map(s => n._fullLayout.margin[s]),
  drawn: ['l', 'r', 'b'].map(s => Math.round(n._fullLayout._size[s]))}))"""

LONG_WORD = "Werkstattversicherungsbeitragsrückerstattungsansprüche"  # 54 letters, one word


@pytest.fixture(scope="module")
def long_label_year_page(tmp_path_factory):
    """The example's year page with two long category labels: one of many words, broken onto
    lines, and one word longer than a line, cut into pieces."""
    from publisher.site.build import build_site
    from tests.sitetools import copy_example, serve_directory

    root = copy_example(tmp_path_factory.mktemp("long-labels"))
    accounts = root / "ledgers/accounts.yml"
    text = accounts.read_text(encoding="utf-8")
    text = text.replace(
        "label: Insurance}",
        "label: Insurance of the workshop and of every volunteer's civil liability}",
    ).replace("label: Rent and service charges}", f"label: {LONG_WORD}}}")
    accounts.write_text(text, encoding="utf-8")
    site = root / "site"
    site.mkdir()
    with serve_directory(site) as url:
        assert build_site(root, site, site_url=url).site_dir is not None
        yield url + "finances/2025/"


@pytest.mark.parametrize("width", [390, 1366])
def test_a_long_category_label_is_never_cut(long_label_year_page, width):
    from playwright.sync_api import sync_playwright

    from tests.firstvisit import draw_every_chart
    from tests.sitetools import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(long_label_year_page)
        draw_every_chart(page)
        reports = {c["id"]: c for c in page.evaluate(CHART_REPORT)}
        ticks = page.evaluate(
            "Array.from(document.querySelectorAll('#chart-flows-2025 .ytick text')).map(t => t.textContent)"
        )
        browser.close()
    # The long word on lines that end in a hyphen, the long label on lines of words.
    assert any(t.replace("-", "") == LONG_WORD for t in ticks), ticks
    assert any(t.startswith("Insurance of the") for t in ticks), ticks
    for chart in ("chart-budget-2025", "chart-flows-2025"):
        assert reports[chart]["drawn"] == "true"
        assert reports[chart]["problems"] == [], (chart, width)


def test_a_word_longer_than_a_line_is_cut_into_hyphenated_pieces():
    assert (
        charts._wrap("Werkstattversicherungsbeitrag", 12)
        == "Werkstattve-<br>rsicherungs-<br>beitrag"
    )
    assert (
        charts._wrap("Rent and a " + "b" * 12, 12) == "Rent and a<br>bbbbbbbbbbbb"
    )  # one line's worth: whole
