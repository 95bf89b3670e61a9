"""The generated part of the site: pages, chart data, downloads and assets, as real files.

`generate_site` writes everything into a staging directory; the MkDocs plugin then hands those
files to MkDocs next to the cooperative's own pages. All text that comes from the books goes
into raw HTML escaped (`esc`), never into Markdown, so a description can neither inject
markup nor Markdown links. Links in the generated HTML are written `publisher:PATH` (PATH
relative to the docs directory) and resolved per page by the plugin.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
from plotly.offline import get_plotlyjs_version

from publisher import charts
from publisher.charts import Chart, display_money
from publisher.cooperative import Cooperative
from publisher.gitrepo import BooksRepository, CommitInfo
from publisher.markdownfile import parse_markdown
from publisher.privacy import NameFinder, name_finder, published_ledger
from publisher.problems import Problem, count, sorted_problems
from publisher.summary import Summary, summarize, summary_json
from publisher.governance import compliance, redacted_governance, spending_by_decision
from publisher.history import historical_names, row_provenance
from publisher.site.history_pages import CHANGES_PAGE, changes_page
from publisher.site.feed import DECISIONS_FEED_PATH, atom_feed, entry_id
from publisher.site.governance_pages import (
    DECISIONS_PAGE,
    SOVEREIGNTY_PAGE,
    charter_fragment,
    decision_feed_entries,
    decisions_csv,
    decisions_page,
    decisions_resource_fields,
    home_line,
    meeting_fragment,
    sovereignty_page,
)
from publisher.site.html import chart_csv, esc, figure_html, figures_html, html_table, link, named_csv

ASSETS = Path(__file__).parent / "assets"
PLOTLY_FILE = f"plotly-{get_plotlyjs_version()}.min.js"
PLOTLY_SOURCE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STORIES_DIR = "stories"
POSTS_DIR = f"{STORIES_DIR}/posts"
LATEST_STORIES = 3

@dataclass
class Story:
    path: str  # relative to the docs directory
    title: str
    date: str


@dataclass
class SiteContent:
    """What the generator produced, for the plugin."""

    directory: Path
    files: list[str]
    nav: list[dict]
    #: docs path -> (where, HTML) added to a hand-written page: "top" (after its title),
    #: "end", or "marker" (at the marker, else the end)
    fragments: dict[str, tuple[str, str]]
    summary: Summary
    commit: CommitInfo | None
    #: docs path of a hand-written page (charter, minutes, stories) -> its last commit
    page_dates: dict[str, CommitInfo] = field(default_factory=dict)
    #: where the repository can be browsed (its https origin), for links to a page's history
    repository_url: str | None = None
    #: replaces private counterparties' names in hand-written pages (None: nothing to replace)
    finder: object | None = None
    stories: list[Story] = field(default_factory=list)


def frame_csv(frame: pd.DataFrame, amount_columns: Collection[str] = ("amount",)) -> str:
    """A table of the books as CSV, through the site's one CSV writer."""
    rows = frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None)
    return named_csv([str(c) for c in frame.columns], rows, amount_columns)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "not budgeted"


# -- Pages ------------------------------------------------------------------------------------


