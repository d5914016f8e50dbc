"""Portal tokens, the office's side: an admin makes a token for an authority's portal account (for the
authority's system; the secret is shown once), lists an account's tokens and revokes one.

These are staff routes (a staff token or session, the admin role); portal tokens never reach them. An admin
manages only the accounts of an authority their office has dealt with (`contacts.require_steward`): 403
otherwise, with the reason.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import ADMIN, roles_required
from ombudsman.api import portal_schemas as schemas
from ombudsman.api.common import ID, api_blueprint
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.portal import api_tokens, contacts
from ombudsman.portal.api_models import PortalApiToken
from ombudsman.portal.models import PortalUser

blp = api_blueprint(
    "api_portal_admin", __name__, description="Tokens for authorities' systems, made by an admin."
)


def _account(portal_user_id: int) -> PortalUser:
    """The portal account, 404 when there is none; `Forbidden` (403) when the caller is not its authority's
    steward."""
    account = db.session.get(PortalUser, portal_user_id)
    if account is None:
        abort(404)
    contacts.require_steward(current_user, account.authority_id)
    return account


def _steward_first(view):
    """Check the account and the caller's stewardship (404, 403) before the body is read: a caller who may
    not act on the account learns that, not what is wrong with the body. The view gets `account`."""

    @wraps(view)
    def checked(*args, portal_user_id: int, **kwargs):
        return view(*args, account=_account(portal_user_id), **kwargs)

    return checked


@blp.route(f"/portal-users/<{ID}:portal_user_id>/tokens", methods=["POST"])
@roles_required(ADMIN)
@_steward_first
@blp.arguments(schemas.PortalTokenIssueIn)
@blp.response(201, schemas.PortalTokenOut)
def issue_token(data, account: PortalUser):
    """Make a token for the portal account (`days` long, 30 by default); the secret is shown only here."""
    cmd = contracts.build(api_tokens.IssuePortalApiToken, data)
    token, secret = api_tokens.issue_for(account, cmd, by=current_user, now=utcnow())
    db.session.commit()
    return schemas.new_token_body(token, secret)


@blp.route(f"/portal-users/<{ID}:portal_user_id>/tokens", methods=["GET"])
@roles_required(ADMIN)
@blp.response(200, schemas.PortalTokenList)
def list_tokens(portal_user_id: int):
    """The portal account's tokens, newest first (never their secrets)."""
    return {"items": api_tokens.tokens_of(_account(portal_user_id))}


@blp.route(f"/portal-tokens/<{ID}:token_id>", methods=["DELETE"])
@roles_required(ADMIN)
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke a portal token; revoking a revoked one changes nothing."""
    token = db.session.get(PortalApiToken, token_id)
    if token is None:
        abort(404)
    contacts.require_steward(current_user, token.portal_user.authority_id)
    api_tokens.revoke_token(token, now=utcnow(), by=current_user)
    db.session.commit()
    return None
