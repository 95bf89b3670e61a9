"""Privacy: only public counterparties are ever published by name.

Every counterparty not listed in `public_counterparties` (and not an `@member` of a federation)
is published as "private", and its name is replaced wherever it appears in a description or a
note. Everything the site publishes from the ledgers goes through `published_ledger`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from publisher.checking import Check, row_problems
from publisher.csvfile import arrow_text
from publisher.i18n import _
from publisher.problems import Problem, problem
from publisher.markdownfile import FRONT_MATTER
from publisher.reading import (
    HOMOGLYPHS,
    WORD,
    fold,
    fold_name,
    html_readings,
    markdown_markers_removed,
    markdown_readings,
    words_of,
)

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

PRIVATE = "private"
#: Names shorter than this are not searched for inside descriptions: "Al" would match "Alarm".
MIN_NAME_LENGTH = 3


def _same_message(text: str) -> Callable[[Any], str]:
    """A problem's message that is the same for every row."""
    return lambda row: text


def is_public(names: pd.Series, public: frozenset[str]) -> np.ndarray:
    return (names.isin(public) | names.str.startswith("@") | (names.str.len() == 0)).to_numpy()


def private_names(cooperative: Cooperative) -> list[str]:
    ledger = cooperative.ledger
    if not len(ledger) or "counterparty" not in ledger.columns:
        return []
    counterparties = ledger["counterparty"]
    public = cooperative.accounts.public_counterparties
    names = counterparties[~is_public(counterparties, public)].unique()
    return sorted((str(n) for n in names if len(str(n)) >= MIN_NAME_LENGTH), key=len, reverse=True)


_WORD_SPLIT = r"[^\p{L}\p{N}]+"  # RE2: anything that is not a letter or a digit (as reading.WORD)
_WORD_GAP = r"[\W_]+"  # between the words of a name as written: spaces, hyphens, dots, line breaks
_WORD_EDGE_BEFORE = r"(?<![^\W_])"  # not preceded by a letter or digit
_WORD_EDGE_AFTER = r"(?![^\W_])"
#: A surname shorter than this is not warned about on its own: "Doe", "Li" are words too often.
MIN_PART_LENGTH = 4


def _words_found(folded: pa.Array, value_set: pa.Array, keep: np.ndarray) -> dict[int, set[str]]:
    """Text index -> the words of `value_set` among its words, for the texts `keep` selects."""
    words = pc.split_pattern_regex(folded, _WORD_SPLIT)
    flat = pc.list_flatten(words)
    owners = pc.list_parent_indices(words).to_numpy()
    hit = pc.is_in(flat, value_set=value_set).to_numpy(zero_copy_only=False) & keep[owners]
    found: dict[int, set[str]] = {}
    for owner, word in zip(owners[hit], flat.filter(pa.array(hit)).to_pylist()):
        found.setdefault(int(owner), set()).add(word)
    return found


# What `fold` removes, in RE2: accents and other combining marks, formatting characters, the
# default-ignorable marks.
_ARROW_DROPPED = (
    "[\\p{Mn}\\p{Me}\\p{Cf}\\x{034F}\\x{115F}\\x{1160}\\x{17B4}\\x{17B5}\\x{3164}\\x{FFA0}]"
)
# Look-alike letters, and where case folding differs from lower case in names.
_ARROW_REPLACED = {**HOMOGLYPHS, "ß": "ss", "ẞ": "ss", "ς": "σ", "ſ": "s"}
_ARROW_REPLACED_ANY = "[" + "".join(sorted(_ARROW_REPLACED)) + "]"


