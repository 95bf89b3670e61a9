"""The shipped catalogs: in step with the code, their placeholders intact, compiled, complete;
and the treasurer's messages in the language --lang or the environment asks for."""

from __future__ import annotations

import gettext
import io
import re
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher import i18n
from publisher.i18n import DOMAINS, LOCALE_DIR, SHIPPED_LANGUAGES
from tests.conftest import LEDGER_HEADER, write_coop

TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != "en"]
PYBABEL = Path(sys.executable).with_name("pybabel")
#: The keywords of each domain, as scripts/catalogs.sh extracts them.
KEYWORDS = {
    "site": ["-k", "gettext", "-k", "ngettext:1,2", "-k", "pgettext:1c,2"],
    "messages": ["-k", "_", "-k", "_n:1,2", "-k", "N_"],
}
PACKAGE = LOCALE_DIR.parent


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, Catalog]:
    """Each domain's template, extracted afresh from the code the way scripts/catalogs.sh does."""
    out = tmp_path_factory.mktemp("pot")
    templates = {}
    for domain in DOMAINS:
        pot = out / f"{domain}.pot"
        subprocess.run(
            [str(PYBABEL), "-q", "extract", "--no-default-keywords", "--omit-header"]
            + ["-F", str(LOCALE_DIR / f"babel-{domain}.cfg"), *KEYWORDS[domain]]
            + ["-o", str(pot), "."],
            cwd=PACKAGE,
            check=True,
            capture_output=True,
        )
        templates[domain] = _read(pot)
    return templates


def _ids(catalog: Catalog) -> set:
    return {(message.context, message.id) for message in catalog if message.id}


def _po(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


CATALOGS = [(language, domain) for language in TRANSLATED for domain in DOMAINS]


def test_the_messages_template_finds_the_treasurers_messages(extracted):
    ids = {message_id for _, message_id in _ids(extracted["messages"])}
    assert "No problems found." in ids
    assert ("{count} error", "{count} errors") in ids


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_a_catalog_has_every_message_of_the_code_and_no_stale_one(language, domain, extracted):
    shipped = _ids(_read(_po(language, domain)))
    wanted = _ids(extracted[domain])
    assert sorted(wanted - shipped, key=str) == [], "missing: run scripts/catalogs.sh"
    assert sorted(shipped - wanted, key=str) == [], "stale: run scripts/catalogs.sh"


#: `{name}`, `{name!r}`, `{name:,}` (str.format) and `%(name)s`, `%s` (the % operator).
_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgG%]")


def placeholders(text: str) -> Counter:
    """The placeholders of `text`, with how often each occurs."""
    found: Counter = Counter()
    try:
        fields = [
            (name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text)
        ]
    except ValueError:
        fields = []  # not a format string at all (a lone brace): no brace placeholders
    for name, conversion, spec in fields:
        if name is not None:
            found[
                f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            ] += 1
    for match in _PERCENT.finditer(text):
        if match.group(0) != "%%":
            found[match.group(0)] += 1
    return found


def test_placeholders_are_read_as_format_fields_and_percent_fields():
    assert placeholders('The id "{id}" at {path} line {line:,}') == Counter(
        {"{id}": 1, "{path}": 1, "{line:,}": 1}
    )
    assert placeholders("csv: {{delimiter: x}} and %(name)s") == Counter({"%(name)s": 1})


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_a_translation_keeps_the_placeholders_of_its_message(language, domain):
    catalog = _read(_po(language, domain))
    exact = forms_of_one_number(catalog)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = placeholders(ids[-1])
        for form, translation in enumerate(strings):
            found = placeholders(translation)
            if (
                translation
                and found != wanted
                and (len(ids) == 1 or found != placeholders(ids[0]))
                # A plural form said of one number only (Arabic's zero, one and two) may say
                # the number in words and leave out the one placeholder that counts.
                and not (
                    len(ids) > 1
                    and form in exact
                    and not found - wanted
                    and len(wanted - found) == 1
                )
            ):
                wrong.append((ids[0], translation))
    assert wrong == []


def forms_of_one_number(catalog: Catalog) -> set[int]:
    """The plural forms of `catalog` that each stand for a single number (Arabic: 0, 1, 2)."""
    plural = gettext.c2py(catalog.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(10_000):
        numbers.setdefault(plural(n), set()).add(n)
    return {form for form, ns in numbers.items() if len(ns) == 1}


def test_only_the_forms_of_one_number_may_leave_the_count_out():
    arabic = _read(_po("ar", "messages"))
    assert forms_of_one_number(arabic) == {0, 1, 2}
    assert forms_of_one_number(_read(_po("es", "messages"))) == {0}
    assert forms_of_one_number(_read(_po("fr", "messages"))) == set()


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_a_compiled_catalog_is_up_to_date_with_its_po_file(language, domain):
    po = _po(language, domain)
    fresh = io.BytesIO()
    write_mo(fresh, _read(po))  # as pybabel compile does: fuzzy entries left out
    fresh.seek(0)
    with po.with_suffix(".mo").open("rb") as file:
        shipped = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    expected = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
    assert shipped == expected, "the .mo is older than its .po: run scripts/catalogs.sh"


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_a_shipped_catalog_translates_every_message(language, domain):
    unfinished = [
        message.id
        for message in _read(_po(language, domain))
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.id, tuple) else message.string)
        )
    ]
    assert unfinished == []


