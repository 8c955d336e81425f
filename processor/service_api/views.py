"""`/api/v1/registries...`: the registries a client may see and their participants, purpose-bound."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api import access
from processor.api.auth import SECURITY, client_required, current_client, limit_per_client
from processor.service_api import reads
from processor.service_api.schemas import (
    ChangesPageSchema,
    ChangesQuerySchema,
    ParticipantListQuerySchema,
    ParticipantPageSchema,
    ParticipantQuerySchema,
    ParticipantSchema,
    ParticipantSearchSchema,
    RegistryListSchema,
    dump_page,
)

bp = Blueprint(
    "registries_api",
    __name__,
    url_prefix="/api/v1/registries",
    description="Participant registries, read by internal services for a stated purpose",
)


@bp.route("")
class Registries(MethodView):
    @client_required()
    @bp.doc(security=SECURITY)
    @bp.response(200, RegistryListSchema)
    def get(self):
        """List the registries this client may see (an organizer's client: only that organizer's)."""
        return {"registries": access.visible_registries(current_client())}


@bp.route("/<uuid:registry_id>/participants")
class Participants(MethodView):
    @client_required("participants:read")
    @bp.doc(security=SECURITY)
    @bp.arguments(ParticipantListQuerySchema, location="query")
    @bp.response(200, ParticipantPageSchema)
    def get(self, args, registry_id):
        """Read participants page by page, only the fields asked for, for a stated purpose (logged).

        `email` and `updated_since` are not parameters any more (an email in a URL lands in access logs; a time
        watermark misses rows committed late): they are refused with a 400 that names what to use instead.
        """
        reads.refuse_retired_parameters(request.args)
        # Dumped by dump_page (equal to the schema's dump, see its test): marshmallow would cost more than decryption.
        return jsonify(dump_page(reads.read_page(current_client(), registry_id, **args), args["fields"]))


@bp.route("/<uuid:registry_id>/changes")
class Changes(MethodView):
    @client_required("participants:read")
    @bp.doc(security=SECURITY)
    @bp.arguments(ChangesQuerySchema, location="query")
    @bp.response(200, ChangesPageSchema)
    def get(self, args, registry_id):
        """The change feed: participants written and ids deleted since the cursor, in commit order (logged)."""
        return jsonify(dump_page(reads.read_changes(current_client(), registry_id, **args), args["fields"]))


@bp.route("/<uuid:registry_id>/participants/search")
class ParticipantSearch(MethodView):
    @client_required("participants:read")
    @bp.doc(security=SECURITY)
    @bp.arguments(ParticipantSearchSchema)
    @bp.response(200, ParticipantPageSchema)
    def post(self, args, registry_id):
        """Find a participant by exact email, given in the JSON body so it never appears in a URL (logged)."""
        return jsonify(dump_page(reads.search(current_client(), registry_id, **args), args["fields"]))


@bp.route("/<uuid:registry_id>/participants/<uuid:participant_id>")
class Participant(MethodView):
    @client_required("participants:read")
    @bp.doc(security=SECURITY)
    @bp.arguments(ParticipantQuerySchema, location="query")
    @bp.response(200, ParticipantSchema)
    def get(self, args, registry_id, participant_id):
        """Read one participant for a stated purpose (logged)."""
        return reads.read_one(current_client(), registry_id, participant_id, **args)


limit_per_client(bp)
