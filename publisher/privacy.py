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
import pyarrow as pa
import pyarrow.compute as pc

from publisher.checking import check, row_problems
from publisher.csvfile import arrow_text
from publisher.problems import Problem, Severity, problem, register_code

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

PRIVATE = "private"
#: Names shorter than this are not searched for inside descriptions: "Al" would match "Alarm".
MIN_NAME_LENGTH = 3

register_code(
    "private-name-not-searched",
    Severity.WARNING,
    "A private counterparty's name is too short to be looked for inside descriptions.",
)
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


_WORD_SPLIT = r"[^\p{L}\p{N}_]+"  # RE2: anything that is not a letter, digit or underscore


class NameFinder:
    """Finds private names inside free text, fast on a million rows with thousands of names.

    One regular expression of thousands of alternatives is slow in any engine. Instead each
    distinct text is split into words once (pyarrow), the texts holding the first word of some
    name are picked out, and only those are searched, with the names starting with that word
    (their pattern compiled when first needed).
    """

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        self.groups: dict[str, list[str]] = {}
        for name in names:
            words = [w for w in re.split(r"[^\w]+", name.lower()) if w]
            if words:
                self.groups.setdefault(words[0], []).append(name)
        self._patterns: dict[str, re.Pattern] = {}

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _pattern(self, first: str) -> re.Pattern:
        if first not in self._patterns:
            names = sorted(self.groups[first], key=len, reverse=True)
            self._patterns[first] = re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
            )
        return self._patterns[first]

    def _scan(self, texts: pd.Series) -> tuple[np.ndarray, list[str], dict[int, set[str]]]:
        """(index of each row's distinct text, the distinct texts, distinct text -> first
        words of names it contains)."""
        encoded = pc.dictionary_encode(arrow_text(texts))
        distinct, indices = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
        words = pc.split_pattern_regex(pc.utf8_lower(distinct), _WORD_SPLIT)
        flat = pc.list_flatten(words)
        owners = pc.list_parent_indices(words).to_numpy()
        hit = pc.is_in(flat, value_set=pa.array(list(self.groups), type=pa.large_string()))
        hit = hit.to_numpy(zero_copy_only=False)
        found: dict[int, set[str]] = {}
        for owner, word in zip(owners[hit], flat.filter(pa.array(hit)).to_pylist()):
            found.setdefault(int(owner), set()).add(word)
        return indices, distinct.to_pylist() if found else [], found

    def contains(self, texts: pd.Series) -> np.ndarray:
        if not self or not len(texts):
            return np.zeros(len(texts), dtype=bool)
        indices, distinct, found = self._scan(texts)
        named = [k for k, firsts in found.items() if any(self._pattern(f).search(distinct[k]) for f in firsts)]
        return np.isin(indices, named)

    def redact(self, texts: pd.Series) -> pd.Series:
        if not self or not len(texts):
            return texts
        indices, distinct, found = self._scan(texts)
        if not found:
            return texts
        for k, firsts in found.items():
            for first in firsts:
                distinct[k] = self._pattern(first).sub(PRIVATE, distinct[k])
        return pd.Series(np.asarray(distinct, dtype=object)[indices], index=texts.index, dtype="str")

    def redact_text(self, text: str) -> str:
        return self.redact(pd.Series([text], dtype="str")).iloc[0]


def name_finder(cooperative: Cooperative) -> NameFinder:
    """The finder of the cooperative's private names, made once: checks and pages share it."""
    if "names" not in cooperative._cache:
        cooperative._cache["names"] = NameFinder(private_names(cooperative))
    return cooperative._cache["names"]