def overview_page(summary: Summary, chart_files: dict[str, Chart], accounts_funds: dict[str, str]) -> str:
    money = lambda v: display_money(v, summary)  # noqa: E731
    years = sorted(summary.years, reverse=True)
    rows = []
    for year in years:
        f = summary.years[year]
        planned_income = sum(v for k, v in f.budget.items() if summary.kinds.get(k) == "income")
        planned_expense = sum(v for k, v in f.budget.items() if summary.kinds.get(k) == "expense")
        rows.append(
            f'<tr><td><a href="{link(f"finances/{year}.md")}">{year}</a></td>'
            f'<td class="publisher-amount">{esc(money(f.income))}</td>'
            f'<td class="publisher-amount">{esc(money(planned_income))}</td>'
            f'<td class="publisher-amount">{esc(money(f.expense))}</td>'
            f'<td class="publisher-amount">{esc(money(planned_expense))}</td>'
            f'<td class="publisher-amount">{esc(money(f.net))}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>Year</th><th class=\"publisher-amount\">Income</th>"
        "<th class=\"publisher-amount\">Budgeted income</th><th class=\"publisher-amount\">Expense</th>"
        "<th class=\"publisher-amount\">Budgeted expense</th><th class=\"publisher-amount\">Net result</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>\n\n"
    )
    fund_rows = [[fund, accounts_funds[fund], display_money(balance, summary)] for fund, balance in summary.funds.items()]
    chart_a = charts.income_expense_by_year(summary)
    chart_b = charts.fund_balances(summary)
    chart_files[chart_a.id] = chart_a
    chart_files[chart_b.id] = chart_b
    return (
        "# Finances\n\n"
        f'<p>The books of {esc(summary.name)}, year by year, in {esc(summary.currency)}. Every figure '
        f'comes from the ledgers, checked before publishing; the <a href="{link("finances/warnings.md")}">'
        f"warnings</a> are published too.</p>\n\n"
        "## Year by year\n\n"
        + table
        + figure_html(chart_a, {1, 2, 3})
        + "## Funds\n\n"
        + html_table(["Fund", "Purpose", "Balance"], fund_rows, {2})
        + "\n\n"
        + figure_html(chart_b, set(range(1, len(summary.funds) + 1)))
    )


def year_page(
    summary: Summary,
    year: int,
    chart_files: dict[str, Chart],
    reconciliations: list[tuple[str, str, int]],
    has_rows: bool,
    unreconciled: dict[str, int] | None = None,
) -> str:
    """The page of one year. `unreconciled`: fund -> its rows of the year not yet reconciled,
    for every fund with rows that year."""
    f = summary.years[year]
    money = lambda v: display_money(v, summary)  # noqa: E731
    planned_income = sum(v for k, v in f.budget.items() if summary.kinds.get(k) == "income")
    planned_expense = sum(v for k, v in f.budget.items() if summary.kinds.get(k) == "expense")
    running = " (so far)" if year == summary.current_year else ""
    parts = [
        f"# Finances {year}\n\n",
        figures_html(
            [
                (f"Income{running}", money(f.income), f"{_percent(f.income, planned_income)} of {money(planned_income)} budgeted"),
                (f"Expense{running}", money(f.expense), f"{_percent(f.expense, planned_expense)} of {money(planned_expense)} budgeted"),
                ("Net result", money(f.net), ""),
                ("Lasting collective assets bought", money(f.capital), "spending on capital categories"),
            ]
        ),
    ]
    budget_chart = charts.budget_against_actual(summary, year)
    monthly_chart = charts.monthly(summary, year)
    flow_chart = charts.flows(summary, year)
    fund_chart = charts.fund_balances(summary, year)
    for chart in (budget_chart, monthly_chart, flow_chart, fund_chart):
        chart_files[chart.id] = chart
    parts += [
        "## Budget against actual\n\n",
        figure_html(budget_chart, {2, 3}),
    ]
    if has_rows:
        parts += [
            "## Month by month\n\n",
            figure_html(monthly_chart, {1, 2, 3}),
            "## Where the money came from and went\n\n",
            figure_html(flow_chart, {2}),
            "## Fund balances\n\n",
            figure_html(fund_chart, set(range(1, len(summary.funds) + 1))),
        ]
    parts.append("## Reconciliation with the bank\n\n")
    if reconciliations:
        items = "".join(
            f"<li>Fund <strong>{esc(fund)}</strong>: {esc(money(balance))}, reconciled with the bank on "
            f"<time>{esc(date)}</time>.</li>"
            for date, fund, balance in reconciliations
        )
        parts.append(f'<ul class="publisher-reconciled">{items}</ul>\n\n')
    else:
        parts.append("<p>No balance assertion was recorded for this year.</p>\n\n")
    if unreconciled:
        parts.append(reconciled_status_html(summary, unreconciled, year))
    if has_rows:
        parts += [
            "## Ledger\n\n",
            f'<div class="publisher-ledger" data-src="{link(f"data/ledger-{year}.json")}" '
            f'data-decisions="{link("decisions/index.md")}">'
            '<p class="publisher-ledger__status">Loading the rows…</p>'
            f'<p><a href="{link(f"data/ledger-{year}.csv")}" download>Download the ledger of {year} (CSV)</a></p>'
            "</div>\n\n",
        ]
    return "".join(parts)


