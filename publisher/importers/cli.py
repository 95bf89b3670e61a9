"""`publisher import`: each command parses its arguments and calls one import function."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from publisher.i18n import N_, _
from publisher.importers.bank import DEFAULT_TARGET as BANK_TARGET
from publisher.importers.bank import import_bank, profile_summary, shipped_profiles
from publisher.importers.common import Outcome, summary_lines
from publisher.importers.detect import detect_profile
from publisher.importers.ledgerfile import CannotImport
from publisher.importers.opencollective import DEFAULT_TARGET as OC_TARGET
from publisher.importers.opencollective import ROLES, import_opencollective
from publisher.problems import format_text, has_errors
from publisher.translated_click import OptionWithHelpFields, TranslatedGroup

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


@click.group(
    "import",
    cls=TranslatedGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "Bring existing books in: Open Collective exports and bank statements.\n\nThe source "
        "file is never changed. New rows are appended to a ledger of DIRECTORY; rows imported "
        "before are recognized and skipped, rows that look typed in already are held back and "
        "listed. On any error nothing is written."
    ),
)
def import_group() -> None:
    """The `publisher import` commands (their help is the group's help above)."""


def _run(do_import: Callable[[], Outcome], dry_run: bool) -> None:
    """Run an import, print its problems and summary, exit 0, 1 (problems) or 2 (cannot run)."""
    try:
        outcome = do_import()
    except CannotImport as error:
        click.echo(_("publisher: cannot import: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except OSError as error:
        click.echo(
            _("publisher: cannot import: {error}. Nothing was written.").format(error=error),
            err=True,
        )
        sys.exit(EXIT_CANNOT_RUN)
    if outcome.problems:
        click.echo(format_text(outcome.problems), nl=False)
    for line in summary_lines(outcome, dry_run):
        click.echo(line)
    sys.exit(EXIT_PROBLEMS if has_errors(outcome.problems) else EXIT_OK)


def _roles(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        role, sep, category = value.partition("=")
        if not sep or not role.strip() or not category.strip():
            raise click.BadParameter(
                _("{value!r}: write ROLE=CATEGORY, e.g. contributions=dues.").format(value=value)
            )
        mapping[role.strip()] = category.strip()
    return mapping


def _likely_duplicate_options(command: Callable) -> Callable:
    """--accept and --keep-likely-duplicates, shared by both importers."""
    command = click.option(
        "--keep-likely-duplicates",
        is_flag=True,
        help=N_(
            "Import the rows held back as probably typed in already (the same amount as a "
            "ledger row at most 3 days apart), all of them."
        ),
    )(command)
    return click.option(
        "--accept",
        "accept_lines",
        multiple=True,
        type=click.IntRange(min=1),
        metavar="LINE",
        help=N_(
            "Import the row at this LINE of the source file even though it looks like a "
            "ledger row typed in already (the report gives the lines). Repeatable."
        ),
    )(command)


@import_group.command(
    "opencollective",
    help=N_(
        "Import an Open Collective transactions EXPORT (CSV) into DIRECTORY's books.\n\nBoth "
        "the platform default and the legacy platform default exports are read, with field ids "
        "or labels as headers. Contributions become income, expenses expenses, host fees, "
        "payment processor fees, platform fees and taxes rows of their own; each row's id is "
        "the transaction's. The running balance is compared with the export's balance column."
    ),
)
@click.argument("export", type=click.Path(path_type=Path))
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--into",
    default=OC_TARGET,
    show_default=True,
    help=N_("The ledger to append to, relative to DIRECTORY."),
)
@click.option(
    "--fund", default=None, help=N_("The fund of the imported rows (default: the first fund).")
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="ROLE=CATEGORY",
    cls=OptionWithHelpFields,
    help_fields={"roles": ", ".join(ROLES)},
    help=N_("Use CATEGORY for a role instead of its default; the roles are {roles}. Repeatable."),
)
@_likely_duplicate_options
@click.option("--dry-run", is_flag=True, help=N_("Report what would be imported; write nothing."))
def opencollective(
    export: Path,
    directory: Path,
    into: str,
    fund: str | None,
    categories: tuple[str, ...],
    accept_lines: tuple[int, ...],
    keep_likely_duplicates: bool,
    dry_run: bool,
) -> None:
    roles = _roles(categories)
    _run(
        lambda: import_opencollective(
            export,
            directory,
            into=into,
            fund=fund,
            categories=roles,
            dry_run=dry_run,
            accept_lines=frozenset(accept_lines),
            keep_likely_duplicates=keep_likely_duplicates,
        ),
        dry_run,
    )


@import_group.command(
    "bank",
    help=N_(
        "Import a bank STATEMENT (CSV, or .xlsx) into DIRECTORY's books, as --profile "
        "describes it.\n\nThe profile's rules give each row its category and fund; rows no "
        'rule matches get the placeholder category "uncategorized", which blocks publishing '
        "until they are categorized, and are listed. Rows already in the ledgers (the same "
        "date, amount and description, or the bank's own reference) are skipped; rows that "
        "look typed in already (the same amount at most 3 days apart) are held back and "
        "listed, unless accepted with --accept. Without a profile yet, --detect proposes one."
    ),
)
@click.argument("statement", required=False, type=click.Path(path_type=Path))
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--profile",
    default=None,
    cls=OptionWithHelpFields,
    help_fields={"profiles": ", ".join(shipped_profiles())},
    help=N_(
        "A YAML profile describing the statement (a file), or the name of a shipped one: "
        "{profiles}. With --detect: the file to write the proposed profile to."
    ),
)
@click.option(
    "--detect",
    is_flag=True,
    help=N_(
        "Propose a profile from the statement, show its first rows read with it, and write "
        "it for review (never over an existing file). Imports nothing."
    ),
)
@click.option(
    "--list-profiles", is_flag=True, help=N_("List the profiles that ship with the publisher.")
)
@click.option(
    "--into",
    default=BANK_TARGET,
    show_default=True,
    help=N_("The ledger to append to, relative to DIRECTORY."),
)
@click.option("--fund", default=None, help=N_("The fund of rows no rule gives a fund."))
@_likely_duplicate_options
@click.option("--dry-run", is_flag=True, help=N_("Report what would be imported; write nothing."))
def bank(
    statement: Path | None,
    directory: Path,
    profile: str | None,
    detect: bool,
    list_profiles: bool,
    into: str,
    fund: str | None,
    accept_lines: tuple[int, ...],
    keep_likely_duplicates: bool,
    dry_run: bool,
) -> None:
    if list_profiles:
        for name in shipped_profiles():
            click.echo(
                _("{name:<18} {profile_summary}").format(
                    name=name, profile_summary=profile_summary(name)
                )
            )
        sys.exit(EXIT_OK)
    if statement is None:
        raise click.UsageError(_("Name the STATEMENT to import (or use --list-profiles)."))
    if detect:
        _detect(statement, directory, Path(profile) if profile else None)
    if profile is None:
        raise click.UsageError(
            _("Name the statement's --profile (see --list-profiles), or propose one with --detect.")
        )
    _run(
        lambda: import_bank(
            statement,
            directory,
            profile=profile,
            into=into,
            fund=fund,
            dry_run=dry_run,
            accept_lines=frozenset(accept_lines),
            keep_likely_duplicates=keep_likely_duplicates,
        ),
        dry_run,
    )


def _detect(statement: Path, directory: Path, output: Path | None) -> None:
    """Print what --detect found; exit 0 when it wrote the profile, 1 or 2 otherwise."""
    try:
        outcome = detect_profile(statement, directory, output=output)
    except (CannotImport, OSError) as error:
        click.echo(_("publisher: cannot detect a profile: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    for line in outcome.lines:
        click.echo(line)
    if outcome.problems:
        click.echo(_("Reading the statement with the proposed profile found:"))
        click.echo(format_text(outcome.problems), nl=False)
    sys.exit(EXIT_OK if outcome.lines else EXIT_PROBLEMS)
