"""`publisher import bank`: statements in any dialect and encoding, as a YAML profile says,
categorized by rules; duplicates skipped; profiles validated with lines; nothing written on
any error. Statements and profiles are written by the tests, next to their assertions.
"""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.accounts import parse_accounts
from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.importers.bank import import_bank, load_profile, shipped_profiles
from publisher.importers.common import Outcome
from publisher.importers.ledgerfile import CannotImport
from publisher.problems import Severity
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop

STATEMENT = "statement.csv"
PROFILE = "bank.yml"
TARGET = "ledgers/bank.csv"

GERMAN = """\
Buchungstag;Verwendungszweck;Auftraggeber/Empfänger;Betrag;Währung
02.01.2025;Miete Januar Werkstatt;Quayside Properties;-850,00;EUR
03.01.2025;Mitgliedsbeitrag Jänner;Anna Müller;12,50;EUR
03.01.2025;Mitgliedsbeitrag Jänner;Jörg Bär;12,50;EUR
15.01.2025;Förderung Stadt Riverside;City Council;1.234,56;EUR
20.01.2025;Säge und Bohrer;Baumarkt GmbH;-149,90;EUR
31.01.2025;Kontoführung;Bank;-4,50;EUR
"""

GERMAN_RULES = """\
base: de-semicolon
rules:
  - match: miete
    category: rent
  - match: mitgliedsbeitrag
    category: dues
    sign: in
  - match: beitrag            # never reached for dues: the rule above matches first
    category: grants
  - match: city council
    field: counterparty
    category: grants
    fund: commons
  - match: "s(ä|ae)ge|bohrer"
    category: tools
"""


@pytest.fixture
def books(tmp_path):
    write_coop(tmp_path, {"ledgers/2025.csv": LEDGER_HEADER + "2025-01-05,Dues,12.50,dues,,,,,\n"})
    return tmp_path


def run_import(
    root: Path, statement: str | bytes, profile: str, encoding: str = "utf-8", **options
) -> Outcome:
    path = root / STATEMENT
    path.write_bytes(statement if isinstance(statement, bytes) else statement.encode(encoding))
    before = path.read_bytes()
    if not profile.endswith(".yml") and "\n" not in profile and profile in shipped_profiles():
        spec = profile
    else:
        (root / PROFILE).write_text(textwrap.dedent(profile), encoding="utf-8")
        spec = str(root / PROFILE)
    outcome = import_bank(path, root, profile=spec, today=TODAY, **options)
    assert path.read_bytes() == before, "the statement must never be modified"
    return outcome


def ledger_rows(root: Path, target: str = TARGET, delimiter: str = ",") -> list[dict[str, str]]:
    with (root / target).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def assert_books_pass(root: Path) -> list:
    _, problems = check_cooperative(root, today=TODAY)
    # Rows left in "uncategorized" are the treasurer's to categorize: that error is intended.
    errors = [p for p in problems if p.is_error and p.code != "category-placeholder"]
    assert not errors, errors
    return problems


def snapshot(root: Path) -> dict[str, bytes]:
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {name: p.read_bytes() for name, p in files.items() if name not in (STATEMENT, PROFILE)}


# -- Dialects and encodings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, profile",
    [("cp1252", GERMAN_RULES), ("latin-1", GERMAN_RULES + "encoding: latin-1\n")],
)
def test_a_latin1_semicolon_statement_with_decimal_commas_and_rules(books, encoding, profile):
    outcome = run_import(books, GERMAN, profile, encoding=encoding)
    assert not outcome.problems
    rows = [(r["date"], r["amount"], r["category"], r["fund"]) for r in ledger_rows(books)]
    assert rows == [
        ("2025-01-02", "-850.00", "rent", ""),
        ("2025-01-03", "12.50", "dues", ""),
        ("2025-01-03", "12.50", "dues", ""),  # first match wins: not "grants"
        ("2025-01-15", "1234.56", "grants", "commons"),
        ("2025-01-20", "-149.90", "tools", ""),
        ("2025-01-31", "-4.50", "uncategorized", ""),
    ]
    assert ledger_rows(books)[1]["counterparty"] == "Anna Müller"
    assert [(row.line, row.description) for row in outcome.uncategorized] == [(7, "Kontoführung")]
    accounts = (books / "ledgers/accounts.yml").read_text(encoding="utf-8")
    assert "uncategorized:" in accounts
    assert_books_pass(books)


