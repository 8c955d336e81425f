"""The API shell under /api/v1: health and reference data; each domain adds its own blueprint."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from processor import countries
from processor.api.auth import limit_per_client
from processor.errors import NotFound

bp = Blueprint("api_meta", __name__, url_prefix="/api/v1", description="Service health and reference data")


class HealthSchema(ma.Schema):
    status = ma.fields.String(dump_only=True)


class CountryQuerySchema(ma.Schema):
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^[A-Za-z]{2}$", error="Give two letters, such as PL."),
        metadata={"description": "ISO 3166-1 alpha-2 code, any case; an unassigned one is 404", "example": "PL"},
    )


class CountrySchema(ma.Schema):
    code = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)


@bp.route("/health")
class Health(MethodView):
    @bp.response(200, HealthSchema)
    def get(self):
        """Report that the service answers."""
        return {"status": "ok"}


@bp.route("/countries")
class Country(MethodView):
    @bp.arguments(CountryQuerySchema, location="query")
    @bp.response(200, CountrySchema)
    @bp.doc(responses={"404": {"description": "No country has this code."}})
    def get(self, args):
        """Look up an ISO 3166-1 alpha-2 country code."""
        code = args["code"].upper()
        if not countries.is_country(code):
            raise NotFound("No country has the ISO 3166-1 alpha-2 code given.")
        return {"code": code, "name": countries.name(code)}


limit_per_client(bp)  # public, so limited per address (a token, when sent, gets its own bucket)
