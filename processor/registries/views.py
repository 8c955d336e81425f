"""Registry pages: list and create registries; list, find, add, edit and delete participants."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from processor.access import Actor, gate
from processor.errors import ValidationFailed
from processor.registries import service
from processor.registries.forms import CUSTOM_PREFIX, FindForm, ParticipantForm, RegistryForm
from processor.web import apply_errors

bp = Blueprint("registries", __name__, url_prefix="/registries")
PAGE_SIZE = 50
PURPOSE = "essential.service"  # the organizer (controller) working with its own registry
LIST_FIELDS = ("email", "first_name", "last_name", "company", "country")


def _actor() -> Actor:
    return Actor.organizer(current_user)


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
    after = _cursor(request.args.get("after"))
    bad: list[dict] = []
    rows, _ = gate.read_page(
        _actor(),
        registry,
        purpose=PURPOSE,
        fields=LIST_FIELDS,
        after=after,
        limit=PAGE_SIZE,
        bad=bad,
    )
    last = max([*rows, *bad], key=lambda r: (r["updated_at"], r["id"])) if len(rows) + len(bad) == PAGE_SIZE else None
    return render_template(
        "registries/show.html",
        registry=registry,
        rows=rows,
        unreadable=bad,
        find=FindForm(),
        next_cursor=f"{last['updated_at'].isoformat()}~{last['id']}" if last else None,
        total=service.count_participants(registry),
    )


@bp.route("/<registry_id>/find", methods=["POST"])
def find(registry_id):
    """Find by exact email: posted, never in a URL; the answer is a redirect to the participant's own page."""
    registry = service.get_registry(current_user.id, registry_id)
    form = FindForm()
    match = None
    if form.validate_on_submit():
        try:
            match = gate.find(_actor(), registry, form.email.data, purpose=PURPOSE, fields=("email",))
        except ValidationFailed:
            flash("That is not a valid email address.", "error")
            return redirect(url_for("registries.show", registry_id=registry.id))
    if match is None:
        flash("No participant has this email address.", "info")
        return redirect(url_for("registries.show", registry_id=registry.id))
    return redirect(url_for("registries.edit", registry_id=registry.id, participant_id=match["id"]))


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
            gate.add(_actor(), registry, form.raw(request.form, registry.custom_field_names or []))
        except (ValidationFailed, service.DuplicateParticipant) as exc:
            apply_errors(form, exc)
        else:
            flash("The participant is added.", "success")
            return redirect(url_for("registries.show", registry_id=registry.id))
    return _participant_page(registry, form)


@bp.route("/<registry_id>/participants/<participant_id>", methods=["GET", "POST"])
def edit(registry_id, participant_id):
    registry = service.get_registry(current_user.id, registry_id)
    participant = gate.read_one(_actor(), registry, participant_id, purpose=PURPOSE)
    # Stored values only fill the empty form: on a POST every field comes from the browser, blanks included.
    form = ParticipantForm(
        data={name: participant[name] for name in ParticipantForm.TEXT} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            gate.update(
                _actor(), registry, participant["id"], form.raw(request.form, registry.custom_field_names or [])
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
    gate.delete(_actor(), registry, participant_id)
    flash("The participant is deleted.", "success")
    return redirect(url_for("registries.show", registry_id=registry.id))
