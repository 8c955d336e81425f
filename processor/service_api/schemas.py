"""Input and output schemas of the participant endpoints; the OpenAPI document is generated from them."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from processor.api.fields import CommaSeparated
from processor.purposes import PURPOSES
from processor.registries.models import ENCRYPTED_FIELDS

DEFAULT_FIELDS = ("email", "first_name", "last_name")
MAX_PAGE_SIZE = 1000
# An address in the form the document can promise is looked up (ASCII; the normalizer decides the rest).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(\.{_ATOM})*@{_LABEL}(\.{_LABEL})*\.[A-Za-z]{{2,63}}$"
PURPOSE_HELP = (
    "The purpose of this use, from the taxonomy: participant data is handed out only for essential "
    "purposes granted to the client; marketing, analytics and third-party sharing are refused (403)."
)


def purpose_field() -> ma.fields.String:
    return ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(tuple(PURPOSES)),
        metadata={"description": PURPOSE_HELP, "example": "essential.service.notifications.email"},
    )


def fields_field() -> CommaSeparated:
    return CommaSeparated(
        ENCRYPTED_FIELDS,
        load_default=list(DEFAULT_FIELDS),
        metadata={
            "description": "Comma-separated fields to return (default: email and names), such as "
            "`email,phone`; `fields=email&fields=phone` is read the same. Each field handed out is logged.",
            "example": "email,first_name,last_name",
        },
    )


class ParticipantQuerySchema(ma.Schema):
    purpose = purpose_field()
    fields = fields_field()


class ParticipantListQuerySchema(ParticipantQuerySchema):
    page_size = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))
    page_token = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "next_page_token of the previous page, with the same other parameters."},
    )


class ChangesQuerySchema(ParticipantQuerySchema):
    page_size = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "The cursor of the previous response; omit it to start from the beginning."},
    )


class ParticipantSearchSchema(ma.Schema):
    purpose = purpose_field()
    email = ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(min=1, max=320),
            ma.validate.Regexp(EMAIL_PATTERN, error="Give an email address, such as ada@example.org."),
        ],
        metadata={
            "description": "Exact email look-up through the blind index: at most one participant.",
            "example": "ada@example.org",
        },
    )
    fields = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(ENCRYPTED_FIELDS)),
        load_default=list(DEFAULT_FIELDS),
        validate=ma.validate.Length(min=1, max=len(ENCRYPTED_FIELDS)),
    )


class ParticipantSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)
    email = ma.fields.String(dump_only=True)
    first_name = ma.fields.String(dump_only=True, allow_none=True)
    last_name = ma.fields.String(dump_only=True, allow_none=True)
    phone = ma.fields.String(dump_only=True, allow_none=True)
    company = ma.fields.String(dump_only=True, allow_none=True)
    job_title = ma.fields.String(dump_only=True, allow_none=True)
    country = ma.fields.String(dump_only=True, allow_none=True)
    custom_fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), dump_only=True)
    registered_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    joined_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    left_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    minutes_attended = ma.fields.Integer(dump_only=True, allow_none=True)
    lawful_basis = ma.fields.String(dump_only=True, allow_none=True)


class DeletionSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    deleted_at = ma.fields.AwareDateTime(dump_only=True)


class UnreadableSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    incident = ma.fields.String(dump_only=True)


def unreadable_field() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(UnreadableSchema),
        dump_only=True,
        metadata={
            "description": "Rows withheld because they failed their integrity check (tampered or corrupted): "
            "quote the incident id to support. The rest of the page is served."
        },
    )


class ParticipantPageSchema(ma.Schema):
    unreadable = unreadable_field()
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema), dump_only=True)
    next_page_token = ma.fields.String(dump_only=True, allow_none=True)
    deleted = ma.fields.List(
        ma.fields.Nested(DeletionSchema),
        dump_only=True,
        metadata={"description": "Deletion markers (in the change feed): erase these ids."},
    )


class ChangesPageSchema(ma.Schema):
    unreadable = unreadable_field()
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema), dump_only=True)
    deleted = ma.fields.List(ma.fields.Nested(DeletionSchema), dump_only=True)
    cursor = ma.fields.String(dump_only=True, metadata={"description": "Poll again with this cursor."})
    more = ma.fields.Boolean(dump_only=True, metadata={"description": "True: ask again at once, more is waiting."})


class RegistrySchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(dump_only=True)
    webinar_date = ma.fields.Date(dump_only=True, allow_none=True)


class RegistryListSchema(ma.Schema):
    registries = ma.fields.List(ma.fields.Nested(RegistrySchema), dump_only=True)


def dump_participant(row: dict, fields) -> dict:
    """Dump one participant as ParticipantSchema would, without its per-field machinery.

    Pages of 1,000 rows spend more time in marshmallow than in decryption; a test holds this to the schema.
    """
    out = {"id": str(row["id"]), "updated_at": row["updated_at"].isoformat()}
    for field in fields:
        value = row[field]
        out[field] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def dump_page(page: dict, fields) -> dict:
    """Dump a page of participants (or of changes) as ParticipantPageSchema (ChangesPageSchema) would."""
    out = {
        "participants": [dump_participant(row, fields) for row in page["participants"]],
        "deleted": [{"id": str(d["id"]), "deleted_at": d["deleted_at"].isoformat()} for d in page["deleted"]],
    }
    for key in ("next_page_token", "cursor", "more"):
        if key in page:
            out[key] = page[key]
    if "unreadable" in page:
        out["unreadable"] = [{"id": str(b["id"]), "incident": b["incident"]} for b in page["unreadable"]]
    return out
