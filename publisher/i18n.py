"""Translations: the words readers see and the messages the treasurer reads, from gettext catalogs.

Each shipped language has two catalogs (gettext domains) under `publisher/locale/LANG/LC_MESSAGES/`:

- `site`: every word of the published site (page templates, chart titles and axes, captions,
  feeds, published warnings). Its language is the cooperative's `language:` in accounts.yml (a
  federation's in federation.yml). In Python the words are marked as calls of `gettext`,
  `ngettext` and `pgettext` on the object `site_words(language)` returns; in templates as
  `{% trans %}` blocks and `gettext(...)` calls (Jinja2's i18n extension).
- `messages`: every message to the treasurer (check, build, fix, import, diff, new). Its
  language is `--lang` on the command line, else the environment's (`LANGUAGE`, `LC_ALL`,
  `LC_MESSAGES`, `LANG`, as gettext reads them). In Python the messages are marked `_()`,
  `_n()` (plural) and `N_()` (marked only: translated later, where it is shown).

The two keyword sets are disjoint, so one extraction per domain (scripts/catalogs.sh, Babel's
`pybabel`) finds exactly its own strings. English is the source language and the fallback for
anything a catalog lacks. Placeholders are named (`{path}`), so a translation may reorder them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
Domain = Literal["site", "messages"]
DOMAINS: tuple[Domain, ...] = ("site", "messages")
SOURCE_LANGUAGE = "en"
#: The languages shipped complete (tests/test_catalogs.py fails when one lacks a message).
SHIPPED_LANGUAGES = ("en", "es", "fr", "de", "pt", "ar")


def locale_candidates(tag: str | None) -> list[str]:
    """The catalog names to try for a BCP 47 or POSIX tag, most specific first.

    "pt-BR" and "pt_BR.UTF-8" give ["pt_BR", "pt"]; "C", "POSIX", "" and nonsense give [].
    """
    if not tag:
        return []
    tag = tag.split(".", 1)[0].split("@", 1)[0]
    if tag in ("C", "POSIX"):
        return []
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return []
    candidates = [str(locale)]
    if locale.territory or locale.script:
        candidates.append(locale.language)
    return candidates


@functools.cache
def catalog(language: str | None, domain: Domain) -> NullTranslations:
    """The translations of `domain` in `language`; English (the msgids) when none is shipped."""
    candidates = locale_candidates(language)
    if not candidates or candidates[-1] == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), candidates, domain)


class Words(Protocol):
    """A catalog's translations as the publisher calls them. Babel types `pgettext` as returning
    `str | object` (a missing message of a fallback chain); a loaded catalog always returns the
    text, translated or the msgid itself."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, num: int) -> str: ...

    def pgettext(self, context: str, message: str) -> str: ...


def site_words(language: str | None) -> Words:
    """The site's words in `language`: call `.gettext`, `.ngettext`, `.pgettext` on it."""
    return cast(Words, catalog(language, "site"))


def is_right_to_left(language: str | None) -> bool:
    """Whether `language` is written right to left (Arabic, Hebrew, Persian, Urdu...)."""
    candidates = locale_candidates(language)
    if not candidates:
        return False
    return Locale.parse(candidates[0]).text_direction == "rtl"


def environment_language(environ: os._Environ[str] | dict[str, str] = os.environ) -> str | None:
    """The language the environment asks messages in, as gettext reads it (None: English)."""
    # The first variable that is set decides, and "C" in it means English, as in gettext.
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if not value:
            continue
        for tag in value.split(":"):
            if tag.split(".", 1)[0] in ("C", "POSIX"):
                return None
            if locale_candidates(tag):
                return tag
        return None
    return None


_message_language: ContextVar[str | None] = ContextVar("message_language", default=None)


def set_message_language(language: str | None) -> None:
    """Write the treasurer's messages in `language` from now on (None: the environment's)."""
    _message_language.set(language)


@contextmanager
def message_language(language: str | None) -> Iterator[None]:
    """Write the treasurer's messages in `language` inside the `with` block."""
    token = _message_language.set(language)
    try:
        yield
    finally:
        _message_language.reset(token)


def current_message_language() -> str | None:
    return _message_language.get() or environment_language()


