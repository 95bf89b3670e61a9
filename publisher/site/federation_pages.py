"""The site of a federation: its members, the consolidated figures, the money between members.

Like the cooperative's site, everything is written as real files into a staging directory that
the plugin hands to MkDocs; texts from members' repositories and federation.yml are escaped.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_currency

from publisher.charts import BALANCE_COLOUR, FUND_COLOURS, Chart, _layout, plain
from publisher.federation import Federation, MemberResult, federation_json
from publisher.gitrepo import CommitInfo
from publisher.money import format_minor, to_decimal
from publisher.problems import sorted_problems
from publisher.links import safe_link
from publisher.site.html import esc, figure_html, figures_html, html_table, link, markdown_text, named_csv

OVERVIEW_MARKER = "<!-- publisher:federation -->"


class _Money:
    def __init__(self, federation: Federation) -> None:
        self.units = federation.config.units
        self.currency = federation.config.currency

    def text(self, minor: int) -> str:
        return format_currency(to_decimal(minor, self.units), self.currency, locale="en")

    def exact(self, minor: int) -> Decimal:
        return to_decimal(minor, self.units)


def _member_link(member: MemberResult, config_member) -> str:
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


def members_chart(federation: Federation, money: _Money) -> Chart:
    """Each member's net result per year, side by side."""
    years = _years(federation)
    traces, rows = [], []
    for index, member in enumerate(federation.ok_members()):
        nets = [federation.totals(member.years.get(y, {})) for y in years]
        values = [income - expense for income, expense in nets]
        traces.append(
            {
                "type": "bar",
                "name": member.id,
                "x": years,
                "y": [money.exact(v) for v in values],
                "marker": {"color": FUND_COLOURS[index % len(FUND_COLOURS)]},
                "customdata": [money.text(v) for v in values],
                "hovertemplate": "%{x}<br>" + member.id + ": %{customdata}<extra></extra>",
            }
        )
        rows += [[member.id, y, format_minor(v, money.units)] for y, v in zip(years, values)]
    return Chart(
        "members-net",
        "Net result of each member",
        f"Each member's income minus expense, year by year, in {money.currency} (money between members left out).",
        {"data": traces, "layout": _layout("Net result of each member", barmode="group", xaxis={"type": "category"})},
        ["member", "year", "net"],
        rows,
    )


def categories_chart(federation: Federation, money: _Money, kind: str) -> Chart:
    consolidated = federation.consolidated()
    years = list(consolidated)
    categories = sorted({c for y in consolidated.values() for c in y if federation.kind(c) == kind})
    sign = 1 if kind == "income" else -1
    traces, rows = [], []
    for index, category in enumerate(categories):
        values = [sign * consolidated[y].get(category, 0) for y in years]
        traces.append(
            {
                "type": "bar",
                "name": plain(category),
                "x": years,
                "y": [money.exact(v) for v in values],
                "marker": {"color": FUND_COLOURS[index % len(FUND_COLOURS)]},
                "customdata": [money.text(v) for v in values],
                "hovertemplate": "%{x}<br>" + plain(category) + ": %{customdata}<extra></extra>",
            }
        )
        rows += [[category, y, format_minor(v, money.units)] for y, v in zip(years, values)]
    title = "Consolidated income by category" if kind == "income" else "Consolidated expense by category"
    return Chart(
        f"consolidated-{kind}",
        title,
        f"The {kind} of all members together, by the federation's categories, year by year, in {money.currency}.",
        {"data": traces, "layout": _layout(title, barmode="stack", xaxis={"type": "category"})},
        ["category", "year", kind],
        rows,
    )


def solidarity_chart(federation: Federation, money: _Money) -> Chart:
    """Money paid between members, as the payers record it: a Sankey diagram."""
    flows = federation.flows()
    payers = sorted({a for a, _ in flows})
    payees = sorted({b for _, b in flows})
    labels = [f"{p} (pays)" for p in payers] + [f"{p} (receives)" for p in payees]
    pairs = sorted(flows.items())
    figure = {
        "data": [
            {
                "type": "sankey",
                "node": {"label": labels, "color": BALANCE_COLOUR, "pad": 20},
                "link": {
                    "source": [payers.index(a) for (a, _), _ in pairs],
                    "target": [len(payers) + payees.index(b) for (_, b), _ in pairs],
                    "value": [money.exact(v) for _, v in pairs],
                    "customdata": [money.text(v) for _, v in pairs],
                    "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
                },
            }
        ],
        "layout": _layout("Solidarity between members", height=420),
    }
    return Chart(
        "solidarity",
        "Solidarity between members",
        f"Money paid by one member to another over all years, as the paying member records it, in {money.currency}.",
        figure,
        ["from", "to", "amount"],
        [[a, b, format_minor(v, money.units)] for (a, b), v in pairs],
        label_columns=2,
    )


