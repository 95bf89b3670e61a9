"""Hostile or extreme input found by review: each case once, asserting what must hold."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import publisher.cooperative as cooperative_module
from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.federation import load_federation, parse_federation
from publisher.site.build import SITE_MARKER, SiteError, build_site
from publisher.site.governance_pages import decision_anchor
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

CHARTER = "---\nrules:\n  spending_limit: 500\n  reinvestment: {share: 0.25, fund: commons}\n---\n# Charter\n"


def test_markup_in_a_story_category_or_an_author_is_refused(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/a.md": '---\ndate: 2026-01-01\ncategories:\n  - "News </title><script>x</script>"\n---\n# A\n',
            "content/stories/.authors.yml": "authors:\n  board:\n    name: 'Board\" onerror=\"x'\n    avatar: https://example.org/a.png\n",
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert {
        ("content/stories/posts/a.md", 3, "story-value-invalid"),
        ("content/stories/.authors.yml", 3, "story-value-invalid"),
        ("content/stories/.authors.yml", 4, "story-value-invalid"),
    } <= codes_at(problems)
    assert build_site(tmp_path, today=TODAY).site_dir is None  # nothing is published


def test_a_member_site_must_be_https_or_a_path():
    text = "name: F\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n  - id: a\n    path: a\n    site: {}\n"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example/x"):
        config, problems = parse_federation(text.replace("{}", f'"{bad}"'))
        assert config is None and [(p.line, p.code) for p in problems] == [
            (8, "federation-value-invalid")
        ], bad
    for good in ("https://coop.example.org/", "members/a/"):
        config, problems = parse_federation(text.replace("{}", f'"{good}"'))
        assert problems == [] and config.members[0].site == good


def test_private_names_in_motions_are_replaced_and_warned_about(tmp_path):
    minutes = (
        "---\ndate: 2026-01-10\nmembers: 10\npresent: 8\ndecisions:\n  - id: 2026-01\n"
        "    motion: Thank Maria Jensen for the lathe\n    for: 8\n    against: 0\n    abstain: 0\n"
        "    result: adopted\n---\n# Meeting\n\nA member gave a lathe.\n"
    )
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,Maria Jensen,,,\n",
            "content/index.md": "# Home\n",
            "content/minutes/2026-01-10.md": minutes,
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("content/minutes/2026-01-10.md", 7, "private-name-in-description") in codes_at(problems)
    site = build_site(tmp_path, today=TODAY).site_dir
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".xml", ".json"}:
            assert "Maria Jensen" not in path.read_text(encoding="utf-8"), path
    rows = list(
        csv.DictReader(io.StringIO((site / "data/decisions.csv").read_text(encoding="utf-8")))
    )
    assert rows[0]["motion"] == "Thank private for the lathe"


def test_short_private_names_are_warned_about_once(tmp_path):
    rows = "2026-01-05,Repairs paid to Li Wu,-12.50,rent,,Li,,,\n2026-01-06,More for Li,-2.00,rent,,Li,,,\n"
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert [(p.line, p.code) for p in problems if p.code == "private-name-not-searched"] == [
        (2, "private-name-not-searched")
    ]


def test_a_row_in_the_year_9999_is_an_error_not_a_crash(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "9999-12-31,Dues,12.50,dues,,,,,\n",
            "content/charter.md": CHARTER,
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("ledgers/2026.csv", 2, "date-in-future") in codes_at(problems)


def test_decision_anchors_never_collide():
    ids = ["2026.1", "2026-1", "2026 1", "2026/1", "2026_1"]
    anchors = [decision_anchor(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert decision_anchor("2026-04") == "decision-2026-04"


def test_story_titles_are_escaped_once_in_the_feed(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/a.md": "---\ndate: 2026-01-01\ntitle: Tools & more\n---\n# Tools & more\n\nText.\n",
        },
    )
    site = build_site(tmp_path, today=TODAY).site_dir
    entry = ET.parse(site / "feed.xml").getroot().find("{http://www.w3.org/2005/Atom}entry")
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == "Tools & more"


def test_totals_too_large_to_sum_exactly_are_an_error(tmp_path):
    rows = "".join(f"2026-01-{d:02d},Dues,9999999999999.99,dues,,,,,\n" for d in range(1, 29)) * 300
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert "amount-total-too-large" in {p.code for p in problems}
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows[: rows.index("\n") + 1] * 10})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert "amount-total-too-large" not in {p.code for p in problems}


# -- Site directories: a build replaces only a site it built ---------------------------------

SITE_FILES = {
    "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
    "content/index.md": "# Home\n",
    "content/charter.md": CHARTER,
}


def _snapshot(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    "site_dir", ["ledgers", "content", ".", ".git", "ledgers/site", "..", "link-to-ledgers"]
)
def test_a_site_dir_that_is_holds_or_lies_inside_the_books_is_refused(tmp_path, site_dir):
    root = write_coop(tmp_path / "coop", SITE_FILES)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "link-to-ledgers").symlink_to(root / "ledgers", target_is_directory=True)
    before = _snapshot(root)
    result = CliRunner().invoke(main, ["build", str(root), "--site-dir", str(root / site_dir)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert _snapshot(root) == before  # nothing deleted, nothing written


def test_a_non_empty_directory_the_publisher_did_not_build_is_not_replaced(tmp_path):
    root = write_coop(tmp_path / "coop", SITE_FILES)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.txt").write_text("five years of work\n", encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(root, notes, today=TODAY)
    assert (notes / "thesis.txt").read_text(encoding="utf-8") == "five years of work\n"
    # A site the publisher built carries its marker and is replaced by the next build.
    site = build_site(root, tmp_path / "site", today=TODAY).site_dir
    assert (site / SITE_MARKER).is_file()
    assert build_site(root, site, today=TODAY).site_dir == site
    # An older site MkDocs built (before the marker) is recognized by its sitemap.
    (site / SITE_MARKER).unlink()
    assert (site / "sitemap.xml").is_file()
    assert build_site(root, site, today=TODAY).site_dir == site
    # An empty directory is fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_site(root, empty, today=TODAY).site_dir == empty.resolve()


# -- Nothing outside the repository is read ---------------------------------------------------

OUTSIDE_SECRET = "root:x:0:0:SECRET-outside-the-repository:/root:/bin/bash"


@pytest.mark.parametrize(
    "link",
    [
        "content/about.md",
        "content/minutes",
        "content/stories/posts/a.md",
        "ledgers/2025.csv",
        "content/img.png",
    ],
)
def test_a_symbolic_link_in_the_books_or_the_pages_is_refused_and_never_read(tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(OUTSIDE_SECRET + "\n" + OUTSIDE_SECRET + "\n", encoding="utf-8")
    (outside / "2026-01-10.md").write_text(OUTSIDE_SECRET + "\n", encoding="utf-8")
    root = write_coop(tmp_path / "coop", {**SITE_FILES, "content/stories/index.md": "# Stories\n"})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside if link == "content/minutes" else outside / "passwd")
    _, problems = check_cooperative(root, today=TODAY)
    assert [(p.path, p.line) for p in problems if p.code == "file-symlink"] == [(link, None)]
    assert not any("SECRET" in p.message for p in problems)
    assert build_site(root, tmp_path / "site", today=TODAY).site_dir is None
    assert not (tmp_path / "site").exists()


def test_yaml_errors_do_not_echo_long_lines(tmp_path):
    accounts = (
        "name: X\ncurrency: EUR\ncategories: {dues: {kind: income}}\nx: !!int 0xzz"
        + "secret" * 100
        + "\n"
    )
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER}, accounts=accounts)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert problems and all(len(p.message) < 300 for p in problems)


# -- Files in another encoding than UTF-8 -----------------------------------------------------

TEXT_FILES = {
    "ledgers/accounts.yml": None,  # written from ACCOUNTS below
    "content/index.md": "# Caf\u00e9 home\n",
    "content/charter.md": CHARTER + "Caf\u00e9\n",
    "content/minutes/2026-01-10.md": "---\ndate: 2026-01-10\nmembers: 10\npresent: 8\n---\n# Caf\u00e9\n",
    "content/stories/posts/a.md": "---\ndate: 2026-01-01\n---\n# Caf\u00e9\n",
    "content/stories/.authors.yml": "authors:\n  board:\n    name: Caf\u00e9 board\n",
}


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-16-le"])
@pytest.mark.parametrize("target", sorted(TEXT_FILES))
def test_every_yaml_and_markdown_file_in_another_encoding_is_reported(tmp_path, target, encoding):
    from tests.conftest import ACCOUNTS

    files = {
        path: (text if text is not None else ACCOUNTS + "# Caf\u00e9\n")
        for path, text in TEXT_FILES.items()
    }
    files = {**SITE_FILES, **files, "content/stories/index.md": "# Stories\n"}
    files[target] = files[target].encode(encoding)
    write_coop(tmp_path, files, accounts=None)
    _, problems = check_cooperative(tmp_path, today=TODAY)
    found = [(p.path, p.code) for p in problems if p.path == target]
    expected = "file-not-utf8" if encoding == "latin-1" else "file-nul-byte"  # as for CSV files
    assert found == [(target, expected)], problems
    if encoding == "latin-1":
        line = next(p.line for p in problems if p.path == target)
        assert (
            line
            == files[target].count(b"\n", 0, files[target].index("\u00e9".encode("latin-1"))) + 1
        )


@pytest.mark.parametrize("kind", ["latin-1", "utf-16", "too-large"])
def test_a_published_text_file_that_cannot_be_looked_through_for_names_is_refused(tmp_path, kind):
    # content/notes.txt is copied to the site as it is; read neither as UTF-8 nor at all (too
    # large), it could not be looked through for the private counterparty, and was published.
    data = {
        "latin-1": "Notes\nPaid Jane Doe, caf\u00e9.\n".encode("latin-1"),
        "utf-16": "Paid Jane Doe.\n".encode("utf-16"),
        "too-large": b"Paid Jane Doe. " * (cooperative_module.MAX_TEXT_BYTES // 15 + 1),
    }[kind]
    rows = "2026-01-05,Dues,12.50,dues,,Jane Doe,,,\n"
    root = write_coop(tmp_path / "coop", {**SITE_FILES, "ledgers/2026.csv": LEDGER_HEADER + rows})
    (root / "content/notes.txt").write_bytes(data)
    _, problems = check_cooperative(root, today=TODAY)
    expected = {"latin-1": ("file-not-utf8", 2), "utf-16": ("file-nul-byte", None)}.get(
        kind, ("file-too-large", None)
    )
    found = [(p.code, p.line) for p in problems if p.path == "content/notes.txt"]
    assert found == [expected], problems
    assert build_site(root, tmp_path / "site", today=TODAY).site_dir is None
    # Without a private counterparty there is nothing to look for: it is published as it is.
    (root / "ledgers/2026.csv").write_text(LEDGER_HEADER + rows.replace("Jane Doe", ""))
    _, problems = check_cooperative(root, today=TODAY)
    assert not [p for p in problems if p.path == "content/notes.txt"], problems


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-16-le"])
def test_a_federation_yml_in_another_encoding_is_reported(tmp_path, encoding):
    text = "name: F\u00e9d\u00e9ration\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n  - id: a\n    path: a\n"
    (tmp_path / "federation.yml").write_bytes(text.encode(encoding))
    federation = load_federation(tmp_path, today=TODAY)
    expected = "file-not-utf8" if encoding == "latin-1" else "file-nul-byte"
    assert [(p.path, p.code) for p in federation.problems] == [("federation.yml", expected)]
    assert build_site(tmp_path, tmp_path / "site", today=TODAY).site_dir is None


# -- Limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quoted", [False, True])
def test_a_header_of_too_many_columns_is_refused(tmp_path, quoted):
    names = [f'"c{i}"' if quoted else f"c{i}" for i in range(100_000)]
    header = "date,description,amount,category," + ",".join(names) + "\n"
    write_coop(
        tmp_path, {"ledgers/2026.csv": header + "2026-01-05,Dues,12.50,dues" + "," * 100_000 + "\n"}
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert codes_at(problems) == {("ledgers/2026.csv", 1, "csv-too-many-columns")}
    write_coop(
        tmp_path, {"ledgers/2026.csv": "date,description,amount,category" + ",x" * 150 + "\n"}
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert "csv-too-many-columns" not in {p.code for p in problems}


def test_more_rows_across_the_books_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cooperative_module, "MAX_BOOK_ROWS", 5)
    rows = "".join(f"2026-01-{d:02d},Dues,1.00,dues,,,,,\n" for d in range(1, 4))
    write_coop(
        tmp_path, {f"ledgers/{name}.csv": LEDGER_HEADER + rows for name in ("a", "b", "c", "d")}
    )
    cooperative, problems = check_cooperative(tmp_path, today=TODAY)
    assert [p.code for p in problems if p.code == "books-too-many-rows"] == ["books-too-many-rows"]
    assert len(cooperative.ledger) <= 6
    assert build_site(tmp_path, tmp_path / "site", today=TODAY).site_dir is None


def test_more_text_under_content_than_the_limit_is_refused_and_not_kept(tmp_path, monkeypatch):
    # The loader keeps every text of content/ in memory: the total is bounded.
    monkeypatch.setattr(cooperative_module, "MAX_CONTENT_TEXT_BYTES", 1000)
    pages = {f"content/p{i}.md": f"# Page {i}\n" + "x" * 290 + "\n" for i in range(5)}  # 300 B
    root = write_coop(tmp_path, {**SITE_FILES, **pages, "content/big.svg": "<svg/>" * 100})
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert [(p.path, p.line) for p in problems if p.code == "content-too-large"] == [
        ("content", None)
    ]
    kept = sum(len(file.text) for file in cooperative.content if file.text is not None)
    assert kept <= 1000
    unread = [file.path for file in cooperative.content if file.problems]
    # In the order read: content/big.svg (600 B), charter, index, then pages until 1,000 B.
    assert "content/p4.md" in unread and "content/big.svg" not in unread
    assert build_site(root, tmp_path / "site", today=TODAY).site_dir is None
    monkeypatch.setattr(cooperative_module, "MAX_CONTENT_TEXT_BYTES", 10_000)
    _, problems = check_cooperative(root, today=TODAY)
    assert "content-too-large" not in {p.code for p in problems}


def test_links_in_mkdocs_docs_dir_are_refused_by_build_and_serve(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(OUTSIDE_SECRET + "\n", encoding="utf-8")
    root = write_coop(
        tmp_path / "coop",
        {
            **SITE_FILES,
            "mkdocs.yml": "site_name: Pages\ndocs_dir: pages\nplugins:\n  - search\n  - publisher\n",
            "pages/index.md": "# Home\n",
        },
    )
    (root / "pages" / "secret.txt").symlink_to(outside)
    # The loader reads docs_dir's pages too: the link is a problem of the books' check.
    result = build_site(root, tmp_path / "site", today=TODAY)
    assert result.site_dir is None
    assert ("pages/secret.txt", None, "file-symlink") in codes_at(result.problems)
    assert not (tmp_path / "site").exists()
    result = CliRunner().invoke(main, ["serve", str(root), "--address", "127.0.0.1:9"])
    assert result.exit_code == 2 and "symbolic link" in result.output
    # The configured docs_dir is as protected as content/.
    (root / "pages" / "secret.txt").unlink()
    result = CliRunner().invoke(main, ["build", str(root), "--site-dir", str(root / "pages")])
    assert result.exit_code == 2 and (root / "pages" / "index.md").is_file()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
@pytest.mark.parametrize("docs_dir", ["../outside", "ABSOLUTE"])
def test_a_docs_dir_outside_the_repository_is_refused_by_build_and_serve(
    tmp_path, engine, docs_dir
):
    # Both engines publish every file of docs_dir: `docs_dir: ../..` in a pull request would
    # publish the files of the CI runner that builds the site.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.md").write_text("# " + OUTSIDE_SECRET + "\n", encoding="utf-8")
    (outside / "notes.txt").write_text(OUTSIDE_SECRET + "\n", encoding="utf-8")
    named = str(outside) if docs_dir == "ABSOLUTE" else docs_dir
    root = write_coop(
        tmp_path / "coop",
        {
            **SITE_FILES,
            "mkdocs.yml": f"site_name: Pages\ndocs_dir: {named}\nplugins:\n  - search\n  - publisher\n",
        },
    )
    result = CliRunner().invoke(
        main, ["build", str(root), "--site-dir", str(tmp_path / "site"), "--engine", engine]
    )
    assert result.exit_code == 2, result.output
    assert "lies outside the repository" in result.output and "SECRET" not in result.output
    assert not (tmp_path / "site").exists()
    result = CliRunner().invoke(
        main, ["serve", str(root), "--address", "127.0.0.1:9", "--engine", engine]
    )
    assert result.exit_code == 2 and "lies outside the repository" in result.output
    # A docs_dir inside the repository, written with a detour through its parent, is fine.
    (root / "mkdocs.yml").write_text(
        "site_name: Pages\ndocs_dir: ../coop/content\nplugins:\n  - search\n  - publisher\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["build", str(root), "--site-dir", str(tmp_path / "site"), "--engine", engine]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site/index.html").is_file()


def test_the_pages_of_another_docs_dir_are_checked_as_pages(tmp_path):
    # Both engines publish mkdocs.yml's docs_dir; the checks read content/ only, so live markup
    # in pages/ was published.
    root = write_coop(
        tmp_path / "coop",
        {
            **SITE_FILES,
            "mkdocs.yml": "site_name: Pages\ndocs_dir: pages\nplugins:\n  - search\n  - publisher\n",
            "pages/index.md": "# Home\n\n<script>alert(1)</script>\n",
        },
    )
    _, problems = check_cooperative(root, today=TODAY)
    assert ("pages/index.md", 3, "page-active-content") in codes_at(problems)
    assert build_site(root, tmp_path / "site", today=TODAY).site_dir is None
    (root / "pages/index.md").write_text("# Home\n", encoding="utf-8")
    _, problems = check_cooperative(root, today=TODAY)
    assert not [p for p in problems if p.path.startswith("pages/")]


def test_a_message_quotes_a_bounded_excerpt_of_a_long_cell(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": "z" * 100_000 + "\n",
            "ledgers/2027.csv": LEDGER_HEADER.strip() + ",x" * 1 + "y" * 50_000 + "\n",
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert {
        ("ledgers/2026.csv", 1, "column-unknown"),
        ("ledgers/2027.csv", 1, "column-unknown"),
    } <= codes_at(problems)
    assert all(len(p.message) < 400 for p in problems), max(len(p.message) for p in problems)


def test_only_a_long_quoted_value_is_cut_never_the_words_between_two_quotes():
    from publisher.problems import problem

    words = " before the decimals, and no unit or thousands separator" * 3
    message = f'"12,5" is not a quantity: write a number with "."{words}, such as "1250.5".'
    assert problem("measure-quantity-invalid", "m.csv", 2, message).message == message
    long_value = "z" * 5000
    cut = problem("measure-unknown", "m.csv", 2, f'The measure "{long_value}" is unknown.').message
    assert cut == f'The measure "{"z" * 80}…" is unknown.'


def test_a_page_nested_beyond_the_stack_is_a_message_not_a_traceback(tmp_path):
    write_coop(
        tmp_path,
        {
            **SITE_FILES,
            "content/deep.md": "# Deep\n\n" + "".join("  " * i + "- item\n" for i in range(700)),
        },
    )
    result = CliRunner().invoke(
        main, ["build", str(tmp_path), "--site-dir", str(tmp_path / "site")]
    )
    assert result.exit_code in (1, 2), result.output  # refused: by a check (1) or by the build (2)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_a_named_pipe_among_the_pages_is_reported_not_waited_for(tmp_path):
    import os

    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-02,Dues,15.00,dues,,,,,\n",
            "content/index.md": "# Home\n",
        },
    )
    os.mkfifo(root / "content" / "notes.md")  # opening it for reading blocked until a writer came
    _, problems = check_cooperative(root, TODAY)
    assert ("content/notes.md", None, "file-unreadable") in codes_at(problems)


def test_bidirectional_controls_left_open_are_closed_at_the_end_of_their_text():
    from publisher.reading import bidi_closed

    assert bidi_closed("plain text") == "plain text"
    assert bidi_closed("a \u202eb") == "a \u202eb\u202c"
    assert bidi_closed("a \u202eb\u202c c") == "a \u202eb\u202c c"  # already closed
    # closed innermost first: the override, then the isolate around it
    assert bidi_closed("\u2067x \u202ey") == "\u2067x \u202ey\u202c\u2069"
    # a PDI closes its isolate and the override opened inside it; the embedding before stays open
    assert bidi_closed("\u202ba \u2068b \u202ec\u2069 d") == "\u202ba \u2068b \u202ec\u2069 d\u202c"
    # a PDF with nothing open is left as written, and opens nothing
    assert bidi_closed("\u202cx \u202ey") == "\u202cx \u202ey\u202c"
