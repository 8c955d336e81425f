"""The requests page: record a request, see deadlines, and carry out, extend, refuse or lift on one's decision."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from processor.db_types import utcnow
from processor.errors import DomainError, ValidationFailed
from processor.subject_requests import actions, service
from processor.subject_requests.forms import KIND_LABELS, CarryOutForm, NewRequestForm, ReasonForm
from processor.subject_requests.models import OPEN_STATUSES
from processor.web import apply_errors

bp = Blueprint("subject_requests", __name__, url_prefix="/requests")


@bp.before_request
@login_required
def _require_login():
    return None


@bp.app_context_processor
def _deadlines():
    """`open_requests()` for the dashboard: the organizer's open requests, soonest due first, with days left."""

    def open_requests():
        if not current_user.is_authenticated:
            return []
        return [r for r in service.list_requests(current_user.id) if r.status in OPEN_STATUSES]

    return {"open_requests": open_requests, "today": lambda: utcnow().date()}


def _actor() -> service.Actor:
    return service.Actor(current_user.login, "page")


def _mine(request_id):
    return service.get_request(request_id, account_id=current_user.id)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = NewRequestForm()
    if form.validate_on_submit():
        try:
            request = service.create_request(
                current_user.id, kind=form.kind.data, email=form.email.data, actor=_actor()
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"The request is recorded; it is due on {request.due_on:%Y-%m-%d}.", "success")
            return redirect(url_for("subject_requests.show", request_id=request.id))
    return render_template(
        "subject_requests/index.html",
        form=form,
        requests=service.list_requests(current_user.id),
        today=utcnow().date(),
        labels=KIND_LABELS,
    ), 400 if form.errors else 200


def _show(request, *, carry_form=None, reason_form=None, status=200):
    return render_template(
        "subject_requests/show.html",
        request_=request,
        email=service.person_email(request, viewer=_actor()),
        matches=service.matches_of(request),
        steps=service.steps_of(request),
        today=utcnow().date(),
        labels=KIND_LABELS,
        carry_form=carry_form or CarryOutForm(),
        reason_form=reason_form or ReasonForm(),
    ), status


@bp.route("/<request_id>")
def show(request_id):
    return _show(_mine(request_id))


@bp.route("/<request_id>/carry-out", methods=["POST"])
def carry_out(request_id):
    request = _mine(request_id)
    form = CarryOutForm()
    if not form.validate_on_submit():
        return _show(request, carry_form=form, status=400)
    try:
        actions.carry_out(request, actor=_actor(), changes=form.changes() or None)
    except DomainError as exc:
        flash(exc.detail, "error")
        return _show(service.get_request(request_id), carry_form=form, status=exc.status)
    flash("The request is carried out.", "success")
    return redirect(url_for("subject_requests.show", request_id=request.id))


@bp.route("/<request_id>/extend", methods=["POST"])
def extend(request_id):
    return _with_reason(request_id, "extend")


@bp.route("/<request_id>/refuse", methods=["POST"])
def refuse(request_id):
    return _with_reason(request_id, "refuse")


def _with_reason(request_id, what: str):
    request = _mine(request_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _show(request, reason_form=form, status=400)
    try:
        if what == "extend":
            service.extend_request(request, reason=form.reason.data, months=int(form.months.data), actor=_actor())
        else:
            service.refuse_request(request, reason=form.reason.data, actor=_actor())
    except DomainError as exc:
        flash(exc.detail, "error")
        return _show(request, reason_form=form, status=exc.status)
    flash("The request is extended." if what == "extend" else "The request is refused.", "success")
    return redirect(url_for("subject_requests.show", request_id=request.id))


@bp.route("/<request_id>/lift", methods=["POST"])
def lift(request_id):
    request = _mine(request_id)
    try:
        actions.lift_restriction(request, actor=_actor())
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("The restriction is lifted.", "success")
    return redirect(url_for("subject_requests.show", request_id=request.id))


@bp.route("/<request_id>/download", methods=["POST"])
def download(request_id):
    request = _mine(request_id)
    try:
        data = actions.fetch_download(request, actor=_actor())
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("subject_requests.show", request_id=request.id))
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="request-{request.id}.zip"',
            "Cache-Control": "no-store",
        },
    )
