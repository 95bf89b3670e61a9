"""The translation plumbing: which catalog a language tag finds, and where messages' language comes from."""

import contextvars
import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest

from publisher.i18n import (
    _,
    _n,
    environment_language,
    is_right_to_left,
    locale_candidates,
    message_language,
    said_in,
)
from publisher.problems import problem


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt-BR", ["pt_BR", "pt"]),
        ("pt_BR.UTF-8", ["pt_BR", "pt"]),
        ("fr", ["fr"]),
        ("C", []),
        ("POSIX", []),
        ("", []),
        ("not a language", []),
        ("--help", []),
    ],
)
def test_a_tag_finds_the_most_specific_catalog_first(tag, expected):
    assert locale_candidates(tag) == expected


def test_arabic_is_written_right_to_left_and_french_is_not():
    assert is_right_to_left("ar")
    assert is_right_to_left("ar-EG")
    assert not is_right_to_left("fr-CA")
    assert not is_right_to_left(None)


def test_the_environment_is_read_as_gettext_reads_it():
    assert environment_language({"LANGUAGE": "de:fr", "LANG": "es_ES.UTF-8"}) == "de"
    assert environment_language({"LC_ALL": "C", "LANG": "es_ES.UTF-8"}) is None
    assert environment_language({"LANGUAGE": "", "LANG": "es_ES.UTF-8"}) == "es_ES.UTF-8"
    assert environment_language({"LANG": "C.UTF-8"}) is None


def test_an_unknown_message_stays_english_in_any_language():
    with message_language("es"):
        assert _("A sentence no catalog has {path}") == "A sentence no catalog has {path}"


COLUMN_TWICE = (
    'The column "{name}" appears twice in the header; only the first one would be read. '
    "Remove or rename the other."
)


def test_a_message_made_in_one_language_is_said_again_in_another():
    """What `_` makes remembers its msgid, the values put into it and the pieces added to it:
    the published Warnings page says a check's message in the site's language."""
    with message_language("fr"):
        message = _(COLUMN_TWICE).format(name="montant") + _(' Did you mean "{choice}"?').format(
            choice="amount"
        )
    assert message == (
        "La colonne « montant » apparaît deux fois dans l’en-tête ; seule la première serait lue. "
        "Supprimez ou renommez l’autre. Vouliez-vous dire « amount » ?"
    )
    assert said_in(message, "es") == (
        'La columna "montant" aparece dos veces en el encabezado; solo se leería la primera. '
        'Quite la otra o cámbiele el nombre. ¿Quería decir "amount"?'
    )
    assert said_in(message, None) == (
        'The column "montant" appears twice in the header; only the first one would be read. '
        'Remove or rename the other. Did you mean "amount"?'
    )
    assert said_in("plain text", "es") == "plain text"


def test_plural_forms_and_messages_inside_messages_are_said_in_the_other_language():
    with message_language("fr"):
        line = _("{errors}, {warnings}.").format(
            errors=_n("{count} error", "{count} errors", 2).format(count=2),
            warnings=_n("{count} warning", "{count} warnings", 1).format(count=1),
        )
    assert line == "2 erreurs, 1 avertissement."
    assert said_in(line, "de") == "2 Fehler, 1 Warnung."
    assert said_in(line, "en") == "2 errors, 1 warning."


def test_a_problem_made_in_a_worker_thread_is_said_in_the_site_language():
    """A check's worker thread makes the message in the treasurer's language (its copy of the
    context); the problem says it in any other language later, in any thread."""
    with message_language("fr"):
        context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        made = pool.submit(
            context.run,
            lambda: problem(
                "column-duplicated", "ledgers/2026.csv", 1, _(COLUMN_TWICE).format(name="x")
            ),
        ).result()
        said = pool.submit(made.message_in, "de").result()
    assert made.message.startswith("La colonne « x » apparaît deux fois")
    assert type(made.message) is str  # the treasurer's text is plain text everywhere
    assert said == (
        "Die Spalte „x“ kommt in der Kopfzeile zweimal vor; nur die erste würde gelesen. "
        "Entfernen oder benennen Sie die andere um."
    )
    # A message written without `_` (nothing to translate) stays as it is.
    plain = problem("column-duplicated", "ledgers/2026.csv", 1, "Some text.")
    assert plain.message_in("de") == "Some text."
    # Equal problems stay equal whatever the message was made from.
    assert plain == problem("column-duplicated", "ledgers/2026.csv", 1, "Some text.")


def test_a_message_crosses_a_process_as_its_plain_text():
    """Pickled (a federation's checking child sends its results back), a message is the text
    it was made as: a recipe's values need not be picklable."""
    with message_language("fr"):
        message = _(COLUMN_TWICE).format(name=lambda: None)
    copy = pickle.loads(pickle.dumps(message))
    assert type(copy) is str and copy == message and copy.startswith("La colonne « <function")
