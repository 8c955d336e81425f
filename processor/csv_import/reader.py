"""Stream the rows of a CSV file with their line numbers, within limits, never holding the whole file."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app

from processor.csv_import.detect import Detected, FileRefused, Opener


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 100
    max_field: int = 1000

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            max_bytes=config.get("IMPORT_MAX_BYTES", cls.max_bytes),
            max_rows=config.get("IMPORT_MAX_ROWS", cls.max_rows),
            max_columns=config.get("IMPORT_MAX_COLUMNS", cls.max_columns),
            max_field=config.get("IMPORT_MAX_FIELD", cls.max_field),
        )

    @property
    def max_line(self) -> int:
        # The longest physical line a file within the limits can have: every field full and quoted, quotes doubled.
        return self.max_columns * (2 * self.max_field + 3)


class Row(NamedTuple):
    line: int  # the physical line the row starts on, 1-based, as a spreadsheet or editor shows it
    cells: list[str]


class RowReader:
    """Iterate a file's data rows; `header` is read on construction, refusals raise FileRefused."""

    def __init__(self, open_file: Opener, detected: Detected, limits: Limits):
        self._open, self._detected, self._limits = open_file, detected, limits

    def __iter__(self) -> Iterator[Row]:
        with self._parsed() as (reader, lines):
            yield from self._rows(reader, lines)

    def count(self) -> int:
        """The number of data rows, every file-level limit applied: what iterating yields after the header, without
        building the rows (the cheap first pass over a file)."""
        with self._parsed() as (reader, _lines):
            rows = filter(_carries_something, reader)
            first = next(rows, None)
            if first is not None:
                self._check_header(first)
            count = sum(1 for _ in itertools.islice(rows, self._limits.max_rows + 1))
            if count > self._limits.max_rows:
                self._too_many()
            return count

    @contextlib.contextmanager
    def _parsed(self):
        """The csv reader over the file's bounded physical lines; a parse or decoding failure refuses the file."""
        with self._open() as stream:
            text = io.TextIOWrapper(stream, encoding=self._detected.encoding, newline="")
            lines = _BoundedLines(text, self._limits.max_line)
            if self._detected.sep_line:
                next(lines, None)
            try:
                yield csv.reader(lines, delimiter=self._detected.delimiter), lines
            except csv.Error as exc:
                raise FileRefused(f"Line {lines.number}: the file is not valid CSV ({_csv_reason(exc)}).") from None
            except UnicodeDecodeError:
                # The decoder reads ahead, so the line is only approximate.
                raise FileRefused(
                    f"The file is not valid {self._detected.encoding} (near line {lines.number + 1}); "
                    "choose another encoding."
                ) from None

    def header(self) -> list[str]:
        """Return the header row (cells trimmed), refusing files without one or without data rows."""
        with contextlib.closing(iter(self)) as rows:
            first = next(rows, None)
            if first is None:
                raise FileRefused("The file is empty.")
            if next(rows, None) is None:
                raise FileRefused("The file has a header row but no participant rows.")
        return [cell.strip().lstrip("\ufeff").strip() for cell in first.cells]

    def _rows(self, reader, lines) -> Iterator[Row]:
        count, header_seen, max_rows = 0, False, self._limits.max_rows
        start = lines.number + 1
        for cells in reader:
            line, start = start, lines.number + 1
            if not _carries_something(cells):
                continue
            if not header_seen:
                header_seen = True
                self._check_header(cells)
            else:
                count += 1
                if count > max_rows:
                    self._too_many()
            yield Row(line, cells)

    def _check_header(self, cells: list[str]) -> None:
        if len(cells) > self._limits.max_columns:
            raise FileRefused(f"The header has {len(cells):,} columns; at most {self._limits.max_columns} are allowed.")

    def _too_many(self):
        raise FileRefused(f"The file has more than {self._limits.max_rows:,} rows; split it into smaller files.")


def _carries_something(cells: list[str]) -> bool:
    """False for blank lines and Excel's all-empty rows, which are skipped."""
    return any(map(str.strip, cells))


def shape_problem(cells: list[str], header: list[str], limits: Limits) -> str | None:
    """Why a data row cannot be read against the header (its width, a field's length), or None."""
    width = len(header)
    if len(cells) > limits.max_columns:
        return f"The row has {len(cells):,} fields; at most {limits.max_columns} are allowed."
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return f"The row has {len(cells)} fields but the header has {width}: a delimiter or quote is misplaced."
    if len(cells) < width:
        fields = "1 field" if len(cells) == 1 else f"{len(cells)} fields"
        return f"The row has {fields} but the header has {width}: a delimiter or quote is missing."
    if cells and max(map(len, cells)) > limits.max_field:
        name = next(name for name, cell in zip(header, cells, strict=False) if len(cell) > limits.max_field)
        return f"The field in column {name[:60]!r} is longer than {limits.max_field:,} characters."
    return None


class _BoundedLines:
    """Physical lines of a text stream; a line longer than the limit refuses the file before it is read whole."""

    def __init__(self, text: io.TextIOBase, limit: int):
        self._text, self._limit, self.number = text, limit, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self._limit:
            raise FileRefused(
                f"Line {self.number} is longer than {self._limit:,} characters: this is not a "
                "participant list (or a quote is never closed)."
            )
        return line


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return "a field is far too long, probably a quote that is never closed"
    if "new-line character seen in unquoted field" in message:
        return "a line break inside an unquoted field"
    return "a malformed quoted field"
