"""The same site with both engines: MkDocs (through the plugin) and Zensical (from the tree the
publisher writes). Real builds of the example cooperative and the example federation."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.i18n import site_words
from publisher.site.build import SITE_MARKER, SiteError, build_site
from publisher.site.tree import NO_BLOG, page_url, relative_url
from publisher.site.templating import reader_date
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, write_coop
from tests.gittools import commit, init_repo, short
from tests.sitetools import REPO, copy_example, serve_directory
from tests.firstvisit import draw_every_chart
from tests.test_browser import CHART_DRAWN
from tests.test_history import CHARTER
from tests.test_privacy import (
    PRIVATE_ROWS,
    VARIANTS,
    motions_minutes,
    reads_as_a_name,
    site_files,
)
from tests.test_serve import fetch_until, free_port
from tests.test_site import HOSTILE_ACCOUNTS

pytest.importorskip("zensical")

ENGINES = ("mkdocs", "zensical")
ATOM = "{http://www.w3.org/2005/Atom}"
#: What differs by engine and is not the publisher's: the theme's own files, each engine's
#: search index and sitemap, and the blog's pages (Zensical has no blog: docs/publishing.md).
_ENGINE_OWN = re.compile(
    r"^(assets/(javascripts|stylesheets|images)/|search/|search\.json$|sitemap\.xml(\.gz)?$"
    r"|404\.html$|stories/)"
)


def published(site: Path) -> set[str]:
    """Every file of a built site that the publisher is responsible for."""
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    return {f for f in files if not _ENGINE_OWN.match(f)}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example cooperative in a git repository of its own, committed on a fixed day."""
    root = copy_example(init_repo(tmp_path_factory.mktemp("example")))
    commit(root, "The books", "2026-11-20")
    return root


@pytest.fixture(scope="module")
def sites(example, tmp_path_factory) -> dict[str, Path]:
    built = {}
    for engine in ENGINES:
        result = build_site(example, tmp_path_factory.mktemp(engine) / "site", engine=engine)
        assert result.site_dir is not None, [p for p in result.problems if p.is_error]
        assert engine in result.timings
        built[engine] = result.site_dir
    return built


@pytest.fixture(scope="module")
def federation_sites(tmp_path_factory) -> dict[str, Path]:
    built = {}
    for engine in ENGINES:
        site = tmp_path_factory.mktemp(f"federation-{engine}") / "site"
        result = build_site(REPO / "examples/federation", site, today=TODAY, engine=engine)
        assert result.site_dir is not None, result.problems
        built[engine] = result.site_dir
    return built


def test_page_urls_and_relative_links_are_written_as_mkdocs_writes_them():
    from mkdocs.utils import get_relative_url

    assert page_url("index.md") == ""
    assert page_url("finances/index.md") == "finances/"
    assert page_url("finances/2025.md") == "finances/2025/"
    cases = [
        ("data/ledger.csv", "finances/2025/"),
        ("finances/", ""),
        ("", "finances/2025/"),
        ("feed.xml", "stories/posts/a/"),
        ("data/summary.json", "404.html"),
    ]
    for url, page in cases:
        assert relative_url(url, page) == get_relative_url(url, page), (url, page)


def test_both_engines_publish_the_same_generated_pages_and_data(sites):
    mkdocs, zensical = (published(sites[e]) for e in ENGINES)
    assert mkdocs == zensical
    assert {"finances/2025/index.html", "decisions/index.html", "data/ledger.csv"} <= zensical
    assert {"feed.xml", "decisions.xml", "data/datapackage.json", SITE_MARKER} <= zensical


@pytest.mark.parametrize("name", ["data/summary.json", "data/datapackage.json", "decisions.xml"])
def test_summary_and_data_package_are_identical(sites, name):
    assert (sites["mkdocs"] / name).read_bytes() == (sites["zensical"] / name).read_bytes()


