"""Organizers' own API clients: create (token shown once, a warning first when its calls would be refused), list
(expiry, last use, calls refused today), revoke (confirmed)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from processor import countries
from processor.clients import service
from processor.clients.forms import SCOPE_LABELS, ClientForm, RevokeForm, purpose_fields
from processor.db_types import utcnow
from processor.errors import DomainError, ValidationFailed
from processor.purposes import PurposeRefused
from processor.registries import service as registries
from processor.transfers.attestations import new_attestation
from processor.transfers.policy import today
from processor.web import apply_errors

bp = Blueprint("clients", __name__, url_prefix="/clients")


def _form(*, fresh: bool = False) -> ClientForm:
    """The create form (empty when `fresh`) with this organizer's registries and today's expiry bounds."""
    form = ClientForm(formdata=None) if fresh else ClientForm()
    form.registries.choices = [(str(r.id), r.name) for r in registries.list_registries(current_user.id)]
    first, last = today(), today() + dt.timedelta(days=service.MAX_EXPIRY_DAYS)
    form.expires_on.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
    if form.expires_on.data is None and (fresh or not form.is_submitted()):
        form.expires_on.data = first + dt.timedelta(days=service.DEFAULT_EXPIRY_DAYS)
    return form


def _held(form: ClientForm) -> list:
    if not form.attests.data:
        return []
    return [
        new_attestation(
            kind=form.attests.data,
            reference=form.attestation_reference.data,
            valid_from=today(),
            valid_to=form.attestation_valid_to.data,
            by=current_user.login,
        )
    ]


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form, token, warning, status = _form(), None, None, 200
    if form.validate_on_submit():
        try:
            client, token = service.create_client(
                name=form.name.data,
                scopes=form.scopes.data,
                purposes_granted=form.purposes.data,
                country=form.country.data,
                attestations=_held(form),
                account_id=current_user.id,
                created_by=current_user.login,
                expires_on=form.expires_on.data,
                registries=form.registries.data,
                warn_if_refused=True,
                confirmed_country=form.create_anyway.data,
            )
        except service.TransferWouldBeRefused as exc:
            warning = exc
        except PurposeRefused as exc:
            form.purposes.errors = [exc.detail]
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:  # a name taken by another client
            apply_errors(form, ValidationFailed(exc.detail, errors=exc.errors))
        else:
            # Rendered, not redirected: the token must not travel through the session or a URL.
            flash(f"Client {client.name} is created. Copy its token now: it is shown only once.", "success")
            form = _form(fresh=True)
    if form.errors:
        status = 400
    clients = service.list_clients(current_user.id)
    page = render_template(
        "clients/index.html",
        form=form,
        token=token,
        warning=warning,
        revoke_form=RevokeForm(),
        clients=clients,
        refused=service.refused_today(clients),
        now=utcnow(),
        today=today(),
        purpose_fields=purpose_fields,
        remedy=service.remedy,
        scope_labels=SCOPE_LABELS,
        country_name=countries.name,
    )
    return page, status, {"Cache-Control": "no-store"} if token else {}


@bp.route("/<name>/revoke", methods=["POST"])
@login_required
def revoke(name):
    if RevokeForm().validate_on_submit():
        client = service.revoke_client(name, account_id=current_user.id)
        flash(f"Client {client.name} is revoked; its token no longer works.", "success")
    return redirect(url_for("clients.index"))
