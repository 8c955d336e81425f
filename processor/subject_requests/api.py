"""`/api/v1/subject-requests`: an internal service relays a request it received; organizer clients list and act."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api import access
from processor.api.auth import SECURITY, client_required, current_client, limit_per_client
from processor.errors import Forbidden
from processor.registries.models import ENCRYPTED_FIELDS
from processor.subject_requests import actions, service
from processor.subject_requests.models import KINDS

bp = Blueprint(
    "subject_requests_api",
    __name__,
    url_prefix="/api/v1/subject-requests",
    description="Data-subject requests: recorded for the organizer (the controller), answered within 30 days",
)
SCOPE = "requests:write"


class RequestInputSchema(ma.Schema):
    registry_id = ma.fields.UUID(required=True, metadata={"description": "The registry the person is known from."})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    email = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=3, max=320),
        metadata={"description": "The person's email; found in all the organizer's registries, stored encrypted."},
    )


class StepSchema(ma.Schema):
    at = ma.fields.AwareDateTime(dump_only=True)
    actor = ma.fields.String(dump_only=True)
    action = ma.fields.String(dump_only=True)
    detail = ma.fields.String(dump_only=True, allow_none=True)


class RequestSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    channel = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    received_at = ma.fields.AwareDateTime(dump_only=True)
    due_on = ma.fields.Date(dump_only=True)
    extension_reason = ma.fields.String(dump_only=True, allow_none=True)
    refusal_reason = ma.fields.String(dump_only=True, allow_none=True)
    overdue = ma.fields.Boolean(dump_only=True)
    recipients = ma.fields.List(
        ma.fields.String(), dump_only=True, metadata={"description": "After an erasure: who to tell (Art 19)."}
    )
    steps = ma.fields.List(ma.fields.Nested(StepSchema), dump_only=True)


class RequestListSchema(ma.Schema):
    requests = ma.fields.List(ma.fields.Nested(RequestSchema), dump_only=True)


class ListQuerySchema(ma.Schema):
    overdue = ma.fields.Boolean(load_default=False)


class CarryOutSchema(ma.Schema):
    changes = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(ENCRYPTED_FIELDS)),
        load_default=None,
        metadata={"description": "For a rectification: the corrected fields."},
    )


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    months = ma.fields.Integer(load_default=2, validate=ma.validate.Range(min=1, max=2))


def _dump(request) -> dict:
    """The request as RequestSchema dumps it: its own columns, whether it is overdue, and its steps."""
    return {
        "id": request.id,
        "kind": request.kind,
        "channel": request.channel,
        "status": request.status,
        "received_at": request.received_at,
        "due_on": request.due_on,
        "extension_reason": request.extension_reason,
        "refusal_reason": request.refusal_reason,
        "overdue": request.overdue_at is not None and request.is_open,
        "recipients": request.recipients or [],
        "steps": service.steps_of(request),
    }


def _visible(request_id):
    """The request if the client may see its organizer's data; otherwise 404."""
    request = service.get_request(request_id)
    if not current_client().may_see(request.account_id):
        raise service.RequestNotFound()
    return request


def _own(request_id):
    """Acting on a request is the organizer's decision: only its own clients may."""
    request = _visible(request_id)
    if current_client().account_id != request.account_id:
        raise Forbidden("Only the organizer's own clients act on its requests; an internal service relays them.")
    return request


def _actor() -> service.Actor:
    return service.Actor(current_client().name, "api")


@bp.route("")
class Requests(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.arguments(RequestInputSchema)
    @bp.response(201, RequestSchema)
    def post(self, body):
        """Record a request received for the organizer of `registry_id`; due 30 days after receipt."""
        registry = access.open_registry(current_client(), body["registry_id"])
        request = service.create_request(
            registry.account_id, kind=body["kind"], email=body["email"], actor=_actor(), registry_id=registry.id
        )
        return _dump(request)

    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.arguments(ListQuerySchema, location="query")
    @bp.response(200, RequestListSchema)
    def get(self, args):
        """List the organizer's requests (an organizer's client only), open ones first by due date."""
        client = current_client()
        if client.account_id is None:
            raise Forbidden("Only an organizer's own client lists its requests.")
        return {"requests": [_dump(r) for r in service.list_requests(client.account_id, overdue=args["overdue"])]}


@bp.route("/<uuid:request_id>")
class Request(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.response(200, RequestSchema)
    def get(self, request_id):
        """Read a request: its status, due date and steps (no personal data)."""
        return _dump(_visible(request_id))


@bp.route("/<uuid:request_id>/carry-out")
class CarryOut(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.arguments(CarryOutSchema)
    @bp.response(200, RequestSchema)
    def post(self, body, request_id):
        """Carry out the request on the organizer's decision (organizer clients)."""
        return _dump(actions.carry_out(_own(request_id), actor=_actor(), changes=body["changes"]))


@bp.route("/<uuid:request_id>/extend")
class Extend(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.arguments(ReasonSchema)
    @bp.response(200, RequestSchema)
    def post(self, body, request_id):
        """Extend the due date once, by up to two months, with the reason (organizer clients)."""
        return _dump(service.extend_request(_own(request_id), actor=_actor(), **body))


@bp.route("/<uuid:request_id>/refuse")
class Refuse(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.arguments(ReasonSchema)
    @bp.response(200, RequestSchema)
    def post(self, body, request_id):
        """Refuse the request, with the reason the person will be told (organizer clients)."""
        request = _own(request_id)
        service.refuse_request(request, reason=body["reason"], actor=_actor())
        return _dump(request)


@bp.route("/<uuid:request_id>/lift")
class Lift(MethodView):
    @client_required(SCOPE)
    @bp.doc(security=SECURITY)
    @bp.response(200, RequestSchema)
    def post(self, request_id):
        """Lift a carried-out restriction or objection: the rows are processed normally again (organizer clients)."""
        request = _own(request_id)
        actions.lift_restriction(request, actor=_actor())
        return _dump(request)


@bp.route("/<uuid:request_id>/download")
class Download(MethodView):
    @client_required(SCOPE)
    @bp.doc(
        security=SECURITY,
        responses={200: {"description": "The ZIP (person.json, person.csv)", "content": {"application/zip": {}}}},
    )
    def get(self, request_id):
        """Fetch an access/portability download once (organizer clients); it is destroyed afterwards."""
        data = actions.fetch_download(_own(request_id), actor=_actor())
        return Response(
            data,
            mimetype="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="request-{request_id}.zip"',
                "Cache-Control": "no-store",
            },
        )


limit_per_client(bp)
