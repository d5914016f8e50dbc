"""The authority register (read-only here; admins edit it in the web UI)."""

from __future__ import annotations

from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.api import schemas
from ombudsman.api.common import ID, api_blueprint, page
from ombudsman.authorities import services
from ombudsman.authorities.models import Authority
from ombudsman.extensions import db

blp = api_blueprint(
    "api_authorities", __name__, description="The register of public bodies (shared by offices)."
)


@blp.route("/authorities", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.AuthorityArgs, location="query")
@blp.response(200, schemas.AuthorityPage)
def list_authorities(args):
    """Search the register by name (`q`) and `level`, ordered by name."""
    return page(services.search_query(args["q"], args.get("level")), args)


@blp.route(f"/authorities/<{ID}:authority_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.AuthorityOut)
def get_authority(authority_id: int):
    """One authority."""
    return db.get_or_404(Authority, authority_id)
