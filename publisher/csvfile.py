"""Reading a treasurer's CSV file into a table of text cells, with the physical line of each row.

Two paths, one result. The fast path hands the bytes to pyarrow's CSV reader, which parses a
million rows in well under a second; the physical line of each row is then computed without a
Python loop, from the newlines inside quoted cells. Whenever pyarrow refuses the file or finds
a row of the wrong width, the careful path reads it again with Python's csv module, record by
record, to say exactly where and what is wrong (bad UTF-8, an unterminated quote, ragged
rows). Every cell stays text: nothing is converted here, so that amounts and dates can be
validated against strict patterns before any conversion.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from publisher.i18n import _
from publisher.problems import Problem, problem
from publisher.spreadsheet import column_letter

MAX_CSV_BYTES = 256 << 20
#: No format has more than a dozen columns; a header of 100,000 would stall the build.
MAX_COLUMNS = 200
LINE = "line"  # name of the column that holds each row's physical line

csv.field_size_limit(MAX_CSV_BYTES)


@dataclass
class Table:
    """The text cells of one CSV file.

    `frame` has one column per distinct header name (all text), plus `line`, the 1-based
    physical line on which each row starts. Rows whose cells are all empty are dropped.
    """

    path: str
    header: list[str]
    frame: pd.DataFrame
    problems: list[Problem]
    #: False when the file could not be read at all (encoding, NUL bytes, no header).
    readable: bool
    delimiter: str = ","
    #: The line of the header: 2 when Excel's "sep=" line comes first.
    header_line: int = 1
    #: The sheet read, for a workbook (.ods, .xlsx): then a line is the sheet's row number and a
    #: column its column number (A = 1), and problems name the sheet and the cell.
    sheet: str | None = None
    _text: bytes = b""
    _line_starts: np.ndarray | None = field(default=None, repr=False)

    def column_letter(self, column_name: str) -> str | None:
        """The spreadsheet's letter of a column ("C"), or None when the header lacks it."""
        try:
            return column_letter(self.header.index(column_name))
        except ValueError:
            return None

    def rename_columns(self, names: dict[str, str]) -> None:
        """Call header cells by other names (e.g. "Amount" -> "amount"), in header and frame."""
        self.header = [names.get(name, name) for name in self.header]
        self.frame = self.frame.rename(columns=names)

    def position(self, line: int, column_name: str) -> tuple[int, int | None]:
        """(line, character column) where the cell of `column_name` starts on a row.

        A row's earlier cells may span several lines, so the cell may start on a later line.
        """
        try:
            index = self.header.index(column_name)
        except ValueError:
            return line, None
        if self.sheet is not None:
            return line, index + 1
        if self._line_starts is None:
            newlines = np.flatnonzero(np.frombuffer(self._text, dtype=np.uint8) == 10)
            self._line_starts = np.concatenate(([0], newlines + 1))
        if line < 1 or line > len(self._line_starts):
            return line, None
        start = int(self._line_starts[line - 1])
        chunk = self._text[start : start + (1 << 16)].decode("utf-8", "replace")
        return _field_start(chunk, index, self.delimiter, line)