def test_a_utf8_statement_read_as_latin1_would_be_garbled_so_the_encoding_matters(books):
    outcome = run_import(books, GERMAN, GERMAN_RULES, encoding="utf-8")
    # cp1252 reads UTF-8's two bytes as two letters: the header names no longer match
    assert {p.code for p in outcome.problems} == {"import-column-missing"}
    outcome = run_import(books, GERMAN, GERMAN_RULES + "encoding: utf-8\n", encoding="utf-8")
    assert not outcome.problems


def test_bytes_the_profiles_encoding_cannot_read_are_located(books):
    data = GERMAN.encode("cp1252")
    outcome = run_import(books, data, "base: de-semicolon\nencoding: utf-8\n")
    # the first non-UTF-8 byte is the "ä" of "Auftraggeber/Empfänger" on line 1
    assert codes_at(outcome.problems) == {(STATEMENT, 1, "import-encoding-invalid")}
    assert outcome.problems[0].column == len("Buchungstag;Verwendungszweck;Auftraggeber/Empf") + 1
    assert "cp1252" in outcome.problems[0].message


def test_uk_debit_and_credit_columns_with_quoted_thousands(books):
    statement = (
        "Date,Type,Description,Paid out,Paid in,Balance\n"
        '02/01/2025,DD,Rent January,"1,250.00",,"8,750.00"\n'
        "03/01/2025,CR,Membership dues A. Smith,,12.50,8762.50\n"
        "04/01/2025,DEB,Card fee,-0.75,,8761.75\n"
    )
    profile = "base: uk-debit-credit\nrules:\n  - {match: rent, category: rent}\n  - {match: dues, category: dues}\n"
    outcome = run_import(books, statement, profile, fund="commons")
    assert not outcome.problems
    rows = [(r["date"], r["amount"], r["category"], r["fund"]) for r in ledger_rows(books)]
    assert rows == [
        ("2025-01-02", "-1250.00", "rent", "commons"),
        ("2025-01-03", "12.50", "dues", "commons"),
        ("2025-01-04", "-0.75", "uncategorized", "commons"),  # money out with or without a minus
    ]
    assert_books_pass(books)


def test_french_statement_with_spaces_between_thousands(books):
    statement = (
        "Date;Libellé;Débit;Crédit\n"
        "05/02/2025;LOYER FEVRIER;1 200,00;\n"
        "06/02/2025;COTISATION M. DUPONT;;15,00\n"
        "07/02/2025;SUBVENTION MAIRIE;;2\u202f500,00\n"
    )
    profile = (
        "base: fr-semicolon\nencoding: utf-8\nrules:\n"
        "  - {match: loyer, category: rent}\n  - {match: cotisation, category: dues}\n"
        "  - {match: subvention, category: grants}\n"
    )
    outcome = run_import(books, statement, profile)
    assert not outcome.problems
    assert [(r["amount"], r["category"]) for r in ledger_rows(books)] == [
        ("-1200.00", "rent"),
        ("15.00", "dues"),
        ("2500.00", "grants"),
    ]


def test_a_custom_layout_skips_lines_reads_tabs_joins_descriptions_and_takes_references(books):
    statement = (
        "Account statement\tExample Bank\n"
        "Period\t2025-03\n"
        "\n"
        "Booked\tText\tPurpose\tName\tRef\tValue\n"
        "2025/03/01\tTRANSFER\tRent March\tLandlord\tR-001\t-700.00\n"
        "2025/03/02\tCREDIT\tDues\tAnn\tNOTPROVIDED\t10.00\n"
    )
    profile = """\
        encoding: utf-8
        delimiter: tab
        skip_lines: 3
        date_format: "%Y/%m/%d"
        columns:
          date: Booked
          description: [Text, Purpose]
          counterparty: Name
          reference: Ref
          amount: Value
        rules:
          - {match: rent, category: rent}
          - {match: ^ann$, field: counterparty, category: dues}
    """
    outcome = run_import(books, statement, profile)
    assert not outcome.problems
    rows = ledger_rows(books)
    assert [(r["description"], r["id"], r["category"]) for r in rows] == [
        ("TRANSFER Rent March", "R-001", "rent"),
        ("CREDIT Dues", "", "dues"),  # a placeholder is not a reference
    ]
    broken = statement.replace("-700.00", "-7OO.00")
    outcome = run_import(books, broken, profile)
    assert codes_at(outcome.problems) == {(STATEMENT, 5, "import-amount-invalid")}


