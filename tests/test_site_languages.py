"""The example cooperative built in Spanish, German and Arabic: every generated word in the
cooperative's language (no English sentence of the site catalog left), money and dates in that
language's format, downloads identical to the English build, Material's own words and the
direction of the page following `language:`, and one page of each opened in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import format_skeleton
from babel.messages.pofile import read_po

from publisher.i18n import LOCALE_DIR
from publisher.site.build import build_site
from publisher.site.templating import render, site_language
from tests.a11y import AXE_JS, axe_violations, blocking_violations
from tests.gittools import commit, init_repo, rev, short
from tests.sitetools import copy_example, serve_directory

LANGUAGES = ("en", "es", "de", "ar")
#: Placeholders and markup inside a msgid: the English words are what lies between them.
_PIECES = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]+>")
#: Elements whose text the treasurer wrote, or whose message is the treasurer's (the check's
#: message folded under "For the treasurer", in the treasurer's language): not the site's words.
_NOT_SITE_WORDS = {"publisher-warning__details"}


def english_sentences(language: str) -> set[str]:
    """The English pieces (two words or more) of every msgid of the site catalog that the
    language's catalog does not keep as they are (names such as "Frictionless Data Package")."""
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "site.po", "rb") as po:
        catalog = read_po(po, locale=language)
    pieces = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(strings)
        for msgid in ids:
            for piece in _PIECES.split(msgid):
                piece = piece.strip(" .,:;()")
                if len(piece.split()) > 1 and piece not in translated:
                    pieces.add(piece)
    return pieces