def _arrow_fold(texts: pa.Array) -> pa.Array:
    """Nearly `fold` for many texts at once, for picking out candidates (words only)."""
    folded = pc.replace_substring_regex(pc.utf8_normalize(texts, "NFKD"), _ARROW_DROPPED, "")
    lookalike = pc.fill_null(pc.match_substring_regex(folded, _ARROW_REPLACED_ANY), False)
    if pc.any(lookalike).as_py():
        mapped = folded
        for letter, latin in _ARROW_REPLACED.items():
            mapped = pc.replace_substring(mapped, letter, latin)
        folded = pc.if_else(lookalike, mapped, folded)
    return pc.utf8_normalize(pc.utf8_lower(folded), "NFKC")


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The span with the invisible characters around it: a right-to-left override left behind
    would turn the text after the replacement around."""
    while start > 0 and unicodedata.category(text[start - 1]) == "Cf":
        start -= 1
    while end < len(text) and unicodedata.category(text[end]) == "Cf":
        end += 1
    return start, end


class NameFinder:
    """Finds private names inside free text as a person reads them, fast on a million rows
    with thousands of names.

    Texts and names are compared in their folded form (`publisher.reading.fold`: NFKC, case
    folding, look-alike letters, invisible characters removed, whitespace collapsed), and a name
    matches by its words whatever separates them (`Jane Doe`, `jane-doe`, `Jane.Doe`, a line
    break), so a file name or a slug matches too.

    One regular expression of thousands of alternatives is slow in any engine. Instead each
    distinct text is split into words once (pyarrow; in Python for the few texts that are not
    ASCII, which need folding), the texts holding the first word of some name are picked out,
    and only those are searched, with the names starting with that word (their pattern compiled
    when first needed). A match in the folded text is mapped back to the characters as written,
    and those are replaced.
    """

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        self.groups: dict[str, list[tuple[str, ...]]] = {}
        #: Words warned about on their own: surnames of MIN_PART_LENGTH letters or more, and
        #: names run together as in a handle (`janedoe`).
        self.parts: set[str] = set()
        self._run_together: set[str] = set()
        for name in names:
            words = tuple(fold_name(name))
            # A name without a letter ("-1+1", an account number) names no person, and looking
            # for its digits would find every amount on the site.
            if not any(character.isalpha() for word in words for character in word):
                continue
            self.groups.setdefault(words[0], []).append(words)
            if len(words) > 1:
                self._run_together.add("".join(words))
                if len(words[-1]) >= MIN_PART_LENGTH:
                    self.parts.add(words[-1])
        self.parts |= self._run_together
        self._patterns: dict[str, re.Pattern] = {}

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _pattern(self, first: str) -> re.Pattern:
        if first not in self._patterns:
            alternatives = sorted(
                {_WORD_GAP.join(re.escape(w) for w in words) for words in self.groups[first]},
                key=len,
                reverse=True,
            )
            self._patterns[first] = re.compile(
                _WORD_EDGE_BEFORE + "(?:" + "|".join(alternatives) + ")" + _WORD_EDGE_AFTER
            )
        return self._patterns[first]

    def _scan(
        self, texts: pd.Series, watched: set[str]
    ) -> tuple[np.ndarray, pa.Array, dict[int, set[str]]]:
        """(index of each row's distinct text, the distinct texts, distinct text -> the
        `watched` words it contains, in folded form)."""
        encoded = pc.dictionary_encode(arrow_text(texts))
        distinct, indices = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
        value_set = pa.array(sorted(watched), type=pa.large_string())
        ascii_only = pc.fill_null(pc.string_is_ascii(distinct), True).to_numpy(zero_copy_only=False)
        # ASCII text folds to its lower case, word for word: pyarrow does it for all at once.
        found = _words_found(pc.utf8_lower(distinct), value_set, ascii_only)
        others = np.flatnonzero(~ascii_only)
        if len(others):
            # The rest is folded by pyarrow nearly as `fold` does, to pick out the few texts that
            # may hold a watched word; those are then folded exactly.
            subset = distinct.take(pa.array(others))
            maybe = _words_found(_arrow_fold(subset), value_set, np.ones(len(others), dtype=bool))
            # Text shown right to left by an override is turned around by `fold` only.
            overridden = pc.fill_null(pc.match_substring(subset, "\u202e"), False).to_numpy(
                zero_copy_only=False
            )
            for k in [*maybe, *(int(k) for k in np.flatnonzero(overridden) if int(k) not in maybe)]:
                seen = words_of(subset[k].as_py()) & watched
                if seen:
                    found[int(others[k])] = seen
        return indices, distinct, found

    def spans(self, text: str, firsts: Iterable[str] | None = None) -> list[tuple[int, int]]:
        """The spans of `text` (as written) that read as a private name, merged and in order."""
        folded = fold(text)
        if firsts is None:
            firsts = WORD.findall(folded.text)
        found = []
        for first in set(firsts):
            if first in self.groups:
                found += [
                    _widened(text, *folded.span(*m.span()))
                    for m in self._pattern(first).finditer(folded.text)
                ]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def _replaced(self, text: str, firsts: Iterable[str]) -> str:
        for start, end in reversed(self.spans(text, firsts)):
            text = text[:start] + PRIVATE + text[end:]
        return text

    def contains(self, texts: pd.Series) -> np.ndarray:
        """Which texts name a private counterparty."""
        return self.find(texts)[0]

    def contains_part(self, texts: pd.Series) -> np.ndarray:
        """Which texts hold, besides any whole name, a private counterparty's surname alone
        (written with a capital, as a name is) or a name run together as a handle (`@janedoe`)."""
        return self.find(texts)[1]

    def find(self, texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(which texts name a private counterparty, which hold a part of a name): one pass."""
        if not self or not len(texts):
            return np.zeros(len(texts), dtype=bool), np.zeros(len(texts), dtype=bool)
        firsts = set(self.groups)
        indices, distinct, found = self._scan(texts, firsts | self.parts)
        named, parted = [], []
        for k, seen in found.items():
            text = distinct[k].as_py()
            if seen & firsts and self.spans(text, seen & firsts):
                named.append(k)
                text = self._replaced(text, seen & firsts)
            if seen & self.parts and self._holds_part(text):
                parted.append(k)
        return np.isin(indices, named), np.isin(indices, parted)

    def _holds_part(self, text: str) -> bool:
        folded = fold(text)
        for word in WORD.finditer(folded.text):
            if word.group() in self.parts:
                start, _ = folded.span(*word.span())
                # A surname is written with a capital ("paid Brun"), "supplies" is a word; a name
                # run together is a handle however it is written.
                if text[start].isupper() or not self._is_surname(word.group()):
                    return True
        return False

    def _is_surname(self, word: str) -> bool:
        return word not in self._run_together

    def redact(self, texts: pd.Series) -> pd.Series:
        """The texts with every private name replaced by "private"."""
        if not self or not len(texts):
            return texts
        indices, distinct, found = self._scan(texts, set(self.groups))
        if not found:
            return texts
        values = distinct.to_pylist()
        for k, firsts in found.items():
            values[k] = self._replaced(values[k], firsts)
        return pd.Series(np.asarray(values, dtype=object)[indices], index=texts.index, dtype="str")

    def redact_text(self, text: str) -> str:
        return self.redact(pd.Series([text], dtype="str")).iloc[0]

    def names_in(self, text: str) -> bool:
        """Whether any reading of `text` names a private counterparty (one text, no index map:
        for checking whole pages)."""
        if not self:
            return False
        folded = fold(text, positions=False).text
        firsts = set(WORD.findall(folded)) & self.groups.keys()
        return any(self._pattern(first).search(folded) for first in firsts)


