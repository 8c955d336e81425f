"""Organizers' own API clients: create (token shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from processor.clients import service
from processor.clients.forms import ClientForm, RevokeForm
from processor.errors import DomainError, ValidationFailed
from processor.purposes import PurposeRefused
from processor.transfers.attestations import new_attestation
from processor.transfers.policy import today
from processor.web import apply_errors

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form, token, status = ClientForm(), None, 200
    if form.validate_on_submit():
        try:
            held = []
            if form.attests.data:
                held.append(
                    new_attestation(
                        kind=form.attests.data,
                        reference=form.attestation_reference.data,
                        valid_from=today(),
                        valid_to=form.attestation_valid_to.data,
                        by=current_user.login,
                    )
                )
            client, token = service.create_client(
                name=form.name.data,
                scopes=form.scopes.data,
                purposes_granted=form.purposes.data,
                country=form.country.data,
                attestations=held,
                account_id=current_user.id,
                created_by=current_user.login,
            )
        except PurposeRefused as exc:
            form.purposes.errors = [exc.detail]
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:  # a name taken by another client
            apply_errors(form, ValidationFailed(exc.detail, errors=exc.errors))
        else:
            # Rendered, not redirected: the token must not travel through the session or a URL.
            flash(f"Client {client.name} is created. Copy its token now: it is shown only once.", "success")
            form = ClientForm(formdata=None)
    if form.errors:
        status = 400
    return render_template(
        "clients/index.html",
        form=form,
        token=token,
        revoke_form=RevokeForm(),
        clients=service.list_clients(current_user.id),
    ), status


@bp.route("/<name>/revoke", methods=["POST"])
@login_required
def revoke(name):
    if RevokeForm().validate_on_submit():
        client = service.revoke_client(name, account_id=current_user.id)
        flash(f"Client {client.name} is revoked; its token no longer works.", "success")
    return redirect(url_for("clients.index"))
