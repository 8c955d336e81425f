"""`flask participants import` (added to the registries' `participants` group): the wizard's import, from a file."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from processor.csv_import import mapping as mappings
from processor.csv_import import service
from processor.csv_import.detect import ENCODING_LABELS
from processor.csv_import.report import ErrorSpool
from processor.errors import DomainError, one_line
from processor.extensions import db
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
@with_appcontext
def import_participants(
    registry_id, file, dry_run, on_duplicate, maps, encoding, delimiter, report_path, as_json, strict, sheet
):
    """Import participants from a CSV or .xlsx FILE into a registry, all or nothing."""
    try:
        registry_uuid = service.parse_id(registry_id)
        registry = db.session.get(Registry, registry_uuid) if registry_uuid else None
        if registry is None:
            raise click.ClickException("No such registry.")
        registries.require_active_account(registry.account_id)  # a removed account's data is only held
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    with contextlib.ExitStack() as stack:
        # --json lists every error: they are spooled to a temporary file during the run, not kept in memory.
        spool = stack.enter_context(contextlib.closing(ErrorSpool())) if as_json else None
        try:
            report = stack.enter_context(report_path.open("wb")) if report_path else None
            job, outcome = service.import_file(
                registry,
                file,
                encoding=encoding,
                delimiter=delimiter,
                overrides=mappings.parse_overrides(maps),
                on_duplicate=on_duplicate,
                dry_run=dry_run,
                report=report,
                progress_factory=_progressbar,
                errors=spool,
                strict=strict,
                sheet=sheet,
            )
        except DomainError as exc:
            raise click.ClickException(one_line(exc)) from None
        result = {
            **outcome.summary(),
            "error_count": outcome.error_count,
            "warning_count": outcome.warning_count,
            "encoding": job.detected.encoding,
            "delimiter": job.detected.delimiter,
            "mapping": dict(zip(job.header, job.mapping, strict=True)),
            "dry_run": dry_run,
        }
        if spool is not None:
            _echo_json(result, spool)
            return
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{ENCODING_LABELS.get(job.detected.encoding, job.detected.encoding)}, delimiter "
        f"{job.detected.delimiter!r}: {result['created']} {verb} created, {result['updated']} updated, "
        f"{result['skipped']} skipped, {outcome.error_count} rows rejected, {outcome.warning_count} imported with "
        "a value left empty (warnings)."
    )
    for kind, problems in (("error", outcome.first_errors), ("warning", outcome.first_warnings)):
        for problem in problems[:20]:
            column = problem["column"] + ": " if problem["column"] else ""
            click.echo(f"  {kind}, line {problem['line']}: {column}{problem['reason']}")


def _echo_json(result: dict, spool: ErrorSpool) -> None:
    """Print one JSON object whose `warnings` and `errors` list every spooled one, streamed in chunks (memory
    stays flat); `errors` last."""
    head = json.dumps(
        {key: value for key, value in result.items() if key not in ("errors", "warnings")}, ensure_ascii=False
    )
    click.echo(head[:-1] + ', "warnings": [', nl=False)
    _echo_items(spool.items("warnings"))
    click.echo('], "errors": [', nl=False)
    _echo_items(spool.items("errors"))
    click.echo("]}")


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


@contextlib.contextmanager
def _progressbar(total: int):
    with click.progressbar(length=total, label="Importing", file=sys.stderr, show_pos=True) as bar:
        done = 0

        def advance(rows: int, _total: int) -> None:
            nonlocal done
            bar.update(rows - done)
            done = rows

        yield advance
