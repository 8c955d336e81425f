"""The verdict for every row of a file (create, update, skip, error), computed the same way by the dry run and
the commit, so the commit can prove it executes exactly the dry run's plan."""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from processor.csv_import import mapping as mappings
from processor.csv_import.detect import Detected, Opener
from processor.csv_import.reader import Limits, RowReader
from processor.csv_import.workers import Recipe, prepared
from processor.field_crypto import SealingKeys
from processor.processes import seen_file_prefix
from processor.registries.rows import Sealed

ACTIONS = ("create", "update", "skip", "error")
ON_DUPLICATE = ("skip", "update", "fail")
BATCH = 1000


@dataclass(frozen=True)
class Job:
    """Everything needed to read a file the same way twice."""

    open_file: Opener
    detected: Detected
    header: list[str]
    mapping: list[str]
    on_duplicate: str
    limits: Limits
    default_region: str | None
    workers: int = 0  # processes normalizing rows; below 2, this process does it
    strict: bool = False  # a bad optional value rejects the row (else: left empty, with a warning)


@dataclass(slots=True)
class Verdict:
    line: int
    cells: list[str]
    action: str = "error"
    index: bytes | None = None  # the email's blind index, for a valid row
    sealed: Sealed | None = None  # a row to create, encrypted ahead (commits only)
    existing_id: uuid.UUID | None = None
    custom_names: tuple[str, ...] = ()  # of the custom fields a valid row has
    clean: dict | None = None  # the normalized values, for an update only
    errors: list[dict] = field(default_factory=list)  # {line, column, reason}; reasons never quote the value
    warnings: list[dict] = field(default_factory=list)  # values left empty in a row still imported, same shape


class Tally:
    """Totals and a digest of every (line, action): equal digests mean the same plan."""

    def __init__(self):
        self.counts = dict.fromkeys(ACTIONS, 0)
        self.rows = 0
        self._digest = hashlib.sha256()

    def add(self, verdicts: list[Verdict]) -> None:
        counts = self.counts
        for verdict in verdicts:
            counts[verdict.action] += 1
        # One update per batch hashes the same bytes as one per row: "line:action\n" for each, in file order.
        self._digest.update("".join([f"{v.line}:{v.action}\n" for v in verdicts]).encode())
        self.rows += len(verdicts)

    @property
    def digest(self) -> str:
        return self._digest.hexdigest()


def verdicts(
    job: Job,
    *,
    keys: SealingKeys,
    existing: Callable[[list[bytes]], dict[bytes, uuid.UUID]],
    encrypt: bool = False,
    batch_size: int | None = None,
) -> Iterator[list[Verdict]]:
    """Judge the file's data rows in batches; `keys` index (and, when `encrypt`, seal) them, `existing` finds
    the blind indexes already in the registry."""
    columns = mappings.columns_of(job.header, job.mapping)
    rows = RowReader(job.open_file, job.detected, job.limits).data_rows()

    def batches():
        while batch := list(itertools.islice(rows, batch_size or BATCH)):
            yield [Verdict(row.line, row.cells) for row in batch], [row.cells for row in batch]

    recipe = Recipe(
        job.header,
        job.mapping,
        job.limits,
        job.default_region,
        keep_clean=encrypt and job.on_duplicate == "update",
        strict=job.strict,
    )
    with _SeenEmails() as seen:
        for judged, batch in prepared(batches(), recipe, keys, encrypt, job.workers):
            for verdict, (errors, index, sealed, names, warnings) in zip(judged, batch.results, strict=True):
                if errors:
                    verdict.errors = _pointed(verdict.line, errors, columns)
                else:
                    verdict.index, verdict.sealed, verdict.custom_names = index, sealed, names
                    if warnings:
                        verdict.warnings = _pointed(verdict.line, warnings, columns)
            _decide_duplicates([v for v in judged if v.index is not None], job, columns, seen, existing)
            updates = [(position, v) for position, v in enumerate(judged) if v.action == "update"]
            if updates and recipe.keep_clean:  # a commit writes updates from the clean values
                cleans = batch.clean_values()
                for position, verdict in updates:
                    verdict.clean = cleans[position]
            yield judged


def _pointed(line: int, problems: list[dict], columns: dict[str, str]) -> list[dict]:
    """{line, column, reason} for each problem a worker found, the column named as in the file's header."""
    return [
        {"line": line, "column": columns.get(p.get("field"), p.get("field", "")), "reason": p["detail"]}
        for p in problems
    ]


def _decide_duplicates(
    valid: list[Verdict],
    job: Job,
    columns: dict[str, str],
    seen: _SeenEmails,
    existing: Callable[[list[bytes]], dict[bytes, uuid.UUID]],
) -> None:
    email_column = columns.get("email", "")
    earlier = seen.add([(v.index, v.line) for v in valid])
    fresh = [v for v in valid if v.index not in earlier or earlier[v.index] == v.line]
    found = existing([v.index for v in fresh]) if fresh else {}
    for verdict in valid:
        first = earlier.get(verdict.index)
        if first is not None and first != verdict.line:
            _fail(verdict, email_column, f"The same email address as line {first} of this file.")
        elif verdict.index not in found:
            verdict.action = "create"
        elif job.on_duplicate == "skip":
            verdict.action = "skip"
        elif job.on_duplicate == "update":
            verdict.action, verdict.existing_id = "update", found[verdict.index]
        else:
            _fail(verdict, email_column, "A participant with this email address is already in the registry.")


def _fail(verdict: Verdict, column: str, reason: str) -> None:
    verdict.action, verdict.sealed, verdict.warnings = "error", None, []
    verdict.errors = [{"line": verdict.line, "column": column, "reason": reason}]


class _SeenEmails:
    """The blind indexes seen so far in this file, on disk (a temporary SQLite file), so memory stays flat.

    Each index is kept by its first `KEPT` bytes: a 128-bit prefix of an HMAC-SHA256 output, so two different
    addresses of one file share a key with a probability near 2^-128 times the square of its rows (never, in
    practice), and the table is half the size: with its bounded cache most look-ups then stay in memory.
    """

    KEPT = 16

    def __enter__(self) -> _SeenEmails:
        # Named by this process's pid, so a worker starting after a kill -9 can delete what the dead one left.
        self._file = tempfile.NamedTemporaryFile(prefix=seen_file_prefix(), suffix=".sqlite3")
        self._db = sqlite3.connect(self._file.name)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-4096;"
            "CREATE TABLE seen (ix BLOB PRIMARY KEY, line INTEGER) WITHOUT ROWID;"
        )
        return self

    def __exit__(self, *exc) -> None:
        self._db.close()
        self._file.close()

    def add(self, items: list[tuple[bytes, int]]) -> dict[bytes, int]:
        """Record these (index, line) pairs; return the first line of every index seen before or twice here
        (and possibly of others, each mapped to its own line)."""
        kept = self.KEPT
        keys = [(index[:kept], line) for index, line in items]
        before = self._db.total_changes
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", keys)
        if self._db.total_changes - before == len(items):
            return {}  # every index is new: the common case costs one statement
        # The table now holds each index's first line, whether that was earlier in the file or in this batch.
        first_by_key: dict[bytes, int] = {}
        for start in range(0, len(keys), 500):
            chunk = [key for key, _ in keys[start : start + 500]]
            marks = ",".join("?" * len(chunk))
            first_by_key.update(self._db.execute(f"SELECT ix, line FROM seen WHERE ix IN ({marks})", chunk))  # noqa: S608
        return {index: first_by_key[index[:kept]] for index, _ in items}
