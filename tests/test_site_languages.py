"""The example cooperative built in Spanish, German and Arabic: every generated word in the
cooperative's language (no English sentence of the site catalog left), money and dates in that
language's format, downloads identical to the English build, Material's own words and the
direction of the page following `language:`, and one page of each opened in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import format_date, format_skeleton
from babel.messages.pofile import read_po

from publisher.i18n import LOCALE_DIR, message_language
from publisher.site.build import build_site
from publisher.site.templating import render, site_language
from tests.a11y import AXE_JS, axe_violations, blocking_violations
from tests.firstvisit import draw_every_chart
from tests.gittools import commit, init_repo, rev, short
from tests.sitetools import copy_example, serve_directory

LANGUAGES = ("en", "es", "de", "ar")
#: Placeholders and markup inside a msgid: the English words are what lies between them.
_PIECES = re.compile(r"%\(\w+\)s|\{\w+(?:[:!][^}]*)?\}|<[^>]+>")
#: A month as the books key it ("2026-03"), not a day ("2026-03-31") nor part of a longer key.
ISO_MONTH = re.compile(r"(?<![\d-])\d{4}-\d\d(?![\d-])")


def english_sentences(language: str, domain: str = "site") -> set[str]:
    """The English pieces (two words or more) of every msgid of the `domain` catalog (the
    site's words, or the treasurer's messages) that the language's catalog does not keep as they
    are (names such as "Frictionless Data Package")."""
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
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
                piece = piece.strip(' .,:;()"')
                if len(piece.split()) > 1 and piece not in translated:
                    pieces.add(piece)
    return pieces


def said(piece: str, text: str) -> bool:
    """Whether `text` says `piece` in words of its own ("is a" is not said by "Genesis auf")."""
    return piece in text and bool(re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text))


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
        skipped = skipped or tag in ("script", "style")
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
        # The treasurer reads English whatever the machine's language: an English message left
        # on a page of another language is then found.
        with message_language("en"):
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
        found = sorted(piece for piece in english if said(piece, text))
        if found:
            left[path] = found
    assert not left, left


@pytest.mark.parametrize("language", ["es", "de", "ar"])
def test_the_warnings_page_says_the_checks_messages_in_the_site_language(sites, language):
    """The treasurer's details of each warning (the check's message, file, line, check) are the
    readers' too: in the site's language, though the treasurer's messages were English."""
    page = (sites[language] / "finances/warnings/index.html").read_text(encoding="utf-8")
    details = re.findall(
        r'<details class="publisher-warning__details">(.*?)</details>', page, re.DOTALL
    )
    assert len(details) >= 3, "the example's books have warnings"
    text = reader_text(page, True)
    english = english_sentences(language, "messages") | english_sentences(language)
    assert "are dated after its last balance assertion" in english
    found = sorted(piece for piece in english if said(piece, text))
    assert not found, [(piece, text[max(0, text.find(piece) - 80) :][:200]) for piece in found]


def test_the_reader_text_check_finds_english_where_it_is(sites):
    """The checks above, run on the English build, find the English sentences: the site's words
    on a page, the treasurer's messages on the Warnings page."""
    site = sites["en"]
    text = reader_text((site / "finances/index.html").read_text(encoding="utf-8"), True)
    english = english_sentences("es")
    assert "Income and expense by year" in text
    assert any(piece in text for piece in english)
    warnings = reader_text(
        (site / "finances/warnings/index.html").read_text(encoding="utf-8"), True
    )
    assert "are dated after its last balance assertion" in warnings
    assert any(piece in warnings for piece in english_sentences("es", "messages"))


def chart_texts(figure: dict) -> list[str]:
    """What a reader of a chart reads: its titles, legend names, ticks and printed values, and
    each point's hover as plotly.js fills its template in (`%{x}` is the point's category)."""
    layout = figure.get("layout", {})
    texts = [str((layout.get("title") or {}).get("text", ""))]
    ticked = set()
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            texts.append(str((axis.get("title") or {}).get("text", "")))
            texts += [str(t) for t in axis.get("ticktext", [])]
            if "ticktext" in axis:
                ticked.add(name[0] + name[5:])  # "xaxis2" -> "x2"
    for trace in figure.get("data", []):
        texts.append(str(trace.get("name", "")))
        shown = trace.get("text", [])
        texts += [shown] if isinstance(shown, str) else [str(t) for t in shown]
        points = trace.get("x") or trace.get("y") or []
        for letter in "xy":
            # Categories of an axis without ticks of its own are its tick labels.
            if (letter + trace.get(f"{letter}axis", letter)[1:]) not in ticked:
                texts += [v for v in trace.get(letter) or [] if isinstance(v, str)]
        template = trace.get("hovertemplate", "")
        for index in range(len(points)):
            texts.append(_hover(template, trace, index))
    return texts


