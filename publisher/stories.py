"""Stories (the Material blog in content/stories/): front matter and authors the blog prints as
they are, so markup there is refused before it could reach a page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from publisher.checking import Check
from publisher.i18n import _
from publisher.links import safe_link
from publisher.markdownfile import FRONT_MATTER, parse_markdown
from publisher.problems import Problem, problem
from publisher.yamlfile import key_line, load_yaml, value_line

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

STORIES_DIR = "content/stories"
AUTHORS_FILE = f"{STORIES_DIR}/.authors.yml"
POSTS_DIR = f"{STORIES_DIR}/posts"
_MARKUP = re.compile(r"[<>\"]")
#: The blog renders a category's (and a tag's) page from Markdown of its name: brackets would
#: make a link there, braces an attribute list (`{onclick=...}`).
_VIEW_MARKUP = re.compile(r"[\[\]{}]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def _text_problem(
    path: str, line: int | None, what: str, value: Any, view: bool = False
) -> Problem | None:
    """A problem when `value` is no plain text; `view`: the blog makes a page titled with it."""
    if not isinstance(value, str):
        return problem(
            "story-value-invalid",
            path,
            line,
            _("{what} must be text, not {value!r}.").format(what=what, value=value),
        )
    if _MARKUP.search(value):
        return problem(
            "story-value-invalid",
            path,
            line,
            _(
                '{what} "{value}" contains <, > or a double quote, which the blog would print as markup. '
                "Remove them."
            ).format(what=what, value=value),
        )
    if view and _VIEW_MARKUP.search(value):
        return problem(
            "story-value-invalid",
            path,
            line,
            _(
                '{what} "{value}" contains square brackets or braces, which the blog would turn into a link '
                "or into attributes on its page. Remove them."
            ).format(what=what, value=value),
        )
    return None


def _links_problems(path: str, line: int | None, links: Any, depth: int = 0) -> list[Problem]:
    """A post's related `links` (paths, or {title: address} mappings, sections nested): the
    blog prints the titles as they are and links the addresses."""
    problems: list[Problem] = []
    items = links if isinstance(links, list) else [links]
    for item in items:
        pairs = list(item.items()) if isinstance(item, dict) else [(None, item)]
        for title, target in pairs:
            if title is not None:
                found = _text_problem(path, line, _("The link title"), title)
                if found:
                    problems.append(found)
            if isinstance(target, (list, dict)) and depth < 5:
                problems += _links_problems(path, line, target, depth + 1)
            elif safe_link(target) != target:
                problems.append(
                    problem(
                        "story-value-invalid",
                        path,
                        line,
                        _(
                            'The link "{target}" must be an https:// address or a path on this site, without '
                            "spaces or control characters."
                        ).format(target=target),
                    )
                )
    return problems


def check_stories(cooperative: Cooperative) -> Iterable[Problem]:
    problems: list[Problem] = []
    authors_text = None
    for file in cooperative.content:
        if file.path == AUTHORS_FILE:
            authors_text = file.document_text()
        if not (file.path.startswith(POSTS_DIR + "/") and file.path.endswith(".md")):
            continue
        relative = file.path
        text = file.document_text()
        if text is None:  # the loader reported why
            continue
        parsed = parse_markdown(text, relative)
        problems += parsed.problems
        meta = parsed.meta
        # The blog reads a post's front matter itself and stops with a traceback when it is not
        # keys and values, or when the title is not text.
        front = FRONT_MATTER.match(text.lstrip("\ufeff").replace("\r\n", "\n"))
        if front and not parsed.problems:
            data = load_yaml(front.group(1) or "", relative, line_offset=1).data
            if data is not None and not isinstance(data, dict):
                problems.append(
                    problem(
                        "story-value-invalid",
                        relative,
                        2,
                        _(
                            "The front matter (between the --- lines) must be keys and values, such as "
                            '"date: 2026-03-16", not a list or a sentence.'
                        ),
                    )
                )
        if "title" in meta and not isinstance(meta["title"], str):
            found = _text_problem(relative, key_line(meta, "title", 1), "The title", meta["title"])
            if found:
                problems.append(found)
        if "links" in meta:
            problems += _links_problems(relative, key_line(meta, "links", 1), meta["links"])
        for key in ("categories", "authors", "tags"):
            values = meta.get(key)
            if values is None:
                continue
            if not isinstance(values, list):
                values = [values]
            for value in values:
                singular = {"categories": "category", "authors": "author", "tags": "tag"}[key]
                found = _text_problem(
                    relative,
                    key_line(meta, key, 1),
                    _("The {singular}").format(singular=singular),
                    value,
                    view=key != "authors",
                )
                if found:
                    problems.append(found)
    if authors_text is not None:
        loaded = load_yaml(authors_text, AUTHORS_FILE)
        problems += loaded.problems
        authors = loaded.data.get("authors") if isinstance(loaded.data, dict) else None
        for ident, entry in (authors or {}).items() if isinstance(authors, dict) else []:
            if not isinstance(entry, dict):
                continue
            for key in ("name", "description", "avatar", "url"):
                if key not in entry:
                    continue
                found = _text_problem(
                    AUTHORS_FILE,
                    value_line(entry, key),
                    _('The {key} of author "{ident}"').format(key=key, ident=ident),
                    entry[key],
                )
                if found:
                    problems.append(found)
                elif key == "avatar" and (
                    safe_link(entry[key]) != entry[key] or _SCHEME.match(entry[key])
                ):
                    problems.append(
                        problem(
                            "story-value-invalid",
                            AUTHORS_FILE,
                            value_line(entry, key),
                            _(
                                'The avatar of "{ident}" is loaded from another server, or its address holds spaces '
                                "or control characters; every visit would call it. Put the picture in content/ and "
                                "give its path instead."
                            ).format(ident=ident),
                        )
                    )
                elif key == "url" and safe_link(entry[key]) != entry[key]:
                    # The blog links the address as written: it must need no cleaning.
                    problems.append(
                        problem(
                            "story-value-invalid",
                            AUTHORS_FILE,
                            value_line(entry, key),
                            _(
                                'The url of "{ident}" must be an https:// address (or a path on this site), '
                                "without spaces or control characters."
                            ).format(ident=ident),
                        )
                    )
    return problems


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_stories,
]
