"""Import use cases shared by the wizard and the CLI: upload, mapping, preview, dry run, commit, report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from processor.accounts.models import Account
from processor.csv_import import files, run, workbook, workers
from processor.csv_import import mapping as mappings
from processor.csv_import.detect import Detected, detect
from processor.csv_import.detect import encoding_alternatives as detect_alternatives
from processor.csv_import.models import Import, SavedMapping, imports
from processor.csv_import.plan import ON_DUPLICATE, Job
from processor.csv_import.reader import Limits, RowReader
from processor.csv_import.report import ErrorReport
from processor.db_types import utcnow
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import db
from processor.normalize import normalize_participants, normalize_participants_leniently
from processor.registries import service as registries
from processor.registries.models import Registry


class ImportNotFound(NotFound):
    def __init__(self):
        super().__init__("No such import.")


def start(
    account: Account,
    registry: Registry,
    stream: BinaryIO,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
) -> Import:
    """Keep the upload (encrypted; a workbook's sheet as CSV), detect its format and header, propose a mapping."""
    limits = Limits.from_config(current_app.config)
    imp = Import(
        id=uuid.uuid4(),
        account_id=account.id,
        registry_id=registry.id,
        channel="web",
        file_key=files.new_key(),
        file_name=(file_name or "")[-255:] or None,
    )
    head = stream.read(8)
    stream.seek(0)
    try:
        if workbook.is_workbook(head):
            imp.file_kind = "xlsx"
            imp.file_size, imp.sheet, imp.sheets = files.store_workbook(imp, stream, limits, sheet)
            imp.file_sha256 = run.file_sha256(files.upload_opener(imp))
            encoding, delimiter = "utf-8", ","
        else:
            imp.file_size, imp.file_sha256 = files.store_upload(imp, stream, limits.max_bytes)
        _detect_into(imp, account, encoding=encoding, delimiter=delimiter)
    except Exception:
        files.delete_all(imp)
        raise
    db.session.add(imp)
    db.session.commit()
    return imp


def change_sheet(imp: Import, account: Account, sheet: str) -> Import:
    """Import another sheet of the uploaded workbook: its rows replace the previous sheet's; a new mapping."""
    _require(imp, ("uploaded", "planned", "failed"))
    if imp.file_kind != "xlsx" or sheet not in (imp.sheets or []):
        raise ValidationFailed("Choose one of the workbook's sheets.")
    with files.stored_workbook(imp) as source:
        imp.sheet = files.convert_sheet(imp, source, Limits.from_config(current_app.config), sheet)
    imp.file_sha256 = run.file_sha256(files.upload_opener(imp))
    _detect_into(imp, account, encoding="utf-8", delimiter=",")
    imp.status, imp.plan_digest, imp.failure = "uploaded", None, None
    db.session.commit()
    return imp


def _detect_into(imp: Import, account: Account, *, encoding: str | None, delimiter: str | None) -> None:
    detected, header, suggested = inspect(
        files.upload_opener(imp),
        country=account.country,
        encoding=encoding,
        delimiter=delimiter,
        records=imp.file_kind == "xlsx",
    )
    imp.encoding, imp.delimiter, imp.sep_line = detected.encoding, detected.delimiter, detected.sep_line
    imp.header_row, imp.skip_lines, imp.layout = detected.header_row, detected.skip_lines, detected.layout
    imp.header = header
    imp.mapping = (saved_mapping(imp.registry_id, header) if detected.header_row else None) or suggested


def inspect(
    opener, *, country: str | None, encoding: str | None, delimiter: str | None, records: bool = False
) -> tuple[Detected, list[str], list[str]]:
    """Detect the format, whether the first row is a header, the header (or column names) and a mapping.

    A first row holding an email address is a participant, not a header: it is read as data like the others,
    and the columns are named "Column 1" ..., so no participant's values are ever kept as a header."""
    detected = detect(opener, country=country, encoding=encoding, delimiter=delimiter)
    detected = dataclasses.replace(detected, records=records)
    limits = Limits.from_config(current_app.config)
    first = RowReader(opener, detected, limits).first_row()
    if first is not None and not mappings.is_header_row(first):
        detected = dataclasses.replace(detected, header_row=False)
    header = RowReader(opener, detected, limits).header()
    suggested = mappings.suggest(header) if detected.header_row else mappings.suggest_for_values(first or [])
    return detected, header, suggested


def saved_mapping(registry_id: uuid.UUID, header: list[str]) -> list[str] | None:
    saved = db.session.scalar(
        sa.select(SavedMapping).where(
            SavedMapping.registry_id == registry_id, SavedMapping.header_digest == mappings.header_digest(header)
        )
    )
    if saved is None or len(saved.mapping) != len(header):
        return None
    return list(saved.mapping)


def save_mapping(registry_id: uuid.UUID, header: list[str], mapping: list[str]) -> None:
    digest = mappings.header_digest(header)
    saved = db.session.scalar(
        sa.select(SavedMapping).where(SavedMapping.registry_id == registry_id, SavedMapping.header_digest == digest)
    )
    if saved is None:
        db.session.add(SavedMapping(registry_id=registry_id, header_digest=digest, mapping=list(mapping)))
    else:
        saved.mapping = list(mapping)


def get_import(account_id: uuid.UUID, import_id) -> Import:
    """Return one of this organizer's imports; another organizer's id is simply not found."""
    try:
        imp = db.session.get(Import, uuid.UUID(str(import_id)))
    except ValueError:
        imp = None
    if imp is None or imp.account_id != account_id:
        raise ImportNotFound()
    return imp


def list_imports(account_id: uuid.UUID, limit: int = 50) -> list[Import]:
    """The organizer's latest imports (expired files are deleted by the hourly purge job, not by this read)."""
    return list(
        db.session.scalars(
            sa.select(Import).where(Import.account_id == account_id).order_by(Import.created_at.desc()).limit(limit)
        )
    )


def registry_of(imp: Import) -> Registry:
    return registries.get_registry(imp.account_id, imp.registry_id)


EDITABLE = ("uploaded", "planned", "failed")


def require_editable(imp: Import) -> None:
    """Refuse (409) to change an import that is committed, running or discarded: the back button after a commit."""
    if imp.status not in EDITABLE:
        raise Conflict(f"This import is {imp.status}; its mapping can no longer change. Its report is on its page.")


def change_options(
    imp: Import,
    account: Account,
    *,
    mapping: list[str],
    on_duplicate: str,
    encoding: str | None = None,
    delimiter: str | None = None,
    strict: bool = False,
) -> Import:
    """Change the encoding, delimiter, mapping, duplicate rule or strictness; any change calls for a new dry run."""
    _require(imp, EDITABLE)
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationFailed("Choose skip, update or fail for participants already in the registry.")
    if (encoding and encoding != imp.encoding) or (delimiter and delimiter != imp.delimiter):
        header = list(imp.header)
        _detect_into(imp, account, encoding=encoding or imp.encoding, delimiter=delimiter or imp.delimiter)
        if imp.header == header:  # the same columns: keep the organizer's choices
            imp.mapping = mappings.check(imp.header, mapping)
    else:
        imp.mapping = mappings.check(imp.header, mapping)
        if imp.header_row:
            save_mapping(imp.registry_id, imp.header, imp.mapping)
    imp.on_duplicate, imp.status, imp.plan_digest, imp.failure = on_duplicate, "uploaded", None, None
    imp.strict = bool(strict)
    db.session.commit()
    return imp


def detected_of(imp: Import) -> Detected:
    return Detected(
        imp.encoding,
        imp.delimiter,
        imp.sep_line,
        header_row=imp.header_row is not False,
        skip_lines=imp.skip_lines or 0,
        layout=imp.layout,
        records=imp.file_kind == "xlsx",
    )


def job_for(imp: Import, account: Account, rows: int = 0) -> Job:
    return Job(
        files.upload_opener(imp),
        detected_of(imp),
        list(imp.header),
        list(imp.mapping),
        imp.on_duplicate,
        Limits.from_config(current_app.config),
        account.country,
        workers_for(rows),
        strict=bool(imp.strict),
    )


def start_workers_early(size: int) -> None:
    """For a file large enough for worker processes, get their server started while the file is counted."""
    if workers_for(size // 100) >= 2:  # a participant row is rarely under 100 bytes
        workers.start_server()


def workers_for(rows: int) -> int:
    """Worker processes for a file of this many rows: none for small files, where starting them costs more."""
    if rows < current_app.config.get("IMPORT_PARALLEL_ROWS", 5000):
        return 0
    return current_app.config.get("IMPORT_WORKERS", min(os.cpu_count() or 1, 4))


def preview(imp: Import, account: Account, rows: int = 5) -> list[dict]:
    """The first rows as they would be stored, with the values that would be left empty (or why a row would be
    rejected)."""
    job, shown = job_for(imp, account), []
    reader = RowReader(job.open_file, job.detected, job.limits).data_rows()
    normalize = normalize_participants if job.strict else normalize_participants_leniently
    for row in reader:
        raw = mappings.raw_participant(row.cells, job.header, job.mapping)
        clean, errors, *warnings = normalize([raw], default_region=job.default_region)[0]
        shown.append(
            {
                "line": row.line,
                "values": clean or {},
                "errors": [e["detail"] for e in errors or ()],
                "warnings": [f"{w['field']}: {w['detail']}" for w in (warnings[0] if warnings else None) or ()],
            }
        )
        if len(shown) >= rows:
            break
    reader.close()
    return shown


def samples(imp: Import, account: Account, per_column: int = 3) -> list[list[str]]:
    """Up to three non-empty values of each column, from the first rows (read from the file, never stored)."""
    job = job_for(imp, account)
    found: list[list[str]] = [[] for _ in job.header]
    reader = RowReader(job.open_file, job.detected, job.limits).data_rows()
    for number, row in enumerate(reader):
        for values, cell in zip(found, row.cells, strict=False):
            if cell.strip() and len(values) < per_column:
                values.append(cell.strip()[:60])
        if number >= 50 or all(len(values) >= per_column for values in found):
            break
    reader.close()
    return found


def encoding_alternatives(imp: Import) -> list[dict]:
    """Other encodings that read the file as cleanly but give other letters, with the words that differ."""
    if imp.file_kind == "xlsx" or imp.file_key is None:
        return []
    return detect_alternatives(files.upload_opener(imp), imp.encoding)


STEP_FROM = {"plan": ("uploaded", "planned", "failed"), "commit": ("planned",)}


def plan(imp: Import, account: Account, progress: run.Progress | None = None) -> Import:
    """The dry run over the whole file: a verdict per row, totals, the error file; nothing written."""
    _require(imp, (*STEP_FROM["plan"], "planning"))
    mappings.check(imp.header, imp.mapping)
    start_workers_early(imp.file_size or 0)
    total = run.count_rows(job_for(imp, account))
    job = job_for(imp, account, total)
    with files.create_report(imp) as stream:
        report = ErrorReport(stream, imp.header, imp.delimiter)
        outcome = run.dry_run(job, registry_of(imp), report=report, total=total, progress=progress)
        report.close()
    record_plan(imp, outcome)
    imp.status = "planned"
    if imp.header_row:  # "Column 1" ... names say nothing about the next file's columns
        save_mapping(imp.registry_id, imp.header, imp.mapping)
    db.session.commit()
    return imp


def commit(imp: Import, account: Account, progress: run.Progress | None = None) -> Import:
    """Execute exactly the dry run's plan in one transaction; the file must be the one planned."""
    _require(imp, (*STEP_FROM["commit"], "committing"))
    if run.file_sha256(files.upload_opener(imp)) != imp.file_sha256:
        raise run.FileChanged()
    job = job_for(imp, account, imp.rows_total or 0)
    run.commit(
        job,
        registry_of(imp),
        import_id=imp.id,
        expected_digest=imp.plan_digest,
        total=imp.rows_total or 0,
        progress=progress,
        finish=lambda connection, outcome: finish_commit(connection, imp, outcome),
    )
    db.session.refresh(imp)
    files.delete_upload(imp)
    return imp


def finish_commit(connection: sa.Connection, imp: Import, outcome: run.Outcome) -> None:
    """Mark the import committed in the same transaction as its rows, so both happen or neither."""
    counts = outcome.tally.counts
    connection.execute(
        sa.update(imports)
        .where(imports.c.id == imp.id)
        .values(
            status="committed",
            committed_at=utcnow(),
            created=counts["create"],
            updated=counts["update"],
            skipped=counts["skip"],
            errors=counts["error"],
            warnings=outcome.warning_count,
            rows_total=outcome.tally.rows,
            first_errors=outcome.first_errors,
            first_warnings=outcome.first_warnings,
            plan_digest=outcome.tally.digest,
        )
    )


def record_plan(imp: Import, outcome: run.Outcome) -> None:
    """Keep a dry run's totals, first errors and warnings, and its digest (what the commit must match)."""
    _record(imp, outcome)
    imp.planned_at, imp.plan_digest = utcnow(), outcome.tally.digest


def _record(imp: Import, outcome: run.Outcome) -> None:
    counts = outcome.tally.counts
    imp.rows_total, imp.created, imp.updated = outcome.tally.rows, counts["create"], counts["update"]
    imp.skipped, imp.errors, imp.first_errors = counts["skip"], counts["error"], outcome.first_errors
    imp.warnings, imp.first_warnings = outcome.warning_count, outcome.first_warnings


def fail(imp_id: uuid.UUID, reason: str) -> None:
    """Record why a dry run or commit stopped (its own transaction; the import's rows were rolled back)."""
    db.session.rollback()
    db.session.execute(
        sa.update(imports)
        .where(imports.c.id == imp_id, imports.c.status.in_(("planning", "committing", "uploaded", "planned")))
        .values(status="failed", failure=reason[:500])
    )
    db.session.commit()


def mark(imp: Import, status: str) -> None:
    imp.status, imp.failure = status, None
    db.session.commit()


def claim(imp: Import, step: str, status: str) -> None:
    """Move the import to `status` only if it is still ready for `step`: of two clicks, one wins."""
    _require(imp, STEP_FROM[step])
    claimed = db.session.execute(
        sa.update(imports)
        .where(imports.c.id == imp.id, imports.c.status.in_(STEP_FROM[step]))
        .values(status=status, failure=None)
    ).rowcount
    db.session.commit()
    db.session.refresh(imp)
    if claimed != 1:
        raise Conflict(f"This import is {imp.status}; that step is not possible now.")


def discard(imp: Import) -> None:
    """Delete the upload and the error file now, and their key; the record of the import stays."""
    if imp.status in ("planning", "committing"):
        raise Conflict("The import is running; wait until it ends.")
    files.delete_all(imp)
    imp.file_key = None
    if imp.status != "committed":
        imp.status = "discarded"
    db.session.commit()


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete files (and keys) of imports older than IMPORT_FILE_HOURS: uploads and error files hold personal data."""
    cutoff = (now or utcnow()) - dt.timedelta(hours=current_app.config.get("IMPORT_FILE_HOURS", 24))
    old = list(
        db.session.scalars(
            sa.select(Import).where(
                Import.file_key.is_not(None),
                Import.created_at < cutoff,
                Import.status.not_in(("planning", "committing")),
            )
        )
    )
    for imp in old:
        files.delete_all(imp)
        imp.file_key = None
        if imp.status not in ("committed", "failed"):
            imp.status = "discarded"
    if old:
        db.session.commit()
    return len(old)


def require_running(imp: Import) -> None:
    """Refuse to run a pass over an import that is not marked running (or whose file is gone)."""
    _require(imp, ("planning", "committing"))


def _require(imp: Import, statuses: tuple[str, ...]) -> None:
    if imp.file_key is None:
        raise Conflict("The uploaded file of this import was deleted; upload it again.")
    if imp.status not in statuses:
        raise Conflict(f"This import is {imp.status}; that step is not possible now.")


def parse_id(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
