"""Request-wide guards: nobody reaches a page without logging in unless the view says it is public."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_login import current_user


def require_login():
    """Send anonymous visitors to the login page (API clients get 401 JSON from the API's own guard)."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_public", False) or request.blueprint in current_app.config.get(
        "SELF_AUTH_BLUEPRINTS", ()
    ):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return None
