"""Internal services read an organizer's DPA status (scope contracts:read): is an agreement in force, is one due."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from contracts import service
from processor.accounts.service import get_by_login
from processor.api.auth import SECURITY, client_required, current_client, limit_per_client
from processor.errors import Forbidden

bp = Blueprint(
    "contracts_api",
    __name__,
    url_prefix="/api/v1/accounts",
    description="The data processing agreement of an organizer account",
)


class DpaStatusSchema(ma.Schema):
    login = ma.fields.String(dump_only=True)
    status = ma.fields.String(
        dump_only=True,
        metadata={
            "description": "State of the latest version: none, draft, signed (by the organizer) or countersigned"
        },
    )
    latest_version = ma.fields.Integer(dump_only=True, allow_none=True)
    in_force = ma.fields.Boolean(dump_only=True)
    in_force_version = ma.fields.Integer(dump_only=True, allow_none=True)
    in_force_since = ma.fields.AwareDateTime(
        dump_only=True, allow_none=True, metadata={"description": "When the processor countersigned it (UTC)"}
    )
    template_version = ma.fields.String(dump_only=True, allow_none=True)
    new_version_offered = ma.fields.Boolean(dump_only=True)
    changes = ma.fields.List(
        ma.fields.String(), dump_only=True, metadata={"description": "What changed since the last signed version"}
    )


@bp.route("/<string:login>/dpa")
class AccountDpa(MethodView):
    @client_required("contracts:read")
    @bp.doc(security=SECURITY)
    @bp.response(200, DpaStatusSchema)
    def get(self, login: str):
        """Read where an account's data processing agreement stands (internal services only)."""
        if current_client().account_id is not None:
            raise Forbidden("DPA status is read by the processor's internal services.")
        status = service.status(get_by_login(login))
        in_force = status.in_force
        return {
            "login": login.strip().lower(),
            "status": status.state,
            "latest_version": status.latest.version if status.latest else None,
            "in_force": in_force is not None,
            "in_force_version": in_force.version if in_force else None,
            "in_force_since": in_force.signature.countersigned_at if in_force else None,
            "template_version": in_force.template_version if in_force else None,
            "new_version_offered": status.new_version_offered,
            "changes": list(status.changes),
        }


limit_per_client(bp)
