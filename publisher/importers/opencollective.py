"""Open Collective transaction exports -> ledger rows.

Open Collective exports a collective's transactions as CSV (the dashboard's "Export CSV", or
rest.opencollective.com/v2/{slug}/transactions.csv). Two layouts matter:

- the **platform default** (2024 on): one row per transaction, fees and taxes as transactions
  of their own (kinds HOST_FEE, PAYMENT_PROCESSOR_FEE, TAX), the signed amount in `netAmount`;
- the **legacy platform default** (pre-2024): the gross `amount` of a contribution with its
  fees as columns of the same row (`paymentProcessorFee`, `hostFee`, `platformFee`,
  `taxAmount`, negative numbers), `netAmount` the sum, and the account's `balance` after it.

What the export holds also depends on when a transaction happened (hledger's notes on converting
Open Collective CSV describe the eras): before June 2021 host fees are not itemized, so a
contribution's gross amount plus its fee columns exceed its net amount by the host fee; host fee
transactions (HOST_FEE) start in June 2021; processor fee and cover transactions of their own
start in January 2024 (before, the processor fee is only in the fee column). The balance column
is written out of sequence for expenses and for contributions from June 2021, so only the other
rows are compared with the running balance.

Either may name its columns by field id (`datetime`, `shortId`, …) or by label ("Date & Time",
"Short Transaction ID", …). Amounts are in the host currency, with a decimal point, negative
for debits. The rows come newest first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from publisher.accounts import Accounts
from publisher.csvfile import read_table
from publisher.i18n import _, _n
from publisher.importers.accountsfile import CategorySpec
from publisher.importers.common import (
    NewRow,
    Outcome,
    Plan,
    Problems,
    apply_plan,
    check_fund,
    currency_advice,
    open_cooperative,
    parse_amount,
    plan_import,
    read_source,
    source_label,
)
from publisher.importers.ledgerfile import CannotImport, normalize_description
from publisher.money import format_minor
from publisher.problems import has_errors

DEFAULT_TARGET = "ledgers/opencollective.csv"


#: field id -> the labels Open Collective has used for it (exports "with field names").
FIELDS: dict[str, tuple[str, ...]] = {
    "effectiveDate": ("Effective Date & Time", "Effective Date"),
    "datetime": ("Date & Time",),
    "date": ("Date",),
    "legacyId": ("Transaction ID", "Legacy Transaction ID"),
    "shortId": ("Short Transaction ID",),
    "id": ("Transaction GraphQL ID",),
    "group": ("Group ID",),
    "shortGroup": ("Short Group ID",),
    "description": ("Description",),
    "type": ("Credit/Debit", "Type"),
    "kind": ("Kind",),
    "isRefund": ("Is Refund",),
    "amount": ("Gross Amount", "Amount"),
    "netAmount": ("Amount Single Column", "Net Amount"),
    "paymentProcessorFee": ("Payment Processor Fee",),
    "hostFee": ("Host Fee",),
    "platformFee": ("Platform Fee",),
    "taxAmount": ("Tax Amount",),
    "balance": ("Balance",),
    "currency": ("Currency",),
    "oppositeAccountName": ("Opposite Account Name",),
}
DATE_FIELDS = ("effectiveDate", "datetime", "date")
ID_FIELDS = ("legacyId", "shortId", "id")

#: The roles of imported rows, each with its default category.
ROLES: dict[str, CategorySpec] = {
    "contributions": CategorySpec(
        "contributions", "income", "Contributions and other income (Open Collective)"
    ),
    "expenses": CategorySpec("expenses", "expense", "Expenses paid through Open Collective"),
    "host-fees": CategorySpec("host-fees", "expense", "Fiscal host fees"),
    "payment-fees": CategorySpec("payment-fees", "expense", "Payment processor fees"),
    "platform-fees": CategorySpec("platform-fees", "expense", "Platform fees"),
    "taxes": CategorySpec("taxes", "expense", "Taxes"),
}

#: kind -> (role of a CREDIT, role of a DEBIT). A refund takes the role of what it refunds:
#: the opposite type's.
KIND_ROLES: dict[str, tuple[str, str]] = {
    "CONTRIBUTION": ("contributions", "expenses"),
    "ADDED_FUNDS": ("contributions", "expenses"),
    "BALANCE_TRANSFER": ("contributions", "expenses"),
    "PREPAID_PAYMENT_METHOD": ("contributions", "expenses"),
    "EXPENSE": ("contributions", "expenses"),
    "HOST_FEE": ("host-fees", "host-fees"),
    "HOST_FEE_SHARE": ("host-fees", "host-fees"),
    "HOST_FEE_SHARE_DEBT": ("host-fees", "host-fees"),
    "PAYMENT_PROCESSOR_FEE": ("payment-fees", "payment-fees"),
    "PAYMENT_PROCESSOR_COVER": ("payment-fees", "payment-fees"),
    "PAYMENT_PROCESSOR_DISPUTE_FEE": ("payment-fees", "payment-fees"),
    "PLATFORM_FEE": ("platform-fees", "platform-fees"),
    "PLATFORM_TIP": ("platform-fees", "platform-fees"),
    "PLATFORM_TIP_DEBT": ("platform-fees", "platform-fees"),
    "APPLICATION_FEE": ("platform-fees", "platform-fees"),
    "TAX": ("taxes", "taxes"),
}
_BY_TYPE = ("contributions", "expenses")

#: Fee columns of the legacy layout: field, role, id suffix, description prefix.
FEE_COLUMNS = (
    ("paymentProcessorFee", "payment-fees", "fee", "Payment processor fee"),
    ("hostFee", "host-fees", "host-fee", "Host fee"),
    ("platformFee", "platform-fees", "platform-fee", "Platform fee"),
    ("taxAmount", "taxes", "tax", "Tax"),
)

#: Open Collective itemizes host fees (HOST_FEE transactions) from this day on; before it, the
#: host fee of a contribution is the gap between its net amount and its gross amount plus fees.
HOST_FEES_ITEMIZED = dt.date(2021, 6, 1)
#: The kinds a fiscal host takes its fee from.
HOST_FEE_KINDS = frozenset({"CONTRIBUTION", "ADDED_FUNDS"})

_TRUE = {"refund", "reverse", "true", "yes", "1"}
_FALSE = {"", "false", "no", "0"}
_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_TRAILER = re.compile(
    rb"(?m)^(?:Warning: totalCount is ([0-9]+) and limit was ([0-9]+)|"
    rb"Error while fetching account transactions\.)[ \t]*\r?$"
)


@dataclass
class Transaction:
    """One row of the export, read."""

    line: int
    when: str  # the date cell as written, for ordering
    date: dt.date
    id: str
    type: str
    kind: str
    refund: bool
    amount: int  # the row's main amount: gross with fee columns, else net
    fees: list[tuple[str, int]] = field(default_factory=list)  # (fee field, amount)
    balance: int | None = None
    description: str = ""
    counterparty: str = ""
    currency: str = ""
    group: str = ""  # the transactions created together (a contribution and its fees) share it
    #: the host fee not itemized before June 2021: net minus gross and fee columns
    inferred_host_fee: int = 0

    @property
    def net(self) -> int:
        return self.amount + sum(amount for _, amount in self.fees) + self.inferred_host_fee

    @property
    def balance_reliable(self) -> bool:
        """Whether Open Collective writes this row's balance cell in sequence.

        Expenses, and contributions from June 2021 (when their host fees became transactions of
        their own), carry a balance taken at another moment than the row's place in the export.
        """
        if self.kind == "EXPENSE":
            return False
        return not (self.kind == "CONTRIBUTION" and self.date >= HOST_FEES_ITEMIZED)


@dataclass(frozen=True)
class BalanceCheck:
    """The export's balance column against the running sum of its transactions."""

    compared: int  # transactions whose balance cell was compared
    mismatch_line: int | None = None
    not_compared: int = 0  # balance cells of kinds written out of sequence


