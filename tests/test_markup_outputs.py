"""Hostile input stays inert: titles, headings, links, CSV cells, feeds, workflow commands, and
Markdown pages that would stall the renderer."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from publisher.cooperative import check_cooperative
from publisher.federation import parse_federation
from publisher.links import safe_link
from publisher.site.build import build_site
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

BOOKS = {
    "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
    "content/index.md": "# Home\n",
    "content/stories/index.md": "# Stories\n",
}
POST = "content/stories/posts/a.md"
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")


class _LiveMarkup(HTMLParser):
    """Collects what would run in a browser: event handler attributes, script-like links, and
    elements that no generated or example page has."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(" in data:
            self.found.append("<script> injected")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        if tag in {"img", "svg", "iframe", "object", "embed"} and any(
            n == "src" and v and "x.invalid" in v for n, v in attrs
        ):
            self.found.append(f"<{tag}> injected")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                cleaned = "".join(c for c in value if c.isprintable() and not c.isspace()).lower()
                if cleaned.startswith(UNSAFE_SCHEMES):
                    self.found.append(f"{tag} {name}={value!r}")


def live_markup(site: Path) -> list[str]:
    found = []
    for path in site.rglob("*.html"):
        parser = _LiveMarkup()
        parser.feed(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(site)}: {f}" for f in parser.found]
    return found


