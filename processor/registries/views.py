"""Registry pages: list, create, rename, delete and export registries; list, sort, search, find, add, edit and
delete their participants. Every participant read goes through the gate (see docs/web-registries.md)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from processor.access import Actor, gate
from processor.accounts.models import Account
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries import export as exports
from processor.registries import lawful_basis, removal, service
from processor.registries.forms import (
    CUSTOM_PREFIX,
    ExportForm,
    FindForm,
    ParticipantForm,
    RegistryForm,
    RenameForm,
    SearchForm,
)
from processor.web import apply_errors, int_arg

bp = Blueprint("registries", __name__, url_prefix="/registries")
PAGE_SIZE = 50
PURPOSE = "essential.service"  # the organizer (controller) working with its own registry
LIST_FIELDS = ("email", "first_name", "last_name", "company", "country")
# Plain columns the database orders over the whole registry; encrypted fields sorted on a decrypted set.
# The default, last changed first, reads the (registry_id, updated_at, id) index; date added is sorted per page.
PLAIN_SORTS = {"changed": ("Last changed", "updated_at"), "added": ("Date added", "created_at")}
FIELD_SORTS = {"last_name": "Last name", "first_name": "First name", "email": "Email", "company": "Company"}
SORT_BOUND = 2000  # the most participants decrypted to sort one page by an encrypted field
SCAN_LIMIT = 5000  # the most participants decrypted to answer one search request
FORMATS = {"csv": (exports.csv_chunks, "text/csv"), "json": (exports.json_chunks, "application/json")}


def _actor() -> Actor:
    return Actor.organizer(current_user)


@bp.before_request
@login_required
def _require_login():
    pass


@bp.after_request
def _not_cached(response):
    """Pages and files holding participant data stay out of browser and proxy caches (a shared computer)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_template_filter("lawful_basis")
def _lawful_basis(value):
    return lawful_basis.label(value)


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


def _cursor(text: str | None, parameter: str = "after"):
    """A page position, `ISO~UUID` (a time and a row id, nothing personal); anything else is 400."""
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
            f"The page link (parameter {parameter}) is not valid: go back to the registry's first page.",
            errors=[{"parameter": parameter, "detail": "Use the link to the next page, unchanged."}],
        )
    return after


def _token(position) -> str | None:
    return f"{position[0].isoformat()}~{position[1]}" if position else None


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort") or "changed"
    order = request.args.get("order") or ("desc" if sort in PLAIN_SORTS else "asc")
    if (sort not in PLAIN_SORTS and sort not in FIELD_SORTS) or order not in ("asc", "desc"):
        raise ValidationFailed(
            "Sort by one of the listed columns, ascending or descending.",
            errors=[{"parameter": "sort", "detail": f"One of {', '.join([*PLAIN_SORTS, *FIELD_SORTS])}."}],
        )
    return sort, order == "desc"


@bp.route("/<registry_id>")
def show(registry_id):
    registry = service.get_registry(current_user.id, registry_id)
    sort, descending = _sort_args()
    total = service.count_participants(registry)
    bad: list[dict] = []
    notice = next_url = None
    if sort in FIELD_SORTS and total > SORT_BOUND:
        notice = (
            f"Sorting by {FIELD_SORTS[sort].lower()} works for registries of up to {SORT_BOUND:,} participants "
            f"(names are encrypted one by one, so they are decrypted to be sorted); this one has {total:,}. "
            "Shown by last change instead: search by name or company to narrow it down."
        )
        sort, descending = "changed", True
    order = "desc" if descending else "asc"
    if sort in FIELD_SORTS:
        number = int_arg("page", maximum=SORT_BOUND) or 1
        rows = gate.read_sorted(
            _actor(),
            registry,
            purpose=PURPOSE,
            fields=LIST_FIELDS,
            field=sort,
            descending=descending,
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            bound=SORT_BOUND,
            bad=bad,
        )
        if number * PAGE_SIZE < total:
            next_url = url_for("registries.show", registry_id=registry.id, sort=sort, order=order, page=number + 1)
    else:
        rows, last = gate.read_in_order(
            _actor(),
            registry,
            purpose=PURPOSE,
            fields=LIST_FIELDS,
            column=PLAIN_SORTS[sort][1],
            descending=descending,
            after=_cursor(request.args.get("after")),
            limit=PAGE_SIZE,
            bad=bad,
        )
        if last:
            next_url = url_for("registries.show", registry_id=registry.id, sort=sort, order=order, after=_token(last))
    first_url = url_for("registries.show", registry_id=registry.id, sort=sort, order=order)
    return render_template(
        "registries/show.html",
        registry=registry,
        rows=rows,
        unreadable=bad,
        find=FindForm(),
        search=SearchForm(),
        rename=RenameForm(data={"name": registry.name}),
        sorts={**{key: label for key, (label, _) in PLAIN_SORTS.items()}, **FIELD_SORTS},
        sort=sort,
        order=order,
        notice=notice,
        next_url=next_url,
        first_url=first_url if request.args.get("after") or request.args.get("page") else None,
        total=total,
    )


