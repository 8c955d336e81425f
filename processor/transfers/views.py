"""Pages: where an organizer's participant data goes, and the staff page that keeps the sub-processor list."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from processor import countries
from processor.errors import DomainError, one_line
from processor.staff import is_staff, staff_required
from processor.transfers import objections, recipients
from processor.transfers import subprocessors as service
from processor.transfers.attestations import new_attestation
from processor.transfers.forms import AddSubProcessorForm, ObjectionForm, RemoveSubProcessorForm
from processor.transfers.policy import TransferPolicy, TransferRefused, today
from processor.web import apply_errors

bp = Blueprint("transfers", __name__, url_prefix="/transfers")


@bp.context_processor
def _helpers():
    return {"country_name": countries.name}


@bp.route("/")
@login_required
def destinations():
    policy = TransferPolicy()
    return render_template(
        "transfers/destinations.html",
        today=today(),
        policy=policy,
        subprocessors=recipients.recipients_for(current_user.id),
        changes=service.list_changes(),
        in_force=policy.in_force(),
        eea=sorted(policy.registry.eea),
        objection_form=ObjectionForm(),
        objected=objections.objections_by(current_user.id),
        staff=is_staff(current_user),
        processor_name=current_app.config["PROCESSOR_NAME"],
        processor_address=current_app.config["PROCESSOR_ADDRESS"],
    )


@bp.route("/changes/<int:change_id>/object", methods=["POST"])
@login_required
def object_to_change(change_id: int):
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            objections.object_to_change(change_id=change_id, account_id=current_user.id, reason=form.reason.data)
        except DomainError as exc:
            flash(one_line(exc), "error")
        else:
            flash("Your objection is recorded; the page says what follows from it.", "success")
    else:
        problems = " ".join(message for messages in form.errors.values() for message in messages)
        flash(f"The objection was not recorded: {problems}", "error")
    return redirect(url_for("transfers.destinations", _anchor="changes-heading"))


@bp.route("/staff", methods=["GET", "POST"])
@staff_required
def staff():
    form = AddSubProcessorForm()
    form.fill_country_choices()
    status = 200
    if form.validate_on_submit():
        try:
            added = service.add_subprocessor(
                name=form.name.data,
                address=form.address.data,
                purpose=form.purpose.data,
                country=form.country.data,
                essential=form.essential.data,
                attestations=_attestations(form),
                emergency_reason=form.emergency_reason.data,
                replaces=form.replaces.data or None,
                by=current_user.login,
                channel="web",
            )
        except TransferRefused as exc:
            form.country.errors = [exc.detail]
            status = exc.status
        except DomainError as exc:
            apply_errors(form, exc)
            if not exc.errors:
                flash(exc.detail, "error")
            status = exc.status
        else:
            when = "at once" if form.emergency_reason.data else f"on {added.effective_on}"
            flash(f"{added.name} is announced and takes effect {when}; organizers are told and may object.", "success")
            if condition := added.transfer_on(added.effective_on).condition:
                flash(f"The transfer to {added.country} is allowed on a condition: {condition}.", "info")
            return redirect(url_for("transfers.staff"))
    elif form.errors:
        status = 400
    return _staff_page(form), status


@bp.route("/staff/remove", methods=["POST"])
@staff_required
def remove():
    form = RemoveSubProcessorForm()
    if form.validate_on_submit():
        try:
            removed = service.remove_subprocessor(form.name.data, by=current_user.login, channel="web")
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"{removed.name} is removed; organizers see the change.", "success")
    else:
        flash("The sub-processor was not removed: the form was incomplete or expired.", "error")
    return redirect(url_for("transfers.staff"))


def _attestations(form: AddSubProcessorForm) -> list:
    """The attestation typed into the form, checked (none when no kind is chosen)."""
    if not form.attests.data:
        return []
    return [
        new_attestation(
            kind=form.attests.data,
            reference=form.reference.data,
            valid_from=form.valid_from.data or today(),
            valid_to=form.valid_to.data,
            by=current_user.login,
        )
    ]


def _staff_page(form: AddSubProcessorForm) -> str:
    policy = TransferPolicy()
    now = today()
    return render_template(
        "transfers/staff.html",
        form=form,
        remove_form=RemoveSubProcessorForm(),
        subprocessors=[
            (sub, sub.transfer_on(max(now, sub.effective_on), policy)) for sub in service.list_subprocessors()
        ],
        changes=service.list_changes(),
        objections=objections.objections_by_change(),
        today=today(),
    )
