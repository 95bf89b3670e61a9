"""Decisions and the charter: one small input per governance problem code, the majority and
quorum rules, and the yearly figures (compliance, self-government, spending under decisions)
against expectations computed by hand.

Each case writes its charter and minutes inline, front matter between `---` lines, so the
front matter's first key is on line 2 of the file. A problem must point at the line of the
offending key; the cases name that line by its text (`line_of`), which keeps the expected line
readable next to the input. Every case also states its correction, and the corrected input
must not have the problem, so that no test passes on a check that reports nothing.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from publisher import governance
from publisher.cooperative import check_cooperative
from publisher.governance import (
    Decision,
    compliance,
    passes,
    quorum_met,
    sovereignty,
    spending_by_decision,
)
from publisher.problems import CODES, Severity
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

C = "content/charter.md"
M = "content/minutes/2026-03-04-assembly.md"
L = "ledgers/2026.csv"
H = LEDGER_HEADER

#: Every code publisher.governance registers (test_the_list_is_what_governance_registers).
GOVERNANCE_CODES = frozenset(
    {
        "charter-rule-invalid",
        "charter-key-unknown",
        "minutes-field-missing",
        "minutes-field-invalid",
        "minutes-key-unknown",
        "minutes-present-exceeds-members",
        "minutes-tally-exceeds-present",
        "decision-result-contradicts-majority",
        "decision-adopted-without-quorum",
        "decision-id-duplicate",
        "decision-unknown",
        "decision-rejected",
        "decision-after-row",
        "decision-overspent",
        "spending-limit-exceeded",
        "reinvestment-below-share",
    }
)

WARNINGS = {
    "minutes-key-unknown",
    "decision-overspent",
    "spending-limit-exceeded",
    "reinvestment-below-share",
}

CHARTER = """\
---
title: Charter
rules:
  quorum: 0.5
  majority: simple
  spending_limit: 500
  reinvestment:
    share: 0.25
    fund: commons
---

# Charter of the Test Workshop
"""

#: A clean meeting: 6 of 10 present (quorate under 0.5), one adopted decision of 300.00.
MEETING = """\
---
title: Spring assembly
date: 2026-03-04
members: 10
present: 6
decisions:
  - id: 2026-01
    motion: Buy clamps
    for: 5
    against: 1
    abstain: 0
    result: adopted
    amount: 300.00
    category: tools
---

# Spring assembly
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one line of `text` that contains `needle`."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def at(problems, code: str) -> set[tuple[str, int | None]]:
    """(path, line) of every problem with `code`."""
    return {(p.path, p.line) for p in problems if p.code == code}


def check(tmp_path: Path, files: dict[str, str], today: dt.date = TODAY):
    write_coop(tmp_path, files)
    return check_cooperative(tmp_path, today=today)


# -- One case per code ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    code: str
    files: dict[str, str]
    #: where the problem is: (path, text of the offending line) or (path, line number)
    where: tuple[str, str | int]
    #: the correction: in `path`, replace `old` by `new`
    fix: tuple[str, str, str]

    def line(self) -> int:
        path, where = self.where
        return where if isinstance(where, int) else line_of(self.files[path], where)

    def fixed(self) -> dict[str, str]:
        path, old, new = self.fix
        assert old in self.files[path], old
        return {**self.files, path: self.files[path].replace(old, new)}


def meeting(**replace: str) -> str:
    """MEETING with some lines replaced: meeting(present="present: 11")."""
    text = MEETING
    for key, new in replace.items():
        old = next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))
        text = text.replace(old, new, 1)
    return text


DUPLICATE = (
    MEETING.replace("title: Spring assembly", "title: Summer meeting")
    .replace("date: 2026-03-04", "date: 2026-06-13")
    .replace("motion: Buy clamps", "motion: Paint the door")
)

