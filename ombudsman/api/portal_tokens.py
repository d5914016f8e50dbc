"""Portal tokens, the authority's side: exchange a portal account's e-mail and password for a token, see
the account, revoke the token in use. (Admins make and revoke tokens for an account in `portal_admin`.)"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g
from flask_babel import gettext as _
from flask_smorest import abort

from ombudsman import contracts
from ombudsman.accounts.permissions import public
from ombudsman.api import portal_schemas as schemas
from ombudsman.api.portal_auth import SECURITY, current_account, portal_blueprint, portal_only
from ombudsman.clock import utcnow
from ombudsman.extensions import db, limiter
from ombudsman.portal import api_tokens, scope
from ombudsman.portal.api_models import PortalApiToken

blp = portal_blueprint(
    "api_portal_tokens", __name__, description="Bearer tokens of authorities' portal accounts."
)


def _rate_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


@blp.route("/portal/tokens", methods=["POST"])
@portal_only
@public
@limiter.limit(_rate_limit)
@blp.arguments(schemas.PortalTokenIn)
@blp.response(201, schemas.PortalTokenOut)
@blp.doc(security=[])
def create_token(data):
    """Sign in with a portal account: returns a token for `Authorization: Bearer <token>` (shown once).

    The portal's sign-in rules apply (the same password policy and lockout as the portal's page).
    """
    lifetime = timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
    issued = api_tokens.create_token(
        contracts.build(api_tokens.NewPortalApiToken, data, password=data["password"]),
        lifetime=lifetime,
        now=utcnow(),
    )
    if issued is None:
        db.session.commit()  # the failure counts toward the account's lockout
        abort(
            401,
            message=_("E-mail atau kata sandi salah."),
            fields={"password": [_("E-mail atau kata sandi salah.")]},
        )
    token, secret = issued
    db.session.commit()
    return schemas.new_token_body(token, secret)


@blp.route("/portal/tokens/current", methods=["DELETE"])
@portal_only
@blp.response(204)
@blp.doc(security=SECURITY)
def revoke_current_token():
    """Revoke the token this request was made with (sign the system out)."""
    api_tokens.revoke_token(db.session.get(PortalApiToken, g.portal_token_id), now=utcnow())
    db.session.commit()
    return None


@blp.route("/portal/me", methods=["GET"])
@portal_only
@blp.response(200, schemas.PortalMeOut)
@blp.doc(security=SECURITY)
def me():
    """The token's portal account, its authority and the bodies it answers for."""
    account = current_account()
    return {
        "id": account.id,
        "email": account.email,
        "name": account.name,
        "authority_id": account.authority_id,
        "authority": account.authority,
        "authority_ids": sorted(scope.authority_ids(account)),
    }
