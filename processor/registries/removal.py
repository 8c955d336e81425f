"""Deleting a registry: its participants are erased through the gate (logged), then its import files go."""

from __future__ import annotations

import sqlalchemy as sa

from processor.access import Actor, gate
from processor.csv_import import files as import_files
from processor.csv_import.models import Import
from processor.errors import Conflict
from processor.extensions import db
from processor.registries.models import Registry

RUNNING = ("planning", "committing")  # an import worker may still write into the registry


class ImportRunning(Conflict):
    slug = "import-running"
    title = "An import is running"

    def __init__(self):
        super().__init__("An import into this registry is still running: wait until it ends, then delete it.")


def delete_registry(actor: Actor, registry: Registry) -> int:
    """Delete the registry and erase its participants (logged as one write); return how many were erased."""
    found = db.session.scalars(sa.select(Import).where(Import.registry_id == registry.id)).all()
    if any(imp.status in RUNNING for imp in found):
        raise ImportRunning()
    paths = [path for imp in found for path in _files_of(imp)]
    erased = gate.erase_registry(actor, registry)
    # After the commit, so a failed deletion keeps its files: uploads (encrypted) and error reports.
    for path in paths:
        path.unlink(missing_ok=True)
    return erased


def _files_of(imp: Import):
    return import_files.upload_path(imp), import_files.workbook_path(imp), import_files.report_path(imp)
