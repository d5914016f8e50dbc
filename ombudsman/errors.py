"""The one error type that services raise when they refuse something.

A service never returns a half-done change: it raises a `DomainError` (or one of the four subclasses that
callers tell apart) carrying a message for a person and, where a field is at fault, the field's messages.
Messages are lazily translated strings (`flask_babel.lazy_gettext`), rendered in the language of whoever reads
them: the web views redisplay the form or flash them (`ombudsman.forms_common.show_error`), and the API turns
them into `{"error": …, "fields": {…}}` with the subclass's HTTP status in one place (`ombudsman.api.common`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The form-wide key for messages that concern no single field (the same key marshmallow uses).
GENERAL = "_schema"


class DomainError(Exception):
    """A service refused the change; nothing of it is kept.

    `message`: a lazily translated string (or a plain one for text that needs no translation).
    `field`: the input field at fault, when one is; `fields` adds messages for several fields at once,
    as `{field: [message, …]}`. `status` is the HTTP status the API answers with.
    """

    status = 422

    def __init__(self, message: Any, field: str | None = None, *, fields: Mapping[str, Iterable[Any]] = ()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields: dict[str, list[Any]] = {name: list(values) for name, values in dict(fields).items()}
        if field is not None:
            self.fields.setdefault(field, []).append(message)

    def __str__(self) -> str:
        return str(self.message)

    def field_messages(self) -> dict[str, list[str]]:
        """The per-field messages rendered in the current language; `_schema` when no field is at fault."""
        rendered = {name: [str(m) for m in messages] for name, messages in self.fields.items()}
        return rendered or {GENERAL: [str(self.message)]}


class Invalid(DomainError):
    """The input breaks a rule (a bound, a state the record is not in, a reference that does not fit): 422."""


class NotFound(DomainError):
    """The record does not exist for this caller (another office's records are "not found" too): 404."""

    status = 404


class Forbidden(DomainError):
    """The caller's role may not do this to this record: 403."""

    status = 403


class Conflict(DomainError):
    """The change clashes with a concurrent one or with a record that already exists: 409."""

    status = 409
