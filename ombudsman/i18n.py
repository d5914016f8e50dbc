"""Interface language: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    """The session's choice, then the user's saved choice, then Indonesian (also outside a request: a
    message a command-line task or a service test renders)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]
