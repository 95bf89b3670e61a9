"""Writing a new workbook of the books (`publisher new --books ods|xlsx`).

python-calamine only reads, so the writing is done by openpyxl (.xlsx) and odfpy (.ods), the
libraries pandas itself writes these formats with. Both write plain workbooks with no formula
(so there is no result a spreadsheet would have to calculate first): the header row, drop-down
lists (data validation) of the categories and funds taken from a "Lists" sheet, and a sheet of
instructions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from publisher.spreadsheet import column_letter

#: Rows of the ledger sheet that get the drop-down lists: a cooperative's year fits many times.
VALIDATED_ROWS = 5000


@dataclass(frozen=True)
class ChoiceList:
    """A drop-down list: the cells of column `column` (0-based) of the books' sheet, rows 2 to
    VALIDATED_ROWS + 1, accept only the `values` (written in column `source_column` of the
    "Lists" sheet, under a header)."""

    name: str
    column: int
    values: tuple[str, ...]
    source_column: int


@dataclass(frozen=True)
class BooksWorkbook:
    """What a new workbook holds: the books' sheet (a header, no rows), its drop-down lists, and
    the texts of an instruction sheet (one paragraph per row)."""

    sheet: str
    header: tuple[str, ...]
    lists: tuple[ChoiceList, ...]
    instructions: tuple[str, ...]
    lists_sheet: str = "Lists"
    instructions_sheet: str = "Instructions"
    #: extra columns of the Lists sheet (e.g. each category's kind), by list name
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _lists_rows(book: BooksWorkbook) -> list[list[str]]:
    width = max((c.source_column for c in book.lists), default=-1) + 2
    height = max((len(c.values) for c in book.lists), default=0)
    rows = [[""] * width for _ in range(height + 1)]
    for choice in book.lists:
        rows[0][choice.source_column] = choice.name
        for index, value in enumerate(choice.values):
            rows[index + 1][choice.source_column] = value
        notes = book.notes.get(choice.name, ())
        if notes:
            rows[0][choice.source_column + 1] = f"{choice.name}: what it is"
            for index, note in enumerate(notes):
                rows[index + 1][choice.source_column + 1] = note
    return rows


def _source_range(book: BooksWorkbook, choice: ChoiceList) -> tuple[str, int, int]:
    letter = column_letter(choice.source_column)
    return letter, 2, len(choice.values) + 1


def write_xlsx(book: BooksWorkbook) -> bytes:
    """The workbook as .xlsx bytes (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one sheet
    sheet.title = book.sheet
    sheet.append(list(book.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(book.header):
        sheet.column_dimensions[column_letter(index)].width = (
            30 if name in ("description", "note") else 14
        )
    for choice in book.lists:
        letter, first, last = _source_range(book, choice)
        validation = DataValidation(
            type="list",
            formula1=f"'{book.lists_sheet}'!${letter}${first}:${letter}${last}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"Unknown {choice.name.removesuffix('s')}",
            error=f"Choose one of the {choice.name} of the sheet {book.lists_sheet} (from ledgers/accounts.yml).",
        )
        target = column_letter(choice.column)
        validation.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(validation)
    instructions = workbook.create_sheet(book.instructions_sheet)
    instructions.column_dimensions["A"].width = 110
    for text in book.instructions:
        instructions.append([text])
    lists = workbook.create_sheet(book.lists_sheet)
    for row in _lists_rows(book):
        lists.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_ods(book: BooksWorkbook) -> bytes:
    """The workbook as .ods bytes (odfpy)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import (
        ContentValidation,
        ContentValidations,
        ErrorMessage,
        Table,
        TableCell,
        TableColumn,
        TableRow,
    )
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    bold = Style(name="header", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    wide = Style(name="wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="6cm"))
    document.automaticstyles.addElement(wide)
    widest = Style(name="widest", family="table-column")
    widest.addElement(TableColumnProperties(columnwidth="20cm"))
    document.automaticstyles.addElement(widest)

    def text_cell(text: str, **attributes) -> TableCell:
        cell = TableCell(valuetype="string", **attributes)
        cell.addElement(P(text=text))
        return cell

    validations = ContentValidations()
    for choice in book.lists:
        letter, first, last = _source_range(book, choice)
        validation = ContentValidation(
            name=f"list-{choice.name}",
            condition=f"of:cell-content-is-in-list([$'{book.lists_sheet}'.${letter}${first}:.${letter}${last}])",
            allowemptycell="true",
            displaylist="unsorted",
            basecelladdress=f"'{book.sheet}'.{column_letter(choice.column)}2",
        )
        message = ErrorMessage(display="true", messagetype="stop", title=f"Unknown {choice.name}")
        message.addElement(
            P(
                text=f"Choose one of the {choice.name} of the sheet {book.lists_sheet} (from ledgers/accounts.yml)."
            )
        )
        validation.addElement(message)
        validations.addElement(validation)
    document.spreadsheet.addElement(validations)

    books = Table(name=book.sheet)
    for name in book.header:
        books.addElement(
            TableColumn(stylename=wide) if name in ("description", "note") else TableColumn()
        )
    header = TableRow()
    for name in book.header:
        header.addElement(text_cell(name, stylename=bold))
    books.addElement(header)
    by_column = {choice.column: choice for choice in book.lists}
    rows = TableRow(numberrowsrepeated=VALIDATED_ROWS)
    for index in range(len(book.header)):
        listed = by_column.get(index)
        rows.addElement(
            TableCell(contentvalidationname=f"list-{listed.name}") if listed else TableCell()
        )
    books.addElement(rows)
    document.spreadsheet.addElement(books)

    instructions = Table(name=book.instructions_sheet)
    instructions.addElement(TableColumn(stylename=widest))
    for text in book.instructions:
        row = TableRow()
        row.addElement(text_cell(text) if text else TableCell())
        instructions.addElement(row)
    document.spreadsheet.addElement(instructions)

    lists = Table(name=book.lists_sheet)
    for values in _lists_rows(book):
        row = TableRow()
        for value in values:
            row.addElement(text_cell(value) if value else TableCell())
        lists.addElement(row)
    document.spreadsheet.addElement(lists)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
