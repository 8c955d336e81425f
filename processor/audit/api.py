"""Organizers read their access log through the API with a client of their own (scope audit:read)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api.auth import SECURITY, client_required, current_client, limit_per_client
from processor.audit import checkpoints, service
from processor.errors import Forbidden

bp = Blueprint("audit_api", __name__, url_prefix="/api/v1/audit", description="The organizer's access log")


class AuditQuerySchema(ma.Schema):
    before_seq = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=2**31 - 1))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    seq = ma.fields.Integer(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    channel = ma.fields.String(dump_only=True)
    actor_type = ma.fields.String(dump_only=True)
    actor = ma.fields.String(dump_only=True)
    purpose = ma.fields.String(dump_only=True)
    registry_id = ma.fields.UUID(dump_only=True, allow_none=True)
    fields = ma.fields.List(ma.fields.String(), attribute="field_list", dump_only=True)
    records = ma.fields.Integer(dump_only=True)
    destination_country = ma.fields.String(dump_only=True, allow_none=True)
    allowed = ma.fields.Boolean(dump_only=True)
    reason = ma.fields.String(dump_only=True, allow_none=True)
    prev_hash = ma.fields.String(dump_only=True)
    entry_hash = ma.fields.String(dump_only=True)


class AuditPageSchema(ma.Schema):
    entries = ma.fields.List(ma.fields.Nested(AuditEntrySchema), dump_only=True)
    intact = ma.fields.Boolean(dump_only=True)


@bp.route("")
class AuditLog(MethodView):
    @client_required("audit:read")
    @bp.doc(security=SECURITY)
    @bp.arguments(AuditQuerySchema, location="query")
    @bp.response(200, AuditPageSchema)
    def get(self, args):
        """Read the organizer's access log, newest first (an organizer's own client only)."""
        client = current_client()
        if client.account_id is None:
            raise Forbidden("The access log is read with an organizer's own client.")
        entries = service.list_entries(client.account_id, before_seq=args["before_seq"], limit=args["limit"])
        return {"entries": entries, "intact": service.verify_account(client.account_id) is None}


class CheckpointSchema(ma.Schema):
    kind = ma.fields.String(dump_only=True)
    account_id = ma.fields.String(dump_only=True)
    seq = ma.fields.Integer(dump_only=True)
    head = ma.fields.String(dump_only=True)
    time = ma.fields.String(dump_only=True)
    key_id = ma.fields.String(dump_only=True)
    signature = ma.fields.String(dump_only=True, metadata={"description": "Ed25519 over the other fields' JSON."})


@bp.route("/checkpoint")
class Checkpoint(MethodView):
    @client_required("audit:read")
    @bp.doc(security=SECURITY)
    @bp.response(200, CheckpointSchema)
    def get(self):
        """A freshly signed checkpoint of the organizer's log (keep it; `flask audit verify --checkpoint`)."""
        client = current_client()
        if client.account_id is None:
            raise Forbidden("The access log is read with an organizer's own client.")
        return checkpoints.issue(client.account_id)


limit_per_client(bp)
