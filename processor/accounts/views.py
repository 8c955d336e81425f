"""Account pages: sign up, log in (with a second factor), log out, password, reset, two-factor, settings."""

from __future__ import annotations

import time
import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from processor.accounts import reset, service, sessions, throttle, two_factor
from processor.accounts.forms import (
    ChangePasswordForm,
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    LoginForm,
    RemoveAccountForm,
    ResetPasswordForm,
    ResetRequestForm,
    SecondFactorForm,
    SettingsForm,
    SignupForm,
)
from processor.accounts.models import Account
from processor.accounts.redirects import local_path
from processor.errors import DomainError, ValidationFailed
from processor.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__, url_prefix="/account")

PENDING = "pending_sign_in"
PENDING_SECONDS = 300
PENDING_TRIES = 5


def _address_limit() -> str:
    return current_app.config.get("LOGIN_ADDRESS_LIMIT") or throttle.ADDRESS_LIMIT


# Per client address on every form that checks a secret: the same 429 for every login, known or not.
per_address = limiter.limit(_address_limit, methods=["POST"], key_func=get_remote_address)


@login_manager.user_loader
def _load_user(cookie_value: str):
    return sessions.load(cookie_value, lifetime=current_app.permanent_session_lifetime)


def apply_errors(form, error: ValidationFailed) -> None:
    """Show a service's field errors beside the form's fields."""
    for entry in error.errors:
        field = getattr(form, entry.get("field", ""), None)
        if field is not None:
            field.errors = [*field.errors, entry["detail"]] if isinstance(field.errors, list) else [entry["detail"]]
        else:
            flash(entry["detail"], "error")


def _sign_in(account: Account) -> None:
    """Start a server-side session for the account and put it in the cookie."""
    session.pop(PENDING, None)
    sessions.start(account, lifetime=current_app.permanent_session_lifetime)
    login_user(account)


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
            _sign_in(account)
            flash("Your account is ready.", "success")
            return redirect(url_for("web.dashboard"))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@per_address
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            attempt = service.authenticate(form.login.data, form.password.data, address=get_remote_address())
        except service.LoginFailed as exc:
            flash(exc.detail, "error")
            return render_template("accounts/login.html", form=form), exc.status
        if attempt.second_factor:
            session[PENDING] = {
                "account": str(attempt.account.id),
                "version": attempt.account.session_version,
                "since": int(time.time()),
                "tries": 0,
                "next": local_path(request.args.get("next")),
            }
            return redirect(url_for("accounts.second_factor"))
        return _finish(attempt.account, held=attempt.held, next_path=local_path(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


def _finish(account: Account, *, held: bool, next_path: str | None):
    """Every factor is verified: open the session, or the held-account answer for a removed account."""
    service.finish_sign_in(account, address=get_remote_address())
    if held:
        # Hook for the held-account page (helper `rights`): a removed account in its hold period may open only
        # a page offering reactivation, return of the data or early erasure. Until then: no session, a notice.
        session.pop(PENDING, None)
        flash("This account is removed and its data is only held. Contact support to reactivate it.", "info")
        return render_template("accounts/login.html", form=LoginForm(formdata=None)), 401
    _sign_in(account)
    return redirect(next_path or url_for("web.dashboard"))


def _pending_account() -> Account | None:
    pending = session.get(PENDING) or {}
    if int(time.time()) - int(pending.get("since", 0)) > PENDING_SECONDS:
        return None
    try:
        account = db.session.get(Account, uuid.UUID(pending["account"]))
    except (KeyError, ValueError):
        return None
    if account is None or account.session_version != pending.get("version"):
        return None
    return account


@bp.route("/login/code", methods=["GET", "POST"])
@per_address
def second_factor():
    account = _pending_account()
    if account is None:
        session.pop(PENDING, None)
        flash("Sign in again: the sign-in took too long or was not started.", "info")
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        address = get_remote_address()
        if not throttle.pair_blocked(account.login, address) and two_factor.verify(account, form.code.data):
            pending = session[PENDING]
            return _finish(account, held=account.status == "removed", next_path=pending.get("next"))
        throttle.record_failure(account.login, address)
        pending = session[PENDING]
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= PENDING_TRIES:
            session.pop(PENDING, None)
            flash("Too many wrong codes. Sign in again.", "error")
            return redirect(url_for("accounts.login"))
        session[PENDING] = pending
        form.code.errors = ["That code is not right."]
    return render_template("accounts/second_factor.html", form=form), 401 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
    logout_user()
    session.pop(PENDING, None)
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
            _sign_in(account)  # the password change ended every session, this one included
            flash("Your password is changed; other sessions are logged out.", "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@per_address
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.request_reset(
            form.email.data, link_for=lambda token: url_for("accounts.reset_password", token=token, _external=True)
        )
        # The same answer whether or not an account has this address.
        flash("If an account has this address, a link to reset its password is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@per_address
def reset_password(token: str):
    try:
        account = reset.account_for(token)
    except reset.ResetLinkInvalid as exc:
        flash(exc.detail, "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.complete_reset(token, form.password.data, address=get_remote_address())
        except DomainError as exc:
            if isinstance(exc, ValidationFailed):
                apply_errors(form, exc)
            else:
                flash(exc.detail, "error")
                return redirect(url_for("accounts.reset_request"))
        else:
            flash("Your password is changed; other sessions are logged out.", "success")
            if account.two_factor or account.is_staff:
                # The link proves the mailbox, not the authenticator: the second factor still applies.
                session[PENDING] = {
                    "account": str(account.id),
                    "version": account.session_version,
                    "since": int(time.time()),
                    "tries": 0,
                    "next": None,
                }
                return redirect(url_for("accounts.second_factor"))
            _sign_in(account)
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
        return redirect(url_for("accounts.two_factor_settings"))
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
    from processor.terms import HOLD_DAYS, RETURN_WINDOW_DAYS

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
    from processor.retention import service as retention

    remove_form = RemoveAccountForm()
    account = current_user._get_current_object()
    if remove_form.validate_on_submit():
        if service.check_password(account, remove_form.password.data):
            due = retention.remove_account(account)
            logout_user()
            flash(f"Your account is removed. Its data is held until {due:%Y-%m-%d}, then erased.", "info")
            return redirect(url_for("accounts.login"))
        remove_form.password.errors = ["The password is wrong."]
    form = SettingsForm(obj=account)
    form.fill_country_choices()
    return _settings_page(form, remove_form), 400
