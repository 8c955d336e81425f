"""Wizard forms: they give labels and CSRF; the service validates everything again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from processor.csv_import.detect import DELIMITER_NAMES, ENCODING_LABELS
from processor.csv_import.mapping import CUSTOM, FIELD_LABELS, FIELDS, IGNORE

AUTOMATIC = SelectChoice("", "Detect automatically")
ENCODING_CHOICES = [SelectChoice(name, label) for name, label in ENCODING_LABELS.items()]
DELIMITER_CHOICES = [SelectChoice(d, name.capitalize()) for d, name in DELIMITER_NAMES.items()]
DUPLICATE_CHOICES = [
    SelectChoice("skip", "Skip them (keep what is stored)"),
    SelectChoice("update", "Update them with the file's values"),
    SelectChoice("fail", "Report them as errors"),
]
TARGET_CHOICES = [SelectChoice(field, FIELD_LABELS[field]) for field in (*FIELDS, CUSTOM, IGNORE)]


class UploadForm(FlaskForm):
    registry = SelectField("Registry", choices=[])
    file = FileField(
        "CSV file or Excel workbook (.xlsx)",
        validators=[FileRequired("Choose a CSV file or an Excel workbook.")],
        description="Exported from Excel, Google Sheets, Zoom (registration and attendee reports as they come), "
        "Eventbrite, ClickMeeting, Mailchimp or HubSpot.",
        render_kw={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"},
    )
    encoding = SelectField("Encoding", choices=[AUTOMATIC, *ENCODING_CHOICES], default="")
    delimiter = SelectField("Delimiter", choices=[AUTOMATIC, *DELIMITER_CHOICES], default="")
    sheet = StringField("Sheet of a workbook", description="Leave empty for the first sheet.")


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


def mapping_form(imp):
    """A form with one select per column of the file, plus the format and the duplicate rule."""

    class MappingForm(FlaskForm):
        encoding = SelectField("Encoding", choices=ENCODING_CHOICES, default=imp.encoding)
        delimiter = SelectField("Delimiter", choices=DELIMITER_CHOICES, default=imp.delimiter)
        on_duplicate = SelectField(
            "Participants already in the registry", choices=DUPLICATE_CHOICES, default=imp.on_duplicate
        )
        strict = BooleanField(
            "Reject a row with any invalid value",
            default=bool(imp.strict),
            description="Off: a participant whose phone, country, date or other optional value cannot be read is "
            "imported with that value left empty, and listed as a warning. On: the whole row is rejected.",
        )

    if imp.file_kind == "xlsx":
        MappingForm.sheet = SelectField(
            "Sheet",
            choices=[SelectChoice(name, name) for name in imp.sheets or [imp.sheet]],
            default=imp.sheet,
            description="Choosing another sheet reads its columns; map them again.",
        )
    for index, (name, target) in enumerate(zip(imp.header, imp.mapping, strict=True)):
        setattr(
            MappingForm,
            f"column_{index}",
            SelectField(name or f"Column {index + 1}", choices=TARGET_CHOICES, default=target),
        )
    form = MappingForm()
    form.columns = [form[f"column_{index}"] for index in range(len(imp.header))]
    return form