def reconciled_status_html(summary: Summary, unreconciled: dict[str, int], year: int) -> str:
    """Per fund, up to which day its rows of `year` agree with the bank, and how many come after."""
    items = []
    for fund, count in unreconciled.items():
        through = summary.reconciled_through.get(fund)
        rows = f"{count} {'row' if count == 1 else 'rows'}"
        are = "is" if count == 1 else "are"
        if through is None:
            text = (
                f"not yet reconciled with the bank: no balance assertion was recorded, so its "
                f"{rows} of this year {are} published as the treasurer entered them."
            )
        elif count:
            text = (
                f'reconciled with the bank through <time>{esc(through.isoformat())}</time>; the {rows} '
                f"after that day {are} not yet reconciled."
            )
        else:
            # Said of the year: on a past year's page a later day alone reads as if the year ran on.
            text = (
                f"every row of {year} is reconciled with the bank (its balance last agreed on "
                f"<time>{esc(through.isoformat())}</time>)."
            )
        state = "publisher-unreconciled" if through is None or count else "publisher-reconciled-through"
        items.append(f'<li class="{state}">Fund <strong>{esc(fund)}</strong>: {text}</li>')
    return f'<ul class="publisher-reconciliation-status">{"".join(items)}</ul>\n\n'


def unreconciled_rows(rows: pd.DataFrame, summary: Summary) -> pd.Series:
    """Whether each published row (ISO date text, fund) is after its fund's last assertion."""
    known = {fund: day.isoformat() for fund, day in summary.reconciled_through.items() if day}
    through = rows["fund"].map(known).astype("object").fillna("")
    return (through == "") | (rows["date"] > through)


def warnings_page(problems: list[Problem], finder: NameFinder) -> str:
    warnings = [p for p in sorted_problems(problems) if not p.is_error]
    parts = [
        "# Warnings\n\n",
        "<p>Before publishing, the publisher checks every file of the books. Errors stop the "
        "publication; warnings do not, and they are listed here, because hiding them would defeat "
        "the purpose of publishing the books.</p>\n\n",
    ]
    if not warnings:
        parts.append("<p>There is no warning.</p>\n")
        return "".join(parts)
    rows = [
        [p.path, str(p.line or ""), p.code, finder.redact_text(p.message)]
        for p in warnings
    ]
    parts.append(html_table(["File", "Line", "Check", "What it says"], rows) + "\n")
    return "".join(parts)