def run_guarded(code: str, seconds: int = 60) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter; a hang fails the test instead of stalling the suite."""
    try:
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=Path(__file__).parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired as error:  # pragma: no cover - the regression itself
        raise AssertionError(f"still running after {seconds} s: {code[:80]}") from error


# -- Titles, headings, links -----------------------------------------------------------------


def test_markup_in_story_titles_and_headings_is_refused(tmp_path):
    post = (
        "---\ndate: 2026-01-01\ntitle: 'Fine {onclick=alert(1)}'\n---\n"  # line 3
        "# Title {onclick=alert(1)}\n"  # line 5
        "\n## [x](javascript:alert(1))\n"  # line 7
        "\n### <img src=x onerror=alert(1)>\n"  # line 9
        "\nSetext [y][1]\n------\n"  # line 11
        "\n## Anchors are fine {#fine .class}\n"
        "\n```\n# [code](javascript:x) is not a heading\n```\n"
    )
    write_coop(tmp_path, {**BOOKS, POST: post})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert {
        (path, line, code) for path, line, code in codes_at(problems) if code == "page-title-markup"
    } == {
        (POST, 3, "page-title-markup"),
        (POST, 5, "page-title-markup"),
        (POST, 7, "page-title-markup"),
        (POST, 9, "page-title-markup"),
        (POST, 11, "page-title-markup"),
    }
    assert build_site(tmp_path, today=TODAY).site_dir is None


def test_author_urls_are_https_or_paths_even_with_hidden_characters(tmp_path):
    authors = (
        "authors:\n"
        "  a:\n    name: A\n    url: javascript:alert(1)\n"  # line 4
        '  b:\n    name: B\n    url: "java\\tscript:alert(1)"\n'  # line 7
        '  c:\n    name: C\n    url: "\\x01javascript:alert(1)"\n'  # line 10
        '  d:\n    name: D\n    url: "//evil.example/"\n'  # line 13
        "  e:\n    name: E\n    url: https://example.org/e\n"
        '  f:\n    name: F\n    avatar: "java\\tscript:x"\n'  # line 19
    )
    write_coop(tmp_path, {**BOOKS, "content/stories/.authors.yml": authors})
    _, problems = check_cooperative(tmp_path, TODAY)
    authors_path = "content/stories/.authors.yml"
    assert {(p, line, c) for p, line, c in codes_at(problems) if p == authors_path} == {
        (authors_path, 4, "story-value-invalid"),
        (authors_path, 7, "story-value-invalid"),
        (authors_path, 10, "story-value-invalid"),
        (authors_path, 13, "story-value-invalid"),
        (authors_path, 19, "story-value-invalid"),
    }


def test_one_vetting_of_links():
    assert safe_link("https://example.org/a") == "https://example.org/a"
    assert safe_link(" https://example.org/\ta ") == "https://example.org/a"
    assert safe_link("members/a.md") == "members/a.md"
    for bad in (
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "\u200bjavascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example",
        "/\\evil.example",
        "http://example.org",
        "https://",
        "",
        None,
        {},
    ):
        assert safe_link(bad) is None, bad
    assert safe_link("members/a.md", allow_relative=False) is None


def test_member_sites_with_control_characters_are_refused():
    for site in (
        "\x01javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java\nscript:alert(1)",
        "\u200bjavascript:x",
    ):
        text = (
            "name: F\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n"
            f"  - id: a\n    path: a\n    site: {site!r}\n".replace("'", '"')
        )
        text = text.replace('"\\x01', '"\\x01')
        _config, problems = parse_federation(text)
        assert [(p.line, p.code) for p in problems] == [(8, "federation-value-invalid")], site


def test_a_hostile_federation_name_and_member_are_text_on_the_site(tmp_path):
    member = tmp_path / "a"
    write_coop(member, {"ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n"})
    (tmp_path / "federation.yml").write_text(
        "name: 'Fed {onclick=alert(1)} [x](javascript:alert(1)) <img src=https://x.invalid/a onerror=alert(1)>'\n"
        "currency: EUR\ncategories:\n  dues: {kind: income}\n"
        "members:\n  - id: a\n    path: a\n    name: '<b onmouseover=alert(1)>A</b>'\n    site: https://example.org/a\n",
        encoding="utf-8",
    )
    result = build_site(tmp_path, today=TODAY)
    assert result.site_dir is not None, result.problems
    assert live_markup(result.site_dir) == []
    assert "Fed {onclick=alert(1)}" in (result.site_dir / "index.html").read_text(encoding="utf-8")


def test_markup_in_story_categories_and_front_matter_titles_never_lives(tmp_path):
    post = "---\ndate: 2026-01-01\ntitle: 'A <img src=https://x.invalid/t onerror=alert(1)> title'\ncategories: [News]\n---\nText.\n"
    write_coop(tmp_path, {**BOOKS, POST: post})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert (POST, 3, "page-title-markup") in codes_at(problems)


def test_story_categories_with_links_or_attribute_lists_are_refused(tmp_path):
    post = (
        "---\ndate: 2026-01-01\n"
        "categories: ['News {onclick=alert(1)}']\n"  # line 3
        "tags: ['[x](javascript:alert(1))']\n"  # line 4
        "links:\n  - 'Evil': 'javascript:alert(1)'\n  - 'A <b>title</b>': index.md\n  - index.md\n"  # line 5
        "---\n# Plain\n"
    )
    write_coop(tmp_path, {**BOOKS, POST: post})
    _, problems = check_cooperative(tmp_path, TODAY)
    found = [(p.path, p.line, p.code) for p in problems if p.path == POST]
    assert sorted(found) == [
        (POST, 3, "story-value-invalid"),
        (POST, 4, "story-value-invalid"),
        (POST, 5, "story-value-invalid"),
        (POST, 5, "story-value-invalid"),
    ]


ATTACK = (
    "{onclick=alert(1)} [x](javascript:alert(1)) <img src=https://x.invalid/i onerror=alert(1)>"
)


def test_hostile_values_the_books_may_hold_are_text_on_every_page(tmp_path):
    accounts = (
        f"name: 'Coop {ATTACK}'\ncurrency: EUR\nfunds:\n  general: 'Gen {ATTACK}'\n"
        f"categories:\n  dues: {{kind: income, label: 'Dues {ATTACK}'}}\n  rent: {{kind: expense}}\n"
    )
    minutes = (
        f"---\ntitle: 'Spring {ATTACK}'\ndate: 2026-03-04\nmembers: 10\npresent: 6\ndecisions:\n"
        f"  - id: 2026-01\n    motion: 'Motion {ATTACK}'\n    for: 5\n    against: 0\n    abstain: 0\n"
        "    result: adopted\n---\n\nNotes.\n"
    )
    post = "---\ndate: 2026-01-01\ncategories: [News]\n---\n# Plain\n\nText.\n"
    ledger = (
        LEDGER_HEADER
        + f'2026-01-05,"Desc {ATTACK}",12.50,dues,general,"Cp {ATTACK}",,,"note {ATTACK}"\n'
    )
    files = {
        **BOOKS,
        POST: post,
        "ledgers/2026.csv": ledger,
        "content/minutes/2026-03-04-m.md": minutes,
    }
    write_coop(tmp_path, files, accounts)
    result = build_site(tmp_path, today=TODAY)
    assert result.site_dir is not None, [(p.path, p.line, p.code) for p in result.problems]
    assert live_markup(result.site_dir) == []


def test_a_clean_story_site_has_no_live_markup(tmp_path):
    post = "---\ndate: 2026-01-01\ncategories: [News]\nauthors: [a]\n---\n# Plain title\n\nText.\n"
    authors = "authors:\n  a:\n    name: A\n    description: Board\n    url: https://example.org/a\n    avatar: a.png\n"
    write_coop(tmp_path, {**BOOKS, POST: post, "content/stories/.authors.yml": authors})
    site = build_site(tmp_path, today=TODAY).site_dir
    assert site is not None
    assert live_markup(site) == []


# -- Markdown that stalls ---------------------------------------------------------------------


def test_a_heading_with_thousands_of_spaces_does_not_stall_the_title():
    done = run_guarded(
        "from publisher.markdownfile import parse_markdown\n"
        "print(parse_markdown('# a' + ' ' * 50000 + 'b\\n', 'x.md').title[-1])"
    )
    assert done.returncode == 0 and done.stdout.strip() == "b", done.stderr


def test_huge_and_deeply_nested_pages_are_refused_before_rendering(tmp_path):
    pages = {
        "content/brackets.md": "# B\n\n" + "[" * 30000 + "x" + "]" * 30000 + "\n",
        "content/list.md": "# L\n\n" + "".join("  " * i + "- x\n" for i in range(500)),
        "content/markers.md": "# M\n\n" + "- " * 2000 + "x\n",
        "content/links.md": "# K\n\n" + "[a](b" * 4000 + "\n",
        "content/tags.md": "# T\n\n" + "<a " * 16000 + "\n",
        "content/notes.md": "# N\n\n" + "!!! note\n" * 32000,
        "content/paragraphs.md": "# P\n\n" + "Text (a\n\n" * 500,
        "content/quotes.md": "# Q\n\n" + ">" * 2000 + " x\n",
        "content/huge.md": "# H\n\n" + ("text " * 20 + "\n") * 12000,
        "content/fine.md": "# F\n\n" + "".join("  " * i + "- x\n" for i in range(10)),
        "content/spaces.md": "# a" + " " * 5000 + "b\n",
    }
    write_coop(tmp_path, {**BOOKS, **pages})
    code = (
        "import sys\nfrom pathlib import Path\nfrom publisher.cooperative import check_cooperative\n"
        "from publisher.site.build import build_site\n"
        f"root = Path({str(tmp_path)!r})\n"
        "_, problems = check_cooperative(root)\n"
        "for p in problems:\n    print(p.path, p.line, p.code)\n"
        "print('built', build_site(root).site_dir is not None)\n"
    )
    done = run_guarded(code, seconds=120)
    assert done.returncode == 0, done.stderr
    lines = set(done.stdout.splitlines())
    assert {
        "content/brackets.md 3 page-too-deep",
        "content/list.md 103 page-too-deep",
        "content/markers.md 3 page-too-deep",
        "content/links.md 3 page-too-deep",
        "content/tags.md 3 page-too-deep",
        "content/notes.md 103 page-too-deep",
        "content/quotes.md 3 page-too-deep",
        "content/huge.md None page-too-large",
    } <= lines
    fine = ("content/fine.md", "content/spaces.md", "content/paragraphs.md")
    assert not any(line.startswith(fine) for line in lines)
    assert "built False" in lines


# -- CSV files --------------------------------------------------------------------------------

FORMULA = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_ACCOUNTS = """\
name: Test Workshop
currency: EUR
funds:
  general: Day-to-day
  "+cmd|' /C calc'!A0": Formula fund
