"""Registry pages: list and create registries; list, find, add, edit and delete participants."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from processor.audit import record_access
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries import service
from processor.registries.forms import CUSTOM_PREFIX, FindForm, ParticipantForm, RegistryForm
from processor.web import apply_errors

bp = Blueprint("registries", __name__, url_prefix="/registries")
PAGE_SIZE = 50
PURPOSE = "essential.service"  # the organizer (controller) working with its own registry


def _log_view(registry, fields, records: int, reason: str) -> None:
    """Record the organizer's own access on a page in its access log, and commit it."""
    record_access(
        account_id=registry.account_id,
        actor_type="account",
        actor=current_user.login,
        purpose=PURPOSE,
        registry_id=registry.id,
        fields=fields,
        records=records,
        reason=reason,
        channel="web",
    )
    db.session.commit()


@bp.before_request
@login_required
def _require_login():
    pass


@bp.route("/", methods=["GET", "POST"])
def index():
    form = RegistryForm()
    if form.validate_on_submit():
        try:
            registry = service.create_registry(current_user.id, form.name.data, form.webinar_date.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Registry {registry.name} is created.", "success")
            return redirect(url_for("registries.show", registry_id=registry.id))
    found = service.list_registries(current_user.id)
    counts = {r.id: service.count_participants(r) for r in found}
    return render_template(
        "registries/index.html", form=form, registries=found, counts=counts
    ), 400 if form.errors else 200


def _cursor(text: str | None):
    """`after` in the query string: the last row's updated_at and id, as `ISO~UUID`; anything else is 400."""
    if not text:
        return None
    stamp, _, last_id = text.partition("~")
    try:
        moment = dt.datetime.fromisoformat(stamp)
        after = (moment.astimezone(dt.UTC) if moment.tzinfo else None), service.as_uuid(last_id)
    except (ValueError, OverflowError):
        after = None, None
    if None in after:
        raise ValidationFailed(
            "The page link (parameter after) is not valid: go back to the registry's first page.",
            errors=[{"parameter": "after", "detail": "Use the link to the next page, unchanged."}],
        )
    return after


@bp.route("/<registry_id>")
def show(registry_id):
    registry = service.get_registry(current_user.id, registry_id)
    find = FindForm(request.args)
    fields = ["email", "first_name", "last_name", "company", "country"]
    if find.email.data:
        try:
            match = service.find_by_email(registry, find.email.data, fields=fields, include_restricted=True)
        except ValidationFailed as exc:
            apply_errors(find, exc)
            match = None
        rows, next_cursor = ([match] if match else []), None
    else:
        after = _cursor(request.args.get("after"))
        rows = service.list_participants(
            registry,
            fields=fields,
            after=after,
            limit=PAGE_SIZE,
            include_restricted=True,  # the organizer's own page; restricted rows are only left out elsewhere
        )
        last = rows[-1] if len(rows) == PAGE_SIZE else None
        next_cursor = f"{last['updated_at'].isoformat()}~{last['id']}" if last else None
    _log_view(registry, fields, len(rows), "email look-up" if find.email.data else "participant list")
    return render_template(
        "registries/show.html",
        registry=registry,
        rows=rows,
        find=find,
        next_cursor=next_cursor,
        total=service.count_participants(registry),
    )


def _participant_page(registry, form, participant=None):
    custom = list(registry.custom_field_names or [])
    values = (participant or {}).get("custom_fields") or {}
    if request.method == "POST":
        values = {name: request.form.get(CUSTOM_PREFIX + name, "") for name in custom}
    return render_template(
        "registries/participant.html",
        registry=registry,
        form=form,
        participant=participant,
        custom=[(name, CUSTOM_PREFIX + name, values.get(name, "")) for name in custom],
    ), 400 if form.errors else 200


@bp.route("/<registry_id>/participants/new", methods=["GET", "POST"])
def add(registry_id):
    registry = service.get_registry(current_user.id, registry_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            service.add_participant(registry, form.raw(request.form, registry.custom_field_names or []))
        except (ValidationFailed, service.DuplicateParticipant) as exc:
            apply_errors(form, exc)
        else:
            flash("The participant is added.", "success")
            return redirect(url_for("registries.show", registry_id=registry.id))
    return _participant_page(registry, form)


@bp.route("/<registry_id>/participants/<participant_id>", methods=["GET", "POST"])
def edit(registry_id, participant_id):
    registry = service.get_registry(current_user.id, registry_id)
    participant = service.get_participant(registry, participant_id, include_restricted=True)
    if request.method == "GET":
        _log_view(registry, [f for f in participant if f not in ("id", "updated_at", "source")], 1, "participant")
    # Stored values only fill the empty form: on a POST every field comes from the browser, blanks included.
    form = ParticipantForm(
        data={name: participant[name] for name in ParticipantForm.TEXT} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            service.update_participant(
                registry, participant["id"], form.raw(request.form, registry.custom_field_names or [])
            )
        except (ValidationFailed, service.DuplicateParticipant) as exc:
            apply_errors(form, exc)
        else:
            flash("The participant is saved.", "success")
            return redirect(url_for("registries.show", registry_id=registry.id))
    return _participant_page(registry, form, participant)


@bp.route("/<registry_id>/participants/<participant_id>/delete", methods=["POST"])
def delete(registry_id, participant_id):
    registry = service.get_registry(current_user.id, registry_id)
    service.delete_participant(registry, participant_id)
    flash("The participant is deleted.", "success")
    return redirect(url_for("registries.show", registry_id=registry.id))
