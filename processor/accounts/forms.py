"""Web forms for accounts; the service re-validates everything, the forms give labels and CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from processor import countries
from processor.accounts.models import PLANS

PLAN_LABELS = {"free": "Free test account", "paid": "Paid account"}


class ProfileFields:
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"})
    first_name = StringField(
        "First name", validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "given-name"}
    )
    last_name = StringField(
        "Last name", validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "family-name"}
    )
    title = StringField(
        "Account title",
        validators=[DataRequired(), Length(max=200)],
        description="Shown on your data processing agreement.",
        render_kw={"autocomplete": "organization"},
    )
    # Not DataRequired: the service names a missing or bad code; the page still marks it required.
    country = SelectField(
        "Country", choices=[], validate_choice=False, render_kw={"autocomplete": "country", "required": True}
    )

    def fill_country_choices(self):
        self.country.choices = [
            SelectChoice("", "Choose…"),
            *(SelectChoice(code, name) for code, name in countries.choices()),
        ]


class SignupForm(ProfileFields, FlaskForm):
    login = StringField(
        "Login",
        validators=[DataRequired(), Length(max=64)],
        description="Lower-case letters, digits, dot, dash or underscore.",
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired()],
        description="At least 12 characters.",
        render_kw={"autocomplete": "new-password"},
    )
    plan = SelectField("Plan", choices=[SelectChoice(plan, PLAN_LABELS[plan]) for plan in PLANS])


class SettingsForm(ProfileFields, FlaskForm):
    pass


class LoginForm(FlaskForm):
    login = StringField("Login", validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description="At least 12 characters.",
        render_kw={"autocomplete": "new-password"},
    )


class RemoveAccountForm(FlaskForm):
    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        "Authentication code",
        validators=[DataRequired(), Length(max=32)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your app",
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ResetRequestForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description="At least 12 characters.",
        render_kw={"autocomplete": "new-password"},
    )