def import_opencollective(
    export: Path,
    root: Path,
    *,
    into: str = DEFAULT_TARGET,
    fund: str | None = None,
    categories: dict[str, str] | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    accept_lines: frozenset[int] = frozenset(),
    keep_likely_duplicates: bool = False,
) -> Outcome:
    """Import an Open Collective export into the cooperative at `root`.

    `categories` maps roles (see ROLES) to the categories to use instead of the defaults.
    Rows that look like ledger rows typed by hand are held back, except those at the export's
    `accept_lines` (or all, with `keep_likely_duplicates`). Raises CannotImport when the
    import cannot run; bad data comes back as problems.
    """
    root = Path(root)
    data = read_source(export, root)
    cooperative, problems = open_cooperative(root, today)
    label = source_label(export, root)
    if cooperative is None:
        return Outcome(label, Plan(into, problems=problems), written=False)
    accounts = cooperative.accounts
    check_fund(accounts, fund)
    roles = _roles(categories or {})
    found = Problems(label)
    empty_books = root if cooperative.ledger.empty else None
    transactions, layout = read_export(data, label, accounts, found, empty_books=empty_books)
    balance = check_balance(transactions, accounts, found) if transactions else None
    candidates, zero = _rows(transactions, roles, fund or "")
    specs = {spec.key: spec for spec in roles.values()}
    plan = plan_import(
        cooperative,
        into,
        label,
        candidates,
        specs,
        match_descriptions=False,
        problems=found.all(),
        accept_lines=accept_lines,
        keep_likely_duplicates=keep_likely_duplicates,
        organizations=organizations(transactions),
    )
    written = False if dry_run else apply_plan(cooperative, plan)
    outcome = Outcome(label, plan, written, units=accounts.minor_units, zero=zero)
    if not has_errors(plan.problems):
        outcome.details = _details(layout, balance, transactions, accounts.minor_units)
        if plan.public:
            outcome.details.append(
                _(
                    "public_counterparties in accounts.yml gains {public}: the fiscal "
                    "host, payment processor or platform that took fees, named on the site."
                ).format(public=", ".join(plan.public))
            )
    return outcome


