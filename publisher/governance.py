"""The charter, the minutes and their decisions: reading, checking, and what was kept.

The charter's rules (content/charter.md) and each meeting's record (content/minutes/*.md) live
in YAML front matter. Reading them reports every bad field with the line of its key; the checks
below hold the minutes to the charter and the ledgers to the decisions. `compliance` and
`sovereignty` turn the same records into the yearly figures the site shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd

from publisher.accounts import Accounts, did_you_mean
from publisher.checking import Check, row_problems
from publisher.i18n import _
from publisher.markdownfile import parse_markdown
from publisher.money import format_minor, parse_decimal_text
from publisher.problems import Problem, problem
from publisher.yamlfile import key_line, mapping_line, value_line
from ruamel.yaml.scalarint import ScalarInt

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

CHARTER_PATH = "content/charter.md"
MINUTES_DIR = "content/minutes"
MAJORITY_RULES = ("simple", "two-thirds", "consensus")
RESULTS = ("adopted", "rejected")
RULE_KEYS = ("quorum", "majority", "spending_limit", "reinvestment")
REINVESTMENT_KEYS = ("share", "fund")
DECISION_KEYS = ("id", "motion", "for", "against", "abstain", "result", "amount", "category")
#: Front matter starts on the file's second line, after "---".
FRONT_MATTER_OFFSET = 1
#: Reinvestment is due by this day (month, day) of the year after the result.
REINVESTMENT_DEADLINE = (3, 31)


@dataclass(frozen=True)
class Rules:
    quorum: Decimal | None = None
    #: "simple", "two-thirds", "consensus", or a share of the votes cast
    majority: str | Decimal | None = None
    spending_limit: int | None = None  # minor units
    reinvestment_share: Decimal | None = None
    reinvestment_fund: str | None = None


@dataclass(frozen=True)
class Charter:
    path: str
    rules: Rules
    #: rule key (and "reinvestment.share") -> line in the file
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    id: str
    meeting: str  # path of the minutes
    date: dt.date
    motion: str
    votes_for: int
    against: int
    abstain: int
    result: str
    amount: int | None  # minor units
    category: str | None
    line: int | None  # line of the decision in the minutes
    result_line: int | None = None
    motion_line: int | None = None

    @property
    def adopted(self) -> bool:
        return self.result == "adopted"


@dataclass(frozen=True)
class Meeting:
    path: str
    title: str
    date: dt.date
    members: int
    present: int
    decisions: tuple[Decision, ...]
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def attendance(self) -> Decimal:
        return Decimal(self.present) / Decimal(self.members) if self.members else Decimal(0)


@dataclass(frozen=True)
class Governance:
    charter: Charter | None = None
    meetings: tuple[Meeting, ...] = ()

    @property
    def rules(self) -> Rules:
        return self.charter.rules if self.charter else Rules()

    def decisions(self) -> dict[str, Decision]:
        """Every decision by id (the first, where an id is used twice)."""
        found: dict[str, Decision] = {}
        for meeting in self.meetings:
            for decision in meeting.decisions:
                found.setdefault(decision.id, decision)
        return found


def redacted_governance(governance: Governance, finder) -> Governance:
    """The same records with private names replaced in titles and motions (for publishing)."""
    if not finder:
        return governance
    meetings = tuple(
        replace(
            meeting,
            title=finder.redact_text(meeting.title),
            decisions=tuple(
                replace(d, motion=finder.redact_text(d.motion)) for d in meeting.decisions
            ),
        )
        for meeting in governance.meetings
    )
    return replace(governance, meetings=meetings)


# -- Reading ----------------------------------------------------------------------------------


class _Fields:
    """Validation of one front-matter mapping, with the line of each key."""

    def __init__(
        self,
        path: str,
        mapping: Any,
        problems: list[Problem],
        line_offset: int = FRONT_MATTER_OFFSET,
    ):
        self.path, self.mapping, self.problems = path, mapping, problems
        self.offset = line_offset

    def line(self, key: str) -> int | None:
        if key in self.mapping:
            return value_line(self.mapping, key, self.offset)
        return mapping_line(self.mapping, self.offset)

    def report(self, code: str, key: str, message: str) -> None:
        self.problems.append(problem(code, self.path, self.line(key), message))

    def required(self, key: str, what: str) -> bool:
        value = self.mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.append(
                problem(
                    "minutes-field-missing",
                    self.path,
                    mapping_line(self.mapping, self.offset) or 1,
                    _('The minutes need "{key}": {what}.').format(key=key, what=what),
                )
            )
            return False
        return True

    def count(self, key: str, what: str, required: bool = True) -> int | None:
        if not required and self.mapping.get(key) is None:
            return 0
        if not self.required(key, what):
            return None
        value = self.mapping[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.report(
                "minutes-field-invalid",
                key,
                _('"{key}" must be a whole number (0 or more), not "{value}".').format(
                    key=key, value=value
                ),
            )
            return None
        return value

    def date(self, key: str, what: str) -> dt.date | None:
        if not self.required(key, what):
            return None
        value = self.mapping[key]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.report(
            "minutes-field-invalid",
            key,
            _('"{key}" must be a date written YYYY-MM-DD, not "{value}".').format(
                key=key, value=value
            ),
        )
        return None

    def text(self, key: str, what: str, required: bool = True) -> str | None:
        value = self.mapping.get(key)
        if value is None:
            if required:
                self.required(key, what)
            return None
        if isinstance(value, (dict, list)):
            self.report("minutes-field-invalid", key, _('"{key}" must be text.').format(key=key))
            return None
        text = str(value).strip()
        if not text and required:
            self.required(key, what)
            return None
        return text


def _meeting_title(parsed_title: str | None, date: dt.date | None) -> str:
    return parsed_title or (f"Meeting of {date:%Y-%m-%d}" if date else "Meeting")


def read_minutes(text: str, path: str, accounts: Accounts) -> tuple[Meeting | None, list[Problem]]:
    parsed = parse_markdown(text, path)
    problems = list(parsed.problems)
    if problems:
        return None, problems
    meta = parsed.meta
    if not meta:
        return None, [
            problem(
                "minutes-field-missing",
                path,
                1,
                _(
                    "These minutes have no front matter: start the file with --- and the meeting's "
                    "date, members and present (see the formats documentation)."
                ),
            )
        ]
    fields = _Fields(path, meta, problems)
    date = fields.date("date", _("the day of the meeting, YYYY-MM-DD"))
    members = fields.count("members", _("how many members were entitled to vote that day"))
    present = fields.count("present", _("how many members were present"))
    if members is not None and present is not None and present > members:
        fields.report(
            "minutes-present-exceeds-members",
            "present",
            _(
                "{present} members present, but only {members} entitled to vote: correct one of the two."
            ).format(present=present, members=members),
        )
    decisions: list[Decision] = []
    raw = meta.get("decisions")
    if raw is not None and not isinstance(raw, list):
        fields.report(
            "minutes-field-invalid",
            "decisions",
            _('"decisions" must be a list, each item starting with "- id:".'),
        )
        raw = []
    for index, item in enumerate(raw or []):
        decision = _read_decision(
            item, _item_line(raw, index), path, date, present, accounts, problems
        )
        if decision is not None:
            decisions.append(decision)
    if date is None or members is None or present is None:
        return None, problems
    if "title" in meta and not isinstance(meta["title"], str):
        fields.report("minutes-field-invalid", "title", _('"title" must be text.'))
    lines = {key: key_line(meta, key, FRONT_MATTER_OFFSET) or 1 for key in meta}
    title = _meeting_title(parsed.title, date)
    return Meeting(path, title, date, members, present, tuple(decisions), lines), problems


def _item_line(items: Any, index: int) -> int | None:
    try:
        return items.lc.item(index)[0] + 1 + FRONT_MATTER_OFFSET
    except (AttributeError, KeyError, TypeError):
        return None


def _read_decision(
    item: Any,
    line: int | None,
    path: str,
    date: dt.date | None,
    present: int | None,
    accounts: Accounts,
    problems: list[Problem],
) -> Decision | None:
    if not isinstance(item, dict):
        problems.append(
            problem(
                "minutes-field-invalid",
                path,
                line,
                _('Each decision must be a mapping starting with "- id:".'),
            )
        )
        return None
    fields = _Fields(path, item, problems)
    for key in item:
        if key not in DECISION_KEYS:
            fields.report(
                "minutes-key-unknown",
                str(key),
                _('"{key}" is not a field of a decision and is ignored.{suggestion}').format(
                    key=key, suggestion=did_you_mean(str(key), DECISION_KEYS)
                ),
            )
    ident = fields.text("id", _("the decision's id, unique across all minutes"))
    motion = fields.text("motion", _("what was voted on"), required=False) or ""
    votes = [
        fields.count(key, _("the number of votes {key}").format(key=key))
        for key in ("for", "against", "abstain")
    ]
    result = fields.text("result", _("adopted or rejected"))
    if result is not None and result not in RESULTS:
        fields.report(
            "minutes-field-invalid",
            "result",
            _('"result" must be "adopted" or "rejected", not "{result}".').format(result=result),
        )
        result = None
    amount = None
    if item.get("amount") is not None:
        value = item["amount"]
        # Plain numbers only: YAML also reads 0x10, 0o17 and 1_000 as numbers, ledgers do not.
        plain = not isinstance(value, (bool, ScalarInt)) and isinstance(value, (int, Decimal, str))
        amount = parse_decimal_text(str(value), accounts.minor_units) if plain else None
        if amount is None or amount < 0:
            fields.report(
                "minutes-field-invalid",
                "amount",
                _(
                    '"amount" must be a positive amount in {currency} with at most '
                    '{minor_units} decimals, such as 850.00, not "{item}".'
                ).format(
                    currency=accounts.currency,
                    minor_units=accounts.minor_units,
                    item=item["amount"],
                ),
            )
            amount = None
    category = fields.text("category", "", required=False)
    if category and category not in accounts.categories:
        fields.report(
            "minutes-field-invalid",
            "category",
            _(
                'The category "{category}" is not declared in ledgers/accounts.yml.{suggestion}'
            ).format(category=category, suggestion=did_you_mean(category, accounts.categories)),
        )
    votes_for, against, abstain = votes
    if votes_for is None or against is None or abstain is None:
        return None
    if ident is None or result is None or date is None:
        return None
    if present is not None and votes_for + against + abstain > present:
        fields.report(
            "minutes-tally-exceeds-present",
            "for",
            _(
                "The decision {ident} counts {value} votes "
                "({votes_for} for, {against} against, {abstain} abstaining) but only {present} "
                "members were present."
            ).format(
                ident=ident,
                value=votes_for + against + abstain,
                votes_for=votes_for,
                against=against,
                abstain=abstain,
                present=present,
            ),
        )
    return Decision(
        id=ident,
        meeting=path,
        date=date,
        motion=motion,
        votes_for=votes_for,
        against=against,
        abstain=abstain,
        result=result,
        amount=amount,
        category=category,
        line=mapping_line(item, FRONT_MATTER_OFFSET),
        result_line=value_line(item, "result", FRONT_MATTER_OFFSET),
        motion_line=value_line(item, "motion", FRONT_MATTER_OFFSET) if "motion" in item else None,
    )


def read_charter(text: str, path: str, accounts: Accounts) -> tuple[Charter, list[Problem]]:
    parsed = parse_markdown(text, path)
    problems = list(parsed.problems)
    rules_map = parsed.meta.get("rules") if not problems else None
    if rules_map is None:
        return Charter(path, Rules()), problems
    if not isinstance(rules_map, dict):
        problems.append(
            problem(
                "charter-rule-invalid",
                path,
                key_line(parsed.meta, "rules", 1),
                _('"rules" must be a mapping of rules.'),
            )
        )
        return Charter(path, Rules()), problems
    lines: dict[str, int] = {}

    def report(code: str, key: str, message: str, mapping: Any = rules_map) -> None:
        problems.append(problem(code, path, value_line(mapping, key, 1), message))

    for key in rules_map:
        lines[str(key)] = key_line(rules_map, key, 1) or 1
        if key not in RULE_KEYS:
            report(
                "charter-key-unknown",
                key,
                _(
                    '"{key}" is not a rule the publisher knows.{suggestion} The rules '
                    "are: {rule_keys}."
                ).format(
                    key=key,
                    suggestion=did_you_mean(str(key), RULE_KEYS),
                    rule_keys=", ".join(RULE_KEYS),
                ),
            )
    quorum = _share(rules_map.get("quorum"))
    if "quorum" in rules_map and (quorum is None or not (0 < quorum <= 1)):
        report(
            "charter-rule-invalid",
            "quorum",
            _('"quorum" must be a share above 0 and at most 1, such as 0.5, not "{value}".').format(
                value=rules_map.get("quorum")
            ),
        )
        quorum = None
    majority: str | Decimal | None = None
    if "majority" in rules_map:
        value = rules_map.get("majority")
        if isinstance(value, str) and value in MAJORITY_RULES:
            majority = value
        else:
            share = _share(value)
            if share is not None and Decimal("0.5") <= share <= 1:
                majority = share
            else:
                report(
                    "charter-rule-invalid",
                    "majority",
                    _(
                        '"majority" must be simple, two-thirds, consensus or a share from 0.5 to 1 '
                        '(such as 0.6), not "{value}".'
                    ).format(value=value),
                )
    limit = None
    if "spending_limit" in rules_map:
        limit = parse_decimal_text(str(rules_map.get("spending_limit")), accounts.minor_units)
        if limit is None or limit < 0:
            report(
                "charter-rule-invalid",
                "spending_limit",
                _(
                    '"spending_limit" must be an amount of 0 or more in {currency}, not "{value}".'
                ).format(currency=accounts.currency, value=rules_map.get("spending_limit")),
            )
            limit = None
    share = fund = None
    if "reinvestment" in rules_map:
        reinvestment = rules_map.get("reinvestment")
        if not isinstance(reinvestment, dict):
            report(
                "charter-rule-invalid",
                "reinvestment",
                _('"reinvestment" must hold a share and a fund.'),
            )
        else:
            lines["reinvestment.share"] = (
                value_line(reinvestment, "share", 1) or lines["reinvestment"]
            )
            for key in reinvestment:
                if key not in REINVESTMENT_KEYS:
                    report(
                        "charter-key-unknown",
                        key,
                        _('"{key}" is not part of the reinvestment rule (share, fund).').format(
                            key=key
                        ),
                        reinvestment,
                    )
            share = _share(reinvestment.get("share"))
            if share is None or not (0 < share <= 1):
                report(
                    "charter-rule-invalid",
                    "share",
                    _(
                        'The reinvestment "share" must be above 0 and at most 1, such as 0.25, not "{value}".'
                    ).format(value=reinvestment.get("share")),
                    reinvestment,
                )
                share = None
            fund = reinvestment.get("fund")
            if not isinstance(fund, str) or fund not in accounts.funds:
                report(
                    "charter-rule-invalid",
                    "fund",
                    _(
                        'The reinvestment fund "{fund}" is not a fund of ledgers/accounts.yml.{suggestion}'
                    ).format(fund=fund, suggestion=did_you_mean(str(fund), accounts.funds)),
                    reinvestment,
                )
                fund = None
            if share is None or fund is None:
                share = fund = None
    return Charter(path, Rules(quorum, majority, limit, share, fund), lines), problems


def _share(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        share = Decimal(str(value))
    except ArithmeticError:
        return None
    return share if share.is_finite() else None


def read_governance(root: Path, accounts: Accounts, read_text) -> tuple[Governance, list[Problem]]:
    """Read content/charter.md and content/minutes/*.md; `read_text(root, relative)` reads a
    file as text or says why it cannot."""
    problems: list[Problem] = []
    charter = None
    if (root / CHARTER_PATH).is_file():
        text, file_problems = read_text(root, CHARTER_PATH)
        problems += file_problems
        if text is not None:
            charter, charter_problems = read_charter(text, CHARTER_PATH, accounts)
            problems += charter_problems
    meetings: list[Meeting] = []
    minutes_dir = root / MINUTES_DIR
    if minutes_dir.is_dir():
        for path in sorted(minutes_dir.glob("*.md")):
            if not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            text, file_problems = read_text(root, relative)
            problems += file_problems
            if text is None:
                continue
            meeting, meeting_problems = read_minutes(text, relative, accounts)
            problems += meeting_problems
            if meeting is not None:
                meetings.append(meeting)
    meetings.sort(key=lambda m: (m.date, m.path))
    return Governance(charter, tuple(meetings)), problems


# -- Rules ------------------------------------------------------------------------------------


def passes(decision: Decision, majority: str | Decimal) -> bool:
    """Whether the votes carry the motion under the rule; abstentions do not count."""
    votes_for, against = decision.votes_for, decision.against
    if votes_for == 0:
        return False
    if majority == "simple":
        return votes_for > against
    if majority == "two-thirds":
        return 3 * votes_for >= 2 * (votes_for + against)
    if majority == "consensus":
        return against == 0
    return Decimal(votes_for) >= Decimal(majority) * (votes_for + against)


def quorum_met(meeting: Meeting, rules: Rules) -> bool | None:
    if rules.quorum is None:
        return None
    return Decimal(meeting.present) >= rules.quorum * meeting.members


def _majority_text(majority: str | Decimal) -> str:
    if isinstance(majority, Decimal):
        return f"at least {majority * 100:g} % of the votes cast"
    return {
        "simple": "more votes for than against",
        "two-thirds": "at least two thirds of the votes cast",
        "consensus": "no vote against",
    }[majority]


def check_minutes(cooperative: Cooperative) -> Iterable[Problem]:
    governance = cooperative.governance
    rules = governance.rules
    problems: list[Problem] = []
    seen: dict[str, Decision] = {}
    for meeting in governance.meetings:
        below_quorum = quorum_met(meeting, rules) is False
        for decision in meeting.decisions:
            if decision.id in seen:
                first = seen[decision.id]
                problems.append(
                    problem(
                        "decision-id-duplicate",
                        meeting.path,
                        decision.line,
                        _(
                            'The decision id "{id}" is already used in {meeting} (line '
                            "{line}); ids are unique across all minutes. Give this decision its own id."
                        ).format(id=decision.id, meeting=first.meeting, line=first.line),
                    )
                )
            else:
                seen[decision.id] = decision
            if rules.majority is not None and passes(decision, rules.majority) != decision.adopted:
                outcome = "carries" if passes(decision, rules.majority) else "does not carry"
                problems.append(
                    problem(
                        "decision-result-contradicts-majority",
                        meeting.path,
                        decision.result_line,
                        _(
                            "Decision {id} is recorded as {result}, but with "
                            "{votes_for} for and {against} against (abstentions do not "
                            "count) it {outcome} under the charter's majority rule ({majority_text}). "
                            "Correct the tally or the result."
                        ).format(
                            id=decision.id,
                            result=decision.result,
                            votes_for=decision.votes_for,
                            against=decision.against,
                            outcome=outcome,
                            majority_text=_majority_text(rules.majority),
                        ),
                    )
                )
            if below_quorum and decision.adopted and rules.quorum is not None:
                problems.append(
                    problem(
                        "decision-adopted-without-quorum",
                        meeting.path,
                        decision.result_line,
                        _(
                            "Decision {id} is recorded as adopted, but only {present} of "
                            "{members} members were present, below the charter's quorum of "
                            "{value:g} %: a meeting without quorum cannot adopt decisions."
                        ).format(
                            id=decision.id,
                            present=meeting.present,
                            members=meeting.members,
                            value=rules.quorum * 100,
                        ),
                    )
                )
    return problems


def _cited(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame) or "decision" not in frame.columns:
        return frame.iloc[0:0] if len(frame.columns) else frame
    return frame[(frame["decision"].str.len() > 0).to_numpy()]


def check_cited_decisions(cooperative: Cooperative) -> Iterable[Problem]:
    """Ledger rows and budget lines may cite only adopted decisions, taken on or before them."""
    decisions = cooperative.governance.decisions()
    problems: list[Problem] = []
    for frame in (cooperative.ledger, cooperative.budget):
        cited = _cited(frame)
        if not len(cited):
            continue
        ids = cited["decision"]
        unknown = ~ids.isin(decisions).to_numpy()
        problems += row_problems(
            cited,
            unknown,
            "decision-unknown",
            "decision",
            lambda row: _(
                'No minutes record a decision "{decision}".'
                "{suggestion} Cite the id of a decision in content/minutes/, "
                "or leave the cell empty."
            ).format(decision=row.decision, suggestion=did_you_mean(row.decision, decisions)),
            cooperative.locate,
        )
        rejected = ids.map(lambda d: d in decisions and not decisions[d].adopted).to_numpy(
            dtype=bool
        )
        problems += row_problems(
            cited,
            rejected,
            "decision-rejected",
            "decision",
            lambda row: _(
                'Decision "{decision}" was rejected on {date:%Y-%m-%d}: '
                "money cannot move under it. Cite the decision that did authorize this, or none."
            ).format(decision=row.decision, date=decisions[row.decision].date),
            cooperative.locate,
        )
        if "date" in cited.columns:
            decided = pd.to_datetime(
                ids.map(lambda d: decisions[d].date if d in decisions else None)
            )
            late = (decided > cited["date"]).to_numpy(dtype=bool)
            problems += row_problems(
                cited,
                late,
                "decision-after-row",
                "decision",
                lambda row: _(
                    'Decision "{decision}" was taken on {decision_date:%Y-%m-%d}, '
                    "after this row ({row_date:%Y-%m-%d}): a decision can only authorize what comes after it. "
                    "Check the date or the decision id."
                ).format(
                    decision=row.decision,
                    decision_date=decisions[row.decision].date,
                    row_date=row.date,
                ),
                cooperative.locate,
            )
    return problems


def spending_by_decision(cooperative: Cooperative) -> dict[str, int]:
    """Money paid out under each decision: expense rows (refunds reduce it) and money moved
    out of a fund by transfers, in minor units."""
    cited = _cited(cooperative.ledger)
    if not len(cited) or "kind" not in cited.columns:
        return {}
    amount = cited["amount"].fillna(0).astype("int64")
    kind = cited["kind"]
    paid = np.where(
        kind == "expense", -amount, np.where((kind == "transfer") & (amount < 0), -amount, 0)
    )
    return {
        str(k): int(v)
        for k, v in pd.Series(paid, index=cited.index).groupby(cited["decision"]).sum().items()
    }


def check_decision_spending(cooperative: Cooperative) -> Iterable[Problem]:
    decisions = cooperative.governance.decisions()
    units = cooperative.accounts.minor_units
    problems = []
    for ident, spent in spending_by_decision(cooperative).items():
        decision = decisions.get(ident)
        # A rejected decision authorized nothing; citing it is already an error (decision-rejected).
        if (
            decision is None
            or not decision.adopted
            or decision.amount is None
            or spent <= decision.amount
        ):
            continue
        problems.append(
            problem(
                "decision-overspent",
                decision.meeting,
                decision.line,
                _(
                    "Decision {ident} authorized {authorized}, but the ledger rows "
                    "citing it spend {spent}: "
                    "{overspent} more than decided. Published as a "
                    "breach of what the assembly decided."
                ).format(
                    ident=ident,
                    authorized=format_minor(decision.amount, units),
                    spent=format_minor(spent, units),
                    overspent=format_minor(spent - decision.amount, units),
                ),
            )
        )
    return problems


def check_spending_limit(cooperative: Cooperative) -> Iterable[Problem]:
    limit = cooperative.governance.rules.spending_limit
    ledger = cooperative.ledger
    if limit is None or not len(ledger) or "kind" not in ledger.columns:
        return []
    units = cooperative.accounts.minor_units
    over = (
        (ledger["kind"] == "expense")
        & (ledger["amount"] < -limit)
        & (ledger["decision"].str.len() == 0)
    )
    return row_problems(
        ledger,
        over.fillna(False).to_numpy(dtype=bool),
        "spending-limit-exceeded",
        "amount",
        lambda row: _(
            "An expense of {expense} cites no decision, but the charter "
            "requires an adopted decision for any expense above {limit}. Published as "
            "a breach of the charter; if a meeting did decide it, cite that decision's id."
        ).format(expense=format_minor(-row.amount, units), limit=format_minor(limit, units)),
        cooperative.locate,
    )


# -- Reinvestment, compliance and the figures of self-government --------------------------------

#: How a charter rule fared in a year (pending: its deadline has not passed yet).
RuleStatus = Literal["kept", "breached", "not applicable", "pending"]


@dataclass(frozen=True)
class Reinvestment:
    year: int
    net: int
    required: Decimal  # minor units, exact
    moved: int
    deadline: dt.date
    rows: tuple[tuple[str, int], ...]  # (path, line) of the transfers counted

    def status(self, today: dt.date) -> RuleStatus:
        if self.net <= 0:
            return "not applicable"
        if self.moved >= self.required:
            return "kept"
        return "pending" if today <= self.deadline else "breached"


def yearly_net(cooperative: Cooperative) -> dict[int, int]:
    ledger = cooperative.ledger
    if not len(ledger) or "kind" not in ledger.columns:
        return {}
    year = ledger["date"].dt.year
    amount = ledger["amount"].fillna(0).astype("int64")
    counted = ledger["kind"].isin(["income", "expense"])
    sums = amount[counted].groupby(year[counted]).sum()
    return {int(y): int(v) for y, v in zip(sums.index, sums)}


def reinvestments(cooperative: Cooperative) -> list[Reinvestment]:
    rules = cooperative.governance.rules
    if rules.reinvestment_share is None or rules.reinvestment_fund is None:
        return []
    ledger = cooperative.ledger
    into_fund = (
        ledger[
            (
                (ledger["kind"] == "transfer")
                & (ledger["fund"] == rules.reinvestment_fund)
                & (ledger["amount"] > 0)
            )
            .fillna(False)
            .to_numpy(dtype=bool)
        ]
        if len(ledger) and "kind" in ledger.columns
        else ledger
    )
    found = []
    for year, net in sorted(yearly_net(cooperative).items()):
        if year >= dt.MAXYEAR:  # dated in the year 9999: already an error (date-in-future)
            continue
        deadline = dt.date(year + 1, *REINVESTMENT_DEADLINE)
        window = (
            into_fund[
                (into_fund["date"] >= pd.Timestamp(year + 1, 1, 1))
                & (into_fund["date"] <= pd.Timestamp(deadline))
            ]
            if len(into_fund)
            else into_fund
        )
        moved = int(window["amount"].sum()) if len(window) else 0
        rows = (
            tuple((str(r.path), int(r.line)) for r in cast(Any, window.itertuples()))
            if len(window)
            else ()
        )
        found.append(
            Reinvestment(year, net, rules.reinvestment_share * max(net, 0), moved, deadline, rows)
        )
    return found


def check_reinvestment(cooperative: Cooperative) -> Iterable[Problem]:
    charter = cooperative.governance.charter
    units = cooperative.accounts.minor_units
    problems = []
    rules = cooperative.governance.rules
    for item in reinvestments(cooperative):
        if item.status(cooperative.today) != "breached" or rules.reinvestment_share is None:
            continue
        problems.append(
            problem(
                "reinvestment-below-share",
                charter.path if charter else CHARTER_PATH,
                charter.lines.get("reinvestment.share") if charter else None,
                _(
                    "{year} ended with a surplus of {surplus}; the charter asks "
                    "for {share} of it ({required}) "
                    'to be moved into the fund "{reinvestment_fund}" by {deadline:%Y-%m-%d}, but '
                    "{moved} was. Published as a breach of the charter."
                ).format(
                    year=item.year,
                    surplus=format_minor(item.net, units),
                    # The share as a placeholder of its own: "% o" in the text would read as a
                    # %-format to Babel, which then checks every translation for one.
                    share=f"{rules.reinvestment_share * 100:g} %",
                    required=format_minor(
                        int(item.required.to_integral_value(rounding="ROUND_CEILING")), units
                    ),
                    reinvestment_fund=rules.reinvestment_fund,
                    deadline=item.deadline,
                    moved=format_minor(item.moved, units),
                ),
            )
        )
    return problems


@dataclass(frozen=True)
class RuleYear:
    rule: str
    year: int
    status: RuleStatus
    detail: str
    #: evidence: ledger rows as (path, line), or minutes paths
    rows: tuple[tuple[str, int], ...] = ()
    meetings: tuple[str, ...] = ()


RULE_TITLES = {
    "quorum": "Quorum at meetings",
    "majority": "Decisions by the majority rule",
    "spending_limit": "Expenses above the limit decided by a meeting",
    "decisions": "Spending within what was decided",
    "reinvestment": "Reinvestment of the surplus",
}


def compliance(cooperative: Cooperative) -> list[RuleYear]:
    """Each rule of the charter, year by year: kept, breached, or not applicable."""
    governance = cooperative.governance
    rules = governance.rules
    units = cooperative.accounts.minor_units
    ledger = cooperative.ledger
    has_rows = len(ledger) and "kind" in ledger.columns
    years = set(yearly_net(cooperative)) | {m.date.year for m in governance.meetings}
    result: list[RuleYear] = []
    for year in sorted(years):
        meetings = [m for m in governance.meetings if m.date.year == year]
        if rules.quorum is not None:
            below = [m for m in meetings if quorum_met(m, rules) is False]
            if not meetings:
                result.append(RuleYear("quorum", year, "not applicable", "no meeting"))
            else:
                result.append(
                    RuleYear(
                        "quorum",
                        year,
                        "breached"
                        if any(d.adopted for m in below for d in m.decisions)
                        else "kept",
                        f"{len(meetings) - len(below)} of {len(meetings)} meetings quorate",
                        meetings=tuple(m.path for m in meetings),
                    )
                )
        if rules.majority is not None:
            voted = [d for m in meetings for d in m.decisions]
            wrong = [d for d in voted if passes(d, rules.majority) != d.adopted]
            result.append(
                RuleYear(
                    "majority",
                    year,
                    "not applicable" if not voted else ("breached" if wrong else "kept"),
                    f"{len(voted)} decisions voted" if voted else "no decision voted",
                    meetings=tuple(m.path for m in meetings if m.decisions),
                )
            )
        if rules.spending_limit is not None and has_rows:
            in_year = ledger[(ledger["date"].dt.year == year).to_numpy(dtype=bool)]
            expenses = in_year[(in_year["kind"] == "expense").to_numpy(dtype=bool)]
            over = expenses[
                (
                    (expenses["amount"] < -rules.spending_limit)
                    & (expenses["decision"].str.len() == 0)
                )
                .fillna(False)
                .to_numpy(dtype=bool)
            ]
            result.append(
                RuleYear(
                    "spending_limit",
                    year,
                    "not applicable"
                    if not len(expenses)
                    else ("breached" if len(over) else "kept"),
                    f"{len(over)} {'expense' if len(over) == 1 else 'expenses'} above {format_minor(rules.spending_limit, units)} "
                    "without a decision",
                    rows=tuple((str(r.path), int(r.line)) for r in over.itertuples()),
                )
            )
        if rules.reinvestment_share is not None:
            item = next((r for r in reinvestments(cooperative) if r.year == year), None)
            if item is not None:
                result.append(
                    RuleYear(
                        "reinvestment",
                        year,
                        item.status(cooperative.today),
                        f"surplus {format_minor(item.net, units)}, moved {format_minor(item.moved, units)} "
                        f"by {item.deadline:%Y-%m-%d}",
                        rows=item.rows,
                    )
                )
    decisions = governance.decisions()
    spent = spending_by_decision(cooperative)
    by_year: dict[int, list[Decision]] = {}
    for decision in decisions.values():
        if decision.adopted and decision.amount is not None:
            by_year.setdefault(decision.date.year, []).append(decision)
    for year in sorted(years) if by_year else []:
        limited = by_year.get(year, [])
        over = [d for d in limited if d.amount is not None and spent.get(d.id, 0) > d.amount]
        if has_rows and over:
            cited = _cited(ledger)
            rows = cited[cited["decision"].isin([d.id for d in over]).to_numpy(dtype=bool)]
            evidence = tuple((str(r.path), int(r.line)) for r in cast(Any, rows.itertuples()))
        else:
            evidence = ()
        result.append(
            RuleYear(
                "decisions",
                year,
                "not applicable" if not limited else ("breached" if over else "kept"),
                f"{len(over)} of {len(limited)} decisions with an amount overspent"
                if limited
                else "no decision with an amount",
                rows=evidence,
            )
        )
    return result


@dataclass(frozen=True)
class SovereigntyYear:
    year: int
    expense: int
    authorized: int  # expense under a decision
    attendance: Decimal | None  # average share present
    decisions_adopted: int
    decisions_rejected: int
    capital: int
    reinvestment_required: Decimal | None
    reinvestment_moved: int | None
    income: int
    largest_source: str | None
    largest_source_income: int

    @property
    def authorized_share(self) -> Decimal | None:
        return Decimal(self.authorized) / Decimal(self.expense) if self.expense > 0 else None

    @property
    def dependency(self) -> Decimal | None:
        return (
            Decimal(self.largest_source_income) / Decimal(self.income) if self.income > 0 else None
        )


def sovereignty(cooperative: Cooperative, public_name) -> list[SovereigntyYear]:
    """The figures of self-government, per year. `public_name(counterparty)` gives the name
    that may be published (private people become "private")."""
    governance = cooperative.governance
    accounts = cooperative.accounts
    ledger = cooperative.ledger
    capital = {k for k, c in accounts.categories.items() if c.capital}
    reinvested = {r.year: r for r in reinvestments(cooperative)}
    years = set(yearly_net(cooperative)) | {m.date.year for m in governance.meetings}
    out = []
    for year in sorted(years):
        meetings = [m for m in governance.meetings if m.date.year == year]
        rows = (
            ledger[(ledger["date"].dt.year == year).to_numpy(dtype=bool)]
            if len(ledger) and "kind" in ledger.columns
            else None
        )
        expense = authorized = spent_capital = income = top = 0
        source = None
        if rows is not None and len(rows):
            amount = rows["amount"].fillna(0).astype("int64")
            is_expense = (rows["kind"] == "expense").to_numpy(dtype=bool)
            expense = int(-amount[is_expense].sum())
            authorized = int(
                -amount[is_expense & (rows["decision"].str.len() > 0).to_numpy()].sum()
            )
            spent_capital = int(
                -amount[is_expense & rows["category"].isin(capital).to_numpy()].sum()
            )
            is_income = (rows["kind"] == "income").to_numpy(dtype=bool)
            income = int(amount[is_income].sum())
            # Rows that name no counterparty come from many hands (course fees, donations box)
            # and are no single source; they still count in the income.
            named = is_income & (rows["counterparty"].str.len() > 0).to_numpy()
            by_source = amount[named].groupby(rows["counterparty"][named]).sum()
            if len(by_source):
                source, top = str(by_source.idxmax()), int(by_source.max())
        item = reinvested.get(year)
        out.append(
            SovereigntyYear(
                year=year,
                expense=expense,
                authorized=authorized,
                attendance=sum((m.attendance for m in meetings), Decimal(0)) / len(meetings)
                if meetings
                else None,
                decisions_adopted=sum(d.adopted for m in meetings for d in m.decisions),
                decisions_rejected=sum(not d.adopted for m in meetings for d in m.decisions),
                capital=spent_capital,
                reinvestment_required=item.required if item and item.net > 0 else None,
                reinvestment_moved=item.moved if item else None,
                income=income,
                largest_source=public_name(source) if source else None,
                largest_source_income=top,
            )
        )
    return out


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_minutes,
    check_cited_decisions,
    check_decision_spending,
    check_spending_limit,
    check_reinvestment,
]
