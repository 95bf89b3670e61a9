"""What a check is, and the helpers checks share to report problems on rows.

A check is a small pure function from the loaded cooperative (a frozen record that the loader,
publisher.cooperative.load_cooperative, filled before any check runs) to problems. Each domain
module lists its checks in a plain list `CHECKS`; publisher.checks joins those lists in the
order they run. Adding a check is writing a function and adding it to its module's list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from publisher.i18n import _
from publisher.problems import Problem, problem

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

Check = Callable[["Cooperative"], Iterable[Problem]]

#: Rows listed per file and code; past this one line says how many more there are, so a
#: file with a systematic mistake gives a readable report instead of a million lines.
ROW_PROBLEM_LIMIT = 100


Locate = Callable[[str, int, str], tuple[int, "int | None"]]

#: A column is summed up in one problem when at least this share of its non-empty cells in a
#: file have the same problem, and at least WHOLE_COLUMN_MINIMUM of them: then it is the way
#: the column was exported, and one sentence with one fix says more than hundreds of lines.
WHOLE_COLUMN_SHARE = 0.9
WHOLE_COLUMN_MINIMUM = 3

#: Receives the flagged rows of one file (a frame) and the number of non-empty cells of the
#: column in that file; returns the one message for the whole column, or None when the cells
#: share no one pattern (they are then listed one by one).
ColumnMessage = Callable[[pd.DataFrame, int], "str | None"]


#: Problems about a whole row (located at one of its cells only so that editors can jump to
#: it): naming that cell's column would mislead.
ROW_LEVEL_CODES = frozenset({"likely-double-entry", "budget-duplicate-line"})


def column_label(locate: Locate, path: str, column: str) -> str:
    """'Column C (amount): ', the column as a spreadsheet shows it, or '' when unknown.

    `locate` is `Cooperative.locate` or a table's locator; both belong to an object that can
    say which letter a column has, so every cell problem names it without each check asking.
    """
    owner = getattr(locate, "__self__", locate)
    letter_of = getattr(owner, "column_letter", None)
    letter = letter_of(path, column) if letter_of is not None else None
    return _("Column {letter} ({column}): ").format(letter=letter, column=column) if letter else ""


def row_problems(
    frame: pd.DataFrame,
    mask: Any,
    code: str,
    column: str,
    message: Callable[[Any], str],
    locate: Locate,
    whole_column: ColumnMessage | None = None,
) -> list[Problem]:
    """One problem per flagged row of `frame` (which has `path` and `line` columns).

    `message` receives the row as a named tuple; `locate(path, line, column)` gives the
    position of the cell. At most ROW_PROBLEM_LIMIT rows per file are listed. With
    `whole_column`, a file whose column has the problem in (nearly) every cell gets one
    problem, at the first such cell, with the message `whole_column` gives.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    flagged = frame[mask]
    out: list[Problem] = []
    for path, group in flagged.groupby("path", sort=False, observed=True):
        path = str(path)
        label = "" if code in ROW_LEVEL_CODES else column_label(locate, path, column)
        if whole_column is not None and column in frame.columns:
            cells = frame.loc[frame["path"] == path, column].astype("str").str.strip()
            filled = int((cells.str.len() > 0).sum())
            summary = (
                whole_column(group, filled)
                if len(group) >= WHOLE_COLUMN_MINIMUM and len(group) >= WHOLE_COLUMN_SHARE * filled
                else None
            )
            if summary is not None:
                line, col = locate(path, int(group["line"].iloc[0]), column)
                out.append(problem(code, path, line, label + summary, col))
                continue
        for row in group.head(ROW_PROBLEM_LIMIT).itertuples(index=False):
            line, col = locate(path, int(row.line), column)
            out.append(problem(code, path, line, label + message(row), col))
        extra = len(group) - ROW_PROBLEM_LIMIT
        if extra > 0:
            out.append(
                problem(
                    "too-many-problems",
                    path,
                    int(group["line"].iloc[ROW_PROBLEM_LIMIT]),
                    _(
                        "{extra:,} more rows of this file have the same problem [{code}]; only the "
                        "first {row_problem_limit} are listed. Fix those, then check again."
                    ).format(extra=extra, code=code, row_problem_limit=ROW_PROBLEM_LIMIT),
                )
            )
    return out