categories:
  dues: {kind: income, label: '=HYPERLINK("https://x.invalid","dues")'}
  "@rent": {kind: expense, label: "-2+3"}
"""


def _amount_columns(path: Path, header: list[str]) -> set[int]:
    """The columns of a built CSV that hold amounts: every column after a chart's labels, the
    money columns of the data files."""
    named = {"amount", "income", "expense", "net", "spent", "budget", "actual", "balance", "target"}
    if path.parent.name == "charts":
        labels = 2 if header[:2] in (["side", "category"], ["category", "kind"]) else 1
        return set(range(labels, len(header)))
    return {i for i, c in enumerate(header) if c in named}


def test_every_csv_of_the_site_neutralizes_formula_cells(tmp_path):
    minutes = (
        "---\ntitle: '=1+1 meeting'\ndate: 2026-03-04\nmembers: 10\npresent: 6\ndecisions:\n"
        "  - id: 2026-01\n    motion: '@SUM(A1)'\n    for: 5\n    against: 0\n    abstain: 0\n    result: adopted\n"
        "    amount: 300.00\n---\n\nNotes.\n"
    )
    ledger = LEDGER_HEADER + (
        '2026-01-05,=HYPERLINK("https://x.invalid"),12.50,dues,general,,,,\n'
        "2026-03-10,+cmd,-10.00,@rent,\"+cmd|' /C calc'!A0\",-1+1,2026-01,,@note\n"
    )
    write_coop(
        tmp_path,
        {**BOOKS, "ledgers/2026.csv": ledger, "content/minutes/2026-03-04-m.md": minutes},
        HOSTILE_ACCOUNTS,
    )
    result = build_site(tmp_path, today=TODAY)
    assert result.site_dir is not None, [(p.path, p.line, p.code) for p in result.problems]
    files = sorted(result.site_dir.rglob("*.csv"))
    names = {f.relative_to(result.site_dir).as_posix() for f in files}
    assert {
        "data/ledger.csv",
        "data/ledger-2026.csv",
        "data/budget.csv",
        "data/decisions.csv",
    } <= names
    assert any(n.startswith("data/charts/") for n in names)
    hostile_files = set()
    for path in files:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        amounts = _amount_columns(path, rows[0])
        for number, row in enumerate(rows, start=1):
            for index, cell in enumerate(row):
                if number > 1 and index in amounts:
                    continue
                assert not cell.startswith(FORMULA), (path.name, number, index, cell)
                if cell.startswith("'") and cell[1:].startswith(FORMULA):
                    hostile_files.add(path.relative_to(result.site_dir).as_posix())
    # The hostile names reached the data files and the charts that show labels, funds or
    # categories, and arrived neutralized there.
    assert {
        "data/ledger.csv",
        "data/ledger-2026.csv",
        "data/decisions.csv",
        "data/charts/flows-2026.csv",
        "data/charts/budget-2026.csv",
        "data/charts/fund-balances-2026.csv",
    } <= hostile_files
    ledger_rows = list(
        csv.DictReader(
            io.StringIO((result.site_dir / "data/ledger.csv").read_text(encoding="utf-8"))
        )
    )
    assert [r["amount"] for r in ledger_rows] == ["12.50", "-10.00"]  # amounts untouched


def test_the_federation_csvs_neutralize_formula_cells(tmp_path):
    member = tmp_path / "m"
    write_coop(
        member,
        {
            "ledgers/2026.csv": LEDGER_HEADER
            + "2026-01-05,Dues,12.50,dues,general,,,,\n2026-01-06,Rent,-20.00,@rent,general,,,,\n"
        },
        HOSTILE_ACCOUNTS,
    )
    (tmp_path / "federation.yml").write_text(
        "name: F\ncurrency: EUR\ncategories:\n  '=cmd': {kind: income}\n  '-minus': {kind: expense}\n"
        "members:\n  - id: -m\n    path: m\n    map: {dues: '=cmd', '@rent': '-minus'}\n",
        encoding="utf-8",
    )
    result = build_site(tmp_path, today=TODAY)
    assert result.site_dir is not None, [(p.path, p.line, p.code) for p in result.problems]
    files = sorted(result.site_dir.rglob("*.csv"))
    assert {"consolidated.csv", "members.csv"} <= {f.name for f in files}
    for path in files:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        amounts = _amount_columns(path, rows[0])
        for number, row in enumerate(rows, start=1):
            for index, cell in enumerate(row):
                if not (number > 1 and index in amounts):
                    assert not cell.startswith(FORMULA), (path.name, number, index, cell)
    consolidated = (result.site_dir / "data/consolidated.csv").read_text(encoding="utf-8")
    assert "'=cmd" in consolidated and "'-minus" in consolidated


# -- Feeds and workflow commands --------------------------------------------------------------


def test_feeds_stay_well_formed_xml_with_control_characters(tmp_path):
    minutes = (
        '---\ntitle: "Spring\\x0b meeting\\x1b"\ndate: 2026-03-04\nmembers: 10\npresent: 6\ndecisions:\n'
        '  - id: 2026-01\n    motion: "Buy\\x01 clamps\\x08 \\uFFFE now"\n    for: 5\n    against: 0\n    abstain: 0\n'
        "    result: adopted\n---\n\nNotes.\n"
    )
    post = '---\ndate: 2026-01-01\ntitle: "A\\x07 story\\x1f"\ncategories: ["News\\x02"]\n---\nText\x0c here.\n'
    write_coop(tmp_path, {**BOOKS, POST: post, "content/minutes/2026-03-04-m.md": minutes})
    result = build_site(tmp_path, today=TODAY)
    assert result.site_dir is not None, [(p.path, p.line, p.code) for p in result.problems]
    atom = "{http://www.w3.org/2005/Atom}"
    stories = ET.parse(result.site_dir / "feed.xml").getroot()
    assert stories.find(f"{atom}entry/{atom}title").text == "A story"
    assert stories.find(f"{atom}entry/{atom}category").get("term") == "News"
    decisions = ET.parse(result.site_dir / "decisions.xml").getroot()
    assert "Buy clamps  now" in ET.tostring(decisions, encoding="unicode")


HOSTILE_CATEGORY = (
    "dues\n::warning file=x::pwned\n  ::stop-commands::tok\r::add-mask::secret\nsee ##[error]old"
)


def _hostile_books(root: Path) -> None:
    cell = HOSTILE_CATEGORY.replace('"', '""')
    write_coop(
        root,
        {**BOOKS, "ledgers/2026.csv": LEDGER_HEADER + f'2026-01-05,Dues,12.50,"{cell}",,,,,\n'},
    )


def _commands(output: str) -> list[str]:
    """The lines GitHub's runner would take as workflow commands."""
    lines = output.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for line in lines if line.lstrip().startswith("::") or "##[" in line]


