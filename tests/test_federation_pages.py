"""The federation's pages and the Changes pages, rendered from templates (issue 13).

Real temporary git repositories with fixed dates (tests.gittools), books written inline, and the
pages read back as the reader gets them: the Changes pages cut into pages of 20 commits and
folded per commit, hostile commit messages and member names escaped, the federation's charts
(Sankey colours for both palettes, the summary sentences checked by hand), and the built example
federation in Chromium at a phone's and a desktop's width.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from publisher.cooperative import load_cooperative
from publisher.federation import load_federation, parse_federation
from publisher.privacy import name_finder
from publisher.site.build import build_site
from publisher.site.federation_pages import (
    SANKEY_THEMES,
    categories_chart,
    federation_money,
    members_chart,
    solidarity_chart,
    where_chart,
)
from publisher.site.history_pages import COMMITS_PER_PAGE, changes_pages
from publisher.summary import summarize
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop
from tests.firstvisit import draw_every_chart
from tests.gittools import commit, fast_import, init_repo, short
from tests.sitetools import CHROMIUM, CHROMIUM_ARGS, REPO, serve_directory

HEADER = "date,description,amount,category,counterparty\n"


def ledger(*rows: str) -> str:
    return LEDGER_HEADER + "".join(row + "\n" for row in rows)


def rendered_changes(root: Path) -> dict[str, str]:
    cooperative, problems = load_cooperative(root, today=TODAY)
    assert cooperative is not None, problems
    return changes_pages(
        cooperative.history(), cooperative, summarize(cooperative), name_finder(cooperative)
    )


def folds(page: str) -> list[str]:
    """The one-line summary of each folded commit, in page order."""
    return re.findall(r"<details>\s*<summary>(.*?)</summary>", page)


def hrefs(fragment: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', fragment)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of an HTML text as a browser's parser reads it: (tag, attributes)."""
    parser = _Elements()
    parser.feed(text)
    return parser.found


def injected(text: str) -> list[str]:
    """What hostile text would have made live: script or img elements, event handlers,
    javascript: links."""
    found = []
    for tag, attrs in elements(text):
        if tag in ("script", "img") and "src" in attrs and "assets/" not in (attrs["src"] or ""):
            found.append(tag)
        found += [name for name in attrs if name.startswith("on")]
        found += [
            value
            for value in attrs.values()
            if value and value.strip().lower().startswith("javascript:")
        ]
    return found


def pager(page: str) -> str:
    (first, *_) = re.findall(r'<nav class="publisher-pager" aria-label="[^"]+">.*?</nav>', page)
    return first


# -- Changes to the books: pages of 20 commits, folded ------------------------------------------


@pytest.fixture(scope="module")
def long_history(tmp_path_factory) -> Path:
    """45 commits, commit n adding the row of day n: 3 pages (20, 20, 5)."""
    root = init_repo(tmp_path_factory.mktemp("history"))
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    rows: list[str] = []
    commits = []
    for number in range(1, 46):
        day = (start + dt.timedelta(days=number - 1)).date()
        rows.append(f"{day},Dues {number},{number}.00,dues,,,,r{number},")
        files = {"ledgers/2026.csv": ledger(*rows)}
        if number == 1:
            files["ledgers/accounts.yml"] = ACCOUNTS
            files["content/index.md"] = "# Home\n"
        commits.append((f"Commit {number}", files))
    fast_import(root, commits, start)
    return root


def test_45_commits_make_three_pages_newest_first(long_history):
    pages = rendered_changes(long_history)
    assert list(pages) == ["finances/changes.md", "finances/changes-2.md", "finances/changes-3.md"]
    titles = [
        [re.search(r"Commit (\d+)", fold).group(1) for fold in folds(text)]
        for text in pages.values()
    ]
    assert [len(t) for t in titles] == [COMMITS_PER_PAGE, COMMITS_PER_PAGE, 5]
    assert [int(n) for page in titles for n in page] == list(range(45, 0, -1))
    assert "(page 2 of 3)" in pages["finances/changes-2.md"].splitlines()[0]


