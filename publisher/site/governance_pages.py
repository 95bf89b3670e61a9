"""Pages about decisions and the charter: meetings, the decisions index, compliance with the
charter, the figures of self-government, decisions.csv and the decisions feed.

Each page is built in two steps: plain records (the dataclasses below) are made once from the
books, then a Jinja2 template of publisher/site/templates/ renders them with autoescaping, so
that every text from front matter or the ledgers is escaped by default and no HTML is put
together here. Links are written `publisher:PATH` for the plugin to resolve per page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast
from urllib.parse import quote

import pandas as pd
from babel.numbers import format_decimal
from markupsafe import Markup

from publisher import charts
from publisher.charts import Chart, display_money
from publisher.cooperative import Cooperative
from publisher.governance import (
    RULE_TITLES,
    Decision,
    Meeting,
    RuleYear,
    quorum_met,
    reinvestments,
    sovereignty,
    spending_by_decision,
)
from publisher.measures import membership
from publisher.money import format_minor, parse_decimal_text
from publisher.privacy import PRIVATE, NameFinder, is_public
from publisher.site.feed import DECISIONS_FEED_PATH, FeedEntry, entry_id
from publisher.site.html import named_csv
from publisher.site.templating import reader_date, render, words
from publisher.summary import Summary

DECISIONS_PAGE = "decisions/index.md"
SOVEREIGNTY_PAGE = "self-government.md"
CHARTER_PAGE = "charter.md"
STATUS_MARK = {
    "kept": "✓ kept",
    "breached": "✗ breached",
    "pending": "… pending",
    "not applicable": "— not applicable",
}


def status_mark(status: str) -> str:
    """A rule's state for readers, a sign and a word: "✓ kept"."""
    words_ = words()
    marks = {
        "kept": "✓ " + words_.pgettext("rule of the charter", "kept"),
        "breached": "✗ " + words_.pgettext("rule of the charter", "breached"),
        "pending": "… " + words_.pgettext("rule of the charter", "pending"),
        "not applicable": "— " + words_.pgettext("rule of the charter", "not applicable"),
    }
    return marks.get(status, STATUS_MARK.get(status, status))


def status_word(status: str) -> str:
    """A rule's state as a word of the site's language ("kept", "breached")."""
    return status_mark(status).split(" ", 1)[-1]


def rule_title(rule: str) -> str:
    """What a rule of the charter is called for readers, in the site's language."""
    gettext = words().gettext
    titles = {
        "quorum": gettext("Quorum at meetings"),
        "majority": gettext("Decisions by the majority rule"),
        "spending_limit": gettext("Expenses above the limit decided by a meeting"),
        "decisions": gettext("Spending within what was decided"),
        "reinvestment": gettext("Reinvestment of the surplus"),
    }
    return titles.get(rule, RULE_TITLES.get(rule, rule))


def result_word(result: str) -> str:
    """A decision's result ("adopted", "rejected") as a word of the site's language."""
    words_ = words()
    return {
        "adopted": words_.pgettext("decision", "adopted"),
        "rejected": words_.pgettext("decision", "rejected"),
    }.get(result, result)


def decision_anchor(ident: str) -> str:
    """The HTML id of a decision on the decisions page (the page script computes the same).

    Letters, digits, "_" and "-" stay; every other character is written as its code point
    between dots, so that two ids never share an anchor ("2026.1" and "2026-1" stay apart)."""
    return "decision-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f".{ord(m.group()):x}.", ident)


def rule_anchor(rule: str) -> str:
    """The HTML id of a rule's row in the charter page's table ("compliance-spending-limit")."""
    return "compliance-" + rule.replace("_", "-")


def breach_anchor(rule: str, year: int) -> str:
    """The HTML id of the evidence of one rule in one year on the charter page (the home page
    links there when the rule was breached)."""
    return f"{rule_anchor(rule)}-{year}"


def _percent(share: Decimal | None) -> str:
    """A share of the books in the site's percentage format ("—": none)."""
    return "—" if share is None else charts.display_percent(share)


def _rule_percent(share: Decimal | None) -> str:
    """A share the charter sets (a quorum), every digit of it: "12.5 %" is not "13 %"."""
    return "—" if share is None else charts.display_percent(share, exact=True)


