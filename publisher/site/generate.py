"""The generated part of the site: pages, chart data, downloads and assets, as real files.

`generate_site` writes everything into a staging directory; the MkDocs plugin then hands those
files to MkDocs next to the cooperative's own pages. Each page is built once as plain records
(the dataclasses below) and rendered from its template in templates/ (`finances-*.md.j2`,
`data.md.j2`, `home.html.j2`) with autoescaping, so text from the books reaches raw HTML
escaped, never Markdown: a description can neither inject markup nor Markdown links. Links
are written `publisher:PATH` (PATH relative to the docs directory) and resolved per page by
the plugin.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
from babel.support import NullTranslations
from markupsafe import Markup

from publisher import charts
from publisher.accounts import DEFAULT_LICENCE, Accounts, Licence
from publisher.charts import Chart, display_money, to_json
from publisher.cooperative import Cooperative
from publisher.gitrepo import BooksRepository, CommitInfo
from publisher.i18n import site_words
from publisher.markdownfile import parse_markdown
from publisher.privacy import NameFinder, name_finder, published_ledger
from publisher.problems import CODES, Problem, count, sorted_problems
from publisher.assets import collective_assets
from publisher.measures import measure_years
from publisher.site.activity import ActivityDownload, activity_downloads
from publisher.summary import Summary, YearFigures, summarize, summary_json
from publisher.governance import compliance, redacted_governance, spending_by_decision
from publisher.history import historical_names, row_provenance
from publisher.site.activity_pages import (
    ACTIVITY_PAGE,
    COMMONS_PAGE,
    activity_page,
    commons_page,
    home_figures,
)
from publisher.site.history_pages import CHANGES_PAGE, changes_pages
from publisher.site.feed import DECISIONS_FEED_PATH, atom_feed, entry_id
from publisher.site.governance_pages import (
    DECISIONS_PAGE,
    SOVEREIGNTY_PAGE,
    charter_fragment,
    decision_anchor,
    decision_feed_entries,
    decisions_csv,
    decisions_page,
    decisions_resource_fields,
    home_line,
    meeting_fragment,
    sovereignty_page,
)
from publisher.site.html import chart_csv, esc, named_csv  # noqa: F401  (esc: the plugin imports it from here)
from publisher.site.templating import (
    current_site_language,
    reader_date,
    render,
    site_language,
    words,
)

ASSETS = Path(__file__).parent / "assets"
#: The partial plotly.js bundle (only the trace types the charts use), built by
#: scripts/build-plotly-bundle.sh and shipped in the package; its name carries its version
#: (tests/test_plotly_bundle.py keeps it in step with scripts/plotly-bundle/package.json).
PLOTLY_FILE = "plotly-partial-4.1.1.min.js"
PLOTLY_SOURCE = ASSETS / PLOTLY_FILE
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
    summary: Summary | None  # None for a federation
    commit: CommitInfo | None
    #: docs path of a hand-written page (charter, minutes, stories) -> its last commit
    page_dates: dict[str, CommitInfo] = field(default_factory=dict)
    #: where the repository can be browsed (its https origin), for links to a page's history
    repository_url: str | None = None
    #: replaces private counterparties' names in hand-written pages (None: nothing to replace)
    finder: NameFinder | None = None
    stories: list[Story] = field(default_factory=list)
    #: the language every generated word is in (a BCP 47 tag): Material's `theme.language`
    language: str = "en"


def frame_csv(frame: pd.DataFrame, amount_columns: Collection[str] = ("amount",)) -> str:
    """A table of the books as CSV, through the site's one CSV writer."""
    rows = frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None)
    return named_csv([str(c) for c in frame.columns], rows, amount_columns)


def _percent(part: int, whole: int) -> str:
    return charts.percent(part, whole) if whole else words().gettext("not budgeted")