def test_every_generated_page_links_only_to_files_of_the_site(sites):
    site = sites["zensical"]
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert 'href="publisher:' not in text and 'data-src="publisher:' not in text, path
    page = (site / "finances/2025/index.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|data-src)="(\.\./[^"#?]*)"', page)
    assert links
    for link in links:
        target = (site / "finances/2025" / link).resolve()
        assert target.is_file() or (target / "index.html").is_file(), link


def test_the_footer_names_the_commit_of_the_books_with_both_engines(example, sites):
    expected = f"Books at commit <code>{short(example)}</code> of 2026-11-20"
    for engine in ENGINES:
        for page in ("index.html", "finances/2025/index.html", "charter/index.html"):
            assert expected in (sites[engine] / page).read_text(encoding="utf-8"), (engine, page)


def test_the_feeds_are_written_and_advertised_on_every_page(sites):
    site = sites["zensical"]
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(list((REPO / "content/stories/posts").glob("*.md")))
    mkdocs_feed = ET.parse(sites["mkdocs"] / "feed.xml").getroot()
    # The same stories under the same ids (ids never depend on the engine or the address).
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        e.find(f"{ATOM}id").text for e in mkdocs_feed.findall(f"{ATOM}entry")
    }
    assert {e.find(f"{ATOM}title").text for e in entries} == {
        e.find(f"{ATOM}title").text for e in mkdocs_feed.findall(f"{ATOM}entry")
    }
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert (site / link / "index.html").is_file(), link
        assert entry.find(f"{ATOM}author/{ATOM}name").text  # the name from .authors.yml
    page = (site / "finances/2025/index.html").read_text(encoding="utf-8")
    head = page.split("</head>", 1)[0]
    assert 'type="application/atom+xml" title="Stories" href="../../feed.xml"' in head
    assert 'title="Decisions" href="../../decisions.xml"' in head


def test_stories_are_listed_on_the_stories_page_without_the_blog(sites):
    page = (sites["zensical"] / "stories/index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<ul class="publisher-stories">(.*?)</ul>', page, re.DOTALL)
    assert listed
    links = re.findall(r'href="([^"]+)"', listed[0])
    assert links[0] == "posts/2026-08-04-dust-extraction/"  # newest first
    assert len(links) == 4


def test_the_search_index_holds_the_generated_pages(sites):
    index = json.loads((sites["zensical"] / "search.json").read_text(encoding="utf-8"))
    locations = {item["location"].split("#")[0] for item in index["items"]}
    assert {"finances/2025/", "decisions/", "charter/"} <= locations
    assert (sites["mkdocs"] / "search/search_index.json").is_file()


def test_federation_sites_are_the_same_with_both_engines(federation_sites):
    mkdocs, zensical = (published(federation_sites[e]) for e in ENGINES)
    assert mkdocs == zensical
    assert any(name.startswith("members/") for name in zensical)
    for name in ("data/summary.json", "data/datapackage.json"):
        if (federation_sites["mkdocs"] / name).is_file():
            assert (federation_sites["mkdocs"] / name).read_bytes() == (
                federation_sites["zensical"] / name
            ).read_bytes(), name
    assert (federation_sites["zensical"] / "search.json").is_file()


_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">(.*?)</article>', re.DOTALL)


def page_reading(page: str) -> tuple[str, list[str]]:
    """What a reader gets from a page's article, whichever theme drew the rest: its visible
    text (headings' permalink marks left out) and the data its charts and tables are drawn
    from (every data-* attribute)."""
    match = _ARTICLE.search(page)
    assert match is not None
    article = re.sub(
        r'<a [^>]*class="headerlink"[^>]*>.*?</a>', "", match.group(1), flags=re.DOTALL
    )
    text = re.sub(r"<script\b.*?</script>|<[^>]+>", " ", article, flags=re.DOTALL)
    return " ".join(html.unescape(text).split()), sorted(
        re.findall(r'data-[a-z-]+="[^"]*"', article)
    )


@pytest.mark.parametrize("which", ["cooperative", "federation"])
def test_every_generated_file_and_page_reads_the_same_with_both_engines(
    sites, federation_sites, which
):
    built = sites if which == "cooperative" else federation_sites
    names = published(built["mkdocs"])
    pages = sorted(name for name in names if name.endswith(".html"))
    assert len(pages) >= (20 if which == "cooperative" else 7), pages  # 21 and 7 today
    data = sorted(name for name in names if name.startswith("data/"))
    assert ("data/summary.json" if which == "cooperative" else "data/federation.json") in data
    for name in sorted(names):
        mkdocs, zensical = (built[e] / name for e in ENGINES)
        if name.endswith(".html"):
            assert page_reading(mkdocs.read_text(encoding="utf-8")) == page_reading(
                zensical.read_text(encoding="utf-8")
            ), name
        elif name != "feed.xml":  # its links follow each engine's addresses of the stories
            assert mkdocs.read_bytes() == zensical.read_bytes(), name
    # The readings compared are not empty, and the year's page reads its figures and charts.
    for page in pages:
        assert page_reading((built["zensical"] / page).read_text(encoding="utf-8"))[0], page
    if which == "cooperative":
        text, attributes = page_reading(
            (built["zensical"] / "finances/2025/index.html").read_text(encoding="utf-8")
        )
        assert any(a.startswith("data-src=") for a in attributes), attributes
        assert re.search(r"\d[\d,]*\.\d\d", text)


def test_charts_draw_in_chromium_on_the_zensical_site(sites, browser):
    with serve_directory(sites["zensical"]) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            for path in ("finances/", "finances/2025/"):
                page.goto(url + path)
                draw_every_chart(page)
                page.wait_for_function(CHART_DRAWN, timeout=30_000)
                drawn = page.evaluate(
                    "Array.from(document.querySelectorAll('.publisher-chart__plot'))"
                    ".map(n => n.querySelectorAll('svg.main-svg').length)"
                )
                assert drawn and all(count > 0 for count in drawn), (path, drawn)
        finally:
            context.close()
    assert errors == []


def test_the_zensical_federation_site_draws_its_charts(federation_sites, browser):
    with serve_directory(federation_sites["zensical"]) as url:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if page.locator(".publisher-chart__plot").count():
                draw_every_chart(page)
                page.wait_for_function(CHART_DRAWN, timeout=30_000)
        finally:
            context.close()


def test_no_spelling_of_a_private_name_reaches_the_zensical_site(tmp_path):
    rows = PRIVATE_ROWS + "".join(
        f'2026-02-{i + 1:02d},"Paid {v} back",-1.00,rent,,,,,\n'
        for i, v in enumerate(VARIANTS)
        if '"' not in v
    )
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + rows,
            "content/index.md": "# Home\n",
            "content/minutes/2026-02-10.md": motions_minutes(VARIANTS),
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/news.md": "---\ndate: 2026-02-11\n---\n# News\n\nThe lathe is back.\n",
        },
    )
    result = build_site(root, today=TODAY, engine="zensical")
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    files = site_files(result.site_dir)
    assert {p.name for p, _ in files} >= {"ledger.csv", "search.json", "feed.xml", "decisions.xml"}
    for path, text in files:
        assert reads_as_a_name(text) == [], path


def test_a_name_that_only_rendering_reveals_stops_the_zensical_build(tmp_path):
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + PRIVATE_ROWS,
            "content/index.md": "# Home\n\n[Jane](index.md) Doe helped.\n",
        },
    )
    with pytest.raises(SiteError, match="index.html"):
        build_site(root, today=TODAY, engine="zensical")
    assert not (root / "site").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")]  # nothing left behind


