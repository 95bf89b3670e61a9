"""Text as a person reads it: the form in which private names are compared.

A name can be written so that it reads the same but compares differently: with two spaces or a
no-break space between the words, a soft hyphen or a zero-width space inside, decomposed accents
(NFD), full-width letters, a right-to-left override, or a Cyrillic "а" for a Latin "a". `fold`
turns text into one form for all of these, and remembers where each character of that form came
from, so that a name found in the folded text can be replaced in the text as written.

The folding, in order: Unicode compatibility decomposition (NFKD, per base character and its
combining marks, so NFC, NFD and full-width text fold alike) without the accents, the look-alike
letters of `HOMOGLYPHS` mapped to Latin, case folding, NFKC, invisible and formatting characters
(category Cf, and the default-ignorable marks) removed, and every run of whitespace made one space.
Accents are dropped because bank exports and slugs drop them: "EMILE ZOLA-BRUN" on a statement
and `emile-zola-brun.md` name Émile Zola-Brun.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Cyrillic and Greek letters drawn like Latin ones in common fonts, mapped before case folding
#: (an upper-case Greek eta looks like H, its lower case like n). Deliberately small: only
#: letters a reader takes for the Latin letter without a second look.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Cyrillic lower case
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "к": "k",
    # Greek upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Greek lower case
    "α": "a", "ο": "o", "ι": "i", "ν": "v", "ρ": "p", "κ": "k", "χ": "x", "ϲ": "c", "ϳ": "j",
    "υ": "u",
    # Latin look-alikes
    "ı": "i", "ɑ": "a", "ɡ": "g",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)

_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# An ASCII run not followed by a combining mark, or one character with the marks that follow it.
_CHUNK = re.compile(rf"[\x00-\x7f]+(?![{_COMBINING}])|.[{_COMBINING}]*", re.DOTALL)
_ASCII_SPACE = re.compile(r"[\t\n\r\f\v]|  ")
_SPACE_OR_NOT = re.compile(r"\s+|\S+")
_SPACES = re.compile(r"\s+")
# Default-ignorable characters outside category Cf (combining grapheme joiner, Mongolian and
# variation selectors, Hangul fillers): they draw nothing either.
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
#: Letters and digits: the words names are made of (underscores and punctuation separate).
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Folded:
    """Text in its folded form; `starts[i]`/`ends[i]` is the span of the original text that
    folded character i came from (empty when positions were not asked for)."""

    text: str
    starts: list[int]
    ends: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span [start, end) (end > start); text shown right to
        left maps back in reverse, so the span is the widest of its characters'."""
        return min(self.starts[start:end]), max(self.ends[start:end])


@functools.lru_cache(maxsize=4096)  # the same few accented letters come back again and again
def _fold_cluster(cluster: str) -> str:
    cluster = _IGNORABLE.sub("", cluster)
    if not cluster or unicodedata.category(cluster[0]) == "Cf":
        return ""
    if cluster.isspace() or unicodedata.category(cluster[0]) in ("Zs", "Zl", "Zp"):
        return " "
    # Accents go too: bank exports write "EMILE" for "Émile", and slugs "emile".
    decomposed = unicodedata.normalize("NFKD", cluster)
    marks = ("Mn", "Me")
    folded = (
        "".join(c for c in decomposed if unicodedata.category(c) not in marks)
        .translate(_HOMOGLYPH_TABLE)
        .casefold()
    )
    folded = unicodedata.normalize("NFKC", folded)
    # NFKC can itself produce spaces (U+2002 -> " ") or formatting characters.
    return "".join(" " if c.isspace() else c for c in folded if unicodedata.category(c) != "Cf")


#: Explicit bidirectional controls: embeddings and overrides (LRE, RLE, LRO, RLO), closed by
#: PDF; isolates (LRI, RLI, FSI), closed by PDI.
_EMBEDDINGS, _POP_EMBEDDING = "\u202a\u202b\u202d\u202e", "\u202c"
_ISOLATES, _POP_ISOLATE = "\u2066\u2067\u2068", "\u2069"
_BIDI_OPENERS = re.compile(f"[{_EMBEDDINGS}{_ISOLATES}]")


