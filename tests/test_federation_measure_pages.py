"""What a federation's members do, on its pages (issue 16, item 5): the federation's measures
summed where the units match, each member's cost per unit side by side, the measures left out
and why, the collective assets per member and in total; on each member's page its own. Members
are local directories written by the test (tests/test_federation_measures.py); figures computed
by hand beside each assertion. The overview is also opened in Chromium at a phone's and a
desktop's width, in both palettes."""

from __future__ import annotations

import html
import json
import re

import pytest

from publisher.federation import federation_json, load_federation
from publisher.site.build import build_site
from publisher.site.templating import site_language
from publisher.site.federation_pages import (
    federation_charts,
    federation_money,
    measure_charts,
    member_page,
    member_page_data,
    overview_fragment,
    overview_page,
)
from tests.conftest import TODAY
from tests.test_federation import member, write_federation, write_files
from tests.test_federation_measures import CATEGORIES, SOLAR, WIND, federation
from tests.test_participation_pages import look_at


#: Windy Hill's heat, named by its label in Windy Hill's accounts.yml and the federation's kwh
#: by its label in federation.yml
HEAT_LEFT_OUT = (
    "Heat: counted in MWh, while the federation counts Electricity produced in kWh "
    "(units are never converted)"
)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def shown(rows) -> list[tuple]:
    return [(r.year, r.member.name, r.quantity, r.cost, r.cost_per_unit, r.saved) for r in rows]


def test_the_overview_sums_a_measure_and_sets_each_members_cost_per_unit_beside_it(tmp_path):
    fed = federation(tmp_path)
    page = overview_page(fed, federation_money(fed), [])
    (section,) = page.measures
    assert (section.key, section.label, section.unit) == ("kwh", "Electricity produced", "kWh")
    # 1200 + 800.5 (Sunny Roofs) + 400 (Windy Hill's energy, in KWH, mapped to kwh)
    assert section.totals == [("2026", "2,400.5")]
    assert shown(section.rows) == [
        # 200.00 upkeep / 2000.5 kWh = 0.0999750… -> 0.099975; saved 0.30 × 2000.5 - 200.00
        ("2026", "Sunny Roofs", "2,000.5", "€200.00", "€0.099975", "+€400.15"),
        # 100.00 / 400 = 0.25; no reference price, nothing saved
        ("2026", "Windy Hill", "400", "€100.00", "€0.25", "—"),
    ]
    # Windy Hill's heat is in MWh: left out, not converted
    assert [(u.member.name, u.reasons) for u in page.unmatched] == [("Windy Hill", [HEAT_LEFT_OUT])]


def test_the_overview_counts_collective_assets_per_member_and_in_total(tmp_path):
    fed = federation(tmp_path)
    page = overview_page(fed, federation_money(fed), [])
    # Sunny Roofs' panels (3000.00 on 2026-02-01, row s-2); Windy Hill keeps no assets.csv
    assert [
        (a.year, a.member.name if a.member else None, a.created, a.cost) for a in page.assets
    ] == [
        ("2026", "Sunny Roofs", 1, "€3,000.00"),
        ("2026", None, 1, "€3,000.00"),
    ]
    fragment = overview_fragment(fed, federation_money(fed), [])
    assert "## Collective assets" in fragment
    assert "All members 1 €3,000.00" in text_of(fragment)


def test_the_measure_chart_stacks_the_members_so_that_a_bar_is_their_sum(tmp_path):
    fed = federation(tmp_path)
    chart = measure_charts(fed)["kwh"]
    assert chart.id == "federation-measure-1"
    assert chart.rows == [["solar", "2026", "2000.5"], ["wind", "2026", "400"]]
    assert [t["y"] for t in chart.figure["data"]] == [[2000.5], [400]]
    assert chart.figure["layout"]["barmode"] == "stack"
    assert chart.summary == (
        "In 2026 the members together counted 2,400.5 kWh (Electricity produced); "
        "Sunny Roofs the most (2,000.5 kWh)."
    )


