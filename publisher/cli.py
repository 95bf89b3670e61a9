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
    try:
        _, problems = check_cooperative(directory)
    except NotACooperative as error:
        click.echo(f"publisher: cannot check: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(FORMATTERS[output_format](problems), nl=False)
    sys.exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)