# -- Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """An amount as readers see it (`text`, the site's one money format) and exactly (`exact`,
    "-1234.50", for sorting)."""

    text: str
    exact: str


def _money(minor: int, summary: Summary) -> Money:
    return Money(display_money(minor, summary), summary.money(minor))


def _planned(summary: Summary, figures: YearFigures, kind: str) -> int:
    return sum(v for k, v in figures.budget.items() if summary.kinds.get(k) == kind)


@dataclass(frozen=True)
class YearRow:
    year: int
    page: str
    income: Money
    planned_income: Money
    expense: Money
    planned_expense: Money
    net: Money


@dataclass(frozen=True)
class FundRow:
    label: str
    description: str
    balance: Money


@dataclass(frozen=True)
class OverviewPage:
    name: str
    currency: str
    years: list[YearRow]
    funds: list[FundRow]
    #: some fund has a description beyond its label: the table gets a "Purpose" column
    funds_described: bool
    years_chart: Chart
    funds_chart: Chart
    fund_columns: list[int]


def overview_page(summary: Summary, chart_files: dict[str, Chart], accounts: Accounts) -> str:
    money = lambda v: _money(v, summary)
    years = [
        YearRow(
            year,
            f"finances/{year}.md",
            money(f.income),
            money(_planned(summary, f, "income")),
            money(f.expense),
            money(_planned(summary, f, "expense")),
            money(f.net),
        )
        for year, f in sorted(summary.years.items(), reverse=True)
    ]
    funds = [
        FundRow(
            summary.fund_label(fund),
            ""
            if accounts.funds.get(fund, "") == summary.fund_label(fund)
            else accounts.funds.get(fund, ""),
            money(balance),
        )
        for fund, balance in summary.funds.items()
    ]
    chart_a = charts.income_expense_by_year(summary)
    chart_b = charts.fund_balances(summary)
    chart_files[chart_a.id] = chart_a
    chart_files[chart_b.id] = chart_b
    page = OverviewPage(
        name=summary.name,
        currency=summary.currency,
        years=years,
        funds=funds,
        funds_described=any(f.description for f in funds),
        years_chart=chart_a,
        funds_chart=chart_b,
        fund_columns=list(range(1, len(summary.funds) + 1)),
    )
    return render("finances-overview.md.j2", page=page)


@dataclass(frozen=True)
class Reconciliation:
    """A balance assertion of the year: the fund (its label) agreed with the bank that day."""

    date: str
    fund: str
    balance: str


@dataclass(frozen=True)
class FundStatus:
    """How far one fund's rows of a year agree with the bank."""

    label: str
    #: "never" (no assertion), "after" (rows after the last assertion), "all" (every row)
    state: str
    #: the day of its last assertion, ISO, or ""
    through: str
    #: how many of its rows of the year are not reconciled
    count: int


@dataclass(frozen=True)
class YearPage:
    year: int
    figures: list[tuple[str, str, str]]
    has_rows: bool
    budget_chart: Chart
    monthly_chart: Chart
    flow_chart: Chart
    fund_chart: Chart
    fund_columns: list[int]
    reconciliations: list[Reconciliation]
    status: list[FundStatus]
    ledger_json: str
    ledger_csv: str


def year_page(
    summary: Summary,
    year: int,
    chart_files: dict[str, Chart],
    reconciliations: list[tuple[str, str, int]],
    has_rows: bool,
    unreconciled: dict[str, int] | None = None,
) -> str:
    """The page of one year. `reconciliations`: (date, fund key, balance) of its assertions;
    `unreconciled`: fund -> its rows of the year not yet reconciled, for every fund with rows
    that year."""
    f = summary.years[year]
    money = lambda v: display_money(v, summary)
    planned_income = _planned(summary, f, "income")
    planned_expense = _planned(summary, f, "expense")
    gettext = site_words(summary.locale).gettext
    running = year == summary.current_year
    budgeted = gettext("%(share)s of %(budget)s budgeted")
    figures = [
        (
            gettext("Income (so far)") if running else gettext("Income"),
            money(f.income),
            budgeted
            % {"share": _percent(f.income, planned_income), "budget": money(planned_income)},
        ),
        (
            gettext("Expense (so far)") if running else gettext("Expense"),
            money(f.expense),
            budgeted
            % {"share": _percent(f.expense, planned_expense), "budget": money(planned_expense)},
        ),
        (gettext("Net result"), money(f.net), ""),
        (
            gettext("Lasting collective assets bought"),
            money(f.capital),
            gettext("spending on capital categories"),
        ),
    ]
    page = YearPage(
        year=year,
        figures=figures,
        has_rows=has_rows,
        budget_chart=charts.budget_against_actual(summary, year),
        monthly_chart=charts.monthly(summary, year),
        flow_chart=charts.flows(summary, year),
        fund_chart=charts.fund_balances(summary, year),
        fund_columns=list(range(1, len(summary.funds) + 1)),
        reconciliations=[
            Reconciliation(date, summary.fund_label(fund), money(balance))
            for date, fund, balance in reconciliations
        ],
        status=fund_statuses(summary, unreconciled or {}),
        ledger_json=f"data/ledger-{year}.json",
        ledger_csv=f"data/ledger-{year}.csv",
    )
    for chart in (page.budget_chart, page.monthly_chart, page.flow_chart, page.fund_chart):
        chart_files[chart.id] = chart
    return render("finances-year.md.j2", page=page)