def test_each_page_links_to_the_newer_and_older_pages(long_history):
    pages = rendered_changes(long_history)
    first, second, third = (pager(text) for text in pages.values())
    numbers = [
        "publisher:finances/changes.md",
        "publisher:finances/changes-2.md",
        "publisher:finances/changes-3.md",
    ]
    assert hrefs(first) == numbers + ["publisher:finances/changes-2.md"]
    assert hrefs(second) == ["publisher:finances/changes.md"] + numbers + [
        "publisher:finances/changes-3.md"
    ]
    assert hrefs(third) == ["publisher:finances/changes-2.md"] + numbers
    assert 'rel="prev"' not in first and 'rel="next"' not in third
    for number, nav in enumerate((first, second, third), start=1):
        current = re.findall(r'<a aria-current="page" href="([^"]*)">(\d+)</a>', nav)
        assert current == [(numbers[number - 1], str(number))]
    for text in pages.values():  # once above the commits and once below, each named
        labels = re.findall(r'<nav class="publisher-pager" aria-label="([^"]+)">', text)
        assert len(labels) == 2 and len(set(labels)) == 2


@pytest.fixture(scope="module")
def long_history_site(long_history, tmp_path_factory) -> Path:
    result = build_site(long_history, tmp_path_factory.mktemp("history-site") / "site", today=TODAY)
    assert result.site_dir is not None, result.problems
    return result.site_dir


def test_the_built_pages_resolve_their_links(long_history, long_history_site):
    site = long_history_site
    page = (site / "finances/changes-2/index.html").read_text(encoding="utf-8")
    nav = pager(page)
    assert 'href="../changes/" rel="prev"' in nav and 'href="../changes-3/" rel="next"' in nav
    assert (site / "finances/changes-3/index.html").is_file()
    newest = (site / "finances/changes/index.html").read_text(encoding="utf-8")
    assert short(long_history) in newest and "Commit 45" in newest and "Commit 25" not in newest


def test_a_commit_folds_into_one_summary_line_with_counts_and_net_effect(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {"content/index.md": "# Home\n"})
    dues, rent = (
        "2026-01-05,Dues January,15.00,dues,,,,r1,",
        "2026-01-06,Rent January,-400.00,rent,,,,r2,",
    )
    commit(tmp_path, "Books of January", "2026-01-10", {"ledgers/2026.csv": ledger(dues, rent)})
    second = commit(
        tmp_path,
        "Rent corrected, dues refunded\n\nThe landlord's letter of 2 February.",  # the subject only
        "2026-02-10",
        {"ledgers/2026.csv": ledger(rent.replace("-400.00", "-420.00"))},
    )
    (page,) = rendered_changes(tmp_path).values()
    newest, oldest = folds(page)
    # -20.00 more rent, 15.00 of dues gone: the funds lost 35.00.
    assert html.unescape(re.sub(r"<[^>]+>", "", newest)) == (
        "2026-02-10: Rent corrected, dues refunded · 1 changed, 1 removed · net -€35.00"
    )
    assert (
        html.unescape(re.sub(r"<[^>]+>", "", oldest))
        == "2026-01-10: Books of January · 2 added · net -€385.00"
    )
    fold = page[page.index(f'id="commit-{second[:7]}"') :].split("</details>")[0]
    assert "landlord" not in page
    assert f"<code>{second}</code>" in fold
    assert re.findall(r"<td>(changed, before|after|removed)</td>", fold) == [
        "changed, before",
        "after",
        "removed",
    ]
    assert (
        '<div class="publisher-scroll" tabindex="0" role="region" aria-label="Rows changed by commit'
        in fold
    )
    assert (
        '<td>Rent January</td><td class="publisher-amount">-€420.00</td><td>rent</td><td>Day-to-day</td>'
        in fold
    )
    assert "\n\n" not in fold  # one raw HTML block: a blank line would end it


HOSTILE_MESSAGE = '<img src=x onerror="alert(1)"> [x](javascript:alert(2)) {: onclick="alert(3)" } <script>alert(4)</script>'


def test_hostile_commit_messages_are_escaped(tmp_path):
    init_repo(tmp_path)
    write_coop(tmp_path, {"content/index.md": "# Home\n"})
    commit(
        tmp_path,
        HOSTILE_MESSAGE,
        "2026-01-10",
        {"ledgers/2026.csv": ledger("2026-01-05,<b>Dues</b>,15.00,dues,,,,r1,")},
    )
    (page,) = rendered_changes(tmp_path).values()
    assert "<img" not in page and "<script>" not in page and "<b>" not in page
    assert (
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
        and "&lt;script&gt;alert(4)&lt;/script&gt;" in page
    )
    site = build_site(tmp_path, tmp_path / "site", today=TODAY).site_dir
    built = (site / "finances/changes/index.html").read_text(encoding="utf-8")
    article = built[built.index("<article") : built.index("</article>")]
    assert injected(article) == []
    assert "&lt;img src=x onerror=" in article and "&lt;script&gt;alert(4)" in article


