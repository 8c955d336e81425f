"""The organizer's access log page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from processor.audit import service
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
