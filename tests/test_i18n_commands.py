"""The commands in the treasurer's language, run for real: click's help and errors, our help
texts, publisher fix's report, the rows publisher diff prints, the build's and the preview's
refusals, and why a federation's member is left out (translated even when it comes from the
cache, and kept in English where it is published). English output is checked unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from publisher.cli import main
from publisher.federation import federation_json, load_federation
from publisher.i18n import message_language
from publisher.importers.bank import shipped_profiles
from publisher.site.tree import NO_BLOG
from publisher.translated_click import CLICK_WORDS, click_plural_words
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, write_coop
from tests.gittools import commit, init_repo
from tests.sitetools import copy_example

#: The environment of a run that asks for no language: English.
ENGLISH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C"}
GERMAN = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "de_DE.UTF-8"}


def run(args: list[str], env: dict[str, str] = ENGLISH):
    return CliRunner().invoke(main, args, env=env, prog_name="publisher")


def flat(text: str) -> str:
    """`text` as one line, as click's help would read unwrapped."""
    return re.sub(r"(?<=\w-) ", "", " ".join(text.split()))


# -- Help -------------------------------------------------------------------------------------


def test_a_commands_help_follows_lang_click_s_words_and_ours():
    spanish = run(["--lang", "es", "check", "--help"])
    english = run(["check", "--help"])
    assert spanish.exit_code == english.exit_code == 0
    assert spanish.output.startswith("Uso: publisher check [OPTIONS] [DIRECTORY]\n")
    assert "Comprueba las cuentas de DIRECTORY (por defecto: el directorio actual)." in (
        spanish.output
    )
    assert "\nOpciones:\n" in spanish.output
    assert "Muestra este mensaje y termina." in spanish.output
    assert "text para personas, json para programas" in spanish.output
    assert "[por\n" in spanish.output or "[por defecto: text]" in spanish.output
    assert english.output.startswith("Usage: publisher check [OPTIONS] [DIRECTORY]\n")
    assert "Check the books in DIRECTORY (default: the current directory)." in english.output
    assert "\nOptions:\n" in english.output
    assert "Show this message and exit." in english.output
    assert "[default: text]" in english.output


def test_the_main_help_and_its_list_of_commands_follow_lang_given_before_help():
    spanish = run(["--lang", "es", "--help"])
    assert spanish.exit_code == 0
    assert "Comprueba las cuentas de una cooperativa y las publica como sitio web estático." in (
        flat(spanish.output)
    )
    assert "\nÓrdenes:\n" in spanish.output
    assert "Muestra la versión y termina." in spanish.output
    # Each command's first sentence, in the list of commands.
    [build_line] = [line for line in spanish.output.splitlines() if line.startswith("  build ")]
    assert "Comprueba las cuentas de DIRECTORY y" in build_line
    english = run(["--help"])
    assert "\nCommands:\n" in english.output
    [build_line] = [line for line in english.output.splitlines() if line.startswith("  build ")]
    assert "Check the books in DIRECTORY and build its website." in build_line


def test_the_environment_language_reaches_the_help_and_the_messages_of_click():
    german = run(["check", "--help"], env=GERMAN)
    assert german.output.startswith("Aufruf: publisher check")
    assert "Prüft die Bücher in DIRECTORY" in german.output
    assert "Diese Hilfe zeigen und beenden." in german.output
    error = run(["check", "--bogus"], env=GERMAN)
    assert error.exit_code == 2
    assert "Fehler: Die Option '--bogus' gibt es nicht." in error.output
    assert "Hilfe mit „publisher check --help“." in error.output
    english = run(["check", "--bogus"])
    assert "Error: No such option" in english.output and "--bogus" in english.output
    assert "Try 'publisher check --help' for help." in english.output


