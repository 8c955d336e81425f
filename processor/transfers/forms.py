"""Staff forms for the sub-processor list; the service re-validates everything, the forms give labels and CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from processor import countries
from processor.transfers.objections import REASON_LIMIT
from processor.transfers.subprocessors import LIMITS


class AddSubProcessorForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=LIMITS["name"])], description="The legal name of the company."
    )
    purpose = StringField(
        "Purpose",
        validators=[DataRequired(), Length(max=LIMITS["purpose"])],
        description="What it does for the service, e.g. mail delivery or hosting.",
    )
    country = SelectField("Country where it processes the data", choices=[], validate_choice=False)
    dpf_certified = BooleanField(
        "Certified under the EU-US Data Privacy Framework",
        description="Only matters for a recipient in the United States.",
    )

    def fill_country_choices(self):
        self.country.choices = [
            SelectChoice("", "Choose…"),
            *(SelectChoice(code, name) for code, name in countries.choices()),
        ]


class RemoveSubProcessorForm(FlaskForm):
    name = HiddenField(validators=[DataRequired()])


class ObjectionForm(FlaskForm):
    reason = TextAreaField("Why you object (optional)", validators=[Length(max=REASON_LIMIT)])
