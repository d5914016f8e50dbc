"""Tokens: exchange an e-mail and password for a bearer token; who am I; sign the token out."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from ombudsman.accounts import services as accounts
from ombudsman.accounts.commands import NewApiToken
from ombudsman.accounts.models import ApiToken
from ombudsman.accounts.permissions import EVERYONE, public, roles_required
from ombudsman.api import schemas
from ombudsman.api.common import api_blueprint
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.extensions import db, limiter

blp = api_blueprint("api_tokens", __name__, description="Bearer tokens and the signed-in user.")


def _rate_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


@blp.route("/tokens", methods=["POST"])
@public
@limiter.limit(_rate_limit)
@blp.arguments(schemas.TokenIn)
@blp.response(201, schemas.TokenOut)
@blp.doc(security=[])
def create_token(data):
    """Sign in: returns a token to send as `Authorization: Bearer <token>` (shown only once)."""
    lifetime = timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
    issued = accounts.create_token(NewApiToken(**data), lifetime=lifetime, now=utcnow())
    if issued is None:
        db.session.commit()  # the failure counts toward the account's lockout (ombudsman.accounts.lockout)
        abort(
            401,
            message=_("E-mail atau kata sandi salah."),
            fields={"password": [_("E-mail atau kata sandi salah.")]},
        )
    token, secret = issued
    db.session.commit()
    return {"id": token.id, "token": secret, "prefix": token.prefix, "expires_at": token.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@roles_required(EVERYONE)
@blp.response(204)
def revoke_current_token():
    """Revoke the token this request was made with (sign the client out)."""
    token_id = getattr(g, "api_token_id", None)
    if token_id is None:
        abort(400, message=_("Permintaan ini tidak memakai token API."))
    token = db.session.get(ApiToken, token_id)
    if accounts.revoke_token(token, now=utcnow()):
        audit.record(
            "api_token",
            token.id,
            "revoked",
            user_id=current_user.id,
            office_id=current_user.office_id,
            changes={"prefix": token.prefix},
        )
    db.session.commit()
    return None


@blp.route("/me", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.MeOut)
def me():
    """The signed-in user, their role and office."""
    return current_user
