"""A local file's import through the job queue (`flask participants import`): staged, then one pass in a worker.

The CLI stages the file as an import of channel "cli": kept encrypted in instance/imports/ like a wizard upload
(so a job worker on any machine sharing that folder reads it), detected, mapped with the operator's overrides.
The job then makes ONE pass, as the CLI did in its own process: the dry run (nothing written) or the commit
(one transaction, all or nothing; a worker killed mid-commit leaves nothing, and the retry starts from scratch).
What the CLI prints afterwards comes back through the database and two encrypted files beside the upload: the
report (`--report`) and every error and warning (`--json`); the CLI deletes them, with the key, once read.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from flask import current_app

from processor.accounts.models import Account
from processor.csv_import import files, run, service
from processor.csv_import import mapping as mappings
from processor.csv_import.detect import FileRefused
from processor.csv_import.models import Import
from processor.csv_import.plan import ON_DUPLICATE
from processor.csv_import.reader import Limits
from processor.csv_import.report import ErrorReport, ProblemFile, Sinks
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries.models import Registry

SHOWN = 20  # first errors and warnings the CLI prints (the job's result carries them)


def stage(
    registry: Registry,
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    overrides: dict[str, str] | None = None,
    on_duplicate: str = "skip",
    strict: bool = False,
    sheet: str | None = None,
) -> Import:
    """Keep the local file encrypted for the worker, detect it and map it (saved mapping, then the overrides)."""
    max_bytes = Limits.from_config(current_app.config).max_bytes
    if path.stat().st_size > max_bytes:
        raise FileRefused(f"The file is larger than {max_bytes / 1024 / 1024:,.0f} MB; split it into smaller files.")
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationFailed("--on-duplicate takes skip, update or fail.")
    account = db.session.get(Account, registry.account_id)
    with path.open("rb") as stream:
        imp = service.start(
            account, registry, stream, encoding=encoding, delimiter=delimiter, file_name=path.name, sheet=sheet
        )
    try:
        imp.mapping = mappings.check(imp.header, mappings.apply_overrides(imp.header, imp.mapping, overrides or {}))
    except Exception:
        forget(imp, status="discarded")
        raise
    imp.channel, imp.on_duplicate, imp.strict = "cli", on_duplicate, bool(strict)
    db.session.commit()
    return imp


def claim(imp: Import, *, dry_run: bool) -> None:
    """Mark the staged import running before its job is enqueued (the wizard's pages then show its progress)."""
    imp.status = "planning" if dry_run else "committing"
    db.session.commit()


def run_staged(
    imp: Import, account: Account, progress: run.Progress | None, *, dry_run: bool, report: bool, problems: bool
) -> Import:
    """The one pass over a staged file, in the job worker: judge every row and, unless a dry run, commit them."""
    service.require_running(imp)
    service.start_workers_early(imp.file_size or 0)
    total = run.count_rows(service.job_for(imp, account))
    job = service.job_for(imp, account, total)
    registry = service.registry_of(imp)
    with contextlib.ExitStack() as stack:
        error_report = (
            ErrorReport(stack.enter_context(files.create_report(imp)), imp.header, imp.delimiter) if report else None
        )
        problem_file = ProblemFile(stack.enter_context(files.create_problems(imp))) if problems else None
        sinks = Sinks(error_report, problem_file) if report or problems else None
        if dry_run:
            outcome = run.dry_run(job, registry, report=sinks, total=total, progress=progress)
        else:
            run.commit(
                job,
                registry,
                import_id=imp.id,
                report=sinks,
                total=total,
                progress=progress,
                finish=lambda connection, outcome: service.finish_commit(connection, imp, outcome),
            )
        if error_report is not None:
            error_report.close()
    db.session.refresh(imp)
    if dry_run:
        service.record_plan(imp, outcome)
        imp.status = "discarded"  # a CLI dry run is not kept for a commit: the next run stages the file again
    elif imp.header_row:
        service.save_mapping(imp.registry_id, imp.header, imp.mapping)
    db.session.commit()
    files.delete_upload(imp)
    return imp


def result_of(imp: Import, *, dry_run: bool) -> dict:
    """The job's result: what the CLI prints (counts, format, mapping, the first errors and warnings)."""
    return {
        "import_id": str(imp.id),
        "created": imp.created or 0,
        "updated": imp.updated or 0,
        "skipped": imp.skipped or 0,
        "error_count": imp.errors or 0,
        "warning_count": imp.warnings or 0,
        "first_errors": (imp.first_errors or [])[:SHOWN],
        "first_warnings": (imp.first_warnings or [])[:SHOWN],
        "dry_run": dry_run,
    }


def forget(imp: Import, *, status: str | None = None) -> None:
    """Delete the staged files (upload, report, problems) and their key; the record of the import stays."""
    files.delete_all(imp)
    imp.file_key = None
    if status is not None:
        imp.status = status
    db.session.commit()