# -- Page data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Votes:
    """How the members voted: the text, and the bar's segments (kind, count) that are not zero."""

    text: str
    segments: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class MoneyCell:
    """An amount a decision authorized or spent, as shown. `state` is "none" (no amount: "—"),
    "amount", "proposed" (a rejected motion's amount, which authorizes nothing) or "breach"
    (spent more than authorized, by `excess`). `exact` is the amount as in the data files, for
    sorting."""

    state: str
    shown: str = ""
    exact: str = ""
    excess: str = ""


@dataclass(frozen=True)
class LedgerItem:
    """A ledger row shown under a decision or a breach; `ledger_page` and `query` lead to it in
    its year's ledger (None: no link)."""

    date: str
    text: str
    amount: str
    id: str = ""
    ledger_page: str | None = None
    query: str = ""


@dataclass(frozen=True)
class DecisionRow:
    id: str
    anchor: str
    date: str
    motion: str
    result: str
    votes: Votes
    authorized: MoneyCell
    spent: MoneyCell
    meeting_title: str
    meeting_page: str
    rows: tuple[LedgerItem, ...] = ()
    ledger_years: tuple[int, ...] = ()
    #: the query that shows only this decision's rows on a year page
    ledger_query: str = ""


@dataclass(frozen=True)
class MeetingPage:
    date: str
    present: int
    members: int
    attendance: str
    quorum: str
    decisions: tuple[DecisionRow, ...]


@dataclass(frozen=True)
class DecisionsPage:
    decisions: tuple[DecisionRow, ...]


@dataclass(frozen=True)
class RuleCell:
    mark: str
    status_class: str
    detail: str
    #: the anchor of this year's evidence below the table, when there is some
    details_anchor: str | None


@dataclass(frozen=True)
class RuleRow:
    title: str
    anchor: str
    cells: tuple[RuleCell | None, ...]  # one per year; None: the rule was not checked that year


@dataclass(frozen=True)
class RuleDetails:
    anchor: str
    title: str
    year: int
    status: str
    detail: str
    rows: tuple[LedgerItem, ...]


@dataclass(frozen=True)
class CharterCompliance:
    years: tuple[int, ...]
    rules: tuple[RuleRow, ...]
    details: tuple[RuleDetails, ...]


@dataclass(frozen=True)
class Breach:
    title: str
    detail: str
    anchor: str  # on the charter page


@dataclass(frozen=True)
class HomeCharter:
    figures: tuple[tuple[str, str, str], ...]
    sentence: str
    breaches: tuple[Breach, ...]


@dataclass(frozen=True)
class MembershipRow:
    """A year of the members table. `source` is "measures.csv", "minutes" or "" (no count);
    the template says it in words."""

    year: int
    members: str
    source: str
    as_of: str
    #: what the year's last meeting recorded, when the count comes from measures.csv and differs
    minutes_members: str
    meetings: int
    attendance: str


@dataclass(frozen=True)
class AssemblyRow:
    date: str
    title: str
    page: str
    present: int
    members: int
    attendance: str


@dataclass(frozen=True)
class MembershipSection:
    chart: Chart | None
    years: tuple[MembershipRow, ...]
    assemblies: tuple[AssemblyRow, ...]
    #: the share of the members present at each meeting; the assemblies' table folded beneath
    attendance_chart: Chart | None = None


@dataclass(frozen=True)
class SovereigntyPage:
    sections: tuple[tuple[str, Chart], ...]
    membership: MembershipSection | None = None


def votes_of(decision: Decision) -> Votes:
    """The votes of a decision, in words and as the segments of a bar."""
    text = words().gettext("%(for)s for, %(against)s against, %(abstain)s abstaining") % {
        "for": decision.votes_for,
        "against": decision.against,
        "abstain": decision.abstain,
    }
    counts = (
        ("for", decision.votes_for),
        ("against", decision.against),
        ("abstain", decision.abstain),
    )
    return Votes(text, tuple((kind, count) for kind, count in counts if count))