#: Transactions whose other side is an organization: the fiscal host, the payment processor,
#: the platform. A contributor or a payee may be a private person; these never are.
ORGANIZATION_KINDS = frozenset(
    kind
    for kind, roles in KIND_ROLES.items()
    if roles[0] in ("host-fees", "payment-fees", "platform-fees")
)


def organizations(transactions: list[Transaction]) -> frozenset[str]:
    """The counterparties that took fees: organizations, published by name."""
    return frozenset(
        t.counterparty for t in transactions if t.kind in ORGANIZATION_KINDS and t.counterparty
    )


def _roles(overrides: dict[str, str]) -> dict[str, CategorySpec]:
    roles = dict(ROLES)
    for role, key in overrides.items():
        if role not in ROLES:
            raise CannotImport(
                _("--category {role}={key}: the roles are {roles}.").format(
                    role=role, key=key, roles=", ".join(ROLES)
                )
            )
        if not re.fullmatch(r"[^\s:#{}\[\],]+", key):
            raise CannotImport(
                _('--category {role}={key}: a category key is one word, such as "dues".').format(
                    role=role, key=key
                )
            )
        roles[role] = CategorySpec(key, ROLES[role].kind, ROLES[role].label)
    return roles


def _columns(header: list[str]) -> dict[str, str]:
    """field id -> the header name that holds it (field ids and labels, any case)."""
    by_name: dict[str, str] = {}
    for field_id, labels in FIELDS.items():
        by_name.setdefault(field_id.lower(), field_id)
        for text in labels:
            by_name.setdefault(text.lower(), field_id)
    columns: dict[str, str] = {}
    for name in header:
        named_id = by_name.get(name.strip().lower())
        if named_id and named_id not in columns:
            columns[named_id] = name
    return columns