def data_page(summary: Summary, commit: CommitInfo | None, years: list[int]) -> str:
    if commit:
        source = (
            f"<p>These files come from commit <code>{esc(commit.sha)}</code> of the books, dated "
            f"{esc(commit.date.strftime('%Y-%m-%d %H:%M %Z').strip())}"
            + (", with changes not yet committed" if commit.dirty else "")
            + ".</p>\n\n"
        )
    else:
        source = "<p>The commit these files come from could not be established (the books are not in a git repository here).</p>\n\n"
    downloads = [
        ("data/ledger.csv", "ledger.csv", "Every ledger row, oldest first. Private counterparties appear as “private”."),
        ("data/budget.csv", "budget.csv", "Every budget line."),
        ("data/summary.json", "summary.json", "Each year's income, expense, net result, categories and budget; each fund's balance and the day up to which it is reconciled with the bank."),
        ("data/datapackage.json", "datapackage.json", "A Frictionless Data Package describing the CSV files, for data tools."),
    ] + [(f"data/ledger-{y}.csv", f"ledger-{y}.csv", f"The ledger rows of {y}.") for y in years]
    items = "".join(
        f'<li><a href="{link(path)}" download>{esc(name)}</a>: {esc(text)}</li>' for path, name, text in downloads
    )
    return (
        "# Data\n\n"
        f"<p>Everything the site shows about the money of {esc(summary.name)} can be downloaded. "
        f"Amounts are in {esc(summary.currency)}, with a point as decimal mark and no grouping; "
        "positive is money in, negative money out. Text cells that a spreadsheet would read as a "
        "formula start with an apostrophe.</p>\n\n"
        + source
        + f"<ul>{items}</ul>\n\n"
        + "<p>Every chart also links to a CSV of exactly the numbers it draws.</p>\n"
    )


def home_fragment(summary: Summary, stories: list[Story], governance_line: str = "") -> str:
    year = summary.current_year
    money = lambda v: display_money(v, summary)  # noqa: E731
    items = [(f"Fund “{fund}”", money(balance), "balance") for fund, balance in summary.funds.items()]
    figures = summary.years.get(year)
    if figures:
        planned_income = sum(v for k, v in figures.budget.items() if summary.kinds.get(k) == "income")
        planned_expense = sum(v for k, v in figures.budget.items() if summary.kinds.get(k) == "expense")
        items += [
            (f"Income {year}", money(figures.income), f"of {money(planned_income)} budgeted"),
            (f"Expense {year}", money(figures.expense), f"of {money(planned_expense)} budgeted"),
        ]
    parts = [
        '<div class="publisher-home">\n',
        "<h2 id=\"key-figures\">Key figures</h2>\n",
        figures_html(items).strip() + "\n",
        f'<p><a href="{link("finances/index.md")}">All the finances</a> · '
        f'<a href="{link(f"finances/{year}.md")}">{year} in detail</a> · '
        f'<a href="{link("finances/warnings.md")}">{summary.warnings} published warnings</a> · '
        f'<a href="{link("data/index.md")}">Download the data</a></p>\n'
        if year in summary.years
        else f'<p><a href="{link("finances/index.md")}">All the finances</a> · <a href="{link("data/index.md")}">Download the data</a></p>\n',
        governance_line,
    ]
    if stories:
        latest = "".join(
            f'<li><a href="{link(s.path)}">{esc(s.title)}</a> <time>{esc(s.date)}</time></li>' for s in stories
        )
        parts.append(f'<h2 id="latest-stories">Latest stories</h2>\n<ul class="publisher-stories">{latest}</ul>\n')
    parts.append("</div>\n")
    return "".join(parts)


def find_stories(docs_dir: Path) -> list[Story]:
    """The newest stories first, from the blog's posts (drafts left out)."""
    stories = []
    posts = docs_dir / POSTS_DIR
    if not posts.is_dir():
        return []
    for path in sorted(posts.rglob("*.md")):
        try:
            parsed = parse_markdown(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError):
            continue
        if parsed.meta.get("draft") is True:
            continue
        date = parsed.meta.get("date")
        if isinstance(date, dict):
            date = date.get("created")
        stories.append(Story(path.relative_to(docs_dir).as_posix(), parsed.title or path.stem, str(date or "")[:10]))
    return sorted(stories, key=lambda s: s.date, reverse=True)


# -- Data -------------------------------------------------------------------------------------