def test_imported_rows_follow_the_repositorys_own_dialect(books):
    accounts = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
    (books / "ledgers/accounts.yml").write_text(accounts, encoding="utf-8")
    (books / "ledgers/2025.csv").unlink()
    outcome = run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    assert not outcome.problems
    rows = ledger_rows(books, delimiter=";")
    assert rows[3]["amount"] == "1234,56"
    assert_books_pass(books)


# -- Duplicates ----------------------------------------------------------------------------------


def test_reimporting_the_same_statement_adds_nothing(books):
    run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    before = snapshot(books)
    outcome = run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    assert outcome.plan.rows == [] and outcome.plan.duplicates == 6
    assert snapshot(books) == before


def test_an_overlapping_statement_adds_only_what_is_new_counting_equal_rows(books):
    first = "\n".join(GERMAN.splitlines()[:3]) + "\n"  # header, rent, one of the two equal dues
    run_import(books, first, GERMAN_RULES, encoding="cp1252")
    outcome = run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    assert outcome.plan.duplicates == 2
    assert [row.line for row in outcome.plan.rows] == [4, 5, 6, 7]  # the second equal dues is new
    assert len(ledger_rows(books)) == 6
    assert_books_pass(books)


def test_rows_already_entered_by_hand_in_another_ledger_are_skipped(books):
    (books / "ledgers/2025.csv").write_text(
        LEDGER_HEADER
        + "2025-01-02,Miete  Januar\nWerkstatt,-850.00,rent,,,,,\n".replace("\n", " ", 1),
        encoding="utf-8",
    )
    outcome = run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    assert outcome.plan.duplicates == 1  # same date, amount and description (spaces aside)
    assert_books_pass(books)


def test_the_banks_reference_identifies_rows_already_imported(books):
    statement = (
        "Date,Description,Amount,Reference\n03/01/2025,Dues,10.00,TX1\n03/02/2025,Dues,10.00,TX2\n"
    )
    profile = "base: us-amount\ncolumns: {date: Date, description: Description, amount: Amount, reference: Reference}\n"
    run_import(books, statement, profile)
    edited = (books / TARGET).read_text(encoding="utf-8").replace(",Dues,", ",Dues (Ann),")
    (books / TARGET).write_text(edited, encoding="utf-8")
    outcome = run_import(books, statement + "03/03/2025,Dues,10.00,TX3\n", profile)
    assert [row.id for row in outcome.plan.rows] == ["TX3"]  # descriptions edited: ids still match
    assert_books_pass(books)


def test_a_reference_that_repeats_is_not_a_reference(books):
    statement = "Date,Description,Amount,Reference\n03/01/2025,Dues,10.00,BATCH7\n03/02/2025,Rent,-5.00,BATCH7\n"
    profile = "base: us-amount\ncolumns: {date: Date, description: Description, amount: Amount, reference: Reference}\n"
    outcome = run_import(books, statement, profile)
    assert codes_at(outcome.problems) == {(STATEMENT, 3, "import-id-repeated")}
    assert not (books / TARGET).exists()


