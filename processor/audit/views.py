"""The organizer's access log page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from processor.audit import checkpoints, service
from processor.web import int_arg

bp = Blueprint("audit", __name__, url_prefix="/access-log")


@bp.route("/")
@login_required
def index():
    before = int_arg("before")
    entries = service.list_entries(current_user.id, before_seq=before)
    broken = service.verify_account(current_user.id)
    older = entries[-1].seq if len(entries) == service.PAGE_SIZE else None
    return render_template("audit/index.html", entries=entries, broken=broken, older=older)


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
