"""Reading a workbook of the books (.ods, .xlsx) into the same Table of text cells as a CSV file.

python-calamine reads the typed cells (dates as dates, numbers as floats, the cached values of
formulas). Each cell is then written as the text a careful treasurer would have saved as CSV:
a date as YYYY-MM-DD, a number through its shortest round-trip text (`repr`) into a Decimal,
never through arithmetic on the float, so 0.1 stays "0.1" and 0.30000000000000004 (a formula's
floating-point residue) keeps every decimal and is refused by the amount rules for having more
than the currency's. Text cells stay as typed, so a text date is read as the CSV rules read
text. Every check then runs on the table as it runs on a CSV file's.

What calamine does not tell (hidden rows, a formula with no cached value, an error value such as
#DIV/0!, which it reads as an empty cell) is read from the sheet's own XML, streamed.

Problems are located by row (line) and column number, like a CSV file's cells, and carry the
sheet's name: `ledgers/2026.ods:12:3`, sheet "Ledger", cell C12.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from publisher.csvfile import LINE, MAX_COLUMNS, MAX_CSV_BYTES, Table, make_table
from publisher.i18n import _
from publisher.problems import Problem, problem
from publisher.spreadsheet import column_letter

#: The workbooks read as books. Older or other formats (.xls, .xlsm with macros, .numbers) are not.
WORKBOOK_SUFFIXES = (".ods", ".xlsx")
#: A workbook is a zip archive: its unpacked size is bounded too, or a small file could unpack
#: into gigabytes (a zip bomb).
MAX_UNPACKED_BYTES = 512 << 20
MAX_ZIP_ENTRIES = 10_000
#: As for bank statements: more rows or cells than books ever have is refused before reading.
MAX_SHEET_ROWS = 1_000_000
MAX_SHEET_CELLS = 20_000_000

#: The sheet read for each role when the workbook has one of that name (any case).
ROLE_SHEETS = {
    "ledger": "ledger",
    "budget": "budget",
    "balances": "balances",
    "measures": "measures",
    "assets": "assets",
}

_XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_XLSX_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def is_workbook_name(name: str) -> bool:
    """Whether a file name under ledgers/ is a workbook the publisher reads (lower-case suffix)."""
    return name.endswith(WORKBOOK_SUFFIXES)


def shown_name(name: str) -> str:
    """A sheet's name as reports show it: a name is shown, never trusted (control characters
    could forge lines of a report), and cut to a reasonable length."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in name)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def cell_reference(line: int, column: int | None) -> str:
    """`C12` for row 12, column 3; `row 12` when the column is unknown."""
    return f"{column_letter(column - 1)}{line}" if column else f"row {line}"


@dataclass
class SheetFacts:
    """What a sheet's XML tells beyond calamine's values (rows and columns 1-based)."""

    hidden_rows: set[int] = field(default_factory=set)
    #: (row, column) -> the error shown (#DIV/0!), or None for a formula with no cached value
    formula_problems: dict[tuple[int, int], str | None] = field(default_factory=dict)


class WorkbookError(Exception):
    """The workbook cannot be read at all (the message says why, for a treasurer)."""


def _unreadable(path: str, found: Problem, sheet: str | None = None) -> Table:
    table = Table(path, [], pd.DataFrame({LINE: []}), [found], False)
    table.sheet = sheet
    return table


def read_workbook(data: bytes, path: str, role: str, decimal: str = ".") -> Table:
    """Read the sheet of a workbook's bytes that holds the books of `role` ("ledger",
    "budget", "balances") into a Table of text cells; every problem is in `table.problems`.

    The sheet is the one named like the role (any case: "Ledger", "budget"), else the first
    visible sheet. `decimal` is the decimal mark of the repository's dialect, with which the
    numbers are written so that the amount rules read them as in a CSV file.
    """
    if len(data) > MAX_CSV_BYTES:
        return _unreadable(
            path,
            problem(
                "file-too-large",
                path,
                None,
                _(
                    "This workbook has {count:,} bytes; the publisher reads at most {max_csv_bytes:,}. "
                    "Split it, for example one workbook per year."
                ).format(count=len(data), max_csv_bytes=MAX_CSV_BYTES),
            ),
        )
    try:
        archive = _open_archive(data)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except WorkbookError as error:
        return _unreadable(path, problem("workbook-unreadable", path, None, str(error)))
    except Exception as error:  # noqa: BLE001 - calamine raises its own, undocumented, classes
        return _unreadable(
            path, problem("workbook-unreadable", path, None, _unreadable_message(error))
        )
    try:
        return _read_sheet(archive, workbook, path, role, decimal)
    except WorkbookError as error:
        return _unreadable(path, problem("workbook-unreadable", path, None, str(error)))
    except Exception as error:  # noqa: BLE001
        return _unreadable(
            path, problem("workbook-unreadable", path, None, _unreadable_message(error))
        )
    finally:
        workbook.close()


