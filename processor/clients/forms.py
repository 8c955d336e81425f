"""The organizer's form for a client of their own; the service re-checks every value."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from processor import countries, purposes
from processor.clients.models import ORGANIZER_SCOPES
from processor.clients.service import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS
from processor.registries.fields import ENCRYPTED_FIELDS
from processor.transfers.policy import ATTESTATION_KINDS

SCOPE_LABELS = {
    "participants:read": "Read participants",
    "messages:send": "Send instructed messages",
    "audit:read": "Read my access log",
    "requests:write": "Record and answer data-subject requests",
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClientForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=64)],
        description="Lower-case letters, digits, dot, dash or underscore, e.g. my-crm.",
    )
    scopes = CheckboxesField("Scopes", choices=[SelectChoice(s, SCOPE_LABELS[s]) for s in ORGANIZER_SCOPES])
    # Not limited to the listed choices here: the service refuses anything else with a reason. The page shows
    # each purpose's plain name, its code and the fields it may read (templates/clients/index.html).
    purposes = CheckboxesField(
        "Purposes",
        validate_choice=False,
        choices=[SelectChoice(p, purposes.label(p)) for p in purposes.GRANTABLE],
    )
    country = SelectField(
        "Country the client runs in",
        validate_choice=False,
        choices=[SelectChoice("", "Choose…"), *(SelectChoice(code, name) for code, name in countries.choices())],
    )
    # A scope-limited adequacy decision (US, Canada, Japan, Korea, Brazil) covers the client only with this.
    attests = SelectField(
        "Scope attestation the recipient holds",
        validate_choice=False,
        choices=[SelectChoice("", "None"), *(SelectChoice(kind, kind) for kind in ATTESTATION_KINDS)],
    )
    attestation_reference = StringField(
        "Attestation reference", validators=[Length(max=300)], description="E.g. its Data Privacy Framework list entry."
    )
    attestation_valid_to = DateField("Attestation valid to", validators=[Optional()])
    # Choices are the organizer's registries, set by the view; the service checks they are the organizer's.
    registries = CheckboxesField(
        "Registries it may reach",
        validate_choice=False,
        description="Tick none to let it reach every registry of yours, also ones you create later.",
    )
    expires_on = DateField(
        "Expires on",
        validators=[Optional()],
        description=f"The token's last day (UTC), at most {MAX_EXPIRY_DAYS} days from today. "
        f"Leave it empty for {DEFAULT_EXPIRY_DAYS} days.",
    )
    # Set only by the warning's "Create it anyway" button, to the country the warning was about.
    create_anyway = HiddenField()


class RevokeForm(FlaskForm):
    pass


def purpose_fields(purpose: str) -> str:
    """The participant fields a purpose may read, as a short sentence part."""
    fields = purposes.allowed_fields(purpose)
    if set(fields) >= set(ENCRYPTED_FIELDS):
        return "every field"
    return ", ".join(f.replace("_", " ") for f in fields)
