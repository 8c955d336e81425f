"""The consent choice on the account page, and the unsubscribe page that needs no login."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from processor.extensions import csrf
from processor.marketing import service

bp = Blueprint("marketing", __name__, url_prefix="/marketing")


class ConsentForm(FlaskForm):
    choice = RadioField(
        "News about our services by email",
        validators=[InputRequired()],
        choices=[
            SelectChoice("in", "Yes, send me news and offers about the webinar platform"),
            SelectChoice("out", "No marketing messages"),
        ],
    )


@bp.app_context_processor
def _consent_panel():
    def marketing_consent_form():
        consent = service.current_consent(current_user.id)
        form = ConsentForm(formdata=None, choice="in" if consent and consent.opted_in else "out")
        return form, consent

    return {"marketing_consent_form": marketing_consent_form}


@bp.route("/consent", methods=["POST"])
@login_required
def consent():
    form = ConsentForm()
    if form.validate_on_submit():
        service.record_consent(current_user.id, opted_in=form.choice.data == "in", source="account-page")
        flash(
            "Your marketing choice is saved."
            if form.choice.data == "in"
            else "You will receive no marketing messages.",
            "success",
        )
    else:
        flash("Choose whether to receive marketing messages.", "error")
    return redirect(url_for("accounts.settings"))


@bp.route("/unsubscribe/<token>", methods=["GET"])
def unsubscribe_page(token):
    account = service.account_for_token(token)
    return render_template("marketing/unsubscribe.html", token=token, login=account.login, done=False)


# No CSRF token: the signed token in the URL authorizes the request, mail clients' one-click unsubscribe
# (RFC 8058) posts without a session, and the only possible effect is opting out.
@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt
def unsubscribe(token):
    account = service.unsubscribe(token)
    return render_template("marketing/unsubscribe.html", token=token, login=account.login, done=True)
