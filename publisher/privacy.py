"""Privacy: only public counterparties are ever published by name.

Every counterparty not listed in `public_counterparties` (and not an `@member` of a federation)
is published as "private", and its name is replaced wherever it appears in a description or a
note. Everything the site publishes from the ledgers goes through `published_ledger`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from publisher.checking import check, row_problems
from publisher.problems import Problem, Severity, register_code

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

PRIVATE = "private"
#: Names shorter than this are not searched for inside descriptions: "Al" would match "Alarm".
MIN_NAME_LENGTH = 3

register_code(
    "private-name-in-description",
    Severity.WARNING,
    "A private counterparty's name inside a description or note; it is replaced when published.",
)


def is_public(names: pd.Series, public: frozenset[str]) -> np.ndarray:
    return (names.isin(public) | names.str.startswith("@") | (names.str.len() == 0)).to_numpy()


def private_names(cooperative: Cooperative) -> list[str]:
    ledger = cooperative.ledger
    if not len(ledger) or "counterparty" not in ledger.columns:
        return []
    names = ledger["counterparty"]
    names = names[~is_public(names, cooperative.accounts.public_counterparties)].unique()
    return sorted((str(n) for n in names if len(str(n)) >= MIN_NAME_LENGTH), key=len, reverse=True)


def name_pattern(names: list[str]) -> str | None:
    if not names:
        return None
    return r"(?i)\b(?:" + "|".join(re.escape(n) for n in names) + r")\b"


def redact(texts: pd.Series, pattern: str | None) -> pd.Series:
    if pattern is None or not len(texts):
        return texts
    return texts.str.replace(pattern, PRIVATE, regex=True)


def redact_text(text: str, pattern: str | None) -> str:
    return text if pattern is None else re.sub(pattern, PRIVATE, text)


@check
def check_private_names(cooperative: Cooperative) -> Iterable[Problem]:
    pattern = name_pattern(private_names(cooperative))
    ledger = cooperative.ledger
    if pattern is None:
        return []
    problems: list[Problem] = []
    for column in ("description", "note"):
        problems += row_problems(
            ledger,
            ledger[column].str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False),
            "private-name-in-description",
            column,
            lambda row, column=column: f"The {column} names a private counterparty (someone not "
            "listed in public_counterparties). The site publishes it with the name replaced by "
            f'"{PRIVATE}"; rephrase it if that reads badly.',
            cooperative.locate,
        )
    return problems


def published_ledger(cooperative: Cooperative) -> pd.DataFrame:
    """The ledger rows as the site publishes them: text cells, privacy applied, sorted by date."""
    ledger = cooperative.ledger
    units = cooperative.accounts.minor_units
    pattern = name_pattern(private_names(cooperative))
    if not len(ledger):
        columns = ["date", "description", "amount", "category", "fund", "counterparty", "decision", "id", "note"]
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    ordered = ledger.sort_values(["date", "path", "line"], kind="stable")
    counterparty = ordered["counterparty"].where(
        is_public(ordered["counterparty"], cooperative.accounts.public_counterparties), PRIVATE
    )
    return pd.DataFrame(
        {
            "date": ordered["date"].dt.strftime("%Y-%m-%d"),
            "description": redact(ordered["description"], pattern),
            "amount": format_amounts(ordered["amount"], units),
            "category": ordered["category"],
            "fund": ordered["fund"],
            "counterparty": counterparty,
            "decision": ordered["decision"],
            "id": ordered["id"],
            "note": redact(ordered["note"], pattern),
        }
    ).reset_index(drop=True)


def format_amounts(minor: pd.Series, units: int) -> pd.Series:
    """Integer minor units -> exact decimal text, vectorized ("-1250" -> "-12.50")."""
    values = minor.astype("int64").to_numpy()
    if units == 0:
        return pd.Series(values.astype(str), index=minor.index, dtype="str")
    magnitude = np.abs(values)
    whole = (magnitude // 10**units).astype(str)
    fraction = np.char.zfill((magnitude % 10**units).astype(str), units)
    sign = np.where(values < 0, "-", "")
    text = np.char.add(np.char.add(np.char.add(sign, whole), "."), fraction)
    return pd.Series(text, index=minor.index, dtype="str")
