"""The error file: each rejected row as it was, with its line number and the reasons, safe to open in Excel."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from processor.csv_import.plan import Verdict
from processor.csv_safety import neutralize_row

REPORT_COLUMNS = ("Line", "Column", "Reason")


class Sink(Protocol):
    """What the dry run and the commit hand every batch of verdicts to (run.py calls it `report`)."""

    def add(self, verdicts: list[Verdict]) -> None: ...


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


class ErrorSpool:
    """Every row error's {line, column, reason}, one JSON line each in an anonymous temporary file, so a file with
    a million bad rows costs disk, not memory. Reasons never quote values; the file is gone once closed."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.count = 0

    def add(self, verdicts: list[Verdict]) -> None:
        lines = [
            json.dumps(error, ensure_ascii=False).encode() + b"\n"
            for verdict in verdicts
            if verdict.action == "error"
            for error in verdict.errors
        ]
        self._file.writelines(lines)
        self.count += len(lines)

    def __iter__(self) -> Iterator[str]:
        """Each error as JSON text, in file order."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield line.decode().rstrip("\n")

    def close(self) -> None:
        self._file.close()


class Sinks:
    """Hand each batch to several sinks (the error file and the spool)."""

    def __init__(self, *sinks: Sink | None):
        self._sinks = [sink for sink in sinks if sink is not None]

    def add(self, verdicts: list[Verdict]) -> None:
        for sink in self._sinks:
            sink.add(verdicts)