def fund_statuses(summary: Summary, unreconciled: dict[str, int]) -> list[FundStatus]:
    """Per fund, up to which day its rows of a year agree with the bank, and how many come after."""
    statuses = []
    for fund, unreconciled_rows in unreconciled.items():
        through = summary.reconciled_through.get(fund)
        # "all" is said of the year: on a past year's page a later day alone reads as if the
        # year ran on.
        state = "never" if through is None else "after" if unreconciled_rows else "all"
        statuses.append(
            FundStatus(
                label=summary.fund_label(fund),
                state=state,
                through=through.isoformat() if through else "",
                count=unreconciled_rows,
            )
        )
    return statuses


def unreconciled_rows(rows: pd.DataFrame, summary: Summary) -> pd.Series:
    """Whether each published row (ISO date text, fund) is after its fund's last assertion."""
    known = {fund: day.isoformat() for fund, day in summary.reconciled_through.items() if day}
    through = rows["fund"].map(known).astype("object").fillna("")
    return (through == "") | (rows["date"] > through)


#: Marks words for the site's catalog without translating them yet (translated where shown).
MARKED = NullTranslations()

#: What each warning means for a reader of the site, by its code; a code without a sentence
#: here is said with its summary from the list of codes. `{fund}`: the fund of the row the
#: warning is about ("the fund “Common fund”"), else "a fund".
READER_SENTENCES: dict[str, str] = {
    "amount-zero": MARKED.gettext("A row of the ledger moves no money: its amount is zero."),
    "fund-below-zero": MARKED.gettext(
        "At the end of a day {fund} held less than nothing: unless the bank lent the money, a row is missing, in the wrong fund or has the wrong sign."
    ),
    "rows-not-reconciled": MARKED.gettext(
        "The latest rows of {fund} have not yet been checked against a bank statement."
    ),
    "column-unknown": MARKED.gettext(
        "A file of the books has a column the publisher does not read; it is not shown on the site."
    ),
    "private-name-in-description": MARKED.gettext(
        "A description or note named a private person; the site shows the row with the name replaced."
    ),
    "private-name-part": MARKED.gettext(
        "A description or note may hold part of a private person's name; the treasurer is asked to check it."
    ),
    "private-name-handle": MARKED.gettext(
        "A counterparty's handle may spell a private person's name; the treasurer is asked to check it."
    ),
    "private-name-not-searched": MARKED.gettext(
        "A private person's name is too short to be looked for in the descriptions, so it could not be hidden there."
    ),
    "decision-overspent": MARKED.gettext(
        "More was spent under a decision than the assembly authorized."
    ),
    "spending-limit-exceeded": MARKED.gettext(
        "An expense above the charter's spending limit was made without citing a decision of the assembly."
    ),
    "reinvestment-below-share": MARKED.gettext(
        "Less of a year's surplus was put back into the cooperative than the charter asks."
    ),
    "minutes-key-unknown": MARKED.gettext(
        "The minutes of a meeting record something about a decision that the publisher does not read."
    ),
    "history-unavailable": MARKED.gettext(
        "The history of the books could not be read, so one check could not be made."
    ),
    "too-many-problems": MARKED.gettext(
        "The same warning comes up many more times in one file; only the first ones are listed."
    ),
}


@dataclass(frozen=True)
class Target:
    """Where a warning points: a page (docs path), a query or anchor after it, the link text."""

    page: str
    suffix: str
    text: str
    #: the label of the fund of the row, if the target is a row
    fund: str = ""


@dataclass(frozen=True)
class ReaderWarning:
    sentence: str
    target: Target | None
    #: the treasurer's details: the check's message (private names replaced), file, line, code
    message: str
    path: str
    line: int | None
    code: str


def reader_sentence(code: str, fund: str = "") -> str:
    """A warning in a reader's words; `fund`: the label of the fund it is about, if known."""
    gettext = words().gettext
    if code in READER_SENTENCES:
        which = gettext("the fund “%(fund)s”") % {"fund": fund} if fund else gettext("a fund")
        return gettext(READER_SENTENCES[code]).replace("{fund}", which)
    info = CODES.get(code)
    if info and current_site_language() == "en":
        return info.summary
    # The list of codes is written for treasurers, in English: readers of another language get
    # the general sentence rather than an English one.
    return gettext("A check of the books found something to look at.")


