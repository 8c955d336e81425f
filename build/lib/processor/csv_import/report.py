"""The error file: each rejected row as it was, with its line number and the reasons, safe to open in Excel."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from processor.csv_import.plan import Verdict
from processor.csv_safety import neutralize_row

REPORT_COLUMNS = ("Line", "Column", "Reason")


class ErrorReport:
    """Write rejected rows to a binary stream as UTF-8 with a BOM (Excel then reads accents right)."""

    def __init__(self, stream: BinaryIO, header: list[str], delimiter: str = ","):
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text, delimiter=delimiter)
        self._writer.writerow(neutralize_row([*REPORT_COLUMNS, *header]))
        self.rows = 0

    def add(self, verdicts: list[Verdict]) -> None:
        for verdict in verdicts:
            if verdict.action == "error":
                columns = "; ".join(dict.fromkeys(e["column"] for e in verdict.errors if e["column"]))
                reasons = " ".join(_sentence(e) for e in verdict.errors)
                self._writer.writerow(neutralize_row([verdict.line, columns, reasons, *verdict.cells]))
                self.rows += 1

    def close(self) -> None:
        self._text.close()


def _sentence(error: dict) -> str:
    return f"{error['column']}: {error['reason']}" if error["column"] else error["reason"]