def arrow_text(cells: pd.Series) -> pa.Array:
    """A text column as one pyarrow array, without copying when it is already arrow-backed."""
    array = pa.array(cells.astype("str").array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _field_start(text: str, index: int, delimiter: str, line: int) -> tuple[int, int | None]:
    """Walk one record from its first character to where field `index` starts."""
    field_number, column = 0, 1
    quoted = in_quoted_field = False
    at_field_start = True
    for char in text:
        if field_number == index:
            return line, column
        if char == '"' and (at_field_start or in_quoted_field):
            in_quoted_field = True
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
        elif char == delimiter and not quoted:
            field_number += 1
            at_field_start, in_quoted_field = True, False
            column += 1
            continue
        elif char == "\n" and not quoted:
            return line, None  # the record ended before that field
        at_field_start = False
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return (line, column) if field_number == index else (line, None)


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return line, column


def _unreadable(path: str, found: Problem, delimiter: str) -> Table:
    return Table(path, [], pd.DataFrame({LINE: []}), [found], False, delimiter)


def _too_many_columns(path: str, columns: int, delimiter: str) -> Table:
    return _unreadable(
        path,
        problem(
            "csv-too-many-columns",
            path,
            1,
            _(
                "The header has {columns:,} columns; the publisher reads at most {max_columns}. Is this "
                "file a ledger, exported with the right delimiter?"
            ).format(columns=columns, max_columns=MAX_COLUMNS),
        ),
        delimiter,
    )


def read_table(data: bytes, path: str, delimiter: str = ",") -> Table:
    """Read CSV bytes into a Table; every problem with the file's structure is reported."""
    if len(data) > MAX_CSV_BYTES:
        return _unreadable(
            path,
            problem(
                "file-too-large",
                path,
                None,
                _(
                    "This file has {count:,} bytes; the publisher reads at most "
                    "{max_csv_bytes:,}. Split it, for example one file per year."
                ).format(count=len(data), max_csv_bytes=MAX_CSV_BYTES),
            ),
            delimiter,
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul)
        utf16 = data.count(b"\x00") * 4 >= len(data)
        # `publisher fix` converts the books (not an export to import) in UTF-16 with a BOM.
        fixable = path.startswith("ledgers/") and data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        )
        hint = (
            _("It looks like UTF-16: save it again as “CSV UTF-8”")
            + (
                _(", or run `publisher fix {path}` to convert it.").format(path=path)
                if fixable
                else "."
            )
            if utf16
            else _("Remove them, or export the file again as “CSV UTF-8”.")
        )
        return _unreadable(
            path,
            problem(
                "file-nul-byte",
                path,
                line,
                _("This file contains NUL bytes, which text never does. {hint}").format(hint=hint),
                column,
            ),
            delimiter,
        )
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not data.strip():
        return _unreadable(
            path,
            problem(
                "file-empty",
                path,
                1,
                _("This file is empty: it needs at least a header row naming the columns."),
            ),
            delimiter,
        )
    declared = SEP_LINE.match(data)
    body = data
    if declared:
        separator = declared.group(1).decode("utf-8", "replace")
        if separator != delimiter:
            return _unreadable(path, _sep_line_problem(path, separator, delimiter), delimiter)
        # The line only tells Excel the delimiter, which agrees: read the rest, one line down.
        body = data[declared.end() :]
    table = _read_fast(body, path, delimiter)
    if table is None:
        table = _read_careful(body, path, delimiter)
    if declared:
        table = _shift_lines(table, 1)
    table._text = data
    return table


#: Excel's first line naming the delimiter, e.g. `sep=;` (sometimes quoted, or followed by
#: empty cells when a spreadsheet saved it again).
SEP_LINE = re.compile(rb'"?sep=([^\n"])"?[,;|\t]*\n')

_SHOWN = {"\t": "a tab", ";": '";"', ",": '","', "|": '"|"'}


def _sep_line_problem(path: str, separator: str, delimiter: str) -> Problem:
    shown = _SHOWN.get(separator, f'"{separator}"')
    return problem(
        "csv-sep-line",
        path,
        1,
        _(
            'The first line "sep={separator}" says the cells are separated by {shown}, but '
            "ledgers/accounts.yml says {value}. If every file uses "
            '{shown}, set csv: {{delimiter: "{separator}"}} in ledgers/accounts.yml; otherwise '
            "export the file again with the repository's delimiter. The rest of the file is not "
            "read until then."
        ).format(separator=separator, shown=shown, value=_SHOWN.get(delimiter, delimiter)),
    )


