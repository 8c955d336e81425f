"""Excel workbooks (.xlsx): one sheet streamed (openpyxl read-only, flat memory) into CSV text, so a workbook goes
through the same detection, mapping, dry run, warnings and commit as a CSV file.

The CSV is UTF-8 with commas, one record per sheet row (empty rows kept as empty lines, so line numbers in
reports are the sheet's row numbers). Cells become text as Excel shows them for typing back: whole numbers
without `.0`, dates and times in ISO 8601 (read as UTC like any time without a zone), booleans TRUE/FALSE.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import BinaryIO

from processor.csv_import.detect import FileRefused

XLSX_SIGNATURE = b"PK\x03\x04"
SAVE_AS = "In Excel choose File > Save As and pick Excel Workbook (.xlsx) or CSV UTF-8, then upload that file."


def is_workbook(head: bytes) -> bool:
    """Whether a file starts as a ZIP archive, as every .xlsx workbook does."""
    return head.startswith(XLSX_SIGNATURE)


def sheet_names(source: BinaryIO) -> list[str]:
    """The workbook's sheet names, in order."""
    book = _open(source)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def to_csv(source: BinaryIO, out: BinaryIO, *, sheet: str | None, max_rows: int, max_bytes: int) -> str:
    """Write one sheet (the first when `sheet` is None) to `out` as CSV; return the sheet's name."""
    book = _open(source)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileRefused("The workbook has no sheet of that name; choose one of its sheets.")
        name = sheet or book.sheetnames[0]
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer, size = csv.writer(text, lineterminator="\r\n"), 0
        for number, values in enumerate(book[name].iter_rows(min_row=1, values_only=True), start=1):
            if number > max_rows + 1:
                raise FileRefused(f"The sheet has more than {max_rows:,} rows; split it into smaller files.")
            cells = [_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            size += writer.writerow(cells)
            if size > max_bytes:
                raise FileRefused("The sheet holds too much text to import at once; split it into smaller files.")
        text.detach()
        return name
    finally:
        book.close()


def _open(source: BinaryIO):
    # lazy: openpyxl (18 MB, a third of a second) loads with the first workbook, not in every process at start-up
    # (the web and API workers, a CSV import's process and its forkserver).
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(f"This ZIP file is not an Excel workbook (.xlsx) that can be read. {SAVE_AS}") from None


def _text(value) -> str:
    if type(value) is str:  # most cells: no further checks
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