class Message(str):
    """A treasurer's message, in the treasurer's language, that remembers how it was made: its
    msgid (and plural and count), the values `format` put into it, the pieces `+` joined. So it
    can be said again in another language (`in_language`): the published Warnings page says a
    check's message in the site's language, whatever language the treasurer's terminal reads.

    A message is made once, by whichever thread checks its file, and says nothing about the
    language it is later said in: no language setting, no context variable, is read again.
    What a `str` method other than `format` and `+` makes of it (`strip`, an f-string, `join`)
    is plain text, said only in the language it was written in."""

    # A recipe: ("gettext", msgid) | ("ngettext", singular, plural, count)
    # | ("format", message, args, kwargs) | ("concat", pieces).
    recipe: tuple[Any, ...]

    @classmethod
    def made(cls, text: str, *recipe: Any) -> Message:
        message = cls(text)
        message.recipe = recipe
        return message

    def format(self, *args: Any, **kwargs: Any) -> Message:
        return Message.made(str.format(self, *args, **kwargs), "format", self, args, kwargs)

    def __add__(self, other: str) -> Message:
        return Message.made(str.__add__(self, other), "concat", (self, other))

    def __radd__(self, other: str) -> Message:
        return Message.made(str.__add__(other, self), "concat", (other, self))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (to a federation's checking child and back) as the plain text: the values in
        # a recipe need not be picklable, and what crosses a process is said as it was made.
        return (str, (str(self),))

    def in_language(self, language: str | None) -> str:
        """The same message in `language` (English for None), its values said in it too."""
        try:
            return _said(self, catalog(language, "messages"))
        except (KeyError, IndexError, ValueError):
            # A translation whose placeholders do not fit (tests/test_catalogs.py keeps them
            # matching): the message as it was made rather than no message.
            return str(self)


def _said(value: Any, translations: NullTranslations) -> Any:
    if not isinstance(value, Message):
        return value
    kind, *parts = value.recipe
    if kind == "gettext":
        return translations.gettext(parts[0])
    if kind == "ngettext":
        return translations.ngettext(*parts)
    if kind == "format":
        message, args, kwargs = parts
        return str.format(
            _said(message, translations),
            *(_said(a, translations) for a in args),
            **{k: _said(v, translations) for k, v in kwargs.items()},
        )
    return "".join(str(_said(piece, translations)) for piece in parts[0])


def said_in(text: str, language: str | None) -> str:
    """`text` in `language` if it is a `Message`, else as it is."""
    return text.in_language(language) if isinstance(text, Message) else str(text)


def _(message: str) -> str:
    """`message` in the treasurer's language (format its named placeholders after this). It is
    a `Message`, typed as the `str` it is read as."""
    translated = catalog(current_message_language(), "messages").gettext(message)
    return Message.made(translated, "gettext", message)


def _n(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the treasurer's language."""
    translated = catalog(current_message_language(), "messages").ngettext(singular, plural, count)
    return Message.made(translated, "ngettext", singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet (translate where shown)."""
    return message


#: A message translated where it is shown rather than where it is made, because it is kept
#: (a federation's cache of its members) and may be shown in another run's language:
#: {"message": a msgid marked N_, "fields": {placeholder: value, or another such message}}.
#: It is JSON as it is.
LaterMessage = dict[str, Any]


def later(message: str, **fields: Any) -> LaterMessage:
    """`message` (marked N_ by the caller) with its fields, to be translated where shown."""
    return {"message": message, "fields": fields}


def _is_later(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("message"), str)


def english(message: LaterMessage) -> str:
    """The message in English, its fields filled in."""
    fields = {k: english(v) if _is_later(v) else v for k, v in message["fields"].items()}
    return str(message["message"]).format(**fields)


def translated(message: LaterMessage, language: str | None = None) -> str:
    """The message in `language`, else in the treasurer's, its fields filled in."""
    fields = {
        k: translated(v, language) if _is_later(v) else v for k, v in message["fields"].items()
    }
    msgid = str(message["message"])
    if language is None:
        return _(msgid).format(**fields)
    return catalog(language, "messages").gettext(msgid).format(**fields)


__all__ = [
    "DOMAINS",
    "LOCALE_DIR",
    "N_",
    "SHIPPED_LANGUAGES",
    "LaterMessage",
    "Message",
    "_",
    "_n",
    "catalog",
    "current_message_language",
    "english",
    "environment_language",
    "is_right_to_left",
    "later",
    "locale_candidates",
    "message_language",
    "said_in",
    "set_message_language",
    "site_words",
    "translated",
]
