"""JSON errors of the API: every failure under /api/ is `{"error": message, "fields": {name: [problems]}}`.

`ombudsman.errors` calls `http_error()` for any HTTP error on an /api/ path, including routing errors
(404, 405) that happen before a blueprint is known, so no HTML page ever reaches an API client.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ombudsman.api.messages import translated

# Request locations that webargs puts above field names; clients only care about the field.
_LOCATIONS = {"json", "query", "querystring", "form", "files", "multipart", "headers", "view_args"}


def _messages() -> dict[int, str]:
    return {
        400: _("Permintaan tidak sah."),
        401: _("Perlu token API yang sah (Authorization: Bearer \u2026) atau sesi masuk."),
        403: _("Anda tidak berwenang melakukan ini."),
        404: _("Data tidak ditemukan."),
        405: _("Metode tidak diizinkan."),
        409: _("Bertentangan dengan data yang sudah ada."),
        413: _("Kiriman terlalu besar. Tidak ada yang disimpan."),
        415: _("Kirim isi sebagai JSON (Content-Type: application/json)."),
        422: _("Data tidak sah."),
        429: _("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        500: _("Terjadi kesalahan di server. Tidak ada yang disimpan."),
    }


def _flatten(value: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        out.setdefault(prefix or "_schema", []).extend(value)
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _flatten(inner, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out.setdefault(prefix or "_schema", []).append(str(value))


def field_messages(messages: Any) -> dict[str, list[str]]:
    """Webargs/marshmallow messages as {"field" or "list.0.field": [problems]}, without the location level,
    in the request's language."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in _LOCATIONS:
                # {"json": ["Invalid JSON body."]} concerns the body as a whole.
                if isinstance(value, list | tuple):
                    _flatten(value, "body", out)
                else:
                    _flatten(value, "", out)
            else:
                _flatten(value, str(key), out)
    elif messages:
        _flatten(messages, "", out)
    # marshmallow's own messages in the caller's language, like the project's bounds (`api.messages`).
    return {name: [translated(problem) for problem in problems] for name, problems in out.items()}


def error_response(
    status: int, message: str | None = None, fields: dict[str, list[str]] | None = None, headers=None
) -> Response:
    """The JSON error response."""
    response = jsonify(error=message or _messages().get(status, ""), fields=fields or {})
    response.status_code = status
    for name, value in headers or ():
        response.headers[name] = value
    return response


def http_error(exc: HTTPException) -> Response:
    """Any HTTPException as a JSON error; webargs validation messages become `fields`."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    fields = field_messages(data.get("messages") or data.get("errors") or data.get("fields") or {})
    message = data.get("message") or _messages().get(status) or exc.description
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    headers += list((data.get("headers") or {}).items())
    return error_response(status, message, fields, headers)