def test_nothing_printed_in_github_actions_acts_as_a_workflow_command(tmp_path):
    _hostile_books(tmp_path)
    publisher = [sys.executable, "-m", "publisher"]
    env = {"GITHUB_ACTIONS": "true", "PATH": "/usr/bin:/bin"}
    for command in (["check", str(tmp_path)], ["build", str(tmp_path)]):
        done = subprocess.run(
            publisher + command, capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert done.returncode == 1, done.stderr
        assert "stop-commands" in done.stdout  # the problem is reported ...
        assert _commands(done.stdout + done.stderr) == []  # ... as text, not as a command


def test_the_text_printer_keeps_one_problem_on_one_line(tmp_path):
    from publisher.problems import format_text

    _hostile_books(tmp_path)
    _, problems = check_cooperative(tmp_path, TODAY)
    printed = format_text(problems)
    assert len(printed.splitlines()) == len(problems) + 1
    assert printed.splitlines()[0].startswith("ledgers/2026.csv:2:")


def test_annotations_escape_their_data(tmp_path):
    from publisher.problems import format_github

    _hostile_books(tmp_path)
    _, problems = check_cooperative(tmp_path, TODAY)
    lines = format_github(problems).splitlines()
    assert len(lines) == len(problems) + 1
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines[:-1])
    assert "%0A  ::stop-commands::tok%0A::add-mask::secret%0A" in lines[0]