def test_a_usage_error_is_written_whole_in_the_language_of_lang():
    # Click prints a usage error after the command's context has closed: the "Erreur :" and
    # the "Essayez" lines are French too, not only the message.
    french = run(["--lang", "fr", "diff"])
    assert french.exit_code == 2
    assert "Erreur : Argument manquant 'BASE'." in french.output
    assert "Essayez « publisher diff --help » pour l’aide." in french.output
    assert french.output.startswith("Utilisation : publisher diff [OPTIONS] BASE [HEAD] [DIR]")
    spanish = run(["--lang", "es", "diff", "--max-bytes", "5", "HEAD"])
    assert "Valor no válido para '--max-bytes': 5 no está en el intervalo x>=1000." in (
        spanish.output
    )
    english = run(["diff"])
    assert "Error: Missing argument 'BASE'." in english.output


def test_a_help_text_with_values_known_at_run_time_is_translated_then_filled_in():
    profiles = ", ".join(shipped_profiles())
    spanish = flat(run(["--lang", "es", "import", "bank", "--help"]).output)
    english = flat(run(["import", "bank", "--help"]).output)
    assert f"o el nombre de uno incluido: {profiles}. Con --detect:" in spanish
    assert f"or the name of a shipped one: {profiles}. With --detect:" in english
    roles = flat(run(["--lang", "de", "import", "opencollective", "--help"]).output)
    assert "die Rollen sind contributions, expenses, host-fees" in roles


def test_the_language_of_a_help_ends_with_its_run():
    run(["--lang", "es", "check", "--help"])
    assert run(["check", "--help"]).output.startswith("Usage: publisher check")


# -- The messages of the commands -----------------------------------------------------------


def test_fix_reports_in_the_language_of_lang(tmp_path):
    root = write_coop(
        tmp_path, {"ledgers/2025.csv": LEDGER_HEADER + '2025-01-05,Dues,"12,50",dues,,,,,\n'}
    )
    ledger = str(root / "ledgers" / "2025.csv")
    spanish = run(["--lang", "es", "fix", ledger])
    assert f"No se escribió nada: ejecute `publisher fix {ledger} --write` para aplicarlo." in (
        spanish.output
    )
    assert "Cambios: " in spanish.output
    english = run(["fix", ledger])
    assert f"Nothing was written: run `publisher fix {ledger} --write` to apply." in english.output
    assert "Changes: " in english.output
    clean = write_coop(
        tmp_path / "clean",
        {"ledgers/2025.csv": LEDGER_HEADER + "2025-01-05,Dues,12.50,dues,,,,,\n"},
    )
    german = run(["fix", str(clean / "ledgers" / "2025.csv")], env=GERMAN)
    assert german.exit_code == 0
    assert german.output == "Nichts zu korrigieren.\n"


def test_the_rows_diff_prints_are_described_in_the_language_of_lang(tmp_path):
    root = init_repo(tmp_path / "coop")
    ledger = LEDGER_HEADER + "2026-01-05,Dues January,30.00,dues,,,,d1,\n"
    commit(
        root, "Books", "2026-06-01", {"ledgers/accounts.yml": ACCOUNTS, "ledgers/2026.csv": ledger}
    )
    (root / "ledgers/2026.csv").write_text(
        ledger + "2026-02-01,Rent February,-400.00,rent,,,,r1,\n", encoding="utf-8"
    )
    spanish = run(["--lang", "es", "diff", "HEAD", str(root)])
    assert spanish.exit_code == 0, spanish.output
    assert "2026-02-01 «Rent February» -400.00 rent/(fondo por defecto) id r1" in spanish.output
    assert "\nImportes: Los ingresos son dinero recibido" in spanish.output
    assert "\n\nFilas\n" in spanish.output
    assert "  2026  ingresos 30.00 -> 30.00, gastos 0.00 -> 400.00 (+400.00)" in spanish.output
    markdown = run(["--lang", "es", "diff", "HEAD", str(root), "--format", "markdown"]).output
    heading = markdown.splitlines()[0]
    assert heading.startswith("## Efecto en las cuentas (EUR): HEAD (")
    assert heading.endswith(") \u2192 el árbol de trabajo")
    assert "\n### Filas (1)\n" in markdown
    assert "| 2026 | **Gastos** | 0.00 | 400.00 | +400.00 |" in markdown
    english = run(["diff", "HEAD", str(root)])
    assert "\nAmounts: Income is money received" in english.output
    assert "\n\nRows\n" in english.output
    assert "  2026  income 30.00 -> 30.00, expense 0.00 -> 400.00 (+400.00)" in english.output
    assert (
        "+ ledgers/2026.csv:3  2026-02-01 \u201cRent February\u201d -400.00 rent/(default fund) id r1"
        in english.output
    )