def bidi_closed_column(cells: pd.Series) -> pd.Series:
    """`bidi_closed` on each cell of a column of text (only the few cells that hold a control)."""
    opened = cells.str.contains(_BIDI_OPENERS.pattern, regex=True).to_numpy(dtype=bool)
    if not opened.any():
        return cells
    closed = cells.copy()
    closed[opened] = cells[opened].map(bidi_closed)
    return closed


def bidi_closed(text: str) -> str:
    """`text` with every embedding, override or isolate it opens and leaves open closed at its
    end. An override left open (a label "Tools \u202elent") turns around what the page writes
    after it in the same line: "Tools lent 2026" would show the year as 6202, "631" as 136.
    Closed, it turns around the value's own letters only, as written."""
    if not _BIDI_OPENERS.search(text):
        return text
    open_: list[str] = []
    for c in text:
        if c in _EMBEDDINGS:
            open_.append(_POP_EMBEDDING)
        elif c == _POP_EMBEDDING and open_ and open_[-1] == _POP_EMBEDDING:
            open_.pop()
        elif c in _ISOLATES:
            open_.append(_POP_ISOLATE)
        elif c == _POP_ISOLATE and _POP_ISOLATE in open_:
            # A PDI closes its isolate and every embedding opened inside it.
            while open_.pop() != _POP_ISOLATE:
                pass
    return text + "".join(reversed(open_))


#: A right-to-left override (U+202E) shows what follows it, up to a pop (U+202C) or the end of
#: the line, backwards: "Jane \u202eeoD" reads "Jane Doe".
_RIGHT_TO_LEFT_OVERRIDE = re.compile("\u202e[^\u202c\n\r\u2029]*")


def _overrides_applied(text: str) -> tuple[str, list[int]]:
    """`text` in the order it is shown, and for each of its characters the original index."""
    order = list(range(len(text)))
    for match in _RIGHT_TO_LEFT_OVERRIDE.finditer(text):
        a, b = match.span()
        order[a:b] = order[a:b][::-1]
    return "".join(text[k] for k in order), order


def fold(text: str, positions: bool = True) -> Folded:
    """`text` folded as described in the module's docstring; with `positions`, the map from
    each folded character back to the original characters. Text with a right-to-left override
    is read twice, as it is shown (the letters after the override turned around) and as it is
    stored (what a search engine or a copy finds), one reading after the other."""
    stored = _fold(text, positions)
    if "\u202e" not in text:
        return stored
    shown_text, order = _overrides_applied(text)
    shown = _fold(shown_text, positions)
    both = shown.text + "\n" + stored.text
    if not positions:
        return Folded(both, [], [])
    starts = [min(order[k] for k in range(a, b)) for a, b in zip(shown.starts, shown.ends)]
    ends = [max(order[k] for k in range(a, b)) + 1 for a, b in zip(shown.starts, shown.ends)]
    # The line between the two readings maps to the whole text: a match across it is replaced whole.
    return Folded(both, starts + [0] + stored.starts, ends + [len(text)] + stored.ends)