def overview_fragment(federation: Federation, money: _Money, charts: dict[str, Chart]) -> str:
    config = federation.config
    by_id = {m.id: m for m in config.members}
    years = _years(federation)
    latest = years[-1] if years else None
    rows = ""
    for member in federation.members:
        url = _member_link(member, by_id[member.id])
        name = esc(member.name or member.id)
        shown = f'<a href="{esc(url)}">{name}</a>' if url else name
        status = esc(member.status) + (f"<br><small>{esc(member.reason)}</small>" if member.reason else "")
        commit = f"<code>{esc(member.commit[:7])}</code> {esc((member.date or '')[:10])}" if member.commit else "—"
        if member.ok and latest:
            income, expense = federation.totals(member.years.get(latest, {}))
            figures = "".join(f'<td class="publisher-amount">{esc(money.text(v))}</td>' for v in (income, expense, income - expense))
        else:
            figures = '<td colspan="3">left out of the totals</td>'
        rows += (
            f'<tr><td><a href="{link(f"members/{member.id}.md")}">{esc(member.id)}</a></td><td>{shown}</td>'
            f"<td>{status}</td><td>{commit}</td>{figures}</tr>"
        )
    consolidated = federation.consolidated()
    cards = []
    if latest and latest in consolidated:
        income, expense = federation.totals(consolidated[latest])
        cards = [
            (f"Income {latest}", money.text(income), "all members, money between them left out"),
            (f"Expense {latest}", money.text(expense), ""),
            ("Members", f"{len(federation.ok_members())} of {len(federation.members)}", "counted in the totals"),
        ]
    parts = [
        '<div class="publisher-federation">',
        figures_html(cards).strip() if cards else "",
        f"<h2 id=\"members\">Members</h2><table><thead><tr><th>Id</th><th>Member</th><th>Status</th><th>Commit</th>"
        f'<th class="publisher-amount">Income {esc(latest or "")}</th><th class="publisher-amount">Expense</th>'
        f'<th class="publisher-amount">Net</th></tr></thead><tbody>{rows}</tbody></table>',
        f'<p><a href="{link("reconciliation.md")}">Money between members, reconciled</a> · '
        f'<a href="{link("warnings.md")}">Warnings</a> · <a href="{link("data/index.md")}">Download the data</a></p>',
        "</div>\n\n",
    ]
    body = "\n".join(p for p in parts if p)
    for key in ("members-net", "consolidated-income", "consolidated-expense", "solidarity"):
        chart = charts[key]
        body += f"## {chart.title}\n\n" + figure_html(chart, {2})
    return body


def member_page(federation: Federation, member: MemberResult, money: _Money) -> str:
    config_member = next(m for m in federation.config.members if m.id == member.id)
    url = _member_link(member, config_member)
    parts = [
        f"# {member.id}\n\n",
        f"<p><strong>{esc(member.name or member.id)}</strong> · status: {esc(member.status)}"
        + (f" — {esc(member.reason)}" if member.reason else "")
        + (f" · commit <code>{esc(member.commit)}</code> of {esc((member.date or '')[:10])}" if member.commit else "")
        + (f' · <a href="{esc(url)}">its own site or repository</a>' if url else "")
        + "</p>\n\n",
    ]
    if not member.ok:
        parts.append("<p>This member is left out of the federation's totals until the reason above is fixed.</p>\n")
        return "".join(parts)
    rows = []
    for year in sorted(member.years, reverse=True):
        income, expense = federation.totals(member.years[year])
        rows.append([year, money.text(income), money.text(expense), money.text(income - expense)])
    parts.append("## Year by year\n\n" + html_table(["Year", "Income", "Expense", "Net"], rows, {1, 2, 3}) + "\n\n")
    category_rows = [
        [year, category, money.text(value)]
        for year in sorted(member.years, reverse=True)
        for category, value in sorted(member.years[year].items())
    ]
    parts.append("## By the federation's categories\n\n" + html_table(["Year", "Category", "Amount"], category_rows, {2}) + "\n\n")
    if member.internal:
        internal_rows = [
            [year, f"@{other}", money.text(value)]
            for year in sorted(member.internal, reverse=True)
            for other, value in sorted(member.internal[year].items())
        ]
        parts.append(
            "## Money with other members\n\n"
            + html_table(["Year", "With", "Recorded (+ in, − out)"], internal_rows, {2})
            + "\n"
        )
    return "".join(parts)


