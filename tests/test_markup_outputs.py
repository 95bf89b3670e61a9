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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"img", "svg", "iframe", "object", "embed"} and any(n == "src" and v and "x.invalid" in v for n, v in attrs):
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
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds, cwd=Path(__file__).parent.parent
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
    assert {(path, line, code) for path, line, code in codes_at(problems) if code == "page-title-markup"} == {
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
        "  b:\n    name: B\n    url: \"java\\tscript:alert(1)\"\n"  # line 7
        "  c:\n    name: C\n    url: \"\\x01javascript:alert(1)\"\n"  # line 10
        "  d:\n    name: D\n    url: \"//evil.example/\"\n"  # line 13
        "  e:\n    name: E\n    url: https://example.org/e\n"
        "  f:\n    name: F\n    avatar: \"java\\tscript:x\"\n"  # line 19
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
    for site in ("\x01javascript:alert(1)", "\tjavascript:alert(1)", "java\nscript:alert(1)", "\u200bjavascript:x"):
        text = (
            "name: F\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n"
            f"  - id: a\n    path: a\n    site: {site!r}\n".replace("'", '"')
        )
        text = text.replace('"\\x01', '"\\x01')
        config, problems = parse_federation(text)
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
        "content/list.md 502 page-too-deep",
        "content/markers.md 3 page-too-deep",
        "content/quotes.md 3 page-too-deep",
        "content/huge.md None page-too-large",
    } <= lines
    assert not any(line.startswith(("content/fine.md", "content/spaces.md")) for line in lines)
    assert "built False" in lines
