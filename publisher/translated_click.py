"""Click's help and errors in the treasurer's language: our help texts and click's own words.

Our commands' and options' help texts are marked `N_` and translated when help is shown
(`TranslatedCommand`, `TranslatedGroup`), so that `--lang`, read before any help is printed,
chooses their language. Click marks its own words (`Usage:`, `Options`, `Show this message and
exit.`, `No such option`...) with the gettext module's `gettext` and `ngettext`, imported into
each of its modules as `_` and `ngettext`, but ships no catalog: `translate_click_words` points
those names at the messages catalog, and `CLICK_WORDS` and `click_plural_words` list the words
(as click writes them) that our commands can print, so that scripts/catalogs.sh extracts them.
A word click adds in a later version stays English until it is listed here.
"""

from __future__ import annotations

import gettext
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import click

from publisher.i18n import N_, _, _n, message_language

#: Click's words our commands can print, as click 8 marks them. Left out, since the
#: publisher's commands never print them: its errors for developers, prompts, shell
#: completion, and the messages of parameter types they do not use (File, existing paths,
#: booleans).
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("deprecated"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("unknown error"),
    N_("Invalid start character for option ({option})"),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
)


def click_plural_words(count: int) -> list[str]:
    """Click's words with a plural form that our commands can print, for `count`, in the
    treasurer's language (a function, so that the extraction reads their `_n`)."""
    return [
        _n(
            "Got unexpected extra argument ({args})",
            "Got unexpected extra arguments ({args})",
            count,
        ),
        _n(
            "Takes {nargs} values but 1 was given.",
            "Takes {nargs} values but {len} were given.",
            count,
        ),
        _n("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", count),
        _n(
            "Option {name!r} requires an argument.",
            "Option {name!r} requires {nargs} arguments.",
            count,
        ),
        _n("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", count),
    ]


def translate_click_words() -> None:
    """Make click write its own words in the treasurer's language, from the messages catalog.

    Only the names click imported from the gettext module are replaced; the messages catalog
    has nothing but English for any other program's words, so they read as before."""
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _n  # type: ignore[attr-defined]


class TranslatedWhenFilled(str):
    """A message (marked N_) that click fills with `%` when it shows it, translated then: for
    the messages click fixes when a decorator runs, such as the version option's."""

    def __mod__(self, values: Any) -> str:
        return _(str(self)) % values


class OptionWithHelpFields(click.Option):
    """An option whose help names values known only at run time (`{profiles}`): they are
    filled in after the help is translated, so that a translation may place them anywhere."""

    def __init__(self, *args: Any, help_fields: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_fields = help_fields


def _translated_help(text: str | None, fields: Mapping[str, str] | None = None) -> str | None:
    if not text:
        return text
    translated = _(text)
    return translated.format_map(fields) if fields else translated


@contextmanager
def _help_in_the_treasurers_language(
    command: click.Command, params: list[click.Parameter]
) -> Iterator[None]:
    """The help texts of `command` and of `params` translated while click formats them, and
    put back as marked afterwards (the language may differ at the next run in this process)."""
    marked: list[tuple[Any, str, str | None]] = [
        (command, attribute, getattr(command, attribute))
        for attribute in ("help", "short_help", "epilog")
    ]
    marked += [(param, "help", getattr(param, "help", None)) for param in params]
    try:
        for owner, attribute, text in marked:
            setattr(owner, attribute, _translated_help(text, getattr(owner, "help_fields", None)))
        yield
    finally:
        for owner, attribute, text in marked:
            setattr(owner, attribute, text)


class TranslatedCommand(click.Command):
    """A command whose help (marked N_) is shown in the treasurer's language."""

    _marked_help_option: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None and option is not self._marked_help_option:
            # Click translates its help when it makes the option, once per process, in the
            # language of that run: it is kept as marked instead, and translated when shown.
            option.help = N_("Show this message and exit.")
            self._marked_help_option = option
        return option

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _help_in_the_treasurers_language(self, self.get_params(ctx)):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _help_in_the_treasurers_language(self, []):
            return super().get_short_help_str(limit)


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group of commands whose help, and its commands' help, is shown in the treasurer's
    language; the messages of a run are written in the language of its `--lang` until it ends,
    click's last error message included."""

    command_class = TranslatedCommand
    group_class = type  # subgroups are translated groups too

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # --lang sets the language for this run only; click prints a usage error after the
        # command's context has closed, so the language is put back only once main returns.
        with message_language(None):
            return super().main(*args, **kwargs)
