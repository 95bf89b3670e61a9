"""Workbooks for the tests: written with openpyxl, or saved by LibreOffice Calc itself.

`soffice_convert` runs LibreOffice headless (each call with its own user profile, so that
parallel runs do not share one); tests that need it skip when `soffice` is not installed.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HAS_SOFFICE = shutil.which("soffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"
HEADER = [
    "date",
    "description",
    "amount",
    "category",
    "fund",
    "counterparty",
    "decision",
    "id",
    "note",
]


def xlsx(
    rows: list[list[Any]],
    title: str = "Ledger",
    hidden_rows: tuple[int, ...] = (),
    sheets: dict[str, list[list[Any]]] | None = None,
    hidden_sheets: tuple[str, ...] = (),
    header: list[str] | None = HEADER,
) -> bytes:
    """An .xlsx workbook written by openpyxl: the sheet `title` holds `header` and `rows`
    (a string starting with "=" is a formula, which openpyxl saves without a result); `sheets`
    are more sheets after it, in order. Rows are numbered as the spreadsheet numbers them."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in ([header] if header else []) + rows:
        sheet.append(row)
    for number in hidden_rows:
        sheet.row_dimensions[number].hidden = True
    for name, more in (sheets or {}).items():
        extra = workbook.create_sheet(name)
        for row in more:
            extra.append(row)
    for name in hidden_sheets:
        workbook[name].sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def soffice_convert(source: Path, fmt: str, outdir: Path, infilter: str | None = None) -> Path:
    """`source` saved by LibreOffice Calc as `fmt` ("ods", "xlsx") into `outdir`: a workbook
    as a real spreadsheet program writes it (formulas recalculated, results saved)."""
    profile = outdir / ".soffice-profile"
    command = [
        "soffice",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / f"{source.stem}.{fmt}"


#: The clean fixture's CSV: dates, amounts as a spreadsheet reads them from a CSV (English locale).
CLEAN_CSV = (
    ",".join(HEADER) + "\n"
    "2026-01-01,Opening balance,1000,opening,,,,o1,\n"
    "2026-01-05,Dues January,12.5,dues,,,,d1,\n"
    "2026-02-01,Rent February,-400,rent,,,,r1,\n"
    "2026-03-10,Grant for tools,1234.56,grants,commons,City Council,,g1,\n"
)

#: The flawed fixture, before LibreOffice saved it: row 3 hidden, C4 a division by zero, C5 a
#: sum with a floating-point residue (0.1 + 0.2), row 6 a totals row.
FLAWED_ROWS = [
    [dt.date(2026, 1, 5), "Dues January", 12.5, "dues"],
    [dt.date(2026, 1, 6), "Hidden dues", 20, "dues"],
    [dt.date(2026, 1, 7), "Broken formula", "=1/0", "dues"],
    [dt.date(2026, 1, 8), "Sum of cents", "=0.1+0.2", "dues"],
    [None, "Total", "=SUM(C2:C5)", None],
]
