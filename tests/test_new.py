"""`publisher new`: a new cooperative's repository that passes the checks and builds as created."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib

import pytest
import yaml
from click.testing import CliRunner

from publisher.cli import main
from publisher.i18n import SHIPPED_LANGUAGES
from publisher.cooperative import check_cooperative
from publisher.newcoop import create_cooperative, set_yaml_values, template_files
from publisher.site.build import build_site
from tests.gittools import git
from tests.sitetools import REPO

TEMPLATES = REPO / "publisher" / "templates" / "new"
DAY = dt.date(2026, 11, 21)


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two texts."""
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_a_new_cooperative_passes_the_checks_and_builds(tmp_path):
    root = tmp_path / "riverside-bakers"
    result = CliRunner().invoke(main, ["new", str(root)])
    assert result.exit_code == 0, result.output
    assert "Created Riverside Bakers (EUR)" in result.output

    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    year, day = dt.date.today().year, dt.date.today().isoformat()
    assert {
        ".github/workflows/publish.yml",
        ".github/workflows/check.yml",
        ".gitignore",
        "README.md",
        "requirements.txt",
        "mkdocs.yml",
        "ledgers/accounts.yml",
        f"ledgers/{year}.csv",
        "ledgers/budget.csv",
        "ledgers/balances.csv",
        "ledgers/measures.csv",
        "ledgers/assets.csv",
        "content/index.md",
        "content/charter.md",
        f"content/minutes/{day}-founding-meeting.md",
        "content/stories/index.md",
        "content/stories/.authors.yml",
        f"content/stories/posts/{day}-welcome.md",
        "content/assets/avatars/board.svg",
    } == files
    for path in files:  # every placeholder was filled in
        assert "@@" not in (root / path).read_text(encoding="utf-8"), path
    assert (
        (root / f"ledgers/{year}.csv")
        .read_text(encoding="utf-8")
        .startswith("date,description,amount,category,")
    )
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert "/site/" in ignored and ".publisher-backups/" in ignored
    assert "How to add a payment to the books" in (root / "README.md").read_text(encoding="utf-8")

    check = CliRunner().invoke(main, ["check", str(root)])
    assert check.exit_code == 0, check.output
    assert check.output == "No problems found.\n"
    cooperative, _problems = check_cooperative(root)
    assert cooperative.accounts.name == "Riverside Bakers"
    assert cooperative.governance.charter.rules.spending_limit == 50000
    assert [m.title for m in cooperative.governance.meetings] == ["Founding meeting"]

    built = build_site(root, tmp_path / "site")
    assert built.site_dir is not None, built.problems
    for page in (
        "index.html",
        "charter/index.html",
        "stories/index.html",
        "feed.xml",
        "data/summary.json",
    ):
        assert (built.site_dir / page).is_file(), page
    home = (built.site_dir / "index.html").read_text(encoding="utf-8")
    assert "Riverside Bakers" in home and "fonts.googleapis" not in home


def test_name_and_currency_keep_the_comments_of_the_yaml_files(tmp_path):
    root = tmp_path / "coop"
    create_cooperative(root, name='Café "Zum Löwen": #1 & Co', currency="chf", today=DAY)

    template = (TEMPLATES / "ledgers/accounts.yml").read_text(encoding="utf-8")
    written = (root / "ledgers/accounts.yml").read_text(encoding="utf-8")
    removed, added = changed_lines(template, written)
    assert removed == ["name: My Cooperative", "currency: EUR"]
    assert added == ["name: 'Café \"Zum Löwen\": #1 & Co'", "currency: CHF"]
    loaded = yaml.safe_load(written)
    assert (loaded["name"], loaded["currency"]) == ('Café "Zum Löwen": #1 & Co', "CHF")

    removed, added = changed_lines(
        (TEMPLATES / "mkdocs.yml").read_text(encoding="utf-8"),
        (root / "mkdocs.yml").read_text(encoding="utf-8"),
    )
    assert removed == [
        "site_name: My Cooperative",
        "copyright: Published by the members of My Cooperative",
    ]
    assert len(added) == 2 and "&amp; Co" in added[0]  # Material writes site_name as HTML
    assert CliRunner().invoke(main, ["check", str(root)]).output == "No problems found.\n"


def test_set_yaml_values_keeps_a_persons_comments():
    text = "# Our books\nname: Old   # the name on every page\n\ncategories:\n  dues: {kind: income}  # monthly\nlist:\n  - a   # first\n"
    assert set_yaml_values(text, {"name": "New"}) == text.replace("name: Old  ", "name: New  ")


def test_a_currency_without_decimals_passes_the_checks(tmp_path):
    create_cooperative(tmp_path / "coop", currency="JPY", today=DAY)
    _, problems = check_cooperative(tmp_path / "coop", today=DAY)
    assert problems == []


