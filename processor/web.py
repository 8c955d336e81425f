"""The web shell: dashboard, navigation, health check, and the form helpers every domain's pages share."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from processor import dashboard as figures
from processor import problems, purposes, request_guard
from processor.errors import ValidationFailed

bp = Blueprint("web", __name__)

# (endpoint, label): each domain's page appears once its blueprint is registered.
NAVIGATION = (
    ("registries.index", "Registries"),
    ("imports.index", "Imports"),
    ("subject_requests.index", "Requests"),
    ("contracts.index", "Data processing agreement"),
    ("clients.index", "API clients"),
    ("audit.index", "Access log"),
    ("transfers.destinations", "Where data goes"),
    ("accounts.settings", "Account"),
)


def init_app(app: Flask) -> None:
    """Guard every request's input; register the dashboard, navigation, health check and problem pages."""
    request_guard.init_app(app)
    app.register_blueprint(bp)
    app.add_template_filter(when)
    app.add_template_filter(purposes.label, "purpose")
    problems.init_app(app)


def when(moment: datetime | date | None) -> Markup:
    """Show a moment readably (`30 Nov 2026, 16:16 UTC`) in a <time> element a script turns into local time."""
    if moment is None:
        return Markup("")
    if not isinstance(moment, datetime):
        return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), f"{moment.day} {moment:%b %Y}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return Markup('<time datetime="{}" data-local>{}</time>').format(
        moment.isoformat(timespec="seconds"), f"{moment.day} {moment:%b %Y, %H:%M} UTC"
    )


def int_arg(name: str, *, minimum: int = 1, maximum: int = request_guard.INT_MAX) -> int | None:
    """An optional whole-number query parameter; anything else, or out of range, is 400 naming it."""
    text = request.args.get(name)
    if text is None or text == "":
        return None
    if not text.isascii() or not text.isdigit() or not minimum <= int(text) <= maximum:
        raise ValidationFailed(
            f"The query parameter {name} must be a whole number from {minimum} to {maximum}.",
            errors=[{"parameter": name, "detail": f"Give a whole number from {minimum} to {maximum}."}],
        )
    return int(text)


def apply_errors(form, error: ValidationFailed) -> None:
    """Show a service's field errors beside the form's fields."""
    for entry in error.errors:
        field = getattr(form, entry.get("field", ""), None)
        if field is not None:
            field.errors = [*field.errors, entry["detail"]] if isinstance(field.errors, list) else [entry["detail"]]
        else:
            flash(entry["detail"], "error")


@bp.app_context_processor
def navigation():
    return {
        "navigation": [(endpoint, label) for endpoint, label in NAVIGATION if endpoint in current_app.view_functions]
    }


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    return redirect(url_for("accounts.signup"))


@bp.route("/dashboard")
@login_required
def dashboard():
    return render_template("dashboard.html", account=current_user, counts=figures.counts(current_user.id))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico before reading the page's <link rel=icon>: point them at the SVG."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
def health():
    return {"status": "ok"}
