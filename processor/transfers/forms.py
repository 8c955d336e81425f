"""Staff forms for the sub-processor list; the service re-validates everything, the forms give labels and CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from processor import countries
from processor.transfers.attestations import REFERENCE_LIMIT
from processor.transfers.objections import REASON_LIMIT
from processor.transfers.policy import ATTESTATION_KINDS
from processor.transfers.subprocessors import LIMITS

ATTESTATION_CHOICES = [SelectChoice("", "None (not needed in the EEA or a decision without scope limit)")] + [
    SelectChoice(kind, kind) for kind in ATTESTATION_KINDS
]


class AddSubProcessorForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=LIMITS["name"])], description="The legal name of the company."
    )
    address = StringField(
        "Address",
        validators=[DataRequired(), Length(max=LIMITS["address"])],
        description="Its registered address, as the DPA's Annex IV shows it.",
    )
    purpose = StringField(
        "Purpose",
        validators=[DataRequired(), Length(max=LIMITS["purpose"])],
        description="What it does for the service, e.g. mail delivery or hosting.",
    )
    country = SelectField("Country where it processes the data", choices=[], validate_choice=False)
    essential = BooleanField(
        "The service cannot run without it",
        description="An organizer who objects is then offered termination instead of being excluded.",
    )
    attests = SelectField("Scope attestation it holds", choices=ATTESTATION_CHOICES, validate_choice=False)
    reference = StringField(
        "Attestation reference",
        validators=[Length(max=REFERENCE_LIMIT)],
        description="E.g. its entry on the Data Privacy Framework list.",
    )
    valid_from = DateField("Attestation valid from", validators=[Optional()])
    valid_to = DateField("Attestation valid to", validators=[Optional()], description="Leave empty if open-ended.")
    emergency_reason = StringField(
        "Emergency reason",
        validators=[Length(max=LIMITS["reason"])],
        description="Only for a security emergency: the change then takes effect at once, with this reason shown.",
    )
    replaces = StringField("Replaces (emergency only)", validators=[Length(max=LIMITS["name"])])

    def fill_country_choices(self):
        self.country.choices = [
            SelectChoice("", "Choose…"),
            *(SelectChoice(code, name) for code, name in countries.choices()),
        ]


class RemoveSubProcessorForm(FlaskForm):
    name = HiddenField(validators=[DataRequired()])


class ObjectionForm(FlaskForm):
    reason = TextAreaField("Why you object (optional)", validators=[Length(max=REASON_LIMIT)])
