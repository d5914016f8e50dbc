"""The signed session cookie, as Flask makes it, with its signing serializer built once per set of keys.

Flask's `SecureCookieSessionInterface` builds a new `URLSafeTimedSerializer` (which serializes a probe value
to find out its own type) every time it opens or saves a session, that is on every request. The cookie's
format, salt, key derivation, digest, key rotation (SECRET_KEY_FALLBACKS) and expiry are Flask's own.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    """Flask's cookie session; the serializer is kept while SECRET_KEY and its fallbacks stay the same."""

    def __init__(self) -> None:
        # (keys, serializer) in one attribute, replaced whole: a concurrent request never pairs one set of
        # keys with another's serializer.
        self._cached: tuple[tuple, URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for `app`'s current keys (None without a SECRET_KEY, as in Flask)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # current key last, as in Flask
        cached = self._cached
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._cached = (keys, serializer)
        return serializer
