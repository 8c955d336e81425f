"""The import wizard: upload, mapping with a preview, dry run, commit with progress, report with the error file."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from processor.csv_import import files, service, tasks
from processor.csv_import.detect import DELIMITER_NAMES, ENCODING_LABELS
from processor.csv_import.forms import ActionForm, UploadForm, mapping_form
from processor.csv_import.layouts import LAYOUT_LABELS
from processor.csv_import.mapping import FIELD_LABELS
from processor.csv_import.reader import Limits
from processor.errors import DomainError
from processor.registries import service as registries

bp = Blueprint("imports", __name__, url_prefix="/imports")


# What each status means to the organizer, in the list and on the import's page.
STATUS_LABELS = {
    "uploaded": "Uploaded: map the columns",
    "planning": "Dry run running",
    "planned": "Dry run done: ready to commit",
    "committing": "Importing",
    "committed": "Imported",
    "failed": "Stopped: nothing imported",
    "discarded": "File deleted: nothing imported",
}
# Room for the multipart envelope around the file (boundaries, the other fields).
ENVELOPE_BYTES = 64 * 1024


@bp.context_processor
def _labels():
    return {
        "encoding_labels": ENCODING_LABELS,
        "delimiter_names": DELIMITER_NAMES,
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "layout_labels": LAYOUT_LABELS,
        "max_bytes": Limits.from_config(current_app.config).max_bytes,
    }


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    max_bytes = Limits.from_config(current_app.config).max_bytes
    # Refuse an oversized upload by its Content-Length, before reading (or receiving) its body.
    too_large = request.method == "POST" and (request.content_length or 0) > max_bytes + ENVELOPE_BYTES
    form = UploadForm(formdata=None) if too_large else UploadForm()
    # static/import_wizard.js refuses a larger file in the browser at once, before any byte is sent.
    form.file.render_kw = {**form.file.render_kw, "data-max-bytes": max_bytes, "data-too-large": _too_large(max_bytes)}
    form.file.description += f" At most {max_bytes / 1024 / 1024:,.0f} MB."
    choices = [SelectChoice(str(r.id), r.name) for r in registries.list_registries(current_user.id)]
    form.registry.choices = choices
    if request.method == "GET" and request.args.get("registry"):
        form.registry.data = request.args["registry"]  # "Import" from a registry's page preselects it
    if too_large:
        form.file.errors = [_too_large(max_bytes)]
    elif form.validate_on_submit():
        try:
            registry = registries.get_registry(current_user.id, form.registry.data)
            imp = service.start(
                current_user,
                registry,
                form.file.data.stream,
                encoding=form.encoding.data or None,
                delimiter=form.delimiter.data or None,
                file_name=form.file.data.filename,
                sheet=(form.sheet.data or "").strip() or None,
            )
        except DomainError as exc:
            form.file.errors = [exc.detail]
        else:
            return redirect(url_for("imports.mapping", import_id=imp.id))
    status = 413 if too_large else 400 if form.errors else 200
    response = make_response(
        render_template(
            "imports/index.html",
            form=form,
            imports=service.list_imports(current_user.id),
            registries={c.value: c.label for c in choices},
            has_registries=bool(choices),
        ),
        status,
    )
    if too_large:
        response.headers["Connection"] = "close"  # the body was not read
    return response


def _too_large(max_bytes: int) -> str:
    return (
        f"The file is larger than {max_bytes / 1024 / 1024:,.0f} MB: split it into smaller files (or remove "
        "columns you do not import) and upload each."
    )


@bp.route("/<import_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(import_id):
    imp = service.get_import(current_user.id, import_id)
    service.require_editable(imp)
    form = mapping_form(imp)
    failed = False
    if form.validate_on_submit():
        try:
            if imp.file_kind == "xlsx" and form.sheet.data and form.sheet.data != imp.sheet:
                service.change_sheet(imp, current_user, form.sheet.data)  # other columns: map them again
                return redirect(url_for("imports.mapping", import_id=imp.id))
            service.change_options(
                imp,
                current_user,
                mapping=[f.data for f in form.columns],
                on_duplicate=form.on_duplicate.data,
                encoding=request.form.get("use_encoding") or form.encoding.data,
                delimiter=form.delimiter.data,
                strict=form.strict.data,
            )
            if request.form.get("action") == "dry_run":
                tasks.launch(imp, current_user, "plan")
                return redirect(url_for("imports.show", import_id=imp.id))
            return redirect(url_for("imports.mapping", import_id=imp.id))
        except DomainError as exc:
            # Shown with the organizer's choices as posted (the form keeps them), not the stored mapping.
            flash(exc.detail, "error")
            failed = True
    preview, samples, alternatives = [], [], []
    if imp.file_key:
        try:
            preview = service.preview(imp, current_user)
            samples = service.samples(imp, current_user)
            alternatives = service.encoding_alternatives(imp)
        except DomainError as exc:
            flash(exc.detail, "error")
    return render_template(
        "imports/mapping.html",
        imp=imp,
        form=form,
        preview=preview,
        samples=samples,
        alternatives=alternatives,
        registry=service.registry_of(imp),
    ), 400 if form.errors or failed else 200


@bp.route("/<import_id>")
@login_required
def show(import_id):
    imp = service.get_import(current_user.id, import_id)
    state = tasks.progress(imp)
    return render_template(
        "imports/show.html",
        imp=imp,
        state=state,
        form=ActionForm(),
        registry=service.registry_of(imp),
        has_report=files.open_report(imp) is not None,
    )


@bp.route("/<import_id>/progress")
@login_required
def progress(import_id):
    return tasks.progress(service.get_import(current_user.id, import_id))


@bp.route("/<import_id>/commit", methods=["POST"])
@login_required
def commit(import_id):
    imp = service.get_import(current_user.id, import_id)
    if ActionForm().validate_on_submit():
        try:
            tasks.launch(imp, current_user, "commit")
        except DomainError as exc:
            flash(exc.detail, "error")
    return redirect(url_for("imports.show", import_id=imp.id))


@bp.route("/<import_id>/discard", methods=["POST"])
@login_required
def discard(import_id):
    imp = service.get_import(current_user.id, import_id)
    if ActionForm().validate_on_submit():
        try:
            service.discard(imp)
            flash("The uploaded file and its error file are deleted.", "success")
        except DomainError as exc:
            flash(exc.detail, "error")
    return redirect(url_for("imports.index"))


@bp.route("/<import_id>/errors.csv")
@login_required
def error_file(import_id):
    imp = service.get_import(current_user.id, import_id)
    stream = files.open_report(imp)
    if stream is None:
        abort(404)

    def chunks():
        with stream:
            yield from iter(lambda: stream.read(1 << 16), b"")

    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="import-{imp.id}-errors.csv"',
            "Cache-Control": "no-store",
        },
    )
