"""`/api/v1/registries/{id}/messages` and `/instructions`: the only way a service reaches participants."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api import access
from processor.api.auth import SECURITY, client_required, current_client, limit_per_client
from processor.errors import Forbidden
from processor.messaging import service
from processor.messaging.models import KINDS

bp = Blueprint(
    "messages_api",
    __name__,
    url_prefix="/api/v1/registries",
    description="Messages to participants, only on the organizer's instruction",
)


class MessageRequestSchema(ma.Schema):
    kind = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=40),
        metadata={"description": f"One of {', '.join(KINDS)}; any other kind (newsletter, promotion, ...) is refused."},
    )
    instruction_id = ma.fields.UUID(required=True, metadata={"description": "The organizer's instruction."})
    recipients = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(min=1, max=service.MAX_RECIPIENTS),
        metadata={"description": "Participant ids; never addresses."},
    )


class QueuedSchema(ma.Schema):
    queued = ma.fields.Integer(dump_only=True)
    message_ids = ma.fields.List(ma.fields.UUID(), dump_only=True)


class InstructionInputSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500))


class InstructionSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    registry_id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    note = ma.fields.String(dump_only=True, allow_none=True)
    created_by = ma.fields.String(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)


@bp.route("/<uuid:registry_id>/messages")
class Messages(MethodView):
    @client_required("messages:send")
    @bp.doc(security=SECURITY)
    @bp.arguments(MessageRequestSchema)
    @bp.response(202, QueuedSchema)
    def post(self, body, registry_id):
        """Queue messages to participants under the organizer's instruction (delivery is another system's)."""
        client = current_client()
        registry = access.open_registry(client, registry_id)
        ids = service.queue_messages(client, registry, **body)
        return {"queued": len(ids), "message_ids": ids}


@bp.route("/<uuid:registry_id>/instructions")
class Instructions(MethodView):
    @client_required("messages:send")
    @bp.doc(security=SECURITY)
    @bp.response(200, InstructionSchema(many=True))
    def get(self, registry_id):
        """List the organizer's messaging instructions for a registry."""
        return service.list_instructions(access.open_registry(current_client(), registry_id))

    @client_required("messages:send")
    @bp.doc(security=SECURITY)
    @bp.arguments(InstructionInputSchema)
    @bp.response(201, InstructionSchema)
    def post(self, body, registry_id):
        """Record the organizer's instruction (an organizer's own client only: services cannot instruct)."""
        client = current_client()
        if client.account_id is None:
            raise Forbidden("Only the organizer gives instructions: use a client the organizer created.")
        registry = access.open_registry(client, registry_id)
        return service.create_instruction(registry, **body, created_by=f"client:{client.name}")


limit_per_client(bp)
