"""Web forms for registries and participants; the service re-validates everything, the forms give labels and CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from processor.normalize import FIELD_LIMITS
from processor.registries import lawful_basis

CUSTOM_PREFIX = "custom:"


class RegistryForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], description="For example the webinar's title."
    )
    webinar_date = DateField("Webinar date", validators=[Optional()])


class ParticipantForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=FIELD_LIMITS["email"])])
    first_name = StringField("First name")
    last_name = StringField("Last name")
    phone = StringField("Phone", description="With its country code, e.g. +48 601 234 567.")
    company = TextAreaField("Company", render_kw={"rows": 2})  # may hold several lines (imports keep them)
    job_title = TextAreaField("Job title", render_kw={"rows": 2})
    country = StringField("Country", description="A code or a name: PL, Poland, Polska.")
    lawful_basis = SelectField(
        "Lawful basis",
        choices=[SelectChoice(value, label) for value, label in lawful_basis.choices(None)],
        default="",
        description="The basis (GDPR Article 6(1)) on which you process this person's data.",
    )
    new_custom_name = StringField("New custom field: name", validators=[Length(max=64)])
    new_custom_value = StringField("New custom field: value")

    TEXT = ("email", "first_name", "last_name", "phone", "company", "job_title", "country", "lawful_basis")

    def offer_bases(self, current: str | None) -> None:
        """Offer the Article 6(1) bases, and a free-text basis recorded before the list existed (kept on save)."""
        self.lawful_basis.choices = [SelectChoice(value, label) for value, label in lawful_basis.choices(current)]

    def raw(self, formdata, custom_names) -> dict:
        """The participant as the service takes it: the text fields and the custom fields by name."""
        raw = {name: self[name].data for name in self.TEXT}
        raw["custom_fields"] = {name: formdata.get(CUSTOM_PREFIX + name, "") for name in custom_names}
        if (self.new_custom_name.data or "").strip():
            raw["custom_fields"][self.new_custom_name.data] = self.new_custom_value.data
        return raw


class FindForm(FlaskForm):
    """A POST form: an email in a query string would land in every access log on the way."""

    email = StringField("Find by exact email", validators=[DataRequired()])


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=200)])


class SearchForm(FlaskForm):
    """Posted, never in a URL: a name is personal data. `after` carries where the previous page's scan stopped."""

    q = StringField(
        "Search by name or company",
        validators=[DataRequired(), Length(min=2, max=100)],
        description="Part of a first name, last name or company; case and accents do not matter.",
    )
    after = HiddenField()


class ExportForm(FlaskForm):
    format = RadioField(
        "Format",
        choices=[SelectChoice("csv", "CSV (for spreadsheets)"), SelectChoice("json", "JSON (for other software)")],
        default="csv",
        validators=[DataRequired()],
    )
