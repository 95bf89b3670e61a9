"""Pages about decisions and the charter: meetings, the decisions index, compliance with the
charter, the figures of self-government, decisions.csv and the decisions feed.

Like generate.py, every text from front matter or the ledgers is escaped into raw HTML, and
links are written `publisher:PATH` for the plugin to resolve per page.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from publisher import charts
from publisher.charts import Chart, display_money
from publisher.cooperative import Cooperative
from publisher.governance import (
    RULE_TITLES,
    Decision,
    Meeting,
    RuleYear,
    quorum_met,
    sovereignty,
)
from publisher.money import format_minor, parse_decimal_text
from publisher.privacy import PRIVATE, NameFinder, is_public
from publisher.site.feed import FeedEntry
from publisher.site.html import esc, figure_html, figures_html, link, named_csv
from publisher.summary import Summary

DECISIONS_PAGE = "decisions/index.md"
SOVEREIGNTY_PAGE = "self-government.md"
STATUS_MARK = {"kept": "✓ kept", "breached": "✗ breached", "pending": "… pending", "not applicable": "— not applicable"}


def decision_anchor(ident: str) -> str:
    """The HTML id of a decision on the decisions page (the page script computes the same).

    Letters, digits, "_" and "-" stay; every other character is written as its code point
    between dots, so that two ids never share an anchor ("2026.1" and "2026-1" stay apart)."""
    return "decision-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f".{ord(m.group()):x}.", ident)


def _percent(share: Decimal | None) -> str:
    if share is None:
        return "—"
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)} %"


def vote_bar(decision: Decision) -> str:
    """The votes as a small bar, with the numbers in text."""
    text = f"{decision.votes_for} for, {decision.against} against, {decision.abstain} abstaining"
    segments = "".join(
        f'<span class="publisher-votes__{kind}" style="flex-grow:{count}"></span>'
        for kind, count in (("for", decision.votes_for), ("against", decision.against), ("abstain", decision.abstain))
        if count
    )
    return (
        f'<span class="publisher-votes" role="img" aria-label="{esc(text)}">{segments}</span>'
        f'<span class="publisher-votes__text">{esc(text)}</span>'
    )


def authorized_cell(decision: Decision, summary: Summary) -> str:
    """The table cell of the amount a decision authorized. A rejected motion authorized
    nothing: its amount is shown only as proposed, so that no reader takes it for money that
    may be spent."""
    if decision.amount is None:
        return '<td class="publisher-amount">—</td>'
    amount = esc(display_money(decision.amount, summary))
    if decision.adopted:
        return f'<td class="publisher-amount">{amount}</td>'
    return (
        '<td class="publisher-amount publisher-proposed"><span class="publisher-amount__note">Proposed</span> '
        f'{amount} <span class="publisher-amount__note">— not authorized</span></td>'
    )


def spent_cell(decision: Decision, spent: dict[str, int], summary: Summary) -> str:
    """The table cell of the money spent under a decision, marked as a breach when it is more
    than the decision authorized. The meeting pages and the decisions index both use it, so the
    two always show an overspent decision alike."""
    if not decision.adopted:
        return '<td class="publisher-amount">—</td>'
    paid = spent.get(decision.id, 0)
    if decision.amount is None or paid <= decision.amount:
        return f'<td class="publisher-amount">{esc(display_money(paid, summary))}</td>'
    excess = display_money(paid - decision.amount, summary)
    return (
        f'<td class="publisher-amount publisher-breach">{esc(display_money(paid, summary))} '
        f'<span class="publisher-amount__note">⚠ {esc(excess)} more than authorized</span></td>'
    )


def meeting_fragment(meeting: Meeting, cooperative: Cooperative, summary: Summary, spent: dict[str, int]) -> str:
    rules = cooperative.governance.rules
    met = quorum_met(meeting, rules)
    quorum = (
        "no quorum rule in the charter"
        if met is None
        else f"quorum of {_percent(rules.quorum)} {'met' if met else 'not met'}"
    )
    parts = [
        '<div class="publisher-meeting">',
        f"<p><strong>Date:</strong> <time>{meeting.date:%Y-%m-%d}</time> · <strong>Attendance:</strong> "
        f"{meeting.present} of {meeting.members} members ({_percent(meeting.attendance)}) · {esc(quorum)}</p>",
    ]
    if meeting.decisions:
        rows = "".join(
            f'<tr><td><a href="{link(DECISIONS_PAGE)}#{decision_anchor(d.id)}">{esc(d.id)}</a></td>'
            f"<td>{esc(d.motion)}</td><td>{vote_bar(d)}</td><td>{esc(d.result)}</td>"
            f"{authorized_cell(d, summary)}"
            f"{spent_cell(d, spent, summary)}</tr>"
            for d in meeting.decisions
        )
        parts.append(
            '<table class="publisher-decisions"><thead><tr><th>Decision</th><th>Motion</th><th>Votes</th>'
            '<th>Result</th><th class="publisher-amount">Authorized</th><th class="publisher-amount">Spent so far</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        parts.append("<p>No decision was voted at this meeting.</p>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def _rows_under(published: pd.DataFrame, ident: str) -> pd.DataFrame:
    return published[published["decision"] == ident]


def _row_list(rows: pd.DataFrame, summary: Summary) -> str:
    items = "".join(
        f'<li><time>{esc(r.date)}</time> {esc(r.description)}: <span class="publisher-amount">'
        f"{esc(display_money(parse_decimal_text(r.amount, summary.units), summary))}"
        "</span></li>"
        for r in rows.itertuples()
    )
    return f"<ul>{items}</ul>"


def decisions_page(cooperative: Cooperative, summary: Summary, published: pd.DataFrame, spent: dict[str, int]) -> str:
    decisions = [d for m in reversed(cooperative.governance.meetings) for d in m.decisions]
    meetings = {m.path: m for m in cooperative.governance.meetings}
    body = []
    for d in decisions:
        meeting = meetings[d.meeting]
        rows = _rows_under(published, d.id)
        evidence = ""
        if len(rows):
            years = sorted({r[:4] for r in rows["date"]})
            links = " · ".join(
                f'<a href="{link(f"finances/{y}.md")}?decision={esc(quote(d.id, safe=""))}">in the ledger of {y}</a>' for y in years
            )
            evidence = (
                f"<details><summary>{len(rows)} ledger {'row' if len(rows) == 1 else 'rows'}</summary>{_row_list(rows, summary)}"
                f"<p>See them {links}.</p></details>"
            )
        body.append(
            f'<tr id="{decision_anchor(d.id)}"><td>{esc(d.id)}</td><td><time>{d.date:%Y-%m-%d}</time></td>'
            f'<td>{esc(d.motion)}<br><a href="{link(meeting.path.removeprefix("content/"))}">{esc(meeting.title)}</a></td>'
            f"<td>{vote_bar(d)}</td><td>{esc(d.result)}</td>"
            f"{authorized_cell(d, summary)}"
            f"{spent_cell(d, spent, summary)}<td>{evidence}</td></tr>"
        )
    if not body:
        return "# Decisions\n\n<p>No minutes with decisions have been published yet.</p>\n"
    return (
        "# Decisions\n\n"
        "<p>Every decision of the members' meetings, newest first: the motion, how the members voted, "
        "the money it authorized and the money spent under it so far, with the ledger rows. The "
        f'decisions can also be followed as a <a href="{link("decisions.xml")}">feed</a> and downloaded '
        f'as <a href="{link("data/decisions.csv")}" download>decisions.csv</a>.</p>\n\n'
        '<div class="publisher-filterable">'
        '<input type="search" class="md-input publisher-table-filter" placeholder="Filter decisions" '
        'aria-label="Filter the decisions">'
        '<table class="publisher-decisions"><thead><tr><th>Id</th><th>Date</th><th>Motion and meeting</th>'
        '<th>Votes</th><th>Result</th><th class="publisher-amount">Authorized</th>'
        '<th class="publisher-amount">Spent</th><th>Rows</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>\n"
    )


def _evidence(cooperative: Cooperative, finder: NameFinder, pairs: tuple[tuple[str, int], ...], summary: Summary) -> str:
    if not pairs:
        return ""
    ledger = cooperative.ledger
    wanted = set(pairs)
    mask = [(p, int(line)) in wanted for p, line in zip(ledger["path"], ledger["line"])]
    rows = ledger[mask]
    descriptions = finder.redact(rows["description"])
    items = "".join(
        f'<li><time>{row.date:%Y-%m-%d}</time> {esc(text)}: {esc(display_money(int(row.amount), summary))}'
        + (f" (id {esc(row.id)})" if row.id else "")
        + f' — <a href="{link(f"finances/{row.date.year}.md")}?{"id=" + esc(quote(row.id, safe="")) if row.id else "q=" + esc(quote(text, safe=""))}">in the ledger</a></li>'
        for row, text in zip(rows.itertuples(), descriptions)
    )
    return f"<ul>{items}</ul>"


def charter_fragment(cooperative: Cooperative, summary: Summary, finder: NameFinder, results: list[RuleYear]) -> str:
    if not results:
        return (
            '\n\n<div class="publisher-compliance"><h2 id="compliance">Keeping the charter</h2>'
            "<p>The charter states no rule the publisher can check.</p></div>\n"
        )
    years = sorted({r.year for r in results})
    rules = list(dict.fromkeys(r.rule for r in results))
    cell = {(r.rule, r.year): r for r in results}
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = ""
    for rule in rules:
        cells = ""
        for year in years:
            item = cell.get((rule, year))
            if item is None:
                cells += "<td>—</td>"
            else:
                cells += (
                    f'<td class="publisher-status publisher-status--{item.status.replace(" ", "-")}" title="{esc(item.detail)}">'
                    f"{esc(STATUS_MARK[item.status])}</td>"
                )
        rows += f"<tr><th>{esc(RULE_TITLES[rule])}</th>{cells}</tr>"
    details = ""
    for item in results:
        if item.status != "breached" and not (item.rule == "reinvestment" and item.rows):
            continue
        details += (
            f"<h3>{esc(RULE_TITLES[item.rule])}, {item.year}: {esc(item.status)}</h3>"
            f"<p>{esc(item.detail)}.</p>{_evidence(cooperative, finder, item.rows, summary)}"
        )
    return (
        '\n\n<div class="publisher-compliance"><h2 id="compliance">Keeping the charter</h2>'
        "<p>Each rule above, checked against the minutes and the ledgers, year by year. A breach is "
        "published, not hidden: the evidence is listed below the table.</p>"
        f"<table><thead><tr><th>Rule</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"{details}</div>\n"
    )


def home_line(cooperative: Cooperative, results: list[RuleYear], year: int) -> str:
    """One line on the charter this year, and the figures of self-government."""
    this_year = [r for r in results if r.year == year]
    if not this_year:
        return ""
    current = next((y for y in sovereignty(cooperative, lambda name: name) if y.year == year), None)
    figures = ""
    if current is not None:
        figures = figures_html(
            [
                (f"Spending decided by the assembly, {year}", _percent(current.authorized_share), "of all expense"),
                (f"Attendance at meetings, {year}", _percent(current.attendance), "average share of members present"),
                (f"Decisions adopted, {year}", str(current.decisions_adopted), f"{current.decisions_rejected} rejected"),
            ]
        )
    kept = sum(r.status == "kept" for r in this_year)
    breached = sum(r.status == "breached" for r in this_year)
    pending = sum(r.status == "pending" for r in this_year)
    text = f"In {year}, {kept} rules of the charter kept, {breached} breached"
    if pending:
        text += f", {pending} still pending"
    return figures.strip() + "\n" + (
        f'<p class="publisher-home-charter">{esc(text)}. '
        f'<a href="{link("charter.md")}#compliance">How the charter was kept</a> · '
        f'<a href="{link(SOVEREIGNTY_PAGE)}">Self-government in figures</a></p>\n'
    )


def sovereignty_page(cooperative: Cooperative, summary: Summary, chart_files: dict[str, Chart]) -> str:
    public = cooperative.accounts.public_counterparties

    def public_name(name: str) -> str:
        return name if is_public(pd.Series([name], dtype="str"), public)[0] else PRIVATE

    years = sovereignty(cooperative, public_name)
    if not years:
        return "# Self-government\n\n<p>There are no books or minutes yet.</p>\n"
    labels = [y.year for y in years]
    rules = cooperative.governance.rules
    hundred = Decimal(100)

    def pct(share: Decimal | None) -> Decimal | None:
        return None if share is None else (share * hundred).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def money(minor: int | Decimal | None) -> Decimal | None:
        return None if minor is None else (Decimal(minor) / Decimal(10**summary.units)).quantize(Decimal(1).scaleb(-summary.units))

    specs = [
        (
            "authorized-share",
            "Spending decided by the assembly",
            "The share of each year's expense spent under a decision of a members' meeting, in percent.",
            "%",
            [pct(y.authorized_share) for y in years],
            [_percent(y.authorized_share) for y in years],
            None,
        ),
        (
            "attendance",
            "Attendance at meetings",
            "The average share of members present at the year's meetings, in percent.",
            "%",
            [pct(y.attendance) for y in years],
            [_percent(y.attendance) for y in years],
            None,
        ),
        (
            "decisions-taken",
            "Decisions taken",
            "How many decisions the members' meetings adopted each year (rejected ones in the table).",
            "decisions",
            [Decimal(y.decisions_adopted) for y in years],
            [f"{y.decisions_adopted} adopted, {y.decisions_rejected} rejected" for y in years],
            None,
        ),
        (
            "capital",
            "Lasting collective assets",
            f"Spending on categories marked as capital (tools, machines, shares), in {summary.currency}.",
            summary.currency,
            [money(y.capital) for y in years],
            [display_money(y.capital, summary) for y in years],
            None,
        ),
        (
            "reinvested",
            "Moved into the common fund",
            f"What moved into the fund \u201c{rules.reinvestment_fund}\u201d by 31 March after each year, against "
            f"the charter's target of {_percent(rules.reinvestment_share)} of the year's surplus, in {summary.currency}."
            if rules.reinvestment_share is not None
            else f"The charter sets no reinvestment rule; nothing is counted, in {summary.currency}.",
            summary.currency,
            [money(y.reinvestment_moved) for y in years],
            ["—" if y.reinvestment_moved is None else display_money(y.reinvestment_moved, summary) for y in years],
            [money(y.reinvestment_required) for y in years],
        ),
        (
            "dependency",
            "Dependency on the largest source",
            "The share of each year's income that came from its single largest named source, in percent "
            "(the source is named in the table when it is public).",
            "%",
            [pct(y.dependency) for y in years],
            [f"{_percent(y.dependency)}" + (f" ({y.largest_source})" if y.largest_source else "") for y in years],
            None,
        ),
    ]
    parts = [
        "# Self-government\n\n",
        "<p>Transparency is not only where the money went, but who decided it. These figures count "
        "how the cooperative governs itself, year by year.</p>\n\n",
    ]
    for chart_id, title, caption, axis, values, shown, target in specs:
        chart = charts.yearly_bars(f"self-government-{chart_id}", title, caption, axis, labels, values, shown, target=target)
        chart_files[chart.id] = chart
        parts += [f"## {title}\n\n", figure_html(chart, set())]
    return "".join(parts)


def decisions_csv(cooperative: Cooperative, spent: dict[str, int]) -> str:
    units = cooperative.accounts.minor_units
    meetings = {m.path: m for m in cooperative.governance.meetings}
    rows = [
        [
            d.id,
            f"{d.date:%Y-%m-%d}",
            meetings[d.meeting].title,
            d.motion,
            d.votes_for,
            d.against,
            d.abstain,
            d.result,
            "" if d.amount is None else format_minor(d.amount, units),
            "" if d.amount is None or not d.adopted else format_minor(d.amount, units),
            format_minor(spent.get(d.id, 0), units) if d.adopted else "",
        ]
        for meeting in cooperative.governance.meetings
        for d in meeting.decisions
    ]
    columns = [
        "id", "date", "meeting", "motion", "for", "against", "abstain", "result",
        "amount_proposed", "amount_authorized", "spent",
    ]
    amounts = {"for", "against", "abstain", "amount_proposed", "amount_authorized", "spent"}
    return named_csv(columns, rows, amounts)


def decision_feed_entries(cooperative: Cooperative, summary: Summary) -> list[FeedEntry]:
    entries = []
    for meeting in cooperative.governance.meetings:
        for d in meeting.decisions:
            if d.amount is None:
                amount = ""
            elif d.adopted:
                amount = f", authorizing {display_money(d.amount, summary)}"
            else:
                amount = f" (proposed {display_money(d.amount, summary)}, not authorized)"
            entries.append(
                FeedEntry(
                    title=f"Decision {d.id} ({d.result}): {d.motion}",
                    url=f"decisions/#{decision_anchor(d.id)}",
                    published=dt.datetime(d.date.year, d.date.month, d.date.day, tzinfo=dt.timezone.utc),
                    authors=(meeting.title,),
                    categories=(d.result,),
                    summary=f"{meeting.title}: {d.votes_for} for, {d.against} against, {d.abstain} "
                    f"abstaining; {d.result}{amount}.",
                )
            )
    return entries


def decisions_resource_fields() -> list[dict]:
    def field(name: str, kind: str, description: str) -> dict:
        return {"name": name, "type": kind, "description": description}

    return [
        field("id", "string", "Decision id, unique across all minutes"),
        field("date", "date", "Day of the meeting"),
        field("meeting", "string", "Title of the meeting"),
        field("motion", "string", "What was voted on"),
        field("for", "integer", "Votes for"),
        field("against", "integer", "Votes against"),
        field("abstain", "integer", "Abstentions"),
        field("result", "string", "adopted or rejected"),
        field("amount_proposed", "number", "Spending the motion proposed, if any, whatever the result"),
        field("amount_authorized", "number", "Spending the decision authorized: empty unless adopted"),
        field("spent", "number", "Money paid out so far by ledger rows citing the decision"),
    ]