def test_a_changed_category_and_its_kinds_are_described_in_the_language_of_lang(tmp_path):
    root = init_repo(tmp_path / "coop")
    ledger = LEDGER_HEADER + "2026-01-05,Dues January,30.00,dues,,,,d1,\n"
    budget = "year,category,amount,fund,decision\n"
    commit(
        root,
        "Books",
        "2026-06-01",
        {
            "ledgers/accounts.yml": ACCOUNTS,
            "ledgers/2026.csv": ledger,
            "ledgers/budget.csv": budget + "2026,dues,500.00,,\n",
        },
    )
    (root / "ledgers/budget.csv").write_text(budget + "2026,rent,5000.00,,\n", encoding="utf-8")
    (root / "ledgers/accounts.yml").write_text(
        ACCOUNTS.replace("  tools: {kind: expense, capital: true}\n", "").replace(
            "rent: {kind: expense}", "rent: {kind: expense, label: Workshop rent}"
        ),
        encoding="utf-8",
    )
    (root / "ledgers/2026.csv").write_text(
        ledger + "2026-02-01,Rent February,-400.00,rent,,,,r1,\n", encoding="utf-8"
    )
    spanish = run(["--lang", "es", "diff", "HEAD", str(root)])
    assert spanish.exit_code == 0, spanish.output
    assert "categoría tools eliminada (era gastos, de capital)" in spanish.output
    # Each count with its own plural form (no "1 añadidas").
    assert (
        "\nFilas: 1 añadida, 0 cambiadas, 0 eliminadas. Problemas: 1 introducido, 0 corregidos;"
        in (spanish.output)
    )
    arabic = run(["--lang", "ar", "diff", "HEAD", str(root)]).output
    assert "الأسطر: سطر واحد أُضيف، لم يتغيّر أي سطر، لم يُحذف أي سطر." in arabic
    assert "categoría rent cambiada: gastos -> gastos, etiqueta «Workshop rent»" in spanish.output
    assert "    rent (gastos): \u2014 -> 400.00 (+400.00)" in spanish.output
    assert "  - ledgers/budget.csv:2  eliminada: 2026 dues (fondo por defecto): amount 500.00" in (
        spanish.output
    )
    markdown = run(["--lang", "es", "diff", "HEAD", str(root), "--format", "markdown"]).output
    assert "| añadida | ledgers/2026.csv:3 | 2026-02-01 |" in markdown
    assert "Workshop rent (rent, gastos)" in markdown
    german = run(["diff", "HEAD", str(root)], env=GERMAN).output
    assert "Kategorie tools entfernt (war Ausgaben, Investition)" in german
    # The working tree is a place, said with its own preposition: not "bei das ...".
    assert german.startswith("Änderungen der Bücher von HEAD (")
    assert ") bis zum Arbeitsverzeichnis (EUR)\n" in german
    assert "1 neu, 0 behoben; im Arbeitsverzeichnis: 0 Fehler, 1 Warnung." in german
    german_markdown = run(["diff", "HEAD", str(root), "--format", "markdown"], env=GERMAN).output
    assert "<details><summary>Alle Probleme im Arbeitsverzeichnis: 0 Fehler, 1 Warnung" in (
        german_markdown
    )
    french = run(["--lang", "fr", "diff", "HEAD", str(root)]).output
    assert " ; dans l’arbre de travail : 0 erreur, 1 avertissement." in french
    english = run(["diff", "HEAD", str(root)]).output
    assert "category tools removed (it was expense, capital)" in english
    assert (
        "\nRows: 1 added, 0 changed, 0 removed. Problems: 1 introduced, 0 fixed; in the working "
        "tree: 0 errors, 1 warning." in english
    )
    assert "category rent changed: expense -> expense, label \u201cWorkshop rent\u201d" in english
    assert "    rent (expense): \u2014 -> 400.00 (+400.00)" in english
    markdown = run(["diff", "HEAD", str(root), "--format", "markdown"]).output
    assert "| added | ledgers/2026.csv:3 | 2026-02-01 |" in markdown


