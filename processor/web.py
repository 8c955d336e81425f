"""The web shell: dashboard, navigation and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

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