def _unreadable_message(error: Exception) -> str:
    name = type(error).__name__
    hint = (
        _(" It is protected by a password: save it again without one.")
        if "Password" in name
        else ""
    )
    return _(
        "This workbook cannot be read ({name}).{hint} Open it in your spreadsheet program and "
        "save it again as .ods or .xlsx."
    ).format(name=name, hint=hint)


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookError(
            _(
                "This file is not a workbook (.ods and .xlsx files are zip archives). If it is CSV "
                "text, give it the .csv extension; otherwise save it again from your spreadsheet program."
            )
        ) from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            _(
                "This workbook unpacks to {unpacked:,} bytes in {count:,} parts, more than any "
                "books need (at most {max_unpacked_bytes:,} bytes). Save the books alone in a new workbook."
            ).format(unpacked=unpacked, count=len(entries), max_unpacked_bytes=MAX_UNPACKED_BYTES)
        )
    return archive


def _read_sheet(
    archive: zipfile.ZipFile, workbook: CalamineWorkbook, path: str, role: str, decimal: str
) -> Table:
    problems: list[Problem] = []
    sheets = workbook.sheets_metadata
    visible = [s.name for s in sheets if s.visible == SheetVisibleEnum.Visible]
    wanted = ROLE_SHEETS[role]
    named = [s for s in sheets if s.name.strip().lower() == wanted]
    for metadata in sheets:
        if metadata.visible != SheetVisibleEnum.Visible:
            code = "workbook-sheet-hidden" if metadata in named else "workbook-hidden-sheet"
            problems.append(
                problem(
                    code,
                    path,
                    None,
                    _(
                        'The sheet "{shown_name}" is hidden, and a hidden sheet is never read'
                    ).format(shown_name=shown_name(metadata.name))
                    + (
                        _(
                            ": the {role} would be read from another sheet. Show the sheet again "
                            "(in your spreadsheet program: right-click a sheet tab, Show Sheet), or "
                            "delete it if it is not the books."
                        ).format(role=role)
                        if code == "workbook-sheet-hidden"
                        else _(
                            ". Show it (right-click a sheet tab, Show Sheet) to check that it holds "
                            "nothing the books need, or delete it."
                        )
                    ),
                )
            )
    visible_named = [s.name for s in named if s.name in visible]
    if visible_named:
        name = visible_named[0]
    elif visible:
        name = visible[0]
    else:
        problems.append(
            problem(
                "file-empty",
                path,
                None,
                _("This workbook has no visible sheet, so it holds no books."),
            )
        )
        return Table(path, [], pd.DataFrame({LINE: []}), problems, False)
    sheet = workbook.get_sheet_by_name(name)
    shown = shown_name(name)
    if (
        sheet.total_height > MAX_SHEET_ROWS
        or sheet.total_height * sheet.total_width > MAX_SHEET_CELLS
    ):
        problems.append(
            problem(
                "file-too-large",
                path,
                None,
                _(
                    'The sheet "{shown}" has {total_height:,} rows of {total_width:,} columns; '
                    "the publisher reads at most {max_sheet_rows:,} rows and {max_sheet_cells:,} cells. "
                    "Split it, for example one workbook per year."
                ).format(
                    shown=shown,
                    total_height=sheet.total_height,
                    total_width=sheet.total_width,
                    max_sheet_rows=MAX_SHEET_ROWS,
                    max_sheet_cells=MAX_SHEET_CELLS,
                ),
                sheet=shown,
            )
        )
        return Table(path, [], pd.DataFrame({LINE: []}), problems, False, sheet=shown)
    rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    facts = sheet_facts(archive, name, len(rows))
    return _table_from_rows(rows, facts, path, shown, decimal, problems)


