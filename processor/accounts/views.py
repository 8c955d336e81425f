"""Account pages: sign up, log in (with a second factor), log out, change password, settings, removal."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from processor.accounts import service, sessions, signing_in, throttle, two_factor
from processor.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    RemoveAccountForm,
    SecondFactorForm,
    SettingsForm,
    SignupForm,
)
from processor.accounts.models import Account
from processor.accounts.redirects import local_path
from processor.errors import ValidationFailed
from processor.extensions import login_manager
from processor.retention import service as retention
from processor.retention import views as retention_views
from processor.terms import HOLD_DAYS, RETURN_WINDOW_DAYS
from processor.web import apply_errors

log = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__, url_prefix="/account")


@login_manager.user_loader
def _load_user(cookie_value: str):
    return sessions.load(cookie_value, lifetime=current_app.permanent_session_lifetime)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    form.fill_country_choices()
    if form.validate_on_submit():
        try:
            account = service.create_account(
                **{
                    name: form[name].data
                    for name in ("login", "email", "first_name", "last_name", "password", "title", "plan", "country")
                }
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            signing_in.sign_in(account)
            flash("Your account is ready.", "success")
            return redirect(url_for("web.dashboard"))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@signing_in.per_address
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            attempt = service.authenticate(form.login.data, form.password.data, address=get_remote_address())
        except service.LoginFailed as exc:
            flash(exc.detail, "error")
            return render_template("accounts/login.html", form=form), exc.status
        if attempt.second_factor:
            signing_in.begin_second_factor(attempt.account, next_path=local_path(request.args.get("next")))
            return redirect(url_for("accounts.second_factor"))
        return _finish(attempt.account, held=attempt.held, next_path=local_path(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


def _finish(account: Account, *, held: bool, next_path: str | None):
    """Every factor is verified: open the session, or the held-account answer for a removed account."""
    service.finish_sign_in(account, address=get_remote_address())
    if held:
        # A removed account in its hold period: every factor verified, it opens only its exits page (reactivate,
        # return the data, erase early), never a session.
        signing_in.forget_pending()
        return retention_views.begin_held_session(account)
    signing_in.sign_in(account)
    if account.is_staff:
        log.info("staff %s signed in on the web", account.login)  # a staff login is no participant's data
    return redirect(next_path or url_for("web.dashboard"))


@bp.route("/login/code", methods=["GET", "POST"])
@signing_in.per_address
def second_factor():
    account = signing_in.pending_account()
    if account is None:
        signing_in.forget_pending()
        flash("Sign in again: the sign-in took too long or was not started.", "info")
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        address = get_remote_address()
        if not throttle.pair_blocked(account.login, address) and two_factor.verify(account, form.code.data):
            return _finish(account, held=account.status == "removed", next_path=signing_in.pending_next())
        throttle.record_failure(account.login, address)
        if not signing_in.count_wrong_code():
            flash("Too many wrong codes. Sign in again.", "error")
            return redirect(url_for("accounts.login"))
        form.code.errors = ["That code is not right."]
    return render_template("accounts/second_factor.html", form=form), 401 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
    logout_user()
    signing_in.forget_pending()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            account = current_user._get_current_object()
            service.change_password(account, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            signing_in.sign_in(account)  # the password change ended every session, this one included
            flash("Your password is changed; other sessions are logged out.", "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    form.fill_country_choices()
    if form.validate_on_submit():
        try:
            service.update_settings(
                current_user,
                **{name: form[name].data for name in ("email", "first_name", "last_name", "title", "country")},
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your settings are saved.", "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(form), 400 if form.errors else 200


def _settings_page(form, remove_form=None):
    return render_template(
        "accounts/settings.html",
        form=form,
        account=current_user,
        remove_form=remove_form or RemoveAccountForm(),
        hold_days=HOLD_DAYS[current_user.plan],
        return_days=RETURN_WINDOW_DAYS,
    )


@bp.route("/remove", methods=["POST"])
@login_required
def remove():
    remove_form = RemoveAccountForm()
    account = current_user._get_current_object()
    if remove_form.validate_on_submit():
        if service.check_password(account, remove_form.password.data):
            removal = retention.remove_account(account)
            logout_user()
            # The return code is shown here once (issue 14); it is kept only as a hash.
            return render_template("retention/removed.html", removal=removal, return_days=RETURN_WINDOW_DAYS)
        remove_form.password.errors = ["The password is wrong."]
    form = SettingsForm(obj=account)
    form.fill_country_choices()
    return _settings_page(form, remove_form), 400
