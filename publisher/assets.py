"""ledgers/assets.csv: what the members own together, each asset tied to the ledger row that
paid for it or the decision that brought it in, and checked against both.

The file (docs/formats-notes.md): `id`, `name`, `acquired`, `status`, and at least one of `row`
(the `id` of a ledger row) and `decision` (the `id` of a decision in the minutes); `note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from publisher.accounts import Accounts
from publisher.checking import Check, row_problems
from publisher.csvfile import Table
from publisher.i18n import _
from publisher.ledger import FileFormat, _empty_frame, _parse_date_column, _read_rows
from publisher.money import format_minor
from publisher.privacy import private_names_in
from publisher.reading import bidi_closed_column
from publisher.problems import Problem, did_you_mean

if TYPE_CHECKING:
    from publisher.cooperative import Cooperative

ASSETS_FILE = "assets.csv"
ASSETS = FileFormat(
    "assets",
    ("id", "name", "acquired", "status", "row", "decision", "note"),
    ("id", "name", "acquired", "status"),
)
#: What an asset is doing now: used by the members, lent out, or no longer in use.
STATUSES = ("in use", "lent", "retired")


def read_assets(table: Table, accounts: Accounts) -> tuple[pd.DataFrame, list[Problem]]:
    frame, problems = _read_rows(table, ASSETS, accounts)
    if frame is None:
        return _empty_frame(ASSETS), problems
    frame["acquired"], date_problems = _parse_date_column(table, frame, "acquired")
    # Shown beside the publisher's words: an override left open would turn those around too.
    for column in ("name", "note"):
        frame[column] = bidi_closed_column(frame[column])
    return frame, problems + date_problems


def _has_rows(cooperative: Cooperative) -> bool:
    return "status" in cooperative.assets.columns and len(cooperative.assets) > 0


def _ledger_rows_by_id(cooperative: Cooperative) -> pd.DataFrame:
    ledger = cooperative.ledger
    if "id" not in ledger.columns or not len(ledger):
        return pd.DataFrame({"amount": [], "category": [], "decision": [], "date": []})
    with_id = ledger[ledger["id"].str.len() > 0]
    return with_id.drop_duplicates("id").set_index("id")


def check_assets(cooperative: Cooperative) -> Iterable[Problem]:
    if not _has_rows(cooperative):
        return []
    assets = cooperative.assets
    locate = cooperative.locate
    problems: list[Problem] = []
    problems += row_problems(
        assets,
        assets["id"].duplicated(keep="first").to_numpy() & (assets["id"].str.len() > 0).to_numpy(),
        "asset-id-duplicate",
        "id",
        lambda row: _(
            'The id "{id}" is already the id of an asset above; give each asset its own.'
        ).format(id=row.id),
        locate,
    )
    status = assets["status"].str.lower()
    problems += row_problems(
        assets,
        (~status.isin(STATUSES) & (status.str.len() > 0)).to_numpy(),
        "asset-status-invalid",
        "status",
        lambda row: _('The status "{status}" is not one of: {statuses}.{suggestion}').format(
            status=row.status,
            statuses=", ".join(STATUSES),
            suggestion=did_you_mean(row.status, STATUSES),
        ),
        locate,
    )
    no_payment = ((assets["row"].str.len() == 0) & (assets["decision"].str.len() == 0)).to_numpy()
    problems += row_problems(
        assets,
        no_payment,
        "asset-payment-missing",
        "row",
        lambda row: _(
            "Name the ledger row that paid for this asset (its id, in the row column), or, "
            "for a gift or a transfer, the decision that accepted it (the decision column)."
        ),
        locate,
    )
    rows = _ledger_rows_by_id(cooperative)
    named_row = (assets["row"].str.len() > 0).to_numpy()
    known_row = assets["row"].isin(rows.index).to_numpy()
    problems += row_problems(
        assets,
        named_row & ~known_row,
        "asset-row-unknown",
        "row",
        lambda row: _(
            'No ledger row has the id "{row}". Give the row that paid for the asset '
            "that id (the id column of the ledger), or correct the id here."
            "{suggestion}"
        ).format(row=row.row, suggestion=did_you_mean(row.row, list(rows.index))),
        locate,
    )
    # An asset's cost is its row's amount: two assets on one row would count it twice.
    first_on_row = dict(
        reversed(list(zip(assets["row"], assets["line"].astype("int64"), strict=True)))
    )
    problems += row_problems(
        assets.assign(first_line=assets["row"].map(first_on_row)),
        named_row & assets["row"].duplicated(keep="first").to_numpy(),
        "asset-row-shared",
        "row",
        lambda row: _(
            'The ledger row "{row}" already paid for the asset on line {first_line}, and an '
            "asset's cost is what its row spent: it would be counted twice. List what the row "
            "bought as one asset, or split the row in the ledger into one row per asset, each "
            "with its own id."
        ).format(row=row.row, first_line=row.first_line),
        locate,
    )
    capital = {key for key, c in cooperative.accounts.categories.items() if c.capital}
    paying = rows.reindex(assets["row"])
    is_capital_spending = (
        paying["category"].isin(capital).to_numpy()
        & (paying["amount"].fillna(0).astype("int64") < 0).to_numpy()
    )
    problems += row_problems(
        assets,
        named_row & known_row & ~is_capital_spending,
        "asset-row-not-capital",
        "row",
        lambda row: _(
            'The ledger row "{row}" is not spending in a capital category (one that '
            "accounts.yml marks capital: true), so it did not buy a lasting asset. Name the row "
            "that bought it, or mark its category capital: true if it buys lasting assets."
        ).format(row=row.row),
        locate,
    )
    decisions = {d.id: d for m in cooperative.governance.meetings for d in m.decisions}
    row_decision = paying["decision"].fillna("").to_numpy(dtype=object)
    decision = np.where(
        (assets["decision"].str.len() > 0).to_numpy(),
        assets["decision"].to_numpy(dtype=object),
        row_decision,
    )
    frame = assets.assign(effective_decision=decision)
    named_decision = np.array([bool(d) for d in decision], dtype=bool)
    known_decision = np.array([d in decisions for d in decision], dtype=bool)
    problems += row_problems(
        frame,
        named_decision & ~known_decision,
        "asset-decision-unknown",
        "decision",
        lambda row: _('No minutes record a decision "{effective_decision}".{suggestion}').format(
            effective_decision=row.effective_decision,
            suggestion=did_you_mean(row.effective_decision, decisions),
        ),
        locate,
    )
    adopted = np.array([d in decisions and decisions[d].adopted for d in decision], dtype=bool)
    problems += row_problems(
        frame,
        named_decision & known_decision & ~adopted,
        "asset-decision-not-adopted",
        "decision",
        lambda row: _(
            'The decision "{effective_decision}" was {result}, not '
            "adopted: an asset of the members needs an adopted decision."
        ).format(
            effective_decision=row.effective_decision,
            result=decisions[row.effective_decision].result,
        ),
        locate,
    )
    both = (assets["decision"].str.len() > 0).to_numpy() & np.array(
        [bool(d) for d in row_decision], dtype=bool
    )
    problems += row_problems(
        assets,
        both & (assets["decision"].to_numpy(dtype=object) != row_decision),
        "asset-decision-mismatch",
        "decision",
        lambda row: _(
            'The ledger row "{row}" that paid for this asset was authorized by another '
            "decision than the one named here. Correct one of the two."
        ).format(row=row.row),
        locate,
    )
    today = pd.Timestamp(cooperative.today)
    problems += row_problems(
        assets,
        (assets["acquired"] > today).to_numpy(),
        "date-in-future",
        "acquired",
        lambda row: _(
            "{acquired:%Y-%m-%d} is after today ({today:%Y-%m-%d}); list "
            "an asset once the members have it, and check the year."
        ).format(acquired=row.acquired, today=cooperative.today),
        locate,
    )
    return problems + private_names_in(cooperative, assets, ("name", "note"), "asset")


# -- Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    id: str
    name: str
    acquired: str  # YYYY-MM-DD
    status: str
    row: str
    decision: str
    #: what the paying ledger row spent, in minor units (None for a gift)
    cost: int | None
    note: str = ""


def collective_assets(cooperative: Cooperative) -> list[Asset]:
    """The assets, in the order of the file, with the cost of the row that paid for each."""
    if not _has_rows(cooperative):
        return []
    rows = _ledger_rows_by_id(cooperative)
    out = []
    # (pandas-stubs types a row's fields as any scalar; the assets' columns are read as text
    # and dates)
    asset: Any
    for asset in cooperative.assets.itertuples(index=False):
        if pd.isna(asset.acquired):
            continue
        paid = rows.loc[asset.row] if asset.row and asset.row in rows.index else None
        cost = -int(paid["amount"]) if paid is not None and pd.notna(paid["amount"]) else None
        decision = asset.decision or (str(paid["decision"]) if paid is not None else "")
        out.append(
            Asset(
                asset.id,
                asset.name,
                f"{asset.acquired:%Y-%m-%d}",
                asset.status.lower(),
                asset.row,
                decision,
                cost,
                asset.note,
            )
        )
    return out


@dataclass(frozen=True)
class AssetsYear:
    #: how many assets the members got that year (gifts included)
    created: int
    #: what their rows spent, in minor units (a gift counts nothing)
    cost: int


def assets_by_year(assets: list[Asset]) -> dict[int, AssetsYear]:
    """Per year of acquisition, oldest first: how many assets were created and their cost."""
    years: dict[int, AssetsYear] = {}
    for asset in assets:
        year = int(asset.acquired[:4])
        before = years.get(year, AssetsYear(0, 0))
        years[year] = AssetsYear(before.created + 1, before.cost + (asset.cost or 0))
    return dict(sorted(years.items()))


def assets_json(cooperative: Cooperative) -> dict:
    """summary.json's `assets`: every asset, and per year how many were created and their cost."""
    assets = collective_assets(cooperative)
    if not assets:
        return {}
    units = cooperative.accounts.minor_units
    years = {str(y): f for y, f in assets_by_year(assets).items()}
    return {
        "list": [
            {
                "id": a.id,
                "name": a.name,
                "acquired": a.acquired,
                "status": a.status,
                "row": a.row or None,
                "decision": a.decision or None,
                "cost": format_minor(a.cost, units) if a.cost is not None else None,
            }
            for a in assets
        ],
        "years": {
            y: {"created": f.created, "cost": format_minor(f.cost, units)} for y, f in years.items()
        },
    }


#: The checks of this module, in the order they run (publisher.checks runs every module's).
CHECKS: list[Check] = [
    check_assets,
]
