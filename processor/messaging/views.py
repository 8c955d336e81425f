"""The organizer's messaging instructions for a registry."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from processor.errors import ValidationFailed
from processor.messaging import service
from processor.messaging.models import KIND_LABELS, KINDS
from processor.registries import service as registries
from processor.web import apply_errors

bp = Blueprint("messaging", __name__, url_prefix="/registries")


class InstructionForm(FlaskForm):
    kind = SelectField("Kind of message", choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    note = TextAreaField(
        "Note for the record (optional)",
        validators=[Length(max=500)],
        description="E.g. which webinar or date the messages are about.",
    )


@bp.route("/<registry_id>/instructions", methods=["GET", "POST"])
@login_required
def instructions(registry_id):
    registry = registries.get_registry(current_user.id, registry_id)
    form = InstructionForm()
    if form.validate_on_submit():
        try:
            service.create_instruction(
                registry, kind=form.kind.data, note=form.note.data, created_by=current_user.login
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(
                f"Instruction recorded: our mailer may now send {KIND_LABELS[form.kind.data].lower()} messages "
                "to this registry's participants.",
                "success",
            )
            return redirect(url_for("messaging.instructions", registry_id=registry.id))
    return render_template(
        "messaging/instructions.html",
        registry=registry,
        form=form,
        labels=KIND_LABELS,
        instructions=service.list_instructions(registry),
    ), 400 if form.errors else 200