def test_a_directory_that_is_not_empty_is_refused(tmp_path):
    target = tmp_path / "books"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 2 and "already exists and is not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]

    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    assert CliRunner().invoke(main, ["new", str(a_file)]).exit_code == 2

    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(main, ["new", str(empty)]).exit_code == 0
    assert (empty / "ledgers/accounts.yml").is_file()


def test_a_bad_currency_writes_nothing(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "coop"), "--currency", "XYZ"])
    assert result.exit_code == 2 and "ISO 4217" in result.output
    assert list(tmp_path.iterdir()) == []


def test_git_init(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "coop"), "--git"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "coop/.git/HEAD").read_text(
        encoding="utf-8"
    ).strip() == "ref: refs/heads/main"


def test_the_backup_publisher_fix_keeps_is_not_committed_by_git_add_all(tmp_path):
    # A treasurer runs `publisher fix --write`, then `git add -A`: the original export (with
    # its private names) must not land in the published repository.
    root = tmp_path / "coop"
    assert CliRunner().invoke(main, ["new", str(root), "--git"]).exit_code == 0
    ledger = next((root / "ledgers").glob("20*.csv"))
    ledger.write_text(
        'date,description,amount,category\n2026-01-05,Dues,"1.234,50",dues\n', encoding="utf-8"
    )
    fixed = CliRunner().invoke(main, ["fix", str(ledger), "--write"])
    assert fixed.exit_code == 0, fixed.output
    assert list((root / ".publisher-backups").rglob("*.csv"))
    git(root, "add", "-A")
    assert ".publisher-backups" not in git(root, "status", "--porcelain", "--untracked-files=all")
    assert ".publisher-backups" not in git(root, "ls-files", "--cached")


def test_every_template_is_package_data():
    """pyproject.toml ships every template file in the wheel (the package-data globs)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["publisher"]
    package = REPO / "publisher"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    templates = {p for p in TEMPLATES.rglob("*") if p.is_file()}
    assert templates and templates <= shipped
    assert set(template_files()) == {p.relative_to(TEMPLATES).as_posix() for p in templates}
    assert not any(p.name.startswith(".") for p in templates)  # hidden files are named dot-…


def _front_matter_keys(text: str) -> object:
    """The keys of a Markdown file's front matter, nested (values left out)."""

    def keys(value: object) -> object:
        if isinstance(value, dict):
            return {key: keys(item) for key, item in value.items()}
        if isinstance(value, list):
            return [keys(item) for item in value]
        return None

    if not text.startswith("---\n"):
        return None
    front = re.sub(r"@@[A-Z]+@@", "x", text.split("---\n", 2)[1])
    return keys(yaml.safe_load(front))


TRANSLATED_PROSE = [
    "README.md",
    "content/index.md",
    "content/charter.md",
    "content/minutes/@@DATE@@-founding-meeting.md",
    "content/stories/index.md",
    "content/stories/posts/@@DATE@@-welcome.md",
]


@pytest.mark.parametrize("language", [lang for lang in SHIPPED_LANGUAGES if lang != "en"])
def test_every_language_translates_the_same_prose_files_with_the_same_front_matter(language):
    translated = REPO / "publisher" / "templates" / f"new-{language}"
    files = sorted(
        p.relative_to(translated).as_posix() for p in translated.rglob("*") if p.is_file()
    )
    assert files == sorted(TRANSLATED_PROSE)
    for path in files:
        english = (TEMPLATES / path).read_text(encoding="utf-8")
        text = (translated / path).read_text(encoding="utf-8")
        assert text != english, path
        assert _front_matter_keys(text) == _front_matter_keys(english), path
        assert set(re.findall(r"@@[A-Z]+@@", text)) == set(re.findall(r"@@[A-Z]+@@", english)), path


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_a_new_cooperative_in_each_language_passes_the_checks(tmp_path, language):
    root = tmp_path / "coop"
    result = CliRunner().invoke(main, ["new", str(root), "--language", language])
    assert result.exit_code == 0, result.output
    assert (
        yaml.safe_load((root / "ledgers/accounts.yml").read_text("utf-8"))["language"] == language
    )
    _, problems = check_cooperative(root)
    assert [(p.path, p.line, p.code) for p in problems if p.is_error] == []
    expected = template_files(language)["content/charter.md"].decode("utf-8")
    assert (root / "content/charter.md").read_text("utf-8") == expected.replace(
        "@@NAME@@", "Coop"
    ).replace("@@CURRENCY@@", "EUR")


def test_the_spanish_charter_is_in_spanish(tmp_path):
    root = tmp_path / "coop"
    create_cooperative(root, language="es", today=DAY)
    charter = (root / "content/charter.md").read_text("utf-8")
    assert charter.startswith("---\ntitle: Estatutos\n")
    assert "# Estatutos de Coop" in charter
    assert "Nuestras cuentas son públicas" in (
        root / "content/stories/posts/2026-11-21-welcome.md"
    ).read_text("utf-8")


def test_an_unshipped_language_writes_nothing(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "coop"), "--language", "xx"])
    assert result.exit_code == 2
    assert not (tmp_path / "coop").exists()
