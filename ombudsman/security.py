"""Request-wide guards: nobody reaches a page without logging in unless the view says it is public, an
authority's portal account reaches nothing but the portal, and every response carries the security headers."""

from __future__ import annotations

from functools import cache

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

#: The blueprint of the authority portal (`ombudsman.portal.views`): the only one portal accounts reach.
PORTAL_BLUEPRINT = "portal"


def require_login():
    """Send anonymous visitors to the login page (API clients get 401 JSON from the API's own guard);
    refuse (403) a signed-in portal account everywhere but the portal's pages and the public ones.

    The second rule is the one place that keeps authorities out of every staff page and API route,
    whatever role set a view names (a `PortalUser` has no staff role at all).
    """
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    public = getattr(view, "_public", False)
    portal_page = request.blueprint == PORTAL_BLUEPRINT
    if not public and not portal_page and getattr(current_user, "is_portal", False):
        abort(403)
    if public or request.blueprint in current_app.config.get("SELF_AUTH_BLUEPRINTS", ()):
        return None
    if not current_user.is_authenticated:
        login = "portal.login" if portal_page else "accounts.login"
        return redirect(url_for(login, next=request.full_path.rstrip("?")))
    return None


# --- security headers -------------------------------------------------------------------------------------
#
# A small after_request rather than Flask-Talisman: Talisman overwrites the CSP and X-Frame-Options of every
# response, but some responses carry a stricter or different policy of their own (the letter preview is
# framed by the letter's page and allows only its print styles; evidence files allow nothing), and keeping
# them would mean decorating those views in their packages with Talisman's per-view options.

#: Every page: our own scripts, styles, images and fonts only; no inline script or style, no framing.
#: img-src allows data: (Swagger UI's icons) and blob: (photo previews on the offline capture page).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-src 'self'",  # the letter preview
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: (lower-case name, name, value) of the headers above, in the order they are added; built once.
_DEFAULT_HEADERS = tuple(
    (name.lower(), name, value)
    for name, value in (("Content-Security-Policy", CONTENT_SECURITY_POLICY), *SECURITY_HEADERS.items())
)


@cache
def _hsts_value(seconds: int) -> str:
    return f"max-age={seconds}; includeSubDomains"


def set_security_headers(response):
    """after_request: CSP, framing, sniffing and referrer headers on every response; HSTS when configured.

    A response that set its own Content-Security-Policy keeps it (and may then be framed by its own site if
    its policy says `frame-ancestors 'self'`); a header a view set itself is never replaced.

    Runs on every response, so it reads the response's header names once (a set) rather than scanning the
    headers once per header it might add.
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers iterates as pairs)
    own_policy = headers.get("Content-Security-Policy") if "content-security-policy" in present else None
    for lower, name, value in _DEFAULT_HEADERS:
        if lower not in present:
            headers.add(name, value)
    if "x-frame-options" not in present:
        framing = "SAMEORIGIN" if own_policy and "frame-ancestors 'self'" in own_policy else "DENY"
        headers.add("X-Frame-Options", framing)
    seconds = int(current_app.config.get("HSTS_SECONDS") or 0)
    if seconds > 0 and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", _hsts_value(seconds))
    return response
