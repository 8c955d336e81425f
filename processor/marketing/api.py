"""`GET /api/v1/marketing/audience`: the organizers who opted in to marketing, never a participant."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api.auth import SECURITY, client_required, limit_per_client
from processor.marketing import service

bp = Blueprint(
    "marketing_api",
    __name__,
    url_prefix="/api/v1/marketing",
    description="Marketing to organizers who opted in (never to participants)",
)


class AudienceMemberSchema(ma.Schema):
    account_id = ma.fields.UUID(dump_only=True)
    login = ma.fields.String(dump_only=True)
    email = ma.fields.Email(dump_only=True)
    first_name = ma.fields.String(dump_only=True)
    last_name = ma.fields.String(dump_only=True)
    consented_at = ma.fields.AwareDateTime(dump_only=True)
    consent_source = ma.fields.String(dump_only=True)
    unsubscribe_url = ma.fields.Url(
        dump_only=True,
        metadata={
            "description": "Put this link in every marketing message: it opts the organizer out without a login."
        },
    )


class AudienceSchema(ma.Schema):
    organizers = ma.fields.List(ma.fields.Nested(AudienceMemberSchema), dump_only=True)


@bp.route("/audience")
class Audience(MethodView):
    @client_required("marketing:audience")
    @bp.doc(security=SECURITY)
    @bp.response(200, AudienceSchema)
    def get(self):
        """List the organizers who opted in to marketing, each with their unsubscribe link."""
        members = service.audience()
        for member in members:
            member["unsubscribe_url"] = url_for(
                "marketing.unsubscribe_page", token=member.pop("unsubscribe_token"), _external=True
            )
        return {"organizers": members}


limit_per_client(bp)