def name_finder(cooperative: Cooperative) -> NameFinder:
    """The finder of the cooperative's private names, made once by the loader: checks and
    pages share it."""
    return cooperative.private_name_finder


def check_private_names(cooperative: Cooperative) -> Iterable[Problem]:
    finder = name_finder(cooperative)
    ledger = cooperative.ledger
    if not finder:
        return []
    problems: list[Problem] = []
    for column in ("description", "note"):
        named, parted = finder.find(ledger[column])
        problems += row_problems(
            ledger,
            named,
            "private-name-in-description",
            column,
            _same_message(
                _(
                    "The {column} names a private counterparty (someone not "
                    "listed in public_counterparties). The site publishes it with the name replaced by "
                    '"{private}"; rephrase it if that reads badly.'
                ).format(column=column, private=PRIVATE)
            ),
            cooperative.locate,
        )
        problems += row_problems(
            ledger,
            parted,
            "private-name-part",
            column,
            _same_message(
                _(
                    "The {column} contains a private counterparty's surname on its "
                    "own, or a name run together as in a handle; it is published as it is. If it names "
                    "that person, rephrase it without the name."
                ).format(column=column)
            ),
            cooperative.locate,
        )
    for column in ("id", "decision"):
        # Ids are published as written (replacing a name would change the id other rows and
        # minutes refer to), so one that spells a name stops the build.
        if column in ledger.columns and len(ledger):
            problems += row_problems(
                ledger,
                finder.contains(ledger[column]),
                "private-name-in-id",
                column,
                _same_message(
                    _(
                        "The {column} spells a private counterparty's name (someone not "
                        "listed in public_counterparties), and ids are published as they are. Choose an id "
                        "without the name."
                    ).format(column=column)
                ),
                cooperative.locate,
            )
    if "counterparty" in ledger.columns and len(ledger):
        # "@member" references are published as they are: one that spells a private name is a
        # person's handle, not a member of the federation.
        # The distinct names first: a million rows hold a few thousand of them.
        handles = pd.Series(
            [n for n in ledger["counterparty"].unique() if str(n).startswith("@")], dtype="str"
        )
        spelled = set(handles[np.logical_or(*finder.find(handles))]) if len(handles) else set()
        if spelled:
            names = ledger["counterparty"]
            problems += row_problems(
                ledger,
                (names.isin(spelled) & ~names.duplicated()).to_numpy(),
                "private-name-handle",
                "counterparty",
                lambda row: _(
                    "The counterparty is written as an @handle that spells the name of a private "
                    "counterparty. An @ counterparty is published as it is (it stands for a member of the "
                    "federation): write the person's name instead, which is published as "
                    '"{private}".'
                ).format(private=PRIVATE),
                cooperative.locate,
            )
    for meeting in cooperative.governance.meetings:
        texts = [(meeting.lines.get("title"), "title", meeting.title)]
        texts += [
            (d.motion_line or d.line, _("motion of decision {id}").format(id=d.id), d.motion)
            for d in meeting.decisions
        ]
        for line, what, text in texts:
            named, parted = finder.find(pd.Series([text], dtype="str"))
            if named[0]:
                problems.append(
                    problem(
                        "private-name-in-description",
                        meeting.path,
                        line,
                        _(
                            "The {what} names a private counterparty; the site publishes it with the "
                            'name replaced by "{private}". Rephrase it if that reads badly.'
                        ).format(what=what, private=PRIVATE),
                    )
                )
            if parted[0]:
                problems.append(
                    problem(
                        "private-name-part",
                        meeting.path,
                        line,
                        _(
                            "The {what} contains a private counterparty's surname on its own, or a name run "
                            "together as in a handle; it is published as it is. If it names that person, "
                            "rephrase it without the name."
                        ).format(what=what),
                    )
                )
    return problems


