"""Problems found in a cooperative's files: the record, the registry of codes, the printers.

A problem is a value, never an exception: readers and checks return lists of problems and the
run goes on, so a treasurer sees everything that is wrong at once. Every code a problem can
carry is registered here with its severity; `docs/checks.md` documents each one, and a test
keeps the two in step.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from publisher.i18n import N_, Message, _, _n, said_in
from publisher.spreadsheet import column_letter


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class CodeInfo:
    severity: Severity
    summary: str


E, W = Severity.ERROR, Severity.WARNING

#: Every code the program can emit, filled from the one table below: the modules that emit a
#: code refer to it by name, and none registers codes of its own (a test checks it), so this
#: is the one list the documentation test reads.
CODES: dict[str, CodeInfo] = {}


def register_code(code: str, severity: Severity, summary: str) -> str:
    if code in CODES and CODES[code].severity != severity:
        raise ValueError(f"code {code!r} registered twice with different severities")
    CODES[code] = CodeInfo(severity, summary)
    return code


for _code, _severity, _summary in [
    # Files of any kind
    ("file-too-large", E, N_("A file is larger than the publisher reads.")),
    (
        "content-too-large",
        E,
        N_("The text files under content/ hold more bytes in all than the publisher reads."),
    ),
    ("file-not-utf8", E, N_("A file is not valid UTF-8 text.")),
    ("file-nul-byte", E, N_("A file contains NUL bytes (often a UTF-16 or binary file).")),
    ("file-empty", E, N_("A CSV file has no header row.")),
    (
        "file-symlink",
        E,
        N_(
            "A file or folder of the books or the pages is a symbolic link, which is never followed."
        ),
    ),
    ("file-unreadable", E, N_("A file cannot be read at all (permissions, a broken disk).")),
    (
        "books-too-many-rows",
        E,
        N_("The CSV files of the books hold more rows than the publisher reads."),
    ),
    ("ledgers-file-not-read", E, N_("A file or folder under ledgers/ that is not read as books.")),
    ("ledgers-too-many-files", E, N_("ledgers/ holds more files than the publisher reads.")),
    # CSV structure
    ("csv-unterminated-quote", E, N_("A quoted cell is never closed.")),
    ("csv-stray-quote", E, N_("A quote character stands where a cell cannot have one.")),
    ("csv-ragged-row", E, N_("A row has more or fewer cells than the header.")),
    (
        "csv-too-many-columns",
        E,
        N_("A header names more columns than any of the formats could need."),
    ),
    (
        "csv-delimiter-mismatch",
        E,
        N_("A file separates its cells with another delimiter than the dialect's."),
    ),
    (
        "csv-sep-line",
        E,
        N_("Excel's \"sep=\" first line names another delimiter than the dialect's."),
    ),
    ("csv-totals-row", E, N_("The last row is a spreadsheet's totals row, not a movement.")),
    # Workbooks (.ods, .xlsx)
    (
        "workbook-unreadable",
        E,
        N_("A workbook of the books cannot be read (damaged, protected, not a workbook)."),
    ),
    (
        "workbook-hidden-row",
        E,
        N_("A row of the books is hidden or filtered out in the spreadsheet."),
    ),
    (
        "workbook-sheet-hidden",
        E,
        N_("The sheet named after the books' role (Ledger, Budget, Balances) is hidden."),
    ),
    ("workbook-hidden-sheet", W, N_("A hidden sheet of a workbook, which is not read.")),
    (
        "workbook-formula-value",
        E,
        N_("A formula with no saved result, or whose result is an error such as #DIV/0!."),
    ),
    (
        "workbook-and-csv",
        E,
        N_("A workbook and a CSV file of the same name: the same books saved twice."),
    ),
    ("column-missing", E, N_("A required column is missing from the header.")),
    ("column-duplicated", E, N_("A column name appears twice in the header.")),
    ("column-unknown", W, N_("A column that is not part of the format; it is ignored.")),
    ("value-missing", E, N_("A required cell is empty.")),
    # Dates
    ("date-format", E, N_("A date is not written as YYYY-MM-DD.")),
    ("date-impossible", E, N_("A date does not exist in the calendar.")),
    ("date-in-future", E, N_("A date lies after today.")),
    (
        "date-outside-file-year",
        E,
        N_("A row dated in another year than its ledger file is named after."),
    ),
    # Amounts
    ("amount-decimal-comma", E, N_("An amount uses a decimal comma where the files use a point.")),
    ("amount-decimal-point", E, N_("An amount uses a decimal point where the files use a comma.")),
    ("amount-currency-symbol", E, N_("An amount contains a currency symbol or code.")),
    ("amount-thousands-separator", E, N_("An amount contains a thousands separator.")),
    ("amount-minus-lookalike", E, N_('An amount\'s minus sign is a dash or U+2212, not "-".')),
    ("amount-exponent", E, N_("An amount is written in scientific notation.")),
    ("amount-not-a-number", E, N_("An amount is not a number (NaN, infinity, text).")),
    ("amount-invalid", E, N_("An amount is not a plain signed decimal.")),
    (
        "amount-too-many-decimals",
        E,
        N_("An amount has more decimals than the currency's minor units."),
    ),
    ("amount-too-large", E, N_("An amount has more digits than the publisher accepts.")),
    ("amount-zero", W, N_("A ledger row moves no money.")),
    ("amount-total-too-large", E, N_("The amounts add up to more than can be totalled exactly.")),
    (
        "amount-against-direction",
        E,
        N_("An amount against its category's direction, not marked as a refund."),
    ),
    # References between files
    ("category-unknown", E, N_("A category that accounts.yml does not declare.")),
    ("category-placeholder", E, N_("A row or budget line left in an import placeholder category.")),
    ("fund-unknown", E, N_("A fund that accounts.yml does not declare.")),
    ("id-duplicate", E, N_("A transaction id used by more than one row.")),
    ("transfer-unbalanced", E, N_("The transfer rows of a date do not sum to zero.")),
    ("balance-mismatch", E, N_("A balance assertion disagrees with the ledgers.")),
    (
        "likely-double-entry",
        E,
        N_("Identical rows without distinct ids: probably one movement twice."),
    ),
    ("fund-below-zero", W, N_("A fund's balance goes below zero.")),
    (
        "rows-not-reconciled",
        W,
        N_("Rows of a fund after its last balance assertion: not yet reconciled."),
    ),
    # Budgets
    ("budget-year-invalid", E, N_("A budget year is not a four-digit year.")),
    ("budget-amount-negative", E, N_("A planned amount is negative.")),
    (
        "budget-category-wrong-kind",
        E,
        N_("A budget line names a category that is not income or expense."),
    ),
    ("budget-duplicate-line", E, N_("Two budget lines for the same year, category and fund.")),
    # YAML files
    ("yaml-syntax", E, N_("A YAML file cannot be parsed.")),
    ("yaml-duplicate-key", E, N_("A key appears twice in the same YAML mapping.")),
    ("yaml-too-deep", E, N_("YAML nested deeper than any of the formats needs.")),
    ("yaml-too-many-aliases", E, N_("YAML with more aliases than any of the formats needs.")),
    ("yaml-not-a-mapping", E, N_("A YAML document is not a mapping of keys to values.")),
    # accounts.yml
    ("accounts-missing", E, N_("ledgers/accounts.yml does not exist.")),
    ("accounts-key-missing", E, N_("A required key of accounts.yml is missing.")),
    ("accounts-key-unknown", E, N_("A key accounts.yml does not define (a typo?).")),
    ("accounts-value-invalid", E, N_("A value in accounts.yml has the wrong type or form.")),
    ("currency-unknown", E, N_("The currency is not an ISO 4217 code.")),
    (
        "category-kind-invalid",
        E,
        N_("A category's kind is not income, expense, transfer or opening."),
    ),
    ("csv-dialect-invalid", E, N_("The csv dialect in accounts.yml cannot be used.")),
    (
        "language-unknown",
        E,
        N_("The language of accounts.yml is not a language tag the publisher knows."),
    ),
    (
        "licence-unknown",
        E,
        N_(
            "The licence of accounts.yml is neither a known licence id nor given with its title and path."
        ),
    ),
    ("too-many-problems", W, N_("More problems of one kind in one file than are listed.")),
    # ledgers/measures.csv (publisher.measures)
    (
        "measures-not-declared",
        E,
        N_("ledgers/measures.csv has rows, but accounts.yml declares no measures."),
    ),
    (
        "measure-unknown",
        E,
        N_("A row of measures.csv names a measure that accounts.yml does not declare."),
    ),
    (
        "measure-quantity-invalid",
        E,
        N_("A quantity of measures.csv is not a number with a point and at most six decimals."),
    ),
    (
        "measure-quantity-negative",
        E,
        N_("A quantity below zero for a measure that cannot be negative."),
    ),
    (
        "measure-duplicate",
        E,
        N_("Two rows of measures.csv are alike in every cell: counted twice, or entered twice?"),
    ),
    (
        "measure-level-conflict",
        E,
        N_("Two readings of a level measure (such as members) on the same day disagree."),
    ),
    (
        "members-count-mismatch",
        E,
        N_("The members measure and a meeting's minutes count different members on the same day."),
    ),
    # Hand-written pages (publisher.pages)
    ("page-too-large", E, N_("A Markdown page is larger than the publisher renders.")),
    (
        "page-too-deep",
        E,
        N_("A Markdown page nests brackets, lists or quotes deeper than the publisher renders."),
    ),
    (
        "page-active-content",
        E,
        N_("A page holds a script, an event-handler attribute or a javascript: link."),
    ),
    (
        "page-title-markup",
        E,
        N_(
            "A page's title or a heading holds HTML, a link or an attribute list that would be live on the site."
        ),
    ),
    # The history of the books (publisher.history)
    ("closed-period-changed", E, N_("A row of a closed period was changed, deleted or added.")),
    ("closed-period-reopened", E, N_("closed_through was moved backwards or removed.")),
    (
        "history-unavailable",
        W,
        N_("The history of the books could not be read, so a check could not run."),
    ),
    # Private names (publisher.privacy)
    (
        "private-name-not-searched",
        W,
        N_("A private counterparty's name is too short to be looked for inside descriptions."),
    ),
    (
        "private-name-in-description",
        W,
        N_(
            "A private counterparty's name inside a description or note; it is replaced when published."
        ),
    ),
    (
        "private-name-in-id",
        E,
        N_(
            "A row's id or cited decision spells a private counterparty's name; ids are published as they are."
        ),
    ),
    (
        "private-name-part",
        W,
        N_(
            "A private counterparty's surname alone, or its name run together, inside a text; published as it is."
        ),
    ),
    (
        "private-name-handle",
        W,
        N_(
            "An @handle counterparty that spells a private counterparty's name; published as it is."
        ),
    ),
    (
        "private-name-in-page",
        E,
        N_("A hand-written page, or its file name, names a private counterparty."),
    ),
    (
        "private-name-in-activity",
        E,
        N_(
            "An asset's name or note, or a measure's note, names a private counterparty; they are published as written."
        ),
    ),
    # ledgers/assets.csv (publisher.assets)
    ("asset-id-duplicate", E, N_("Two assets of assets.csv share an id.")),
    ("asset-status-invalid", E, N_("An asset's status is not one of in use, lent, retired.")),
    (
        "asset-payment-missing",
        E,
        N_("An asset names neither the ledger row that paid for it nor a decision."),
    ),
    ("asset-row-unknown", E, N_("An asset names a ledger row id that no ledger row has.")),
    (
        "asset-row-not-capital",
        E,
        N_("The ledger row an asset names is not spending in a capital category."),
    ),
    (
        "asset-row-shared",
        E,
        N_("Two assets name the same ledger row, whose cost would be counted for each."),
    ),
    ("asset-decision-unknown", E, N_("An asset names a decision that no minutes record.")),
    ("asset-decision-not-adopted", E, N_("An asset names a decision that was not adopted.")),
    (
        "asset-decision-mismatch",
        E,
        N_("An asset's decision is not the decision of the ledger row that paid for it."),
    ),
    # Stories (publisher.stories)
    (
        "story-value-invalid",
        E,
        N_("A story's category or an author's entry holds markup or a link to another server."),
    ),
    # Governance: the charter, the minutes, decisions (publisher.governance)
    ("charter-rule-invalid", E, N_("A rule of the charter has a value that cannot be used.")),
    (
        "charter-key-unknown",
        E,
        N_("A key under the charter's rules that the format does not define."),
    ),
    ("minutes-field-missing", E, N_("A required field of the minutes is missing.")),
    ("minutes-field-invalid", E, N_("A field of the minutes has the wrong type or form.")),
    (
        "minutes-key-unknown",
        W,
        N_("A key of a decision that the format does not define; it is ignored."),
    ),
    ("minutes-present-exceeds-members", E, N_("More members present than entitled to vote.")),
    ("minutes-tally-exceeds-present", E, N_("More votes than members present.")),
    (
        "decision-result-contradicts-majority",
        E,
        N_("The stated result does not follow the majority rule."),
    ),
    ("decision-adopted-without-quorum", E, N_("A meeting below the quorum adopted a decision.")),
    ("decision-id-duplicate", E, N_("Two decisions share an id.")),
    (
        "decision-unknown",
        E,
        N_("A ledger row or budget line cites a decision that does not exist."),
    ),
    ("decision-rejected", E, N_("A ledger row or budget line cites a decision that was rejected.")),
    ("decision-after-row", E, N_("A ledger row cites a decision taken after the row's date.")),
    ("decision-overspent", W, N_("The rows citing a decision spend more than it authorized.")),
    ("spending-limit-exceeded", W, N_("An expense above the spending limit cites no decision.")),
    (
        "reinvestment-below-share",
        W,
        N_("Less than the charter's share of a year's surplus was reinvested."),
    ),
    # Federations (publisher.federation)
    ("federation-key-missing", E, N_("A required key of federation.yml is missing.")),
    ("federation-key-unknown", E, N_("A key federation.yml does not define.")),
    ("federation-value-invalid", E, N_("A value in federation.yml has the wrong type or form.")),
    (
        "federation-member-invalid",
        W,
        N_("A member's books have errors or its repository is unsafe; it is left out."),
    ),
    (
        "federation-member-unreachable",
        W,
        N_("A member's repository could not be fetched; it is left out."),
    ),
    (
        "federation-category-unmapped",
        W,
        N_("A member's category maps to no category of the federation."),
    ),
    (
        "federation-reconciliation-mismatch",
        W,
        N_("What two members record of the money between them disagrees."),
    ),
    # publisher import (publisher.importers.common)
    (
        "import-column-missing",
        E,
        N_("A column the import needs is not in the source file's header."),
    ),
    ("import-value-missing", E, N_("A cell the import needs is empty in the source file.")),
    ("import-value-invalid", E, N_("A cell of the source file has a value the import cannot use.")),
    ("import-date-invalid", E, N_("A date in the source file is not in the expected form.")),
    (
        "import-amount-invalid",
        E,
        N_("An amount in the source file is not a number in the expected form."),
    ),
    ("import-encoding-invalid", E, N_("The source file is not in the encoding the profile names.")),
    (
        "import-currency-mismatch",
        E,
        N_("The source file's currency is not the one of accounts.yml."),
    ),
    ("import-id-repeated", E, N_("The same transaction id or reference twice in the source file.")),
    (
        "import-id-conflict",
        E,
        N_("An imported id is already used in the ledgers for another movement."),
    ),
    (
        "import-likely-duplicate",
        W,
        N_("A row looks like one in the ledgers (same amount, a few days apart): not imported."),
    ),
    ("import-closed-period", E, N_("A new row falls in a period closed in accounts.yml.")),
    ("import-date-in-future", W, N_("A row dated after today is left for a later import.")),
    (
        "import-ledger-unreadable",
        E,
        N_("A ledger cannot be read, so duplicates cannot be recognized."),
    ),
    (
        "import-target-column-missing",
        E,
        N_("The target ledger's header lacks a column the rows need."),
    ),
    (
        "import-category-kind-mismatch",
        E,
        N_("A category the import uses is declared with another kind."),
    ),
    (
        "import-accounts-not-updated",
        E,
        N_("accounts.yml could not be updated without other changes."),
    ),
    # Bank profiles and statements (publisher.importers.bank)
    ("profile-key-unknown", E, N_("A key a bank profile does not define (a typo?).")),
    ("profile-key-missing", E, N_("A key a bank profile needs is missing.")),
    ("profile-value-invalid", E, N_("A value of a bank profile cannot be used.")),
    (
        "import-skip-lines-wrong",
        E,
        N_("A statement's header is not where the profile's skip_lines says."),
    ),
    (
        "import-workbook-unreadable",
        E,
        N_("A workbook statement (.xlsx, .ods) that cannot be read."),
    ),
    # Open Collective exports (publisher.importers.opencollective)
    ("oc-export-truncated", E, N_("The Open Collective export stops before its last transaction.")),
    (
        "oc-kind-unknown",
        W,
        N_("A transaction kind the importer does not know; categorized by direction."),
    ),
    ("oc-sign-contradicts-type", E, N_("An amount's sign contradicts its CREDIT or DEBIT type.")),
    (
        "oc-net-amount-mismatch",
        E,
        N_(
            "Gross amount plus fee columns differ from the net amount, beyond an uninferable host fee."
        ),
    ),
    ("oc-balance-mismatch", W, N_("The running balance differs from the export's balance column.")),
]:
    register_code(_code, _severity, _summary)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place of one file.

    `path` is relative to the cooperative's directory, with forward slashes; `line` and
    `column` are 1-based physical positions, or None where the problem has none.
    """

    severity: Severity
    code: str
    path: str
    line: int | None
    column: int | None
    message: str
    #: The sheet of a workbook (.ods, .xlsx) the problem is in; then `line` is the row number
    #: and `column` the column number (A = 1), so editors and annotations still find the place.
    sheet: str | None = None
    #: The message as the check made it (a `publisher.i18n.Message`: its msgid and values), so
    #: that it can be said in another language than the treasurer's (`message_in`).
    made: str = field(default="", compare=False, repr=False)

    def message_in(self, language: str | None) -> str:
        """The message in `language` (the published Warnings page's: the site's), as the
        treasurer's `message` says it in theirs."""
        if not self.made:
            return self.message
        return _cut_long_quotes(said_in(self.made, language))

    @property
    def cell(self) -> str | None:
        """The spreadsheet's name of the place in a workbook: `C12`, `row 12`, or None."""
        if self.sheet is None or self.line is None:
            return None
        if self.column is None:
            return f"row {self.line}"
        return f"{column_letter(self.column - 1)}{self.line}"

    @property
    def place(self) -> str | None:
        """`sheet "Ledger", cell C12` (or `sheet "Ledger", row 12`, `sheet "Ledger"`) for a
        problem in a workbook, else None."""
        if self.sheet is None:
            return None
        cell = self.cell
        where = f'sheet "{self.sheet}"'
        if cell is None:
            return where
        return f"{where}, {cell}" if cell.startswith("row") else f"{where}, cell {cell}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.code)