def read_export(
    data: bytes, path: str, accounts: Accounts, found: Problems, *, empty_books: Path | None = None
) -> tuple[list[Transaction], str]:
    """The transactions of an export, in file order, and the name of its layout."""
    for match in _TRAILER.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        if match.group(1):
            message = _(
                "The export stops here: Open Collective wrote that there are "
                "{announced:,} transactions but only {exported:,} were "
                "exported. Export again with all rows (in the dashboard, or with fetchAll=1 or "
                "a higher limit)."
            ).format(announced=int(match.group(1)), exported=int(match.group(2)))
        else:
            message = _("Open Collective stopped this export with an error; export again.")
        found.add("oc-export-truncated", line, message)
        data = data[: match.start()] + data[match.end() :]  # keep the newline: lines stay put
    table = read_table(data, path)
    found.extend(table.problems)
    if not table.readable:
        return [], ""
    columns = _columns(table.header)
    missing = []
    for fields, what in (
        (DATE_FIELDS, _("a date (Effective Date & Time, Date & Time or Date)")),
        (ID_FIELDS, _("a transaction id (Transaction ID or Short Transaction ID)")),
        (("type",), _("the type (Credit/Debit)")),
        (("kind",), _("the kind (Kind)")),
        (
            ("netAmount", "amount"),
            _("an amount (Amount Single Column, Net Amount or Gross Amount)"),
        ),
    ):
        if not any(f in columns for f in fields):
            missing.append(what)
    for what in missing:
        found.add(
            "import-column-missing",
            1,
            _(
                "This file has no column for {what}, so it cannot be read as an Open Collective "
                "transactions export. Export the transactions with the platform default or the legacy "
                "platform default set of fields."
            ).format(what=what),
        )
    if missing or has_errors(table.problems):
        return [], ""
    fee_fields = [f for f, *_ in FEE_COLUMNS if f in columns]
    fees_as_columns = "amount" in columns and bool(fee_fields)
    main = "amount" if fees_as_columns or "netAmount" not in columns else "netAmount"
    frame = table.frame
    cells = {f: frame[name].astype("str").tolist() for f, name in columns.items()}
    lines = frame["line"].tolist()
    units = accounts.minor_units
    transactions: list[Transaction] = []
    for index, line in enumerate(lines):
        row = {f: values[index].strip() for f, values in cells.items()}
        transaction = _read_row(
            row, line, main, fee_fields if fees_as_columns else [], units, found
        )
        if transaction is not None:
            transactions.append(transaction)
    _check_ids(transactions, found)
    _check_currency(transactions, accounts, found, empty_books)
    layout = (
        _("fees as columns (legacy platform default)")
        if fees_as_columns
        else _("fees as transactions of their own (platform default)")
    )
    return transactions, layout


def _read_row(
    row: dict[str, str], line: int, main: str, fee_fields: list[str], units: int, found: Problems
) -> Transaction | None:
    """One row of the export (field id -> stripped cell), or None when it cannot be read."""

    def cell(f: str) -> str:
        return row.get(f, "")

    ok = True
    when = next((cell(f) for f in DATE_FIELDS if cell(f)), "")
    date = None
    if not when:
        found.add("import-value-missing", line, _("This transaction has no date."))
        ok = False
    else:
        match = _DATE.fullmatch(when)
        try:
            date = dt.date(*(int(g) for g in match.groups())) if match else None
        except ValueError:
            date = None
        if date is None:
            found.add(
                "import-date-invalid",
                line,
                _(
                    '"{when}" is not a date as Open Collective writes them (2024-05-20 or '
                    "2024-05-20T14:37:51); the export may have been opened and saved by a spreadsheet. "
                    "Use the file as downloaded."
                ).format(when=when),
            )
            ok = False
    transaction_id = next((cell(f) for f in ID_FIELDS if cell(f)), "")
    if not transaction_id:
        found.add(
            "import-value-missing",
            line,
            _("This transaction has no id; every exported transaction has one."),
        )
        ok = False
    kind_type = cell("type").upper()
    if kind_type not in ("CREDIT", "DEBIT"):
        found.add(
            "import-value-missing" if not kind_type else "import-value-invalid",
            line,
            _('The type is "{cell}"; Open Collective writes CREDIT or DEBIT.').format(
                cell=cell("type")
            ),
        )
        ok = False
    kind = cell("kind").upper()
    if not kind:
        found.add(
            "import-value-missing",
            line,
            "This transaction has no kind (CONTRIBUTION, EXPENSE, …).",
        )
        ok = False
    refund_text = cell("isRefund").lower()
    if refund_text not in _TRUE | _FALSE:
        found.add(
            "import-value-invalid",
            line,
            _('"Is Refund" is "{cell}"; Open Collective writes REFUND or leaves it empty.').format(
                cell=cell("isRefund")
            ),
        )
        ok = False
    amounts: dict[str, int] = {}
    for f in [main, *fee_fields, "balance"]:
        text = cell(f)
        if not text:
            if f == main:
                found.add(
                    "import-value-missing",
                    line,
                    _("This transaction has no amount ({f}).").format(f=f),
                )
                ok = False
            continue
        value, why = parse_amount(text, units)
        if value is None:
            found.add(
                "import-amount-invalid",
                line,
                _('The {f} "{text}" cannot be read: {why}.').format(f=f, text=text, why=why),
            )
            ok = False
        else:
            amounts[f] = value
    if ok and amounts[main] and (amounts[main] < 0) != (kind_type == "DEBIT"):
        found.add(
            "oc-sign-contradicts-type",
            line,
            _(
                "The {kind_type} transaction {transaction_id} has the amount {cell}: "
                "Open Collective writes credits positive and debits negative. The export was edited, "
                "or the amounts are in separate debit and credit columns; export the single "
                "amount column."
            ).format(kind_type=kind_type, transaction_id=transaction_id, cell=cell(main)),
        )
        ok = False
    if not ok or date is None:
        return None
    fees = [(f, amounts[f]) for f in fee_fields if amounts.get(f)]
    transaction = Transaction(
        line=line,
        when=when,
        date=date,
        id=transaction_id,
        type=kind_type,
        kind=kind,
        refund=refund_text in _TRUE,
        amount=amounts[main],
        fees=fees,
        balance=amounts.get("balance"),
        description=normalize_description(cell("description")),
        counterparty=normalize_description(cell("oppositeAccountName")),
        currency=cell("currency").upper(),
        group=cell("group") or cell("shortGroup"),
    )
    if fee_fields and cell("netAmount"):
        net, _net_problem = parse_amount(cell("netAmount"), units)
        if net is not None and net != transaction.net:
            gap = net - transaction.net
            if _host_fee_inferable(transaction, gap, amounts.get("hostFee", 0)):
                transaction.inferred_host_fee = gap
                return _checked_kind(transaction, found)
            parts = " + ".join(
                f"{f} {format_minor(a, units)}" for f, a in [(main, transaction.amount), *fees]
            )
            found.add(
                "oc-net-amount-mismatch",
                line,
                _(
                    "The net amount {net} is not the gross amount plus the fee "
                    "columns ({parts} = {expected_net}), and the "
                    "difference cannot be a host fee: {why_not_a_host_fee}. The "
                    "export contradicts itself: export it again, unedited."
                ).format(
                    net=format_minor(net, units),
                    parts=parts,
                    expected_net=format_minor(transaction.net, units),
                    why_not_a_host_fee=_why_not_a_host_fee(transaction, gap),
                ),
            )
            return None
    return _checked_kind(transaction, found)


