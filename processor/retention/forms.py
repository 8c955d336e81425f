"""Forms of the account exits: early erasure (password again, warning acknowledged) and the return after erasure."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class EraseNowForm(FlaskForm):
    password = PasswordField(
        "Your password, again", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    understood = BooleanField(
        "I understand that my participants' data will be erased now and cannot be recovered",
        validators=[DataRequired("Tick the box to confirm.")],
    )


class ReturnForm(FlaskForm):
    login = StringField("Login", validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "username"})
    code = StringField(
        "Return code",
        validators=[DataRequired(), Length(max=40)],
        description="The code shown once when the account was removed, e.g. ABCD-EFGH-JKLM-NPQR-STUV.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class EmptyForm(FlaskForm):
    """A POST with only its CSRF token."""