def _shift_lines(table: Table, lines: int) -> Table:
    """The table of a file read without its first `lines` lines, with the file's line numbers."""
    frame = table.frame.copy()
    frame[LINE] = frame[LINE] + lines
    moved = [
        dataclasses.replace(p, line=p.line + lines) if p.line is not None else p
        for p in table.problems
    ]
    return dataclasses.replace(table, frame=frame, problems=moved, header_line=1 + lines)


def _read_fast(data: bytes, path: str, delimiter: str) -> Table | None:
    """pyarrow's parser; None whenever the careful path must explain something."""
    if not data.isascii():
        try:  # pyarrow's own UTF-8 errors are vague (and noisy in its row handler)
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    first_newline = data.find(b"\n")
    header_bytes = data if first_newline < 0 else data[:first_newline]
    if b'"' in header_bytes:
        return None  # a quoted header may span lines: leave it to the careful path
    try:
        header = header_bytes.decode("utf-8").split(delimiter)
    except UnicodeDecodeError:
        return None
    body = b"" if first_newline < 0 else data[first_newline + 1 :]
    if b'"' in body and _suspicious_quote(body, delimiter):
        return None
    if len(header) > MAX_COLUMNS:
        return _too_many_columns(path, len(header), delimiter)
    names = [f"f{i}" for i in range(len(header))]
    if not body.strip():
        return _make_table(
            path,
            header,
            pd.DataFrame({n: [] for n in names}, dtype="str"),
            np.zeros(0, dtype=np.int64),
            [],
            delimiter,
        )
    ragged: list[int] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        ragged.append(row.actual_columns)
        return "skip"

    try:
        arrow = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if ragged:
        return None
    row_numbers = np.arange(arrow.num_rows, dtype=np.int64)
    if b'"' in body:
        # Quoted cells may hold newlines: each row starts as many lines further down as the
        # rows before it held inside their cells.
        inner = np.zeros(arrow.num_rows, dtype=np.int64)
        for column in arrow.columns:
            inner += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
        row_numbers += np.concatenate(([0], np.cumsum(inner)[:-1]))
    lines = row_numbers + 2
    frame = arrow.to_pandas()
    return _make_table(path, header, frame, lines, [], delimiter)


def _suspicious_quote(body: bytes, delimiter: str) -> bool:
    """A quote between two ordinary characters: a cell like "12"50, which pyarrow would
    silently read as 1250. Also true for a harmless inch mark (12" pipe) in an unquoted cell:
    the careful path then reads that file, and accepts it."""
    data = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(data == ord('"'))
    quotes = quotes[(quotes > 0) & (quotes < len(data) - 1)]
    if not len(quotes):
        return False
    special = np.zeros(256, dtype=bool)
    special[[ord('"'), ord("\n"), ord(delimiter)]] = True
    return bool((~special[data[quotes - 1]] & ~special[data[quotes + 1]]).any())