def test_the_previews_refusal_of_an_address_is_in_the_language_of_lang(tmp_path):
    root = copy_example(tmp_path / "coop")
    spanish = run(
        ["--lang", "es", "serve", str(root), "--engine", "zensical", "--address", "nowhere"]
    )
    assert spanish.exit_code == 2
    assert "--address 'nowhere' debe ser HOST:PORT, como 127.0.0.1:8000." in spanish.output
    english = run(["serve", str(root), "--engine", "zensical", "--address", "nowhere"])
    assert "--address 'nowhere' must be HOST:PORT, such as 127.0.0.1:8000." in english.output


def test_an_unknown_lang_is_refused_in_the_environment_language(tmp_path):
    german = run(["--lang", "xx-nonsense!", "check", str(tmp_path)], env=GERMAN)
    assert german.exit_code == 2
    assert german.output == (
        "publisher: --lang 'xx-nonsense!' ist kein Sprachkürzel (versuchen Sie es, fr, de, pt "
        "oder ar).\n"
    )


# -- A federation's members -------------------------------------------------------------------


def federation_with_a_dollar_member(tmp_path: Path) -> Path:
    """A euro federation's folder (federation.yml still to write) whose member keeps dollars."""
    member = init_repo(tmp_path / "repos" / "dollars")
    commit(
        member,
        "Books",
        "2026-01-10",
        {
            "ledgers/accounts.yml": "name: Dollars\ncurrency: USD\ncategories:\n"
            "  dues: {kind: income}\n",
            "ledgers/cash.csv": "date,description,amount,category,counterparty\n"
            "2026-01-05,Dues,12.50,dues,\n",
        },
    )
    root = tmp_path / "fed"
    root.mkdir()
    return root


def test_why_a_member_is_left_out_is_translated_for_the_treasurer_and_kept_english(tmp_path):
    root = federation_with_a_dollar_member(tmp_path)
    (root / "federation.yml").write_text(
        "name: Eastside\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n"
        "  - id: dollars\n    repo: ../repos/dollars\n",
        encoding="utf-8",
    )
    spanish = run(["--lang", "es", "check", str(root)])
    assert "sus cuentas están en USD, las de la federación en EUR" in spanish.output
    # The second run reads the member from the cache: its reason is translated all the same.
    german = run(["check", str(root)], env=GERMAN)
    assert "seine Bücher sind in USD, die der Föderation in EUR" in german.output
    with message_language("de"):
        federation = load_federation(root, today=TODAY)
    [left_out] = federation.members
    assert left_out.cached
    # federation.json keeps the English reason, so that data stays comparable in every language.
    published = json.loads(json.dumps(federation_json(federation)))
    assert published["members"]["dollars"]["reason"] == (
        "its books are in USD, the federation's in EUR"
    )
    english = run(["check", str(root)])
    assert "its books are in USD, the federation's in EUR" in english.output


