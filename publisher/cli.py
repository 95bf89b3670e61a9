"""The `publisher` command. Each command parses its arguments and calls one plain function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from publisher.cooperative import NotACooperative, check_cooperative
from publisher.problems import format_github, format_json, format_text, has_errors

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coop-publisher")
def main() -> None:
    """Check a cooperative's books and publish them as a static website."""


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for GitHub Actions annotations.",
)
def check(directory: Path, output_format: str) -> None:
    """Check the books in DIRECTORY (default: the current directory).

    Exits 0 when there is no error (warnings allowed), 1 when there is any error, and 2 when
    DIRECTORY cannot be checked at all.
    """
    from publisher.federation import Progress, is_federation, load_federation

    try:
        if is_federation(directory):
            problems = load_federation(directory, progress=Progress()).problems
        else:
            _, problems = check_cooperative(directory)
    except NotACooperative as error:
        click.echo(f"publisher: cannot check: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(FORMATTERS[output_format](problems), nl=False)
    sys.exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
def history(directory: Path) -> None:
    """Print the history of the books in DIRECTORY: each commit that changed a ledger, newest
    first, with the rows it added, changed and removed and its effect on each fund."""
    from publisher.cooperative import load_cooperative
    from publisher.history import format_changes

    try:
        cooperative, problems = load_cooperative(directory)
    except NotACooperative as error:
        click.echo(f"publisher: cannot read the history: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if cooperative is None:
        click.echo(format_text(problems), nl=False)
        sys.exit(EXIT_PROBLEMS)
    click.echo(format_changes(cooperative.history(), cooperative.accounts), nl=False)


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the site (default: DIRECTORY/site).",
)
@click.option(
    "--site-url",
    default=None,
    help="The address the site will be published at (overrides site_url of mkdocs.yml); "
    "Material's instant navigation needs it.",
)
def build(directory: Path, site_dir: Path | None, site_url: str | None) -> None:
    """Check the books in DIRECTORY and build its website.

    On any error nothing is built and an existing site is left exactly as it was.
    """
    from publisher.site.build import SiteError, build_site, quiet_mkdocs_logging

    quiet_mkdocs_logging()
    try:
        result = build_site(directory, site_dir, site_url=site_url)
    except NotACooperative as error:
        click.echo(f"publisher: cannot build: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except SiteError as error:
        click.echo(f"publisher: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if result.problems:
        click.echo(format_text(result.problems), nl=False)
    if result.site_dir is None:
        click.echo("There are errors, so the site was not built (the previous one is unchanged).", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(
        f"Site written to {result.site_dir}. To look at it: publisher serve {directory} "
        f"(or python3 -m http.server -d {result.site_dir}), then open http://127.0.0.1:8000/."
    )


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--address", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(directory: Path, address: str) -> None:
    """Preview the site of DIRECTORY, rebuilding when a ledger or a page changes."""
    from publisher.site.build import serve_site

    from publisher.federation import is_federation

    if not (directory / "ledgers" / "accounts.yml").is_file() and not is_federation(directory):
        click.echo(f"publisher: cannot serve: {directory} has neither ledgers/accounts.yml nor federation.yml.", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    serve_site(directory, address)

from publisher.importers.cli import import_group  # noqa: E402
main.add_command(import_group)
