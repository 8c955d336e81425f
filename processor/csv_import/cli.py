"""`flask participants import` (added to the registries' `participants` group): the wizard's import, from a file."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import click
from flask.cli import with_appcontext

from processor import jobs
from processor.csv_import import files, service, staging, tasks
from processor.csv_import import mapping as mappings
from processor.csv_import.detect import ENCODING_LABELS
from processor.csv_import.models import Import
from processor.csv_import.report import read_problems
from processor.csv_import.tasks import RUNNING
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.jobs.cli import follow
from processor.registries import service as registries
from processor.registries.models import Registry


@click.command("import")
@click.option("--registry", "registry_id", required=True, help="The registry's id.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Judge every row and report; write nothing.")
@click.option(
    "--on-duplicate",
    type=click.Choice(("skip", "update", "fail")),
    default="skip",
    show_default=True,
    help="What to do with a row whose email is already in the registry.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a field (email, first_name, ..., custom, ignore); repeatable.",
)
@click.option("--encoding", help="Override the detected encoding (e.g. cp1250, iso-8859-2, utf-8).")
@click.option("--delimiter", help="Override the detected delimiter: , ; | or tab.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rejected rows, with line numbers and reasons, to this CSV file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the outcome on stdout.")
@click.option(
    "--strict",
    is_flag=True,
    help="Reject a row with any invalid value (phone, country, date ...) instead of importing it with that "
    "value left empty and a warning.",
)
@click.option("--sheet", help="The sheet of an .xlsx workbook to import (default: the first).")
@click.option("--no-wait", is_flag=True, help="Enqueue the import and return; follow it with `flask jobs show`.")
@with_appcontext
def import_participants(
    registry_id, file, dry_run, on_duplicate, maps, encoding, delimiter, report_path, as_json, strict, sheet, no_wait
):
    """Import participants from a CSV or .xlsx FILE into a registry, all or nothing (a job; Ctrl-C cancels it)."""
    if no_wait and (report_path or as_json):
        raise click.ClickException("--report and --json need the outcome: leave out --no-wait.")
    try:
        registry_uuid = service.parse_id(registry_id)
        registry = db.session.get(Registry, registry_uuid) if registry_uuid else None
        if registry is None:
            raise click.ClickException("No such registry.")
        registries.require_active_account(registry.account_id)  # a removed account's data is only held
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    with contextlib.ExitStack() as stack:
        report = stack.enter_context(report_path.open("wb")) if report_path else None
        try:
            imp = staging.stage(
                registry,
                file,
                encoding=encoding,
                delimiter=delimiter,
                overrides=mappings.parse_overrides(maps),
                on_duplicate=on_duplicate,
                strict=strict,
                sheet=sheet,
            )
        except DomainError as exc:
            raise click.ClickException(one_line(exc)) from None
        job = tasks.launch_staged(imp, dry_run=dry_run, report=report is not None, problems=as_json)
        try:
            result = follow(job, label="Importing", no_wait=no_wait, on_interrupt="cancel")
        finally:
            if not no_wait:
                _collect(imp, report, as_json)
    if result is None:
        return
    if as_json:
        return
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{ENCODING_LABELS.get(imp.encoding, imp.encoding)}, delimiter "
        f"{imp.delimiter!r}: {result['created']} {verb} created, {result['updated']} updated, "
        f"{result['skipped']} skipped, {result['error_count']} rows rejected, {result['warning_count']} imported "
        "with a value left empty (warnings)."
    )
    for kind, problems in (("error", result["first_errors"]), ("warning", result["first_warnings"])):
        for problem in problems[:20]:
            column = problem["column"] + ": " if problem["column"] else ""
            click.echo(f"  {kind}, line {problem['line']}: {column}{problem['reason']}")


def _collect(imp, report, as_json: bool) -> None:
    """Copy the worker's report into --report and print --json from its problem file; then delete both."""
    db.session.rollback()
    imp = db.session.get(Import, imp.id, populate_existing=True)
    job = jobs.latest_for(imp.id)
    done = job is not None and job.status == "done"
    if done and report is not None:
        with files.open_report(imp) or contextlib.nullcontext(io.BytesIO()) as stored:
            shutil.copyfileobj(stored, report)
    if done and as_json:
        result = {
            **{key: job.result[key] for key in ("created", "updated", "skipped")},
            "error_count": job.result["error_count"],
            "warning_count": job.result["warning_count"],
            "encoding": imp.encoding,
            "delimiter": imp.delimiter,
            "mapping": dict(zip(imp.header, imp.mapping, strict=True)),
            "dry_run": job.result["dry_run"],
        }
        _echo_json(result, imp)
    if imp.status not in RUNNING:
        staging.forget(imp)


def _echo_json(result: dict, imp) -> None:
    """Print one JSON object whose `warnings` and `errors` list every one the worker recorded, streamed in chunks
    (memory stays flat); `errors` last."""
    click.echo(json.dumps(result, ensure_ascii=False)[:-1] + ', "warnings": [', nl=False)
    for kind in ("warnings", "errors"):
        with files.open_problems(imp) or contextlib.nullcontext(io.BytesIO()) as stored:
            _echo_items(read_problems(stored, kind))
        click.echo('], "errors": [' if kind == "warnings" else "]}", nl=False)
    click.echo()


def _echo_items(items, chunk: int = 1000) -> None:
    batch: list[str] = []
    separator = ""
    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            click.echo(separator + ", ".join(batch), nl=False)
            separator, batch = ", ", []
    if batch:
        click.echo(separator + ", ".join(batch), nl=False)