@bp.route("/<registry_id>/search", methods=["POST"])
def search(registry_id):
    """Search names and companies: posted, never in a URL (a name is personal data); paged by re-posting."""
    registry = service.get_registry(current_user.id, registry_id)
    form = SearchForm()
    if not form.validate_on_submit():
        flash("Type at least 2 characters of a name or company to search for.", "error")
        return redirect(url_for("registries.show", registry_id=registry.id))
    bad: list[dict] = []
    matches, resume, scanned = gate.search(
        _actor(),
        registry,
        form.q.data,
        purpose=PURPOSE,
        fields=LIST_FIELDS,
        after=_cursor(form.after.data, "after"),
        limit=PAGE_SIZE,
        scan_limit=SCAN_LIMIT,
        bad=bad,
    )
    return render_template(
        "registries/search.html",
        registry=registry,
        form=form,
        rows=matches,
        unreadable=bad,
        scanned=scanned,
        bound_hit=resume is not None and len(matches) < PAGE_SIZE,
        resume=_token(resume),
        continued=bool(form.after.data),
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


@bp.route("/<registry_id>/rename", methods=["POST"])
def rename(registry_id):
    registry = service.get_registry(current_user.id, registry_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            service.rename_registry(registry, form.name.data)
        except ValidationFailed as exc:
            flash(" ".join(e["detail"] for e in exc.errors) or exc.detail, "error")
        else:
            flash(f"The registry is renamed to {registry.name}.", "success")
    else:
        flash("Give the registry a name of at most 200 characters.", "error")
    return redirect(url_for("registries.show", registry_id=registry.id))


@bp.route("/<registry_id>/delete", methods=["POST"])
def delete_registry(registry_id):
    registry = service.get_registry(current_user.id, registry_id)
    name = registry.name
    erased = removal.delete_registry(_actor(), registry)
    flash(f"The registry {name} is deleted, with its {erased} participant(s).", "success")
    return redirect(url_for("registries.index"))


@bp.route("/<registry_id>/export", methods=["GET", "POST"])
def export(registry_id):
    """The export page; posting it downloads the registry, streamed, checked and logged by the gate."""
    registry = service.get_registry(current_user.id, registry_id)
    form = ExportForm()
    destination = db.session.get(Account, registry.account_id).country
    if not form.validate_on_submit():
        return render_template(
            "registries/export.html",
            registry=registry,
            form=form,
            destination=destination,
            total=service.count_participants(registry),
        ), 400 if form.errors else 200
    chunks, mimetype = FORMATS[form.format.data]
    stream = gate.export_stream(
        _actor(), registry, chunks, destination=destination, reason=f"web download ({form.format.data.upper()})"
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(stream),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="registry-{registry.id}-{stamp}.{form.format.data}"',
            "Cache-Control": "no-store",
        },
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
        data={name: participant[name] or "" for name in ParticipantForm.TEXT} if request.method == "GET" else None
    )
    form.offer_bases(participant["lawful_basis"])
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