def _read_careful(data: bytes, path: str, delimiter: str) -> Table:
    """Python's csv module, record by record: exact lines for every structural problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        try:
            data.decode("cp1252")
            hint = _(
                " It looks like Windows-1252 or Latin-1: in your spreadsheet, save it as "
                "“CSV UTF-8”."
            )
        except UnicodeDecodeError:
            hint = _(" Save it as “CSV UTF-8”.")
        return _unreadable(
            path,
            problem(
                "file-not-utf8",
                path,
                line,
                _("This file is not UTF-8 text (byte 0x{data:02x} cannot be read).{hint}").format(
                    data=data[error.start], hint=hint
                ),
                column,
            ),
            delimiter,
        )
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                problems.append(
                    problem(
                        "csv-unterminated-quote",
                        path,
                        start,
                        _(
                            "A quoted cell on this line is never closed, so everything after it "
                            'would be read as one cell. Add the closing quote (") or remove the '
                            'opening one; a quote inside a quoted cell is written twice ("").'
                        ),
                    )
                )
            else:
                problems.append(
                    problem(
                        "csv-stray-quote",
                        path,
                        reader.line_num,
                        _(
                            'A quote (") stands in the middle of a cell ({error}). Put the whole '
                            'cell in quotes and write each quote inside it twice (""), or remove it.'
                        ).format(error=error),
                    )
                )
            break
        previous_end = reader.line_num
        if header is None:
            if len(record) > MAX_COLUMNS:
                return _too_many_columns(path, len(record), delimiter)
            header = record
            continue
        if not record or all(not cell.strip() for cell in record):
            continue
        records.append((start, record))
    if header is None:  # and so no records either
        return (
            _unreadable(
                path,
                problem(
                    "file-empty", path, 1, _("This file has no header row naming the columns.")
                ),
                delimiter,
            )
            if not problems
            else Table(path, [], pd.DataFrame({LINE: []}), problems, False, delimiter)
        )
    if _trailing_separator(header, records):
        # Every row ends with one separator more than the header, its last cell empty: a
        # spreadsheet's habit. Dropping that empty cell changes no cell of any column.
        records = [(start, record[:-1]) for start, record in records]
    for start, record in records:
        if len(record) != len(header):
            problems.append(
                problem(
                    "csv-ragged-row",
                    path,
                    start,
                    _("This row has {cells} cells but the header has {header_cells}. ").format(
                        cells=len(record), header_cells=len(header)
                    )
                    + (
                        _(
                            'A cell probably contains an unquoted "{delimiter}": put that cell in '
                            "quotes, or remove the extra separator."
                        ).format(delimiter=delimiter)
                        if len(record) > len(header)
                        else _("Add the missing cells (empty ones still need their separator).")
                    ),
                )
            )
            continue
        rows.append(record)
        lines.append(start)
    names = [f"f{i}" for i in range(len(header))]
    frame = (
        pd.DataFrame(rows, columns=names, dtype="str")
        if rows
        else pd.DataFrame({n: [] for n in names}, dtype="str")
    )
    return _make_table(path, header, frame, np.asarray(lines, dtype=np.int64), problems, delimiter)


def make_table(
    path: str,
    header: list[str],
    frame: pd.DataFrame,
    lines: np.ndarray,
    problems: list[Problem],
    delimiter: str,
) -> Table:
    """A Table from cells read elsewhere (a workbook's sheet), named and cleaned as a CSV file's."""
    return _make_table(path, header, frame, lines, problems, delimiter)


def _trailing_separator(header: list[str], records: list[tuple[int, list[str]]]) -> bool:
    """True when every row (at least two) has one cell more than the header, and that last cell
    is empty. A single such row is more likely an unquoted separator inside a cell."""
    width = len(header)
    return len(records) >= 2 and all(len(r) == width + 1 and r[-1] == "" for _, r in records)


def _make_table(
    path: str,
    header: list[str],
    frame: pd.DataFrame,
    lines: np.ndarray,
    problems: list[Problem],
    delimiter: str,
) -> Table:
    """Name the columns after the header (first of duplicated names wins) and drop blank rows."""
    header = [name.strip() for name in header]
    rename: dict[str, str] = {}
    keep: list[str] = []
    for index, name in enumerate(header):
        if name and name not in rename.values() and name != LINE:
            rename[f"f{index}"] = name
            keep.append(f"f{index}")
    frame = frame[keep].rename(columns=rename)
    frame[LINE] = lines
    if len(frame):
        text_columns = [c for c in frame.columns if c != LINE]
        if text_columns:
            # A row is blank when every cell is empty or spaces: look closer only at the rows
            # whose first cell is, so that a million good rows cost one pass over one column.
            blank = np.array(frame[text_columns[0]].str.strip().str.len() == 0, dtype=bool)
            for column in text_columns[1:]:
                if not blank.any():
                    break
                candidates = np.flatnonzero(blank)
                cells = frame[column].iloc[candidates]
                blank[candidates] = (cells.str.strip().str.len() == 0).to_numpy()
            if blank.any():
                frame = frame[~blank]
        frame = frame.reset_index(drop=True)
    return Table(path, header, frame, problems, True, delimiter)
