"""The report file: each rejected row, and each row imported with a value left empty, as it was, with its line
number, the outcome and the reasons; safe to open in Excel."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from processor.csv_import.plan import Verdict
from processor.csv_safety import neutralize_row

REPORT_COLUMNS = ("Line", "Outcome", "Column", "Reason")
REJECTED, WARNED = "rejected", "imported, value left empty"


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
                outcome, problems = REJECTED, verdict.errors
            elif verdict.warnings:
                outcome, problems = WARNED, verdict.warnings
            else:
                continue
            columns = "; ".join(dict.fromkeys(e["column"] for e in problems if e["column"]))
            reasons = " ".join(_sentence(e) for e in problems)
            self._writer.writerow(neutralize_row([verdict.line, outcome, columns, reasons, *verdict.cells]))
            self.rows += 1

    def close(self) -> None:
        self._text.close()


def _sentence(error: dict) -> str:
    return f"{error['column']}: {error['reason']}" if error["column"] else error["reason"]


class ErrorSpool:
    """Every row error's (and warning's) {line, column, reason}, one JSON line each in anonymous temporary files,
    so a file with a million bad rows costs disk, not memory. Reasons never quote values; the files are gone once
    closed."""

    def __init__(self):
        self._files = {kind: tempfile.TemporaryFile() for kind in ("errors", "warnings")}  # noqa: SIM115 (close())
        self.count = 0

    def add(self, verdicts: list[Verdict]) -> None:
        errors = [e for v in verdicts if v.action == "error" for e in v.errors]
        warnings = [w for v in verdicts if v.action != "error" for w in v.warnings]
        for kind, items in (("errors", errors), ("warnings", warnings)):
            self._files[kind].writelines(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)
        self.count += len(errors)

    def __iter__(self) -> Iterator[str]:
        """Each error as JSON text, in file order."""
        return self.items("errors")

    def items(self, kind: str) -> Iterator[str]:
        """Each error or warning (`kind`) as JSON text, in file order."""
        spooled = self._files[kind]
        spooled.flush()
        spooled.seek(0)
        for line in spooled:
            yield line.decode().rstrip("\n")

    def close(self) -> None:
        for spooled in self._files.values():
            spooled.close()


class ProblemFile:
    """Every row error's and warning's {line, column, reason} as JSON lines (`e ` or `w ` before each) in a binary
    stream: the job worker writes it (encrypted, beside the upload) for a CLI's `--json` to read back."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def add(self, verdicts: list[Verdict]) -> None:
        for verdict in verdicts:
            if verdict.action == "error":
                self._stream.writelines(b"e " + _json_line(item) for item in verdict.errors)
            else:
                self._stream.writelines(b"w " + _json_line(item) for item in verdict.warnings)

    def close(self) -> None:
        self._stream.close()


def read_problems(stream: BinaryIO, kind: str) -> Iterator[str]:
    """Each error (`kind` "errors") or warning ("warnings") of a ProblemFile as JSON text, in file order."""
    prefix = b"e " if kind == "errors" else b"w "
    for line in stream:
        if line.startswith(prefix):
            yield line[2:].decode().rstrip("\n")


def _json_line(item: dict) -> bytes:
    return json.dumps(item, ensure_ascii=False).encode() + b"\n"


class Sinks:
    """Hand each batch to several sinks (the error file and the spool)."""

    def __init__(self, *sinks: Sink | None):
        self._sinks = [sink for sink in sinks if sink is not None]

    def add(self, verdicts: list[Verdict]) -> None:
        for sink in self._sinks:
            sink.add(verdicts)
