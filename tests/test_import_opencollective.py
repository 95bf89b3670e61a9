"""`publisher import opencollective`: both export layouts, labels or field ids as headers,
fees as columns and as rows, refunds, re-imports, the balance comparison, malformed exports.

Exports are written by the tests, the way Open Collective's CSV export writes them (json2csv:
text quoted, numbers bare, newest transaction first), from a small model of a collective's
transactions, so that every layout is derived from the same movements.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.importers.common import Outcome
from publisher.importers.ledgerfile import CannotImport
from publisher.importers.opencollective import import_opencollective
from publisher.problems import Severity
from tests.conftest import ACCOUNTS, LEDGER_HEADER, TODAY, codes_at, write_coop

EXPORT = "export.csv"  # the export lies in the cooperative's directory: problems name it so
TARGET = "ledgers/opencollective.csv"

#: The legacy platform default (pre-2024), fees and taxes as columns of the row.
LEGACY_FIELDS = (
    "datetime shortId shortGroup description type kind isRefund isRefunded shortRefundId "
    "displayAmount amount paymentProcessorFee netAmount balance currency accountSlug accountName "
    "oppositeAccountSlug oppositeAccountName paymentMethodService paymentMethodType expenseType "
    "expenseTags payoutMethodType merchantId orderMemo taxAmount"
).split()
#: The platform default (2024 on): fees and taxes are transactions of their own.
CURRENT_FIELDS = (
    "effectiveDate legacyId description type kind group netAmount currency isRefund isRefunded "
    "refundId accountSlug accountName oppositeAccountSlug oppositeAccountName paymentMethodService "
    "paymentMethodType orderMemo expenseType expenseTags payoutMethodType accountingCategoryCode "
    "accountingCategoryName merchantId"
).split()
#: The headers of an export "with field names" (rest.opencollective.com's columnNames).
LABELS = {
    "datetime": "Date & Time",
    "effectiveDate": "Effective Date & Time",
    "legacyId": "Transaction ID",
    "shortId": "Short Transaction ID",
    "shortGroup": "Short Group ID",
    "group": "Group ID",
    "description": "Description",
    "type": "Credit/Debit",
    "kind": "Kind",
    "isRefund": "Is Refund",
    "isRefunded": "Is Refunded",
    "shortRefundId": "Short Refund Transaction ID",
    "refundId": "Refund ID",
    "displayAmount": "Original Currency Amount",
    "amount": "Gross Amount",
    "paymentProcessorFee": "Payment Processor Fee",
    "netAmount": "Amount Single Column",
    "balance": "Balance",
    "currency": "Currency",
    "accountSlug": "Account Handle",
    "accountName": "Account Name",
    "oppositeAccountSlug": "Opposite Account Handle",
    "oppositeAccountName": "Opposite Account Name",
    "paymentMethodService": "Payment Processor",
    "paymentMethodType": "Payment Method",
    "expenseType": "Expense Type",
    "expenseTags": "Expense Tags",
    "payoutMethodType": "Expense Payout Method Type",
    "merchantId": "Merchant ID",
    "orderMemo": "Contribution Memo",
    "taxAmount": "Tax Amount",
    "accountingCategoryCode": "Accounting Category Code",
    "accountingCategoryName": "Accounting Category Name",
}


@dataclass(frozen=True)
class Tx:
    """One movement of the collective, as Open Collective records it (amounts signed)."""

    number: int
    when: str
    kind: str
    gross: Decimal
    description: str
    counterparty: str = ""
    fee: Decimal = Decimal(0)  # payment processor fee, negative
    tax: Decimal = Decimal(0)  # negative
    refund: bool = False

    @property
    def type(self) -> str:
        return "CREDIT" if self.gross > 0 else "DEBIT"

    @property
    def short(self) -> str:
        return f"{self.number:08x}"


def D(text: str) -> Decimal:
    return Decimal(text)


#: A small collective's year: a contribution with fee and tax, a host fee, an expense, a
#: refund of a contribution, an expense refunded to the collective, a second contribution.
TXS = [
    Tx(
        1,
        "2025-01-10T09:00:00",
        "CONTRIBUTION",
        D("100.00"),
        "Monthly contribution",
        "Acme Inc",
        D("-3.20"),
        D("-4.39"),
    ),
    Tx(2, "2025-01-10T09:00:00", "HOST_FEE", D("-10.00"), "Host fee", "Open Source Collective"),
    Tx(
        3,
        "2025-02-03T12:30:00",
        "EXPENSE",
        D("-45.50"),
        "Stickers\nand posters for the fair",
        "Jane Doe",
    ),
    Tx(
        4,
        "2025-02-20T08:00:00",
        "CONTRIBUTION",
        D("-20.00"),
        "Refund of contribution",
        "Bob Roe",
        refund=True,
    ),
    Tx(
        5,
        "2025-03-01T10:00:00",
        "EXPENSE",
        D("5.00"),
        "Refund of expense #31",
        "Print Shop",
        refund=True,
    ),
    Tx(
        6,
        "2025-03-15T16:45:00",
        "CONTRIBUTION",
        D("50.00"),
        "One-time donation",
        "City Council",
        D("-1.75"),
    ),
]


def _cell(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _write(header: list[str], rows: list[dict], with_labels: bool) -> str:
    names = [LABELS[f] if with_labels else f for f in header]
    lines = [",".join(_cell(n) for n in names)]
    for row in rows:
        lines.append(",".join(_cell(row.get(f, "")) for f in header))
    return "\n".join(lines) + "\n"


def _num(value: Decimal):
    """As JavaScript prints a float: no trailing zeros, no decimal point for whole numbers."""
    text = format(value.normalize(), "f")
    return Decimal(text) if "." in text else int(text)


def legacy_export(txs=TXS, with_labels=False, fields=LEGACY_FIELDS, currency="EUR") -> str:
    rows, balance = [], Decimal(0)
    for tx in txs:
        net = tx.gross + tx.fee + tx.tax
        balance += net
        rows.append(
            {
                "datetime": tx.when,
                "shortId": tx.short,
                "shortGroup": f"g{tx.number:07x}",
                "description": tx.description,
                "type": tx.type,
                "kind": tx.kind,
                "isRefund": "REFUND" if tx.refund else "",
                "displayAmount": f"€{abs(tx.gross)} {currency}",
                "amount": _num(tx.gross),
                "paymentProcessorFee": _num(tx.fee),
                "netAmount": _num(net),
                "balance": _num(balance),
                "currency": currency,
                "accountSlug": "workshop",
                "accountName": "Test Workshop",
                "oppositeAccountName": tx.counterparty,
                "taxAmount": _num(tx.tax),
            }
        )
    return _write(fields, rows[::-1], with_labels)


def current_export(txs=TXS, with_labels=False, with_balance=False) -> str:
    """Fees and taxes as transactions of their own, with legacy ids."""
    rows, balance = [], Decimal(0)

    def add(number, tx, kind, amount, description, counterparty):
        nonlocal balance
        balance += amount
        rows.append(
            {
                "effectiveDate": tx.when,
                "legacyId": str(number),
                "description": description,
                "type": "CREDIT" if amount > 0 else "DEBIT",
                "kind": kind,
                "group": f"group-{tx.number}",
                "netAmount": _num(amount),
                "balance": _num(balance),
                "currency": "EUR",
                "isRefund": "REFUND" if tx.refund else "",
                "oppositeAccountName": counterparty,
            }
        )

    for tx in txs:
        add(1000 + tx.number, tx, tx.kind, tx.gross, tx.description, tx.counterparty)
        if tx.fee:
            add(
                2000 + tx.number,
                tx,
                "PAYMENT_PROCESSOR_FEE",
                tx.fee,
                "Stripe payment processor fee",
                "Stripe",
            )
        if tx.tax:
            add(3000 + tx.number, tx, "TAX", tx.tax, "VAT", "")
        for row in rows:  # a fee's balance is the one after its whole group, as exported
            if row["group"] == f"group-{tx.number}":
                row["balance"] = _num(balance)
    fields = CURRENT_FIELDS + (["balance"] if with_balance else [])
    return _write(fields, rows[::-1], with_labels)


@pytest.fixture
def books(tmp_path):
    """A cooperative with the conftest's accounts and a ledger of its own."""
    write_coop(tmp_path, {"ledgers/2025.csv": LEDGER_HEADER + "2025-01-05,Dues,12.50,dues,,,,,\n"})
    return tmp_path


