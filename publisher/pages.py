"""Hand-written pages (every Markdown file under content/): bounded before MkDocs renders them,
and titles and headings that stay text.

Python-Markdown's inline and block parsers take time far beyond linear on deeply nested
brackets, lists or quotes, so a page over the limits is refused before the build. Titles and
headings reach the navigation, the <title> and the blog's archive and category pages, where an
attribute list (`# Title {onclick=...}`), raw HTML or a link would be live markup.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from publisher.checking import Check
from publisher.i18n import _
from publisher.markdownfile import heading_text, parse_markdown
from publisher.problems import Problem, problem
from publisher.yamlfile import key_line

if TYPE_CHECKING:
    from publisher.cooperative import ContentFile, Cooperative

POSTS_DIR = "content/stories/posts"
#: Larger pages are refused: no page of a cooperative's site needs more.
MAX_PAGE_BYTES = 1024 * 1024
#: Deeper nesting of brackets, lists or quotes is refused.
MAX_NESTING = 100


def too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """The first line where the nesting goes past `limit`, or None: nesting of square brackets, parentheses and angle brackets left open
    within a paragraph, of admonitions opened in one paragraph, and of block quotes and lists at
    the start of lines, found in one linear scan. (Python-Markdown's time grows with the square
    of each: 16,000 `<a ` took 54 seconds, 32,000 `!!! note` lines 34.)"""
    open_count = {"[": 0, "(": 0, "<": 0}
    closing = {"]": "[", ")": "(", ">": "<"}
    admonitions = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            # Python-Markdown reads links paragraph by paragraph: a blank line closes them all.
            open_count = {"[": 0, "(": 0, "<": 0}
            admonitions = 0
            continue
        if line.lstrip().startswith(("!!!", "???")):
            admonitions += 1
            if admonitions > limit:
                return number
        # Containers at the line's start: each ">" or list marker opens a level, and so does
        # every two columns of indentation (a nested list needs at least two).
        containers, width, i = 0, 0, 0
        while i < len(line):
            char = line[i]
            if char == " ":
                width += 1
            elif char == "\t":
                width += 4
            elif char == ">" or (char in "-*+" and (i + 1 == len(line) or line[i + 1] in " \t")):
                containers += 1
            else:
                break
            i += 1
        if containers + width // 2 > limit:
            return number
        for char in line:
            if char in open_count:
                open_count[char] += 1
                if open_count[char] > limit:
                    return number
            elif char in closing and open_count[closing[char]]:
                open_count[closing[char]] -= 1
    return None


def title_markup(text: str) -> str | None:
    """What in a title or heading would be markup rather than text, or None."""
    if "<" in text or ">" in text:
        return _("HTML (< or >)")
    if "[" in text and "]" in text[text.index("[") :]:
        return "a link"
    if "{" in text and "}" in text and "=" in text[text.index("{") :]:
        return _("an attribute list")
    return None


#: A fence that opens a code block, as Python-Markdown's fenced_code reads one (no wider: a line
#: taken for a fence that Markdown does not take for one would hide prose from the checks).
_FENCE_OPENING = re.compile(r"(`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*)$")


def _code_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines inside fenced code blocks (fences included), as Python-Markdown
    finds them: a fence at the start of a line, closed by a line of the same fence and nothing
    else; a fence never closed opens nothing."""
    closers: dict[str, list[int]] = {}
    candidates = [index for index, line in enumerate(lines) if line[:3] in ("```", "~~~")]
    for index in candidates:
        fence = lines[index].rstrip(" \t")
        if set(fence) in ({"`"}, {"~"}):
            closers.setdefault(fence, []).append(index)
    code: set[int] = set()
    for index in candidates:
        if index in code:
            continue
        opening = _FENCE_OPENING.match(lines[index])
        if opening:
            later = closers.get(opening.group(1), [])
            after = bisect.bisect_right(later, index)
            if after < len(later):
                code.update(range(index, later[after] + 1))
    return code


def _markdown_lines(body: str) -> list[tuple[int, str]]:
    """(line number in the body, line) as Python-Markdown splits the body: a carriage return
    alone ends a line too (its number stays the one an editor counts by line feeds)."""
    return [
        (number, part)
        for number, line in enumerate(body.split("\n"), start=1)
        for part in line.removesuffix("\r").split("\r")
    ]


def _prose_runs(body: str) -> Iterable[list[tuple[int, str]]]:
    """Runs of consecutive (line number in the body, line) outside fenced code blocks: an HTML tag
    or an address may go on over several lines of one run."""
    lines = _markdown_lines(body)
    code = _code_lines([line for _, line in lines])
    run: list[tuple[int, str]] = []
    for index, numbered in enumerate(lines):
        if index in code:
            if run:
                yield run
            run = []
        else:
            run.append(numbered)
    if run:
        yield run


def _heading_lines(body: str) -> Iterable[tuple[int, str]]:
    """(line number in the body, heading text) of the ATX and setext headings outside fenced
    code blocks."""
    for run in _prose_runs(body):
        previous = ""
        for number, line in run:
            stripped = line.strip()
            text = heading_text(line)
            if text is not None:
                yield number, text
            elif (
                previous and stripped and set(stripped) <= {"="} | {"-"} and len(set(stripped)) == 1
            ):
                yield number - 1, previous.strip()
            previous = line if stripped and not line.startswith((" " * 4, "\t")) else ""