def test_the_guarded_stream_holds_back_what_could_become_a_command():
    from publisher.problems import InertLines

    out = io.StringIO()
    stream = InertLines(out)
    for piece in ("ok\n  ", ":", ":warning::x\nsee #", "#", "[error]y\r", "\n::add-mask::z", "\n"):
        stream.write(piece)
        stream.flush()
    stream.close()
    assert out.getvalue() == "ok\n| " + "  ::warning::x\nsee # #[error]y\r\n| ::add-mask::z\n"
    assert _commands(out.getvalue()) == []


def test_ssh_addresses_are_still_recognized_without_a_quadratic_pattern():
    from publisher.federation import unsafe_repo_reason

    assert unsafe_repo_reason("git@example.org:coop/books.git") is not None
    assert unsafe_repo_reason("me@host:x") is not None
    assert unsafe_repo_reason("@host:x") is None and unsafe_repo_reason("a@:x") is None
    assert unsafe_repo_reason("books/a@b:c") is None  # a local path: the "@" is after a slash
    done = run_guarded(
        "from publisher.federation import unsafe_repo_reason\nprint(unsafe_repo_reason('@' * 1_000_000))"
    )
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr


def test_file_names_with_quotes_stay_inside_their_links(tmp_path):
    from urllib.parse import unquote

    minutes = (
        "---\ntitle: Spring\ndate: 2026-03-04\nmembers: 10\npresent: 6\ndecisions:\n"
        "  - id: 2026-01\n    motion: M\n    for: 5\n    against: 0\n    abstain: 0\n    result: adopted\n---\n\nNotes.\n"
    )
    name = 'a" onmouseover="alert(1) #x'
    post = "---\ndate: 2026-01-01\n---\n# Plain\n\nText.\n"
    write_coop(
        tmp_path,
        {
            **BOOKS,
            f"content/minutes/2026-03-04-{name}.md": minutes,
            f"content/stories/posts/{name}.md": post,
        },
    )
    site = build_site(tmp_path, today=TODAY).site_dir
    assert site is not None
    assert live_markup(site) == []
    decisions = (site / "decisions/index.html").read_text(encoding="utf-8")
    href = decisions.split('href="../minutes/', 1)[1].split('"', 1)[0]
    assert (site / "minutes" / unquote(href) / "index.html").is_file()  # the link still lands


