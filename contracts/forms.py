"""Forms of the DPA page; the services re-validate everything, the forms give labels, CSRF and file parsing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from processor import countries


class DetailsForm(FlaskForm):
    """The organizer's business name and address; login, title and creation date are shown read-only."""

    login = StringField("Login")
    account_title = StringField("Account title")
    date_of_conclusion = StringField("Date of conclusion (account created, UTC)")
    business_name = StringField(
        "Business name",
        validators=[DataRequired(), Length(max=200)],
        description="The legal name of your business, as it should appear in the contract.",
        render_kw={"autocomplete": "organization"},
    )
    street = StringField(
        "Street and number",
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "address-line1"},
    )
    postal_code = StringField(
        "Postal code",
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "postal-code"},
    )
    city = StringField(
        "City", validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "address-level2"}
    )
    # Not DataRequired: the service names a missing or bad code; the page still marks it required.
    country = SelectField(
        "Country",
        choices=[],
        validate_choice=False,
        render_kw={"autocomplete": "country", "required": True},
    )
    contact = StringField(
        "Contact person",
        validators=[DataRequired(), Length(max=200)],
        description="Name, role and e-mail of the person the processor contacts about this agreement (Annex I).",
    )
    dpo = StringField(
        "Data protection officer",
        validators=[Length(max=200)],
        description="Name and e-mail of your DPO; leave empty if none is appointed.",
    )

    def fill(self, account) -> None:
        """Show the account's own facts, whatever the request claims."""
        self.country.choices = [
            SelectChoice("", "Choose…"),
            *(SelectChoice(code, name) for code, name in countries.choices()),
        ]
        self.login.data = account.login
        self.account_title.data = account.title
        self.date_of_conclusion.data = account.created_at.date().isoformat()


class SignForm(FlaskForm):
    signer_name = StringField(
        "Your full name", validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"}
    )
    signer_role = StringField(
        "Your role",
        validators=[DataRequired(), Length(max=200)],
        description="For example: managing director, authorised representative.",
        render_kw={"autocomplete": "organization-title"},
    )
    consent = BooleanField(
        "I am authorised to sign for the organizer and I agree to this version of the data processing agreement."
    )  # the service explains a missing tick


class ScanForm(FlaskForm):
    signer_name = StringField("Name of the person who signed", validators=[DataRequired(), Length(max=200)])
    signer_role = StringField("Their role", validators=[DataRequired(), Length(max=200)])
    scan = FileField(
        "Scan of the signed agreement", validators=[FileRequired()], description="PDF, PNG or JPEG, at most 10 MB."
    )


class VerifyForm(FlaskForm):
    document = FileField("Agreement (.docx or signed .pdf)", validators=[FileRequired()])