class WarningTargets:
    """Finds the ledger row or the decision a warning is about, from its file and line."""

    def __init__(self, cooperative: Cooperative, finder: NameFinder, has_decisions: bool) -> None:
        self.finder = finder
        self.accounts = cooperative.accounts
        self.has_decisions = has_decisions
        #: path -> [(first line of a row, its index in the ledger)], in file order
        self.rows: dict[str, list[tuple[int, int]]] = {}
        self.ledger = cooperative.ledger
        if len(self.ledger) and {"path", "line", "date"} <= set(self.ledger.columns):
            for index, path, line in zip(
                self.ledger.index, self.ledger["path"], self.ledger["line"]
            ):
                self.rows.setdefault(str(path), []).append((int(line), index))
            for starts in self.rows.values():
                starts.sort()
        #: minutes path -> [(line of a decision, its id)]
        self.decisions: dict[str, list[tuple[int, str]]] = {}
        for meeting in cooperative.governance.meetings:
            for decision in meeting.decisions:
                if decision.line:
                    self.decisions.setdefault(meeting.path, []).append((decision.line, decision.id))
        for decision_starts in self.decisions.values():
            decision_starts.sort()
        charter = cooperative.governance.charter
        self.charter_path = charter.path if charter else None

    @staticmethod
    def _containing(starts: list[tuple[int, Any]], line: int) -> Any | None:
        """The item whose start is the last at or before `line` (`starts` sorted)."""
        at = bisect_right([start for start, _ in starts], line)
        return starts[at - 1][1] if at else None

    def target(self, warning: Problem) -> Target | None:
        if warning.line is None or warning.code == "too-many-problems":
            return None
        if warning.path in self.rows:
            index = self._containing(self.rows[warning.path], warning.line)
            return None if index is None else self._row_target(index)
        if self.has_decisions and warning.path in self.decisions:
            ident = self._containing(self.decisions[warning.path], warning.line)
            if ident is not None:
                return Target(
                    DECISIONS_PAGE,
                    f"#{decision_anchor(str(ident))}",
                    words().gettext("Decision %(id)s") % {"id": ident},
                )
        if self.has_decisions and warning.path == self.charter_path:
            return Target("charter.md", "#compliance", words().gettext("How the charter was kept"))
        return None

    def _row_target(self, index: int) -> Target | None:
        row = self.ledger.loc[index]
        if pd.isna(row["date"]):  # a row whose date cannot be read is on no year's page
            return None
        date = row["date"].strftime("%Y-%m-%d")
        description = self.finder.redact_text(str(row.get("description", "") or ""))
        ident = str(row.get("id", "") or "")  # as published: the page matches it exactly
        # The year's ledger shows only the rows with that id, or with that date and words.
        query = {"id": ident} if ident.strip() else {"date": date, "q": description}
        fund = self.accounts.fund_label(str(row.get("fund", "") or self.accounts.default_fund))
        return Target(
            f"finances/{date[:4]}.md",
            "?" + urlencode(query, quote_via=quote),
            words().gettext("The row of %(date)s: %(description)s")
            % {"date": reader_date(date), "description": description},
            fund,
        )


def warnings_page(
    problems: list[Problem], finder: NameFinder, targets: WarningTargets | None = None
) -> str:
    """The published warnings in plain words, each linked to the row or decision it concerns
    (`targets`; without it, none is linked). Private names are replaced in all that is shown."""
    redact = finder.redact_text
    warnings = []
    for p in sorted_problems(problems):
        if p.is_error:
            continue
        target = targets.target(p) if targets else None
        warnings.append(
            ReaderWarning(
                sentence=reader_sentence(p.code, target.fund if target else ""),
                target=target,
                # In the site's language, not the treasurer's: the page is the readers'.
                message=redact(p.message_in(current_site_language())),
                path=redact(p.path),
                line=p.line,
                code=p.code,
            )
        )
    return render("finances-warnings.md.j2", page={"warnings": warnings})


@dataclass(frozen=True)
class Download:
    path: str
    name: str
    text: str


@dataclass(frozen=True)
class SourceCommit:
    sha: str
    #: "2026-03-01 14:05 +02:00": the commit's own time and time zone
    when: str
    #: the same, for a <time> element
    datetime: str
    dirty: bool