def datapackage(summary: Summary, commit: CommitInfo | None, with_decisions: bool) -> dict:
    def field(name: str, kind: str, description: str) -> dict:
        return {"name": name, "type": kind, "description": description}

    string = "string"
    ledger_fields = [
        field("date", "date", "Day of the movement"),
        field("description", string, "What happened"),
        field("amount", "number", f"Signed amount in {summary.currency}: positive = money in"),
        field("category", string, "Category key of the chart of accounts"),
        field("fund", string, "Fund the money belongs to"),
        field("counterparty", string, "Who paid or was paid; private people appear as 'private'"),
        field("decision", string, "Id of the decision that authorized the movement"),
        field("id", string, "Transaction id"),
        field("note", string, "Free text"),
        field("changed_in", string, "The commit of the books that last changed this row ('uncommitted' if none yet)"),
        field("changed_on", "date", "The date of that commit"),
    ]
    budget_fields = [
        field("year", "integer", "Budget year"),
        field("category", string, "Category key"),
        field("fund", string, "Fund"),
        field("amount", "number", f"Planned amount in {summary.currency}, positive"),
        field("decision", string, "Id of the decision that adopted this line"),
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", summary.name.lower()).strip("-") or "cooperative"

    def resource(name: str, fields: list[dict], title: str) -> dict:
        return {
            "name": name,
            "title": title,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
            "schema": {"fields": fields},
        }

    return {
        "profile": "tabular-data-package",
        "name": slug,
        "title": f"Books of {summary.name}",
        "description": f"Ledger and budget of {summary.name}, amounts in {summary.currency}.",
        "version": commit.sha if commit else "uncommitted",
        "resources": [
            resource("ledger", ledger_fields, "Ledger"),
            resource("budget", budget_fields, "Budget"),
        ]
        + ([resource("decisions", decisions_resource_fields(), "Decisions")] if with_decisions else []),
    }


def published_budget(cooperative: Cooperative) -> pd.DataFrame:
    from publisher.privacy import format_amounts

    budget = cooperative.budget
    if not len(budget):
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in ["year", "category", "fund", "amount", "decision"]})
    ordered = budget.sort_values(["year", "path", "line"], kind="stable")
    return pd.DataFrame(
        {
            "year": ordered["year"].astype("int64").astype(str),
            "category": ordered["category"],
            "fund": ordered["fund"],
            "amount": format_amounts(ordered["amount"], cooperative.accounts.minor_units),
            "decision": ordered["decision"],
        }
    ).reset_index(drop=True)


def ledger_json(rows: pd.DataFrame, labels: dict[str, str], unreconciled: pd.Series | None = None) -> str:
    columns = [
        {"key": "date", "label": "Date", "kind": "date"},
        {"key": "description", "label": "Description", "kind": "text"},
        {"key": "amount", "label": "Amount", "kind": "amount"},
        {"key": "category", "label": "Category", "kind": "text"},
        {"key": "fund", "label": "Fund", "kind": "text"},
        {"key": "counterparty", "label": "Counterparty", "kind": "text"},
        {"key": "decision", "label": "Decision", "kind": "decision"},
        {"key": "id", "label": "Id", "kind": "text"},
    ]
    if unreconciled is not None:
        columns.append({"key": "reconciled", "label": "Reconciled with the bank", "kind": "text"})
        rows = rows.assign(reconciled=np.where(unreconciled.to_numpy(dtype=bool), "not yet", "yes"))
    columns += [
        {"key": "changed_in", "label": "Last changed in", "kind": "provenance"},
        {"key": "changed_on", "label": "on", "kind": "provenance"},
    ]
    shown = rows.assign(category=rows["category"].map(lambda c: labels.get(c, c)))
    values = shown[[c["key"] for c in columns]].to_numpy().tolist()
    return json.dumps({"columns": columns, "rows": values}, ensure_ascii=False, separators=(",", ":"))


