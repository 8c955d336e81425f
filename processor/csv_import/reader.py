"""Stream the rows of a CSV file with their line numbers, within limits, never holding the whole file."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from processor.csv_import.detect import Detected, FileRefused, Opener
from processor.csv_import.layouts import ends_section


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 100
    max_field: int = 1000

    @classmethod
    def from_config(cls, config: Mapping) -> Limits:
        """The limits an app's configuration sets (`current_app.config`), the defaults for the others."""
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
    """Iterate a file's non-blank rows (the header first, when the file has one); refusals raise FileRefused."""

    def __init__(self, open_file: Opener, detected: Detected, limits: Limits):
        self._open, self._detected, self._limits = open_file, detected, limits

    def __iter__(self) -> Iterator[Row]:
        with self._parsed() as records:
            yield from self._rows(records)

    def count(self) -> int:
        """The number of data rows, every file-level limit applied: what iterating yields after the header, without
        building the rows (the cheap first pass over a file)."""
        with self._parsed() as records:
            rows = (cells for _line, cells in records if _carries_something(cells))
            if self._detected.header_row:
                first = next(rows, None)
                if first is not None:
                    self._check_header(first)
            count = sum(1 for _ in itertools.islice(rows, self._limits.max_rows + 1))
            if count > self._limits.max_rows:
                self._too_many()
            return count

    @contextlib.contextmanager
    def _parsed(self):
        """(line, cells) of each record, within the file's bounded physical lines; a quote never closed, a parse
        or a decoding failure refuses the file."""
        detected = self._detected
        with self._open() as stream:
            text = io.TextIOWrapper(stream, encoding=detected.encoding, newline="")
            lines = _BoundedLines(text, self._limits.max_line)
            for _ in range(int(detected.sep_line) + detected.skip_lines):
                next(lines, None)
            # strict: a quote closed and then followed by more than the delimiter is an error, not glued text;
            # skipinitialspace: `, "Anna"` is the quoted value Anna, never a name with quote marks.
            reader = csv.reader(lines, delimiter=detected.delimiter, strict=True, skipinitialspace=True)
            try:
                yield self._records(reader, lines)
            except csv.Error as exc:
                raise FileRefused(_quote_refusal(exc, lines.row_start, lines.at_end)) from None
            except UnicodeDecodeError:
                # The decoder reads ahead, so the line is only approximate.
                raise FileRefused(
                    f"The file is not valid {detected.encoding} (near line {lines.number + 1}); "
                    "choose another encoding."
                ) from None

    def _records(self, reader, lines: _BoundedLines) -> Iterator[tuple[int, list[str]]]:
        detected, width, seen_header = self._detected, 0, False
        skipped = int(detected.sep_line) + detected.skip_lines
        lines.row_start = start = lines.number + 1
        for record, cells in enumerate(reader, start=skipped + 1):
            line = record if detected.records else start
            if lines.number > start and width > 1:
                _refuse_swallowed_rows(cells, width, detected.delimiter, start)
            lines.row_start = start = lines.number + 1
            if detected.layout and seen_header and ends_section(cells):
                return  # a report's next section (Zoom's "Other Attended" ...) is not participants
            if not seen_header and _carries_something(cells):
                seen_header, width = True, len(cells)
            yield line, cells

    def data_rows(self) -> Iterator[Row]:
        """The participant rows: every row after the header, or every row of a file without one."""
        rows = iter(self)
        if self._detected.header_row:
            next(rows, None)
        return rows

    def header(self) -> list[str]:
        """Return the header row (cells trimmed), or column names for a file without one; refuse files without
        data rows."""
        with contextlib.closing(iter(self)) as rows:
            first = next(rows, None)
            if first is None:
                raise FileRefused("The file is empty.")
            if self._detected.header_row and next(rows, None) is None:
                raise FileRefused("The file has a header row but no participant rows.")
        if not self._detected.header_row:
            return column_names(len(first.cells))
        return [cell.strip().lstrip("\ufeff").strip() for cell in first.cells]

    def first_row(self) -> list[str] | None:
        """The first non-blank row's cells (to tell whether it is a header)."""
        with contextlib.closing(iter(self)) as rows:
            first = next(rows, None)
        return None if first is None else first.cells

    def _rows(self, records) -> Iterator[Row]:
        count, header_seen, max_rows = 0, not self._detected.header_row, self._limits.max_rows
        for line, cells in records:
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