def test_a_members_page_shows_its_measures_what_is_left_out_and_its_assets(tmp_path):
    fed = federation(tmp_path)
    money = federation_money(fed)
    wind = member_page_data(fed, member(fed, "wind"), money)
    assert shown(wind.measures) == [("2026", "Windy Hill", "400", "€100.00", "€0.25", "—")]
    assert wind.unmatched == [HEAT_LEFT_OUT]
    assert wind.assets == []
    solar = member_page(fed, member(fed, "solar"), money)
    text = text_of(solar)
    assert "2026 Electricity produced 2,000.5 kWh €200.00 €0.099975 per kWh +€400.15" in text
    assert "## Collective assets" in solar and "2026 1 €3,000.00" in text


def test_a_measure_no_federation_measure_takes_is_listed_as_not_counted(tmp_path):
    bakery = dict(WIND)
    bakery["ledgers/accounts.yml"] = (
        WIND["ledgers/accounts.yml"]
        .replace("name: Windy Hill", "name: Bakery")
        .replace("  heat: {label: Heat, unit: MWh}\n", "  loaves: {label: Loaves, unit: loaves}\n")
    )
    bakery["ledgers/measures.csv"] = "date,measure,quantity\n2026-05-31,loaves,900\n"
    write_files(tmp_path / "bakery", bakery)
    root = write_federation(
        tmp_path / "fed",
        "  - id: bakery\n    path: ../bakery\n    map: {upkeep: running}\n",
        categories=CATEGORIES,
    )
    fed = load_federation(root, today=TODAY)
    # loaves are not the federation's kwh, and nothing maps them (energy has no rows: nothing
    # counted, nothing left out)
    assert member(fed, "bakery").unmatched_measures == [
        {
            "measure": "loaves",
            "label": "Loaves",
            "unit": "loaves",
            "reason": "no-federation-measure",
        }
    ]
    page = overview_page(fed, federation_money(fed), [])
    assert page.measures == []  # no member counts kwh: no empty table
    fragment = overview_fragment(fed, federation_money(fed), [])
    assert "Not counted" in fragment
    assert "Loaves: the federation counts no measure of that name" in fragment
    assert federation_json(fed)["members"]["bakery"]["unmatched_measures"] == [
        {"measure": "loaves", "unit": "loaves", "reason": "no-federation-measure"}
    ]


def bakery_federation(tmp_path, label: str = "Loaves", mapping: str = ""):
    """A bakery counting loaves (labelled `label` in its accounts.yml) in a federation of kwh;
    `mapping`: the entry's `measures:` line."""
    bakery = dict(WIND)
    bakery["ledgers/accounts.yml"] = (
        WIND["ledgers/accounts.yml"]
        .replace("name: Windy Hill", "name: Bakery")
        .replace(
            "  heat: {label: Heat, unit: MWh}\n",
            f"  loaves: {{label: {json.dumps(label)}, unit: loaves}}\n",
        )
    )
    bakery["ledgers/measures.csv"] = "date,measure,quantity\n2026-05-31,loaves,900\n"
    write_files(tmp_path / "bakery", bakery)
    root = write_federation(
        tmp_path / "fed",
        f"  - id: bakery\n    path: ../bakery\n    map: {{upkeep: running}}\n{mapping}",
        categories=CATEGORIES,
    )
    return load_federation(root, today=TODAY)


def test_a_measure_mapped_to_one_the_federation_does_not_declare_says_so(tmp_path):
    fed = bakery_federation(tmp_path, mapping="    measures: {loaves: bread}\n")
    assert member(fed, "bakery").unmatched_measures == [
        {
            "measure": "loaves",
            "label": "Loaves",
            "unit": "loaves",
            "reason": "mapped-to-undeclared",
            "federation_measure": "bread",
        }
    ]
    (item,) = overview_page(fed, federation_money(fed), []).unmatched
    assert item.reasons == [
        "Loaves: federation.yml maps it to “bread”, a measure the federation does not declare"
    ]
    assert federation_json(fed)["members"]["bakery"]["unmatched_measures"] == [
        {
            "measure": "loaves",
            "unit": "loaves",
            "reason": "mapped-to-undeclared",
            "federation_measure": "bread",
        }
    ]