def utc_offset(moment: dt.datetime) -> str:
    """The time zone of an aware time as an offset, "+02:00" (UTC: "+00:00")."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def source_commit(commit: CommitInfo) -> SourceCommit:
    offset = utc_offset(commit.date)
    return SourceCommit(
        sha=commit.sha,
        when=f"{commit.date:%Y-%m-%d %H:%M} {offset}",
        datetime=f"{commit.date:%Y-%m-%dT%H:%M}{offset}",
        dirty=commit.dirty,
    )


def data_downloads(
    years: list[int], with_decisions: bool, extra: Sequence[Download] = ()
) -> list[Download]:
    """Every file of site/data/ a reader may want, with what it holds."""
    gettext = words().gettext
    downloads = [
        Download(
            "data/ledger.csv",
            "ledger.csv",
            gettext("Every ledger row, oldest first. Private counterparties appear as “private”."),
        ),
        Download("data/budget.csv", "budget.csv", gettext("Every budget line.")),
    ]
    if with_decisions:
        downloads.append(
            Download(
                "data/decisions.csv",
                "decisions.csv",
                gettext(
                    "Every decision of the meetings: its vote, the amount it authorized and what the ledger rows citing it spent."
                ),
            )
        )
    downloads += list(extra)
    downloads += [
        Download(
            "data/summary.json",
            "summary.json",
            gettext(
                "Each year's income, expense, net result, categories and budget; each fund's balance and the day up to which it is reconciled with the bank."
            ),
        ),
        Download(
            "data/datapackage.json",
            "datapackage.json",
            gettext(
                "A Frictionless Data Package describing the CSV files, with their licence, for data tools."
            ),
        ),
    ]
    downloads += [
        Download(
            f"data/ledger-{y}.csv",
            f"ledger-{y}.csv",
            gettext("The ledger rows of %(year)s.") % {"year": y},
        )
        for y in years
    ]
    return downloads


def data_page(
    summary: Summary,
    commit: CommitInfo | None,
    years: list[int],
    with_decisions: bool = False,
    licence: Licence = DEFAULT_LICENCE,
    extra: Sequence[Download] = (),
) -> str:
    page = {
        "name": summary.name,
        "currency": summary.currency,
        "commit": source_commit(commit) if commit else None,
        "downloads": data_downloads(years, with_decisions, extra),
        "licence": licence,
    }
    return render("data.md.j2", page=page)


def home_fragment(
    summary: Summary,
    stories: list[Story],
    governance_line: str = "",
    activity: Collection[tuple[str, str, str]] = (),
    activity_pages: Collection[str] = (),
) -> str:
    """The key figures and latest stories put into the home page. `governance_line` is markup
    made by the governance pages (itself rendered from a template); `activity`: the key figures
    of the measures and assets, `activity_pages`: which of their pages the site has."""
    year = summary.current_year
    money = lambda v: display_money(v, summary)
    gettext = site_words(summary.locale).gettext
    items = [
        (summary.fund_label(fund), money(balance), gettext("fund balance"))
        for fund, balance in summary.funds.items()
    ]
    figures = summary.years.get(year)
    if figures:
        items += [
            (
                gettext("Income %(year)s") % {"year": year},
                money(figures.income),
                gettext("of %(budget)s budgeted")
                % {"budget": money(_planned(summary, figures, "income"))},
            ),
            (
                gettext("Expense %(year)s") % {"year": year},
                money(figures.expense),
                gettext("of %(budget)s budgeted")
                % {"budget": money(_planned(summary, figures, "expense"))},
            ),
        ]
    items += list(activity)
    page = {
        "figures": items,
        "has_current_year": year in summary.years,
        "year": year,
        "year_page": f"finances/{year}.md",
        "warnings": summary.warnings,
        "governance_line": Markup(governance_line),
        "activity_page": ACTIVITY_PAGE if ACTIVITY_PAGE in activity_pages else None,
        "commons_page": COMMONS_PAGE if COMMONS_PAGE in activity_pages else None,
        "stories": stories,
    }
    return render("home.html.j2", page=page)


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
        stories.append(
            Story(
                path.relative_to(docs_dir).as_posix(),
                parsed.title or path.stem,
                str(date or "")[:10],
            )
        )
    return sorted(stories, key=lambda s: s.date, reverse=True)


# -- Data -------------------------------------------------------------------------------------


def datapackage(
    summary: Summary,
    commit: CommitInfo | None,
    with_decisions: bool,
    licence: Licence = DEFAULT_LICENCE,
    activity: Sequence[ActivityDownload] = (),
) -> dict:
    def field(name: str, kind: str, description: str) -> dict:
        return {"name": name, "type": kind, "description": description}

    string = "string"
    ledger_fields = [
        field("date", "date", "Day of the movement"),
        field("description", string, "What happened"),
        field("amount", "number", f"Signed amount in {summary.currency}: positive = money in"),
        field("category", string, "Category key of the chart of accounts"),
        field("fund", string, "Key of the fund the money belongs to (ledgers/accounts.yml)"),
        field("counterparty", string, "Who paid or was paid; private people appear as 'private'"),
        field("decision", string, "Id of the decision that authorized the movement"),
        field("id", string, "Transaction id"),
        field("note", string, "Free text"),
        field(
            "changed_in",
            string,
            "The commit of the books that last changed this row ('uncommitted' if none yet)",
        ),
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
        "licenses": [
            {
                "name": licence.id,
                "title": licence.title,
                **({"path": licence.path} if licence.path else {}),
            }
        ],
        "resources": [
            resource("ledger", ledger_fields, "Ledger"),
            resource("budget", budget_fields, "Budget"),
        ]
        + (
            [resource("decisions", decisions_resource_fields(), "Decisions")]
            if with_decisions
            else []
        )
        + [resource(a.name_in_package, a.fields, a.title) for a in activity],
    }


def published_budget(cooperative: Cooperative) -> pd.DataFrame:
    from publisher.privacy import format_amounts

    budget = cooperative.budget
    if not len(budget):
        return pd.DataFrame(
            {
                c: pd.Series([], dtype="str")
                for c in ["year", "category", "fund", "amount", "decision"]
            }
        )
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


def ledger_json(rows: pd.DataFrame, summary: Summary, unreconciled: pd.Series | None = None) -> str:
    """The rows of a year for the page script: categories and funds by their labels, amounts as
    exact text, and how the page writes money (`money`: locale, currency, minor units)."""
    gettext = site_words(summary.locale).gettext
    columns = [
        {"key": "date", "label": gettext("Date"), "kind": "date"},
        {"key": "description", "label": gettext("Description"), "kind": "text"},
        {"key": "amount", "label": gettext("Amount"), "kind": "amount"},
        {"key": "category", "label": gettext("Category"), "kind": "text"},
        {"key": "fund", "label": gettext("Fund"), "kind": "text"},
        {"key": "counterparty", "label": gettext("Counterparty"), "kind": "text"},
        {"key": "decision", "label": gettext("Decision"), "kind": "decision"},
        {"key": "id", "label": gettext("Id"), "kind": "text"},
    ]
    if unreconciled is not None:
        columns.append(
            {"key": "reconciled", "label": gettext("Reconciled with the bank"), "kind": "text"}
        )
        rows = rows.assign(
            reconciled=np.where(
                unreconciled.to_numpy(dtype=bool), gettext("not yet"), gettext("yes")
            )
        )
    columns += [
        {"key": "changed_in", "label": gettext("Last changed in"), "kind": "provenance"},
        {
            "key": "changed_on",
            "label": site_words(summary.locale).pgettext("last changed in a commit on a day", "on"),
            "kind": "provenance",
        },
    ]
    shown = rows.assign(
        category=rows["category"].map(summary.category_label),
        fund=rows["fund"].map(summary.fund_label),
    )
    values = shown[[c["key"] for c in columns]].to_numpy().tolist()
    money = {"locale": summary.locale, "currency": summary.currency, "minor_units": summary.units}
    return json.dumps(
        {"money": money, "columns": columns, "rows": values},
        ensure_ascii=False,
        separators=(",", ":"),
    )


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
        if path == "content/charter.md"
        or path.startswith(("content/minutes/", f"content/{POSTS_DIR}/"))
    }
    return dates, url


# -- All of it --------------------------------------------------------------------------------


def default_nav(
    years: list[int], docs_dir: Path, governance: bool, activity_pages: Collection[str] = ()
) -> list[dict]:
    """The site's navigation, its entries in the site's language."""
    gettext = words().gettext
    nav: list[dict] = [{gettext("Home"): "index.md"}]
    nav.append(
        {
            gettext("Finances"): [{gettext("Overview"): "finances/index.md"}]
            + [{str(y): f"finances/{y}.md"} for y in sorted(years, reverse=True)]
            + [
                {gettext("Changes to the books"): CHANGES_PAGE},
                {gettext("Warnings"): "finances/warnings.md"},
            ]
        }
    )
    if ACTIVITY_PAGE in activity_pages:
        nav.append({gettext("What we do"): ACTIVITY_PAGE})
    if COMMONS_PAGE in activity_pages:
        nav.append({gettext("What we own together"): COMMONS_PAGE})
    minutes = (
        sorted((docs_dir / "minutes").glob("*.md"), reverse=True)
        if (docs_dir / "minutes").is_dir()
        else []
    )
    if governance:
        nav.append(
            {
                gettext("Decisions"): [{gettext("All decisions"): DECISIONS_PAGE}]
                + [{gettext("Self-government"): SOVEREIGNTY_PAGE}]
                + (
                    [{gettext("Charter"): "charter.md"}]
                    if (docs_dir / "charter.md").is_file()
                    else []
                )
                + [f"minutes/{p.name}" for p in minutes]
            }
        )
    elif (docs_dir / "charter.md").is_file():
        nav.append({gettext("Charter"): "charter.md"})
    if (docs_dir / STORIES_DIR / "index.md").is_file():
        nav.append({gettext("Stories"): f"{STORIES_DIR}/index.md"})
    nav.append({gettext("Data"): "data/index.md"})
    return nav


def script_words() -> dict[str, str]:
    """The words the page script writes (the ledger's filter and pager, notes when something
    could not be loaded), in the site's language."""
    gettext = words().gettext
    return {
        "chart_failed": gettext(
            "This chart could not be drawn; its numbers are in the table below."
        ),
        "filter_rows": gettext("Filter rows"),
        "filter_label": gettext("Filter the rows of the ledger"),
        "show_provenance": gettext("Show the commit that last changed each row"),
        "previous": gettext("Previous"),
        "next": gettext("Next"),
        "exact": gettext("Showing the rows whose %(column)s is %(value)s."),
        "show_all": gettext("Show all rows"),
        "position": gettext("Rows %(first)s–%(last)s of %(count)s"),
        "no_match": gettext("No row matches"),
        "ledger_scroll": gettext("The ledger's rows (scrolls sideways)"),
        "ledger_failed": gettext(
            "The rows could not be loaded here; download them as CSV instead."
        ),
        "table_named": gettext("Table: %(name)s (scrolls sideways)"),
        "table": gettext("Table (scrolls sideways)"),
        "search": gettext("Search"),
    }