# -- Rows that cannot be read --------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, code",
    [
        (
            "03.01.2025;Mitgliedsbeitrag Jänner;Anna",
            "2025-01-03;Mitgliedsbeitrag Jänner;Anna",
            "import-date-invalid",
        ),
        (
            "03.01.2025;Mitgliedsbeitrag Jänner;Anna",
            "32.01.2025;Mitgliedsbeitrag Jänner;Anna",
            "import-date-invalid",
        ),
        (
            "03.01.2025;Mitgliedsbeitrag Jänner;Anna",
            ";Mitgliedsbeitrag Jänner;Anna",
            "import-value-missing",
        ),
        ("Anna Müller;12,50", "Anna Müller;12.50", "import-amount-invalid"),
        ("Anna Müller;12,50", "Anna Müller;12,505", "import-amount-invalid"),
        ("Anna Müller;12,50", "Anna Müller;EUR 12,50", "import-amount-invalid"),
        ("Anna Müller;12,50", "Anna Müller;", "import-value-missing"),
        ("Anna Müller;12,50;EUR", "Anna Müller;12,50;USD", "import-currency-mismatch"),
        ("Anna Müller;12,50;EUR", "Anna Müller;12,50;EUR;x", "csv-ragged-row"),
    ],
)
def test_a_bad_row_is_reported_at_its_line_and_nothing_is_written(books, old, new, code):
    before = snapshot(books)
    outcome = run_import(books, GERMAN.replace(old, new), GERMAN_RULES, encoding="cp1252")
    assert (STATEMENT, 3, code) in codes_at(outcome.problems)
    assert not outcome.written
    assert snapshot(books) == before


def test_a_profile_column_missing_from_the_header_is_reported_on_the_header_line(books):
    statement = "Bank export\n\nDate;Text;Amount\n01.02.2025;Rent;-5,00\n"
    profile = "base: de-semicolon\nencoding: utf-8\nskip_lines: 2\ncolumns: {date: Date, description: Txt, amount: Amount}\n"
    outcome = run_import(books, statement, profile)
    assert codes_at(outcome.problems) == {(STATEMENT, 3, "import-column-missing")}
    assert 'Did you mean "Text"?' in outcome.problems[0].message


def test_rows_dated_after_today_are_left_for_later(books):
    statement = "Date,Description,Amount\n11/20/2026,Dues,10.00\n11/22/2026,Pending rent,-5.00\n"
    outcome = run_import(books, statement, "us-amount")
    assert {(p.line, p.code, p.severity) for p in outcome.problems} == {
        (3, "import-date-in-future", Severity.WARNING)
    }
    assert [r["description"] for r in ledger_rows(books)] == ["Dues"]


# -- Profiles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", shipped_profiles())
def test_every_shipped_profile_is_valid(name):
    accounts, _ = parse_accounts(ACCOUNTS)
    from publisher.importers.bank import _shipped_text

    profile, problems = load_profile(*_shipped_text(name), accounts)
    assert problems == [] and profile is not None


def test_at_least_three_profiles_ship():
    assert {"de-semicolon", "uk-debit-credit", "fr-semicolon"} <= set(shipped_profiles())


@pytest.mark.parametrize(
    "profile, line, code",
    [
        ("base: de-semicolon\ndelimeter: ','\n", 2, "profile-key-unknown"),
        (
            "base: de-semicolon\ncolumns: {date: D, description: T, amount: A, payee: P}\n",
            2,
            "profile-key-unknown",
        ),
        (
            "base: de-semicolon\nrules:\n  - match: x\n    category: rent\n    catgory: dues\n",
            5,
            "profile-key-unknown",
        ),
        (
            "base: de-semicolon\nrules:\n  - match: '(unclosed'\n    category: rent\n",
            3,
            "profile-value-invalid",
        ),
        (
            "base: de-semicolon\nrules:\n  - match: x\n    category: rentt\n",
            4,
            "profile-value-invalid",
        ),
        (
            "base: de-semicolon\nrules:\n  - match: x\n    category: rent\n    fund: savings\n",
            5,
            "profile-value-invalid",
        ),
        ("base: de-semicolon\nrules:\n  - category: rent\n", 3, "profile-key-missing"),
        ("base: de-semicolon\nencoding: latin-9000\n", 2, "profile-value-invalid"),
        ("base: de-semicolon\ndate_format: dd.mm.yyyy\n", 2, "profile-value-invalid"),
        ("base: de-semicolon\ndecimal: ';'\n", 2, "profile-value-invalid"),
        ("base: de-semicolon\nthousands: ','\n", 2, "profile-value-invalid"),
        ("base: ch-zurich\n", 1, "profile-value-invalid"),
        ("delimiter: ';'\ncolumns: {date: D, amount: A}\n", 1, "profile-key-missing"),
        (
            "date_format: '%d.%m.%Y'\ncolumns:\n  date: D\n  amount: A\n  description: T\n  debit: X\n",
            2,
            "profile-value-invalid",
        ),
        ("- a list\n", 1, "yaml-not-a-mapping"),
        ("columns: {date: x\nrules: [\n", 2, "yaml-syntax"),
    ],
)
def test_profile_problems_name_the_line(books, profile, line, code):
    outcome = run_import(books, GERMAN, profile, encoding="cp1252")
    assert (PROFILE, line, code) in codes_at(outcome.problems)
    assert not outcome.written and not (books / TARGET).exists()


