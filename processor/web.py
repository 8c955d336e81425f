"""The web shell: dashboard, navigation, health check, and the form helpers every domain's pages share."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

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
    """Register the dashboard, navigation and health check."""
    app.register_blueprint(bp)


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
    return render_template("dashboard.html", account=current_user)


@bp.route("/healthz")
def health():
    return {"status": "ok"}