def authorized_money(decision: Decision, summary: Summary) -> MoneyCell:
    """The amount a decision authorized. A rejected motion authorized nothing: its amount is
    shown only as proposed, so that no reader takes it for money that may be spent."""
    if decision.amount is None:
        return MoneyCell("none")
    shown = display_money(decision.amount, summary)
    if decision.adopted:
        return MoneyCell("amount", shown, format_minor(decision.amount, summary.units))
    return MoneyCell("proposed", shown)


def spent_money(decision: Decision, spent: dict[str, int], summary: Summary) -> MoneyCell:
    """The money spent under a decision, marked as a breach when it is more than the decision
    authorized. The meeting pages and the decisions index both use it, so the two always show
    an overspent decision alike."""
    if not decision.adopted:
        return MoneyCell("none")
    paid = spent.get(decision.id, 0)
    shown, exact = display_money(paid, summary), format_minor(paid, summary.units)
    if decision.amount is None or paid <= decision.amount:
        return MoneyCell("amount", shown, exact)
    return MoneyCell("breach", shown, exact, display_money(paid - decision.amount, summary))


def _decision_row(
    decision: Decision, meeting: Meeting, summary: Summary, spent: dict[str, int]
) -> DecisionRow:
    return DecisionRow(
        id=decision.id,
        anchor=decision_anchor(decision.id),
        date=f"{decision.date:%Y-%m-%d}",
        motion=decision.motion,
        result=result_word(decision.result),
        votes=votes_of(decision),
        authorized=authorized_money(decision, summary),
        spent=spent_money(decision, spent, summary),
        meeting_title=meeting.title,
        meeting_page=meeting.path.removeprefix("content/"),
        ledger_query="decision=" + quote(decision.id, safe=""),
    )


def meeting_data(
    meeting: Meeting, cooperative: Cooperative, summary: Summary, spent: dict[str, int]
) -> MeetingPage:
    rules = cooperative.governance.rules
    met = quorum_met(meeting, rules)
    gettext = words().gettext
    if met is None:
        quorum = gettext("no quorum rule in the charter")
    elif met:
        quorum = gettext("quorum of %(share)s met") % {"share": _rule_percent(rules.quorum)}
    else:
        quorum = gettext("quorum of %(share)s not met") % {"share": _rule_percent(rules.quorum)}
    return MeetingPage(
        date=f"{meeting.date:%Y-%m-%d}",
        present=meeting.present,
        members=meeting.members,
        attendance=_percent(meeting.attendance),
        quorum=quorum,
        decisions=tuple(_decision_row(d, meeting, summary, spent) for d in meeting.decisions),
    )


def meeting_fragment(
    meeting: Meeting, cooperative: Cooperative, summary: Summary, spent: dict[str, int]
) -> str:
    """The top of a meeting's page: attendance, quorum and the decisions voted."""
    return render(
        "meeting.html.j2",
        meeting=meeting_data(meeting, cooperative, summary, spent),
        decisions_page=DECISIONS_PAGE,
    )


def decisions_data(
    cooperative: Cooperative, summary: Summary, published: pd.DataFrame, spent: dict[str, int]
) -> DecisionsPage:
    meetings = {m.path: m for m in cooperative.governance.meetings}
    rows = []
    for decision in (d for m in reversed(cooperative.governance.meetings) for d in m.decisions):
        row = _decision_row(decision, meetings[decision.meeting], summary, spent)
        under = published[published["decision"] == decision.id]
        items = tuple(
            LedgerItem(
                str(r.date),
                str(r.description),
                _published_money(r.amount, summary),
            )
            for r in under.itertuples()
        )
        years = tuple(sorted({int(r[:4]) for r in under["date"]}))
        rows.append(replace(row, rows=items, ledger_years=years))
    return DecisionsPage(tuple(rows))


def _published_money(amount: object, summary: Summary) -> str:
    """An amount of the published table (written by `format_minor`) for people."""
    minor = parse_decimal_text(str(amount), summary.units)
    if minor is None:  # the table holds only amounts it wrote itself
        raise ValueError(f"not a published amount: {amount!r}")
    return display_money(minor, summary)