CASES = [
    # The charter
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("quorum: 0.5", "quorum: 1.5")},
        (C, "quorum: 1.5"),
        (C, "1.5", "0.5"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("quorum: 0.5", "quorum: 0")},
        (C, "quorum: 0"),
        (C, "quorum: 0\n", "quorum: 1\n"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("majority: simple", "majority: most")},
        (C, "majority:"),
        (C, "most", "two-thirds"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("majority: simple", "majority: 0.4")},
        (C, "majority:"),
        (C, "0.4", "0.6"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("spending_limit: 500", "spending_limit: -5")},
        (C, "spending_limit:"),
        (C, "-5", "0"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("spending_limit: 500", "spending_limit: 500 EUR")},
        (C, "spending_limit:"),
        (C, "500 EUR", "500.00"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("share: 0.25", "share: 25")},
        (C, "share: 25"),
        (C, "share: 25", "share: 0.25"),
    ),
    Case(
        "charter-rule-invalid",
        {C: CHARTER.replace("fund: commons", "fund: comons")},
        (C, "fund: comons"),
        (C, "comons", "commons"),
    ),
    Case(
        "charter-rule-invalid",
        {C: "---\nrules:\n  quorum: 0.5\n  reinvestment: 0.25\n---\n"},
        (C, "reinvestment:"),
        (C, "reinvestment: 0.25", "reinvestment:\n    share: 0.25\n    fund: commons"),
    ),
    Case(
        "charter-rule-invalid",
        {C: "---\ntitle: Charter\nrules: [quorum]\n---\n"},
        (C, "rules:"),
        (C, "[quorum]", "{quorum: 0.5}"),
    ),
    Case(
        "charter-key-unknown",
        {C: CHARTER.replace("quorum: 0.5", "quorom: 0.5")},
        (C, "quorom:"),
        (C, "quorom", "quorum"),
    ),
    Case(
        "charter-key-unknown",
        {C: CHARTER.replace("fund: commons", "fund: commons\n    by: march")},
        (C, "by: march"),
        (C, "\n    by: march", ""),
    ),
    # The minutes
    Case(
        "minutes-field-missing",
        {M: MEETING.replace("    result: adopted\n", "")},
        (M, "- id: 2026-01"),
        (M, "    abstain: 0\n", "    abstain: 0\n    result: adopted\n"),
    ),
    Case(
        "minutes-field-missing",
        {M: MEETING.replace("members: 10\n", "")},
        (M, 2),
        (M, "date: 2026-03-04\n", "date: 2026-03-04\nmembers: 10\n"),
    ),
    Case(
        "minutes-field-missing",
        {M: "# Spring assembly\n\nNo front matter.\n"},
        (M, 1),
        (M, "# Spring assembly\n", MEETING),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(members="members: ten")},
        (M, "members: ten"),
        (M, "ten", "10"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(date="date: 04.03.2026")},
        (M, "date: 04.03.2026"),
        (M, "04.03.2026", "2026-03-04"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(date="date: 2026-02-30")},
        (M, "date: 2026-02-30"),
        (M, "02-30", "02-28"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(present="present: -1")},
        (M, "present: -1"),
        (M, "-1", "6"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(abstain="    abstain: 0.5")},
        (M, "abstain: 0.5"),
        (M, "0.5", "0"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(result="    result: carried")},
        (M, "result: carried"),
        (M, "carried", "adopted"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(amount="    amount: 300.005")},
        (M, "amount: 300.005"),
        (M, "300.005", "300.00"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(amount="    amount: -300.00")},
        (M, "amount: -300.00"),
        (M, "-300.00", "300.00"),
    ),
    Case(
        "minutes-field-invalid",
        {M: meeting(category="    category: toolz")},
        (M, "category: toolz"),
        (M, "toolz", "tools"),
    ),
    Case(
        "minutes-field-invalid",
        {M: MEETING.replace("decisions:\n", "decisions: none\n").split("  - id:")[0] + "---\n"},
        (M, "decisions: none"),
        (M, "decisions: none\n", "decisions: []\n"),
    ),
    Case(
        "minutes-key-unknown",
        {M: meeting(amount="    amuont: 300.00")},
        (M, "amuont:"),
        (M, "amuont", "amount"),
    ),
    Case(
        "minutes-present-exceeds-members",
        {M: meeting(present="present: 11")},
        (M, "present: 11"),
        (M, "present: 11", "present: 10"),
    ),
    Case(
        "minutes-tally-exceeds-present",
        {M: meeting(against="    against: 2")},  # 5 + 2 + 0 = 7 votes, 6 present
        (M, "    for: 5"),
        (M, "    against: 2", "    against: 1"),
    ),
    Case(
        "decision-result-contradicts-majority",
        {
            C: CHARTER,
            M: MEETING.replace("for: 5", "for: 3").replace("against: 1", "against: 3"),
        },  # a tie, yet "adopted"
        (M, "result: adopted"),
        (M, "result: adopted", "result: rejected"),
    ),
    Case(
        "decision-adopted-without-quorum",
        {
            C: CHARTER,
            M: MEETING.replace("present: 6", "present: 4").replace("for: 5", "for: 3"),
        },  # 4 of 10 < 0.5
        (M, "result: adopted"),
        (M, "present: 4", "present: 5"),
    ),
    Case(
        "decision-id-duplicate",
        {M: MEETING, "content/minutes/2026-06-13-summer.md": DUPLICATE},
        ("content/minutes/2026-06-13-summer.md", "- id: 2026-01"),
        ("content/minutes/2026-06-13-summer.md", "- id: 2026-01", "- id: 2026-02"),
    ),
    # The ledgers against the decisions
    Case(
        "decision-unknown",
        {
            M: MEETING,
            L: H
            + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-10,Clamps,-120.00,tools,,,2026-10,,\n",
        },
        (L, "2026-10"),
        (L, "2026-10", "2026-01"),
    ),
    Case(
        "decision-unknown",
        {
            M: MEETING,
            "ledgers/budget.csv": "year,category,amount,fund,decision\n2026,tools,300.00,,2026-1\n",
        },
        ("ledgers/budget.csv", "2026-1"),
        ("ledgers/budget.csv", "2026-1\n", "2026-01\n"),
    ),
    Case(
        "decision-rejected",
        {
            M: MEETING.replace("for: 5", "for: 1")
            .replace("against: 1", "against: 5")
            .replace("adopted", "rejected"),
            L: H
            + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-10,Clamps,-120.00,tools,,,2026-01,,\n",
        },
        (L, "Clamps"),
        (L, "2026-01,,\n", ",,\n"),
    ),
    Case(
        "decision-after-row",
        {
            M: MEETING,
            L: H
            + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-03,Clamps,-120.00,tools,,,2026-01,,\n",
        },
        (L, "Clamps"),
        (L, "2026-03-03", "2026-03-04"),  # on the day of the meeting is fine
    ),
    Case(
        "decision-overspent",
        {
            M: MEETING,
            L: H + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-10,Clamps,-200.00,tools,,,2026-01,,\n"
            "2026-04-10,More clamps,-100.01,tools,,,2026-01,,\n",
        },
        (M, "- id: 2026-01"),
        (L, "-100.01", "-100.00"),  # 300.00 spent of 300.00: not more than authorized
    ),
    Case(
        "spending-limit-exceeded",
        {
            C: CHARTER,
            L: H + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-10,Rent,-500.01,rent,,,,,\n",
        },
        (L, "Rent"),
        (L, "-500.01", "-500.00"),  # the limit itself needs no decision
    ),
    Case(
        "reinvestment-below-share",
        {
            C: CHARTER,
            "ledgers/2025.csv": H + "2025-01-05,Dues,1000.00,dues,,,,,\n",
            L: H + "2026-03-31,To the common fund,-249.99,transfer,general,,,,\n"
            "2026-03-31,Into the common fund,249.99,transfer,commons,,,,\n",
        },
        (C, "share: 0.25"),
        (L, "249.99", "250.00"),
    ),
]