def problem(
    code: str,
    path: str,
    line: int | None,
    message: str,
    column: int | None = None,
    sheet: str | None = None,
) -> Problem:
    """A problem with the severity its code is registered with."""
    try:
        info = CODES[code]
    except KeyError:
        raise ValueError(f"unregistered problem code {code!r}") from None
    # Kept to be said again in the site's language; not a message quoting a huge cell, whose
    # quote would then outlive the check (the text itself is cut to MAX_QUOTED).
    made = message if isinstance(message, Message) and len(message) <= MAX_MADE else ""
    text = _cut_long_quotes(str(message))
    return Problem(info.severity, code, path, line, column, text, sheet, made)


#: A quoted value longer than this is cut in messages: a message quotes the cell in question,
#: never a whole file that happens to be one cell (a 256 MiB line without a delimiter).
MAX_QUOTED = 100
#: A message longer than this is kept only as the text the treasurer reads.
MAX_MADE = 10_000
#: Quotes pair from the left, as a reader pairs them: the message's own words between two quoted
#: values ('"12,5" is not … such as "1250.5"') are never taken for a value and cut.
_QUOTED = re.compile(r'"([^"]*)"')


def _cut_long_quotes(message: str) -> str:
    if len(message) <= MAX_QUOTED:
        return message
    return _QUOTED.sub(
        lambda match: (
            match.group(0)
            if len(match.group(1)) < MAX_QUOTED
            else f'"{match.group(1)[: MAX_QUOTED - 20]}…"'
        ),
        message,
    )


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for p in problems:
        if p.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