def _table_from_rows(
    rows: list[list[Any]],
    facts: SheetFacts,
    path: str,
    sheet: str,
    decimal: str,
    problems: list[Problem],
) -> Table:
    """The rows of a sheet (numbered from its row 1, column A) as a Table of text cells."""
    texts = [[cell_text(value, decimal) for value in row] for row in rows]
    header_index = next((i for i, row in enumerate(texts) if any(c.strip() for c in row)), None)
    if header_index is None:
        problems.append(
            problem(
                "file-empty",
                path,
                None,
                _(
                    'The sheet "{sheet}" is empty: it needs at least a header row naming the columns.'
                ).format(sheet=sheet),
                sheet=sheet,
            )
        )
        return Table(path, [], pd.DataFrame({LINE: []}), problems, False, sheet=sheet)
    header = texts[header_index]
    while header and not header[-1].strip():
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        problems.append(
            problem(
                "csv-too-many-columns",
                path,
                header_index + 1,
                _(
                    "The header has {count:,} columns; the publisher reads at most {max_columns}. "
                    "Is this sheet the books?"
                ).format(count=len(header), max_columns=MAX_COLUMNS),
                sheet=sheet,
            )
        )
        return Table(path, [], pd.DataFrame({LINE: []}), problems, False, sheet=sheet)
    width = len(header)
    body = [row[:width] + [""] * (width - len(row[:width])) for row in texts[header_index + 1 :]]
    lines = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    for (row, column), shown in sorted(facts.formula_problems.items()):
        if row <= header_index or column > width:
            continue
        name = header[column - 1].strip() or column_letter(column - 1)
        if shown is None:
            message = _(
                'The formula in cell {cell_reference} (column "{name}") has no saved '
                "result, so its value cannot be read. Open the workbook in your spreadsheet program, "
                "let it recalculate, and save it again (or type the value instead of the formula)."
            ).format(cell_reference=cell_reference(row, column), name=name)
        else:
            message = _(
                'The formula in cell {cell_reference} (column "{name}") gives the error '
                "{shown}, not a value. Correct the formula, or type the value."
            ).format(cell_reference=cell_reference(row, column), name=name, shown=shown)
        problems.append(problem("workbook-formula-value", path, row, message, column, sheet=sheet))
    for row in sorted(facts.hidden_rows):
        index = row - header_index - 2
        if (
            row == header_index + 1
            or 0 <= index < len(body)
            and any(c.strip() for c in body[index])
        ):
            problems.append(
                problem(
                    "workbook-hidden-row",
                    path,
                    row,
                    _(
                        "Row {row} is hidden in the spreadsheet (or filtered out), but it is part of the "
                        "books and would be published like every other row. Show the row again "
                        "(select the rows around it, right-click, Show Rows) and delete it if it does not "
                        "belong in the books."
                    ).format(row=row),
                    sheet=sheet,
                )
            )
    names = [f"f{i}" for i in range(width)]
    frame = (
        pd.DataFrame(body, columns=names, dtype="str")
        if body
        else pd.DataFrame({n: [] for n in names}, dtype="str")
    )
    table = make_table(path, header, frame, lines, problems, ",")
    table.header_line = header_index + 1
    table.sheet = sheet
    return table


def cell_text(value: Any, decimal: str = ".") -> str:
    """A typed cell written as text: dates YYYY-MM-DD, numbers exactly (shortest round-trip
    text of the float, through Decimal), with `decimal` as the decimal mark."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        # A date cell with a time of day is not a date: written in full, the date rules refuse it.
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)  # "nan", "inf": the amount rules say it is not a number
        try:
            number = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a finite float always parses
            return repr(value)
        if number == number.to_integral_value():
            text = str(int(number))
        else:
            text = format(number, "f")
        return text.replace(".", decimal) if decimal != "." else text
    return str(value)


# -- What calamine does not tell: the sheet's XML ---------------------------------------------


def sheet_facts(archive: zipfile.ZipFile, sheet: str, height: int) -> SheetFacts:
    """Hidden rows, error values and formulas without a saved result of one sheet, in its
    first `height` rows (those that hold cells)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        member = _xlsx_sheet_member(archive, sheet)
        if member not in names or not _mentions(archive, member, _XLSX_MARKERS):
            return SheetFacts()
        return _xlsx_facts(archive, member)
    if "content.xml" in names:
        if not _mentions(archive, "content.xml", _ODS_MARKERS):
            return SheetFacts()
        return _ods_facts(archive, sheet, height)
    return SheetFacts()


#: What a sheet's XML holds when it has a hidden row, an error value or a formula: a sheet with
#: none of them (most books) is not parsed at all, which costs seconds on 10,000 rows.
_XLSX_MARKERS = (b'hidden="1"', b'hidden="true"', b't="e"', b"<f>", b"<f ", b"<f/>")
_ODS_MARKERS = (b'table:visibility="collapse"', b'table:visibility="filter"', b"table:formula=")


def _mentions(archive: zipfile.ZipFile, member: str, markers: tuple[bytes, ...]) -> bool:
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if any(marker in window for marker in markers):
                return True
            tail = window[-64:]
    return False


def _parse(archive: zipfile.ZipFile, member: str):
    # The standard library's expat refuses external entities and, since expat 2.4, entity
    # expansion bombs; the parts are bounded in size by _open_archive.
    return ElementTree.iterparse(archive.open(member), events=("start", "end"))


