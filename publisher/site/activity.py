"""The downloads of what the cooperative does and owns: measures.csv and assets.csv, with
their Frictionless resources. Written only where the books keep them."""

from __future__ import annotations

from dataclasses import dataclass

from publisher.assets import collective_assets
from publisher.cooperative import Cooperative
from publisher.money import format_minor
from publisher.site.html import csv_text
from publisher.site.templating import words


@dataclass(frozen=True)
class ActivityDownload:
    path: str
    name: str
    text: str
    description: str
    #: the resource of datapackage.json (without the parts every resource shares)
    name_in_package: str
    title: str
    fields: list[dict]


def _field(name: str, kind: str, description: str) -> dict:
    return {"name": name, "type": kind, "description": description}


def activity_downloads(cooperative: Cooperative) -> list[ActivityDownload]:
    out: list[ActivityDownload] = []
    measures = cooperative.measures
    declared = cooperative.accounts.measures
    if declared and "measure" in measures.columns and len(measures):
        readable = measures[
            measures["date"].notna()
            & measures["quantity"].notna()
            & measures["measure"].isin(declared)
        ]
        readable = readable.sort_values(["date", "path", "line"], kind="stable")
        rows = [
            [
                f"{r.date:%Y-%m-%d}",
                r.measure,
                declared[str(r.measure)].unit,
                str(r.quantity),
                r.fund,
                r.note,
            ]
            for r in readable.itertuples(index=False)
        ]
        out.append(
            ActivityDownload(
                "data/measures.csv",
                "measures.csv",
                csv_text(["date", "measure", "unit", "quantity", "fund", "note"], rows),
                words().gettext(
                    "What the cooperative did, counted: every row of its measures, with the unit."
                ),
                "measures",
                "Measures of activity",
                [
                    _field(
                        "date", "date", "Day it was done (or counted, for a level such as members)"
                    ),
                    _field("measure", "string", "Measure key (ledgers/accounts.yml, measures)"),
                    _field("unit", "string", "What one is counted in"),
                    _field("quantity", "number", "How many, exactly as recorded"),
                    _field("fund", "string", "Key of the fund it belongs to"),
                    _field("note", "string", "Free text"),
                ],
            )
        )
    assets = collective_assets(cooperative)
    if assets:
        units = cooperative.accounts.minor_units
        rows = [
            [
                a.id,
                a.name,
                a.acquired,
                a.status,
                a.row,
                a.decision,
                format_minor(a.cost, units) if a.cost is not None else "",
                a.note,
            ]
            for a in assets
        ]
        out.append(
            ActivityDownload(
                "data/assets.csv",
                "assets.csv",
                csv_text(
                    ["id", "name", "acquired", "status", "row", "decision", "cost", "note"],
                    rows,
                    [6],
                ),
                words().gettext(
                    "What the members own together: every collective asset, the row that paid for it, its decision and cost."
                ),
                "assets",
                "Collective assets",
                [
                    _field("id", "string", "Asset id"),
                    _field("name", "string", "What it is"),
                    _field("acquired", "date", "Day the members got it"),
                    _field("status", "string", "in use, lent or retired"),
                    _field("row", "string", "Id of the ledger row that paid for it"),
                    _field("decision", "string", "Id of the decision behind it"),
                    _field(
                        "cost",
                        "number",
                        f"What its row spent, in {cooperative.accounts.currency} (empty for a gift)",
                    ),
                    _field("note", "string", "Free text"),
                ],
            )
        )
    return out