@check
def check_private_names(cooperative: Cooperative) -> Iterable[Problem]:
    finder = name_finder(cooperative)
    ledger = cooperative.ledger
    if not finder:
        return []
    problems: list[Problem] = []
    for column in ("description", "note"):
        problems += row_problems(
            ledger,
            finder.contains(ledger[column]),
            "private-name-in-description",
            column,
            lambda row, column=column: f"The {column} names a private counterparty (someone not "
            "listed in public_counterparties). The site publishes it with the name replaced by "
            f'"{PRIVATE}"; rephrase it if that reads badly.',
            cooperative.locate,
        )
    for meeting in cooperative.governance.meetings:
        texts = [(meeting.lines.get("title"), "title", meeting.title)]
        texts += [(d.motion_line or d.line, f"motion of decision {d.id}", d.motion) for d in meeting.decisions]
        for line, what, text in texts:
            if finder.contains(pd.Series([text], dtype="str"))[0]:
                problems.append(
                    problem(
                        "private-name-in-description",
                        meeting.path,
                        line,
                        f"The {what} names a private counterparty; the site publishes it with the "
                        f'name replaced by "{PRIVATE}". Rephrase it if that reads badly.',
                    )
                )
    return problems


@check
def check_short_private_names(cooperative: Cooperative) -> Iterable[Problem]:
    """Names too short to look for in descriptions: the treasurer is told to check by hand."""
    ledger = cooperative.ledger
    if not len(ledger) or "counterparty" not in ledger.columns:
        return []
    # The distinct names first: a million rows hold a few thousand of them.
    distinct = pd.Series(ledger["counterparty"].unique(), dtype="str")
    short = distinct[((distinct.str.len() < MIN_NAME_LENGTH).to_numpy()) & ~is_public(distinct, cooperative.accounts.public_counterparties)]
    if not len(short):
        return []
    names = ledger["counterparty"]
    flagged = (names.isin(set(short)) & ~names.duplicated()).to_numpy()
    return row_problems(
        ledger,
        flagged,
        "private-name-not-searched",
        "counterparty",
        lambda row: f'The private counterparty "{row.counterparty}" is too short to be looked for in '
        "descriptions and pages (it would match inside other words): it is published as "
        f'"{PRIVATE}" in the counterparty column, but check by hand that no description names it.',
        cooperative.locate,
    )


PUBLISHED_COLUMNS = ["date", "description", "amount", "category", "fund", "counterparty", "decision", "id", "note"]
PROVENANCE_COLUMNS = ["changed_in", "changed_on"]


def published_ledger(cooperative: Cooperative, provenance: dict | None = None) -> pd.DataFrame:
    """The ledger rows as the site publishes them: text cells, privacy applied, sorted by date.

    With `provenance` ((path, line) -> the commit that last changed the row, or None when not
    committed), two more columns say which commit and when.
    """
    ledger = cooperative.ledger
    units = cooperative.accounts.minor_units
    finder = name_finder(cooperative)
    if not len(ledger):
        columns = PUBLISHED_COLUMNS + (PROVENANCE_COLUMNS if provenance is not None else [])
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    ordered = ledger.sort_values(["date", "path", "line"], kind="stable")
    counterparty = ordered["counterparty"].where(
        is_public(ordered["counterparty"], cooperative.accounts.public_counterparties), PRIVATE
    )
    published = pd.DataFrame(
        {
            "date": ordered["date"].dt.strftime("%Y-%m-%d"),
            "description": finder.redact(ordered["description"]),
            "amount": format_amounts(ordered["amount"], units),
            "category": ordered["category"],
            "fund": ordered["fund"],
            "counterparty": counterparty,
            "decision": ordered["decision"],
            "id": ordered["id"],
            "note": finder.redact(ordered["note"]),
        }
    )
    if provenance is not None:
        commits = [provenance.get((p, int(line)), None) for p, line in zip(ordered["path"], ordered["line"])]
        published["changed_in"] = ["uncommitted" if c is None else c.short for c in commits]
        published["changed_on"] = ["" if c is None else f"{c.date:%Y-%m-%d}" for c in commits]
    return published.reset_index(drop=True)


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
