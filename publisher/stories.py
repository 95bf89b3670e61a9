"""Stories (the Material blog in content/stories/): front matter and authors the blog prints as
they are, so markup there is refused before it could reach a page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from publisher.checking import check
from publisher.markdownfile import parse_markdown
from publisher.problems import Problem, Severity, problem, register_code
from publisher.yamlfile import key_line, load_yaml, value_line

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

STORIES_DIR = "content/stories"
AUTHORS_FILE = f"{STORIES_DIR}/.authors.yml"
_MARKUP = re.compile(r"[<>\"]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")

register_code(
    "story-value-invalid",
    Severity.ERROR,
    "A story's category or an author's entry holds markup or a link to another server.",
)


def _text_problem(path: str, line: int | None, what: str, value: Any) -> Problem | None:
    if not isinstance(value, str):
        return problem("story-value-invalid", path, line, f"{what} must be text, not {value!r}.")
    if _MARKUP.search(value):
        return problem(
            "story-value-invalid",
            path,
            line,
            f'{what} "{value}" contains <, > or a double quote, which the blog would print as markup. '
            "Remove them.",
        )
    return None


@check
def check_stories(cooperative: Cooperative) -> Iterable[Problem]:
    from publisher.cooperative import read_text_file

    root = cooperative.root
    problems: list[Problem] = []
    posts = root / STORIES_DIR / "posts"
    for path in sorted(posts.rglob("*.md")) if posts.is_dir() else []:
        relative = path.relative_to(root).as_posix()
        text, file_problems = read_text_file(root, relative)
        problems += file_problems
        if text is None:
            continue
        parsed = parse_markdown(text, relative)
        problems += parsed.problems
        meta = parsed.meta
        for key in ("categories", "authors", "tags"):
            values = meta.get(key)
            if values is None:
                continue
            if not isinstance(values, list):
                values = [values]
            for value in values:
                found = _text_problem(relative, key_line(meta, key, 1), f"The {key[:-1]}", value)
                if found:
                    problems.append(found)
    authors_path = root / AUTHORS_FILE
    text, file_problems = read_text_file(root, AUTHORS_FILE) if authors_path.is_file() else (None, [])
    problems += file_problems
    if text is not None:
        loaded = load_yaml(text, AUTHORS_FILE)
        problems += loaded.problems
        authors = loaded.data.get("authors") if isinstance(loaded.data, dict) else None
        for ident, entry in (authors or {}).items() if isinstance(authors, dict) else []:
            if not isinstance(entry, dict):
                continue
            for key in ("name", "description", "avatar", "url"):
                if key not in entry:
                    continue
                found = _text_problem(AUTHORS_FILE, value_line(entry, key), f'The {key} of author "{ident}"', entry[key])
                if found:
                    problems.append(found)
                elif key == "avatar" and _SCHEME.match(entry[key]):
                    problems.append(
                        problem(
                            "story-value-invalid",
                            AUTHORS_FILE,
                            value_line(entry, key),
                            f'The avatar of "{ident}" is loaded from another server; every visit would call it. '
                            "Put the picture in content/ and give its path instead.",
                        )
                    )
    return problems