def hand_written_page_dates(root: Path) -> tuple[dict[str, CommitInfo], str | None]:
    """When the charter, the minutes and the stories last changed, from git (none outside
    git), and the web address of the repository."""
    repository = BooksRepository.open(root)
    if not repository.available:
        return {}, None
    try:
        changes = repository.last_changes("content")
        url = repository.web_url()
    except Exception:  # noqa: BLE001 - page dates are a courtesy; the site builds without them
        return {}, None
    finally:
        repository.close()
    dates = {
        path.removeprefix("content/"): commit
        for path, commit in changes.items()
        if path == "content/charter.md" or path.startswith(("content/minutes/", f"content/{POSTS_DIR}/"))
    }
    return dates, url


# -- All of it --------------------------------------------------------------------------------


def default_nav(years: list[int], docs_dir: Path, governance: bool) -> list[dict]:
    nav: list[dict] = [{"Home": "index.md"}]
    nav.append(
        {
            "Finances": [{"Overview": "finances/index.md"}]
            + [{str(y): f"finances/{y}.md"} for y in sorted(years, reverse=True)]
            + [{"Changes to the books": CHANGES_PAGE}, {"Warnings": "finances/warnings.md"}]
        }
    )
    minutes = sorted((docs_dir / "minutes").glob("*.md"), reverse=True) if (docs_dir / "minutes").is_dir() else []
    if governance:
        nav.append(
            {
                "Decisions": [{"All decisions": DECISIONS_PAGE}]
                + [{"Self-government": SOVEREIGNTY_PAGE}]
                + ([{"Charter": "charter.md"}] if (docs_dir / "charter.md").is_file() else [])
                + [f"minutes/{p.name}" for p in minutes]
            }
        )
    elif (docs_dir / "charter.md").is_file():
        nav.append({"Charter": "charter.md"})
    if (docs_dir / STORIES_DIR / "index.md").is_file():
        nav.append({"Stories": f"{STORIES_DIR}/index.md"})
    nav.append({"Data": "data/index.md"})
    return nav