def decisions_page(
    cooperative: Cooperative, summary: Summary, published: pd.DataFrame, spent: dict[str, int]
) -> str:
    """The decisions index: every decision, newest first, with its ledger rows."""
    return render(
        "decisions.md.j2",
        page=decisions_data(cooperative, summary, published, spent),
        feed=DECISIONS_FEED_PATH,
    )


def _evidence(
    cooperative: Cooperative,
    finder: NameFinder,
    pairs: tuple[tuple[str, int], ...],
    summary: Summary,
) -> tuple[LedgerItem, ...]:
    if not pairs:
        return ()
    ledger = cooperative.ledger
    wanted = set(pairs)
    mask = [(p, int(line)) in wanted for p, line in zip(ledger["path"], ledger["line"])]
    rows = ledger[mask]
    descriptions = finder.redact(rows["description"])
    return tuple(
        LedgerItem(
            date=f"{row.date:%Y-%m-%d}",
            text=str(text),
            amount=display_money(int(row.amount), summary),
            id=str(row.id or ""),
            ledger_page=f"finances/{row.date.year}.md",
            query="id=" + quote(row.id, safe="") if row.id else "q=" + quote(str(text), safe=""),
        )
        # (pandas-stubs types a row's fields as any scalar; the ledger's columns are typed)
        for row, text in zip(cast(Any, rows.itertuples()), descriptions)
    )


def reader_detail(item: RuleYear, cooperative: Cooperative, summary: Summary) -> str:
    """What a rule's check found, in the site's money format where it counts money."""
    rules = cooperative.governance.rules
    words_ = words()
    if item.rule == "spending_limit" and rules.spending_limit is not None:
        count = len(item.rows)
        return words_.ngettext(
            "%(num)s expense above %(limit)s without a decision",
            "%(num)s expenses above %(limit)s without a decision",
            count,
        ) % {"num": count, "limit": display_money(rules.spending_limit, summary)}
    if item.rule == "reinvestment":
        found = next((r for r in reinvestments(cooperative) if r.year == item.year), None)
        if found is not None:
            return words_.gettext("surplus %(net)s, moved %(moved)s by %(day)s") % {
                "net": display_money(found.net, summary),
                "moved": display_money(found.moved, summary),
                "day": reader_date(found.deadline),
            }
    meetings = [m for m in cooperative.governance.meetings if m.date.year == item.year]
    if item.rule == "quorum" and rules.quorum is not None:
        if not meetings:
            return words_.gettext("no meeting")
        quorate = sum(quorum_met(m, rules) is not False for m in meetings)
        return words_.ngettext(
            "%(quorate)s of %(num)s meeting quorate",
            "%(quorate)s of %(num)s meetings quorate",
            len(meetings),
        ) % {"quorate": quorate, "num": len(meetings)}
    if item.rule == "majority":
        voted = sum(len(m.decisions) for m in meetings)
        if not voted:
            return words_.gettext("no decision voted")
        return words_.ngettext("%(num)s decision voted", "%(num)s decisions voted", voted) % {
            "num": voted
        }
    if item.rule == "decisions":
        spent = spending_by_decision(cooperative)
        limited = [
            d
            for d in cooperative.governance.decisions().values()
            if d.adopted and d.amount is not None and d.date.year == item.year
        ]
        if not limited:
            return words_.gettext("no decision with an amount")
        over = sum(spent.get(d.id, 0) > (d.amount or 0) for d in limited)
        return words_.ngettext(
            "%(over)s of %(num)s decision with an amount overspent",
            "%(over)s of %(num)s decisions with an amount overspent",
            len(limited),
        ) % {"over": over, "num": len(limited)}
    return item.detail


def _shows_details(item: RuleYear) -> bool:
    return item.status == "breached" or (item.rule == "reinvestment" and bool(item.rows))


