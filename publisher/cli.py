"""The `publisher` command. Each command parses its arguments and calls one plain function."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from publisher.cooperative import NotACooperative, check_cooperative
from publisher.i18n import (
    N_,
    SHIPPED_LANGUAGES,
    _,
    _n,
    locale_candidates,
    set_message_language,
)
from publisher.problems import InertLines, format_github, format_json, format_text, has_errors
from publisher.translated_click import (
    TranslatedGroup,
    TranslatedWhenFilled,
    translate_click_words,
)

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2

translate_click_words()


def _set_message_language(
    ctx: click.Context, _param: click.Parameter, language: str | None
) -> None:
    """--lang: the treasurer's messages in `language` for this run (read before any help is
    printed, being eager, so that `publisher --lang es check --help` is Spanish)."""
    if language is None:
        return
    if language not in ("C", "POSIX") and not locale_candidates(language):
        message = _(
            "publisher: --lang {language} is not a language tag (try es, fr, de, pt or ar)."
        )
        click.echo(message.format(language=repr(language)), err=True)
        ctx.exit(EXIT_CANNOT_RUN)
    # For this run only: TranslatedGroup.main puts the language back when the run ends, so
    # that neither the next run in this process nor the caller's own code inherits it.
    set_message_language("en" if language in ("C", "POSIX") else language)


@click.group(
    cls=TranslatedGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Check a cooperative's books and publish them as a static website."),
)
# Its help and message are marked here: click's own version option translates them when the
# decorator runs, at import, before --lang is read.
@click.version_option(
    package_name="coop-publisher",
    help=N_("Show the version and exit."),
    message=TranslatedWhenFilled(N_("%(prog)s, version %(version)s")),
)
@click.option(
    "--lang",
    "language",
    default=None,
    metavar="LANG",
    is_eager=True,
    expose_value=False,
    callback=_set_message_language,
    help=N_(
        "The language of the messages (es, fr, de, pt, ar...; default: LANGUAGE, LC_ALL, "
        "LC_MESSAGES or LANG; English for anything not translated)."
    ),
)
def main() -> None:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # No line of the books printed in a workflow's log may act as a workflow command.
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not isinstance(stream, InertLines):
                setattr(sys, name, InertLines(stream))


@main.command(
    help=N_(
        "Check the books in DIRECTORY (default: the current directory).\n\nExits 0 when there "
        "is no error (warnings allowed), 1 when there is any error, and 2 when DIRECTORY "
        "cannot be checked at all."
    )
)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help=N_("text for people, json for programs, github for GitHub Actions annotations."),
)
def check(directory: Path, output_format: str) -> None:
    from publisher.federation import Progress, is_federation, load_federation

    try:
        if is_federation(directory):
            problems = load_federation(directory, progress=Progress()).problems
        else:
            # Only the closed-period check needs the history: books never closed skip the git log.
            _cooperative, problems = check_cooperative(directory, history="if-closed")
    except NotACooperative as error:
        click.echo(_("publisher: cannot check: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    # Annotations are workflow commands on purpose; their data is escaped by format_github.
    out = getattr(sys.stdout, "unguarded", None) if output_format == "github" else None
    click.echo(FORMATTERS[output_format](problems), nl=False, file=out)
    sys.exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)


@main.command(
    help=N_(
        "Rewrite a ledger, budget or balances FILE exported by a spreadsheet into the "
        "canonical form, where the correction is certain: dates whose order the file proves, "
        "decimal marks, thousands separators, the currency's sign, minus look-alikes, Excel's "
        "sep= line, the encoding. Prints the changes; writes only with --write.\n\nExits 0 "
        "when nothing is left to fix, 1 when something remains that it cannot fix, 2 when FILE "
        "is not a ledger, budget or balances file of a cooperative."
    )
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--write",
    is_flag=True,
    help=N_("Rewrite FILE (keeping a backup); without it, only show the changes."),
)
def fix(file: Path, write: bool) -> None:
    from publisher.fix import NotABooksFile, format_plan, plan_fix, write_fix

    try:
        plan = plan_fix(file)
    except NotABooksFile as error:
        click.echo(_("publisher: cannot fix: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    backup = None
    if write and plan.has_changes:
        try:
            backup = write_fix(plan)
        except OSError as error:
            click.echo(
                _("publisher: cannot write {file}: {reason}").format(
                    file=file, reason=error.strerror or error
                ),
                err=True,
            )
            sys.exit(EXIT_CANNOT_RUN)
    click.echo(format_plan(plan, str(file), backup), nl=False)
    sys.exit(EXIT_PROBLEMS if plan.unfixed_errors else EXIT_OK)


@main.command(
    help=N_(
        "Print the history of the books in DIRECTORY: each commit that changed a ledger, "
        "newest first, with the rows it added, changed and removed and its effect on each fund."
    )
)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
def history(directory: Path) -> None:
    from publisher.cooperative import load_cooperative
    from publisher.history import format_changes

    try:
        cooperative, problems = load_cooperative(directory)
    except NotACooperative as error:
        click.echo(_("publisher: cannot read the history: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if cooperative is None:
        click.echo(format_text(problems), nl=False)
        sys.exit(EXIT_PROBLEMS)
    click.echo(format_changes(cooperative.history(), cooperative.accounts), nl=False)


@main.command(
    help=N_(
        "Check the books in DIRECTORY and build its website.\n\nOn any error nothing is built "
        "and an existing site is left exactly as it was."
    )
)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Where to write the site (default: DIRECTORY/site)."),
)
@click.option(
    "--site-url",
    default=None,
    help=N_(
        "The address the site will be published at (overrides site_url of mkdocs.yml); "
        "Material's instant navigation needs it."
    ),
)
@click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help=N_(
        "What turns the pages into the site: MkDocs with Material, or Zensical "
        "(pip install 'coop-publisher[zensical]'; see docs/publishing.md)."
    ),
)
def build(directory: Path, site_dir: Path | None, site_url: str | None, engine: str) -> None:
    from publisher.site.build import SiteError, build_site, quiet_mkdocs_logging

    quiet_mkdocs_logging()
    try:
        result = build_site(directory, site_dir, site_url=site_url, engine=engine)
    except NotACooperative as error:
        click.echo(_("publisher: cannot build: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except SiteError as error:
        click.echo(_("publisher: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if result.problems:
        click.echo(format_text(result.problems), nl=False)
    if result.site_dir is None:
        click.echo(
            _("There are errors, so the site was not built (the previous one is unchanged)."),
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    click.echo(
        _(
            "Site written to {site_dir}. To look at it: publisher serve {directory} "
            "(or python3 -m http.server -d {site_dir}), then open http://127.0.0.1:8000/."
        ).format(
            site_dir=result.site_dir,
            # The preview to suggest is the engine's that built the site.
            directory=directory if engine == "mkdocs" else f"--engine {engine} {directory}",
        )
    )


@main.command(
    help=N_(
        "Preview the site of DIRECTORY, rebuilding when a ledger or a page changes.\n\nWhile "
        "the books have an error, every page of the preview lists the problems (and so does "
        "the terminal); the site comes back by itself once they are fixed."
    )
)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--address", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help=N_("What turns the pages into the site (see publisher build --help)."),
)
def serve(directory: Path, address: str, engine: str) -> None:
    from publisher.site.build import SiteError, serve_site

    from publisher.federation import is_federation

    if not (directory / "ledgers" / "accounts.yml").is_file() and not is_federation(directory):
        click.echo(
            _(
                "publisher: cannot serve: {directory} has neither ledgers/accounts.yml nor "
                "federation.yml."
            ).format(directory=directory),
            err=True,
        )
        sys.exit(EXIT_CANNOT_RUN)
    try:
        serve_site(
            directory, address, report=lambda text: click.echo(text, nl=False), engine=engine
        )
    except SiteError as error:
        click.echo(_("publisher: cannot serve: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)


@main.command(
    help=N_(
        "Show what the change from revision BASE to revision HEAD does to the books of DIR: "
        "rows added, changed and removed, income and expense per year and category, each "
        "fund's balance before and after, problems introduced and fixed.\n\nHEAD defaults to "
        "the working tree, DIR to the current directory. With one argument after BASE, an "
        "existing directory is DIR, anything else is HEAD. Exits 0 with the report, 2 when a "
        "revision is not valid or there are no books to compare."
    )
)
@click.argument("base")
@click.argument("head_and_directory", nargs=-1, metavar="[HEAD] [DIR]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help=N_("text for a terminal, markdown for a pull request's job summary."),
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1000),
    default=None,
    help=N_(
        "Cut the report at a line so that it takes at most this many bytes, with a note "
        "saying so (a GitHub job summary holds at most 1 MiB per step)."
    ),
)
def diff(
    base: str, head_and_directory: tuple[str, ...], output_format: str, max_bytes: int | None
) -> None:
    from publisher.diff import DiffError, diff_report

    if len(head_and_directory) > 2:
        raise click.UsageError(_("give at most BASE, HEAD and DIR."))
    if len(head_and_directory) == 2:
        head, directory = head_and_directory[0], Path(head_and_directory[1])
    elif head_and_directory and Path(head_and_directory[0]).is_dir():
        head, directory = None, Path(head_and_directory[0])
    else:
        head, directory = (head_and_directory[0] if head_and_directory else None), Path(".")
    try:
        report = diff_report(directory, base, head, output_format, max_bytes)
    except DiffError as error:
        click.echo(_("publisher: cannot diff: {error}").format(error=error), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(report, nl=False)


@main.command(
    help=N_(
        "Create a new cooperative's repository in DIRECTORY (which must not exist, or be "
        "empty): books, charter, minutes, a first story, the site's configuration, the GitHub "
        "workflows that check and publish it, and a README for the members. It passes "
        "publisher check as created."
    )
)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--name", default=None, help="The cooperative's name (default: made from DIRECTORY's name)."
)
@click.option(
    "--currency", default="EUR", show_default=True, help="The ISO 4217 code of every amount."
)
@click.option(
    "--git/--no-git",
    "init_git",
    default=False,
    show_default=True,
    help=N_("Also make DIRECTORY a git repository (branch main); nothing is committed."),
)
@click.option(
    "--books",
    type=click.Choice(["csv", "ods", "xlsx"]),
    default="csv",
    show_default=True,
    help=N_(
        "Keep the ledger as a CSV file, or as a workbook (.ods, .xlsx) with drop-down lists of "
        "categories and funds."
    ),
)
@click.option(
    "--language",
    type=click.Choice(SHIPPED_LANGUAGES),
    default="en",
    show_default=True,
    help=N_("The language of the charter, minutes, first story and README, and of the site."),
)
def new(
    directory: Path, name: str | None, currency: str, init_git: bool, books: str, language: str
) -> None:
    from publisher.newcoop import NewCooperativeError, create_cooperative

    try:
        created = create_cooperative(
            directory,
            name=name,
            currency=currency,
            init_git=init_git,
            books=books,
            language=language,
        )
    except (NewCooperativeError, OSError) as error:
        click.echo(
            _("publisher: cannot create the cooperative: {error}").format(error=error), err=True
        )
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(
        _n(
            "Created {name} ({currency}) in {root}: {count} file.\n"
            "Next: read {readme}, then check and preview it with\n"
            "  publisher check {root}\n  publisher serve {root}\n"
            "and push it to a new GitHub repository (in Settings > Pages, choose GitHub "
            "Actions as the source).",
            "Created {name} ({currency}) in {root}: {count} files.\n"
            "Next: read {readme}, then check and preview it with\n"
            "  publisher check {root}\n  publisher serve {root}\n"
            "and push it to a new GitHub repository (in Settings > Pages, choose GitHub "
            "Actions as the source).",
            len(created.files),
        ).format(
            name=created.name,
            currency=created.currency,
            root=created.root,
            count=len(created.files),
            readme=created.root / "README.md",
        )
    )


from publisher.importers.cli import import_group

main.add_command(import_group)