def reconciliation_page(federation: Federation, money: _Money) -> str:
    ok = {m.id: m for m in federation.ok_members()}
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
                state = "reconciled" if a_side + b_side == 0 else "MISMATCH"
                rows.append([year, a, b, money.text(a_side), money.text(b_side), money.text(a_side + b_side), state])
    table = (
        html_table(["Year", "Member A", "Member B", "A records with B", "B records with A", "Difference", ""], rows, {3, 4, 5})
        if rows
        else "<p>No money moved between members.</p>"
    )
    return (
        "# Money between members\n\n"
        "<p>What one member records with another (counterparty <code>@member-id</code>) must be the "
        "opposite of what the other records with it, year by year. The consolidated totals leave these "
        "internal movements out.</p>\n\n" + table + "\n"
    )


def warnings_page(federation: Federation) -> str:
    rows = [[p.path, str(p.line or ""), p.code, p.message] for p in sorted_problems(federation.problems)]
    return "# Warnings\n\n" + (html_table(["File", "Line", "Check", "What it says"], rows) if rows else "<p>There is no warning.</p>") + "\n"


def consolidated_csv(federation: Federation) -> str:
    rows = [
        [str(year), category, federation.kind(category), format_minor(value, federation.config.units)]
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
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": {"fields": fields},
        }

    return {
        "profile": "tabular-data-package",
        "name": "federation",
        "title": f"Consolidated books of {federation.config.name}",
        "resources": [
            resource("consolidated", [field("year", "integer"), field("category", "string"), field("kind", "string"), field("amount", "number")]),
            resource("members", [field("member", "string"), field("status", "string"), field("commit", "string"), field("year", "integer"), field("income", "number"), field("expense", "number"), field("net", "number")]),
        ],
    }


def generate_federation_site(federation: Federation, commit: CommitInfo | None, docs_dir: Path, out_dir: Path):
    from publisher.site.generate import SiteContent, write_generated

    money = _Money(federation)
    charts = {
        c.id: c
        for c in (
            members_chart(federation, money),
            categories_chart(federation, money, "income"),
            categories_chart(federation, money, "expense"),
            solidarity_chart(federation, money),
        )
    }
    files: dict[str, str] = {}
    if not (docs_dir / "index.md").is_file():
        files["index.md"] = f"# {markdown_text(federation.config.name)}\n\n{OVERVIEW_MARKER}\n"
    for member in federation.members:
        files[f"members/{member.id}.md"] = member_page(federation, member, money)
    files["reconciliation.md"] = reconciliation_page(federation, money)
    files["warnings.md"] = warnings_page(federation)
    files["data/federation.json"] = json.dumps(federation_json(federation), indent=2, ensure_ascii=False) + "\n"
    files["data/consolidated.csv"] = consolidated_csv(federation)
    files["data/members.csv"] = members_csv(federation)
    files["data/datapackage.json"] = json.dumps(datapackage(federation), indent=2) + "\n"
    source = f"commit <code>{esc(commit.sha)}</code>" if commit else "an uncommitted directory"
    files["data/index.md"] = (
        "# Data\n\n<ul>"
        f'<li><a href="{link("data/federation.json")}" download>federation.json</a>: every member with its commit, status and years; the consolidated years; the reconciliation mismatches.</li>'
        f'<li><a href="{link("data/consolidated.csv")}" download>consolidated.csv</a>: the consolidated figures by year and category.</li>'
        f'<li><a href="{link("data/members.csv")}" download>members.csv</a>: each member\'s income, expense and net by year.</li>'
        f'<li><a href="{link("data/datapackage.json")}" download>datapackage.json</a>: a Frictionless Data Package of the CSV files.</li>'
        f"</ul>\n\n<p>From {source} of the federation's repository.</p>\n"
    )
    written = write_generated(out_dir, files, list(charts.values()))
    nav = [
        {"Overview": "index.md"},
        {"Members": [f"members/{m.id}.md" for m in federation.members]},
        {"Reconciliation": "reconciliation.md"},
        {"Warnings": "warnings.md"},
        {"Data": "data/index.md"},
    ]
    return SiteContent(
        directory=out_dir,
        files=written,
        nav=nav,
        fragments={"index.md": ("marker", overview_fragment(federation, money, charts))},
        summary=None,
        commit=commit,
    )
