"""`publisher new DIR`: a new cooperative's repository, ready to commit and push.

The files come from the package's templates (publisher/templates/new/). A template path
component written `dot-x` becomes `.x` (package data keeps no hidden files reliably), and
`@@NAME@@`, `@@CURRENCY@@`, `@@YEAR@@`, `@@DATE@@` and `@@VERSION@@` are replaced in names and
in Markdown and text files. YAML files are never edited as text: the name and the currency
are set through ruamel.yaml's round-trip loader and dumper, so the comments a person wrote (or
that the templates explain the format with) stay where they are, and the result is read back
and checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from publisher.accounts import ACCOUNTS_PATH, parse_accounts
from publisher.i18n import SHIPPED_LANGUAGES, SOURCE_LANGUAGE, _

TEMPLATE_PACKAGE = "publisher"
TEMPLATE_DIR = ("templates", "new")
PLACEHOLDER = re.compile(r"@@([A-Z]+)@@")
DEFAULT_CURRENCY = "EUR"
#: Files whose placeholders are replaced as text (YAML files are edited through ruamel instead).
TEXT_SUFFIXES = (".md", ".txt", ".csv", ".svg")


class NewCooperativeError(Exception):
    """The new repository cannot be created (the message says why)."""


@dataclass(frozen=True)
class NewCooperative:
    root: Path
    name: str
    currency: str
    files: tuple[str, ...]  # relative paths, sorted


def set_yaml_values(text: str, values: dict[str, Any]) -> str:
    """`text` with the top-level keys of `values` set, everything else (comments, order, flow
    mappings, quotes) kept: ruamel.yaml round-trip. Lists are written indented under their key
    ("  - item"), as in the templates."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the templates' style: "  - item"
    data = yaml.load(text)
    for key, value in values.items():
        data[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def default_name(directory: Path) -> str:
    """`riverside-tool-library` -> `Riverside Tool Library`."""
    words = re.split(r"[-_\s]+", directory.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "My Cooperative"


def template_files(language: str = SOURCE_LANGUAGE) -> dict[str, bytes]:
    """Every template file: its path as written in the package -> its bytes. In another
    language than English, the prose files of `templates/new-LANGUAGE/` (the same paths)
    replace the English ones."""
    found = _files_under(TEMPLATE_DIR)
    if language != SOURCE_LANGUAGE:
        found.update(_files_under(translated_template_dir(language)))
    return found


def translated_template_dir(language: str) -> tuple[str, ...]:
    """Where the prose templates of `language` are: `templates/new-es/` for Spanish."""
    return (*TEMPLATE_DIR[:-1], f"{TEMPLATE_DIR[-1]}-{language}")


def _files_under(directory: tuple[str, ...]) -> dict[str, bytes]:
    top = resources.files(TEMPLATE_PACKAGE).joinpath(*directory)
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            path = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, path + "/")
            else:
                found[path] = child.read_bytes()

    walk(top, "")
    return found


def _substitute(text: str, values: dict[str, str], where: str) -> str:
    def replace(match: re.Match) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise NewCooperativeError(
                _("the template {where} names an unknown value {group}").format(
                    where=where, group=match.group(0)
                )
            ) from None

    return PLACEHOLDER.sub(replace, text)


def _output_path(template_path: str, values: dict[str, str]) -> str:
    parts = [("." + p[4:]) if p.startswith("dot-") else p for p in template_path.split("/")]
    return _substitute("/".join(parts), values, template_path)


#: How `publisher new --books` keeps the ledger: a CSV file, or a workbook.
BOOKS_FORMATS = ("csv", "ods", "xlsx")


def render(
    name: str, currency: str, today: dt.date, books: str = "csv", language: str = SOURCE_LANGUAGE
) -> dict[str, bytes]:
    """The new repository's files: relative path -> content. With `books` "ods" or "xlsx",
    the year's ledger is a workbook instead of a CSV file; `language` is the language of the
    prose (charter, minutes, first story, README) and the `language:` of accounts.yml."""
    values = {
        # In Markdown (and MkDocs' site_name, which Material writes as HTML) the name is text.
        "NAME": html.escape(name, quote=False),
        "CURRENCY": currency,
        "YEAR": f"{today.year:04d}",
        "DATE": today.isoformat(),
        "VERSION": _version(),
    }
    files: dict[str, bytes] = {}
    for template_path, data in template_files(language).items():
        path = _output_path(template_path, values)
        if path.endswith(TEXT_SUFFIXES):
            data = _substitute(data.decode("utf-8"), values, template_path).encode("utf-8")
        files[path] = data
    files[ACCOUNTS_PATH] = set_yaml_values(
        files[ACCOUNTS_PATH].decode("utf-8"),
        {"name": name, "currency": currency, "language": language},
    ).encode("utf-8")
    files["mkdocs.yml"] = set_yaml_values(
        files["mkdocs.yml"].decode("utf-8"),
        {"site_name": values["NAME"], "copyright": f"Published by the members of {values['NAME']}"},
    ).encode("utf-8")
    if books != "csv":
        ledger_path = f"ledgers/{values['YEAR']}.csv"
        header = files.pop(ledger_path).decode("utf-8").splitlines()[0]
        accounts, _problems = parse_accounts(files[ACCOUNTS_PATH].decode("utf-8"), ACCOUNTS_PATH)
        if accounts is None:
            raise NewCooperativeError(_("the chart of accounts of the template cannot be read."))
        files[f"ledgers/{values['YEAR']}.{books}"] = ledger_workbook(
            header.split(","), accounts, books
        )
    return files


def ledger_workbook(header: list[str], accounts, books: str) -> bytes:
    """The year's ledger as an empty workbook: the columns, drop-down lists of the categories
    and funds of `accounts`, and a sheet of instructions."""
    from publisher.workbookwriter import BooksWorkbook, ChoiceList, write_ods, write_xlsx

    categories = tuple(accounts.categories)
    funds = tuple(accounts.funds)
    book = BooksWorkbook(
        sheet="Ledger",
        header=tuple(header),
        lists=(
            ChoiceList("categories", header.index("category"), categories, 0),
            ChoiceList("funds", header.index("fund"), funds, 2),
        ),
        notes={
            "categories": tuple(accounts.categories[c].kind for c in categories),
            "funds": tuple(accounts.funds[f] for f in funds),
        },
        instructions=WORKBOOK_INSTRUCTIONS,
    )
    return write_ods(book) if books == "ods" else write_xlsx(book)


WORKBOOK_INSTRUCTIONS = (
    "How to keep the ledger in this workbook",
    "",
    (
        "One row per movement of money, on the sheet Ledger (the publisher reads the sheet named Ledger, "
        "or else the first visible sheet; this sheet and Lists are not read)."
    ),
    "date: the day of the movement, typed as a date (e.g. 2026-03-04).",
    "description: what happened, never empty.",
    (
        "amount: a number, positive for money in, negative for money out; at most as many decimals as "
        "the currency has (a formula must give a rounded result: use ROUND(...; 2))."
    ),
    (
        "category and fund: choose from the lists (they come from ledgers/accounts.yml; an empty fund "
        "is the first fund). When accounts.yml changes, update the sheet Lists."
    ),
    "counterparty, decision, id, note: optional, see the cooperative's README.",
    (
        "Do not hide rows or add a totals row: every row is read and published, and the publisher adds "
        "up the rows itself."
    ),
    (
        "Save the workbook in this format (not as CSV beside it), commit it, and run publisher check: "
        'problems are reported by sheet and cell, e.g. sheet "Ledger", cell C12.'
    ),
)


def _version() -> str:
    try:
        return metadata.version("coop-publisher")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _validate(name: str, currency: str, accounts_text: str) -> None:
    if not name.strip() or any(ord(c) < 32 for c in name):
        raise NewCooperativeError(_("the name must be one line of text, not empty."))
    accounts, problems = parse_accounts(accounts_text, ACCOUNTS_PATH)
    if accounts is None or problems:
        detail = " ".join(p.message for p in problems) or "accounts.yml cannot be read."
        raise NewCooperativeError(
            _("the name or the currency cannot be used (nothing was written): {detail}").format(
                detail=detail
            )
        )


def create_cooperative(
    directory: Path | str,
    name: str | None = None,
    currency: str = DEFAULT_CURRENCY,
    today: dt.date | None = None,
    init_git: bool = False,
    books: str = "csv",
    language: str = SOURCE_LANGUAGE,
) -> NewCooperative:
    """Write a new cooperative's repository into `directory`, which must not exist or be empty.
    Nothing is left behind when it fails."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise NewCooperativeError(
            _(
                "{directory} already exists and is not empty: give the name of a new directory "
                "(nothing was written)."
            ).format(directory=directory)
        )
    name = (name if name is not None else default_name(directory)).strip()
    currency = currency.strip().upper()
    if books not in BOOKS_FORMATS:
        raise NewCooperativeError(
            _("--books must be one of {books_formats} (nothing was written).").format(
                books_formats=", ".join(BOOKS_FORMATS)
            )
        )
    if language not in SHIPPED_LANGUAGES:
        raise NewCooperativeError(
            _("--language must be one of {languages} (nothing was written).").format(
                languages=", ".join(SHIPPED_LANGUAGES)
            )
        )
    files = render(name, currency, today or dt.date.today(), books, language)
    _validate(name, currency, files[ACCOUNTS_PATH].decode("utf-8"))

    # Written beside the target and renamed into place: a failure leaves nothing half-made.
    parent = directory.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=parent))
    try:
        for relative, data in files.items():
            path = scratch / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(scratch, 0o755)  # mkdtemp makes it private
        if directory.exists():
            directory.rmdir()  # empty, checked above
        scratch.rename(directory)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if init_git:
        from publisher.gitrepo import GitError, init_repository

        try:
            init_repository(directory)
        except GitError as error:
            raise NewCooperativeError(
                _("the files were written to {directory}, but {error}").format(
                    directory=directory, error=error
                )
            ) from None
    return NewCooperative(directory, name, currency, tuple(sorted(files)))
