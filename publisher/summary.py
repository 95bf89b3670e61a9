"""Yearly figures, fund balances and monthly series: the numbers the site shows.

Everything here is plain data in integer minor units, computed from a cooperative whose books
have no errors. Formatting to text happens at the edges (`summary_json`, the site).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from publisher.cooperative import Cooperative
from publisher.assets import assets_json
from publisher.measures import measure_years, measures_json, membership_json
from publisher.money import format_minor


@dataclass(frozen=True)
class YearFigures:
    year: int
    income: int
    expense: int
    #: signed sum of each income and expense category with rows that year
    categories: dict[str, int]
    #: planned amount of each budgeted category (over all funds), positive
    budget: dict[str, int]
    #: capital spending (categories marked capital), positive
    capital: int = 0

    @property
    def net(self) -> int:
        return self.income - self.expense


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    income: int
    expense: int
    #: all funds together, at the end of the month
    balance: int


@dataclass(frozen=True)
class Summary:
    name: str
    currency: str
    units: int
    years: dict[int, YearFigures]
    #: each fund's balance after the last ledger row, in the order of accounts.yml
    funds: dict[str, int]
    #: year -> the months of that year that have rows
    months: dict[int, list[Month]]
    #: fund -> [(YYYY-MM, balance at the end of that month)] over the whole history
    fund_history: dict[str, list[tuple[str, int]]]
    current_year: int
    errors: int = 0
    warnings: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    #: fund -> the day of its last balance assertion (None: never reconciled with the bank);
    #: its rows dated after that day are not yet reconciled
    reconciled_through: dict[str, dt.date | None] = field(default_factory=dict)
    #: the BCP 47 tag money is written in for people (accounts.yml `language:`)
    locale: str = "en"
    #: fund key -> the name readers see
    fund_labels: dict[str, str] = field(default_factory=dict)
    #: the measures of activity as summary.json writes them (publisher.measures.measures_json)
    measures: dict = field(default_factory=dict)
    #: the collective assets as summary.json writes them (publisher.assets.assets_json)
    assets: dict = field(default_factory=dict)
    #: members and participation per year (publisher.measures.membership_json)
    membership: dict = field(default_factory=dict)

    def fund_label(self, fund: str) -> str:
        return self.fund_labels.get(fund, fund)

    def category_label(self, category: str) -> str:
        return self.labels.get(category, category)

    def money(self, minor: int) -> str:
        return format_minor(minor, self.units)


def with_year(ledger: pd.DataFrame) -> pd.DataFrame:
    frame = ledger.copy()
    frame["year"] = frame["date"].dt.year.astype("int64")
    frame["month"] = frame["date"].dt.strftime("%Y-%m")
    frame["amount"] = frame["amount"].astype("int64")
    return frame


def reconciled_through(cooperative: Cooperative) -> dict[str, dt.date | None]:
    """Each fund's last balance assertion: up to that day its rows agree with the bank."""
    through: dict[str, dt.date | None] = {fund: None for fund in cooperative.accounts.funds}
    balances = cooperative.balances
    if len(balances) and "date" in balances.columns:
        dated = balances[balances["date"].notna() & balances["fund"].isin(list(through))]
        for fund, last in dated.groupby("fund")["date"].max().items():
            through[str(fund)] = last.date()
    return through


