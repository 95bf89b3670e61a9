"""The check registry and the loop that runs it.

A check is a small pure function from the loaded cooperative to problems. Modules register
theirs with `@check`; `run_checks` runs them all. Adding a check is adding a function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from publisher.problems import Problem, problem

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

Check = Callable[["Cooperative"], Iterable[Problem]]
CHECKS: list[Check] = []

#: Rows listed per file and code; past this one line says how many more there are, so a
#: file with a systematic mistake gives a readable report instead of a million lines.
ROW_PROBLEM_LIMIT = 100


def check(function: Check) -> Check:
    """Register `function` as a check run on every cooperative."""
    CHECKS.append(function)
    return function


def run_checks(cooperative: Cooperative) -> list[Problem]:
    problems: list[Problem] = []
    for function in CHECKS:
        problems.extend(function(cooperative))
    return problems


Locate = Callable[[str, int, str], tuple[int, "int | None"]]


def row_problems(
    frame: pd.DataFrame,
    mask: Any,
    code: str,
    column: str,
    message: Callable[[Any], str],
    locate: Locate,
) -> list[Problem]:
    """One problem per flagged row of `frame` (which has `path` and `line` columns).

    `message` receives the row as a named tuple; `locate(path, line, column)` gives the
    position of the cell. At most ROW_PROBLEM_LIMIT rows per file are listed.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    flagged = frame[mask]
    out: list[Problem] = []
    for path, group in flagged.groupby("path", sort=False, observed=True):
        path = str(path)
        for row in group.head(ROW_PROBLEM_LIMIT).itertuples(index=False):
            line, col = locate(path, int(row.line), column)
            out.append(problem(code, path, line, message(row), col))
        extra = len(group) - ROW_PROBLEM_LIMIT
        if extra > 0:
            out.append(
                problem(
                    "too-many-problems",
                    path,
                    int(group["line"].iloc[ROW_PROBLEM_LIMIT]),
                    f"{extra:,} more rows of this file have the same problem [{code}]; only the "
                    f"first {ROW_PROBLEM_LIMIT} are listed. Fix those, then check again.",
                )
            )
    return out
