"""The organizer's "Data processing agreement" pages: prepare, preview, download, sign, certificate, verify."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contracts import evidence, render, service, signing, verification
from contracts.context import BusinessDetails
from contracts.forms import DetailsForm, ScanForm, SignForm, VerifyForm
from processor.errors import DomainError, ValidationFailed
from processor.web import apply_errors

bp = Blueprint("contracts", __name__, url_prefix="/contracts")
DETAIL_FIELDS = ("business_name", "street", "postal_code", "city", "country", "contact", "dpo")
# The processor's signing certificates are published to anyone who holds a signed copy.
PUBLIC_ENDPOINTS = {"contracts.signing_keys", "contracts.signing_certificate"}


@bp.before_request
def _organizers_only():
    """Every page here is the signed-in organizer's own, except the published signing keys."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


@bp.app_context_processor
def _dpa_summary():
    """`dpa_summary()` for the dashboard: where the signed-in organizer's agreement stands."""

    def dpa_summary():
        return service.summary(current_user.id) if current_user.is_authenticated else None

    return {"dpa_summary": dpa_summary}


@bp.route("/", methods=["GET", "POST"])
def index():
    account = current_user._get_current_object()
    form = DetailsForm(obj=service.last_details(account) if request.method == "GET" else None)
    form.fill(account)
    if form.validate_on_submit():
        try:
            details = BusinessDetails.parse(**{name: form[name].data for name in DETAIL_FIELDS})
            agreement = service.prepare(account, details)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"Version {agreement.version} is ready: read it, download it and sign it.", "success")
            return redirect(url_for("contracts.version", version=agreement.version))
    return render_template(
        "contracts/index.html",
        form=form,
        account=account,
        status=service.status(account),
        versions=service.versions(account),
        verify_form=VerifyForm(),
    ), 400 if form.errors else 200


@bp.route("/v<int:version>")
def version(version: int):
    return _version_page(version)


@bp.route("/v<int:version>/<string:filename>.docx")
def download(version: int, filename: str):
    agreement = service.get_version(current_user, version)
    return _attachment(agreement.document, render.DOCX_MIMETYPE, f"{agreement.file_stem}.docx")


@bp.route("/v<int:version>/signed.docx")
def signed_docx(version: int):
    agreement = service.get_version(current_user, version)
    if agreement.signed_document is None:
        return redirect(url_for("contracts.certificate", version=version))
    return _attachment(agreement.signed_document, render.DOCX_MIMETYPE, f"{agreement.file_stem}-signed.docx")


@bp.route("/v<int:version>/pdf")
def pdf(version: int):
    """The signed copy with the processor's PAdES signature once countersigned; before that the draft."""
    agreement = service.get_version(current_user, version)
    if agreement.signed_document is not None:
        return _attachment(evidence.signed_pdf(agreement), "application/pdf", f"{agreement.file_stem}-signed.pdf")
    return _attachment(render.to_pdf(agreement.document), "application/pdf", f"{agreement.file_stem}.pdf")


@bp.route("/signing-keys")
def signing_keys():
    return render_template("contracts/signing_keys.html", keys=signing.published_keys())


@bp.route("/signing-keys/<string:key_id>.pem")
def signing_certificate(key_id: str):
    record = next((key for key in signing.published_keys() if key.key_id == key_id), None)
    if record is None:
        abort(404)
    pem = record.certificate_pem or record.public_key_pem
    response = Response(pem, mimetype="application/x-pem-file")
    response.headers["Content-Disposition"] = f'attachment; filename="dpa-signing-{record.key_id}.pem"'
    return response


@bp.route("/v<int:version>/sign", methods=["POST"])
def sign(version: int):
    form = SignForm()
    if form.validate_on_submit():
        try:
            evidence.sign_electronically(
                current_user,
                version,
                signer_name=form.signer_name.data,
                signer_role=form.signer_role.data,
                consent=form.consent.data,
                **_client(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"Version {version} is signed and countersigned: it is in force.", "success")
            return redirect(url_for("contracts.certificate", version=version))
    return _version_page(version, sign_form=form, status_code=400)


@bp.route("/v<int:version>/scan", methods=["POST"])
def scan(version: int):
    form = ScanForm()
    if form.validate_on_submit():
        try:
            evidence.upload_scan(
                current_user,
                version,
                data=form.scan.data.read(evidence.MAX_SCAN_BYTES + 1),
                signer_name=form.signer_name.data,
                signer_role=form.signer_role.data,
                **_client(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"The scan of version {version} is stored; the processor will countersign it.", "success")
            return redirect(url_for("contracts.certificate", version=version))
    return _version_page(version, scan_form=form, status_code=400)


@bp.route("/v<int:version>/scan")
def scan_file(version: int):
    agreement = service.get_version(current_user, version)
    signature = agreement.signature
    if signature is None or signature.scan is None:
        return redirect(url_for("contracts.certificate", version=version))
    extension = evidence.SCAN_EXTENSIONS[signature.scan_mimetype]
    return _attachment(signature.scan, signature.scan_mimetype, f"{agreement.file_stem}-signed.{extension}")


@bp.route("/v<int:version>/certificate")
def certificate(version: int):
    agreement = service.get_version(current_user, version)
    check = verification.verify_document(agreement.document, account=current_user) if agreement.signature else None
    return render_template(
        "contracts/certificate.html",
        agreement=agreement,
        signature=agreement.signature,
        check=check,
        pdf=render.pdf_available(),
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    form = VerifyForm()
    check = None
    if form.validate_on_submit():
        check = verification.verify_document(form.document.data.read(), account=current_user)
    return render_template("contracts/verify.html", form=form, check=check), 400 if form.errors else 200


def _version_page(number: int, *, sign_form=None, scan_form=None, status_code=200):
    account = current_user._get_current_object()
    agreement = service.get_version(account, number)
    return render_template(
        "contracts/version.html",
        agreement=agreement,
        status=service.status(account),
        blocks=render.preview_blocks(agreement.document),
        pdf=render.pdf_available(),
        sign_form=sign_form or SignForm(),
        scan_form=scan_form or ScanForm(),
    ), status_code


def _client() -> dict:
    return {"ip": request.remote_addr or "", "user_agent": request.user_agent.string or ""}


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