#: An HTML start tag, an attribute list, and what would run in one of them. The classes exclude
#: the delimiters, so each pattern scans a line once.
_TAG = re.compile(r"<[A-Za-z][^<>]*>?")
_ATTRIBUTE_LIST = re.compile(r"\{[^{}]*\}")
_EVENT_HANDLER = re.compile(
    r"(?i)(?:^|[\s/\"'{:])on[a-z]+\s*="
)  # `{:onclick=...}`: the colon of an attribute list
_ACTIVE_ELEMENT = re.compile(r"(?i)^<(?:script|iframe|object|embed|frame|base|form|meta)\b")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:")


def _visible(text: str) -> str:
    """What a browser reads in an address: entities decoded, spaces and invisible characters
    (tabs and line breaks included, which a browser drops from an address) removed."""
    return "".join(c for c in html.unescape(text) if c.isprintable() and not c.isspace()).lower()


def active_content(run: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line number, what) of what in a run of lines of a page would run in the reader's browser.
    A tag, an attribute list or an address may go on over several lines."""
    found: list[tuple[int, str]] = []
    numbers = [number for number, _ in run]
    visible_starts, pieces, length = [], [], 0
    for _number, line in run:
        visible_starts.append(length)
        pieces.append(_visible(line))
        length += len(pieces[-1])
    visible = "".join(pieces)
    for scheme in _SCRIPT_SCHEMES:
        at = visible.find(scheme)
        while at != -1:
            found.append(
                (
                    numbers[bisect.bisect_right(visible_starts, at) - 1],
                    _("a {scheme} address").format(scheme=scheme),
                )
            )
            at = visible.find(scheme, at + len(scheme))
    text = "\n".join(line for _, line in run)
    line_starts = [0]
    for _number, line in run[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)

    def number_at(offset: int) -> int:
        return numbers[bisect.bisect_right(line_starts, offset) - 1]

    for tag in _TAG.finditer(text):
        handler = _EVENT_HANDLER.search(tag.group())
        if _ACTIVE_ELEMENT.match(tag.group()):
            found.append(
                (number_at(tag.start()), _("an element {group!r}").format(group=tag.group()[:20]))
            )
        elif handler:
            found.append(
                (number_at(tag.start() + handler.end()), _("an event-handler attribute (on...=)"))
            )
    for attributes in _ATTRIBUTE_LIST.finditer(text):
        handler = _EVENT_HANDLER.search(attributes.group())
        if handler:
            found.append(
                (
                    number_at(attributes.start() + handler.end()),
                    _("an event-handler attribute (on...=)"),
                )
            )
    first_per_line: dict[int, str] = {}
    for number, what in found:
        first_per_line.setdefault(number, what)
    return sorted(first_per_line.items())


def _too_large(path: str, size: int) -> Problem:
    return problem(
        "page-too-large",
        path,
        None,
        _(
            "This page has {size:,} bytes; pages may have at most {max_page_bytes:,}. Split it into several pages."
        ).format(size=size, max_page_bytes=MAX_PAGE_BYTES),
    )


def page_problems(text: str, path: str) -> list[Problem]:
    """Problems of one Markdown page: its size, its nesting, markup in its title and headings."""
    size = len(text.encode("utf-8"))
    if size > MAX_PAGE_BYTES:
        return [_too_large(path, size)]
    line = too_deep(text)
    if line is not None:
        return [
            problem(
                "page-too-deep",
                path,
                line,
                _(
                    "Here brackets, parentheses, angle brackets, admonitions, lists or quotes are nested (or left "
                    "open in one paragraph) more than {max_nesting} levels deep, more than is published. Close the "
                    "brackets, separate the paragraphs or flatten the list."
                ).format(max_nesting=MAX_NESTING),
            )
        ]
    parsed = parse_markdown(text, path)
    problems: list[Problem] = []
    title = parsed.meta.get("title")
    # Other pages print their front-matter title escaped (the plugin sees to it); the blog
    # writes a post's title into Markdown (`# title`) for its archive and category pages.
    if path.startswith(POSTS_DIR + "/") and isinstance(title, str) and title_markup(title):
        problems.append(
            problem(
                "page-title-markup",
                path,
                key_line(parsed.meta, "title", 1),
                _(
                    'The title "{title}" holds {title_markup}; a title is shown as text. Remove it.'
                ).format(title=title, title_markup=title_markup(title)),
            )
        )
    offset = text.count("\n") - parsed.body.count("\n")
    for run in _prose_runs(parsed.body):
        for number, found in active_content(run):
            problems.append(
                problem(
                    "page-active-content",
                    path,
                    number + offset,
                    _(
                        "This line holds {found}, which would run in the browser of everyone reading the site. "
                        "Remove it; write links as https:// addresses."
                    ).format(found=found),
                )
            )
    for number, heading in _heading_lines(parsed.body):
        markup = title_markup(heading)
        if markup:
            problems.append(
                problem(
                    "page-title-markup",
                    path,
                    number + offset,
                    _(
                        'The heading "{heading}" holds {found}, which would be live on the site (also in the '
                        "stories' archive). Write the heading as plain text."
                    ).format(heading=heading, found=markup),
                )
            )
    return problems


def check_pages(cooperative: Cooperative) -> Iterable[Problem]:
    return content_page_problems(cooperative.content)


def content_page_problems(content: Iterable[ContentFile]) -> list[Problem]:
    """The problems of every Markdown page among `content` (a cooperative's, or a federation's
    own pages, which are published alike)."""
    problems: list[Problem] = []
    for file in content:
        if not file.path.endswith(".md"):
            continue
        if file.size > MAX_PAGE_BYTES:  # not even looked at
            problems.append(_too_large(file.path, file.size))
            continue
        text = file.universal_text()
        if text is None:  # unreadable or not UTF-8: the loader reported it
            continue
        problems += page_problems(text, file.path)
    return problems


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_pages,
]
