"""Error pages for people, JSON for API clients; a `DomainError` no view caught is shown with its status."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ombudsman.api import common as api_common
from ombudsman.api import errors as api_errors
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.form_messages import FORM_EXPIRED
from ombudsman.request_input import is_api_request


def _wants_json() -> bool:
    return is_api_request() or request.accept_mimetypes.best == "application/json"


def _own_message(exc: HTTPException) -> str | None:
    """The message our own code gave the error (`ombudsman.request_input`), already translated."""
    return (getattr(exc, "data", None) or {}).get("message")


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = str(FORM_EXPIRED)
        if is_api_request():
            return api_errors.error_response(400, message, {"X-CSRFToken": [exc.description]})
        if _wants_json():
            return jsonify(error=message), 400
        return render_template("errors.html", code=400, message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        # A refusal no view caught: roll back what the request wrote and say why, with the error's status.
        db.session.rollback()
        if is_api_request():
            return api_common.domain_error(exc)
        if _wants_json():
            return jsonify(error=str(exc), fields=exc.field_messages()), exc.status
        return render_template("errors.html", code=exc.status, message=str(exc)), exc.status

    @app.errorhandler(413)
    def too_large(exc: HTTPException):
        limit = app.config["MAX_CONTENT_LENGTH"] // 1_048_576
        message = _own_message(exc) or _(
            "Kiriman terlalu besar (batas %(mb)d MB). Tidak ada yang disimpan.", mb=limit
        )
        if is_api_request():
            return api_errors.error_response(413, message, {"body": [message]})
        if _wants_json():
            return jsonify(error=message), 413
        return render_template("errors.html", code=413, message=message), 413

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if is_api_request():
            return api_errors.http_error(exc)
        messages = {
            400: _("Permintaan tidak sah."),
            401: _("Silakan masuk terlebih dahulu."),
            403: _("Anda tidak berwenang melakukan ini."),
            404: _("Halaman atau data tidak ditemukan."),
            405: _("Metode tidak diizinkan."),
            415: _("Jenis isi permintaan tidak didukung."),
            429: _("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        }
        message = _own_message(exc) or messages.get(exc.code or 500, exc.description)
        if _wants_json():
            return jsonify(error=message), exc.code
        return render_template("errors.html", code=exc.code, message=message), exc.code