def test_the_federation_site_says_why_a_member_is_left_out_in_the_federations_language(tmp_path):
    root = federation_with_a_dollar_member(tmp_path)
    (root / "federation.yml").write_text(
        "name: Eastside\ncurrency: EUR\nlanguage: fr\ncategories:\n  dues: {kind: income}\n"
        "members:\n  - id: dollars\n    repo: ../repos/dollars\n",
        encoding="utf-8",
    )
    # The treasurer reads German; the federation's readers French, on both the fresh run and
    # the one served from the cache.
    for _run in range(2):
        built = run(["build", str(root)], env=GERMAN)
        assert built.exit_code == 0, built.output
        site = root / "site"
        overview = (site / "index.html").read_text(encoding="utf-8")
        page = (site / "members" / "dollars" / "index.html").read_text(encoding="utf-8")
        for html in (overview, page):
            assert "ses comptes sont en USD, ceux de la fédération en EUR" in html
            assert "its books are in USD" not in html and "seine Bücher" not in html


def test_a_member_directory_that_does_not_exist_is_said_in_spanish(tmp_path):
    root = tmp_path / "fed"
    root.mkdir()
    (root / "federation.yml").write_text(
        "name: Eastside\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n"
        "  - id: gone\n    path: members/gone\n",
        encoding="utf-8",
    )
    spanish = run(["--lang", "es", "check", str(root)])
    assert "el directorio members/gone no existe" in spanish.output
    assert "the directory members/gone does not exist" in run(["check", str(root)]).output


# -- The Zensical build's notes ---------------------------------------------------------------


def test_the_zensical_builds_note_is_in_the_language_of_lang(tmp_path, caplog):
    root = copy_example(tmp_path / "coop")
    with caplog.at_level("INFO", logger="mkdocs.plugins.publisher"):
        result = run(
            [
                "--lang",
                "es",
                "build",
                str(root),
                "--site-dir",
                str(tmp_path / "site"),
                "--engine",
                "zensical",
            ]
        )
    assert result.exit_code == 0, result.output
    assert "Zensical aún no tiene blog: las historias se publican como páginas simples" in " ".join(
        caplog.messages
    )
    assert NO_BLOG not in caplog.messages
    assert "\nSitio escrito en " in result.output


def test_the_click_words_listed_for_the_catalog_are_words_click_marks(tmp_path):
    # A word listed that click no longer marks would be translated in vain: the list follows
    # the installed click, read the way scripts/catalogs.sh reads ours.
    import click

    pot = tmp_path / "click.pot"
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "-q", "extract"]
        + ["--no-default-keywords", "-k", "_", "-k", "ngettext:1,2", "--omit-header"]
        + ["-o", str(pot), str(Path(click.__file__).parent)],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as file:
        marked = {message.id for message in read_po(file) if message.id}
    listed = set(CLICK_WORDS)
    with message_language("en"):
        plural_pairs = zip(click_plural_words(1), click_plural_words(2), strict=True)
    listed |= set(plural_pairs)
    assert sorted(listed - marked, key=str) == []


def test_the_previews_problems_page_is_written_in_the_treasurers_language():
    from publisher.problems import problem
    from publisher.site.preview import problems_page

    found = [problem("category-unknown", "ledgers/2025.csv", 2, "<b>not markup</b>")]
    with message_language("ar"):
        arabic = problems_page(found).decode("utf-8")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "في الدفاتر أخطاء، لذا لا يُعرض الموقع" in arabic
    assert "دون إعادة تشغيل <code>publisher serve</code>." in arabic
    assert "&lt;b&gt;not markup&lt;/b&gt;" in arabic
    with message_language("es"):
        spanish = problems_page(found).decode("utf-8")
    assert "Corrija el error de abajo; los avisos no detienen el sitio." in spanish
    assert "1 error, 0 avisos." in spanish
    english = problems_page(found).decode("utf-8")
    assert '<html lang="en" dir="ltr">' in english
    assert "The books have errors, so the site is not shown" in english
    assert "without restarting <code>publisher serve</code>." in english