def _hover(template: str, trace: dict, index: int) -> str:
    def value(match: re.Match) -> str:
        name, item = match.group(1), match.group(2)
        values = trace.get(name)
        if not isinstance(values, list) or index >= len(values):
            return match.group(0)
        found = values[index]
        return str(found[int(item)] if item is not None else found)

    text = re.sub(r"%\{(\w+)(?:\[(\d+)\])?\}", value, template.replace("<extra></extra>", ""))
    return text.replace("<br>", " ")


def test_chart_texts_find_a_month_written_as_its_key():
    """The check below finds the hover that plotly.js fills with an ISO month."""
    figure = {
        "data": [
            {
                "x": ["2026-03"],
                "customdata": ["€1.00"],
                "hovertemplate": "%{x}<br>Income: %{customdata}<extra></extra>",
            }
        ],
        "layout": {"xaxis": {"tickvals": ["2026-03"], "ticktext": ["Mar"]}},
    }
    assert "2026-03 Income: €1.00" in chart_texts(figure)
    figure["data"][0].update(customdata=[["March 2026", "€1.00"]])
    figure["data"][0]["hovertemplate"] = "%{customdata[0]}: %{customdata[1]}"
    assert not ISO_MONTH.search(" ".join(chart_texts(figure)))


@pytest.mark.parametrize("language", ["es", "de", "ar"])
def test_charts_name_every_month_in_the_site_language(sites, language):
    """Ticks, hovers and printed values of every chart: no month as the books key it
    ("2025-03"), no English month name; the months are the language's own."""
    site = sites[language]
    own = {format_skeleton("MMMM", dt.date(2025, m, 1), locale=language) for m in range(1, 13)}
    english = {
        format_skeleton("MMMM", dt.date(2025, m, 1), locale="en") for m in range(1, 13)
    } - own  # "April" is German too
    seen_months = set()
    charts_seen = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for figure in re.findall(r'data-figure="([^"]*)"', html):
            charts_seen += 1
            text = " ".join(chart_texts(json.loads(unescape(figure))))
            where = (page.relative_to(site).as_posix(), text[:200])
            assert not ISO_MONTH.search(text), where
            assert not [m for m in english if re.search(rf"\b{m}\b", text)], where
            seen_months |= {m for m in own if m in text}
    assert charts_seen >= 10
    assert len(seen_months) >= 6, seen_months  # the month by month charts' hovers


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


def test_a_federations_warnings_are_in_its_language_not_the_treasurers(tmp_path):
    """The federation's Warnings page says each check's message in federation.yml's language,
    though the treasurer read it in English; the page it points to is named in it too."""
    from publisher.federation import Federation, parse_federation
    from publisher.i18n import _
    from publisher.problems import problem
    from publisher.site.federation_pages import warnings_page

    text = (
        "name: Federación\ncurrency: EUR\nlanguage: es\n"
        "categories:\n  dues: {kind: income}\nmembers:\n  - id: a\n    path: a\n"
    )
    config, _problems = parse_federation(text)
    assert config is not None
    with message_language("en"):
        mismatch = problem(
            "federation-reconciliation-mismatch",
            "federation.yml",
            None,
            _(
                "In {year}, {member} records {member_records} with "
                "@{other_member}, and {other_member} records {other_records} with "
                "@{member}: the two should be opposite (a difference of "
                "{imbalance})."
            ).format(
                year="2026",
                member="a",
                member_records="100.00",
                other_member="b",
                other_records="-90.00",
                imbalance="10.00",
            ),
        )
    assert mismatch.message.startswith("In 2026, a records 100.00 with @b")
    federation = Federation(tmp_path, config, [], [mismatch], dt.date(2026, 11, 20))
    with site_language(config.language):
        page = warnings_page(federation)
    assert (
        "En 2026, a anota 100.00 con @b, y b anota -90.00 con @a: los dos deberían ser opuestos "
        "(una diferencia de 10.00)."
    ) in page
    assert "Ver el dinero entre los miembros." in page
    assert "records" not in page and "money between" not in page


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


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_months_hover_and_ticks_read_in_the_language_on_a_phone(sites, browser, language):
    """On a phone (390 px), the month by month chart of 2025: its ticks are the language's
    short month names, the hover of a bar names its month in full, and the Warnings page with
    its treasurer's details open fits the screen, right to left in Arabic."""
    site = sites[language]
    months = {m: dt.date(2025, m, 1) for m in range(1, 13)}
    full = {format_skeleton("yMMMM", d, locale=language) for d in months.values()}
    short = {format_date(d, "MMM", locale=language) for d in months.values()}
    with serve_directory(site) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(url + "finances/2025/", wait_until="load")
        chart = page.locator("#chart-monthly-2025 .publisher-chart__plot")
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "document.querySelector('#chart-monthly-2025 .publisher-chart__plot')"
            ".dataset.drawn === 'true'",
            timeout=30_000,
        )
        ticks = chart.locator(".xtick text").all_text_contents()
        assert ticks and set(ticks) <= short, ticks
        bar = chart.locator(".trace.bars .point path").first
        box = bar.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#chart-monthly-2025 .hoverlayer .hovertext", timeout=10_000)
        hover = " ".join(chart.locator(".hoverlayer .hovertext").all_text_contents())
        assert any(month in hover for month in full), hover
        assert not ISO_MONTH.search(hover), hover
        page.goto(url + "finances/warnings/", wait_until="load")
        for details in page.locator("details.publisher-warning__details").all():
            details.locator("summary").click()
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        direction = page.evaluate("getComputedStyle(document.body).direction")
        assert direction == ("rtl" if language == "ar" else "ltr")
        assert not blocking_violations(axe_violations(page))
        context.close()