def _fold(text: str, positions: bool) -> Folded:
    if text.isascii() and not _ASCII_SPACE.search(text):
        # Almost every description: lower case is all there is to do, position for position.
        return Folded(
            text.lower(),
            list(range(len(text))) if positions else [],
            list(range(1, len(text) + 1)) if positions else [],
        )
    if not positions:
        # Whole pages: no index map, so whitespace is collapsed once at the end.
        pieces = [c if c.isascii() else _fold_cluster(c) for c in _CHUNK.findall(text)]
        return Folded(_SPACES.sub(" ", "".join(pieces).lower()), [], [])
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last_space = False
    for chunk in _CHUNK.finditer(text):
        a, b = chunk.span()
        piece = chunk.group()
        if piece.isascii():
            for part in _SPACE_OR_NOT.finditer(piece):
                p, q = part.span()
                word = part.group()
                if word[0].isspace():
                    if last_space:
                        if positions:
                            ends[-1] = a + q
                        continue
                    out.append(" ")
                    if positions:
                        starts.append(a + p)
                        ends.append(a + q)
                    last_space = True
                    continue
                out.append(word.lower())
                if positions:
                    starts.extend(range(a + p, a + q))
                    ends.extend(range(a + p + 1, a + q + 1))
                last_space = False
            continue
        folded = _fold_cluster(piece)
        if not folded:
            continue
        for character in folded:
            if character == " ":
                if last_space:
                    if positions:
                        ends[-1] = b
                    continue
                last_space = True
            else:
                last_space = False
            out.append(character)
            if positions:
                starts.append(a)
                ends.append(b)
    return Folded("".join(out), starts, ends)


def fold_name(name: str) -> list[str]:
    """The words of a name in folded form (`Émile Zola-Brun` -> ["emile", "zola", "brun"])."""
    if name.isascii():
        return WORD.findall(name.lower())
    return WORD.findall(_fold(name, positions=False).text)  # as stored, as the books compare names


def words_of(text: str) -> set[str]:
    """The distinct folded words of a text."""
    return set(WORD.findall(fold(text, positions=False).text))


_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
# Markdown's inline markers: emphasis and code drawn around parts of a word, and escapes.
_MARKDOWN_MARKERS = re.compile(r"[*~`\\]+")


def html_readings(text: str) -> list[str]:
    """The ways a person reads an HTML page: its source with entities decoded (attributes and
    comments included), and its text with the tags removed (`Ja<b>ne</b>` reads `Jane`)."""
    decoded = html.unescape(text)
    # A tag inside a word joins its parts (`Ja<b>ne</b>`); one between words, such as <br> or
    # </td><td>, separates them.
    return [decoded, html.unescape(_TAG.sub("", text)), html.unescape(_TAG.sub(" ", text))]


def markdown_markers_removed(source: str) -> str:
    """Markdown source without its emphasis and code markers (`Ja**ne**` reads `Jane`)."""
    return _MARKDOWN_MARKERS.sub("", source)


@dataclass(frozen=True)
class Reading:
    """A rendering of source text, with each character's span in the source."""

    text: str
    starts: list[int]
    ends: list[int]


def markdown_readings(source: str) -> list[Reading]:
    """How a Markdown page's source reads once rendered, as far as names go: HTML entities
    decoded, emphasis and code markers dropped (`Ja**ne** *Doe*` reads `Jane Doe`); once with
    the HTML tags kept as text (names in attributes and comments are published too) and once
    with them removed (`Ja<b>ne</b>`), and once with each replaced by a space (`Jane<br>Doe`)."""
    readings = []
    for drop_tags, tag_as in ((False, ""), (True, ""), (True, " ")):
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        pattern = re.compile(
            "|".join(
                [_ENTITY.pattern, _MARKDOWN_MARKERS.pattern] + ([_TAG.pattern] if drop_tags else [])
            )
        )
        for match in pattern.finditer(source):
            a, b = match.span()
            out.append(source[position:a])
            starts.extend(range(position, a))
            ends.extend(range(position + 1, a + 1))
            token = match.group()
            if token.startswith("&"):
                decoded = html.unescape(token)
                out.append(decoded)
                starts.extend([a] * len(decoded))
                ends.extend([b] * len(decoded))
            elif token.startswith("<") and tag_as:
                out.append(tag_as)
                starts.append(a)
                ends.append(b)
            position = b
        out.append(source[position:])
        starts.extend(range(position, len(source)))
        ends.extend(range(position + 1, len(source) + 1))
        readings.append(Reading("".join(out), starts, ends))
    return readings
