"""The one Jinja2 environment the generated pages are rendered with.

Autoescaping is on for every template, so text from the books (CSV cells, front matter, file
names) is escaped unless a template says otherwise; nothing builds HTML by adding strings. A
page template receives plain records (dataclasses, dicts, lists) built once by its page module.

The pages are Markdown files holding raw HTML blocks: a blank line would end such a block, so
every value a template prints is put on one line (`_one_line`), and the templates themselves
keep blank lines only between blocks.

Every word of a template is in the site's language: Jinja2's i18n extension with newstyle
gettext (`gettext("%(n)s rows", n=3)` formats after translating and escapes the values), one
environment per language with that language's `site` catalog. The language of a build is set
once (`site_language`) and every `render` inside it uses it; dates are written with the
`date` filter, in that language's words (ISO stays in `datetime` attributes and downloads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any
from urllib.parse import quote

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from markupsafe import Markup

from publisher.i18n import Words, is_right_to_left, site_words
from publisher.reading import bidi_closed

#: The language (BCP 47 tag) the pages being generated are written in; None: English.
_site_language: ContextVar[str | None] = ContextVar("site_language", default=None)


@contextmanager
def site_language(language: str | None) -> Iterator[None]:
    """Render every page inside the `with` block in `language` (the cooperative's or the
    federation's `language:`)."""
    token = _site_language.set(language)
    try:
        yield
    finally:
        _site_language.reset(token)


def current_site_language() -> str:
    """The language of the pages being generated ("en" outside `site_language`)."""
    return _site_language.get() or "en"


def words() -> Words:
    """The site's words in the current language: `.gettext`, `.ngettext`, `.pgettext`."""
    return site_words(current_site_language())


def babel_locale(language: str | None) -> str:
    """A BCP 47 tag as Babel names locales: "fr-CA" -> "fr_CA"."""
    return (language or "en").replace("-", "_")


def reader_date(value: Any, language: str | None = None) -> str:
    """An ISO day ("2026-02-12", or a date) as readers of `language` write it ("12 févr. 2026");
    anything else is returned as it is. English pages keep the ISO day they have always shown
    (English has no one order of day and month: 02/12 reads two ways)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10]) if len(value) >= 10 else value
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    locale = babel_locale(language or current_site_language())
    if locale.split("_")[0] == "en":
        return value.isoformat()
    return format_date(value, "medium", locale=locale)


def link(path: str) -> str:
    """A link to a file of the docs directory, resolved per page by the plugin. The path is
    percent-encoded: a file name holding a quote (`a" onmouseover="....md`) must not end the
    attribute, nor `#` or `?` cut the path."""
    return f"publisher:{quote(path, safe='/')}"


def _one_line(value: Any) -> Any:
    """Every printed value on one line, its bidirectional controls closed within it (markup a
    template made itself is left alone)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return bidi_closed(str(value).replace("\r", " ").replace("\n", " "))


@cache
def environment(language: str = "en") -> Environment:
    """The environment whose templates speak `language` (one per language, kept)."""
    env = Environment(
        loader=PackageLoader("publisher.site", "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_one_line,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["link"] = link
    env.filters["date"] = lambda value: reader_date(value, language)
    env.globals["right_to_left"] = is_right_to_left(language)
    # Newstyle gettext (the i18n extension's calling convention), done here rather than by
    # install_gettext_translations so that every value put into a sentence is one line too.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(_gettext_functions(site_words(language)))
    return env


def _gettext_functions(translations: Words) -> dict[str, Any]:
    """gettext, ngettext and pgettext for templates: translate, then fill the named
    placeholders (`%(name)s`) with the values, escaped and each on one line."""

    def fill(context: Any, text: str, variables: dict[str, Any]) -> str:
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % {name: _one_line(value) for name, value in variables.items()}

    @pass_context
    def gettext(context: Any, message: str, **variables: Any) -> str:
        return fill(context, translations.gettext(message), variables)

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return fill(context, translations.ngettext(singular, plural, num), variables)

    @pass_context
    def pgettext(context: Any, where: str, message: str, **variables: Any) -> str:
        return fill(context, translations.pgettext(where, message), variables)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "_": gettext}


def render(template: str, **context: Any) -> str:
    """The text of `template` (a file of publisher/site/templates/) for `context`, in the
    current site language."""
    return environment(current_site_language()).get_template(template).render(**context)


def macro(template: str, name: str):
    """A macro of a template, callable from Python (returns Markup)."""
    return getattr(environment(current_site_language()).get_template(template).module, name)
