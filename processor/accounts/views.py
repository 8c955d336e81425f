"""Account pages: sign up, log in, log out, change password, settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from processor.accounts import service
from processor.accounts.forms import ChangePasswordForm, LoginForm, RemoveAccountForm, SettingsForm, SignupForm
from processor.errors import DomainError, ValidationFailed
from processor.extensions import login_manager
from processor.retention import service as retention
from processor.retention import views as retention_views
from processor.terms import HOLD_DAYS, RETURN_WINDOW_DAYS
from processor.web import apply_errors

bp = Blueprint("accounts", __name__, url_prefix="/account")


@login_manager.user_loader
def _load_user(session_id: str):
    return service.load_session_account(session_id)


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
            login_user(account)
            flash("Your account is ready.", "success")
            return redirect(url_for("web.dashboard"))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            account = service.authenticate(
                form.login.data,
                form.password.data,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"],
            )
        except service.AccountHeld as held:  # issue 14: a removed account's exits, after the password check
            return retention_views.begin_held_session(held.account)
        except DomainError as exc:
            flash(exc.detail, "error")
            return render_template("accounts/login.html", form=form), exc.status
        login_user(account)
        return redirect(_safe_next() or url_for("web.dashboard"))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    # Only local paths: an absolute or scheme-relative URL would be an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
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
            login_user(account)  # the session id carries the new session version
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
