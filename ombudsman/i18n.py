"""Interface language: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user

#: The session key of the language picked with the ID/EN links (`accounts.set_language`).
SESSION_KEY = "lang"


def select_locale() -> str:
    """The session's choice, then the user's saved choice, then Indonesian (always outside a request: CLI)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def choose(code: str) -> None:
    """Keep `code` (one of `LANGUAGES`, checked by the caller) as this browser session's language."""
    session[SESSION_KEY] = code


def clear_session_keeping_choice() -> str | None:
    """Empty the browser's session (the caller's reason: signing in, a password reset) except the language
    picked in it, which is not the visitor's secret and was chosen on purpose; returns that code, or None
    when none was picked (or the session holds one no longer offered)."""
    chosen = session.get(SESSION_KEY)
    session.clear()
    if chosen not in current_app.config["LANGUAGES"]:
        return None
    session[SESSION_KEY] = chosen
    return chosen