def case_id(case: Case) -> str:
    return f"{case.code}:{case.where[1]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_problem_points_at_the_line_of_its_key(case, tmp_path):
    _, problems = check(tmp_path, case.files)
    path = case.where[0]
    assert at(problems, case.code) == {(path, case.line())}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_problem_is_found_in_its_file_and_gone_once_corrected(case, tmp_path):
    _, problems = check(tmp_path / "bad", case.files)
    assert case.code in {p.code for p in problems if p.path == case.where[0]}
    _, problems = check(tmp_path / "good", case.fixed())
    assert case.code not in {p.code for p in problems}


def test_every_governance_code_has_a_case():
    assert GOVERNANCE_CODES - {case.code for case in CASES} == set()


def test_the_list_is_what_governance_emits():
    """The registered codes that publisher/governance.py names, read from its source."""
    emitted = set()
    for node in ast.walk(ast.parse(inspect.getsource(governance))):
        if isinstance(node, ast.Constant) and node.value in CODES:
            emitted.add(node.value)
    assert emitted == GOVERNANCE_CODES
    for code in GOVERNANCE_CODES:
        assert CODES[code].severity is (Severity.WARNING if code in WARNINGS else Severity.ERROR), (
            code
        )


def test_charter_problems_point_at_every_bad_rule_at_once(tmp_path):
    text = (
        "---\ntitle: Charter\nrules:\n  quorom: 0.5\n  majority: most\n  spending_limit: -5\n"
        "  quorum: 2\n  reinvestment:\n    share: 0\n    fund: nowhere\n    when: march\n---\n"
    )
    _, problems = check(tmp_path, {C: text})
    assert codes_at(problems) == {
        (C, 4, "charter-key-unknown"),
        (C, 5, "charter-rule-invalid"),
        (C, 6, "charter-rule-invalid"),
        (C, 7, "charter-rule-invalid"),
        (C, 9, "charter-rule-invalid"),
        (C, 10, "charter-rule-invalid"),
        (C, 11, "charter-key-unknown"),
    }


def test_the_charter_reads_into_its_rules(tmp_path):
    cooperative, problems = check(tmp_path, {C: CHARTER})
    assert problems == []
    charter = cooperative.governance.charter
    rules = charter.rules
    assert (rules.quorum, rules.majority, rules.spending_limit) == (Decimal("0.5"), "simple", 50000)
    assert (rules.reinvestment_share, rules.reinvestment_fund) == (Decimal("0.25"), "commons")
    assert charter.lines["reinvestment.share"] == line_of(CHARTER, "share:")


def test_a_charter_without_rules_checks_nothing(tmp_path):
    rows = H + "2025-01-05,Dues,20000.00,dues,,,,,\n2026-03-10,A hall,-10000.00,rent,,,,,\n"
    for charter in (
        "---\ntitle: Charter\n---\n\n# Charter\n",
        "---\nrules: {}\n---\n",
        "# Charter\n",
    ):
        # one file over two years: a file named after a year would hold only that year
        cooperative, problems = check(tmp_path, {C: charter, "ledgers/cash.csv": rows})
        assert problems == [], charter
        assert cooperative.governance.rules == governance.Rules()
    assert (
        compliance(cooperative) == []
    )  # nothing to keep: the page says the charter states no rule


@pytest.mark.parametrize(
    "rule", ["quorum: nan", "majority: NaN", "reinvestment:\n    share: nan\n    fund: commons"]
)
def test_a_share_written_nan_is_an_invalid_rule_not_a_crash(tmp_path, rule):
    text = f"---\nrules:\n  {rule}\n---\n"
    _, problems = check(tmp_path, {C: text})
    assert codes_at(problems) == {(C, line_of(text.lower(), ": nan"), "charter-rule-invalid")}


