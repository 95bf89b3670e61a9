"""Pieces of HTML for the generated pages, safe for any text from the books.

Text from CSV cells and front matter goes into raw HTML through `esc`, never into Markdown,
so a description can neither inject markup nor Markdown links. Links are written
`publisher:PATH` (PATH relative to the docs directory); the plugin resolves them per page.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Collection, Iterable, Sequence

from publisher.charts import Chart
from publisher.site.templating import link, macro  # noqa: F401  (link: used by the page modules)

#: Characters a spreadsheet takes as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def esc(value: object) -> str:
    """Text for raw HTML: escaped, on one line (a blank line would end the HTML block)."""
    return html.escape(str(value), quote=True).replace("\r", " ").replace("\n", " ")


#: Characters Python-Markdown reads as markup (links, attribute lists, emphasis) unless escaped.
#: (Only ones Python-Markdown unescapes; `<`, `>` and `&` are already entities here.)
_MARKDOWN_PUNCTUATION = set("\\`*_{}[]()!")


def markdown_text(value: object) -> str:
    """Text for a Markdown heading: HTML-escaped, and every Markdown punctuation backslash-escaped,
    so that `{onclick=...}` or `[x](javascript:...)` stay letters."""
    escaped = esc(value)
    return "".join("\\" + c if c in _MARKDOWN_PUNCTUATION else c for c in escaped)


def neutralize(value: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(
    columns: Sequence[str], rows: Iterable[Sequence[object]], amount_columns: Collection[int] = ()
) -> str:
    """The one writer of every CSV file the site offers. Every text cell a spreadsheet would run
    as a formula gets a leading apostrophe, the header's included (fund and currency names head
    some charts' columns); the cells of the columns at `amount_columns` (indexes) are never
    touched, so that negative amounts stay numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralize(str(c)) for c in columns])
    amounts = set(amount_columns)
    text_columns = [i for i in range(len(columns)) if i not in amounts]
    for row in rows:
        cells = list(row)
        for i in text_columns:
            value = cells[i]
            if isinstance(value, str) and value.startswith(FORMULA_START):
                cells[i] = "'" + value
        writer.writerow(cells)
    return buffer.getvalue()


def named_csv(
    columns: Sequence[str], rows: Iterable[Sequence[object]], amount_names: Collection[str]
) -> str:
    """`csv_text` with the amount columns given by name."""
    return csv_text(columns, rows, [i for i, c in enumerate(columns) if c in amount_names])


def chart_csv(chart: Chart) -> str:
    """A chart's numbers: its leading label columns are text, the others amounts."""
    return csv_text(chart.columns, chart.rows, range(chart.label_columns, len(chart.columns)))


def html_table(
    columns: list[str], rows: list[list[str]], amount_columns: Collection[int] = frozenset()
) -> str:
    return str(macro("macros.html.j2", "table")(columns, rows, set(amount_columns)))


def figure_html(chart: Chart, amount_columns: Collection[int]) -> str:
    """A chart: the plot, its caption, and its numbers in a collapsible table with a CSV."""
    return str(macro("macros.html.j2", "figure")(chart, set(amount_columns))) + "\n\n"


def figures_html(items: list[tuple[str, str, str]]) -> str:
    """Key figures as cards: (label, value, note)."""
    return str(macro("macros.html.j2", "figures")(items)) + "\n\n"