def _host_fee_inferable(t: Transaction, gap: int, host_fee_cell: int) -> bool:
    """Whether net minus (gross + fee columns) is the host fee Open Collective did not itemize.

    That is so for a contribution or added funds before June 2021 without a host fee cell,
    when the gap takes money from the amount (or gives it back with a refund), never more.
    """
    return (
        t.kind in HOST_FEE_KINDS
        and t.date < HOST_FEES_ITEMIZED
        and not host_fee_cell
        and t.amount != 0
        and (gap < 0) != (t.amount < 0)
        and abs(gap) <= abs(t.amount)
    )


def _why_not_a_host_fee(t: Transaction, gap: int) -> str:
    if t.kind not in HOST_FEE_KINDS:
        return _(
            "host fees are taken from contributions and added funds, not from a {kind}"
        ).format(kind=t.kind)
    if t.date >= HOST_FEES_ITEMIZED:
        return _(
            "from June 2021 Open Collective records host fees as transactions of their own "
            "(HOST_FEE), so the columns must add up"
        )
    if any(f == "hostFee" for f, _ in t.fees):
        return _("this row has a host fee column of its own")
    if t.amount == 0 or (gap < 0) == (t.amount < 0):
        return _("a fee would make the net amount smaller, not larger")
    return _("it is larger than the amount itself")


def _checked_kind(transaction: Transaction, found: Problems) -> Transaction:
    if transaction.kind not in KIND_ROLES:
        found.add(
            "oc-kind-unknown",
            transaction.line,
            _(
                'The kind "{kind}" is new to the importer: this {type} is '
                "imported as {value}. Check "
                "its category."
            ).format(
                kind=transaction.kind,
                type=transaction.type,
                value="income" if transaction.type == "CREDIT" else "an expense",
            ),
        )
    return transaction


def _check_ids(transactions: list[Transaction], found: Problems) -> None:
    first: dict[str, int] = {}
    for t in transactions:
        if t.id in first:
            found.add(
                "import-id-repeated",
                t.line,
                _(
                    'The transaction id "{id}" is already on line {first}; an export lists '
                    "each transaction once. Were two exports pasted together? Import each file as "
                    "it was downloaded."
                ).format(id=t.id, first=first[t.id]),
            )
        else:
            first[t.id] = t.line