def did_you_mean(value: str, choices: Any) -> str:
    """' Did you mean "x"?' for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
    if not matches:
        lowered = {str(c).lower(): str(c) for c in choices}
        if value.lower() in lowered:
            matches = [lowered[value.lower()]]
    return _(' Did you mean "{choice}"?').format(choice=matches[0]) if matches else ""


# -- Printers ---------------------------------------------------------------------------------


def format_location(p: Problem) -> str:
    location = p.path
    if p.line is not None:
        location += f":{p.line}"
        if p.column is not None:
            location += f":{p.column}"
    return location


def message_with_place(p: Problem) -> str:
    """The message, after the sheet and cell it is about when the file is a workbook."""
    place = p.place
    return f"{place}: {p.message}" if place else p.message


def _one_line(text: str) -> str:
    """A line break inside a cell quoted in a message is shown as \\n: one problem, one line."""
    return text.replace("\r\n", "\\n").replace("\r", "\\r").replace("\n", "\\n")


def format_text(problems: Iterable[Problem]) -> str:
    """`path:line:col: error: [code] message` lines, then a summary line."""
    ordered = sorted_problems(problems)
    lines = [
        _one_line(f"{format_location(p)}: {p.severity.value}: [{p.code}] {message_with_place(p)}")
        for p in ordered
    ]
    lines.append(summary_line(ordered))
    return "\n".join(lines) + "\n"


def summary_line(problems: Iterable[Problem]) -> str:
    errors, warnings = count(problems)
    if not errors and not warnings:
        return _("No problems found.")
    return _("{errors}, {warnings}.").format(
        errors=_n("{count} error", "{count} errors", errors).format(count=errors),
        warnings=_n("{count} warning", "{count} warnings", warnings).format(count=warnings),
    )


def plural(n: int, word: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def to_json_dict(problems: Iterable[Problem]) -> dict[str, Any]:
    ordered = sorted_problems(problems)
    errors, warnings = count(ordered)
    return {
        "problems": [
            {
                "severity": p.severity.value,
                "code": p.code,
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                # Workbooks only: the sheet, and the cell as the spreadsheet names it ("C12").
                **({"sheet": p.sheet, "cell": p.cell} if p.sheet is not None else {}),
            }
            for p in ordered
        ],
        "errors": errors,
        "warnings": warnings,
    }


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps(to_json_dict(problems), indent=2, ensure_ascii=False) + "\n"


def _escape_github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(text: str) -> str:
    return _escape_github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands, one per problem, so the runner annotates the files."""
    out = []
    ordered = sorted_problems(problems)
    for p in ordered:
        props = [f"file={_escape_github_property(p.path)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
            if p.column is not None:
                props.append(f"col={p.column}")
        props.append(f"title={_escape_github_property(p.code)}")
        out.append(
            f"::{p.severity.value} {','.join(props)}::{_escape_github_data(message_with_place(p))}"
        )
    out.append(summary_line(ordered))
    return "\n".join(out) + "\n"


# -- Output inside GitHub Actions -------------------------------------------------------------

#: The runner takes a line for a workflow command when it starts with "::" after leading
#: whitespace (`::warning::`, `::stop-commands::`, `::add-mask::`), and, in the older syntax,
#: when "##[" stands anywhere in it.
_COMMAND_START = "::"
_OLD_COMMAND = "##["
_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")


def inert_for_actions(text: str) -> str:
    """`text` with no line GitHub Actions would run as a workflow command: such a line starts
    with "| ", and "##[" is written "# #[". Line breaks stay as they are."""
    parts = _LINE_BREAKS.split(text)
    for i in range(0, len(parts), 2):  # the even parts are lines, the odd ones their breaks
        parts[i] = _inert_line(parts[i])
    return "".join(parts)


def _inert_line(line: str) -> str:
    line = line.replace(_OLD_COMMAND, "# #[")
    return "| " + line if line.lstrip().startswith(_COMMAND_START) else line


class InertLines(io.TextIOBase):
    """A text stream that writes through `inert_for_actions`, line by line: installed over
    stdout and stderr when the publisher runs in GitHub Actions, so that no value of the books
    (a description with a line break and `::stop-commands::`) reaches the runner as a command.
    Our own annotations (`check --format github`) are written to `unguarded`."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.unguarded = stream
        self._pending = ""  # the start of a line not yet written
        self._line_started = False  # part of the current line was written (made safe) already

    @property
    def encoding(self) -> str:  # type: ignore[override]
        encoding: str = self.unguarded.encoding
        return encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        errors: str | None = self.unguarded.errors
        return errors

    def isatty(self) -> bool:
        tty: bool = self.unguarded.isatty()
        return tty

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("InertLines writes text")
        pending = self._pending + text
        match = None
        for match in _LINE_BREAKS.finditer(pending):
            pass
        if match is None:
            self._pending = pending
            return len(text)
        cut = match.end()
        if pending.endswith("\r"):  # maybe the first half of \r\n
            cut -= 1
        complete, self._pending = pending[:cut], pending[cut:]
        if complete:
            self.unguarded.write(self._guard(complete))
            self._line_started = False
        return len(text)

    def _guard(self, text: str) -> str:
        if self._line_started:
            # The line's start was written and made safe: only "##[" can still appear.
            head, *rest = _LINE_BREAKS.split(text, maxsplit=1)
            return head.replace(_OLD_COMMAND, "# #[") + (
                inert_for_actions("".join(rest)) if rest else ""
            )
        return inert_for_actions(text)

    def flush(self) -> None:
        # Write what is pending, but hold back what could still grow into a command: a start
        # of line that is blank or ":" so far, and trailing "#" characters.
        pending = self._pending
        if pending and not self._line_started and pending.lstrip() in ("", ":"):
            pending = ""
        held = len(pending) - len(pending.rstrip("#"))
        written = pending[: len(pending) - held]
        if written:
            self.unguarded.write(self._guard(written))
            self._line_started = True
            self._pending = self._pending[len(written) :]
        self.unguarded.flush()

    def close(self) -> None:
        if self._pending:
            self.unguarded.write(self._guard(self._pending))
            self._pending = ""
        self.unguarded.flush()