def private_names_in(
    cooperative: Cooperative, frame: pd.DataFrame, columns: tuple[str, ...], what: str
) -> list[Problem]:
    """Text of measures.csv and assets.csv is published as written (unlike a ledger row's
    description, which the site redacts): one that names a private counterparty stops the build."""
    finder = name_finder(cooperative)
    if not finder:
        return []
    problems: list[Problem] = []
    for column in columns:
        named, parted = finder.find(frame[column])
        problems += row_problems(
            frame,
            named | parted,
            "private-name-in-activity",
            column,
            _same_message(
                _(
                    "The {column} of this {what} names a private counterparty "
                    "(someone not listed in public_counterparties), and it is published as written. "
                    "Write it without the name."
                ).format(column=column, what=what)
            ),
            cooperative.locate,
        )
    return problems


PAGES_DIR = "content"
#: Files under content/ besides pages that are published as text, and looked through for names.
TEXT_FILES = frozenset(
    {".svg", ".txt", ".html", ".htm", ".js", ".css", ".json", ".xml", ".csv", ".yml", ".yaml"}
)
#: Larger text files are looked at by name only (as big as a page may be read).
MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024
#: Characters above which a page is checked without an index map to its lines.
LARGE_PAGE = 1_000_000


def check_private_names_in_pages(cooperative: Cooperative) -> Iterable[Problem]:
    """Hand-written pages (and their file names, which become addresses) must not name a private
    counterparty: a treasurer's prose is not rewritten, so the build stops instead."""
    finder = name_finder(cooperative)
    if not finder or not cooperative.content:
        return []
    problems: list[Problem] = []
    # The blog's authors file is printed on every story, as it is.
    # So is every other file under content/: its name becomes an address, and a text file (an
    # SVG picture, a script) is copied to the site as it is.
    for file in cooperative.content:
        relative = file.path
        path = PurePosixPath(relative)
        is_page = path.suffix == ".md" or path.name == ".authors.yml"
        stem_words = " ".join(WORD.findall(path.relative_to(PAGES_DIR).with_suffix("").as_posix()))
        if finder.names_in(stem_words):
            problems.append(
                problem(
                    "private-name-in-page",
                    relative,
                    None,
                    _(
                        "The file name names a private counterparty (someone not listed in "
                        "public_counterparties), and it becomes the page's address. Rename the file."
                    ),
                )
            )
        if not is_page and path.suffix.lower() in TEXT_FILES and file.problems:
            # Copied to the site as it is, yet it cannot be looked through for the names (not
            # UTF-8, too large): it would publish them unseen, so it is an error here.
            problems += file.problems
            continue
        if not is_page and (
            path.suffix.lower() not in TEXT_FILES or file.size > MAX_TEXT_FILE_BYTES
        ):
            continue
        read = file.universal_text()
        if read is None:
            continue  # reported by the checks of that kind of page; other files are not text
        text = read.lstrip("\ufeff")
        if relative.startswith(f"{PAGES_DIR}/minutes/"):
            # A meeting's title and motions are published with names replaced (and warned about
            # above); the rest of its front matter is not published.
            front = FRONT_MATTER.match(text)
            if front:
                text = "\n" * front.group().count("\n") + text[front.end() :]
        lines: list[int | None]
        if len(text) > LARGE_PAGE:
            # No index map for a page this large (it would take many times its size): the page
            # is named without a line.
            named = any(finder.names_in(r) for r in html_readings(markdown_markers_removed(text)))
            lines = [None] if named else []
        else:
            lines = [
                *sorted(
                    {text.count("\n", 0, start) + 1 for start in names_in_markdown(finder, text)}
                )
            ]
        for line in lines:
            problems.append(
                problem(
                    "private-name-in-page",
                    relative,
                    line,
                    _(
                        "This line names a private counterparty (someone not listed in "
                        "public_counterparties), as a reader of the page would read it. Pages are published "
                        "as written, so nothing was published: write it without the name (or add the "
                        "counterparty to public_counterparties, if it agreed to be named)."
                    ),
                )
            )
    return problems