def test_a_reinvestment_fund_that_is_a_list_is_an_invalid_rule_not_a_crash(tmp_path):
    text = CHARTER.replace("fund: commons", "fund: [commons]")
    _, problems = check(tmp_path, {C: text})
    assert codes_at(problems) == {(C, line_of(text, "fund:"), "charter-rule-invalid")}


def test_an_empty_decision_id_is_missing(tmp_path):
    cooperative, problems = check(tmp_path, {M: MEETING.replace("- id: 2026-01", "- id: ''")})
    assert "minutes-field-missing" in {p.code for p in problems}
    assert cooperative.governance.decisions() == {}


def test_a_decision_that_is_not_a_mapping_is_reported_at_its_line(tmp_path):
    text = "---\ndate: 2026-03-04\nmembers: 10\npresent: 6\ndecisions:\n  - 2026-01\n---\n"
    _, problems = check(tmp_path, {M: text})
    assert codes_at(problems) == {(M, line_of(text, "- 2026-01"), "minutes-field-invalid")}


@pytest.mark.parametrize("amount", ["1_000", "0x10"])
def test_a_decision_amount_is_read_as_written(tmp_path, amount):
    _, problems = check(tmp_path, {M: meeting(amount=f"    amount: {amount}")})
    assert "minutes-field-invalid" in {p.code for p in problems}


# -- The majority rules -----------------------------------------------------------------------


def decision(votes_for: int, against: int, abstain: int = 0) -> Decision:
    return Decision(
        "x", M, dt.date(2026, 3, 4), "m", votes_for, against, abstain, "adopted", None, None, 1
    )


@pytest.mark.parametrize(
    "rule, votes_for, against, abstain, carries",
    [
        ("simple", 4, 3, 0, True),
        ("simple", 3, 3, 0, False),  # a tie does not carry
        ("simple", 1, 0, 20, True),  # abstentions do not count
        ("simple", 0, 0, 5, False),  # no vote for never carries
        ("two-thirds", 2, 1, 0, True),  # exactly two thirds
        ("two-thirds", 3, 1, 5, True),  # 3 of 4 cast; 3 of 9 had abstentions counted
        ("two-thirds", 5, 3, 0, False),  # 5/8 = 0.625
        ("two-thirds", 199, 100, 0, False),  # 0.6655…, just short
        ("two-thirds", 0, 0, 9, False),
        ("consensus", 5, 0, 3, True),
        ("consensus", 9, 1, 0, False),
        ("consensus", 0, 0, 3, False),  # no vote for never carries, even without objection
        (Decimal("0.6"), 3, 2, 0, True),  # exactly 0.6 of 5
        (Decimal("0.6"), 5, 4, 0, False),  # 5/9 = 0.555…: simple would carry it
        (Decimal("0.6"), 6, 4, 10, True),
        (Decimal("0.6"), 0, 0, 4, False),
        (Decimal("0.5"), 2, 2, 0, True),  # a share of one half: at least half, so a tie carries
        (Decimal(1), 4, 0, 2, True),
        (Decimal(1), 4, 1, 0, False),
    ],
)
def test_the_majority_rules_by_hand(rule, votes_for, against, abstain, carries):
    assert passes(decision(votes_for, against, abstain), rule) is carries


@pytest.mark.parametrize(
    "majority, votes, result, contradicts",
    [
        ("simple", (4, 3, 0), "adopted", False),
        ("simple", (3, 3, 0), "adopted", True),
        ("simple", (3, 3, 0), "rejected", False),
        ("two-thirds", (3, 1, 5), "adopted", False),
        ("two-thirds", (3, 2, 0), "adopted", True),
        ("consensus", (5, 1, 0), "adopted", True),
        ("consensus", (5, 0, 1), "rejected", True),
        ("0.6", (3, 2, 0), "adopted", False),
        ("0.6", (5, 4, 0), "adopted", True),
        ("simple", (0, 0, 6), "adopted", True),
    ],
)
def test_the_stated_result_is_held_to_the_charters_majority(
    tmp_path, majority, votes, result, contradicts
):
    votes_for, against, abstain = votes
    minutes = (
        f"---\ndate: 2026-03-04\nmembers: 10\npresent: 9\ndecisions:\n  - id: 2026-01\n"
        f"    for: {votes_for}\n    against: {against}\n    abstain: {abstain}\n    result: {result}\n---\n"
    )
    _, problems = check(tmp_path, {C: f"---\nrules:\n  majority: {majority}\n---\n", M: minutes})
    codes = {(p.path, p.code) for p in problems}
    assert ((M, "decision-result-contradicts-majority") in codes) is contradicts
    assert {c for _, c in codes} <= {"decision-result-contradicts-majority"}


def test_without_a_majority_rule_any_result_stands(tmp_path):
    minutes = MEETING.replace("for: 5", "for: 3").replace(
        "against: 1", "against: 3"
    )  # a tie, "adopted"
    _, problems = check(tmp_path, {C: "---\nrules:\n  quorum: 0.5\n---\n", M: minutes})
    assert problems == []


