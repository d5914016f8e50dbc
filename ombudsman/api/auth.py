"""Who is calling the API: a bearer token, or the browser's own session.

Every API blueprint runs `authenticate()` before its views (the app-wide login redirect skips them, see
`SELF_AUTH_BLUEPRINTS`). Roles and office isolation are then exactly the web UI's: views use
`roles_required` and `office_record_or_404` from `ombudsman.accounts.permissions`.

- `Authorization: Bearer <token>`: the token's user for this request only; no session cookie is written,
  and no CSRF token is needed (a browser never adds that header on its own).
- no Authorization header: the signed-in session (the offline capture page calls the API like this);
  then every unsafe method must carry the page's CSRF token in `X-CSRFToken`, as forms do in a field.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ombudsman.accounts import services as accounts
from ombudsman.clock import utcnow
from ombudsman.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRFToken"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ombudsman"'}


def authenticate() -> None:
    """before_request of the API blueprints: identify the caller or answer 401 (or 400 for CSRF)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_public", False):
        return
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.strip().partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = accounts.token_for_secret(secret.strip(), now=utcnow())
        if token is None:
            abort(401, headers=CHALLENGE)
        user, token_id = token.user, token.id
        if db.session.dirty:  # last_used_at moved on
            db.session.commit()
        # Flask-Login reads the request's user from g: this sets it for this request alone.
        g._login_user = user
        g.api_token_id = token_id
        return
    if not current_user.is_authenticated:
        abort(401, headers=CHALLENGE)
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get(CSRF_HEADER))
        except ValidationError as exc:
            abort(
                400,
                message=_("Token CSRF hilang atau tidak sah: kirim header X-CSRFToken dari halaman."),
                fields={CSRF_HEADER: [str(exc)]},
            )