def write_generated(out_dir: Path, files: dict[str, str], charts: list[Chart]) -> list[str]:
    """Write the pages and data of a site, each chart's CSV, the page script and styles, and the
    plotly bundle into `out_dir` (emptied first). Returns every path written."""
    files = dict(files)
    for chart in charts:
        files[f"data/charts/{chart.id}.csv"] = chart_csv(chart)
    script = (
        (ASSETS / "publisher.js")
        .read_text(encoding="utf-8")
        .replace("__PLOTLY_FILE__", PLOTLY_FILE)
        .replace("__PUBLISHER_WORDS__", to_json(script_words()))
    )
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
    """Write the generated pages, data and assets into `out_dir` (emptied first), every word
    in the cooperative's language (`language:` in accounts.yml)."""
    with site_language(cooperative.accounts.language):
        return _generate_site(cooperative, problems, commit, docs_dir, out_dir, site_url)


def _generate_site(
    cooperative: Cooperative,
    problems: list[Problem],
    commit: CommitInfo | None,
    docs_dir: Path,
    out_dir: Path,
    site_url: str | None,
) -> SiteContent:
    errors, warnings = count(problems)
    summary = summarize(cooperative, errors, warnings)
    history = cooperative.history()
    ledger = published_ledger(
        cooperative, row_provenance(cooperative, history) if history.available else None
    )
    if not history.available:
        ledger["changed_in"] = ""
        ledger["changed_on"] = ""
    ledger_years = (
        pd.to_datetime(ledger["date"]).dt.year if len(ledger) else pd.Series([], dtype="int64")
    )
    finder = name_finder(cooperative)
    # Motions and meeting titles are published with private names replaced, like descriptions.
    cooperative = replace(
        cooperative, governance=redacted_governance(cooperative.governance, finder)
    )
    files: dict[str, str] = {}
    chart_files: dict[str, Chart] = {}

    files["finances/index.md"] = overview_page(summary, chart_files, cooperative.accounts)
    balances = cooperative.balances
    years = sorted(summary.years)
    for year in years:
        reconciliations = []
        if len(balances) and "date" in balances.columns:
            in_year = balances[balances["date"].dt.year == year].sort_values("date")
            reconciliations = [
                (row.date.strftime("%Y-%m-%d"), row.fund, int(row.balance))
                for row in in_year.itertuples()
            ]
        year_rows = ledger[ledger_years == year] if len(ledger) else ledger
        after = (
            unreconciled_rows(year_rows, summary) if len(year_rows) else pd.Series([], dtype=bool)
        )
        per_fund = (
            after.groupby(year_rows["fund"]).sum()
            if len(year_rows)
            else pd.Series([], dtype="int64")
        )
        unreconciled = {
            fund: int(per_fund[fund])
            for fund in summary.reconciled_through
            if fund in per_fund.index
        }
        files[f"finances/{year}.md"] = year_page(
            summary, year, chart_files, reconciliations, len(year_rows) > 0, unreconciled
        )
        if len(year_rows):
            files[f"data/ledger-{year}.json"] = ledger_json(year_rows, summary, after)
            files[f"data/ledger-{year}.csv"] = frame_csv(year_rows)
    # Rows deleted long ago may name people today's ledger no longer does.
    history_finder = NameFinder(
        finder.names + historical_names(history, cooperative.accounts.public_counterparties)
    )
    files.update(changes_pages(history, cooperative, summary, history_finder))
    governance = cooperative.governance
    has_governance = bool(governance.meetings) or governance.charter is not None
    files["finances/warnings.md"] = warnings_page(
        problems, finder, WarningTargets(cooperative, finder, has_governance)
    )
    fragments: dict[str, tuple[str, str]] = {}
    home_extra = ""
    if has_governance:
        spent = spending_by_decision(cooperative)
        results = compliance(cooperative)
        files[DECISIONS_PAGE] = decisions_page(cooperative, summary, ledger, spent)
        files[SOVEREIGNTY_PAGE] = sovereignty_page(cooperative, summary, chart_files)
        files["data/decisions.csv"] = decisions_csv(cooperative, spent)
        files[DECISIONS_FEED_PATH] = atom_feed(
            words().gettext("%(name)s: decisions") % {"name": summary.name},
            site_url,
            decision_feed_entries(cooperative, summary),
            self_path=DECISIONS_FEED_PATH,
            alternate_path="decisions/",
            feed_id=entry_id(summary.name, "feed", DECISIONS_FEED_PATH),
        )
        for meeting in governance.meetings:
            fragments[meeting.path.removeprefix("content/")] = (
                "top",
                meeting_fragment(meeting, cooperative, summary, spent),
            )
        if governance.charter is not None:
            fragments["charter.md"] = (
                "end",
                charter_fragment(cooperative, summary, finder, results),
            )
        home_extra = home_line(cooperative, results, summary.current_year, summary)
    # What the cooperative does and owns: pages only where the books keep measures or assets.
    measured = measure_years(cooperative)
    owned = collective_assets(cooperative)
    if measured:
        files[ACTIVITY_PAGE] = activity_page(cooperative, summary, measured, chart_files)
    if owned:
        files[COMMONS_PAGE] = commons_page(cooperative, summary, owned, chart_files, has_governance)
    activity_pages = [p for p in (ACTIVITY_PAGE, COMMONS_PAGE) if p in files]
    activity = activity_downloads(cooperative)
    for download in activity:
        files[download.path] = download.text
    files["data/index.md"] = data_page(
        summary,
        commit,
        [y for y in years if (ledger_years == y).any()],
        has_governance,
        cooperative.accounts.licence,
        [Download(a.path, a.name, a.description) for a in activity],
    )
    files["data/ledger.csv"] = frame_csv(ledger)
    files["data/budget.csv"] = frame_csv(published_budget(cooperative))
    files["data/summary.json"] = (
        json.dumps(
            summary_json(summary, commit.sha if commit else None), indent=2, ensure_ascii=False
        )
        + "\n"
    )
    files["data/datapackage.json"] = (
        json.dumps(
            datapackage(summary, commit, has_governance, cooperative.accounts.licence, activity),
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    if not (docs_dir / STORIES_DIR / "index.md").is_file() and (docs_dir / POSTS_DIR).is_dir():
        files[f"{STORIES_DIR}/index.md"] = f"# {words().gettext('Stories')}\n"
    written = write_generated(out_dir, files, list(chart_files.values()))

    stories = find_stories(docs_dir)
    page_dates, repository_url = hand_written_page_dates(cooperative.root)
    fragments["index.md"] = (
        "marker",
        home_fragment(
            summary,
            stories[:LATEST_STORIES],
            home_extra,
            home_figures(cooperative, summary, measured, owned),
            activity_pages,
        ),
    )
    return SiteContent(
        directory=out_dir,
        files=written,
        nav=default_nav(years, docs_dir, has_governance, activity_pages),
        fragments=fragments,
        summary=summary,
        commit=commit,
        stories=stories,
        page_dates=page_dates,
        repository_url=repository_url,
        finder=finder if finder else None,
        language=cooperative.accounts.language,
    )
