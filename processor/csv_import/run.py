"""The two passes over a file: the dry run (plan, nothing written) and the commit (one transaction, all or nothing)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from processor.access import Actor, gate
from processor.csv_import import collector
from processor.csv_import.detect import Opener
from processor.csv_import.plan import Job, Tally, Verdict, verdicts
from processor.csv_import.reader import RowReader
from processor.csv_import.report import ErrorReport
from processor.errors import Conflict
from processor.extensions import db
from processor.keys.ring import write_keys_for
from processor.registries import changes
from processor.registries import service as registries
from processor.registries.models import ENCRYPTED_FIELDS, Registry

FIRST_ERRORS = 100
IMPORTER = Actor.system("import")  # the pass runs as the service's job, on the organizer's upload
Progress = Callable[[int, int], None]


class FileChanged(Conflict):
    def __init__(self):
        super().__init__("The uploaded file changed since the dry run; upload it again.")


class PlanChanged(Conflict):
    def __init__(self):
        super().__init__(
            "The registry changed since the dry run, so the import would not do what the dry run "
            "showed. Nothing was imported: run the dry run again."
        )


@dataclass
class Outcome:
    tally: Tally
    first_errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    first_warnings: list[dict] = field(default_factory=list)
    warning_count: int = 0  # rows imported with a value left empty

    def summary(self) -> dict:
        counts = self.tally.counts
        return {
            "created": counts["create"],
            "updated": counts["update"],
            "skipped": counts["skip"],
            "warnings": self.first_warnings,
            "errors": self.first_errors,
        }


def file_sha256(open_file: Opener) -> str:
    digest = hashlib.sha256()
    with open_file() as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(job: Job) -> int:
    """Count the data rows (a cheap pass that also applies every file-level limit before any work)."""
    with collector.spared():
        return RowReader(job.open_file, job.detected, job.limits).count()


def dry_run(
    job: Job, registry: Registry, *, report: ErrorReport | None = None, total: int = 0, progress: Progress | None = None
) -> Outcome:
    """Judge every row against the registry as it is now; write nothing but the error report."""
    connection = db.session.connection()
    outcome = Outcome(Tally())
    with collector.spared():
        for batch in verdicts(
            job, keys=write_keys_for(connection, registry.account_id).sealing, existing=_finder(connection, registry)
        ):
            _account(outcome, batch, report, total, progress)
    return outcome


def commit(
    job: Job,
    registry: Registry,
    *,
    import_id,
    expected_digest: str | None = None,
    report: ErrorReport | None = None,
    total: int = 0,
    progress: Progress | None = None,
    finish: Callable[[sa.Connection, Outcome], None] | None = None,
    actor: Actor | None = None,
) -> Outcome:
    """Judge and write every row in ONE transaction; any failure (or a plan that differs) rolls it all back."""
    outcome = Outcome(Tally())
    with db.engine.begin() as connection, _page_cache(connection), collector.spared():
        for batch in verdicts(
            job,
            keys=dataclasses.replace(write_keys_for(connection, registry.account_id).sealing, registry_id=registry.id),
            encrypt=True,
            existing=_finder(connection, registry),
        ):
            creates = [verdict for verdict in batch if verdict.action == "create"]
            updates = [
                (verdict.existing_id, _update_fields(verdict, job)) for verdict in batch if verdict.action == "update"
            ]
            if creates or updates:
                registries.write_participants(
                    connection,
                    registry,
                    sealed=[v.sealed for v in creates],
                    custom_names={n for v in creates for n in v.custom_names},
                    updates=updates,
                    source="import",
                    import_id=import_id,
                )
            _account(outcome, batch, report, total, progress)
        if expected_digest is not None and outcome.tally.digest != expected_digest:
            raise PlanChanged()
        if finish is not None:
            finish(connection, outcome)
        counts = outcome.tally.counts
        gate.record_import(
            connection,
            actor or IMPORTER,
            registry,
            created=counts["create"],
            updated=counts["update"],
            fields=[f for f in dict.fromkeys(job.mapping) if f in ENCRYPTED_FIELDS]
            + ["custom_fields"] * ("custom" in job.mapping),
        )
        changes.stamp(connection)  # last: the feed's lock is held only for the commit
    return outcome


def _account(
    outcome: Outcome, batch: list[Verdict], report: ErrorReport | None, total: int, progress: Progress | None
) -> None:
    outcome.tally.add(batch)
    for verdict in batch:
        if verdict.action == "error":
            outcome.error_count += 1
            room = FIRST_ERRORS - len(outcome.first_errors)
            outcome.first_errors.extend(verdict.errors[: max(room, 0)])
        elif verdict.warnings:
            outcome.warning_count += 1
            room = FIRST_ERRORS - len(outcome.first_warnings)
            outcome.first_warnings.extend(verdict.warnings[: max(room, 0)])
    if report is not None:
        report.add(batch)
    if progress is not None:
        progress(outcome.tally.rows, max(total, outcome.tally.rows))


@contextlib.contextmanager
def _page_cache(connection: sa.Connection, kib: int = 16 * 1024):
    """On SQLite, a larger page cache for the import's connection while it writes (restored after).

    Each row goes into four B-trees at random places (the id, the blind index...); past SQLite's default 2 MB
    cache most of those pages come back from the file. The cache is bounded, so memory still does not grow
    with the file.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _finder(connection: sa.Connection, registry: Registry) -> Callable[[list[bytes]], dict[bytes, uuid.UUID]]:
    """Look up which blind indexes the registry already holds, batch by batch.

    A registry that is empty when the pass begins (a first import, the common case) needs no look-ups: rows this
    pass writes are found as duplicates within the file first. A row another transaction adds meanwhile still
    meets the unique index (the commit fails whole) or changes the plan's digest (the commit is refused).
    """
    if registries.is_empty(registry, connection=connection):
        return lambda indexes: {}
    return lambda indexes: registries.existing_by_index(registry, indexes, connection=connection)


def _update_fields(verdict: Verdict, job: Job) -> dict:
    """An update changes only the mapped fields the row gives a value for; empty cells keep what is stored."""
    mapped = set(job.mapping)
    changes = {name: value for name, value in verdict.clean.items() if name in mapped and value not in (None, "", {})}
    if verdict.clean.get("custom_fields"):
        changes["custom_fields"] = verdict.clean["custom_fields"]
    return changes
