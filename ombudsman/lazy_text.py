"""Lazily translated text is escaped like any other text when it reaches HTML.

Flask-Babel's `LazyString` (what `lazy_gettext` and the project's own `LazyString(...)` messages return)
declares `__html__` as its plain text, so Jinja's autoescape and `markupsafe.escape` (WTForms labels,
errors, options) take it as markup already made safe. Many of these messages carry what users typed: a
routing rule's theme and reason in the routing suggestion, a name in a refusal. Rendered as markup, such a
value would put the author's tags into other users' pages (the Content-Security-Policy only stops scripts).

`install` makes a lazy string's HTML its text escaped. No message of the project holds markup of its own
(translations are plain text), so nothing shown changes but user text that looks like HTML. JSON is not
HTML: Flask's JSON encoder writes any object with `__html__` as that HTML, so the app's encoder writes a
lazy string as its plain text (API error messages stay as typed).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def _escaped(self: LazyString) -> Markup:
    """The text, translated now, escaped for HTML."""
    return escape(str(self))


def _plain(value: Any) -> Any:
    """JSON for what the standard encoder does not know: a lazy string is its text, translated now."""
    if isinstance(value, LazyString):
        return str(value)
    return DefaultJSONProvider.default(value)


class TextJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with lazily translated messages written as plain text."""

    default = staticmethod(_plain)


def install(app: Flask) -> None:
    """Make every `LazyString` escape its text when rendered into HTML (process-wide, idempotent) and
    `app` write it as plain text in JSON."""
    LazyString.__html__ = _escaped  # type: ignore[method-assign]
    app.json = TextJSONProvider(app)
