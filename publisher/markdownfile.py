"""Markdown files with YAML front matter (stories, minutes, the charter)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from publisher.problems import Problem
from publisher.yamlfile import load_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
#: The front matter at the start of a page (for checks that read the rest as it is).
FRONT_MATTER = _FRONT_MATTER


@dataclass(frozen=True)
class MarkdownFile:
    path: str
    meta: dict[str, Any]
    body: str
    problems: list[Problem]

    @property
    def title(self) -> str | None:
        """The front matter's title, else the first level-one heading."""
        title = self.meta.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        for line in self.body.split("\n"):
            text = heading_text(line, level=1)
            if text:
                return text
        return None


def heading_text(line: str, level: int | None = None) -> str | None:
    """The text of an ATX heading line (`## Text ##`, read as Python-Markdown does: from the
    line's start, trailing hashes dropped), or None when the line is no heading (of that level).
    String operations, not a regular expression: a line of `# a`, thousands of spaces and `b`
    made the former pattern backtrack for minutes."""
    hashes = len(line) - len(line.lstrip("#"))
    if not 1 <= hashes <= 6 or (level is not None and hashes != level):
        return None
    return line[hashes:].strip().rstrip("#").strip()


def parse_markdown(text: str, path: str) -> MarkdownFile:
    """Split front matter from the body; the front matter's lines count from the file's line 2."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        return MarkdownFile(path, {}, text, [])
    loaded = load_yaml(match.group(1) or "", path, line_offset=1)
    meta = loaded.data if isinstance(loaded.data, dict) else {}
    return MarkdownFile(path, meta, text[match.end() :], loaded.problems)