def _check_currency(
    transactions: list[Transaction], accounts: Accounts, found: Problems, empty_books: Path | None
) -> None:
    """Every transaction in the books' currency; `empty_books` is the root of books without
    rows yet, whose currency can still be changed (the message says how)."""
    wrong: dict[str, list[int]] = {}
    for t in transactions:
        if t.currency and t.currency != accounts.currency:
            wrong.setdefault(t.currency, []).append(t.line)
    for currency, lines in wrong.items():
        more = len(lines) - 1
        found.add(
            "import-currency-mismatch",
            lines[0],
            (
                _n(
                    "This transaction is in {currency} (and {count:,} more row), but the books "
                    "are kept in {books_currency} (accounts.yml). ",
                    "This transaction is in {currency} (and {count:,} more rows), but the books "
                    "are kept in {books_currency} (accounts.yml). ",
                    more,
                )
                if more
                else _(
                    "This transaction is in {currency}, but the books are kept in "
                    "{books_currency} (accounts.yml). "
                )
            ).format(currency=currency, count=more, books_currency=accounts.currency)
            + (
                currency_advice(empty_books, accounts.currency, currency)
                if empty_books is not None
                else _(
                    "Every amount of the books is in one currency: import the export of a "
                    "collective hosted in that currency, or keep these books apart."
                )
            ),
        )


def chronological(transactions: list[Transaction]) -> list[Transaction]:
    """Open Collective lists the newest first; the balance runs from the oldest."""
    if len(transactions) > 1 and transactions[0].when > transactions[-1].when:
        return transactions[::-1]
    return transactions


def check_balance(
    transactions: list[Transaction], accounts: Accounts, found: Problems
) -> BalanceCheck:
    """Compare the running sum of the transactions with the export's balance column.

    Only the rows whose balance cell Open Collective writes in sequence are compared (see
    Transaction.balance_reliable); every row counts in the running sum. A compared cell is the
    balance after the whole group of transactions it belongs to (a host fee's includes the
    contribution it comes from, listed either side of it), so the running sum takes in each
    group at once: the transactions of one Group ID, or without one, of one date and time. The
    balance before the first transaction is taken from the first compared one's balance cell, so
    an export of a date range works. The first transaction where the two differ is reported.
    """
    ordered = chronological(transactions)
    with_balance = [t for t in ordered if t.balance is not None and t.balance_reliable]
    not_compared = sum(1 for t in ordered if t.balance is not None and not t.balance_reliable)
    if not with_balance:
        return BalanceCheck(0, not_compared=not_compared)
    units = accounts.minor_units
    opening = None
    running = 0
    # (transaction, its balance cell, balance - running sum)
    offsets: list[tuple[Transaction, int, int]] = []
    for group in _groups(ordered):
        running += sum(t.net for t in group)
        for t in group:
            if t.balance is None or not t.balance_reliable:
                continue
            if opening is None:
                opening = t.balance - running
            offsets.append((t, t.balance, t.balance - running - opening))
    for index, (t, balance, difference) in enumerate(offsets):
        if difference == 0:
            continue
        computed = balance - difference
        later = [d for _, _, d in offsets[index + 1 :]]
        if later and all(d == 0 for d in later):
            cause = _(
                "The transactions after it agree again, so this row's balance cell itself looks "
                "altered."
            )
        else:
            cause = _(
                "The difference starts with this transaction: a transaction is missing from the "
                "export just before it (after the previous transaction whose balance was "
                "compared), or this one was altered. Export again without filters (all kinds, "
                "credits and debits, the whole period)."
            )
        found.add(
            "oc-balance-mismatch",
            t.line,
            _(
                "After transaction {id} the export's balance is "
                "{balance}, but "
                "the transactions add up to {computed} (a difference of "
                "{difference}); every earlier transaction compared agrees. "
                "{cause}"
            ).format(
                id=t.id,
                balance=format_minor(balance, units),
                computed=format_minor(computed, units),
                difference=format_minor(difference, units),
                cause=cause,
            ),
        )
        return BalanceCheck(len(with_balance), t.line, not_compared)
    return BalanceCheck(len(with_balance), not_compared=not_compared)


def _groups(ordered: list[Transaction]) -> list[list[Transaction]]:
    """Runs of consecutive transactions created together (same group, else same date and time)."""
    groups: list[list[Transaction]] = []
    previous = None
    for t in ordered:
        key = t.group or t.when
        if groups and key == previous:
            groups[-1].append(t)
        else:
            groups.append([t])
        previous = key
    return groups