def charter_data(
    cooperative: Cooperative, summary: Summary, finder: NameFinder, results: list[RuleYear]
) -> CharterCompliance:
    years = tuple(sorted({r.year for r in results}))
    cell = {(r.rule, r.year): r for r in results}
    rules = []
    for rule in dict.fromkeys(r.rule for r in results):
        cells = []
        for year in years:
            item = cell.get((rule, year))
            cells.append(
                None
                if item is None
                else RuleCell(
                    mark=status_mark(item.status),
                    status_class=item.status.replace(" ", "-"),
                    detail=reader_detail(item, cooperative, summary),
                    details_anchor=breach_anchor(rule, year) if _shows_details(item) else None,
                )
            )
        rules.append(RuleRow(rule_title(rule), rule_anchor(rule), tuple(cells)))
    details = tuple(
        RuleDetails(
            anchor=breach_anchor(item.rule, item.year),
            title=rule_title(item.rule),
            year=item.year,
            status=status_word(item.status),
            detail=reader_detail(item, cooperative, summary),
            rows=_evidence(cooperative, finder, item.rows, summary),
        )
        for item in results
        if _shows_details(item)
    )
    return CharterCompliance(years, tuple(rules), details)


def charter_fragment(
    cooperative: Cooperative, summary: Summary, finder: NameFinder, results: list[RuleYear]
) -> str:
    """The end of the charter's page: each rule kept or breached, year by year, and the evidence."""
    return render("charter.html.j2", charter=charter_data(cooperative, summary, finder, results))


def home_data(
    cooperative: Cooperative, summary: Summary, results: list[RuleYear], year: int
) -> HomeCharter | None:
    this_year = [r for r in results if r.year == year]
    if not this_year:
        return None
    current = next((y for y in sovereignty(cooperative, lambda name: name) if y.year == year), None)
    figures: tuple[tuple[str, str, str], ...] = ()
    words_ = words()
    gettext = words_.gettext
    if current is not None:
        figures = (
            (
                gettext("Spending decided by the assembly, %(year)s") % {"year": year},
                _percent(current.authorized_share),
                gettext("of all expense"),
            ),
            (
                gettext("Attendance at meetings, %(year)s") % {"year": year},
                _percent(current.attendance),
                gettext("average share of members present"),
            ),
            (
                gettext("Decisions adopted, %(year)s") % {"year": year},
                str(current.decisions_adopted),
                words_.ngettext("%(num)s rejected", "%(num)s rejected", current.decisions_rejected)
                % {"num": current.decisions_rejected},
            ),
        )
    kept = sum(r.status == "kept" for r in this_year)
    breached = [r for r in this_year if r.status == "breached"]
    pending = sum(r.status == "pending" for r in this_year)
    sentence = gettext("In %(year)s, %(kept)s rules of the charter kept, %(breached)s breached") % {
        "year": year,
        "kept": kept,
        "breached": len(breached),
    }
    if pending:
        sentence += gettext(", %(pending)s still pending") % {"pending": pending}
    return HomeCharter(
        figures=figures,
        sentence=sentence,
        breaches=tuple(
            Breach(
                rule_title(r.rule),
                reader_detail(r, cooperative, summary),
                breach_anchor(r.rule, r.year),
            )
            for r in breached
        ),
    )


def home_line(
    cooperative: Cooperative, results: list[RuleYear], year: int, summary: Summary
) -> Markup:
    """The home page's lines on the charter this year: the figures of self-government, how many
    rules were kept, and each rule breached with a link to its evidence."""
    home = home_data(cooperative, summary, results, year)
    if home is None:
        return Markup("")
    # Markup: the home page's own template prints it as the markup it is.
    return Markup(render("home-charter.html.j2", home=home, sovereignty_page=SOVEREIGNTY_PAGE))


def _count(value: Decimal | int, summary: Summary) -> str:
    """A count for readers, in the site's language ("1,250"; a level may have decimals)."""
    locale = (getattr(summary, "locale", None) or "en").replace("-", "_")
    return format_decimal(value, locale=locale, decimal_quantization=False)


