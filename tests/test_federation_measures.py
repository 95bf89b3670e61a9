"""A federation's measures: each member's measures summed where the units match (mapped under a
member's `measures`), costs per unit side by side, and the collective assets counted. Members are
local directories written by the test; figures computed by hand."""

from __future__ import annotations

from pathlib import Path

from publisher.federation import federation_json, load_federation, parse_federation
from tests.conftest import TODAY
from tests.test_federation import member, write_federation, write_files

HEADER = "date,description,amount,category,counterparty,id\n"

SOLAR = {
    "ledgers/accounts.yml": """\
name: Sunny Roofs
currency: EUR
categories:
  sales: {kind: income}
  upkeep: {kind: expense}
  panels: {kind: expense, capital: true}
  opening: {kind: opening}
measures:
  kwh: {label: Electricity, unit: kWh, cost: [upkeep], reference_price: "0.30", reference_source: "Tariff"}
""",
    "ledgers/cash.csv": HEADER
    + "2026-01-01,Opening,5000.00,opening,,s-1\n"
    + "2026-02-01,Panels,-3000.00,panels,,s-2\n"
    + "2026-03-01,Cleaning,-200.00,upkeep,,s-3\n",
    "ledgers/measures.csv": "date,measure,quantity\n2026-03-31,kwh,1200\n2026-04-30,kwh,800.5\n",
    "ledgers/assets.csv": "id,name,acquired,status,row\nroof,Roof panels,2026-02-01,in use,s-2\n",
}

WIND = {
    "ledgers/accounts.yml": """\
name: Windy Hill
currency: EUR
categories:
  sales: {kind: income}
  upkeep: {kind: expense}
  opening: {kind: opening}
measures:
  energy: {label: Electricity, unit: KWH, cost: [upkeep]}
  heat: {label: Heat, unit: MWh}
""",
    "ledgers/cash.csv": HEADER
    + "2026-01-01,Opening,900.00,opening,,w-1\n2026-05-01,Oil,-100.00,upkeep,,w-2\n",
    "ledgers/measures.csv": "date,measure,quantity\n2026-05-31,energy,400\n2026-05-31,heat,3\n",
}

CATEGORIES = """\
categories:
  sales: {kind: income}
  running: {kind: expense}
  equipment: {kind: expense}
measures:
  kwh: {label: Electricity produced, unit: kWh}
"""


def federation(tmp_path: Path):
    write_files(tmp_path / "solar", SOLAR)
    write_files(tmp_path / "wind", WIND)
    root = write_federation(
        tmp_path / "fed",
        """\
  - id: solar
    path: ../solar
    map: {upkeep: running, panels: equipment}
  - id: wind
    path: ../wind
    map: {upkeep: running}
    measures: {energy: kwh, heat: kwh}
""",
        categories=CATEGORIES,
    )
    return load_federation(root, today=TODAY)


def test_measures_are_summed_where_units_match_and_costs_stand_side_by_side(tmp_path):
    fed = federation(tmp_path)
    assert [(m.id, m.status) for m in fed.members] == [("solar", "ok"), ("wind", "ok")]
    # 1200 + 800.5 from the solar member, 400 from the wind member (KWH is kWh); heat is in MWh
    assert {k: str(v) for k, v in fed.consolidated_measures()["2026"].items()} == {"kwh": "2400.5"}
    assert member(fed, "wind").unmatched_measures == [
        {
            "measure": "heat",
            "label": "Heat",
            "unit": "MWh",
            "reason": "unit-differs",
            "federation_measure": "kwh",
            "federation_unit": "kWh",
        }
    ]
    shape = federation_json(fed)["measures"]["kwh"]
    assert shape["unit"] == "kWh"
    year = shape["years"]["2026"]
    assert year["quantity"] == "2400.5"
    # solar: 200.00 / 2000.5 kWh = 0.09997500… -> 0.099975; saved 0.30 × 2000.5 = 600.15 - 200.00
    assert year["members"]["solar"] == {
        "quantity": "2000.5",
        "cost": "200.00",
        "cost_per_unit": "0.099975",
        "saved": "400.15",
    }
    # wind: 100.00 / 400 = 0.25; no reference price, so nothing saved
    assert year["members"]["wind"] == {
        "quantity": "400",
        "cost": "100.00",
        "cost_per_unit": "0.250000",
        "saved": None,
    }


def test_collective_assets_are_counted_across_members(tmp_path):
    fed = federation(tmp_path)
    assert fed.consolidated_assets() == {"2026": {"created": 1, "cost": 300000}}
    assert federation_json(fed)["assets"] == {"2026": {"created": 1, "cost": "3000.00"}}


def test_a_federation_without_measures_writes_none(tmp_path):
    write_files(tmp_path / "wind", WIND)
    root = write_federation(
        tmp_path / "fed",
        "  - id: wind\n    path: ../wind\n    map: {upkeep: running}\n",
        categories=CATEGORIES.split("measures:")[0],
    )
    assert "measures" not in federation_json(load_federation(root, today=TODAY))


def test_a_bad_measure_declaration_of_a_federation_is_reported_at_its_line():
    text = (
        "name: F\ncurrency: EUR\n"
        + CATEGORIES.replace("unit: kWh", "units: kWh")
        + "members:\n  - id: a\n    path: a\n"
    )
    config, problems = parse_federation(text)
    assert config is None
    assert [(p.line, p.code) for p in problems] == [(8, "federation-value-invalid")]


def test_the_measures_left_out_come_back_from_the_cache_as_records(tmp_path):
    first = federation(tmp_path)
    assert not member(first, "wind").cached
    root = tmp_path / "fed"
    second = load_federation(root, today=TODAY)
    wind = member(second, "wind")
    assert wind.cached
    assert wind.unmatched_measures == member(first, "wind").unmatched_measures
    assert wind.unmatched_measures[0]["reason"] == "unit-differs"


def test_results_cached_by_an_earlier_version_are_not_trusted(tmp_path, monkeypatch):
    import publisher.federation as federation_module

    # A cache written when the reasons were sentences (version 4) is checked again.
    monkeypatch.setattr(federation_module, "CACHE_VERSION", 4)
    federation(tmp_path)
    monkeypatch.setattr(federation_module, "CACHE_VERSION", 5)
    again = load_federation(tmp_path / "fed", today=TODAY)
    assert not member(again, "wind").cached
    assert member(again, "wind").unmatched_measures[0]["measure"] == "heat"


def test_a_right_to_left_override_in_a_federations_labels_and_units_is_closed_within_them():
    # Left open, it would turn around the amounts and years the federation's sentences write
    # after the label ("Electricity produced, all members: 2,400.5 kWh in 2026").
    rlo, pdf = "\u202e", "\u202c"
    text = (
        "name: F\ncurrency: EUR\n"
        + CATEGORIES.replace(
            "running: {kind: expense}", f'running: {{kind: expense, label: "{rlo}gninnur"}}'
        ).replace(
            "label: Electricity produced, unit: kWh", f'label: "{rlo}yticirtcelE", unit: "{rlo}hWk"'
        )
        + "members:\n  - id: a\n    path: a\n"
    )
    config, problems = parse_federation(text)
    assert config is not None and not problems
    assert config.label("running") == f"{rlo}gninnur{pdf}"
    assert (config.measures["kwh"].label, config.measures["kwh"].unit) == (
        f"{rlo}yticirtcelE{pdf}",
        f"{rlo}hWk{pdf}",
    )