def test_hostile_books_publish_no_live_markup_with_zensical(tmp_path):
    rows = (
        "2026-01-05,Dues,15.00,dues,,City Council,,,\n"
        '2026-01-07,"<script>alert(1)</script>",-10.00,rent,,City Council,,,\n'
        '2026-01-09,"[click](javascript:alert(3))",-6.00,rent,,,,,\n'
    )
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + rows,
            "content/index.md": "# Home\n\n<!-- publisher:key-figures -->\n",
            "content/notes.md": '---\ntitle: "Notes <img src=x onerror=alert(4)>"\n---\n\nText.\n',
        },
        HOSTILE_ACCOUNTS,
    )
    result = build_site(root, today=TODAY, engine="zensical")
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    for path in result.site_dir.rglob("*"):
        if path.suffix not in {".html", ".xml"}:  # the data keep the text as it is
            continue
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
        assert 'href="javascript:' not in text, path
    notes = (result.site_dir / "notes/index.html").read_text(encoding="utf-8")
    assert "Notes &lt;img src=x onerror=alert(4)&gt;" in notes  # shown as text, once escaped
    assert "Evil &lt;script&gt;" in (result.site_dir / "index.html").read_text(encoding="utf-8")


def test_a_failed_zensical_build_leaves_the_previous_site_untouched(tmp_path):
    root = write_coop(
        tmp_path,
        {"ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,15.00,dues,,,,,\n"},
    )
    (root / "content").mkdir()
    (root / "content/index.md").write_text("# Home\n", encoding="utf-8")
    first = build_site(root, today=TODAY, engine="zensical")
    assert first.site_dir is not None
    before = {
        p.relative_to(first.site_dir).as_posix(): p.read_bytes()
        for p in first.site_dir.rglob("*")
        if p.is_file()
    }
    # An extension Python-Markdown cannot load: Zensical stops.
    (root / "mkdocs.yml").write_text(
        "site_name: Test\ndocs_dir: content\nplugins:\n  - search\n  - publisher\n"
        "markdown_extensions:\n  - no_such_extension_anywhere\n",
        encoding="utf-8",
    )
    with pytest.raises(SiteError, match="Zensical"):
        build_site(root, today=TODAY, engine="zensical")
    after = {
        p.relative_to(first.site_dir).as_posix(): p.read_bytes()
        for p in first.site_dir.rglob("*")
        if p.is_file()
    }
    assert after == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")]


