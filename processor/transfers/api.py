"""The adequacy registry as reference data on the API: may participant data go to this country on this day?"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from processor.api.auth import limit_per_client
from processor.transfers.policy import ATTESTATION_KINDS, TransferPolicy

bp = Blueprint(
    "transfers_api",
    __name__,
    url_prefix="/api/v1/transfers",
    description="Where participant data may go: the EEA and EU adequacy decisions, by day",
)


class DecisionQuerySchema(ma.Schema):
    # Any string: a malformed code is a refusal with its own rule, as in the Python API, not a 400.
    country = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=64),
        metadata={"description": "ISO 3166-1 alpha-2 code, any case"},
    )
    on = ma.fields.Date(load_default=None, metadata={"description": "the day of the transfer (default: today, UTC)"})
    attests = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(ATTESTATION_KINDS)),
        load_default=list,
        metadata={"description": "attestations the recipient holds that day (repeat the parameter)"},
    )
    dpf_certified = ma.fields.Boolean(load_default=False, metadata={"description": "same as attests=dpf"})


class DecisionSchema(ma.Schema):
    allowed = ma.fields.Boolean(dump_only=True)
    rule = ma.fields.String(dump_only=True)
    reason = ma.fields.String(dump_only=True)
    source = ma.fields.String(dump_only=True)
    country = ma.fields.String(dump_only=True)
    on = ma.fields.Date(dump_only=True)
    condition = ma.fields.String(dump_only=True)
    attestation = ma.fields.String(dump_only=True, metadata={"description": "the attestation the decision needs"})


@bp.route("/decision")
class TransferDecision(MethodView):
    @bp.arguments(DecisionQuerySchema, location="query")
    @bp.response(200, DecisionSchema)
    def get(self, args):
        """Judge a destination on a day; a refusal is an answer (allowed false), not an error."""
        return TransferPolicy().check(
            args["country"], on=args["on"], attestations=args["attests"], dpf_certified=args["dpf_certified"]
        )


limit_per_client(bp)  # public reference data, limited per address
