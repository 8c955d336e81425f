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
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    first_name = StringField("First name", validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100)])
    title = StringField(
        "Account title",
        validators=[DataRequired(), Length(max=200)],
        description="Shown on your data processing agreement.",
    )
    country = SelectField("Country", choices=[], validate_choice=False)  # the service names a bad code

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
    )
    password = PasswordField("Password", validators=[DataRequired()], description="At least 12 characters.")
    plan = SelectField("Plan", choices=[SelectChoice(plan, PLAN_LABELS[plan]) for plan in PLANS])


class SettingsForm(ProfileFields, FlaskForm):
    pass


class LoginForm(FlaskForm):
    login = StringField("Login", validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()], description="At least 12 characters.")


class RemoveAccountForm(FlaskForm):
    password = PasswordField("Your password, to confirm", validators=[DataRequired()])


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
    password = PasswordField("Your password, to confirm", validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description="At least 12 characters.",
        render_kw={"autocomplete": "new-password"},
    )