def test_a_counterparty_rule_needs_a_counterparty_column(books):
    profile = "base: us-amount\nrules:\n  - {match: x, field: counterparty, category: rent}\n"
    outcome = run_import(books, "Date,Description,Amount\n", profile)
    assert {p.code for p in outcome.problems} == {"profile-value-invalid"}


def test_an_unknown_profile_name_cannot_run(books):
    (books / STATEMENT).write_text(GERMAN, encoding="utf-8")
    with pytest.raises(CannotImport):
        import_bank(books / STATEMENT, books, profile="no-such-bank")


def test_a_statement_saved_in_ledgers_cannot_run(books):
    (books / "ledgers/statement.csv").write_text(GERMAN, encoding="utf-8")
    with pytest.raises(CannotImport):
        import_bank(books / "ledgers/statement.csv", books, profile="de-semicolon")


# -- Never loses or corrupts ---------------------------------------------------------------------


def test_a_failed_write_leaves_every_file_as_it_was(books, monkeypatch):
    import os

    before = snapshot(books)
    real_fsync = os.fsync
    written = []

    def failing_fsync(descriptor):
        # accounts.yml (with "uncategorized" added) is written first; the ledger then fails
        data = os.pread(descriptor, 1 << 16, 0)
        if b"Werkstatt" in data:
            raise OSError(5, "Input/output error")
        written.append(b"uncategorized:" in data)
        return real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        run_import(books, GERMAN, GERMAN_RULES, encoding="cp1252")
    monkeypatch.undo()
    assert written[0], "accounts.yml was written before the ledger failed"
    assert snapshot(books) == before  # and put back
    assert not [p for p in (books / "ledgers").iterdir() if p.name.startswith(".")]


# -- The command ---------------------------------------------------------------------------------


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_lists_the_uncategorized_rows_with_their_lines(books):
    (books / STATEMENT).write_bytes(GERMAN.encode("cp1252"))
    (books / PROFILE).write_text(GERMAN_RULES, encoding="utf-8")
    result = cli(
        "import", "bank", str(books / STATEMENT), str(books), "--profile", str(books / PROFILE)
    )
    assert result.exit_code == 0, result.output
    assert "Imported 6 rows" in result.output and "Skipped 0 rows" in result.output
    assert f"{STATEMENT}:7: 2025-01-31 -4.50 Kontoführung" in result.output
    result = cli(
        "import", "bank", str(books / STATEMENT), str(books), "--profile", str(books / PROFILE)
    )
    assert "Imported 0 rows" in result.output and "Skipped 6 rows" in result.output


def test_cli_exit_statuses(books):
    (books / STATEMENT).write_bytes(GERMAN.encode("cp1252"))
    args = ["import", "bank", str(books / STATEMENT), str(books)]
    assert cli(*args, "--profile", "de-semicolon").exit_code == 0
    (books / PROFILE).write_text("base: de-semicolon\ndelimeter: ','\n", encoding="utf-8")
    result = cli(*args, "--into", "ledgers/other.csv", "--profile", str(books / PROFILE))
    assert result.exit_code == 1 and "[profile-key-unknown]" in result.output
    assert cli(*args, "--profile", "nowhere.yml").exit_code == 2
    assert (
        cli("import", "bank", "missing.csv", str(books), "--profile", "de-semicolon").exit_code == 2
    )
    assert (
        cli(
            "import", "bank", str(books / STATEMENT), str(books / "x"), "--profile", "de-semicolon"
        ).exit_code
        == 2
    )
    assert cli(*args).exit_code == 2  # --profile is required
