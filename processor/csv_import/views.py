"""The import wizard: upload, mapping with a preview, dry run, commit with progress, report with the error file."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from processor.csv_import import files, service, tasks
from processor.csv_import.detect import DELIMITER_NAMES, ENCODING_LABELS
from processor.csv_import.forms import ActionForm, UploadForm, mapping_form
from processor.csv_import.mapping import FIELD_LABELS
from processor.errors import DomainError
from processor.registries import service as registries

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.context_processor
def _labels():
    return {"encoding_labels": ENCODING_LABELS, "delimiter_names": DELIMITER_NAMES, "field_labels": FIELD_LABELS}


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = UploadForm()
    choices = [SelectChoice(str(r.id), r.name) for r in registries.list_registries(current_user.id)]
    form.registry.choices = choices
    if request.method == "GET" and request.args.get("registry"):
        form.registry.data = request.args["registry"]  # "Import" from a registry's page preselects it
    if form.validate_on_submit():
        try:
            registry = registries.get_registry(current_user.id, form.registry.data)
            imp = service.start(
                current_user,
                registry,
                form.file.data.stream,
                encoding=form.encoding.data or None,
                delimiter=form.delimiter.data or None,
            )
        except DomainError as exc:
            form.file.errors = [exc.detail]
        else:
            return redirect(url_for("imports.mapping", import_id=imp.id))
    return render_template(
        "imports/index.html",
        form=form,
        imports=service.list_imports(current_user.id),
        registries={c.value: c.label for c in choices},
        has_registries=bool(choices),
    ), 400 if form.errors else 200


@bp.route("/<import_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(import_id):
    imp = service.get_import(current_user.id, import_id)
    service.require_editable(imp)
    form = mapping_form(imp)
    if form.validate_on_submit():
        try:
            service.change_options(
                imp,
                current_user,
                mapping=[f.data for f in form.columns],
                on_duplicate=form.on_duplicate.data,
                encoding=form.encoding.data,
                delimiter=form.delimiter.data,
            )
            if request.form.get("action") == "dry_run":
                tasks.launch(imp, current_user, "plan")
                return redirect(url_for("imports.show", import_id=imp.id))
        except DomainError as exc:
            flash(exc.detail, "error")
        return redirect(url_for("imports.mapping", import_id=imp.id))
    try:
        preview = service.preview(imp, current_user) if imp.file_key else []
    except DomainError as exc:
        preview = []
        flash(exc.detail, "error")
    return render_template(
        "imports/mapping.html", imp=imp, form=form, preview=preview, registry=service.registry_of(imp)
    ), 400 if form.errors else 200


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