def test_the_installed_command_writes_its_help_in_the_language_of_lang_over_lang_env():
    # Run as the treasurer runs it: LANG German in the environment, --lang Spanish on the
    # command line; click's own words made at import (the version option's help) follow --lang.
    env = {"PATH": "/usr/bin:/bin", "LANG": "de_DE.UTF-8"}
    command = str(Path(sys.executable).with_name("publisher"))
    spanish = subprocess.run(
        [command, "--lang", "es", "--help"], capture_output=True, check=False, text=True, env=env
    )
    assert spanish.returncode == 0
    assert spanish.stdout.startswith("Uso: publisher [OPTIONS] COMMAND [ARGS]...")
    assert "Muestra la versión y termina." in spanish.stdout
    assert "Muestra este mensaje y termina." in spanish.stdout
    german = subprocess.run(
        [command, "--help"], capture_output=True, check=False, text=True, env=env
    )
    assert german.stdout.startswith("Aufruf: publisher [OPTIONS] COMMAND [ARGS]...")
    assert "Die Version zeigen und beenden." in german.stdout


def test_an_imports_summary_is_written_whole_in_the_language_of_lang(tmp_path):
    from tests.test_import_bank import GERMAN as GERMAN_STATEMENT
    from tests.test_import_bank import GERMAN_RULES, PROFILE, STATEMENT

    books = write_coop(
        tmp_path, {"ledgers/2025.csv": LEDGER_HEADER + "2025-01-25,Dues,12.50,dues,,,,,\n"}
    )
    (books / STATEMENT).write_bytes(GERMAN_STATEMENT.encode("cp1252"))
    (books / PROFILE).write_text(GERMAN_RULES, encoding="utf-8")
    args = ["import", "bank", str(books / STATEMENT), str(books), "--profile", str(books / PROFILE)]
    spanish = run(["--lang", "es", *args, "--dry-run"])
    assert spanish.exit_code == 0, spanish.output
    assert f"Se importarían 6 filas de {STATEMENT} en ledgers/bank.csv." in spanish.output
    assert "Omitidas 0 filas que ya están en los libros." in spanish.output
    german = run([*args, "--dry-run"], env=GERMAN)
    assert "6 Zeilen würden aus" in german.output
    # Arabic: 3 to 10 rows take the plural "صفوف", and a single row is said in words.
    arabic = run(["--lang", "ar", *args, "--dry-run"])
    assert f"ستُستورد 6 صفوف من {STATEMENT} إلى ledgers/bank.csv." in arabic.output
    english = run(args)
    assert f"Imported 6 rows from {STATEMENT} into ledgers/bank.csv." in english.output
    again = run(["--lang", "fr", *args])
    assert f"0 ligne importée de {STATEMENT} dans ledgers/bank.csv." in again.output
    assert "6 lignes déjà dans les journaux ignorées." in again.output


def test_a_bank_profiles_and_a_statements_problems_are_whole_sentences_in_lang(tmp_path):
    books = write_coop(tmp_path, {})
    statement = books / "statement.csv"
    statement.write_text(
        "Date,Description,Amount\n11/02/2026,Dues,$10.00\n11/03/2026,Rent,-$5.00\n"
        "11/04/2026,Tea,-$1.00\n",
        encoding="utf-8",
    )
    args = ["import", "bank", str(statement), str(books), "--dry-run"]
    spanish = run(["--lang", "es", *args, "--profile", "us-amount"]).output
    assert "Este movimiento está en $ (y 2 filas más), pero las cuentas se llevan en EUR" in (
        spanish
    )
    german = run([*args, "--profile", "us-amount"], env=GERMAN).output
    assert "Diese Bewegung ist in $ (und 2 weitere Zeilen), aber die Bücher" in german
    statement.write_text("Date,Description,Amount\n11/02/2026,Dues,$10.00\n", encoding="utf-8")
    german = run([*args, "--profile", "us-amount"], env=GERMAN).output
    assert "Diese Bewegung ist in $, aber die Bücher werden in EUR geführt" in german
    profile = books / "bank.yml"
    profile.write_text(
        "base: us-amount\nthousands: x\ncolumns: {description: 5, amount: [1]}\n",
        encoding="utf-8",
    )
    spanish = flat(run(["--lang", "es", *args, "--profile", str(profile)]).output)
    assert 'thousands "x" no se admite; use ".", ",", " ", "\'" o "" (ninguno).' in spanish
    assert (
        "La columna de la descripción debe ser el nombre de una columna del encabezado del "
        'extracto, o una lista de nombres que unir, no "5".' in spanish
    )
    assert (
        "La columna de amount debe ser el nombre de una columna del encabezado del extracto, "
        "no una lista." in spanish
    )
    english = flat(run([*args, "--profile", str(profile)]).output)
    assert 'thousands "x" is not supported; use ".", ",", " ", "\'" or "" (none).' in english


