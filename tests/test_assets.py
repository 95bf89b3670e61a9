"""ledgers/assets.csv: the collective's assets, checked against the ledger row that paid for
each and the decision behind it; figures computed by hand."""

from __future__ import annotations

import pytest

from publisher.assets import assets_json, collective_assets
from publisher.cooperative import check_cooperative
from publisher.problems import CODES, Severity, has_errors
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

ASSETS_HEADER = "id,name,acquired,status,row,decision,note\n"

LEDGER = LEDGER_HEADER + (
    "2026-01-01,Opening balance,5000.00,opening,,,,,\n"
    "2026-03-02,Drill press,-640.00,tools,,,2026-02-drill,t-drill,\n"
    "2026-03-05,Workshop rent,-300.00,rent,,,,t-rent,\n"
    "2026-04-10,Band saw,-910.50,tools,,,,t-saw,\n"
)

MINUTES = """\
---
title: General assembly
date: 2026-02-20
members: 20
present: 12
decisions:
  - id: 2026-02-drill
    motion: Buy a drill press for the workshop
    for: 10
    against: 1
    abstain: 1
    result: adopted
    amount: 700.00
    category: tools
  - id: 2026-02-van
    motion: Buy a van
    for: 3
    against: 8
    abstain: 1
    result: rejected
---
"""


def books(tmp_path, assets: str):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER,
            "ledgers/assets.csv": ASSETS_HEADER + assets,
            "content/minutes/2026-02-20.md": MINUTES,
        },
    )
    return check_cooperative(tmp_path, today=TODAY)


def test_assets_carry_the_cost_of_their_row_and_count_per_year(tmp_path):
    cooperative, problems = books(
        tmp_path,
        "drill,Drill press,2026-03-02,in use,t-drill,,\n"
        "saw,Band saw,2026-04-10,lent,t-saw,,lent to the school\n"
        "bench,Workbench (a gift),2026-05-01,in use,,2026-02-drill,\n",
    )
    assert not has_errors(problems), problems
    assets = collective_assets(cooperative)
    assert [(a.id, a.cost, a.decision, a.status) for a in assets] == [
        ("drill", 64000, "2026-02-drill", "in use"),
        ("saw", 91050, "", "lent"),
        ("bench", None, "2026-02-drill", "in use"),
    ]
    data = assets_json(cooperative)
    # 640.00 + 910.50 = 1550.50; the gift costs nothing
    assert data["years"] == {"2026": {"created": 3, "cost": "1550.50"}}
    assert data["list"][0]["cost"] == "640.00"


@pytest.mark.parametrize(
    "row, code",
    [
        ("drill,Drill press,2026-03-02,broken,t-drill,,", "asset-status-invalid"),
        ("drill,Drill press,2026-03-02,in use,,,", "asset-payment-missing"),
        ("drill,Drill press,2026-03-02,in use,t-dril,,", "asset-row-unknown"),
        ("drill,Rent,2026-03-05,in use,t-rent,,", "asset-row-not-capital"),
        ("van,Van,2026-03-02,in use,,2026-02-vann,", "asset-decision-unknown"),
        ("van,Van,2026-03-02,in use,,2026-02-van,", "asset-decision-not-adopted"),
        ("drill,Drill press,2026-03-02,in use,t-drill,2026-02-van,", "asset-decision-mismatch"),
        ("drill,Drill press,2026-12-02,in use,t-drill,,", "date-in-future"),
        ("drill,Drill press,2026-13-02,in use,t-drill,,", "date-impossible"),
        (
            "saw,Band saw,2026-04-10,in use,t-saw,,\nsaw,Band saw again,2026-04-10,in use,t-saw,,",
            "asset-id-duplicate",
        ),
    ],
)
def test_a_bad_asset_is_an_error_at_its_line(tmp_path, row, code):
    _, problems = books(tmp_path, row + "\n")
    line = 2 + row.count("\n")
    assert ("ledgers/assets.csv", line, code) in codes_at(problems)
    assert CODES[code].severity is Severity.ERROR


def test_an_unknown_status_suggests_the_right_one(tmp_path):
    _, problems = books(tmp_path, "drill,Drill press,2026-03-02,in-use,t-drill,,\n")
    (found,) = [p for p in problems if p.code == "asset-status-invalid"]
    assert 'Did you mean "in use"?' in found.message


def test_an_asset_named_after_a_private_person_stops_the_build(tmp_path):
    ledger = LEDGER.replace(
        "2026-04-10,Band saw,-910.50,tools,,,", "2026-04-10,Band saw,-910.50,tools,,Maria Lopez,"
    )
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": ledger,
            "ledgers/assets.csv": ASSETS_HEADER
            + "saw,Maria Lopez's saw,2026-04-10,in use,t-saw,,\n",
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("ledgers/assets.csv", 2, "private-name-in-activity") in codes_at(problems)


def test_assets_csv_is_not_a_ledger(tmp_path):
    cooperative, problems = books(tmp_path, "drill,Drill press,2026-03-02,in use,t-drill,,\n")
    assert not has_errors(problems), problems
    assert "ledgers/assets.csv" not in set(cooperative.ledger["path"])


def test_two_assets_paid_by_one_ledger_row_are_an_error_not_twice_its_cost(tmp_path):
    # Each asset's cost is its row's amount: drill and bits on t-drill would make the year's
    # assets cost 640.00 + 640.00 + 910.50 instead of the 1550.50 paid.
    _, problems = books(
        tmp_path,
        "drill,Drill press,2026-03-02,in use,t-drill,,\n"
        "saw,Band saw,2026-04-10,in use,t-saw,,\n"
        "bits,Drill bits,2026-03-02,in use,t-drill,,\n",
    )
    (found,) = [p for p in problems if p.code == "asset-row-shared"]
    assert (found.path, found.line, found.column) == ("ledgers/assets.csv", 4, 35)
    assert '"t-drill" already paid for the asset on line 2' in found.message
    assert CODES["asset-row-shared"].severity is Severity.ERROR


@pytest.mark.parametrize(
    "fixture, expected",
    [
        # typed by hand, with a BOM; 10/04/2026 is text
        ("treasurer-assets.csv", {7: {"date-format"}}),
        # saved by Calc from its workbook: 10/04/26 is text
        ("treasurer-assets-calc.csv", {7: {"date-format"}}),
        # Calc's workbook: 10/04/2026 is the date cell 2026-04-10 (Calc's en-US reading)
        ("treasurer-assets.ods", {}),
    ],
)
def test_a_treasurers_assets_saved_by_libreoffice_are_checked_against_the_books(
    tmp_path, fixture, expected
):
    from tests.workbooktools import FIXTURES

    name = "assets" + fixture[fixture.index(".") :]
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER,
            f"ledgers/{name}": (FIXTURES / fixture).read_bytes(),
            "content/minutes/2026-02-20.md": MINUTES,
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    errors: dict[int, set[str]] = {}
    for p in problems:
        if p.is_error:
            assert p.path == f"ledgers/{name}" and p.column is not None, p
            assert "…" not in p.message, p.message
            errors.setdefault(int(p.line or 0), set()).add(p.code)
    assert errors == {
        3: {"asset-row-shared"},  # drill bits on the drill press's row
        4: {"asset-row-unknown"},  # t-dril
        5: {"asset-row-not-capital"},  # the rent
        6: {"asset-decision-not-adopted"},  # the van the assembly rejected
        # " lent " and "t-saw " are read without their spaces
        **expected,
    }