def test_scripts_handlers_and_script_links_in_page_bodies_are_refused(tmp_path):
    body = (
        "---\ndate: 2026-01-01\n---\n# Plain\n\n"  # lines 1-5
        "[x](javascript:alert(1))\n\n"  # line 6
        "[y](java&#9;script:alert(1))\n\n"  # line 8
        "<img src=a.png onerror=alert(1)>\n\n"  # line 10
        "A paragraph {onclick=alert(1)}\n\n"  # line 12
        "<script>alert(1)</script>\n\n"  # line 14
        '<a href="VBScript:x">z</a>\n\n'  # line 16
        "```\n<script>alert('shown as code')</script> [x](javascript:1)\n```\n\n"
        "Fine: [a link](https://example.org) {#anchor .class}, based on = facts, <b>bold</b>.\n"
    )
    write_coop(tmp_path, {**BOOKS, POST: body})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert sorted((p.line, p.code) for p in problems if p.path == POST) == [
        (line, "page-active-content") for line in (6, 8, 10, 12, 14, 16)
    ]


def test_active_content_is_found_across_lines_and_behind_fences_markdown_does_not_take(tmp_path):
    body = (
        "---\ndate: 2026-01-01\n---\n# Plain\n\n"  # lines 1-5
        "  ```\n<script>alert('indented fence is text')</script>\n\n"  # line 7
        "````js onclick\n<script>alert('not an opening fence')</script>\n\n"  # line 10
        '<div\nonclick="alert(1)">block</div>\n\n'  # line 13
        'Text <span\nonclick="alert(1)">x</span>.\n\n'  # line 16
        "[x](<java\nscript:alert(1)>)\n\n"  # line 18
        '<a href="java\rscript:alert(1)">y</a>\n\n'  # line 21 (a lone carriage return ends a line)
        "```\nnever closed\n\n<img src=x onerror=alert(1)>\n"  # line 27
        "~~~\n<script>alert('shown as code')</script>\n~~~\n"
    )
    write_coop(tmp_path, {**BOOKS, POST: body})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert sorted((p.line, p.code) for p in problems if p.path == POST) == [
        (line, "page-active-content") for line in (7, 10, 13, 16, 18, 21, 27)
    ]


def test_story_front_matter_that_is_no_mapping_or_a_title_that_is_no_text_is_a_problem(tmp_path):
    posts = {
        "content/stories/posts/list.md": "---\n- a\n- b\n---\n\n# List\n",
        "content/stories/posts/sentence.md": "---\njust a sentence\n---\n\n# Sentence\n",
        "content/stories/posts/title.md": "---\ndate: 2026-01-01\ntitle: {a: 1}\n---\n\nText.\n",
    }
    write_coop(tmp_path, {**BOOKS, **posts})
    result = build_site(tmp_path, today=TODAY)  # the blog raised AttributeError / TypeError here
    assert result.site_dir is None
    assert {
        ("content/stories/posts/list.md", 2, "story-value-invalid"),
        ("content/stories/posts/sentence.md", 2, "story-value-invalid"),
        ("content/stories/posts/title.md", 3, "story-value-invalid"),
    } <= codes_at(result.problems)


def test_an_attribute_list_whose_colon_touches_the_handler_is_refused(tmp_path):
    body = (
        "---\ndate: 2026-01-01\n---\n# Plain\n\n"  # lines 1-5
        'Para\n{:onclick="alert(1)"}\n\n'  # line 7: Python-Markdown puts onclick on the <p>
        "*em*{:onmouseover=x} and [l](https://example.org){:onfocus=x}\n\n"  # line 9
        "Fine {: #anchor .class } and a ratio 1:one=2.\n"
    )
    write_coop(tmp_path, {**BOOKS, POST: body})
    _, problems = check_cooperative(tmp_path, TODAY)
    assert sorted((p.line, p.code) for p in problems if p.path == POST) == [
        (7, "page-active-content"),
        (9, "page-active-content"),
    ]