def membership_data(
    cooperative: Cooperative, summary: Summary, chart_files: dict[str, Chart]
) -> MembershipSection | None:
    """Members over time (a chart, added to `chart_files`, and a table per year with where each
    count comes from) and the attendance of each members' meeting. None: nothing to show."""
    years = membership(cooperative)
    if not years:
        return None
    rows = tuple(
        MembershipRow(
            year=y.year,
            members="—" if y.members is None else _count(y.members, summary),
            source=y.source or "",
            as_of="" if y.as_of is None else f"{y.as_of:%Y-%m-%d}",
            minutes_members=_count(y.minutes_members, summary)
            if y.minutes_members is not None
            and y.source == "measures.csv"
            and y.members != y.minutes_members
            else "",
            meetings=y.meetings,
            attendance=_percent(y.attendance),
        )
        for y in years
    )
    assemblies = tuple(
        AssemblyRow(
            date=f"{a.date:%Y-%m-%d}",
            title=a.title,
            page=a.path.removeprefix("content/"),
            present=a.present,
            members=a.members,
            attendance=_percent(a.attendance),
        )
        for y in reversed(years)
        for a in reversed(y.assemblies)
    )
    chart = None
    if any(y.members is not None for y in years):
        gettext = words().gettext
        chart = charts.yearly_bars(
            "self-government-members",
            gettext("Members"),
            gettext(
                "How many members the cooperative had at each year's last count: the members "
                "measure of measures.csv where it is kept, else the last meeting's minutes."
            ),
            "members",
            [y.year for y in years],
            [y.members for y in years],
            [row.members for row in rows],
        )
        chart_files[chart.id] = chart
    attendance_chart = None
    held = [a for y in years for a in y.assemblies]
    if held:
        gettext = words().gettext
        attendance_chart = charts.attendance_by_meeting(
            "self-government-attendance-by-meeting",
            gettext("Attendance at each meeting"),
            gettext(
                "The share of the members present at each members' meeting, oldest first: "
                "present ÷ members, as the minutes record them, in percent."
            ),
            [(a.date, a.present, a.members) for a in held],
        )
        chart_files[attendance_chart.id] = attendance_chart
    return MembershipSection(chart, rows, assemblies, attendance_chart)


def sovereignty_page(
    cooperative: Cooperative, summary: Summary, chart_files: dict[str, Chart]
) -> str:
    """The figures of self-government, year by year, one chart each (added to `chart_files`)."""
    public = cooperative.accounts.public_counterparties

    def public_name(name: str) -> str:
        return name if is_public(pd.Series([name], dtype="str"), public)[0] else PRIVATE

    years = sovereignty(cooperative, public_name)
    members = membership_data(cooperative, summary, chart_files)
    if not years:
        return render("sovereignty.md.j2", page=SovereigntyPage((), members))
    labels = [y.year for y in years]
    rules = cooperative.governance.rules
    hundred = Decimal(100)
    fund = rules.reinvestment_fund or ""  # set whenever the caption names it (with the share)
    fund_label = cooperative.accounts.funds.get(fund, fund)

    def pct(share: Decimal | None) -> Decimal | None:
        return (
            None
            if share is None
            else (share * hundred).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        )

    def money(minor: int | Decimal | None) -> Decimal | None:
        return (
            None
            if minor is None
            else (Decimal(minor) / Decimal(10**summary.units)).quantize(
                Decimal(1).scaleb(-summary.units)
            )
        )

    words_ = words()
    gettext = words_.gettext
    # (id, title, caption, axis, values, values as shown, target values)
    specs: list[
        tuple[str, str, str, str, list[Decimal | None], list[str], list[Decimal | None] | None]
    ] = [
        (
            "authorized-share",
            gettext("Spending decided by the assembly"),
            gettext(
                "The share of each year's expense spent under a decision of a members' meeting, in percent."
            ),
            "%",
            [pct(y.authorized_share) for y in years],
            [_percent(y.authorized_share) for y in years],
            None,
        ),
        (
            "attendance",
            gettext("Attendance at meetings"),
            gettext("The average share of members present at the year's meetings, in percent."),
            "%",
            [pct(y.attendance) for y in years],
            [_percent(y.attendance) for y in years],
            None,
        ),
        (
            "decisions-taken",
            gettext("Decisions taken"),
            gettext(
                "How many decisions the members' meetings adopted each year (rejected ones in the table)."
            ),
            "decisions",
            [Decimal(y.decisions_adopted) for y in years],
            [
                gettext("%(adopted)s adopted, %(rejected)s rejected")
                % {"adopted": y.decisions_adopted, "rejected": y.decisions_rejected}
                for y in years
            ],
            None,
        ),
        (
            "capital",
            gettext("Lasting collective assets"),
            gettext(
                "Spending on categories marked as capital (tools, machines, shares), in %(currency)s."
            )
            % {"currency": summary.currency},
            summary.currency,
            [money(y.capital) for y in years],
            [display_money(y.capital, summary) for y in years],
            None,
        ),
        (
            "reinvested",
            gettext("Moved into the common fund"),
            gettext(
                "What moved into the fund “%(fund)s” by 31 March after each year, against "
                "the charter's target of %(share)s of the year's surplus, in %(currency)s."
            )
            % {
                "fund": fund_label,
                # The charter's own figure: every digit of it ("12.5 %" is not "13 %").
                "share": charts.display_percent(rules.reinvestment_share, exact=True),
                "currency": summary.currency,
            }
            if rules.reinvestment_share is not None
            else gettext(
                "The charter sets no reinvestment rule; nothing is counted, in %(currency)s."
            )
            % {"currency": summary.currency},
            summary.currency,
            [money(y.reinvestment_moved) for y in years],
            [
                "—"
                if y.reinvestment_moved is None
                else display_money(y.reinvestment_moved, summary)
                for y in years
            ],
            [money(y.reinvestment_required) for y in years],
        ),
        (
            "dependency",
            gettext("Dependency on the largest source"),
            gettext(
                "The share of each year's income that came from its single largest named source, in percent "
                "(the source is named in the table when it is public)."
            ),
            "%",
            [pct(y.dependency) for y in years],
            [
                f"{_percent(y.dependency)}" + (f" ({y.largest_source})" if y.largest_source else "")
                for y in years
            ],
            None,
        ),
    ]
    sections = []
    for chart_id, title, caption, axis, values, shown, target in specs:
        chart = charts.yearly_bars(
            f"self-government-{chart_id}",
            title,
            caption,
            axis,
            labels,
            values,
            shown,
            target=target,
        )
        chart_files[chart.id] = chart
        sections.append((title, chart))
    return render("sovereignty.md.j2", page=SovereigntyPage(tuple(sections), members))


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
        "id",
        "date",
        "meeting",
        "motion",
        "for",
        "against",
        "abstain",
        "result",
        "amount_proposed",
        "amount_authorized",
        "spent",
    ]
    amounts = {"for", "against", "abstain", "amount_proposed", "amount_authorized", "spent"}
    return named_csv(columns, rows, amounts)


