"""Every check, in the order they run: the domain modules' lists, joined here and nowhere else.

Each domain module exports its checks as a plain list `CHECKS` of functions from the loaded
cooperative to problems (see publisher.checking). The order is stated here, once: the books
first (ledgers, budgets, balances), then what the books must not publish (private names), the
other files of ledgers/ (assets, measures), the history, the pages, and governance last. No
check registers itself, so the order does not depend on which module was imported first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher import assets, governance, history, ledger, measures, pages, privacy, stories
from publisher.checking import Check
from publisher.problems import Problem

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

ALL_CHECKS: tuple[Check, ...] = (
    *ledger.CHECKS,
    *privacy.CHECKS,
    *assets.CHECKS,
    *measures.CHECKS,
    *history.CHECKS,
    *stories.CHECKS,
    *pages.CHECKS,
    *governance.CHECKS,
)


def run_checks(cooperative: Cooperative) -> list[Problem]:
    """The problems every check finds in `cooperative`, check after check in ALL_CHECKS order."""
    problems: list[Problem] = []
    for function in ALL_CHECKS:
        problems.extend(function(cooperative))
    return problems