# -- The federation's pages -----------------------------------------------------------------------


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
    return root


def member_books(name: str, categories: dict[str, str], rows: list[str]) -> dict[str, str]:
    lines = [f"name: {json.dumps(name)}", "currency: EUR", "categories:"]
    lines += [f"  {key}: {{kind: {kind}}}" for key, kind in categories.items()]
    return {
        "ledgers/accounts.yml": "\n".join(lines) + "\n",
        "ledgers/cash.csv": HEADER + "".join(r + "\n" for r in rows),
    }


HOSTILE_NAME = '<img src=x onerror="alert(1)"> Bakery & {: onclick="x" }'
CATEGORIES = {
    "dues": "income",
    "sales": "income",
    "rent": "expense",
    "help": "expense",
    "gifts": "income",
}
FEDERATION = """\
name: Valley
currency: EUR
categories:
  dues: {kind: income, label: Membership dues}
  sales: {kind: income, label: Fees and sales}
  rent: {kind: expense, label: Premises}
  help: {kind: expense, label: Solidarity given}
  gifts: {kind: income, label: Solidarity received}
members:
  - id: bakery
    path: bakery
  - id: garden
    path: garden
"""
BAKERY = [
    "2025-02-01,Dues,100.00,dues,",
    "2025-03-01,Rent,-300.00,rent,",
    "2026-02-01,Bread,900.00,sales,",
    "2026-03-01,Rent,-320.00,rent,",
    "2026-05-01,To the garden,-150.00,help,@garden",
]
GARDEN = [
    "2025-02-01,Dues,50.00,dues,",
    "2026-02-01,Dues,60.00,dues,",
    "2026-04-01,Vegetables,200.00,sales,",
    "2026-05-01,From the bakery,150.00,gifts,@bakery",
]