def test_publisher_build_engine_zensical_on_the_command_line(tmp_path):
    root = copy_example(tmp_path / "coop")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(root), "--engine", "zensical"])
    assert result.exit_code == 0, result.output
    assert (root / "site/finances/2025/index.html").is_file()
    assert (root / "site/search.json").is_file()
    assert f"To look at it: publisher serve --engine zensical {root} " in result.output
    unknown = runner.invoke(main, ["build", str(root), "--engine", "hugo"])
    assert unknown.exit_code == 2
    assert (root / "site/search.json").is_file()  # nothing was touched


def test_the_zensical_build_says_what_the_site_lacks(tmp_path, caplog):
    root = copy_example(tmp_path / "coop")
    with caplog.at_level("INFO", logger="mkdocs.plugins.publisher"):
        result = build_site(root, tmp_path / "site", engine="zensical")
    assert result.site_dir is not None
    assert NO_BLOG in caplog.messages


def test_the_zensical_build_says_which_settings_of_mkdocs_yml_it_leaves_out(tmp_path, caplog):
    config = (
        OWN_CONFIG.replace("  - publisher\n", "  - tags\n  - publisher\n").replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"
        )
        + "site_description: !ENV [DESCRIPTION, 'Tools']\n"
    )
    root = _own_config_coop(tmp_path / "coop", config)
    with caplog.at_level("INFO", logger="mkdocs.plugins.publisher"):
        result = build_site(root, tmp_path / "site", today=TODAY, engine="zensical")
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    notes = "\n".join(caplog.messages)
    assert "tags of mkdocs.yml is left out" in notes
    assert "theme.custom_dir" in notes
    assert "YAML tags (!ENV)" in notes


