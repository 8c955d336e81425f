"""The exits of an account: the held account's page, the return after erasure, and the organizer's own data.

A removed account that logs in with the right password gets a held session (not a login): it reaches only these
pages, which offer reactivation, the return of the participant database, and earlier erasure.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_login import current_user

from processor import jobs
from processor.accounts import signing_in
from processor.accounts.models import Account
from processor.accounts.service import check_password
from processor.errors import DomainError
from processor.extensions import db
from processor.retention import exits, service
from processor.retention.forms import EmptyForm, EraseNowForm, ReturnForm
from processor.terms import RETURN_WINDOW_DAYS

bp = Blueprint("exits", __name__, url_prefix="/account")
HELD = "held_account"
ERASING, ERASING_LOGIN = "early_erasure_job", "early_erasure_login"


def begin_held_session(account: Account) -> Response:
    """After a verified password of a removed account: open the held page, and nothing else."""
    session[HELD] = f"{account.id}:{account.session_version}"
    return redirect(url_for("exits.held"))


def _held_account() -> Account | None:
    account_id, _, version = session.get(HELD, "").partition(":")
    try:
        account = db.session.get(Account, uuid.UUID(account_id))
    except ValueError:
        return None
    if account is None or account.status != "removed" or str(account.session_version) != version:
        session.pop(HELD, None)
        return None
    return account


def _zip(data: bytes, name: str) -> Response:
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _held_page(account: Account, erase_form=None, status: int = 200):
    return render_template(
        "retention/held.html",
        account=account,
        erase_on=service.erase_due(account),
        return_days=RETURN_WINDOW_DAYS,
        erase_form=erase_form or EraseNowForm(),
        form=EmptyForm(),
    ), status


@bp.route("/held")
def held():
    account = _held_account()
    if account is None:
        return redirect(url_for("accounts.login"))
    return _held_page(account)


@bp.route("/held/reactivate", methods=["POST"])
def reactivate():
    account = _held_account()
    if account is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.login"))
    try:
        service.reactivate_account(account)
    except DomainError as exc:
        flash(exc.detail, "error")
        return _held_page(account, status=exc.status)
    session.pop(HELD, None)
    signing_in.sign_in(account)  # a server-side session, as every sign-in opens
    flash("Your account is reactivated: everything works again as before.", "success")
    return redirect(url_for("web.dashboard"))


@bp.route("/held/return", methods=["POST"])
def ask_return():
    """Ask for the participant database: a job prepares it; its page shows the progress, then the download."""
    account = _held_account()
    if account is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.login"))
    try:
        exits.request_return(account)
    except DomainError as exc:
        flash(exc.detail, "error")
        return _held_page(account, status=exc.status)
    return redirect(url_for("exits.held_return"))


@bp.route("/held/return")
def held_return():
    account = _held_account()
    if account is None:
        return redirect(url_for("accounts.login"))
    job = exits.return_job(account)
    return render_template(
        "retention/held_return.html",
        account=account,
        ready=exits.held_package_ready(account),
        state=jobs.state(job) if job is not None else None,
        form=EmptyForm(),
    )


@bp.route("/held/return/progress")
def held_return_progress():
    account = _held_account()
    if account is None:
        return {"status": "gone"}, 403
    job = exits.return_job(account)
    state = jobs.state(job) if job is not None else {"status": "none", "done": 0, "total": 0}
    return {key: state[key] for key in ("status", "done", "total")} | {"worker_lost": bool(state.get("worker_lost"))}


@bp.route("/held/return/download", methods=["POST"])
def download_return():
    account = _held_account()
    if account is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.login"))
    try:
        data = exits.return_database(account, by=account.login, channel="web")
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("exits.held_return"))
    return _zip(data, f"participants-{account.login}.zip")


@bp.route("/held/erase", methods=["POST"])
def erase_now():
    account = _held_account()
    if account is None:
        return redirect(url_for("accounts.login"))
    form = EraseNowForm()
    if form.validate_on_submit():
        if check_password(account, form.password.data):
            login = account.login  # scrubbed by the erasure
            job = service.request_early_erasure(account)
            session.pop(HELD, None)
            session[ERASING], session[ERASING_LOGIN] = str(job.id), login
            return redirect(url_for("exits.erasing"))
        form.password.errors = ["The password is wrong."]
    return _held_page(account, form, 400)


def _erasure_job():
    """The early-erasure job this browser asked for (its id is in the session), or None."""
    try:
        job = jobs.get_job(session.get(ERASING, ""))
    except DomainError:
        return None
    return job if job.kind == service.EARLY_ERASURE_JOB else None


@bp.route("/erasing")
def erasing():
    """The early erasure's progress (a job); when it is done, what is left: the return for 7 days."""
    job = _erasure_job()
    if job is None:
        return redirect(url_for("accounts.login"))
    account = db.session.get(Account, job.account_id)
    exit_ = service.exit_of(account)
    if job.status == "done" and exit_ is not None and exit_.erased_at is not None:
        return render_template(
            "retention/erased.html",
            login=session.get(ERASING_LOGIN, ""),
            erased_on=exit_.erased_at,
            return_until=service.return_window_ends(account),
        )
    return render_template("retention/erasing.html", state=jobs.state(job))


@bp.route("/erasing/progress")
def erasing_progress():
    job = _erasure_job()
    if job is None:
        return {"status": "gone"}, 403
    state = jobs.state(job)
    return {key: state[key] for key in ("status", "done", "total")} | {"worker_lost": bool(state["worker_lost"])}


@bp.route("/held/leave", methods=["POST"])
def leave():
    session.pop(HELD, None)
    return redirect(url_for("accounts.login"))


@bp.route("/return", methods=["GET", "POST"])
def return_after_erasure():
    """After erasure: the login and the return code prove the organizer; the package is handed out once."""
    form = ReturnForm()
    if form.validate_on_submit():
        account = service.find_erased_for_return(form.login.data, form.code.data)
        if account is None:
            flash("Wrong login or return code, or nothing is left to return.", "error")
            return render_template("retention/return.html", form=form, return_days=RETURN_WINDOW_DAYS), 400
        try:
            data = exits.return_database(account, by="organizer (return code)", channel="web")
        except DomainError as exc:
            flash(exc.detail, "error")
            return render_template("retention/return.html", form=form, return_days=RETURN_WINDOW_DAYS), exc.status
        return _zip(data, "participants.zip")
    return render_template("retention/return.html", form=form, return_days=RETURN_WINDOW_DAYS), (
        400 if form.errors else 200
    )


@bp.route("/data.json")
def account_data():
    """Download my account data: profile, consents, contracts, access log (the organizer's or a held session's)."""
    account = current_user._get_current_object() if current_user.is_authenticated else _held_account()
    if account is None:
        return redirect(url_for("accounts.login"))
    return Response(
        exits.account_data(account),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="account-data.json"', "Cache-Control": "no-store"},
    )
