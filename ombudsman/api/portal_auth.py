"""Who is calling the portal's API: an authority's system with a portal account's bearer token.

The portal routes (`/api/v1/portal/...`) take nothing else: no staff token (they start `omb_` and live in
another table), no session cookie of either kind. The staff routes never take a portal token
(`ombudsman.accounts.services.token_for_secret` only knows staff tokens). A portal request's account is
`current_account()`; Flask-Login's `current_user` is left alone (anonymous), so no staff check can ever
mistake an authority for a member of the office.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy.exc import IntegrityError

from ombudsman.accounts.services import TOKEN_PREFIX as STAFF_TOKEN_PREFIX
from ombudsman.api.common import PREFIX, ApiBlueprint, _integrity_error, domain_error
from ombudsman.clock import utcnow
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.portal import api_tokens
from ombudsman.portal.models import PortalUser

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ombudsman-portal"'}
#: The OpenAPI security requirement of every portal route (the scheme is declared in `ombudsman.api`).
SECURITY = [{"portal_bearer": []}]
F = TypeVar("F", bound=Callable)
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A portal account's token (`omp_…`), from `POST /api/v1/portal/tokens` or made by an "
    "admin. Staff tokens are refused here, and portal tokens everywhere else.",
}


def _refuse(message: str) -> None:
    abort(401, message=message, headers=CHALLENGE)


def authenticate() -> None:
    """before_request of the portal API blueprints: the token's account, or 401."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_public", False):
        return
    scheme, _sep, secret = (request.headers.get("Authorization") or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        _refuse(_("Perlu token API portal yang sah (Authorization: Bearer omp_\u2026)."))
    if secret.startswith(STAFF_TOKEN_PREFIX):
        _refuse(_("Token staf tidak berlaku untuk API portal: pakai token akun portal (omp_\u2026)."))
    token = api_tokens.token_for_secret(secret, now=utcnow())
    if token is None:
        _refuse(_("Token API portal tidak dikenal, kedaluwarsa atau dicabut."))
    g.portal_account = token.portal_user
    g.portal_token_id = token.id
    if db.session.dirty:  # last_used_at moved on
        db.session.commit()


def portal_only(view: F) -> F:
    """Guard of every portal route: no staff role may call it (`_roles` is empty, as the API's guard test
    reads it), and a non-public one needs the portal account `authenticate` found (else 401)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not getattr(view, "_public", False) and g.get("portal_account") is None:
            abort(401, headers=CHALLENGE)
        return view(*args, **kwargs)

    wrapper._roles = frozenset()  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def current_account() -> PortalUser:
    """The portal account of this request (set by `authenticate`)."""
    return g.portal_account


def portal_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint of portal routes under /api/v1: authenticates portal tokens, turns service refusals
    (`DomainError`) into JSON and documents the portal's bearer scheme on every route."""
    tag = name.removeprefix("api_")
    blp = ApiBlueprint(name, import_name, url_prefix=PREFIX, description=description, tag=tag)
    blp.before_request(authenticate)
    blp.register_error_handler(DomainError, domain_error)
    blp.register_error_handler(IntegrityError, _integrity_error)
    return blp