# -- The quorum -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quorum, members, present, met",
    [
        ("0.5", 10, 5, True),  # exactly at the quorum
        ("0.5", 10, 4, False),  # one below
        ("0.6", 10, 6, True),
        ("0.6", 10, 5, False),
        ("0.5", 7, 4, True),  # 4/7 = 0.571…
        ("0.5", 7, 3, False),  # 3/7 = 0.428…
        ("0.25", 12, 3, True),
        ("0.25", 12, 2, False),
        ("1", 9, 9, True),
        ("1", 9, 8, False),
    ],
)
def test_the_quorum_exactly_at_and_one_below(tmp_path, quorum, members, present, met):
    minutes = (
        f"---\ndate: 2026-03-04\nmembers: {members}\npresent: {present}\ndecisions:\n  - id: 2026-01\n"
        f"    for: {present}\n    against: 0\n    abstain: 0\n    result: adopted\n---\n"
    )
    cooperative, problems = check(
        tmp_path, {C: f"---\nrules:\n  quorum: {quorum}\n---\n", M: minutes}
    )
    assert quorum_met(cooperative.governance.meetings[0], cooperative.governance.rules) is met
    assert ("decision-adopted-without-quorum" in {p.code for p in problems}) is not met
    assert {p.code for p in problems} <= {"decision-adopted-without-quorum"}


def test_a_meeting_below_quorum_may_reject_and_discuss(tmp_path):
    minutes = (
        "---\ndate: 2026-03-04\nmembers: 10\npresent: 3\ndecisions:\n  - id: 2026-01\n"
        "    for: 0\n    against: 3\n    abstain: 0\n    result: rejected\n---\n"
    )
    cooperative, problems = check(tmp_path, {C: CHARTER, M: minutes})
    assert problems == []
    assert quorum_met(cooperative.governance.meetings[0], cooperative.governance.rules) is False


def test_every_decision_adopted_below_quorum_is_reported(tmp_path):
    minutes = (
        "---\ndate: 2026-03-04\nmembers: 10\npresent: 4\ndecisions:\n"
        "  - id: 2026-01\n    for: 4\n    against: 0\n    abstain: 0\n    result: adopted\n"
        "  - id: 2026-02\n    for: 0\n    against: 4\n    abstain: 0\n    result: rejected\n"
        "  - id: 2026-03\n    for: 3\n    against: 1\n    abstain: 0\n    result: adopted\n---\n"
    )
    _, problems = check(tmp_path, {C: CHARTER, M: minutes})
    assert [p.code for p in problems] == ["decision-adopted-without-quorum"] * 2


# -- More of the minutes ----------------------------------------------------------------------


def test_a_meeting_is_read_with_its_decisions(tmp_path):
    cooperative, problems = check(tmp_path, {M: MEETING})
    assert problems == []
    (meeting,) = cooperative.governance.meetings
    assert (meeting.path, meeting.title, meeting.date, meeting.members, meeting.present) == (
        M,
        "Spring assembly",
        dt.date(2026, 3, 4),
        10,
        6,
    )
    assert meeting.attendance == Decimal("0.6")
    (d,) = meeting.decisions
    assert (d.id, d.motion, d.votes_for, d.against, d.abstain, d.result, d.amount, d.category) == (
        "2026-01",
        "Buy clamps",
        5,
        1,
        0,
        "adopted",
        30000,
        "tools",
    )


def test_a_meeting_without_a_title_is_named_by_its_heading_or_its_date(tmp_path):
    untitled = MEETING.replace("title: Spring assembly\n", "")
    cooperative, _ = check(tmp_path / "a", {M: untitled})
    assert cooperative.governance.meetings[0].title == "Spring assembly"  # the first heading
    cooperative, _ = check(tmp_path / "b", {M: untitled.replace("# Spring assembly\n", "Notes.\n")})
    assert cooperative.governance.meetings[0].title == "Meeting of 2026-03-04"


def test_a_duplicate_id_in_the_same_minutes_is_reported_once(tmp_path):
    twice = MEETING.replace(
        "---\n\n#",
        "  - id: 2026-01\n    for: 6\n    against: 0\n    abstain: 0\n    result: adopted\n---\n\n#",
    )
    _, problems = check(tmp_path, {M: twice})
    assert [(p.path, p.code) for p in problems] == [(M, "decision-id-duplicate")]


def test_a_decision_id_may_be_cited_by_rows_of_several_years(tmp_path):
    files = {
        "content/minutes/2025-11-01-autumn.md": MEETING.replace("2026-03-04", "2025-11-01"),
        "ledgers/2025.csv": H
        + "2025-11-05,Dues,900.00,dues,,,,,\n2025-12-10,Clamps,-100.00,tools,,,2026-01,,\n",
        L: H + "2026-01-10,More clamps,-100.00,tools,,,2026-01,,\n",
    }
    cooperative, problems = check(tmp_path, files)
    assert problems == []
    assert spending_by_decision(cooperative) == {"2026-01": 20000}


# -- compliance(): each rule, year by year -------------------------------------------------------

