"""The translation plumbing: which catalog a language tag finds, and where messages' language comes from."""

import pytest

from publisher.i18n import (
    _,
    environment_language,
    is_right_to_left,
    locale_candidates,
    message_language,
)


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