def run_import(root: Path, export_text: str | bytes, **options) -> Outcome:
    path = root / EXPORT
    if isinstance(export_text, str):
        path.write_text(export_text, encoding="utf-8", newline="")
    else:
        path.write_bytes(export_text)
    before = path.read_bytes()
    outcome = import_opencollective(path, root, today=TODAY, **options)
    assert path.read_bytes() == before, "the export must never be modified"
    return outcome


def ledger_rows(root: Path, target: str = TARGET) -> list[dict[str, str]]:
    with (root / target).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_books_pass(root: Path) -> list:
    _, problems = check_cooperative(root, today=TODAY)
    errors = [p for p in problems if p.is_error]
    assert not errors, errors
    return problems


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the cooperative but the export (which `run_import` writes)."""
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {name: path.read_bytes() for name, path in files.items() if name != EXPORT}


def edit(text: str, transaction: str, column: str, value: str) -> str:
    """The export with one cell of one transaction changed (lines stay where they were)."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = records[0]
    for record in records[1:]:
        if transaction in record[:3]:
            record[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    return out.getvalue()


# -- The two layouts ----------------------------------------------------------------------------

EXPECTED = {
    # (date, amount, category, id) of every imported row; fees and taxes are rows of their own
    ("2025-01-10", "100.00", "contributions", "00000001"),
    ("2025-01-10", "-3.20", "payment-fees", "00000001-fee"),
    ("2025-01-10", "-4.39", "taxes", "00000001-tax"),
    ("2025-01-10", "-10.00", "host-fees", "00000002"),
    ("2025-02-03", "-45.50", "expenses", "00000003"),
    ("2025-02-20", "-20.00", "contributions", "00000004"),  # a refund stays in its category
    ("2025-03-01", "5.00", "expenses", "00000005"),
    ("2025-03-15", "50.00", "contributions", "00000006"),
    ("2025-03-15", "-1.75", "payment-fees", "00000006-fee"),
}


@pytest.mark.parametrize("with_labels", [False, True], ids=["field-ids", "labels"])
def test_legacy_export_fees_as_columns_become_rows_of_their_own(books, with_labels):
    outcome = run_import(books, legacy_export(with_labels=with_labels))
    assert not outcome.problems
    assert outcome.written
    rows = ledger_rows(books)
    assert {(r["date"], r["amount"], r["category"], r["id"]) for r in rows} == EXPECTED
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["00000001"]["counterparty"] == "Acme Inc"
    assert by_id["00000003"]["description"] == "Stickers and posters for the fair"  # one line
    assert by_id["00000001-fee"]["description"].startswith("Payment processor fee")
    problems = assert_books_pass(books)
    # The refunds go against their category's direction and are marked as refunds in the note.
    refunds = {r["id"] for r in rows if r["note"].startswith("refund: ")}
    assert refunds == {"00000004", "00000005"}
    assert not [p for p in problems if p.code == "amount-against-direction"]
    assert "fees as columns" in outcome.details[0]
    assert "agrees" in outcome.details[1]


@pytest.mark.parametrize("with_labels", [False, True], ids=["field-ids", "labels"])
def test_current_export_fees_as_rows_keep_their_kinds(books, with_labels):
    outcome = run_import(books, current_export(with_labels=with_labels))
    assert not outcome.problems
    rows = ledger_rows(books)
    got = {(r["date"], r["amount"], r["category"]) for r in rows}
    assert got == {(d, a, c) for d, a, c, _ in EXPECTED}
    assert {r["id"] for r in rows} >= {"1001", "2001", "3001", "1002"}
    assert next(r for r in rows if r["id"] == "2001")["counterparty"] == "Stripe"
    assert_books_pass(books)
    assert "no balance column" in outcome.details[1]


def test_both_layouts_of_the_same_movements_give_the_same_totals(tmp_path):
    totals = []
    for name, text in (("legacy", legacy_export()), ("current", current_export(with_balance=True))):
        root = write_coop(tmp_path / name, {})
        outcome = run_import(root, text)
        assert not outcome.problems
        sums: dict[str, Decimal] = {}
        for row in ledger_rows(root):
            sums[row["category"]] = sums.get(row["category"], Decimal(0)) + Decimal(row["amount"])
        totals.append(sums)
    assert totals[0] == totals[1]
    assert sum(totals[0].values()) == sum(t.gross + t.fee + t.tax for t in TXS)


def test_categories_are_declared_in_accounts_yml_keeping_every_other_line(books):
    before = (books / "ledgers/accounts.yml").read_text(encoding="utf-8")
    run_import(books, legacy_export())
    after = (books / "ledgers/accounts.yml").read_text(encoding="utf-8")
    old_lines, new_lines = before.splitlines(), after.splitlines()
    added = [
        line for line in new_lines if line not in old_lines and not line.strip().startswith("- ")
    ]
    assert [
        line for line in new_lines if line in old_lines
    ] == old_lines  # nothing lost, same order
    assert {line.split(":")[0].strip() for line in added} == {
        "contributions",
        "payment-fees",
        "taxes",
        "host-fees",
        "expenses",
    }
    # declared right after the last category, before public_counterparties
    assert new_lines.index(added[-1]) < new_lines.index("public_counterparties:")


def test_category_roles_can_be_mapped_to_the_cooperatives_own_categories(books):
    outcome = run_import(
        books, legacy_export(), categories={"contributions": "dues", "expenses": "tools"}
    )
    assert not outcome.problems
    assert {r["category"] for r in ledger_rows(books)} >= {"dues", "tools"}
    accounts = (books / "ledgers/accounts.yml").read_text(encoding="utf-8")
    assert "contributions:" not in accounts and "\n  expenses:" not in accounts
    assert_books_pass(books)


def test_a_role_mapped_to_a_category_of_another_kind_is_an_error(books):
    outcome = run_import(books, legacy_export(), categories={"host-fees": "grants"})
    assert ("ledgers/accounts.yml", None, "import-category-kind-mismatch") in codes_at(
        outcome.problems
    )
    assert not (books / TARGET).exists()


def test_an_unknown_role_cannot_run(books):
    with pytest.raises(CannotImport):
        run_import(books, legacy_export(), categories={"donations": "dues"})


def test_fund_option_puts_every_row_in_that_fund(books):
    outcome = run_import(books, legacy_export(), fund="commons")
    assert not outcome.problems
    assert {r["fund"] for r in ledger_rows(books)} == {"commons"}
    with pytest.raises(CannotImport):
        run_import(books, legacy_export(), fund="comons")


# -- Refunds, kinds, multi-line descriptions ------------------------------------------------------


def test_refunds_reverse_within_the_category_of_what_they_refund(books):
    txs = [
        Tx(1, "2025-01-10T09:00:00", "CONTRIBUTION", D("30"), "Contribution", "Ann", D("-1.00")),
        Tx(
            2,
            "2025-01-11T09:00:00",
            "CONTRIBUTION",
            D("-30"),
            "Refund of contribution",
            "Ann",
            D("1.00"),
            refund=True,
        ),
        Tx(
            3,
            "2025-01-12T09:00:00",
            "PAYMENT_PROCESSOR_FEE",
            D("0.50"),
            "Refund of fee",
            "Stripe",
            refund=True,
        ),
        Tx(4, "2025-01-13T09:00:00", "EXPENSE", D("-8"), "Paint", "Bo"),
        Tx(5, "2025-01-14T09:00:00", "EXPENSE", D("8"), "Refund of paint", "Bo", refund=True),
    ]
    outcome = run_import(books, legacy_export(txs))
    assert not outcome.problems
    rows = {r["id"]: (r["amount"], r["category"]) for r in ledger_rows(books)}
    assert rows == {
        "00000001": ("30.00", "contributions"),
        "00000001-fee": ("-1.00", "payment-fees"),
        "00000002": ("-30.00", "contributions"),
        "00000002-fee": ("1.00", "payment-fees"),
        "00000003": ("0.50", "payment-fees"),
        "00000004": ("-8.00", "expenses"),
        "00000005": ("8.00", "expenses"),
    }
    assert_books_pass(books)


def test_an_unknown_kind_is_a_warning_and_follows_its_type(books):
    txs = [Tx(1, "2025-01-10T09:00:00", "SOMETHING_NEW", D("12"), "New kind", "Ann")]
    outcome = run_import(books, legacy_export(txs))
    assert codes_at(outcome.problems) == {(EXPORT, 2, "oc-kind-unknown")}
    assert outcome.problems[0].severity is Severity.WARNING
    assert ledger_rows(books)[0]["category"] == "contributions"


def test_lines_stay_right_after_multi_line_descriptions(books):
    txs = [
        Tx(1, "2025-01-10T09:00:00", "CONTRIBUTION", D("10"), "First\nsecond\r\nthird line", "Ann"),
        Tx(2, "2025-01-11T09:00:00", "EXPENSE", D("-5"), 'Glue, "strong"\n\nand tape', "Bo"),
    ]
    text = legacy_export(txs).replace(",-5,", ",-5.001,", 1)  # break the older row's amount
    outcome = run_import(books, text)
    # newest first: the expense is on line 2 (over three lines), the contribution on line 5
    assert codes_at(outcome.problems) == {(EXPORT, 2, "import-amount-invalid")}
    assert not (books / TARGET).exists()
    outcome = run_import(books, legacy_export(txs))
    assert {r["description"] for r in ledger_rows(books)} == {
        "First second third line",
        'Glue, "strong" and tape',
    }


# -- Re-imports ---------------------------------------------------------------------------------


def test_importing_twice_adds_nothing_and_keeps_the_file_byte_for_byte(books):
    run_import(books, legacy_export())
    first = snapshot(books)
    outcome = run_import(books, legacy_export())
    assert not outcome.problems
    assert outcome.plan.rows == [] and outcome.plan.duplicates == len(EXPECTED)
    assert not outcome.written
    assert snapshot(books) == first


def test_a_newer_export_adds_only_the_new_transactions(books):
    run_import(books, legacy_export(TXS[:4]))
    before = (books / TARGET).read_bytes()
    outcome = run_import(books, legacy_export(TXS))
    assert not outcome.problems
    after = (books / TARGET).read_bytes()
    assert after.startswith(before)
    new_rows = after[len(before) :].decode().splitlines()
    assert [line.split(",")[7] for line in new_rows] == ["00000005", "00000006", "00000006-fee"]
    assert outcome.plan.duplicates == 6
    assert {
        (r["date"], r["amount"], r["category"], r["id"]) for r in ledger_rows(books)
    } == EXPECTED
    assert_books_pass(books)


def test_imported_rows_moved_to_another_ledger_are_still_recognized(books):
    run_import(books, legacy_export(TXS[:2]))
    (books / TARGET).rename(books / "ledgers/oc-2025.csv")
    outcome = run_import(books, legacy_export(TXS[:3]))
    assert [row.id for row in outcome.plan.rows] == ["00000003"]
    assert_books_pass(books)


#: Jane's stickers, typed in by hand from the receipt two days after Open Collective paid them.
TYPED_STICKERS = "2025-02-05,Stickers for the fair (Jane),-45.50,rent,{fund},,,,\n"


def typed_books(root: Path, day: int = 5, fund: str = "") -> None:
    row = TYPED_STICKERS.format(fund=fund).replace("2025-02-05", f"2025-02-{day:02d}")
    (root / "ledgers/2025.csv").write_text(LEDGER_HEADER + row, encoding="utf-8")


def export_of(layout: str) -> tuple[str, str]:
    """(export text, id of the stickers expense in it) in the legacy or the current layout."""
    return (legacy_export(), "00000003") if layout == "legacy" else (current_export(), "1003")


@pytest.mark.parametrize("layout", ["legacy", "current"])
@pytest.mark.parametrize("day", [1, 3, 4, 6])
def test_an_expense_typed_in_by_hand_a_few_days_apart_is_held_back(books, layout, day):
    typed_books(books, day)
    text, stickers = export_of(layout)
    outcome = run_import(books, text)
    line = _lines_by_id(text)[stickers]
    assert codes_at(outcome.problems) == {(EXPORT, line, "import-likely-duplicate")}
    [held] = outcome.plan.held_back
    assert (held.row.id, held.match.path, held.match.line) == (stickers, "ledgers/2025.csv", 2)
    assert stickers not in {r["id"] for r in ledger_rows(books)}
    assert len(ledger_rows(books)) == len(EXPECTED) - 1
    # importing the export again adds nothing, and still holds the stickers back
    before = snapshot(books)
    outcome = run_import(books, text)
    assert outcome.plan.rows == [] and len(outcome.plan.held_back) == 1
    assert snapshot(books) == before
    # accepted, they are imported once
    outcome = run_import(books, text, accept_lines=frozenset({line}))
    assert [row.id for row in outcome.plan.rows] == [stickers]
    assert run_import(books, text, accept_lines=frozenset({line})).plan.rows == []
    assert_books_pass(books)


@pytest.mark.parametrize("layout", ["legacy", "current"])
@pytest.mark.parametrize("day", [7, 8])  # 4 and 5 days after the payment
def test_an_expense_typed_in_more_than_three_days_away_is_imported(books, layout, day):
    typed_books(books, day)
    text, stickers = export_of(layout)
    outcome = run_import(books, text)
    assert not outcome.problems
    assert stickers in {r["id"] for r in ledger_rows(books)}


def test_a_typed_row_of_another_fund_than_the_imports_is_another_movement(books):
    typed_books(books, fund="commons")
    outcome = run_import(books, legacy_export(), fund="general")
    assert not outcome.problems and len(outcome.plan.rows) == len(EXPECTED)
    typed_books(books, fund="general")
    (books / TARGET).unlink()
    outcome = run_import(books, legacy_export(), fund="general")
    assert len(outcome.plan.held_back) == 1


def test_keep_likely_duplicates_imports_the_export_as_it_is(books):
    typed_books(books)
    outcome = run_import(books, current_export(), keep_likely_duplicates=True)
    assert not outcome.problems and len(ledger_rows(books)) == len(EXPECTED)


def test_rows_of_an_earlier_export_are_not_taken_for_new_transactions(books):
    # The same fee on the same day twice: two transactions with their own ids, never one typed
    fees = [replace(TXS[1], number=7), replace(TXS[1], number=8, when="2025-01-11T09:00:00")]
    run_import(books, legacy_export(fees[:1]))
    outcome = run_import(books, legacy_export(fees))
    assert not outcome.problems and [row.id for row in outcome.plan.rows] == ["00000008"]


def test_an_id_already_used_for_another_amount_is_a_conflict_not_a_duplicate(books):
    run_import(books, legacy_export(TXS[:1]))
    text = (books / TARGET).read_text(encoding="utf-8").replace("100.00", "90.00")
    (books / TARGET).write_text(text, encoding="utf-8")
    before = snapshot(books)
    text = legacy_export(TXS[:3])
    outcome = run_import(books, text)
    assert (EXPORT, _lines_by_id(text)["00000001"], "import-id-conflict") in codes_at(
        outcome.problems
    )
    assert snapshot(books) == before


def test_rows_are_appended_in_the_targets_own_header_order_and_newline(books):
    (books / TARGET).write_bytes(
        b"id;date;amount;category;description;counterparty;note;fund\r\nx1;2025-01-02;1,00;dues;Kept;;;"
    )
    accounts = ACCOUNTS + 'csv: {delimiter: ";", decimal: ","}\n'
    (books / "ledgers/accounts.yml").write_text(accounts, encoding="utf-8")
    (books / "ledgers/2025.csv").write_text(
        "date;description;amount;category\n2025-01-05;Dues;12,50;dues\n", encoding="utf-8"
    )
    outcome = run_import(books, legacy_export(TXS[:1]))
    assert not outcome.problems
    data = (books / TARGET).read_bytes()
    assert data.startswith(
        b"id;date;amount;category;description;counterparty;note;fund\r\nx1;2025-01-02;1,00;dues;Kept;;;\r\n"
    )
    assert b"\r\n00000001;2025-01-10;100,00;contributions;Monthly contribution;Acme Inc;" in data
    assert data.endswith(b"\r\n") and b"\n\n" not in data
    assert_books_pass(books)


def test_a_target_without_an_id_column_is_refused(books):
    (books / TARGET).write_text(
        "date,description,amount,category\n2025-01-02,Kept,1,dues\n", encoding="utf-8"
    )
    before = snapshot(books)
    outcome = run_import(books, legacy_export())
    assert (TARGET, 1, "import-target-column-missing") in codes_at(outcome.problems)
    assert snapshot(books) == before


def test_an_unreadable_ledger_stops_the_import(books):
    (books / "ledgers/2025.csv").write_bytes(b"date,description,amount\n2025-01-01,\xff,1\n")
    outcome = run_import(books, legacy_export())
    assert ("ledgers/2025.csv", None, "import-ledger-unreadable") in codes_at(outcome.problems)
    assert not (books / TARGET).exists()


# -- The balance comparison ----------------------------------------------------------------------


def _lines_by_id(text: str) -> dict[str, int]:
    """Physical line of each transaction in an export (multi-line cells counted)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    lines, start = {}, 2
    for record in reader:
        lines[record[1]] = start
        start = reader.line_num + 1
    return lines


#: TXS in 2020, before host fees were itemized: the balance cells of contributions (and their
#: refunds) are in sequence then (see the eras below); no HOST_FEE transaction yet.
TXS_2020 = [
    replace(tx, when=tx.when.replace("2025", "2020")) for tx in TXS if tx.kind != "HOST_FEE"
]


def test_a_tampered_balance_cell_is_reported_at_its_transaction(books):
    text = legacy_export(TXS_2020)
    line = _lines_by_id(text)["00000004"]
    # the refund's balance is 100 - 3.20 - 4.39 - 45.50 - 20 = 26.91
    assert ",26.91," in text
    outcome = run_import(books, edit(text, "00000004", "balance", "29.91"))
    assert codes_at(outcome.problems) == {(EXPORT, line, "oc-balance-mismatch")}
    assert outcome.problems[0].severity is Severity.WARNING
    assert "altered" in outcome.problems[0].message  # the rows after it agree again
    assert outcome.written  # a warning: the rows are imported as the export gives them
    assert f"line {line}" in " ".join(outcome.details)


def test_a_missing_transaction_is_reported_where_the_difference_starts(books):
    records = list(csv.reader(io.StringIO(legacy_export(TXS_2020), newline="")))
    kept = [r for r in records if r[1] != "00000003"]  # the expense vanished from the export
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    outcome = run_import(books, out.getvalue())
    # the next transaction in time, the refund, is the first whose balance disagrees
    found = [p for p in outcome.problems if p.code == "oc-balance-mismatch"]
    assert len(found) == 1
    assert found[0].line == _lines_by_id(out.getvalue())["00000004"]
    assert "missing" in found[0].message


def test_a_consistent_export_of_a_date_range_agrees(books):
    text = legacy_export(TXS_2020)
    records = list(csv.reader(io.StringIO(text, newline="")))
    # the oldest two transactions left out: the export starts with a balance already
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records[:-2])
    outcome = run_import(books, out.getvalue())
    assert not outcome.problems
    assert "agrees" in " ".join(outcome.details)


def test_the_current_layout_with_a_balance_column_is_compared_too(books):
    text = current_export(with_balance=True)
    outcome = run_import(books, text)
    assert not outcome.problems
    assert "agrees" in " ".join(outcome.details)
    records = list(csv.reader(io.StringIO(text, newline="")))
    # a host fee's balance cell is in sequence (an expense's is not: see the eras below)
    balance = next(r for r in records if r[1] == "1002")[-1]
    outcome = run_import(books, edit(text, "1002", "balance", str(Decimal(balance) - 1)))
    assert codes_at(outcome.problems) == {
        (EXPORT, _lines_by_id(text)["1002"], "oc-balance-mismatch")
    }


# -- Malformed exports: reported with the line and why, nothing written --------------------------


@pytest.mark.parametrize(
    "old, new, code",
    [
        (',"DEBIT","EXPENSE",', ',"DEBET","EXPENSE",', "import-value-invalid"),
        (',"DEBIT","EXPENSE",', ',"","EXPENSE",', "import-value-missing"),
        ('"2025-02-03T12:30:00"', '"03/02/2025 12:30"', "import-date-invalid"),
        ('"2025-02-03T12:30:00"', '"2025-02-30T12:30:00"', "import-date-invalid"),
        (",-45.5,0,-45.5,", ",-45.50 EUR,0,-45.5,", "import-amount-invalid"),
        (",-45.5,0,-45.5,", ",45.5,0,45.5,", "oc-sign-contradicts-type"),
        (",-45.5,0,-45.5,", ",-45.5,0,-44.5,", "oc-net-amount-mismatch"),
        ('"00000002"', '"00000003"', "import-id-repeated"),  # reported where it repeats
        (',"","","","€45.50', ',"yes please","","","€45.50', "import-value-invalid"),
    ],
)
def test_a_malformed_row_is_reported_at_its_line_and_nothing_is_written(books, old, new, code):
    text = legacy_export()
    line = _lines_by_id(text)["00000002" if code == "import-id-repeated" else "00000003"]
    assert old in text, old
    before = snapshot(books)
    outcome = run_import(books, text.replace(old, new, 1))
    assert (EXPORT, line, code) in codes_at(outcome.problems)
    assert not outcome.written
    assert snapshot(books) == before


def test_an_export_in_another_currency_is_refused_once_not_per_row(books):
    outcome = run_import(books, legacy_export(currency="USD"))
    assert codes_at(outcome.problems) == {(EXPORT, 2, "import-currency-mismatch")}
    assert "USD" in outcome.problems[0].message and "EUR" in outcome.problems[0].message


def test_a_truncated_export_is_refused(books):
    text = legacy_export() + "Warning: totalCount is 2000 and limit was 1000"
    last = text.count("\n") + 1
    outcome = run_import(books, text)
    assert codes_at(outcome.problems) == {(EXPORT, last, "oc-export-truncated")}
    assert not (books / TARGET).exists()


def test_a_file_that_is_not_an_export_says_which_columns_are_missing(books):
    outcome = run_import(books, LEDGER_HEADER + "2025-01-05,Dues,12.50,dues,,,,,\n")
    assert {(p.line, p.code) for p in outcome.problems} == {(1, "import-column-missing")}
    assert len(outcome.problems) == 2  # no type, no kind (date, id and amount are there)


def test_structural_csv_problems_of_the_export_are_reported(books):
    text = legacy_export()
    line = _lines_by_id(text)["00000003"]
    broken = text.replace('"Stickers', '"Stickers, 3 ""big""', 1).replace(
        '"DEBIT","EXPENSE",', '"DEBIT",x,"EXPENSE",', 1
    )
    outcome = run_import(books, broken)
    assert (EXPORT, line, "csv-ragged-row") in codes_at(outcome.problems)
    outcome = run_import(books, legacy_export().encode("utf-8").replace(b"Jane", b"J\xe4ne"))
    assert {p.code for p in outcome.problems} == {"file-not-utf8"}


def test_many_bad_rows_are_capped_like_the_checks(books):
    txs = [
        Tx(n, f"2025-01-{1 + n % 28:02d}T09:00:00", "CONTRIBUTION", D("10"), "x", "Ann")
        for n in range(1, 151)
    ]
    text = legacy_export(txs).replace(',"CREDIT",', ',"CREDITED",')
    outcome = run_import(books, text)
    codes = [p.code for p in outcome.problems]
    assert codes.count("import-value-invalid") == 100 and codes.count("too-many-problems") == 1


# -- Periods and dates ---------------------------------------------------------------------------


def test_new_rows_in_a_closed_period_are_refused_but_old_ones_are_recognized(books):
    run_import(books, legacy_export(TXS[:2]))
    accounts = (books / "ledgers/accounts.yml").read_text(
        encoding="utf-8"
    ) + "closed_through: 2025-02-28\n"
    (books / "ledgers/accounts.yml").write_text(accounts, encoding="utf-8")
    outcome = run_import(books, legacy_export(TXS))
    assert {p.code for p in outcome.problems} == {"import-closed-period"}
    assert {p.line for p in outcome.problems} == {
        _lines_by_id(legacy_export())[n] for n in ("00000003", "00000004")
    }
    outcome = run_import(books, legacy_export(TXS[:2] + TXS[4:]))
    assert not outcome.problems and [r.id for r in outcome.plan.rows] == [
        "00000005",
        "00000006",
        "00000006-fee",
    ]


def test_a_row_dated_after_today_waits_for_the_next_import(books):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    txs = [TXS[0], replace(TXS[5], when=f"{tomorrow}T01:00:00")]
    outcome = run_import(books, legacy_export(txs))
    assert {(p.code, p.severity) for p in outcome.problems} == {
        ("import-date-in-future", Severity.WARNING)
    }
    assert {r["id"] for r in ledger_rows(books)} == {"00000001", "00000001-fee", "00000001-tax"}
    assert outcome.plan.future == 2


# -- Thousands of rows ---------------------------------------------------------------------------


def test_five_thousand_transactions_import_quickly_and_re_import_to_nothing(books):
    start = dt.datetime(2020, 1, 1)
    txs = []
    for n in range(1, 5001):
        when = (start + dt.timedelta(hours=7 * n)).strftime("%Y-%m-%dT%H:%M:%S")
        if n % 5 == 0:
            txs.append(
                Tx(
                    n,
                    when,
                    "EXPENSE",
                    -Decimal(n % 97 + 1),
                    f"Expense {n}\nwith details",
                    f"Payee {n % 13}",
                )
            )
        else:
            txs.append(
                Tx(
                    n,
                    when,
                    "CONTRIBUTION",
                    Decimal(n % 50 + 5),
                    f"Contribution {n}",
                    f"Backer {n % 41}",
                    D("-0.59"),
                )
            )
    text = legacy_export(txs)
    began = time.perf_counter()
    outcome = run_import(books, text)
    elapsed = time.perf_counter() - began
    assert not outcome.problems
    assert len(outcome.plan.rows) == 5000 + 4000
    assert elapsed < 10, elapsed
    assert_books_pass(books)
    outcome = run_import(books, text)
    assert outcome.plan.rows == [] and outcome.plan.duplicates == 9000


# -- Never loses or corrupts ---------------------------------------------------------------------


def test_a_failed_write_leaves_every_file_as_it_was(books, monkeypatch):
    run_import(books, legacy_export(TXS[:1]))
    before = snapshot(books)
    real_replace = os.replace

    def failing_replace(source, destination):
        if str(destination).endswith("opencollective.csv"):
            raise OSError(28, "No space left on device")
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        run_import(books, legacy_export(TXS))  # needs new categories and new rows
    after = snapshot(books)
    assert after == before  # accounts.yml put back, no temporary file left behind


def test_dry_run_writes_nothing(books):
    before = snapshot(books)
    outcome = run_import(books, legacy_export(), dry_run=True)
    assert snapshot(books) == before
    assert len(outcome.plan.rows) == len(EXPECTED)
    assert not (books / TARGET).exists()
    assert "contributions" not in (books / "ledgers/accounts.yml").read_text(encoding="utf-8")


# -- The command ---------------------------------------------------------------------------------


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_imports_and_prints_a_summary(books):
    (books / EXPORT).write_text(legacy_export(), encoding="utf-8")
    result = cli("import", "opencollective", str(books / EXPORT), str(books))
    assert result.exit_code == 0, result.output
    assert "Imported 9 rows" in result.output
    assert "Skipped 0 rows" in result.output
    assert "agrees" in result.output
    result = cli(
        "import", "opencollective", str(books / EXPORT), str(books), "--into", "ledgers/oc.csv"
    )
    assert result.exit_code == 0
    assert "Imported 0 rows" in result.output and "Skipped 9 rows" in result.output


def test_cli_exit_status_1_with_problems_and_nothing_written(books):
    (books / EXPORT).write_text(legacy_export().replace('"DEBIT"', '"DEBET"'), encoding="utf-8")
    result = cli("import", "opencollective", str(books / EXPORT), str(books))
    assert result.exit_code == 1
    assert "[import-value-invalid]" in result.output and "Nothing was written" in result.output
    assert not (books / TARGET).exists()


def test_cli_reports_a_held_back_transaction_and_accepts_it(books):
    typed_books(books)
    text = current_export()
    (books / EXPORT).write_text(text, encoding="utf-8")
    line = _lines_by_id(text)["1003"]
    args = ["import", "opencollective", str(books / EXPORT), str(books)]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert f"{EXPORT}:{line}: warning: [import-likely-duplicate]" in result.output
    assert "ledgers/2025.csv line 2" in result.output and f"--accept {line}" in result.output
    result = cli(*args, "--accept", str(line))
    assert result.exit_code == 0 and "Imported 1 row " in result.output, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["missing.csv"],
        ["{export}", "{root}/nowhere"],
        ["{export}", "{root}", "--into", "elsewhere/x.csv"],
        ["{export}", "{root}", "--into", "ledgers/budget-2026.csv"],
        ["{export}", "{root}", "--into", "ledgers/OC.CSV"],  # publisher check would not read it
        ["{export}", "{root}", "--category", "contributions"],
        ["{export}", "{root}", "--fund", "nope"],
    ],
)
def test_cli_exit_status_2_when_it_cannot_run(books, args):
    (books / EXPORT).write_text(legacy_export(), encoding="utf-8")
    args = [a.format(export=books / EXPORT, root=books) for a in args]
    result = cli("import", "opencollective", *args)
    assert result.exit_code == 2, result.output
    assert not (books / TARGET).exists()


# -- Every era of Open Collective's data, in every layout ----------------------------------------
#
# What an export holds depends on when each transaction happened (hledger's notes on converting
# Open Collective CSV): before 2021-06 host fees are not itemized (a contribution's net amount is
# its gross amount plus processor fee plus a host fee no column shows); HOST_FEE transactions
# start in 2021-06; processor fee and cover transactions of their own start in 2024-01 (the
# fees-as-columns option folds the processor fee back into a column); the balance cell of a
# contribution from 2021-06 is its balance before its fees were taken, and an expense's is
# written out of sequence too.

ITEMIZED = "2021-06"
SEPARATE_FEES = "2024-01"


@dataclass(frozen=True)
class Movement:
    """One contribution or expense and the fees Open Collective takes from it (negative)."""

    number: int
    when: str
    kind: str
    gross: Decimal
    processor_fee: Decimal = Decimal(0)
    host_fee: Decimal = Decimal(0)
    refund: bool = False
    covered: bool = False  # the host covers the processor fee (PAYMENT_PROCESSOR_COVER)


#: A collective active since 2019: contributions and expenses in each era, a refund before 2021.
HISTORY = [
    Movement(1, "2019-03-02T10:00:00", "CONTRIBUTION", D("10"), D("-0.59"), D("-1")),
    Movement(2, "2019-11-20T18:30:00", "CONTRIBUTION", D("250"), D("-7.55"), D("-25")),
    Movement(3, "2020-02-14T09:15:00", "EXPENSE", D("-120.40"), D("-0.39")),
    Movement(4, "2020-07-01T12:00:00", "CONTRIBUTION", D("-10"), D("0.59"), D("1"), refund=True),
    Movement(5, "2021-01-05T08:00:00", "ADDED_FUNDS", D("500"), host_fee=D("-50")),
    Movement(6, "2021-08-09T14:00:00", "CONTRIBUTION", D("2"), D("-0.59"), D("-0.20")),
    Movement(7, "2022-05-30T16:20:00", "EXPENSE", D("-300"), D("-2.15")),
    Movement(8, "2023-12-31T23:00:00", "CONTRIBUTION", D("100"), D("-3.20"), D("-10")),
    Movement(9, "2024-02-10T11:11:00", "CONTRIBUTION", D("20"), D("-0.88"), D("-2")),
    Movement(10, "2024-06-15T09:00:00", "EXPENSE", D("-45.50"), D("-0.39"), covered=True),
    Movement(11, "2025-03-01T07:45:00", "CONTRIBUTION", D("5"), D("-0.45"), D("-0.50")),
]


def _era_records(m: Movement, fees_as_columns: bool) -> list[dict]:
    """The transactions Open Collective records for one movement, oldest first, with the
    amount of each (`amount`, its fee column, `netAmount`) in the era's shape."""
    when = m.when[:7]
    typed = "DEBIT" if m.gross < 0 else "CREDIT"
    record = {"number": m.number, "kind": m.kind, "type": typed, "refund": m.refund}
    fee_column = m.processor_fee if fees_as_columns or when < SEPARATE_FEES else Decimal(0)
    if when < ITEMIZED:  # the host fee is only in the net amount
        records = [
            {
                **record,
                "amount": m.gross,
                "fee": fee_column,
                "net": m.gross + m.processor_fee + m.host_fee,
            }
        ]
    else:
        records = [{**record, "amount": m.gross, "fee": fee_column, "net": m.gross + fee_column}]
        if m.host_fee:
            records.append(
                {
                    "number": 100 + m.number,
                    "kind": "HOST_FEE",
                    "type": "DEBIT",
                    "refund": False,
                    "amount": m.host_fee,
                    "fee": Decimal(0),
                    "net": m.host_fee,
                }
            )
    if when >= ITEMIZED and not fees_as_columns and when >= SEPARATE_FEES and m.processor_fee:
        records.append(
            {
                "number": 200 + m.number,
                "kind": "PAYMENT_PROCESSOR_FEE",
                "type": "DEBIT",
                "refund": False,
                "amount": m.processor_fee,
                "fee": Decimal(0),
                "net": m.processor_fee,
            }
        )
    if m.covered and when >= SEPARATE_FEES:
        records.append(
            {
                "number": 300 + m.number,
                "kind": "PAYMENT_PROCESSOR_COVER",
                "type": "CREDIT",
                "refund": False,
                "amount": -m.processor_fee,
                "fee": Decimal(0),
                "net": -m.processor_fee,
            }
        )
    return records


def era_export(layout: str, with_labels: bool = False, history=HISTORY) -> str:
    """An export of HISTORY: layout "legacy" (fees as columns, gross amount, balance),
    "legacy-no-fee-columns", "default" (net amounts only) or "default-fee-columns"."""
    legacy = layout.startswith("legacy")
    fees_as_columns = layout in ("legacy", "default-fee-columns")
    rows, balance = [], Decimal(0)
    for m in history:
        records = _era_records(m, fees_as_columns)
        before = balance
        balance += sum(record["net"] for record in records)
        group = []
        for record in records:
            # A fee's balance is the one after its whole group (as in hledger's example: the
            # host fee's balance includes the contribution listed above it).
            shown = balance
            if record["kind"] == "EXPENSE" or (
                record["kind"] == "CONTRIBUTION" and m.when[:7] >= ITEMIZED
            ):
                shown = before + record["amount"]  # out of sequence: before its fees
            number = record["number"]
            group.append(
                {
                    "datetime": m.when,
                    "effectiveDate": m.when,
                    "shortId": f"{number:08x}",
                    "legacyId": str(5000 + number),
                    "description": f"{record['kind'].title()} {number}",
                    "type": record["type"],
                    "kind": record["kind"],
                    "isRefund": "REFUND" if record["refund"] else "",
                    "amount": _num(record["amount"]),
                    "paymentProcessorFee": _num(record["fee"]),
                    "netAmount": _num(record["net"]),
                    "balance": _num(shown),
                    "currency": "EUR",
                    "taxAmount": 0,
                }
            )
        # newest first, the movement's own transaction above its fees (the export is reversed)
        rows.extend(group[::-1])
    if legacy:
        fields = LEGACY_FIELDS
    else:
        fields = CURRENT_FIELDS + (["paymentProcessorFee", "taxAmount"] if fees_as_columns else [])
    return _write(fields, rows[::-1], with_labels)


def collectives_own_accounting(text: str) -> tuple[dict[str, Decimal], Decimal]:
    """The yearly net and the final balance, as the export's own columns give them: the sum of
    the net amounts ("Amount Single Column") by year of the date, and their total."""
    yearly: dict[str, Decimal] = {}
    for record in csv.DictReader(io.StringIO(text, newline="")):
        net = record.get("netAmount", record.get("Amount Single Column"))
        when = (
            record.get("datetime")
            or record.get("effectiveDate")
            or record.get("Date & Time")
            or record.get("Effective Date & Time")
        )
        yearly[when[:4]] = yearly.get(when[:4], Decimal(0)) + Decimal(net)
    return yearly, sum(yearly.values(), Decimal(0))


ERA_LAYOUTS = ["legacy", "legacy-no-fee-columns", "default", "default-fee-columns"]


@pytest.mark.parametrize("with_labels", [False, True], ids=["field-ids", "labels"])
@pytest.mark.parametrize("layout", ERA_LAYOUTS)
def test_every_era_imports_and_adds_up_to_the_collectives_own_accounting(
    tmp_path, layout, with_labels
):
    root = write_coop(tmp_path, {})
    text = era_export(layout, with_labels)
    outcome = run_import(root, text)
    assert not has_errors_in(outcome), outcome.problems
    assert outcome.written
    yearly_net, final_balance = collectives_own_accounting(text)
    imported: dict[str, Decimal] = {}
    for row in ledger_rows(root):
        imported[row["date"][:4]] = imported.get(row["date"][:4], Decimal(0)) + Decimal(
            row["amount"]
        )
    assert imported == yearly_net
    assert sum(imported.values()) == final_balance
    assert_books_pass(root)


def has_errors_in(outcome: Outcome) -> bool:
    return any(p.severity is Severity.ERROR for p in outcome.problems)


def test_legacy_final_balance_is_the_newest_in_sequence_balance_cell(tmp_path):
    root = write_coop(tmp_path, {})
    text = era_export("legacy")
    outcome = run_import(root, text)
    assert not outcome.problems
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    in_sequence = next(r for r in records if r["kind"] not in ("CONTRIBUTION", "EXPENSE"))
    total = sum(Decimal(r["amount"]) for r in ledger_rows(root))
    assert total == Decimal(in_sequence["balance"]) == collectives_own_accounting(text)[1]
    details = " ".join(outcome.details)
    assert "agrees" in details and "not compared" in details


def test_host_fees_before_june_2021_become_rows_of_their_own_marked_inferred(tmp_path):
    root = write_coop(tmp_path, {})
    outcome = run_import(root, era_export("legacy"))
    assert not outcome.problems
    rows = {r["id"]: r for r in ledger_rows(root)}
    inferred = {i: r for i, r in rows.items() if "inferred" in r["note"]}
    # the contributions and added funds before 2021-06, the refund giving its host fee back
    assert {(i, r["amount"], r["category"]) for i, r in inferred.items()} == {
        ("00000001-host-fee", "-1.00", "host-fees"),
        ("00000002-host-fee", "-25.00", "host-fees"),
        ("00000004-host-fee", "1.00", "host-fees"),
        ("00000005-host-fee", "-50.00", "host-fees"),
    }
    assert inferred["00000004-host-fee"]["note"].startswith("refund: ")
    assert rows["00000001"]["amount"] == "10.00" and rows["00000001-fee"]["amount"] == "-0.59"
    # from June 2021 the host fee is a transaction of its own: nothing is inferred
    assert rows["00000006"]["amount"] == "2.00" and rows["0000006a"]["amount"] == "-0.20"
    assert "4 inferred" in " ".join(outcome.details)


def _legacy_with(history) -> str:
    return era_export("legacy", history=history)


@pytest.mark.parametrize(
    "movement, why",
    [
        # from 2021-06 the host fee is a HOST_FEE transaction: the columns must add up
        (Movement(1, "2022-03-01T10:00:00", "CONTRIBUTION", D("10"), D("-0.59")), "June 2021"),
        # an expense carries no host fee
        (Movement(1, "2020-03-01T10:00:00", "EXPENSE", D("-10"), D("-0.59")), "EXPENSE"),
    ],
)
def test_columns_that_cannot_add_up_are_still_an_error(tmp_path, movement, why):
    root = write_coop(tmp_path, {})
    text = _legacy_with([movement])
    # take one more euro than the columns show from the net amount
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    net = records[0]["netAmount"]
    text = edit(text, "00000001", "netAmount", str(Decimal(net) - 1))
    outcome = run_import(root, text)
    assert codes_at(outcome.problems) == {(EXPORT, 2, "oc-net-amount-mismatch")}
    assert why in outcome.problems[0].message and "unedited" in outcome.problems[0].message
    assert not outcome.written


def test_a_net_amount_larger_than_gross_and_fees_is_no_host_fee(tmp_path):
    root = write_coop(tmp_path, {})
    text = _legacy_with([Movement(1, "2020-03-01T10:00:00", "CONTRIBUTION", D("10"), D("-0.59"))])
    outcome = run_import(root, edit(text, "00000001", "netAmount", "9.91"))
    assert codes_at(outcome.problems) == {(EXPORT, 2, "oc-net-amount-mismatch")}


def test_balance_cells_of_later_contributions_and_expenses_are_not_compared(tmp_path):
    root = write_coop(tmp_path, {})
    text = era_export("legacy")
    lines = _lines_by_id(text)
    # an expense's balance cell is out of sequence anyway: changing it says nothing
    outcome = run_import(root, edit(text, "00000007", "balance", "1"))
    assert not outcome.problems
    # a host fee's cell is in sequence: changing it is reported there
    outcome = run_import(root, edit(text, "0000006a", "balance", "1"))
    assert codes_at(outcome.problems) == {(EXPORT, lines["0000006a"], "oc-balance-mismatch")}


def test_a_currency_error_in_books_without_rows_says_how_to_change_it(tmp_path):
    root = write_coop(tmp_path, {})
    outcome = run_import(root, legacy_export(currency="USD"))
    assert codes_at(outcome.problems) == {(EXPORT, 2, "import-currency-mismatch")}
    message = outcome.problems[0].message
    accounts_lines = (root / "ledgers/accounts.yml").read_text().splitlines()
    line = next(n for n, text in enumerate(accounts_lines, 1) if text.startswith("currency:"))
    assert f"line {line} of ledgers/accounts.yml" in message
    assert '"currency: USD"' in message and "publisher new --currency USD" in message


def test_a_currency_error_in_books_with_rows_does_not_offer_to_change_it(books):
    outcome = run_import(books, legacy_export(currency="USD"))
    assert "publisher new" not in outcome.problems[0].message


@pytest.mark.parametrize("layout", ERA_LAYOUTS)
def test_an_export_of_every_era_imported_again_adds_nothing(tmp_path, layout):
    root = write_coop(tmp_path, {})
    text = era_export(layout)
    assert run_import(root, text).written
    before = snapshot(root)
    outcome = run_import(root, text)
    assert outcome.plan.rows == [] and not outcome.plan.held_back
    assert snapshot(root) == before


def test_a_host_fee_typed_in_by_hand_is_not_inferred_a_second_time(tmp_path):
    # the treasurer had typed the 2019 host fee of 25 in, two days after the contribution
    typed = LEDGER_HEADER + "2019-11-22,Host fee,-25.00,host-fees,,,,,\n"
    root = write_coop(tmp_path, {"ledgers/2019.csv": typed})
    accounts = root / "ledgers/accounts.yml"
    accounts.write_text(
        accounts.read_text(encoding="utf-8").replace(
            "categories:\n", "categories:\n  host-fees: {kind: expense, label: Host fees}\n", 1
        ),
        encoding="utf-8",
    )
    text = era_export("legacy")
    outcome = run_import(root, text)
    line = _lines_by_id(text)["00000002"]
    assert codes_at(outcome.problems) == {(EXPORT, line, "import-likely-duplicate")}
    [held] = outcome.plan.held_back
    assert (held.row.id, held.match.path, held.match.line) == (
        "00000002-host-fee",
        "ledgers/2019.csv",
        2,
    )
    assert "00000002" in {r["id"] for r in ledger_rows(root)}  # the contribution itself is new


def test_the_fiscal_host_that_took_fees_is_made_public_and_nobody_else(books):
    outcome = run_import(books, legacy_export())
    assert outcome.written
    accounts = (books / "ledgers/accounts.yml").read_text(encoding="utf-8").splitlines()
    start = accounts.index("public_counterparties:")
    listed = [line.strip()[2:] for line in accounts[start + 1 :] if line.strip().startswith("- ")]
    assert "Open Source Collective" in listed
    assert not {"Jane Doe", "Bob Roe", "Acme Inc"} & set(listed)
    assert any("Open Source Collective" in line for line in outcome.details)
    _, problems = check_cooperative(books, today=TODAY)
    assert not [
        p for p in problems if p.code.startswith("private-name") and "Collective" in p.message
    ]
    again = run_import(books, legacy_export())
    assert again.plan.public == [] and not again.plan.rows