class _ReaderText(HTMLParser):
    """What a reader reads of a page the publisher generated (text, labels, the charts' texts);
    on a hand-written page, only what the publisher put into it (elements of class publisher-*)."""

    def __init__(self, generated: bool) -> None:
        super().__init__()
        self.generated = generated
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # tag, ours, skipped

    def _state(self) -> tuple[bool, bool]:
        if not self._stack:
            return self.generated, False
        _, ours, skipped = self._stack[-1]
        return ours, skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ours, skipped = self._state()
        classes = set((dict(attrs).get("class") or "").split())
        ours = ours or any(c.startswith("publisher-") for c in classes)
        skipped = skipped or tag in ("script", "style") or bool(classes & _NOT_SITE_WORDS)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            self._stack.append((tag, ours, skipped))
        if ours and not skipped:
            for name, value in attrs:
                if value and name in ("aria-label", "placeholder", "title", "alt"):
                    self.parts.append(value)
                if value and name == "data-figure":
                    self.parts.extend(_strings(json.loads(value)))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        ours, skipped = self._state()
        if ours and not skipped:
            self.parts.append(data)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def reader_text(html: str, generated: bool) -> str:
    parser = _ReaderText(generated)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The example cooperative (a real git repository) built once per language."""
    built = {}
    for language in LANGUAGES:
        repo = init_repo(tmp_path_factory.mktemp(f"example-{language}") / "coop")
        copy_example(repo)
        accounts = repo / "ledgers" / "accounts.yml"
        text = accounts.read_text(encoding="utf-8")
        assert re.search(r"^language: en$", text, flags=re.MULTILINE)
        accounts.write_text(
            re.sub(r"^language: en$", f"language: {language}", text, flags=re.MULTILINE),
            encoding="utf-8",
        )
        commit(repo, "The example's books and pages", "2026-11-20")
        result = build_site(repo, tmp_path_factory.mktemp(f"site-{language}"))
        assert result.site_dir is not None, [p.code for p in result.problems]
        built[language] = result.site_dir
        # accounts.yml differs, so each repository's one commit has its own id: the downloads
        # name it (provenance, version), and are compared with it written out the same.
        built[f"{language}-commit"] = (rev(repo), short(repo))
    return built


def without_commit(text: bytes, commit: tuple[str, str]) -> bytes:
    """A download with the id of the commit it comes from written as COMMIT."""
    full, abbreviated = commit
    return text.replace(full.encode(), b"COMMIT").replace(abbreviated.encode(), b"COMMIT")


def generated_pages(site: Path) -> dict[str, bool]:
    """Every page of the site -> whether the publisher generated it all (not a content/ page)."""
    generated_dirs = ("finances/", "data/", "decisions/", "self-government/")
    return {
        page.relative_to(site).as_posix(): page.relative_to(site)
        .as_posix()
        .startswith(generated_dirs)
        for page in sorted(site.rglob("*.html"))
        if page.name != "404.html"
    }


@pytest.mark.parametrize("language", ["es", "de", "ar"])
def test_no_english_sentence_is_left_on_any_page(sites, language):
    site = sites[language]
    english = english_sentences(language)
    assert "Where the money came from and went" in english  # the check looks for real sentences
    left = {}
    pages = generated_pages(site)
    assert sum(pages.values()) >= 8
    for path, generated in pages.items():
        text = reader_text((site / path).read_text(encoding="utf-8"), generated)
        found = sorted(piece for piece in english if piece in text)
        if found:
            left[path] = found
    assert not left, left


def test_the_reader_text_check_finds_english_where_it_is(sites):
    """The check above, run on the English build, finds the English sentences."""
    site = sites["en"]
    text = reader_text((site / "finances/index.html").read_text(encoding="utf-8"), True)
    english = english_sentences("es")
    assert "Income and expense by year" in text
    assert any(piece in text for piece in english)


@pytest.mark.parametrize(
    "language, money, day",
    [
        (
            "es",
            re.compile(r"\d{1,3}(\.\d{3})*,\d\d\u00a0€"),
            re.compile(r"\b\d{1,2} \w{3,4}\.? 20\d\d\b"),
        ),
        ("de", re.compile(r"\d{1,3}(\.\d{3})*,\d\d\u00a0€"), re.compile(r"\b\d\d\.\d\d\.20\d\d\b")),
    ],
)
def test_money_and_days_are_written_as_the_language_writes_them(sites, language, money, day):
    site = sites[language]
    finances = (site / "finances/index.html").read_text(encoding="utf-8")
    assert "€1," not in finances and money.search(finances)
    assert re.search(r"\d\.\d{3},\d\d\u00a0€", finances)  # 1.234,56 €: thousands grouped
    decisions = (site / "decisions/index.html").read_text(encoding="utf-8")
    shown = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">([^<]+)</time>', decisions)
    assert shown, "the decisions page shows its dates in <time> elements"
    assert all(day.fullmatch(text) and text != iso for iso, text in shown), shown[:3]
    # The charts' summaries name months as the language does ("octubre de 2026").
    text = (site / "finances/2025/index.html").read_text(encoding="utf-8")
    months = [format_skeleton("yMMMM", dt.date(2025, m, 1), locale=language) for m in range(1, 13)]
    assert any(month in text for month in months)
    assert "December 2025" not in reader_text(text, True)


@pytest.mark.parametrize("language, direction", [("es", None), ("de", None), ("ar", "rtl")])
def test_html_language_and_direction_follow_the_books(sites, language, direction):
    home = (sites[language] / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in home
    assert ('dir="rtl"' in home) is (direction == "rtl")
    # Material's own words are in the language too (its search box).
    placeholder = {"es": "Búsqueda", "de": "Suche", "ar": "بحث"}[language]
    assert placeholder in home


def test_downloads_are_the_same_in_every_language(sites):
    english = sites["en"]
    downloads = sorted(
        path.relative_to(english).as_posix()
        for path in (english / "data").rglob("*")
        if path.is_file()
        and (path.suffix == ".csv" or path.name in ("summary.json", "datapackage.json"))
    )
    assert "data/ledger.csv" in downloads and "data/datapackage.json" in downloads
    assert any(name.startswith("data/charts/") for name in downloads)
    for language in ("es", "de", "ar"):
        for name in downloads:
            other = without_commit(
                (sites[language] / name).read_bytes(), sites[f"{language}-commit"]
            )
            assert other == without_commit((english / name).read_bytes(), sites["en-commit"]), (
                language,
                name,
            )
    ledger = (english / "data/ledger.csv").read_text(encoding="utf-8").splitlines()
    assert ledger[0].startswith("date,description,amount,category,fund")
    assert re.match(r"\d{4}-\d\d-\d\d,", ledger[1]) and re.search(r",-?\d+\.\d\d,", ledger[1])


def test_a_federation_writes_in_its_own_language(tmp_path):
    """federation.yml's `language:` chooses the words of the federation's pages."""
    from publisher.federation import parse_federation

    text = (
        "name: Federación\ncurrency: EUR\nlanguage: es\n"
        "categories:\n  dues: {kind: income}\nmembers:\n  - id: a\n    path: a\n"
    )
    config, problems = parse_federation(text)
    assert config is not None and not problems, problems
    assert config.language == "es"
    bad, problems = parse_federation(text.replace("language: es", "language: xx-nope"))
    assert bad is None
    assert [(p.path, p.line, p.code) for p in problems] == [
        ("federation.yml", 3, "language-unknown")
    ]
    with site_language(config.language):
        page = render("federation-warnings.md.j2", warnings=[])
    assert "# Avisos" in page and "No hay ningún aviso." in page


def test_template_words_are_escaped_and_kept_on_one_line():
    """A value put into a translated sentence is escaped and on one line, as every value is."""
    with site_language("es"):
        page = render(
            "federation-warnings.md.j2",
            warnings=[
                {
                    "message": "m",
                    "page": "members/a.md",
                    "page_name": "<b>A</b>\n\nB",
                    "path": "p",
                    "line": 1,
                    "code": "c",
                }
            ],
        )
    assert "Ver &lt;b&gt;A&lt;/b&gt;  B." in page


@pytest.mark.parametrize("language", ["es", "de", "ar"])
def test_a_page_of_each_language_reads_well_in_a_browser(sites, browser, language):
    site = sites[language]
    with serve_directory(site) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(url + "finances/", wait_until="load")
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
            ".every(n => n.dataset.drawn === 'true')",
            timeout=30_000,
        )
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        direction = page.evaluate("getComputedStyle(document.body).direction")
        assert direction == ("rtl" if language == "ar" else "ltr")
        if language == "ar":
            # The page's start is on the right: the heading's text starts at the right edge.
            heading = page.evaluate(
                "(() => { const h = document.querySelector('.md-content h1');"
                " const r = document.createRange(); r.selectNodeContents(h);"
                " const t = r.getBoundingClientRect(), b = h.getBoundingClientRect();"
                " return [t.left - b.left, b.right - t.right]; })()"
            )
            assert heading[1] < heading[0], heading
            desktop = browser.new_context(viewport={"width": 1366, "height": 900})
            wide = desktop.new_page()
            wide.goto(url + "finances/", wait_until="load")
            sidebar, content = wide.evaluate(
                "[document.querySelector('.md-sidebar--primary').getBoundingClientRect().left,"
                " document.querySelector('.md-content').getBoundingClientRect().left]"
            )
            assert sidebar > content  # the navigation is on the right
            desktop.close()
        assert AXE_JS.is_file(), "scripts/test.sh installs axe-core"
        assert not blocking_violations(axe_violations(page))
        context.close()