# -- The language of the messages ------------------------------------------------------------

H = LEDGER_HEADER


@pytest.fixture
def unknown_category(tmp_path):
    """One error at a known place: ledgers/2025.csv line 2, category-unknown."""
    return write_coop(tmp_path, {"ledgers/2025.csv": H + "2025-01-05,Dues,12.50,dus,,,,,\n"})


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "[category-unknown]" in line]


def test_lang_writes_the_message_in_spanish_at_the_same_place(unknown_category):
    english = CliRunner().invoke(main, ["check", str(unknown_category)])
    spanish = CliRunner().invoke(main, ["--lang", "es", "check", str(unknown_category)])
    assert english.exit_code == spanish.exit_code == 1
    [line_en], [line_es] = _problem_lines(english.output), _problem_lines(spanish.output)
    place = "ledgers/2025.csv:2:"
    assert line_en.startswith(place) and line_es.startswith(place)
    assert 'La categoría "dus" no está declarada' in line_es
    assert "is not declared" in line_en
    assert spanish.output.splitlines()[-1] == "1 error, 0 avisos."


def test_lang_reaches_the_messages_of_files_read_in_worker_threads(tmp_path):
    # The books are read two files at a time in threads; their messages follow --lang too.
    root = write_coop(
        tmp_path,
        {
            "ledgers/2025.csv": H + '2025-01-05,Dues,"12,50",dues,,,,,\n',
            "ledgers/2024.csv": H + '2024-01-05,Dues,"7,50",dues,,,,,\n',
        },
    )
    result = CliRunner().invoke(main, ["--lang", "es", "check", str(root)])
    lines = [line for line in result.output.splitlines() if "[amount-decimal-comma]" in line]
    assert [line.split(": error:")[0] for line in lines] == [
        "ledgers/2024.csv:2:17",
        "ledgers/2025.csv:2:17",
    ]
    assert all("usa coma decimal" in line and "Columna C (amount)" in line for line in lines)


def test_lang_is_not_carried_over_to_the_next_run(unknown_category):
    CliRunner().invoke(main, ["--lang", "es", "check", str(unknown_category)])
    again = CliRunner().invoke(main, ["check", str(unknown_category)], env={"LANG": "C"})
    assert "is not declared" in _problem_lines(again.output)[0]


def test_lang_ends_with_the_command_it_was_given_to(unknown_category, monkeypatch):
    # A program (or a test) that runs the command and then checks books itself gets the
    # environment's language, not the language of that run.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    CliRunner().invoke(main, ["--lang", "es", "check", str(unknown_category)])
    _cooperative, problems = check_cooperative(unknown_category)
    [found] = [p for p in problems if p.code == "category-unknown"]
    assert (found.path, found.line) == ("ledgers/2025.csv", 2)
    assert "is not declared" in found.message


def test_the_environment_language_is_honoured_when_there_is_no_lang(unknown_category):
    env = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"}
    result = CliRunner().invoke(main, ["check", str(unknown_category)], env=env)
    [line] = _problem_lines(result.output)
    assert line.startswith("ledgers/2025.csv:2:")
    assert "[category-unknown]" in line and "La catégorie « dus » n’est pas déclarée" in line


def test_the_installed_command_reads_lang_from_the_environment(unknown_category):
    env = {"PATH": "/usr/bin:/bin", "LANG": "fr_FR.UTF-8"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("publisher")), "check", str(unknown_category)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "La catégorie « dus » n’est pas déclarée" in _problem_lines(result.stdout)[0]


def test_an_unknown_lang_is_one_line_not_a_traceback(unknown_category):
    result = CliRunner().invoke(main, ["--lang", "xx-nonsense!", "check", str(unknown_category)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "--lang" in result.output


def test_english_is_the_fallback_for_a_message_a_catalog_lacks(
    unknown_category, tmp_path, monkeypatch
):
    # A Spanish catalog that translates only the category-unknown message: the summary line,
    # which it lacks, is written in English, and the message it has in Spanish.
    shipped = _read(_po("es", "messages"))
    partial = Catalog(locale="es")
    wanted = next(m for m in shipped if str(m.id).endswith("or add this one there with its kind."))
    partial.add(wanted.id, wanted.string)
    locale = tmp_path / "locale" / "es" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    with (locale / "messages.mo").open("wb") as file:
        write_mo(file, partial)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.catalog.cache_clear()
    try:
        result = CliRunner().invoke(main, ["--lang", "es", "check", str(unknown_category)])
    finally:
        i18n.catalog.cache_clear()
    assert 'La categoría "dus" no está declarada' in _problem_lines(result.output)[0]
    assert " Did you mean " in _problem_lines(result.output)[0]
    assert result.output.splitlines()[-1] == "1 error, 0 warnings."