def write_generated(out_dir: Path, files: dict[str, str], charts: list[Chart]) -> list[str]:
    """Write the pages and data of a site, each chart's CSV, the page script and styles, and the
    plotly bundle into `out_dir` (emptied first). Returns every path written."""
    files = dict(files)
    for chart in charts:
        files[f"data/charts/{chart.id}.csv"] = chart_csv(chart)
    script = (ASSETS / "publisher.js").read_text(encoding="utf-8").replace("__PLOTLY_FILE__", PLOTLY_FILE)
    files["assets/publisher/publisher.js"] = script
    files["assets/publisher/publisher.css"] = (ASSETS / "publisher.css").read_text(encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for relative, content in files.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8", newline="\n")
    shutil.copyfile(PLOTLY_SOURCE, out_dir / "assets" / "publisher" / PLOTLY_FILE)
    return sorted(files) + [f"assets/publisher/{PLOTLY_FILE}"]


def generate_site(
    cooperative: Cooperative,
    problems: list[Problem],
    commit: CommitInfo | None,
    docs_dir: Path,
    out_dir: Path,
    site_url: str | None = None,
) -> SiteContent:
    """Write the generated pages, data and assets into `out_dir` (emptied first)."""
    errors, warnings = count(problems)
    summary = summarize(cooperative, errors, warnings)
    history = cooperative.history()
    ledger = published_ledger(cooperative, row_provenance(cooperative, history) if history.available else None)
    if not history.available:
        ledger["changed_in"] = ""
        ledger["changed_on"] = ""
    ledger_years = pd.to_datetime(ledger["date"]).dt.year if len(ledger) else pd.Series([], dtype="int64")
    finder = name_finder(cooperative)
    # Motions and meeting titles are published with private names replaced, like descriptions.
    cooperative = replace(cooperative, governance=redacted_governance(cooperative.governance, finder))
    files: dict[str, str] = {}
    chart_files: dict[str, Chart] = {}

    files["finances/index.md"] = overview_page(summary, chart_files, cooperative.accounts.funds)
    balances = cooperative.balances
    years = sorted(summary.years)
    for year in years:
        reconciliations = []
        if len(balances) and "date" in balances.columns:
            in_year = balances[balances["date"].dt.year == year].sort_values("date")
            reconciliations = [
                (row.date.strftime("%Y-%m-%d"), row.fund, int(row.balance)) for row in in_year.itertuples()
            ]
        year_rows = ledger[ledger_years == year] if len(ledger) else ledger
        after = unreconciled_rows(year_rows, summary) if len(year_rows) else pd.Series([], dtype=bool)
        per_fund = after.groupby(year_rows["fund"]).sum() if len(year_rows) else pd.Series([], dtype="int64")
        unreconciled = {fund: int(per_fund[fund]) for fund in summary.reconciled_through if fund in per_fund.index}
        files[f"finances/{year}.md"] = year_page(
            summary, year, chart_files, reconciliations, len(year_rows) > 0, unreconciled
        )
        if len(year_rows):
            files[f"data/ledger-{year}.json"] = ledger_json(year_rows, summary.labels, after)
            files[f"data/ledger-{year}.csv"] = frame_csv(year_rows)
    files["finances/warnings.md"] = warnings_page(problems, finder)
    # Rows deleted long ago may name people today's ledger no longer does.
    history_finder = NameFinder(finder.names + historical_names(history, cooperative.accounts.public_counterparties))
    files[CHANGES_PAGE] = changes_page(history, cooperative, history_finder)
    governance = cooperative.governance
    has_governance = bool(governance.meetings) or governance.charter is not None
    fragments: dict[str, tuple[str, str]] = {}
    home_extra = ""
    if has_governance:
        spent = spending_by_decision(cooperative)
        results = compliance(cooperative)
        files[DECISIONS_PAGE] = decisions_page(cooperative, summary, ledger, spent)
        files[SOVEREIGNTY_PAGE] = sovereignty_page(cooperative, summary, chart_files)
        files["data/decisions.csv"] = decisions_csv(cooperative, spent)
        files[DECISIONS_FEED_PATH] = atom_feed(
            f"{summary.name}: decisions",
            site_url,
            decision_feed_entries(cooperative, summary),
            self_path=DECISIONS_FEED_PATH,
            alternate_path="decisions/",
            feed_id=entry_id(summary.name, "feed", DECISIONS_FEED_PATH),
        )
        for meeting in governance.meetings:
            fragments[meeting.path.removeprefix("content/")] = ("top", meeting_fragment(meeting, cooperative, summary, spent))
        if governance.charter is not None:
            fragments["charter.md"] = ("end", charter_fragment(cooperative, summary, finder, results))
        home_extra = home_line(cooperative, results, summary.current_year, summary)
    files["data/index.md"] = data_page(summary, commit, [y for y in years if (ledger_years == y).any()])
    files["data/ledger.csv"] = frame_csv(ledger)
    files["data/budget.csv"] = frame_csv(published_budget(cooperative))
    files["data/summary.json"] = json.dumps(summary_json(summary, commit.sha if commit else None), indent=2, ensure_ascii=False) + "\n"
    files["data/datapackage.json"] = json.dumps(datapackage(summary, commit, has_governance), indent=2, ensure_ascii=False) + "\n"
    if not (docs_dir / STORIES_DIR / "index.md").is_file() and (docs_dir / POSTS_DIR).is_dir():
        files[f"{STORIES_DIR}/index.md"] = "# Stories\n"
    written = write_generated(out_dir, files, list(chart_files.values()))

    stories = find_stories(docs_dir)
    page_dates, repository_url = hand_written_page_dates(cooperative.root)
    fragments["index.md"] = ("marker", home_fragment(summary, stories[:LATEST_STORIES], home_extra))
    return SiteContent(
        directory=out_dir,
        files=written,
        nav=default_nav(years, docs_dir, has_governance),
        fragments=fragments,
        summary=summary,
        commit=commit,
        stories=stories,
        page_dates=page_dates,
        repository_url=repository_url,
        finder=finder if finder else None,
    )
