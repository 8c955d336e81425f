"""Account security pages: password reset by emailed link, and turning two-factor sign-in on and off."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from processor.accounts import reset, service, signing_in, two_factor
from processor.accounts.forms import DisableTwoFactorForm, EnableTwoFactorForm, ResetPasswordForm, ResetRequestForm
from processor.accounts.models import Account
from processor.errors import DomainError, ValidationFailed
from processor.web import apply_errors

bp = Blueprint("account_security", __name__, url_prefix="/account")


@bp.route("/reset", methods=["GET", "POST"])
@signing_in.per_address
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.request_reset(
            form.email.data,
            link_for=lambda token: url_for("account_security.reset_password", token=token, _external=True),
        )
        # The same answer whether or not an account has this address.
        flash("If an account has this address, a link to reset its password is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@signing_in.per_address
def reset_password(token: str):
    try:
        account = reset.account_for(token)
    except reset.ResetLinkInvalid as exc:
        flash(exc.detail, "error")
        return redirect(url_for("account_security.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.complete_reset(token, form.password.data, address=get_remote_address())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your password is changed; other sessions are logged out.", "success")
            if account.two_factor or account.is_staff:
                # The link proves the mailbox, not the authenticator: the second factor still applies.
                signing_in.begin_second_factor(account, next_path=None)
                return redirect(url_for("accounts.second_factor"))
            signing_in.sign_in(account)
            return redirect(url_for("web.dashboard"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_settings():
    account = current_user._get_current_object()
    enable_form, disable_form = EnableTwoFactorForm(), DisableTwoFactorForm()
    if not account.two_factor and not account.totp_secret:
        two_factor.new_secret(account)
    if request.method == "POST" and not account.two_factor and enable_form.validate_on_submit():
        try:
            codes = two_factor.enable(account, enable_form.code.data)
        except ValidationFailed as exc:
            apply_errors(enable_form, exc)
        else:
            return render_template("accounts/recovery_codes.html", codes=codes)
    return _two_factor_page(account, enable_form, disable_form), 400 if enable_form.errors else 200


@bp.route("/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    account = current_user._get_current_object()
    form = DisableTwoFactorForm()
    if form.validate_on_submit() and service.check_password(account, form.password.data):
        try:
            two_factor.disable(account)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash("Two-factor sign-in is off.", "info")
        return redirect(url_for("account_security.two_factor_settings"))
    form.password.errors = ["The password is wrong."]
    return _two_factor_page(account, EnableTwoFactorForm(formdata=None), form), 400


def _two_factor_page(account: Account, enable_form, disable_form):
    return render_template(
        "accounts/two_factor.html",
        account=account,
        secret=account.totp_secret,
        uri=two_factor.provisioning_uri(account) if account.totp_secret else None,
        remaining=two_factor.remaining_recovery_codes(account) if account.two_factor else 0,
        enable_form=enable_form,
        disable_form=disable_form,
    )