def test_serve_with_zensical_shows_the_problems_then_the_site_once_fixed(tmp_path):
    ledger = tmp_path / "ledgers" / "2026.csv"
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,<b>12</b>,dues,,,,,\n",
            "content/index.md": "# Home of the workshop\n",
        },
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", str(tmp_path)]
        + ["--address", f"127.0.0.1:{port}", "--engine", "zensical"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        problems = fetch_until(f"{base}/finances/2026/", "amount-invalid")
        assert "&lt;b&gt;12&lt;/b&gt;" in problems and "/livereload/" in problems
        ledger.write_text(LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n", encoding="utf-8")
        assert "€12.50" in fetch_until(f"{base}/finances/2026/", "€12.50", timeout=120)
        assert "Home of the workshop" in fetch_until(f"{base}/", "Home of the workshop")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert not (tmp_path / "site").exists()  # the preview writes no site of the cooperative


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_cooperative_in_another_language_gets_its_words_from_the_zensical_build(
    tmp_path, language
):
    """The footer, a page's "last changed" line, the theme's language and direction come from
    the shared tree functions, so a Zensical site speaks the cooperative's language too."""
    root = init_repo(tmp_path / "coop")
    write_coop(root, {}, ACCOUNTS + f"language: {language}\n")
    first = commit(
        root,
        "The books",
        "2026-11-20",
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,15.00,dues,,,,r1,\n",
            "content/index.md": "# Home\n\n<!-- publisher:key-figures -->\n",
            "content/charter.md": CHARTER,
        },
    )
    result = build_site(root, tmp_path / "site", today=TODAY, engine="zensical")
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    words = site_words(language)
    day = reader_date(dt.date(2026, 11, 20), language)
    footer = words.gettext("Books at commit %(commit)s of %(date)s") % {
        "commit": f"<code>{short(root)}</code>",
        "date": html.escape(day),
    }
    changed = words.gettext("Last changed on %(date)s in commit %(commit)s") % {
        "date": html.escape(day),
        "commit": f"<code>{short(root, first)}</code>",
    }
    assert "Books at commit" not in footer and "Last changed" not in changed  # translated
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    charter = (result.site_dir / "charter/index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in home
    assert footer in home and footer in charter
    assert changed in charter
    assert "Books at commit" not in home and "Last changed on" not in charter
    # The theme writes the direction on <body>: Material's "direction" is rtl for Arabic.
    direction = re.search(r"<body\b[^>]*\bdir=\"(\w+)\"", home)
    assert direction is not None and direction.group(1) == ("rtl" if language == "ar" else "ltr")


#: A cooperative's own mkdocs.yml: its copyright, and a navigation that already lists the
#: generated finances page under a name of its own.
OWN_CONFIG = (
    "site_name: Test Workshop\ndocs_dir: content\ncopyright: Shared by the workshop\n"
    "theme:\n  name: material\n"
    "nav:\n  - Home: index.md\n  - Our money: finances/index.md\n  - About: about.md\n"
    "plugins:\n  - search\n  - publisher\n"
)


def _own_config_coop(root: Path, config: str) -> Path:
    repo = init_repo(root)
    write_coop(repo, {"mkdocs.yml": config})
    commit(
        repo,
        "The books",
        "2026-11-20",
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,15.00,dues,,,,r1,\n",
            "content/index.md": "# Home\n",
            "content/about.md": "# About us\n",
        },
    )
    return repo


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_merge_the_cooperatives_navigation_and_footer_alike(tmp_path, engine):
    root = _own_config_coop(tmp_path / "coop", OWN_CONFIG)
    result = build_site(root, tmp_path / "site", today=TODAY, engine=engine)
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    primary = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', home, re.DOTALL)
    assert primary is not None
    labels = [
        re.sub(r"<[^>]+>|\s+", " ", label).strip()
        for label in re.findall(
            r'<a href="[^"]*" class="md-nav__link[^"]*">(.*?)</a>', primary.group(0), re.DOTALL
        )
    ]
    # Its own entries in its order; the generated finances section, whose page it lists
    # already, is not added again; the generated Data section, which it does not list, is.
    assert labels[:3] == ["Home", "Our money", "About"], labels
    assert "Finances" not in labels and "Data" in labels, labels
    assert (
        f"Shared by the workshop · Books at commit <code>{short(root)}</code> of 2026-11-20" in home
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_refuse_a_repo_url_that_is_not_a_safe_address(tmp_path, engine):
    # An address MkDocs' own check accepts; the theme would link it, unencrypted, on every page.
    config = OWN_CONFIG + 'repo_url: "http://git.example.org/workshop"\n'
    root = _own_config_coop(tmp_path / "coop", config)
    with pytest.raises(
        SiteError, match="repo_url 'http://git.example.org/workshop' must be an https://"
    ):
        build_site(root, tmp_path / "site", today=TODAY, engine=engine)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_federation_of_hostile_members_builds_with_each_engine_and_publishes_none_of_it(
    tmp_path, engine
):
    import os

    from tests.test_federation import SECRET, books, git_member, write_federation, write_files

    outside = write_files(tmp_path / "outside", {"secret.md": f"# {SECRET}\n"})
    good = books("Good", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    root = tmp_path / "fed"
    # A member whose pages hold a named pipe, and one whose page is larger than the limit.
    piped = write_files(root / "members/piped", books("Piped", {"dues": "income"}, []))
    (piped / "content").mkdir()
    os.mkfifo(piped / "content/notes.md")  # reading it would wait for a writer forever
    write_files(
        root / "members/huge",
        books("Huge", {"dues": "income"}, [])
        | {"content/huge.md": "# Huge\n" + ("words " * 170 + "\n") * 17_000},  # 17 MB
    )
    # Links out of a member: to a file outside, to /etc/passwd, to itself.
    linked = write_files(root / "members/linked", books("Linked", {"dues": "income"}, []))
    (linked / "content").mkdir()
    (linked / "content/outside.md").symlink_to(outside / "secret.md")
    (linked / "content/passwd.md").symlink_to("/etc/passwd")
    (linked / "content/loop.md").symlink_to("loop.md")
    # A git member with markup in a page's title, and one with markup in its name and its own
    # site settings pointing at the machine's files (a member's settings are never read).
    git_member(
        tmp_path / "repos/titled",
        books("Titled", {"dues": "income"}, [])
        | {"content/a.md": '---\ntitle: "<script>alert(1)</script>"\n---\n# A\n'},
    )
    git_member(
        tmp_path / "repos/named",
        {
            **good,
            "ledgers/accounts.yml": good["ledgers/accounts.yml"].replace(
                '"Good"', '"<script>alert(2)</script> Named"'
            ),
            "content/index.md": "# Named\n",
            "mkdocs.yml": f"site_name: {SECRET}\ndocs_dir: /etc\nplugins: [search, publisher]\n",
            "zensical.toml": f'[project]\nsite_name = "{SECRET}"\ndocs_dir = "/etc"\n',
        },
    )
    write_federation(
        root,
        "".join(
            f"  - id: {ident}\n    {where}\n"
            for ident, where in [
                ("piped", "path: members/piped"),
                ("huge", "path: members/huge"),
                ("linked", "path: members/linked"),
                ("titled", "repo: ../repos/titled"),
                ("named", "repo: ../repos/named"),
            ]
        ),
    )
    result = CliRunner().invoke(
        main, ["build", str(root), "--site-dir", str(tmp_path / "site"), "--engine", engine]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    reasons = {
        ident: line
        for line in result.output.splitlines()
        if "federation-member-invalid" in line
        for ident in ["piped", "huge", "linked", "titled", "named"]
        if f'"{ident}"' in line
    }
    assert "content/notes.md: [file-unreadable]" in reasons["piped"]
    assert "content/huge.md: [file-too-large]" in reasons["huge"]
    assert "symbolic link" in reasons["linked"]
    # A plain page's title is printed escaped (a story's with markup is refused); the
    # federation publishes no member's pages anyway: both git members are read.
    assert "titled" not in reasons and "named" not in reasons
    site = tmp_path / "site"
    texts = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in site.rglob("*")
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".csv", ".js")
    )
    assert "root:x:0:0" not in texts and SECRET not in texts
    assert "<script>alert" not in texts
    assert "&lt;script&gt;alert(2)&lt;/script&gt; Named" in texts  # the name, escaped


@pytest.mark.parametrize("engine", ENGINES)
def test_a_named_pipe_among_a_federations_own_pages_is_refused_not_waited_for(tmp_path, engine):
    import os

    from tests.test_federation import books, write_federation, write_files

    root = tmp_path / "fed"
    write_files(root / "members/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]))
    write_federation(root, "  - id: a\n    path: members/a\n")
    write_files(root, {"content/index.md": "# Federation\n", "pages/index.md": "# Federation\n"})
    os.mkfifo(root / "content/notes.md")
    os.mkfifo(root / "pages/notes.md")

    def build() -> subprocess.CompletedProcess:
        return subprocess.run(
            [Path(sys.executable).parent / "publisher", "build", str(root), "--engine", engine],
            capture_output=True,
            text=True,
            timeout=240,  # before the refusals, either engine waited for a writer forever
            check=False,
        )

    # Among content/: the loader reports it (it was read by no check before).
    done = build()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/notes.md: error: [file-unreadable]" in done.stdout
    # Among another docs_dir of mkdocs.yml: its pages are read and checked as content/'s.
    (root / "content/notes.md").unlink()
    write_files(
        root, {"mkdocs.yml": "site_name: F\ndocs_dir: pages\nplugins:\n  - search\n  - publisher\n"}
    )
    done = build()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pages/notes.md: error: [file-unreadable]" in done.stdout
    assert "Traceback" not in done.stderr
    assert not (root / "site").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_federations_own_pages_are_checked_as_a_cooperatives_are(tmp_path, engine):
    from tests.test_federation import books, write_federation, write_files

    root = tmp_path / "fed"
    write_files(root / "members/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]))
    write_federation(root, "  - id: a\n    path: members/a\n")
    page = "# Federation\n\n<script>alert(1)</script>\n\n[Go](javascript:alert(2))\n"
    write_files(root, {"content/index.md": page})
    (root / "content/passwd.md").symlink_to("/etc/passwd")
    result = build_site(root, tmp_path / "site", today=TODAY, engine=engine)
    assert result.site_dir is None and not (tmp_path / "site").exists()
    assert {(p.path, p.line, p.code) for p in result.problems if p.is_error} == {
        ("content/index.md", 3, "page-active-content"),
        ("content/index.md", 5, "page-active-content"),
        ("content/passwd.md", None, "file-symlink"),
    }
    # Fixed, it is built; a member's error would only have left the member out.
    write_files(root, {"content/index.md": "# Federation\n"})
    (root / "content/passwd.md").unlink()
    assert build_site(root, tmp_path / "site", today=TODAY, engine=engine).site_dir is not None


def _article_text(page: Path) -> str:
    """A built page's article as a reader reads it: without markup, permalink marks or the
    theme's buttons, whitespace collapsed."""
    found = re.search(r"<article\b[^>]*>(.*?)</article>", page.read_text("utf-8"), re.DOTALL)
    assert found is not None, page
    text = re.sub(
        r'<a class="headerlink"[^>]*>.*?</a>|<[^>]+>', " ", found.group(1), flags=re.DOTALL
    )
    return " ".join(html.unescape(text).split())


@pytest.mark.parametrize("kind", ["cooperative", "federation"])
def test_both_engines_publish_the_pages_of_the_docs_dir_mkdocs_yml_names(tmp_path, kind):
    from tests.test_federation import books, write_federation, write_files

    root = tmp_path / kind
    config = (
        "site_name: Pages\ndocs_dir: pages\ntheme:\n  name: material\n"
        "plugins:\n  - search\n  - publisher\n"
    )
    # content/ holds other pages: MkDocs publishes pages/, and so must Zensical.
    pages = {
        "content/index.md": "# Home from content\n",
        "content/about.md": "# About, from content\n",
        "pages/index.md": "# Home from pages\n\nThe pages folder of mkdocs.yml.\n",
        "pages/notes.md": "# Notes\n\nOnly in pages/.\n",
        "mkdocs.yml": config,
    }
    if kind == "cooperative":
        write_coop(
            init_repo(root),
            {"ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,15.00,dues,,,,,\n"},
        )
        commit(root, "The books", "2026-11-20", pages)
    else:
        write_files(
            root / "members/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
        )
        write_federation(root, "  - id: a\n    path: members/a\n")
        write_files(root, pages)
    sites = {}
    for engine in ENGINES:
        result = build_site(root, tmp_path / engine, today=TODAY, engine=engine)
        assert result.site_dir is not None, [p for p in result.problems if p.is_error]
        sites[engine] = result.site_dir
    mkdocs, zensical = (published(sites[e]) for e in ENGINES)
    assert mkdocs == zensical
    assert {"index.html", "notes/index.html"} <= zensical and "about/index.html" not in zensical
    for page in ("index.html", "notes/index.html"):
        texts = {engine: _article_text(sites[engine] / page) for engine in ENGINES}
        assert texts["mkdocs"] == texts["zensical"], page
    home = _article_text(sites["zensical"] / "index.html")
    assert home.startswith("Home from pages The pages folder of mkdocs.yml."), home
    assert "from content" not in home
    # A docs_dir outside the repository, or the repository itself, is refused with both.
    outside = write_files(tmp_path / "outside", {"index.md": "# Outside\n"})
    refusals = [
        ("../outside", "lies outside the repository"),
        (".", "docs_dir is the repository itself"),
        ("missing", "has no missing/ directory for the site's pages"),
    ]
    for docs_dir, said in refusals:
        (root / "mkdocs.yml").write_text(config.replace("pages", docs_dir, 1), encoding="utf-8")
        for engine in ENGINES:
            with pytest.raises(SiteError, match=said):
                build_site(root, tmp_path / f"refused-{engine}", today=TODAY, engine=engine)
            assert not (tmp_path / f"refused-{engine}").exists()
    assert (outside / "index.md").is_file()


def test_without_a_docs_dir_in_mkdocs_yml_both_engines_take_and_check_mkdocs_default_docs(
    tmp_path,
):
    # MkDocs reads docs/ when mkdocs.yml names no docs_dir: so does Zensical, and so do the checks.
    root = _own_config_coop(
        tmp_path / "coop",
        "site_name: Pages\ntheme:\n  name: material\nplugins: [search, publisher]\n",
    )
    pages = {"docs/index.md": "# Home from docs\n\n<script>alert(1)</script>\n"}
    commit(root, "Pages in docs/", "2026-11-21", pages)
    for engine in ENGINES:
        result = build_site(root, tmp_path / engine, today=TODAY, engine=engine)
        assert result.site_dir is None and not (tmp_path / engine).exists()
        assert ("docs/index.md", 3, "page-active-content") in {
            (p.path, p.line, p.code) for p in result.problems if p.is_error
        }
    commit(root, "Without the script", "2026-11-22", {"docs/index.md": "# Home from docs\n"})
    for engine in ENGINES:
        result = build_site(root, tmp_path / engine, today=TODAY, engine=engine)
        assert result.site_dir is not None, [p for p in result.problems if p.is_error]
        assert _article_text(result.site_dir / "index.html").startswith("Home from docs"), engine
        assert not (result.site_dir / "about/index.html").exists()  # content/about.md