def decision_feed_entries(cooperative: Cooperative, summary: Summary) -> list[FeedEntry]:
    """One feed entry per decision; its id comes from the cooperative's name and the decision's."""
    entries = []
    for meeting in cooperative.governance.meetings:
        for d in meeting.decisions:
            gettext = words().gettext
            if d.amount is None:
                amount = ""
            elif d.adopted:
                amount = gettext(", authorizing %(amount)s") % {
                    "amount": display_money(d.amount, summary)
                }
            else:
                amount = gettext(" (proposed %(amount)s, not authorized)") % {
                    "amount": display_money(d.amount, summary)
                }
            values = {
                "id": d.id,
                "result": result_word(d.result),
                "motion": d.motion,
                "meeting": meeting.title,
                "for": d.votes_for,
                "against": d.against,
                "abstain": d.abstain,
                "amount": amount,
            }
            entries.append(
                FeedEntry(
                    id=entry_id(summary.name, "decision", d.id),
                    title=gettext("Decision %(id)s (%(result)s): %(motion)s") % values,
                    url=f"decisions/#{decision_anchor(d.id)}",
                    published=dt.datetime(d.date.year, d.date.month, d.date.day, tzinfo=dt.UTC),
                    authors=(meeting.title,),
                    categories=(d.result,),
                    summary=gettext(
                        "%(meeting)s: %(for)s for, %(against)s against, %(abstain)s abstaining; "
                        "%(result)s%(amount)s."
                    )
                    % values,
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
        field(
            "amount_proposed", "number", "Spending the motion proposed, if any, whatever the result"
        ),
        field(
            "amount_authorized", "number", "Spending the decision authorized: empty unless adopted"
        ),
        field("spent", "number", "Money paid out so far by ledger rows citing the decision"),
    ]