#: Two years and a bit, by hand:
#: 2024: income 1500.00, expense 500.00 (rent at the limit itself): surplus 1000.00; 250.00 moved
#:       into commons on 2025-03-31, exactly 25 %: kept. No meeting.
#: 2025: income 3000.00 (City Council) + 3500.00 (dues, no counterparty) + 200.00 (Maria Jensen),
#:       expense 800.00 (tools, decision 2025-01 which authorized 600.00: overspent) and 600.00
#:       (rent, no decision, above the limit): surplus 5300.00, 25 % = 1325.00, only 100.00
#:       moved by 2026-03-31 (200.00 more on 2026-04-15 is too late): breached on 2026-11-21.
#: 2026: income 200.00, expense 900.00 under decision 2026-01 (1000.00 authorized): deficit.
LEDGER_2024 = H + "2024-01-10,Dues,1500.00,dues,,,,,\n2024-02-01,Rent,-500.00,rent,,,,,\n"
LEDGER_2025 = (
    H
    + "2025-01-15,Neighbourhood grant,3000.00,grants,,City Council,,,\n"  # line 2
    + "2025-02-10,Dues,2000.00,dues,,,,,\n"  # line 3
    + "2025-03-10,Dues,1500.00,dues,,,,,\n"  # line 4
    + "2025-03-31,Reinvest 2024,-250.00,transfer,general,,,,\n"  # line 5
    + "2025-03-31,Reinvest 2024,250.00,transfer,commons,,,,\n"  # line 6
    + "2025-04-01,Dues,200.00,dues,,Maria Jensen,,,\n"  # line 7
    + "2025-05-01,Workbench,-800.00,tools,,,2025-01,,\n"  # line 8
    + "2025-06-01,Hall for the fair,-600.00,rent,,,,,\n"  # line 9
)
LEDGER_2026 = (
    H
    + "2026-02-01,Reinvest 2025,-100.00,transfer,general,,,,\n"  # line 2
    + "2026-02-01,Reinvest 2025,100.00,transfer,commons,,,,\n"  # line 3
    + "2026-04-01,Dues,200.00,dues,,,,,\n"  # line 4
    + "2026-04-15,Late reinvestment,-200.00,transfer,general,,,,\n"  # line 5
    + "2026-04-15,Late reinvestment,200.00,transfer,commons,,,,\n"  # line 6
    + "2026-05-01,Rent for the year,-900.00,rent,,,2026-01,,\n"  # line 7
)
MINUTES_2025 = """\
---
title: Assembly 2025
date: 2025-02-01
members: 10
present: 8
decisions:
  - id: 2025-01
    motion: A workbench
    for: 6
    against: 1
    abstain: 1
    result: adopted
    amount: 600.00
    category: tools
---
"""
MINUTES_2026_SPRING = """\
---
title: Assembly 2026
date: 2026-03-10
members: 10
present: 6
decisions:
  - id: 2026-01
    motion: Rent for the year
    for: 5
    against: 1
    abstain: 0
    result: adopted
    amount: 1000.00
  - id: 2026-02
    motion: A party
    for: 2
    against: 4
    abstain: 0
    result: rejected
---
"""
MINUTES_2026_SUMMER = """\
---
title: Summer 2026
date: 2026-06-01
members: 12
present: 6
---
"""
TWO_YEARS = {
    C: CHARTER,
    "ledgers/2024.csv": LEDGER_2024,
    "ledgers/2025.csv": LEDGER_2025,
    L: LEDGER_2026,
    "content/minutes/2025-02-01-assembly.md": MINUTES_2025,
    "content/minutes/2026-03-10-assembly.md": MINUTES_2026_SPRING,
    "content/minutes/2026-06-01-summer.md": MINUTES_2026_SUMMER,
}


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    return check(tmp_path_factory.mktemp("two-years"), TWO_YEARS)


def test_the_two_years_have_only_the_breaches_as_warnings(two_years):
    _, problems = two_years
    assert {(p.path, p.code) for p in problems} == {
        ("ledgers/2025.csv", "spending-limit-exceeded"),
        ("content/minutes/2025-02-01-assembly.md", "decision-overspent"),
        (C, "reinvestment-below-share"),
    }
    assert at(problems, "spending-limit-exceeded") == {("ledgers/2025.csv", 9)}
    assert at(problems, "reinvestment-below-share") == {(C, 8)}


def test_compliance_year_by_year(two_years):
    cooperative, _ = two_years
    statuses = {(r.rule, r.year): r.status for r in compliance(cooperative)}
    assert statuses == {
        ("quorum", 2024): "not applicable",
        ("majority", 2024): "not applicable",
        ("spending_limit", 2024): "kept",
        ("reinvestment", 2024): "kept",
        ("decisions", 2024): "not applicable",
        ("quorum", 2025): "kept",
        ("majority", 2025): "kept",
        ("spending_limit", 2025): "breached",
        ("reinvestment", 2025): "breached",
        ("decisions", 2025): "breached",
        ("quorum", 2026): "kept",  # 6 of 10 and 6 of 12: exactly at the quorum
        ("majority", 2026): "kept",
        ("spending_limit", 2026): "kept",
        ("reinvestment", 2026): "not applicable",
        ("decisions", 2026): "kept",
    }