def summarize(cooperative: Cooperative, errors: int = 0, warnings: int = 0) -> Summary:
    accounts = cooperative.accounts
    # Rows in an import placeholder ("uncategorized") are neither income nor expense.
    kinds = accounts.counted_kinds()
    ledger = with_year(cooperative.ledger) if len(cooperative.ledger) else None
    budget = cooperative.budget

    years: dict[int, YearFigures] = {}
    year_set: set[int] = set()
    if ledger is not None:
        year_set |= set(ledger["year"].unique().tolist())
    if len(budget) and "year" in budget.columns:
        year_set |= {int(y) for y in budget["year"].dropna().unique().tolist()}
    capital = {key for key, c in accounts.categories.items() if c.capital}

    by_year_category = (
        ledger.groupby(["year", "category"])["amount"].sum()
        if ledger is not None
        else pd.Series(dtype="int64")
    )
    budget_by = (
        budget.groupby(["year", "category"])["amount"].sum()
        if len(budget) and "year" in budget.columns
        else pd.Series(dtype="int64")
    )
    for year in sorted(year_set):
        categories: dict[str, int] = {}
        if ledger is not None and year in by_year_category.index.get_level_values(0):
            for category, total in by_year_category.loc[year].items():
                if kinds.get(category) in ("income", "expense"):
                    categories[str(category)] = int(total)
        income = sum(v for k, v in categories.items() if kinds[k] == "income")
        expense = -sum(v for k, v in categories.items() if kinds[k] == "expense")
        planned: dict[str, int] = {}
        if len(budget_by) and year in budget_by.index.get_level_values(0):
            planned = {str(k): int(v) for k, v in budget_by.loc[year].items()}
        spent_capital = -sum(v for k, v in categories.items() if k in capital)
        years[year] = YearFigures(year, income, expense, categories, planned, spent_capital)

    funds = {fund: 0 for fund in accounts.funds}
    months: dict[int, list[Month]] = {}
    fund_history: dict[str, list[tuple[str, int]]] = {fund: [] for fund in accounts.funds}
    if ledger is not None:
        for fund, total in ledger.groupby("fund")["amount"].sum().items():
            funds[str(fund)] = int(total)
        kind = ledger["category"].map(kinds)
        ledger = ledger.assign(
            income=np.where(kind == "income", ledger["amount"], 0),
            expense=np.where(kind == "expense", -ledger["amount"], 0),
        )
        monthly = ledger.groupby("month")[["income", "expense", "amount"]].sum().sort_index()
        running = monthly["amount"].cumsum()
        for (month, row), balance in zip(monthly.iterrows(), running):
            year = int(str(month)[:4])
            months.setdefault(year, []).append(
                Month(str(month), int(row["income"]), int(row["expense"]), int(balance))
            )
        all_months = list(monthly.index)
        per_fund = ledger.pivot_table(
            index="month", columns="fund", values="amount", aggfunc="sum", fill_value=0
        )
        per_fund = per_fund.reindex(all_months, fill_value=0).cumsum()
        for fund in accounts.funds:
            if fund in per_fund.columns:
                fund_history[fund] = [(str(m), int(v)) for m, v in per_fund[fund].items()]
            else:
                fund_history[fund] = [(str(m), 0) for m in all_months]

    # The measures' figures, computed once for their two sections of summary.json.
    activity = measure_years(cooperative)
    return Summary(
        name=accounts.name,
        currency=accounts.currency,
        units=accounts.minor_units,
        years=years,
        funds=funds,
        months=months,
        fund_history=fund_history,
        current_year=cooperative.today.year,
        errors=errors,
        warnings=warnings,
        labels={key: c.label for key, c in accounts.categories.items()},
        kinds=kinds,
        reconciled_through=reconciled_through(cooperative),
        locale=accounts.language,
        fund_labels={fund: accounts.fund_label(fund) for fund in accounts.funds},
        measures=measures_json(cooperative, activity),
        assets=assets_json(cooperative),
        membership=membership_json(cooperative, activity),
    )


def summary_json(summary: Summary, commit: str | None) -> dict:
    """summary.json, exactly in the shape of the formats specification."""
    money = summary.money
    return {
        "name": summary.name,
        "currency": summary.currency,
        "source": {"commit": commit},
        "years": {
            str(year): {
                "income": money(figures.income),
                "expense": money(figures.expense),
                "net": money(figures.net),
                "categories": {k: money(v) for k, v in figures.categories.items()},
                "budget": {k: money(v) for k, v in figures.budget.items()},
            }
            for year, figures in summary.years.items()
        },
        "funds": {fund: money(balance) for fund, balance in summary.funds.items()},
        "reconciled_through": {
            fund: day.isoformat() if day else None
            for fund, day in summary.reconciled_through.items()
        },
        "checks": {"errors": summary.errors, "warnings": summary.warnings},
        # An addition to FORMATS (docs/formats-notes.md), only where measures are kept.
        **({"measures": summary.measures} if summary.measures else {}),
        **({"assets": summary.assets} if summary.assets else {}),
        **({"membership": summary.membership} if summary.membership else {}),
    }
