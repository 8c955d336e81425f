"""The organizer's form for a client of their own; the service re-checks every value."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from processor import countries, purposes
from processor.clients.models import ORGANIZER_SCOPES

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
    # Not limited to the listed choices here: the service refuses anything else with a reason.
    purposes = CheckboxesField(
        "Purposes",
        validate_choice=False,
        choices=[SelectChoice(p, f"{p}: {purposes.PURPOSES[p]}") for p in purposes.GRANTABLE],
    )
    country = SelectField(
        "Country the client runs in",
        validate_choice=False,
        choices=[SelectChoice("", "Choose…"), *(SelectChoice(code, name) for code, name in countries.choices())],
    )
    dpf_certified = BooleanField("The recipient is certified under the EU-US Data Privacy Framework")


class RevokeForm(FlaskForm):
    pass