def column_names(width: int) -> list[str]:
    """Names for the columns of a file without a header row (never its first row: that is a participant)."""
    return [f"Column {index + 1}" for index in range(width)]


def _carries_something(cells: list[str]) -> bool:
    """False for blank lines and Excel's all-empty rows, which are skipped."""
    return any(map(str.strip, cells))


_EMAIL_LIKE = re.compile(r"[^@\s\"',;|]+@[^@\s\"',;|]+\.[^@\s\"',;|]+")


def _refuse_swallowed_rows(cells: list[str], width: int, delimiter: str, start: int) -> None:
    """A value spanning lines is fine (a two-line company), unless one of its lines looks like a whole row of
    its own (the delimiters of a row and an email address): then a quote opened on `start` was never closed."""
    for cell in cells:
        if "\n" not in cell and "\r" not in cell:
            continue
        for inner in cell.splitlines()[1:]:
            if inner.count(delimiter) >= width - 1 and _EMAIL_LIKE.search(inner):
                raise FileRefused(_unclosed(start))


def _unclosed(line: int) -> str:
    return (
        f'Line {line}: a quote (") opens a value there that is never closed, so the rows after it would be read '
        "as one value. Close or remove that quote (in a text editor, or fix the cell and save the file again as "
        "CSV from the spreadsheet), then upload the file again."
    )


def _quote_refusal(exc: csv.Error, line: int, at_end: bool) -> str:
    message = str(exc)
    if "unexpected end of data" in message or (at_end and "field larger" in message):
        return (
            f'Line {line}: a quote (") opens a value there that is not closed before the file ends: the file may '
            "be cut off, or the quote is a typo. Close or remove that quote (or export the file again), then upload "
            "it again."
        )
    if "field larger than field limit" in message:
        return _unclosed(line)
    if "expected after" in message:
        return (
            f"Line {line}: a quoted value is followed by other characters before the next delimiter (a quote "
            'inside a value must be doubled, ""), or a quote opened there is never closed. Fix that line, then '
            "upload the file again."
        )
    if "new-line character seen in unquoted field" in message:
        return f"Line {line}: the file is not valid CSV (a line break inside an unquoted field)."
    return f"Line {line}: the file is not valid CSV (a malformed quoted field)."


def shape_problem(
    cells: list[str], header: list[str], limits: Limits, checked: tuple[int, ...] | None = None
) -> str | None:
    """Why a data row cannot be read against the header (its width, a field's length), or None. Only the columns
    in `checked` (the mapped ones; every column when None) must be within the field limit: an unmapped cell is
    never stored."""
    width = len(header)
    if len(cells) > limits.max_columns:
        return f"The row has {len(cells):,} fields; at most {limits.max_columns} are allowed."
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return f"The row has {len(cells)} fields but the header has {width}: a delimiter or quote is misplaced."
    if len(cells) < width:
        fields = "1 field" if len(cells) == 1 else f"{len(cells)} fields"
        return f"The row has {fields} but the header has {width}: a delimiter or quote is missing."
    if cells and max(map(len, cells)) > limits.max_field:
        long = [i for i, cell in enumerate(cells[:width]) if len(cell) > limits.max_field]
        if checked is not None:
            long = [i for i in long if i in checked]
        if long:
            return f"The field in column {header[long[0]][:60]!r} is longer than {limits.max_field:,} characters."
    return None


class _BoundedLines:
    """Physical lines of a text stream; a line longer than the limit refuses the file before it is read whole."""

    def __init__(self, text: io.TextIOBase, limit: int):
        self._text, self._limit, self.number = text, limit, 0
        self.row_start, self.at_end = 1, False  # where the row being parsed began; whether the text has ended

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit + 1)
        if not line:
            self.at_end = True
            raise StopIteration
        self.number += 1
        if len(line) > self._limit:
            raise FileRefused(
                f"Line {self.number} is longer than {self._limit:,} characters: this is not a "
                "participant list (or a quote is never closed)."
            )
        return line
