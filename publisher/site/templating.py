"""The one Jinja2 environment the generated pages are rendered with.

Autoescaping is on for every template, so text from the books (CSV cells, front matter, file
names) is escaped unless a template says otherwise; nothing builds HTML by adding strings. A
page template receives plain records (dataclasses, dicts, lists) built once by its page module.

The pages are Markdown files holding raw HTML blocks: a blank line would end such a block, so
every value a template prints is put on one line (`_one_line`), and the templates themselves
keep blank lines only between blocks.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


def link(path: str) -> str:
    """A link to a file of the docs directory, resolved per page by the plugin. The path is
    percent-encoded: a file name holding a quote (`a" onmouseover="....md`) must not end the
    attribute, nor `#` or `?` cut the path."""
    return f"publisher:{quote(path, safe='/')}"


def _one_line(value: Any) -> Any:
    """Every printed value on one line (markup a template made itself is left alone)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return str(value).replace("\r", " ").replace("\n", " ")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("publisher.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_one_line,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["link"] = link
    return env


def render(template: str, **context: Any) -> str:
    """The text of `template` (a file of publisher/site/templates/) for `context`."""
    return environment().get_template(template).render(**context)


def macro(template: str, name: str):
    """A macro of a template, callable from Python (returns Markup)."""
    return getattr(environment().get_template(template).module, name)