def test_a_hostile_measure_label_is_escaped_where_it_is_left_out(tmp_path):
    label = "<img src=x onerror=alert(1)> & co"
    fed = bakery_federation(tmp_path, label=label)
    money = federation_money(fed)
    for fragment in (
        overview_fragment(fed, money, []),
        member_page(fed, member(fed, "bakery"), money),
    ):
        assert "<img" not in fragment
        assert "&lt;img src=x onerror=alert(1)&gt; &amp; co: the federation counts" in fragment


def test_the_reasons_a_measure_is_left_out_are_written_in_the_federations_language(tmp_path):
    fed = federation(tmp_path)
    money = federation_money(fed)
    with site_language("de"):
        (item,) = overview_page(fed, money, []).unmatched
        wind = member_page_data(fed, member(fed, "wind"), money)
    german = (
        "Heat: gezählt in MWh, während der Verbund Electricity produced in kWh zählt "
        "(Einheiten werden nie umgerechnet)"
    )
    assert item.reasons == [german] and wind.unmatched == [german]
    fed = bakery_federation(tmp_path / "bakery-fed")
    with site_language("fr"):
        (item,) = overview_page(fed, federation_money(fed), []).unmatched
    french = (
        "Loaves : la fédération ne compte aucune mesure de ce nom, et federation.yml ne "
        "l’associe à aucune"
    )
    assert item.reasons == [french]


def test_federation_json_carries_each_members_assets_and_measures_left_out(tmp_path):
    data = federation_json(federation(tmp_path))
    assert data["members"]["solar"]["assets"] == {"2026": {"created": 1, "cost": "3000.00"}}
    assert "assets" not in data["members"]["wind"]
    assert "unmatched_measures" not in data["members"]["solar"]
    # keys, units and the reason's code: the same whatever the federation's language
    assert data["members"]["wind"]["unmatched_measures"] == [
        {
            "measure": "heat",
            "unit": "MWh",
            "reason": "unit-differs",
            "federation_measure": "kwh",
            "federation_unit": "kWh",
        }
    ]


def test_nothing_is_shown_without_measures_or_assets(tmp_path):
    write_files(tmp_path / "wind", {**WIND, "ledgers/measures.csv": "date,measure,quantity\n"})
    root = write_federation(
        tmp_path / "fed",
        "  - id: wind\n    path: ../wind\n    map: {upkeep: running}\n",
        categories=CATEGORIES.split("measures:")[0],
    )
    fed = load_federation(root, today=TODAY)
    money = federation_money(fed)
    fragment = overview_fragment(fed, money, [])
    assert "What the members do" not in fragment and "Collective assets" not in fragment
    page = member_page(fed, member(fed, "wind"), money)
    assert "What it does" not in page and "Collective assets" not in page
    assert measure_charts(fed) == {}


def test_hostile_member_names_labels_and_units_are_escaped(tmp_path):
    solar = dict(SOLAR)
    solar["ledgers/accounts.yml"] = (
        SOLAR["ledgers/accounts.yml"]
        .replace("name: Sunny Roofs", 'name: "<img src=x onerror=alert(1)>"')
        .replace("unit: kWh", 'unit: "<b>kWh</b>"')
    )
    write_files(tmp_path / "solar", solar)
    root = write_federation(
        tmp_path / "fed",
        "  - id: solar\n    path: ../solar\n    map: {upkeep: running, panels: equipment}\n",
        categories=CATEGORIES.replace(
            "kwh: {label: Electricity produced, unit: kWh}",
            'kwh: {label: "<script>alert(2)</script>", unit: "<b>kWh</b>"}',
        ),
    )
    fed = load_federation(root, today=TODAY)
    money = federation_money(fed)
    charts = measure_charts(fed)
    fragment = overview_fragment(fed, money, [], charts)
    # (the page's front-matter title is a YAML string, escaped by the plugin: its body here)
    page = member_page(fed, member(fed, "solar"), money).split("\n---\n", 1)[1]
    for markup in (fragment, page):
        assert "<img" not in markup and "<script>" not in markup and "<b>" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in fragment
    assert "2,000.5 &lt;b&gt;kWh&lt;/b&gt;" in page
    # plotly reads a few tags in its texts: a name from the books has none left
    (trace,) = charts["kwh"].figure["data"]
    assert trace["name"] == "‹img src=x onerror=alert(1)›"
    assert "<" not in json.dumps(charts["kwh"].figure["layout"]["yaxis"])