def _xlsx_sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    ids: dict[str, str] = {}
    for _event, element in _parse(archive, "xl/workbook.xml"):
        if element.tag == f"{_XLSX_MAIN}sheet" and element.get("name") is not None:
            ids[element.get("name")] = element.get(_XLSX_REL_ID, "")
    rel = ids.get(sheet)
    if rel is None or "xl/_rels/workbook.xml.rels" not in archive.namelist():
        return None
    for _event, element in _parse(archive, "xl/_rels/workbook.xml.rels"):
        if element.tag == f"{_XLSX_RELS}Relationship" and element.get("Id") == rel:
            target = element.get("Target", "")
            return (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            )
    return None


def _xlsx_column(reference: str) -> int:
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


def _stream(archive: zipfile.ZipFile, member: str, start, end, text=None) -> None:
    """Run expat over one part of the archive with element handlers (names "namespace local"):
    no tree is built, so the scan costs less than with ElementTree."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


_XM = _XLSX_MAIN.strip("{}") + " "


def _xlsx_facts(archive: zipfile.ZipFile, member: str) -> SheetFacts:
    facts = SheetFacts()
    state: dict[str, Any] = {
        "row": 0,
        "column": 0,
        "type": None,
        "formula": False,
        "value": None,
        "in_v": False,
    }

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == _XM + "row":
            state["row"] = int(attributes.get("r") or state["row"] + 1)
            state["column"] = 0
            if attributes.get("hidden") in ("1", "true"):
                facts.hidden_rows.add(state["row"])
        elif name == _XM + "c":
            reference = attributes.get("r")
            state["column"] = _xlsx_column(reference) if reference else state["column"] + 1
            state.update(type=attributes.get("t"), formula=False, value=None)
        elif name == _XM + "f":
            state["formula"] = True
        elif name == _XM + "v":
            state["in_v"] = True
            state["value"] = state["value"] or ""

    def text(data: str) -> None:
        if state["in_v"]:
            state["value"] += data

    def end(name: str) -> None:
        if name == _XM + "v":
            state["in_v"] = False
        elif name == _XM + "c":
            where = (state["row"], state["column"])
            value = state["value"]
            if state["type"] == "e":
                facts.formula_problems[where] = value or "#ERROR"
            # An empty <v/> after a formula is no result (openpyxl writes that), except for a
            # formula whose result is the empty text (t="str").
            elif state["formula"] and not value and state["type"] != "str":
                facts.formula_problems[where] = None

    _stream(archive, member, start, end, text)
    return facts


_TN = _ODS_TABLE.strip("{}") + " "
_ON = _ODS_OFFICE.strip("{}") + " "
_CN = _ODS_CALCEXT.strip("{}") + " "


def _ods_facts(archive: zipfile.ZipFile, sheet: str, height: int) -> SheetFacts:
    facts = SheetFacts()
    # depth: inside the wanted table, how deep in nested tables (0: not inside it)
    state: dict[str, Any] = {
        "depth": 0,
        "done": False,
        "row": 0,
        "column": 0,
        "repeat": 1,
        "error": None,
    }

    def start(name: str, attributes: dict[str, str]) -> None:
        if state["done"]:
            return
        if name == _TN + "table":
            if state["depth"]:
                state["depth"] += 1
            elif attributes.get(_TN + "name") == sheet:
                state["depth"] = 1
            return
        if state["depth"] != 1:
            return
        if name == _TN + "table-row":
            state["repeat"] = int(attributes.get(_TN + "number-rows-repeated") or 1)
            state["column"] = 0
            if attributes.get(_TN + "visibility") in ("collapse", "filter"):
                # ODS writes identical rows once, repeated: a hidden run may hold rows of the
                # books, or a million empty rows below them.
                last = min(state["row"] + state["repeat"], height)
                facts.hidden_rows.update(range(state["row"] + 1, last + 1))
        elif name in (_TN + "table-cell", _TN + "covered-table-cell"):
            where = (state["row"] + 1, state["column"] + 1)
            state["column"] += int(attributes.get(_TN + "number-columns-repeated") or 1)
            if attributes.get(_TN + "formula") is None:
                return
            if attributes.get(_CN + "value-type") == "error":
                state["error"] = (where, [])
            elif attributes.get(_ON + "value-type") is None:
                facts.formula_problems[where] = None

    def text(data: str) -> None:
        if state["error"] is not None:
            state["error"][1].append(data)

    def end(name: str) -> None:
        if state["done"]:
            return
        if name == _TN + "table":
            if state["depth"] == 1:
                state["done"] = True
            state["depth"] = max(state["depth"] - 1, 0)
        elif state["depth"] == 1 and name == _TN + "table-row":
            state["row"] += state["repeat"]
        elif state["depth"] == 1 and name == _TN + "table-cell" and state["error"] is not None:
            where, parts = state["error"]
            facts.formula_problems[where] = "".join(parts).strip() or "#ERROR"
            state["error"] = None

    _stream(archive, "content.xml", start, end, text)
    return facts