def names_in_markdown(finder: NameFinder, source: str) -> list[int]:
    """Where (offsets in `source`) a private name starts in a Markdown page as it reads
    rendered: entities decoded, emphasis markers and tags inside words dropped."""
    starts: set[int] = set()
    for reading in markdown_readings(source):
        for start, _end in finder.spans(reading.text):
            starts.add(reading.starts[start] if start < len(reading.starts) else len(source))
    return sorted(starts)


def check_short_private_names(cooperative: Cooperative) -> Iterable[Problem]:
    """Names too short to look for in descriptions: the treasurer is told to check by hand."""
    ledger = cooperative.ledger
    if not len(ledger) or "counterparty" not in ledger.columns:
        return []
    # The distinct names first: a million rows hold a few thousand of them.
    distinct = pd.Series(ledger["counterparty"].unique(), dtype="str")
    short = distinct[
        ((distinct.str.len() < MIN_NAME_LENGTH).to_numpy())
        & ~is_public(distinct, cooperative.accounts.public_counterparties)
    ]
    if not len(short):
        return []
    names = ledger["counterparty"]
    flagged = (names.isin(set(short)) & ~names.duplicated()).to_numpy()
    return row_problems(
        ledger,
        flagged,
        "private-name-not-searched",
        "counterparty",
        lambda row: _(
            'The private counterparty "{counterparty}" is too short to be looked for in '
            "descriptions and pages (it would match inside other words): it is published as "
            '"{private}" in the counterparty column, but check by hand that no description names it.'
        ).format(counterparty=row.counterparty, private=PRIVATE),
        cooperative.locate,
    )


PUBLISHED_COLUMNS = [
    "date",
    "description",
    "amount",
    "category",
    "fund",
    "counterparty",
    "decision",
    "id",
    "note",
]
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
        commits = [
            provenance.get((p, int(line)), None)
            for p, line in zip(ordered["path"], ordered["line"])
        ]
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


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_private_names,
    check_private_names_in_pages,
    check_short_private_names,
]