def _rows(
    transactions: list[Transaction], roles: dict[str, CategorySpec], fund: str
) -> tuple[list[NewRow], int]:
    """Ledger rows, oldest first: each transaction, then the fees of its fee columns."""
    rows: list[NewRow] = []
    zero = 0
    for t in chronological(transactions):
        credit_role, debit_role = KIND_ROLES.get(t.kind, _BY_TYPE)
        debit = t.type == "DEBIT"
        if t.refund:  # a refund reverses what it refunds, in that one's category
            debit = not debit
        role = debit_role if debit else credit_role
        kind_words = t.kind.lower().replace("_", " ")
        description = t.description or f"Open Collective {kind_words}"
        # A refund goes against its category's direction: its note says so, as the checks ask.
        # So does money back that is no refund by name, such as a PAYMENT_PROCESSOR_COVER
        # credited against the processor fees: it shrinks that category's total.
        against = t.amount > 0 if roles[role].kind == "expense" else t.amount < 0
        note = ("refund: " if t.refund or against else "") + f"Open Collective {t.kind}"
        if t.amount:
            rows.append(
                NewRow(
                    line=t.line,
                    date=t.date,
                    description=description,
                    amount=t.amount,
                    category=roles[role].key,
                    fund=fund,
                    counterparty=t.counterparty,
                    id=t.id,
                    note=note,
                )
            )
        elif not t.fees:
            zero += 1
        for fee_field, amount in t.fees:
            _, fee_role, suffix, words = next(c for c in FEE_COLUMNS if c[0] == fee_field)
            rows.append(
                NewRow(
                    line=t.line,
                    date=t.date,
                    description=f"{words}: {description}",
                    amount=amount,
                    category=roles[fee_role].key,
                    fund=fund,
                    id=f"{t.id}-{suffix}",
                    note=("refund: " if t.refund else "")
                    + f"Open Collective {fee_field} of transaction {t.id}",
                )
            )
        if t.inferred_host_fee:
            rows.append(
                NewRow(
                    line=t.line,
                    date=t.date,
                    description=f"Host fee (inferred): {description}",
                    amount=t.inferred_host_fee,
                    category=roles["host-fees"].key,
                    fund=fund,
                    id=f"{t.id}-host-fee",
                    note=("refund: " if t.refund else "")
                    + f"Open Collective host fee of transaction {t.id} inferred from its net "
                    "amount minus its gross amount and fee columns (not itemized before 2021-06)",
                )
            )
    return rows, zero


def _details(
    layout: str, balance: BalanceCheck | None, transactions: list[Transaction], units: int
) -> list[str]:
    lines = [
        _n(
            "Read {count:,} transaction; layout: {layout}.",
            "Read {count:,} transactions; layout: {layout}.",
            len(transactions),
        ).format(count=len(transactions), layout=layout)
    ]
    if balance is None:
        return lines
    skipped = (
        _(
            " {not_compared:,} balance cells of expenses and of contributions from June 2021 "
            "were not compared: Open Collective writes them out of sequence."
        ).format(not_compared=balance.not_compared)
        if balance.not_compared
        else ""
    )
    if balance.compared == 0 and not balance.not_compared:
        lines.append(
            _(
                "Balance: the export has no balance column, so the running balance was not "
                "compared (add the Balance field to the export to compare it)."
            )
        )
    elif balance.compared == 0:
        lines.append(_("Balance: no transaction's balance cell could be compared.") + skipped)
    elif balance.mismatch_line is None:
        lines.append(
            _(
                "Balance: the running balance agrees with the export's balance column on all "
                "{compared:,} transactions compared.{skipped}"
            ).format(compared=balance.compared, skipped=skipped)
        )
    else:
        lines.append(
            _(
                "Balance: the running balance differs from the export's balance column, starting "
                "with the transaction on line {mismatch_line} (see the warning above)."
            ).format(mismatch_line=balance.mismatch_line)
            + skipped
        )
    inferred = [t.inferred_host_fee for t in transactions if t.inferred_host_fee]
    if inferred:
        lines.append(
            _n(
                "Host fees: {count:,} inferred from net minus gross and fee columns "
                "(Open Collective itemized host fees only from June 2021), "
                "{total} in all; it is a row of its own, its note says it was inferred.",
                "Host fees: {count:,} inferred from net minus gross and fee columns "
                "(Open Collective itemized host fees only from June 2021), "
                "{total} in all; each is a row of its own, its note says it was inferred.",
                len(inferred),
            ).format(count=len(inferred), total=format_minor(sum(inferred), units))
        )
    return lines
