"""The organizer's access log page: filters, keyset pages, CSV export and signed checkpoints."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from processor.audit import checkpoints, export, service
from processor.audit import query as log_query
from processor.audit.describe import KINDS
from processor.errors import ValidationFailed

bp = Blueprint("audit", __name__, url_prefix="/access-log")


@bp.route("/")
@login_required
def index():
    """Show one page of the log under the filters in the query string; a bad filter is said beside its field."""
    status, errors = 200, {}
    try:
        query = log_query.parse(request.args, current_user.id)
        found = log_query.page(current_user.id, query)
    except ValidationFailed as error:
        status, errors = 400, {e["parameter"]: e["detail"] for e in error.errors}
        query, found = log_query.LogQuery(), log_query.Page([], None, None)
    labeller = log_query.labeller(current_user.id, current_user.login)
    # The whole chain is walked on the log's front page only: on a long log the walk takes seconds, and filtering
    # or paging should not repeat it on every click (the front page, the CLI and checkpoints still prove it).
    front = status == 200 and not query.filtered and query.before is None and query.after is None
    page = render_template(
        "audit/index.html",
        rows=[labeller.row(entry) for entry in found.entries],
        found=found,
        query=query,
        errors=errors,
        values=request.args,
        checked=front,
        broken=service.verify_account(current_user.id) if front else None,
        kinds=KINDS,
        actors=log_query.actor_choices(current_user.id),
        registries=labeller.registries,
        deleted_registry=query.registry if query.registry and query.registry not in labeller.registries else None,
        labeller=labeller,
        sizes=log_query.PAGE_SIZES,
    )
    return page, status


@bp.route("/export.csv")
@login_required
def export_csv():
    """Download the filtered log as CSV, streamed (a bad filter is the page's readable 400)."""
    try:
        query = log_query.parse(request.args, current_user.id)
    except ValidationFailed:
        return index()
    account_id, login = current_user.id, current_user.login
    return Response(
        stream_with_context(export.rows(account_id, login, query)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(login)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/checkpoint", methods=["POST"])
@login_required
def checkpoint():
    """Download a signed checkpoint of the log as it is now; keep it to prove later that nothing was cut."""
    document = checkpoints.issue(current_user.id)
    return Response(
        json.dumps(document, indent=2) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="access-log-checkpoint-{document["seq"]}.json"'},
    )


@bp.route("/checkpoint/verify", methods=["POST"])
@login_required
def verify_checkpoint():
    """Check a checkpoint the organizer kept against the log as it is now; say the outcome on the page."""
    upload = request.files.get("checkpoint")
    data = upload.read(checkpoints.MAX_UPLOAD + 1) if upload else b""
    try:
        seq, found = checkpoints.check_upload(current_user.id, data)
    except ValidationFailed as error:
        flash(error.detail, "error")
        return redirect(url_for("audit.index"), 303)
    if found:
        flash(f"Checkpoint #{seq} is NOT borne out by the log: {found.describe(current_user.login)}.", "error")
    else:
        flash(f"The log still holds checkpoint #{seq}, unchanged, and every entry after it is intact.", "success")
    return redirect(url_for("audit.index"), 303)
