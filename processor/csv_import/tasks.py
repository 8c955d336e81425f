"""Run a dry run or a commit away from the request: a thread with its own app context, progress in a file.

A crash or a kill mid-commit ends the thread's transaction unfinished, so the database rolls it back; the import
is then shown as interrupted once its progress file has gone stale.
"""

from __future__ import annotations

import logging
import threading
import uuid

from flask import Flask, current_app

from processor.accounts.models import Account
from processor.csv_import import files, service
from processor.csv_import.models import Import
from processor.errors import DomainError
from processor.extensions import db

log = logging.getLogger(__name__)
STAGES = {"plan": ("planning", service.plan), "commit": ("committing", service.commit)}


def launch(imp: Import, account: Account, stage: str) -> None:
    """Mark the import running and start the stage (in a thread unless IMPORT_BACKGROUND is off)."""
    status, _ = STAGES[stage]
    service.claim(imp, stage, status)
    files.write_progress(imp.id, stage, 0, imp.rows_total or 0)
    app = current_app._get_current_object()
    if not app.config.get("IMPORT_BACKGROUND", True):
        _work(app, imp.id, account.id, stage)
        return
    threading.Thread(target=_work, args=(app, imp.id, account.id, stage), name=f"import-{stage}", daemon=True).start()


def _work(app: Flask, imp_id: uuid.UUID, account_id: uuid.UUID, stage: str) -> None:
    with app.app_context():
        try:
            imp, account = db.session.get(Import, imp_id), db.session.get(Account, account_id)
            STAGES[stage][1](imp, account, lambda done, total: files.write_progress(imp_id, stage, done, total))
        except DomainError as exc:
            service.fail(imp_id, exc.detail)
        except Exception as exc:  # reported on the page by incident id; the message may quote data, so not shown
            incident = uuid.uuid4().hex[:12]
            log.error("incident %s: import %s stopped in %s by %s", incident, imp_id, stage, type(exc).__name__)
            service.fail(
                imp_id,
                f"An unexpected error stopped the import (incident {incident}); nothing was "
                "written. Try again or quote the incident id to support.",
            )
        finally:
            files.progress_path(imp_id).unlink(missing_ok=True)
            db.session.remove()


def progress(imp: Import) -> dict:
    """Status and rows done of total; a running import whose progress went stale is marked interrupted."""
    state = files.read_progress(imp.id) if imp.status in ("planning", "committing") else None
    stale = current_app.config.get("IMPORT_STALE_SECONDS", 300)
    if imp.status in ("planning", "committing") and (state is None or state["age"] > stale):
        service.fail(imp.id, "The import was interrupted; nothing was written. Run it again.")
        db.session.refresh(imp)
    done = (state or {}).get("done", 0)
    total = (state or {}).get("total") or imp.rows_total or 0
    return {"status": imp.status, "done": done, "total": total, "failure": imp.failure}