def test_the_version_follows_lang():
    assert run(["--lang", "es", "--version"]).output.startswith("publisher, versión ")
    assert run(["--version"], env=GERMAN).output.startswith("publisher, Version ")
    assert run(["--version"]).output.startswith("publisher, version ")


def test_counted_nouns_of_an_import_take_their_plural_form_in_lang(tmp_path):
    yen = ACCOUNTS.replace("currency: EUR", "currency: JPY")
    books = write_coop(tmp_path, {}, yen)
    statement = books / "statement.csv"
    statement.write_text("Date,Description,Amount\n11/22/2026,Dues,10.5\n", encoding="utf-8")
    args = ["import", "bank", str(statement), str(books)]
    spanish = run(["--lang", "es", *args, "--profile", "us-amount", "--dry-run"]).output
    assert 'amount "10.5" no se puede leer: tiene 1 decimal y la moneda tiene 0.' in spanish
    english = run([*args, "--profile", "us-amount", "--dry-run"]).output
    assert "it has 1 decimal where the currency has 0." in english
    statement.write_text("Date,Description,Amount\n11/22/2026,Dues,10\n", encoding="utf-8")
    german = run([*args, "--detect"], env=GERMAN).output
    assert "Erste Zeilen, wie gelesen (1 Bewegung insgesamt):" in german
    arabic = run(["--lang", "ar", *args, "--detect"]).output
    assert "الأسطر الأولى كما قُرئت (حركة واحدة إجمالًا):" in arabic


def test_the_files_publisher_new_wrote_are_counted_with_their_plural_form(tmp_path):
    # 19 files: Arabic's form for 11 to 99 ("ملفًا"), not one wording for every count.
    arabic = run(["--lang", "ar", "new", str(tmp_path / "ar"), "--name", "T"])
    assert arabic.exit_code == 0, arabic.output
    count = len([p for p in (tmp_path / "ar").rglob("*") if p.is_file()])
    assert 11 <= count <= 99
    assert f": {count} ملفًا.\n" in arabic.output
    german = run(["new", str(tmp_path / "de"), "--name", "T"], env=GERMAN)
    assert f": {count} Dateien.\n" in german.output


def test_an_imports_summary_in_arabic_says_two_rows_in_the_dual(tmp_path):
    books = write_coop(tmp_path, {})
    statement = books / "statement.csv"
    statement.write_text(
        "Date,Description,Amount\n11/02/2026,Dues,10.00\n11/03/2026,Dues,11.00\n", encoding="utf-8"
    )
    args = ["import", "bank", str(statement), str(books), "--dry-run", "--profile", "us-amount"]
    arabic = run(["--lang", "ar", *args]).output
    assert "سيُستورد صفّان من statement.csv إلى ledgers/bank.csv." in arabic
    assert "قُرئت حركتان بالملف التعريفي" in arabic
    assert 'لم يطابق صفّان أي قاعدة وكانا سيذهبان إلى "uncategorized"' in arabic
    english = run(args).output
    assert '2 rows matched no rule and would go to "uncategorized"' in english