def test_compliance_names_its_evidence(two_years):
    cooperative, _ = two_years
    found = {(r.rule, r.year): r for r in compliance(cooperative)}
    assert found["spending_limit", 2025].rows == (("ledgers/2025.csv", 9),)
    assert found["spending_limit", 2024].rows == ()
    assert found["decisions", 2025].rows == (("ledgers/2025.csv", 8),)
    assert found["reinvestment", 2024].rows == (("ledgers/2025.csv", 6),)
    assert found["reinvestment", 2025].rows == (
        (L, 3),
    )  # the late transfer of 2026-04-15 is not counted
    assert found["quorum", 2026].meetings == (
        "content/minutes/2026-03-10-assembly.md",
        "content/minutes/2026-06-01-summer.md",
    )
    assert found["majority", 2026].meetings == ("content/minutes/2026-03-10-assembly.md",)


def test_reinvestment_by_hand(two_years):
    cooperative, _ = two_years
    found = {r.year: r for r in governance.reinvestments(cooperative)}
    assert (found[2024].net, found[2024].required, found[2024].moved) == (
        100000,
        Decimal("25000.00"),
        25000,
    )
    assert (found[2025].net, found[2025].required, found[2025].moved) == (
        530000,
        Decimal("132500.00"),
        10000,
    )
    assert (found[2026].net, found[2026].moved) == (-70000, 0)
    assert found[2025].deadline == dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    "today, status",
    [
        (dt.date(2026, 2, 15), "pending"),
        (dt.date(2026, 3, 31), "pending"),  # the deadline itself is still in time
        (dt.date(2026, 4, 1), "breached"),
    ],
)
def test_reinvestment_is_pending_until_the_deadline(tmp_path, today, status):
    files = {C: CHARTER, "ledgers/2025.csv": H + "2025-01-05,Dues,1000.00,dues,,,,,\n"}
    cooperative, problems = check(tmp_path, files, today=today)
    statuses = {(r.rule, r.year): r.status for r in compliance(cooperative)}
    assert statuses["reinvestment", 2025] == status
    assert (status == "breached") is ("reinvestment-below-share" in {p.code for p in problems})


@pytest.mark.parametrize("moved, status", [("250.00", "breached"), ("250.01", "kept")])
def test_reinvestment_of_a_share_that_is_not_a_whole_minor_unit(tmp_path, moved, status):
    # 25 % of 1000.01 is 250.0025: 250.00 falls short, 250.01 is enough
    files = {
        C: CHARTER,
        "ledgers/2025.csv": H + "2025-01-05,Dues,1000.01,dues,,,,,\n",
        L: H
        + f"2026-01-10,To commons,-{moved},transfer,general,,,,\n2026-01-10,To commons,{moved},transfer,commons,,,,\n",
    }
    cooperative, _ = check(tmp_path, files)
    (item,) = [r for r in compliance(cooperative) if r.rule == "reinvestment"]
    assert (item.year, item.status) == (2025, status)


def test_reinvestment_counts_transfers_into_the_fund_only(tmp_path):
    # 1000.00 surplus in 2025; in 2026: 200.00 into commons, 300.00 into general (another fund),
    # and income into commons (not a transfer): only the 200.00 counts, below 250.00.
    files = {
        C: CHARTER,
        "ledgers/2025.csv": H + "2025-01-05,Dues,1000.00,dues,,,,,\n",
        L: H
        + "2026-01-10,To commons,-200.00,transfer,general,,,,\n"
        + "2026-01-10,To commons,200.00,transfer,commons,,,,\n"
        + "2026-01-11,Back to general,-300.00,transfer,commons,,,,\n"
        + "2026-01-11,Back to general,300.00,transfer,general,,,,\n"
        + "2026-01-12,A gift to the common fund,500.00,grants,commons,,,,\n",
    }
    cooperative, problems = check(tmp_path, files)
    (item,) = [r for r in governance.reinvestments(cooperative) if r.year == 2025]
    assert item.moved == 20000
    assert item.rows == ((L, 3),)
    assert at(problems, "reinvestment-below-share") == {(C, line_of(CHARTER, "share:"))}


# -- sovereignty(): the figures of self-government ------------------------------------------------


def test_sovereignty_by_hand(two_years):
    cooperative, _ = two_years
    shown = {"City Council": "City Council"}
    years = {y.year: y for y in sovereignty(cooperative, lambda name: shown.get(name, "private"))}
    assert sorted(years) == [2024, 2025, 2026]

    y2024 = years[2024]
    assert (y2024.expense, y2024.authorized, y2024.authorized_share) == (50000, 0, Decimal(0))
    assert y2024.attendance is None  # no meeting
    assert (y2024.decisions_adopted, y2024.decisions_rejected, y2024.capital) == (0, 0, 0)
    assert (y2024.reinvestment_required, y2024.reinvestment_moved) == (Decimal("25000.00"), 25000)
    # the dues name no counterparty: they are many hands, no single source
    assert (y2024.income, y2024.largest_source, y2024.largest_source_income) == (150000, None, 0)
    assert y2024.dependency == Decimal(0)

    y2025 = years[2025]
    assert (y2025.expense, y2025.authorized) == (140000, 80000)
    assert y2025.authorized_share == Decimal(80000) / Decimal(140000)  # 4/7
    assert y2025.attendance == Decimal("0.8")
    assert (y2025.decisions_adopted, y2025.decisions_rejected) == (1, 0)
    assert y2025.capital == 80000  # tools is a capital category
    assert (y2025.reinvestment_required, y2025.reinvestment_moved) == (Decimal("132500.00"), 10000)
    # 3500.00 of dues without counterparty is more than the grant, but is no single source
    assert (y2025.income, y2025.largest_source, y2025.largest_source_income) == (
        670000,
        "City Council",
        300000,
    )
    assert y2025.dependency == Decimal(300000) / Decimal(670000)

    y2026 = years[2026]
    assert (y2026.expense, y2026.authorized, y2026.authorized_share) == (90000, 90000, Decimal(1))
    assert y2026.attendance == (Decimal("0.6") + Decimal("0.5")) / 2
    assert (y2026.decisions_adopted, y2026.decisions_rejected, y2026.capital) == (1, 1, 0)
    assert (y2026.reinvestment_required, y2026.reinvestment_moved) == (None, 0)
    assert (y2026.income, y2026.largest_source) == (20000, None)


