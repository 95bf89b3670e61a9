"""Members and participation on the self-government page (issue 16, item 4): the members at
each year's last count with where the count comes from, the attendance of every members' meeting,
the same figures in summary.json; small books written inline, figures computed by hand beside
each assertion. The page is also opened in Chromium at a phone's and a desktop's width, in both
palettes."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest

from publisher.charts import Chart
from publisher.cooperative import check_cooperative
from publisher.measures import membership
from publisher.problems import has_errors
from publisher.site.build import build_site
from publisher.site.governance_pages import sovereignty_page
from publisher.site.templating import site_language
from publisher.summary import summarize, summary_json
from tests.conftest import TODAY, write_coop
from tests.test_measures import LEDGER, MEASURES_HEADER, WITH_MEASURES


def minutes(date: str, members: int, present: int, title: str = "Assembly") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\nmembers: {members}\npresent: {present}\n---\n'


#: 2025: no count in measures.csv, two meetings (30 of 40, 11 of 44);
#: 2026: the members measure (51 in February, 58 on June 30) and one meeting (26 of 52).
BOOKS = {
    "ledgers/2026.csv": LEDGER,
    "ledgers/measures.csv": MEASURES_HEADER + "2026-06-30,members,58,,\n2026-02-01,members,51,,\n",
    "content/minutes/2025-03-01.md": minutes("2025-03-01", 40, 30, "Spring assembly"),
    "content/minutes/2025-10-01.md": minutes("2025-10-01", 44, 11, "Autumn assembly"),
    "content/minutes/2026-03-01.md": minutes("2026-03-01", 52, 26, "Annual general assembly"),
}


def checked(root: Path, files: dict[str, str], accounts: str = WITH_MEASURES):
    write_coop(root, files, accounts)
    cooperative, problems = check_cooperative(root, today=TODAY)
    assert not has_errors(problems), problems
    return cooperative


def rendered(cooperative) -> tuple[str, dict[str, Chart]]:
    charts: dict[str, Chart] = {}
    return sovereignty_page(cooperative, summarize(cooperative), charts), charts


def table_rows(page: str, css_class: str) -> list[list[str]]:
    """The cells of the table of `css_class`, as text, row by row."""
    table = re.search(rf'<table class="{css_class}">(.*?)</table>', page, re.DOTALL)
    assert table, f"no table {css_class}"
    body = table.group(1).split("<tbody>", 1)[1]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def test_members_per_year_say_where_each_count_comes_from(tmp_path):
    page, _ = rendered(checked(tmp_path, BOOKS))
    assert "## Members and participation" in page
    assert table_rows(page, "publisher-membership") == [
        # the last meeting's 44; attendance (30/40 + 11/44) / 2 = (75 % + 25 %) / 2 = 50 %
        ["2025", "44", "the minutes of the meeting of 2025-10-01", "2", "50%"],
        # the last reading of the members measure, 58 on June 30 (the meeting of March said 52);
        # attendance 26/52 = 50 %
        [
            "2026",
            "58",
            (
                "the members count of measures.csv, last read on 2026-06-30 "
                "(the year's last meeting recorded 52)"
            ),
            "1",
            "50%",
        ],
    ]


def test_each_meeting_shows_its_attendance_newest_first_with_a_link_to_its_minutes(tmp_path):
    page, _ = rendered(checked(tmp_path, BOOKS))
    assert table_rows(page, "publisher-assemblies") == [
        ["2026-03-01", "Annual general assembly", "26", "52", "50%"],  # 26 / 52
        ["2025-10-01", "Autumn assembly", "11", "44", "25%"],  # 11 / 44
        ["2025-03-01", "Spring assembly", "30", "40", "75%"],  # 30 / 40
    ]
    assert 'href="publisher:minutes/2025-10-01.md"' in page


def test_the_members_chart_has_one_bar_per_year_with_its_count(tmp_path):
    _, charts = rendered(checked(tmp_path, BOOKS))
    chart = charts["self-government-members"]
    assert chart.rows == [["2025", "44"], ["2026", "58"]]
    assert chart.figure["data"][0]["y"] == [44, 58]
    assert chart.summary == "Members in 2026: 58, against 44 in 2025."


def test_the_attendance_chart_has_one_bar_per_meeting_from_zero_to_a_hundred(tmp_path):
    _, charts = rendered(checked(tmp_path, BOOKS))
    chart = charts["self-government-attendance-by-meeting"]
    (bar,) = chart.figure["data"]
    # oldest first: 30/40 = 75 %, 11/44 = 25 %, 26/52 = 50 %
    assert bar["y"] == [Decimal("75.0"), Decimal("25.0"), Decimal("50.0")]
    assert bar["text"] == ["75\u00a0%", "25\u00a0%", "50\u00a0%"]
    assert bar["customdata"][1] == "2025-10-01: 25\u00a0% (11 of 44 members)"
    axis = chart.figure["layout"]["yaxis"]
    assert axis["range"] == [0, 100] and axis["rangemode"] == "tozero"
    assert chart.figure["layout"]["xaxis"]["ticktext"] == ["2025-03-01", "2025-10-01", "2026-03-01"]
    assert chart.rows == [
        ["2025-03-01", "30", "40", "75.0"],
        ["2025-10-01", "11", "44", "25.0"],
        ["2026-03-01", "26", "52", "50.0"],
    ]
    assert chart.summary == (
        "At the meeting of 2026-03-01, 26 of 52 members came: 50\u00a0%, "
        "against 25\u00a0% at the meeting of 2025-10-01."
    )


def test_attendance_bars_are_a_tenth_of_a_percent_and_read_as_whole_percents(tmp_path):
    books = {
        "ledgers/2026.csv": LEDGER,
        "content/minutes/2026-03-01.md": minutes("2026-03-01", 3, 2),  # 66.66… -> 66.7, 67 %
        "content/minutes/2026-06-01.md": minutes("2026-06-01", 8, 1),  # 12.5, half up 13 %
        # two meetings of one day are two bars: 1/7 = 14.28… -> 14.3, 14 %; 7/7 = 100 %
        "content/minutes/2026-09-01-a.md": minutes("2026-09-01", 7, 1),
        "content/minutes/2026-09-01-b.md": minutes("2026-09-01", 7, 7),
    }
    _, charts = rendered(checked(tmp_path, books))
    (bar,) = charts["self-government-attendance-by-meeting"].figure["data"]
    assert bar["y"] == [Decimal("66.7"), Decimal("12.5"), Decimal("14.3"), Decimal("100.0")]
    assert [t.replace("\u00a0", " ") for t in bar["text"]] == ["67 %", "13 %", "14 %", "100 %"]
    assert bar["x"] == ["meeting-1", "meeting-2", "meeting-3", "meeting-4"]


def test_the_meetings_table_is_folded_beneath_the_attendance_chart(tmp_path):
    page, _ = rendered(checked(tmp_path, BOOKS))
    chart = page.index('id="chart-self-government-attendance-by-meeting"')
    folded = page.index("<details>", chart)
    assert (
        folded
        < page.index('<table class="publisher-assemblies">')
        < page.index("</details>", folded)
    )
    # the minutes stay a link away, and the numbers a download away
    assert 'href="publisher:minutes/2026-03-01.md"' in page[folded:]
    assert "data/charts/self-government-attendance-by-meeting.csv" in page[folded:]
    # no blank line inside the chart's block, which would end Markdown's HTML block there
    block = page[chart : page.index("</details>", folded)]
    assert "\n\n" not in block


def test_summary_json_carries_the_figures_the_page_shows(tmp_path):
    cooperative = checked(tmp_path, BOOKS)
    data = summary_json(summarize(cooperative), None)["membership"]
    assert data["2025"] == {
        "members": "44",
        "source": "minutes",
        "as_of": "2025-10-01",
        "minutes_members": 44,
        "meetings": 2,
        "attendance": "0.5000",  # (0.75 + 0.25) / 2
        "assemblies": [
            {
                "date": "2025-03-01",
                "present": 30,
                "members": 40,
                "attendance": "0.7500",
            },
            {
                "date": "2025-10-01",
                "present": 11,
                "members": 44,
                "attendance": "0.2500",
            },
        ],
    }
    assert data["2026"]["members"] == "58" and data["2026"]["source"] == "measures.csv"
    assert data["2026"]["as_of"] == "2026-06-30" and data["2026"]["minutes_members"] == 52
    assert [a["attendance"] for a in data["2026"]["assemblies"]] == ["0.5000"]  # 26 / 52


def test_a_share_that_does_not_end_is_rounded_half_even_to_four_decimals(tmp_path):
    books = {
        "ledgers/2026.csv": LEDGER,
        "content/minutes/2026-03-01.md": minutes("2026-03-01", 3, 2),  # 0.6666… -> 0.6667
        "content/minutes/2026-09-01.md": minutes("2026-09-01", 7, 1),  # 0.142857… -> 0.1429
    }
    cooperative = checked(tmp_path, books)
    data = summary_json(summarize(cooperative), None)["membership"]["2026"]
    assert [a["attendance"] for a in data["assemblies"]] == ["0.6667", "0.1429"]
    # the average, (2/3 + 1/7) / 2 = 17/42 = 0.404761… -> 0.4048; on the page 40 %
    assert data["attendance"] == "0.4048"
    page, _ = rendered(cooperative)
    assert table_rows(page, "publisher-membership")[0][-1] == "40%"


def test_a_year_with_only_a_members_count_has_no_meeting_and_no_attendance(tmp_path):
    books = {
        "ledgers/2026.csv": LEDGER,
        "ledgers/measures.csv": MEASURES_HEADER + "2026-10-31,members,1250,,\n",
    }
    cooperative = checked(tmp_path, books, WITH_MEASURES)
    (year,) = membership(cooperative)
    assert (year.members, year.source, year.meetings, year.attendance) == (
        1250,
        "measures.csv",
        0,
        None,
    )
    page, _ = rendered(cooperative)
    assert table_rows(page, "publisher-membership") == [
        ["2026", "1,250", "the members count of measures.csv, last read on 2026-10-31", "0", "—"]
    ]
    assert "publisher-assemblies" not in page


def test_nothing_is_shown_without_minutes_or_a_members_count(tmp_path):
    page, charts = rendered(checked(tmp_path, {"ledgers/2026.csv": LEDGER}))
    assert "Members and participation" not in page
    assert "self-government-members" not in charts


def test_a_hostile_meeting_title_is_escaped(tmp_path):
    title = "<img src=x onerror=alert(1)> & {: onclick=1}"
    books = {
        "ledgers/2026.csv": LEDGER,
        "content/minutes/2026-03-01.md": minutes("2026-03-01", 10, 5, title),
    }
    page, _ = rendered(checked(tmp_path, books))
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; {: onclick=1}" in page
    assert table_rows(page, "publisher-assemblies")[0][1] == title


def test_the_built_page_shows_the_section_and_links_each_meeting(tmp_path):
    root = write_coop(tmp_path / "coop", BOOKS, WITH_MEASURES)
    result = build_site(root, tmp_path / "site")
    assert result.site_dir is not None, [p.code for p in result.problems]
    page = (tmp_path / "site" / "self-government" / "index.html").read_text(encoding="utf-8")
    assert 'id="members-and-participation"' in page
    assert 'href="../minutes/2025-10-01/"' in page
    assert (tmp_path / "site" / "data" / "charts" / "self-government-members.csv").read_text(
        encoding="utf-8"
    ) == "year,members\n2025,44\n2026,58\n"
    assert (
        tmp_path / "site" / "data" / "charts" / "self-government-attendance-by-meeting.csv"
    ).read_text(encoding="utf-8") == (
        "date,present,members,percent\n"
        "2025-03-01,30,40,75.0\n2025-10-01,11,44,25.0\n2026-03-01,26,52,50.0\n"
    )
    assert 'id="chart-self-government-attendance-by-meeting"' in page


# -- In the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    from tests.sitetools import serve_directory

    root = write_coop(tmp_path_factory.mktemp("participation") / "coop", BOOKS, WITH_MEASURES)
    served = tmp_path_factory.mktemp("served")
    with serve_directory(served) as url:
        result = build_site(root, served / "site", site_url=url + "site/")
        assert result.site_dir is not None, [p.code for p in result.problems]
        yield url + "site/"


def look_at(browser, url: str, width: int, palette: str):
    """A page as a reader sees it at `width` in `palette` (switched with the header's toggle, as
    a reader does): measured as tests/test_site_browser.py measures every page."""
    from tests.test_site_browser import (
        CHART_NODES,
        FORGET_PALETTE,
        PALETTE_TOGGLE,
        QUIET,
        _measure,
        _settle,
        _wait,
    )

    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 900}, color_scheme="light"
    )
    context.add_init_script(FORGET_PALETTE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url, wait_until="load")
        _settle(page)
        if palette == "dark":
            page.locator(PALETTE_TOGGLE).first.click()
            page.wait_for_function(
                "document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=10_000
            )
            _wait(
                page,
                f"{CHART_NODES}.every(n => n.dataset.drawn !== 'true' || n.dataset.theme === 'dark')",
                10_000,
            )
            _wait(page, QUIET, 5_000)
        seen = _measure(page)
        seen.errors = errors
        return seen
    finally:
        context.close()


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_self_government_page_in_the_browser(browser, served_site, width, palette):
    seen = look_at(browser, served_site + "self-government/", width, palette)
    assert not seen.wide and seen.page_width <= seen.viewport_width, seen.wide
    drawn = [c["id"] for c in seen.charts]
    assert "chart-self-government-members" in drawn
    assert "chart-self-government-attendance-by-meeting" in drawn
    assert all(c["drawn"] == "true" and c["svg"] > 0 for c in seen.charts), seen.charts
    assert {c["theme"] for c in seen.charts} == {palette}
    assert not seen.violations, seen.violations
    assert seen.errors == []


def test_the_members_section_is_written_in_the_sites_language(tmp_path):
    cooperative = checked(tmp_path, BOOKS)
    with site_language("fr"):
        page, charts = rendered(cooperative)
    assert "## Membres et participation" in page
    assert "### Participation à chaque assemblée" in page
    assert "<th>D'où vient le décompte</th>" in page.replace("&#39;", "'")
    # days in the site's language, as the chart writes them (the ISO day in <time datetime>)
    assert table_rows(page, "publisher-membership")[0][2] == (
        "le procès-verbal de l'assemblée du 1 oct. 2025"
    )
    assert [row[0] for row in table_rows(page, "publisher-assemblies")] == [
        "1 mars 2026",
        "1 oct. 2025",
        "1 mars 2025",
    ]
    assert '<time datetime="2025-10-01">1 oct. 2025</time>' in page
    assert charts["self-government-members"].title == "Membres"
    attendance = charts["self-government-attendance-by-meeting"]
    assert attendance.title == "Participation à chaque assemblée"
    assert attendance.summary.startswith("À l'assemblée du 1 mars 2026")
    assert "Members" not in page


def test_the_attendance_charts_days_in_arabic_begin_right_to_left(tmp_path):
    # Babel's Arabic day joins its parts with right-to-left marks; plotly's left-to-right text
    # showed "20\u200f/01\u200f/2024" as "202024/01/" under its bar (seen in Chromium) until
    # the text begins with one.
    cooperative = checked(tmp_path, BOOKS)
    with site_language("ar"):
        _, charts = rendered(cooperative)
    figure = charts["self-government-attendance-by-meeting"].figure
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks == [
        "\u200f01\u200f/03\u200f/2025",
        "\u200f01\u200f/10\u200f/2025",
        "\u200f01\u200f/03\u200f/2026",
    ]
    assert figure["data"][0]["customdata"][0].startswith("\u200f01\u200f/03\u200f/2025: 75")
    with site_language("fr"):
        _, charts = rendered(cooperative)
    assert (
        charts["self-government-attendance-by-meeting"].figure["layout"]["xaxis"]["ticktext"][0]
        == "1 mars 2025"
    )