#: Where each chart's title, legend and summary stand against its figure: the gaps (px) at the
#: figure's left and right of the title and legend, the right gap of each line of the summary
#: (its caption), and the directions of the figure and of the plot.
CHART_SIDES = """() => Array.from(document.querySelectorAll('.publisher-chart')).map(chart => {
  const plot = chart.querySelector('.publisher-chart__plot'), box = plot.getBoundingClientRect();
  const gaps = node => { if (!node) return null; const r = node.getBoundingClientRect();
    return [Math.round(r.left - box.left), Math.round(box.right - r.right)]; };
  const caption = chart.querySelector('figcaption'), edge = caption.getBoundingClientRect();
  const range = document.createRange(); range.selectNodeContents(caption);
  const lines = {};
  Array.from(range.getClientRects()).filter(r => r.width > 0).forEach(r => {
    const top = Math.round(r.top); lines[top] = Math.max(lines[top] || -Infinity, r.right); });
  return {id: chart.id, title: gaps(plot.querySelector('.gtitle')), legend: gaps(plot.querySelector('.legend')),
    captionGaps: Object.values(lines).map(right => Math.round(edge.right - right)),
    direction: getComputedStyle(chart).direction, plot: getComputedStyle(plot).direction};
})"""


def chart_sides(page, path: str) -> list[dict]:
    page.goto(path, wait_until="load")
    draw_every_chart(page, timeout_ms=30_000)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
        ".every(n => n.dataset.drawn === 'true')",
        timeout=30_000,
    )
    return page.evaluate(CHART_SIDES)


def assert_at_the_right(charts: list[dict]) -> None:
    assert charts
    for chart in charts:
        assert chart["direction"] == "rtl" and chart["plot"] == "ltr", chart  # axes left to right
        left, right = chart["title"]
        assert right <= 8 < left, chart  # the title starts at the right, as the page's text
        if chart["legend"]:
            assert chart["legend"][1] <= 8 < chart["legend"][0], chart
        # every line of the summary ends at the right edge: aligned to the start, not centred
        assert chart["captionGaps"] and max(chart["captionGaps"]) <= 2, chart


@pytest.mark.parametrize("width", [390, 1366])
def test_chart_titles_and_summaries_start_at_the_right_in_arabic(sites, browser, width):
    with serve_directory(sites["ar"]) as url:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for path in ("finances/", "finances/2025/", "commons/"):
            assert_at_the_right(chart_sides(page, url + path))
        context.close()


def test_charts_follow_the_direction_mkdocs_yml_gives_the_page(tmp_path, browser):
    # English books on a page mkdocs.yml turns right to left: the figures, written for English,
    # have their titles at the left; the page script sets them at the start of the page's line.
    root = copy_example(tmp_path / "coop")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  language: en\n", "  language: en\n  direction: rtl\n"
        ),
        encoding="utf-8",
    )
    result = build_site(root, tmp_path / "site")
    assert result.site_dir is not None
    year = (result.site_dir / "finances" / "2025" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'"xanchor":\s*"left"', unescape(year))  # as the figures are written
    with serve_directory(result.site_dir) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        assert_at_the_right(chart_sides(page, url + "finances/2025/"))
        context.close()