def test_the_largest_source_is_named_only_through_public_name(tmp_path):
    rows = (
        H
        + "2026-01-05,Dues,100.00,dues,,Maria Jensen,,,\n2026-01-06,Grant,60.00,grants,,City Council,,,\n"
    )
    cooperative, _ = check(tmp_path, {M: MEETING, L: rows})
    (year,) = sovereignty(
        cooperative, lambda name: "City Council" if name == "City Council" else "private"
    )
    assert (year.largest_source, year.largest_source_income, year.income) == (
        "private",
        10000,
        16000,
    )
    assert year.dependency == Decimal(10000) / Decimal(16000)


def test_sovereignty_without_books_or_minutes_is_empty(tmp_path):
    cooperative, problems = check(tmp_path, {})
    assert problems == [] and sovereignty(cooperative, str) == [] and compliance(cooperative) == []


# -- spending_by_decision() -------------------------------------------------------------------


def test_spending_under_decisions_by_hand(tmp_path):
    # 2026-01 (1000.00): expense 400.00, a refund of 50.00, 300.00 moved out of general (the
    # 300.00 into commons is the same money), and income citing it (not spending):
    # 400.00 - 50.00 + 300.00 = 650.00. 2026-02 (no amount): 20.00. 2026-03: only income, 0.
    minutes = MEETING.replace("amount: 300.00", "amount: 1000.00").replace(
        "---\n\n#",
        "  - id: 2026-02\n    for: 6\n    against: 0\n    abstain: 0\n    result: adopted\n"
        "  - id: 2026-03\n    for: 6\n    against: 0\n    abstain: 0\n    result: adopted\n---\n\n#",
    )
    rows = (
        H
        + "2026-03-05,Dues,900.00,dues,,,,,\n"
        + "2026-03-10,Tools,-400.00,tools,,,2026-01,,\n"
        + "2026-03-11,Tools returned,50.00,tools,,,2026-01,,\n"
        + "2026-03-12,Set aside,-300.00,transfer,general,,2026-01,,\n"
        + "2026-03-12,Set aside,300.00,transfer,commons,,2026-01,,\n"
        + "2026-03-13,Sponsor of the tools,25.00,grants,,,2026-01,,\n"
        + "2026-03-14,Rent,-20.00,rent,,,2026-02,,\n"
        + "2026-03-15,Fair income,70.00,dues,,,2026-03,,\n"
    )
    cooperative, problems = check(tmp_path, {M: minutes, L: rows})
    assert {p.code for p in problems} == {"amount-against-direction"}  # the refund
    assert spending_by_decision(cooperative) == {"2026-01": 65000, "2026-02": 2000, "2026-03": 0}
    assert not [r for r in compliance(cooperative) if r.status == "breached"]


def test_overspending_counts_transfers_out(tmp_path):
    rows = (
        H
        + "2026-03-05,Dues,900.00,dues,,,,,\n"
        + "2026-03-12,Set aside,-300.01,transfer,general,,2026-01,,\n"
        + "2026-03-12,Set aside,300.01,transfer,commons,,2026-01,,\n"
    )
    cooperative, problems = check(tmp_path, {M: MEETING, L: rows})
    assert spending_by_decision(cooperative) == {"2026-01": 30001}
    assert {(p.path, p.code) for p in problems} == {(M, "decision-overspent")}
    (item,) = [r for r in compliance(cooperative) if r.rule == "decisions"]
    assert item.status == "breached"
    assert item.rows == ((L, 3), (L, 4))


def test_no_ledger_no_spending(tmp_path):
    cooperative, _ = check(tmp_path, {M: MEETING})
    assert spending_by_decision(cooperative) == {}


def test_spending_under_a_rejected_decision_is_an_error_not_an_overspent_authorization(tmp_path):
    # The motion proposed 300.00 and was rejected: nothing was authorized, so the 400.00 spent
    # under it is reported as citing a rejected decision, never as "authorized 300.00".
    rejected = (
        MEETING.replace("for: 5", "for: 1")
        .replace("against: 1", "against: 5")
        .replace("adopted", "rejected")
    )
    rows = H + "2026-01-05,Dues,900.00,dues,,,,,\n2026-03-10,Clamps,-400.00,tools,,,2026-01,,\n"
    _, problems = check(tmp_path, {M: rejected, L: rows})
    assert at(problems, "decision-rejected") == {(L, 3)}
    assert at(problems, "decision-overspent") == set()