@pytest.fixture(scope="module")
def valley(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("valley")
    write_files(root / "bakery", member_books(HOSTILE_NAME, CATEGORIES, BAKERY))
    write_files(root / "garden", member_books("Garden", CATEGORIES, GARDEN))
    (root / "federation.yml").write_text(FEDERATION, encoding="utf-8")
    return root


def test_chart_summaries_say_the_largest_and_the_change_against_the_year_before(valley):
    federation = load_federation(valley, today=TODAY)
    money = federation_money(federation)
    # Net 2025: bakery 100 - 300 = -200, garden 50; 2026: bakery 900 - 320 = 580 (money between
    # members left out), garden 60 + 200 = 260. Together -150 then 840: 990 more.
    assert members_chart(federation, money).summary == (
        f"In 2026, {HOSTILE_NAME} had the largest net result (€580.00); all members together "
        "€840.00, €990.00 more than in 2025."
    )
    # Income 2025: 150 (dues); 2026: 60 dues + 1100 sales = 1160, 1010 more; largest: sales.
    assert categories_chart(federation, money, "income").summary == (
        "In 2026 the income of all members was €1,160.00, €1,010.00 more than in 2025; the "
        "largest category was Fees and sales (€1,100.00)."
    )
    assert categories_chart(federation, money, "expense").summary == (
        "In 2026 the expense of all members was €320.00, €20.00 more than in 2025; the largest "
        "category was Premises (€320.00)."
    )
    # 1100 of 1160 is 94.8%; 320 of 320 is all of it.
    where = where_chart(federation, money, "2026")
    assert where.summary == (
        "In 2026 the largest income was Fees and sales (€1,100.00, 95% of income) and the "
        "largest expense was Premises (€320.00, 100% of expense)."
    )
    assert solidarity_chart(federation, money).summary == (
        f"Members paid each other €150.00 over all years; the largest payment was from "
        f"{HOSTILE_NAME} to Garden (€150.00)."
    )


def test_where_the_money_went_is_sorted_labelled_bars_from_zero(valley):
    federation = load_federation(valley, today=TODAY)
    where = where_chart(federation, federation_money(federation), "2026")
    income, expense = where.figure["data"]
    assert income["orientation"] == "h" and income["y"] == [
        "Fees and sales (income)",
        "Membership dues (income)",
    ]
    assert [str(x) for x in income["x"]] == ["1100.00", "60.00"]
    assert income["text"] == ["€1,100.00", "€60.00"]  # a small chart: values on the bars
    assert expense["y"] == ["Premises (expense)"]
    assert where.figure["layout"]["xaxis"]["rangemode"] == "tozero"
    assert where.rows == [
        ["Income", "sales", "1100.00"],
        ["Income", "dues", "60.00"],
        ["Expense", "rent", "320.00"],
    ]
    net = members_chart(federation, federation_money(federation))
    assert net.figure["layout"]["yaxis"]["rangemode"] == "tozero"
    # Room for the upright values: 1.4 times the highest net (580.00) and the lowest (-200.00).
    assert [str(v) for v in net.figure["layout"]["yaxis"]["range"]] == ["-280.000", "812.000"]
    assert [t["text"] for t in net.figure["data"]] == [
        ["-€200.00", "€580.00"],
        ["€50.00", "€260.00"],
    ]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _over(rgba: str, background: tuple[int, int, int]) -> tuple[float, float, float]:
    r, g, b, a = (float(x) for x in re.fullmatch(r"rgba\((.*)\)", rgba).group(1).split(","))
    return tuple(a * c + (1 - a) * bg for c, bg in zip((r, g, b), background))  # type: ignore[return-value]


#: The page backgrounds of Material's two palettes (default: white; slate: hsl(225, 15%, 14%)).
PALETTES = {"light": (255, 255, 255), "dark": (0x1E, 0x21, 0x29)}


def test_the_sankey_links_are_coloured_for_both_palettes(valley):
    federation = load_federation(valley, today=TODAY)
    chart = solidarity_chart(federation, federation_money(federation))
    (trace,) = chart.figure["data"]
    (themed,) = chart.figure["themes"]
    assert themed["trace"] == 0 and set(themed) == {"trace", "light", "dark"}
    # plotly's own default is white links on a transparent background: invisible on white.
    assert trace["link"]["color"] == themed["light"]["link.color"]
    for palette, background in PALETTES.items():
        colour = themed[palette]["link.color"]
        assert _contrast(_over(colour, background), background) >= 3, palette
        assert themed[palette]["textfont.shadow"]
    assert themed["light"]["link.color"] != themed["dark"]["link.color"]
    assert trace["node"]["label"] == [
        f"{HOSTILE_NAME.replace('<', '‹').replace('>', '›')} pays",
        "Garden receives",
    ]


@pytest.fixture(scope="module")
def valley_site(valley, tmp_path_factory):
    result = build_site(valley, tmp_path_factory.mktemp("valley-site") / "site", today=TODAY)
    assert result.site_dir is not None, result.problems
    return result.site_dir


def test_hostile_member_names_are_escaped_on_every_page(valley_site):
    for relative in [
        "index.html",
        "members/bakery/index.html",
        "members/garden/index.html",
        "reconciliation/index.html",
    ]:
        text = (valley_site / relative).read_text(encoding="utf-8")
        assert injected(text) == [], relative
        assert "&lt;img src=x onerror=" in text, relative
    member = (valley_site / "members/bakery/index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", member).group(1)
    assert title.startswith("&lt;img src=x") and html.unescape(title).startswith(HOSTILE_NAME)
    heading = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", member).group(1)
    assert html.unescape(heading) == HOSTILE_NAME


def test_readers_see_labels_and_names_while_the_downloads_keep_keys(valley_site):
    member = (valley_site / "members/garden/index.html").read_text(encoding="utf-8")
    assert '<td>2026</td><td>Fees and sales</td><td class="publisher-amount">€200.00</td>' in member
    assert (
        "<td>2026</td><td>Solidarity received</td>" not in member
    )  # money between members is apart
    reconciliation = (valley_site / "reconciliation/index.html").read_text(encoding="utf-8")
    assert '<a href="../members/garden/">Garden</a>' in reconciliation
    assert (
        '<td class="publisher-amount">-€150.00</td><td class="publisher-amount">+€150.00</td>'
        in reconciliation
    )
    csv = (valley_site / "data/charts/federation-flows-2026.csv").read_text(encoding="utf-8")
    assert csv.splitlines() == [
        "side,category,amount",
        "Income,sales,1100.00",
        "Income,dues,60.00",
        "Expense,rent,320.00",
    ]


def test_a_category_label_that_is_not_text_is_federation_value_invalid_at_its_line():
    text = textwrap.dedent(
        """\
        name: Valley
        currency: EUR
        categories:
          dues: {kind: income, label: [a, b]}
          rent: {kind: expense, label: Premises}
        members:
          - id: a
            path: a
        """
    )
    config, problems = parse_federation(text)
    assert config is None
    assert codes_at(problems) == {("federation.yml", 4, "federation-value-invalid")}
    config, problems = parse_federation(text.replace("label: [a, b]", "label: Dues"))
    assert problems == [] and config is not None
    assert [config.label(k) for k in ("dues", "rent", "other-income")] == [
        "Dues",
        "Premises",
        "Other income",
    ]


# -- The example federation in Chromium -------------------------------------------------------------

PAGE_KINDS = [
    "",
    "members/northbank/",
    "members/riverside/",
    "reconciliation/",
    "warnings/",
    "data/",
]


@pytest.fixture(scope="module")
def example_federation(tmp_path_factory):
    site = tmp_path_factory.mktemp("example-federation") / "site"
    result = build_site(REPO / "examples/federation", site, today=TODAY)
    assert result.site_dir is not None, result.problems
    with serve_directory(result.site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_no_federation_page_scrolls_sideways(chromium, example_federation, width):
    page = chromium.new_page(viewport={"width": width, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    wide = {}
    for path in PAGE_KINDS:
        page.goto(example_federation + path)
        page.wait_for_load_state("networkidle")
        if path == "":
            draw_every_chart(page)  # each chart is drawn once it comes near the viewport
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.publisher-chart__plot')).every(n => n.dataset.drawn === 'true')",
                timeout=30_000,
            )
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    page.close()
    assert wide == {} and errors == []


def test_the_sankey_links_follow_the_palette_in_the_browser(chromium, example_federation):
    page = chromium.new_page(viewport={"width": 1366, "height": 900})
    page.goto(example_federation)
    drawn = (
        "document.querySelector('#chart-solidarity .publisher-chart__plot').dataset.theme === '%s'"
    )
    draw_every_chart(page)
    page.wait_for_function(drawn % "light", timeout=30_000)
    fills = "Array.from(document.querySelectorAll('#chart-solidarity .sankey-link')).map(n => n.style.fill)"
    light = set(page.evaluate(fills))
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    page.wait_for_function(drawn % "dark", timeout=10_000)
    dark = set(page.evaluate(fills))
    page.close()

    def opaque(rgba: str) -> str:  # the browser writes the fill without its alpha first
        return "rgb(" + ", ".join(re.fullmatch(r"rgba\((.*)\)", rgba).group(1).split(", ")[:3])

    rgb = {name: opaque(theme["link.color"]) for name, theme in SANKEY_THEMES.items()}
    assert light and dark and light != dark
    assert all(fill.startswith(rgb["light"]) for fill in light), light
    assert all(fill.startswith(rgb["dark"]) for fill in dark), dark


def test_the_changes_pages_fit_a_phone_with_every_commit_open(chromium, long_history_site):
    with serve_directory(long_history_site) as url:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        widths = {}
        for path in ["finances/changes/", "finances/changes-3/"]:
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            folded = page.evaluate("document.documentElement.scrollHeight")
            page.evaluate(
                "document.querySelectorAll('.publisher-changeset details').forEach(d => d.open = true)"
            )
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
            assert (
                page.evaluate("document.documentElement.scrollHeight") > folded
            )  # the rows were folded
        page.close()
    assert widths == {"finances/changes/": 390, "finances/changes-3/": 390}


def test_a_federation_with_a_story_builds_without_a_cooperatives_summary(tmp_path):
    # A federation's site has no summary of its own (no name for a stories feed); a post in
    # content/stories/ once made the build read one.
    root = tmp_path / "valley"
    write_files(root / "bakery", member_books("Bakery", CATEGORIES, BAKERY))
    write_files(root / "garden", member_books("Garden", CATEGORIES, GARDEN))
    (root / "federation.yml").write_text(FEDERATION, encoding="utf-8")
    write_files(
        root / "content",
        {
            "index.md": "# Valley\n",
            "stories/index.md": "# Stories\n",
            "stories/posts/assembly.md": "---\ndate: 2026-03-16\n---\n\n# The assembly met\n",
        },
    )
    result = build_site(root, tmp_path / "site", today=TODAY)
    assert result.site_dir is not None, result.problems
    assert (result.site_dir / "index.html").is_file()
