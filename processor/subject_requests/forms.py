"""Forms of the requests page; the service re-validates everything, the forms give labels and CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from processor.subject_requests.models import KINDS

KIND_LABELS = {
    "access": "Access (Art 15): a copy of the data",
    "portability": "Portability (Art 20): the data in a reusable format",
    "rectification": "Rectification (Art 16): correct the data",
    "erasure": "Erasure (Art 17): delete the data",
    "restriction": "Restriction (Art 18): stop using the data, keep it",
    "objection": "Objection (Art 21): stop using the data, keep it",
}
# Fields a rectification may correct on the page (the API takes any participant field).
RECTIFIABLE = ("email", "first_name", "last_name", "phone", "company", "job_title", "country")


class NewRequestForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS])
    email = StringField(
        "The person's email address",
        validators=[DataRequired(), Length(max=320)],
        description="Found in every one of your registries; stored encrypted.",
        render_kw={"autocomplete": "off"},  # a participant's address, never the organizer's own
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])
    months = SelectField(
        "Extend by", choices=[SelectChoice("2", "2 months"), SelectChoice("1", "1 month")], default="2"
    )


class CarryOutForm(FlaskForm):
    """Carrying out; for a rectification, the corrected fields (blank ones are left as they are)."""

    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = StringField("Email")
    phone = StringField("Phone")
    company = StringField("Company")
    job_title = StringField("Job title")
    country = StringField("Country")

    def changes(self) -> dict:
        return {name: self[name].data.strip() for name in RECTIFIABLE if (self[name].data or "").strip()}