def test_no_solidarity_chart_when_no_money_moved_between_members(tmp_path):
    # plotly.js fails on an empty Sankey, and the charts after it stayed undrawn
    fed = federation(tmp_path)
    assert fed.flows() == {}
    assert "solidarity" not in [c.id for c in federation_charts(fed, federation_money(fed))]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.sitetools import serve_directory

    base = tmp_path_factory.mktemp("federation-measures")
    fed_root = federation(base).root
    served = tmp_path_factory.mktemp("served")
    with serve_directory(served) as url:
        result = build_site(fed_root, served / "site", site_url=url + "site/")
        assert result.site_dir is not None, [p.code for p in result.problems]
        yield url + "site/", served / "site"


def test_the_built_overview_links_each_member_and_offers_the_measures_numbers(built):
    _, site = built
    index = (site / "index.html").read_text(encoding="utf-8")
    section = index[index.index('id="what-the-members-do"') :]
    assert 'href="members/solar/"' in section and 'href="members/wind/"' in section
    assert (site / "data" / "charts" / "federation-measure-1.csv").read_text(encoding="utf-8") == (
        "member,year,quantity\nsolar,2026,2000.5\nwind,2026,400\n"
    )


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_federation_overview_in_the_browser(browser, built, width, palette):
    url, _ = built
    seen = look_at(browser, url, width, palette)
    assert not seen.wide and seen.page_width <= seen.viewport_width, seen.wide
    assert "chart-federation-measure-1" in [c["id"] for c in seen.charts]
    assert all(c["drawn"] == "true" and c["svg"] > 0 for c in seen.charts), seen.charts
    assert {c["theme"] for c in seen.charts} == {palette}
    assert not seen.violations, seen.violations
    assert seen.errors == []


def test_two_measures_of_one_label_and_unit_keep_their_own_rows(tmp_path):
    write_files(tmp_path / "solar", SOLAR)
    write_files(tmp_path / "wind", WIND)
    root = write_federation(
        tmp_path / "fed",
        "  - id: solar\n    path: ../solar\n    map: {upkeep: running}\n"
        "  - id: wind\n    path: ../wind\n    map: {upkeep: running}\n    measures: {energy: power}\n",
        categories=CATEGORIES.replace(
            "kwh: {label: Electricity produced, unit: kWh}",
            "kwh: {label: Electricity, unit: kWh}\n  power: {label: Electricity, unit: kWh}",
        ),
    )
    fed = load_federation(root, today=TODAY)
    sections = overview_page(fed, federation_money(fed), []).measures
    assert [(s.key, s.totals, [r.member.name for r in s.rows]) for s in sections] == [
        ("kwh", [("2026", "2,000.5")], ["Sunny Roofs"]),  # 1200 + 800.5
        ("power", [("2026", "400")], ["Windy Hill"]),
    ]


def test_the_measures_and_assets_are_written_in_the_federations_language(tmp_path):
    fed = federation(tmp_path)
    with site_language("de"):
        fragment = overview_fragment(fed, federation_money(fed), [])
        chart = measure_charts(fed)["kwh"]
    text = text_of(fragment)
    assert "Was die Mitglieder tun" in text
    assert "Kosten je Einheit" in text and "Alle Mitglieder" in text
    assert "Nicht gezählt" in text
    assert chart.title == "Electricity produced, alle Mitglieder"
    assert chart.table_headers == ["Mitglied", "Jahr", "Menge"]
    assert chart.columns == ["member", "year", "quantity"]  # the CSV keeps its English keys
    for english in ("What the members do", "Cost per unit", "All members", "Not counted"):
        assert english not in text
