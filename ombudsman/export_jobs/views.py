"""/exports/<id>: an export's waiting page (it refreshes itself until the file is ready), and its file.

`answer` is what the export URLs of other pages (`/deadlines/export.csv`, `/letters/export.xlsx`, ...)
return: the file itself without a queue, else a redirect to the waiting page of a new (or the same waiting)
export job. A job is a record and work on the queue, so only a form starts one (POST, with the CSRF token):
a GET of the URL (a bookmark, a link in a mail, a prefetch) answers a page with that form and records
nothing. Only the user who asked sees the page and the file: anyone else gets 404.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from redis.exceptions import RedisError

from ombudsman import clock, exports, storage
from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.export_jobs import services
from ombudsman.export_jobs.kinds import KINDS
from ombudsman.export_jobs.models import ExportJob, ExportKind
from ombudsman.extensions import db
from ombudsman.jobs import queue
from ombudsman.templating import carried_args

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__, url_prefix="/exports")

#: Seconds between two loads of the waiting page.
REFRESH_SECONDS = 3


def answer(kind: ExportKind, fmt: str) -> ResponseReturnValue:
    """The export of `kind` in format `fmt` for the signed-in user, filtered by the query string.

    Without a queue: the file, made now (GET or POST). With one: on POST, 303 to the waiting page of a
    queued job; on GET, the page with the form that starts it (nothing recorded). When Redis cannot be
    reached, the file is made now as well (logged), rather than an error.
    """
    office = current_user.office
    kind_of = KINDS[kind]
    filters = kind_of.parse(request.args)  # an id out of range is a 400 here, before anything is recorded
    today = clock.today(office.timezone)
    if not queue.uses_queue():
        return exports.table_response(kind_of.table(office, today, filters), fmt)
    if request.method != "POST":
        return render_template("exports/start.html", kind=kind_of, file_format=fmt, action=request.full_path)
    asked = {"as_of": today, "args": carried_args(), "locale": str(get_locale() or "id")}
    export: ExportJob | None = None
    try:
        export = services.waiting_twin(kind, fmt, user=current_user, **asked)
        if export is None:
            export = services.record(kind, fmt, office=office, user=current_user, **asked)
            db.session.commit()  # the worker reads the row
            services.submit(export)
    except (RedisError, OSError):
        log.exception("export of %s: the queue cannot be reached; made in the request", kind.value)
        db.session.rollback()
        if export is not None:  # recorded, not queued
            services.forget(export)
            db.session.commit()
        return exports.table_response(kind_of.table(office, today, filters), fmt)
    return redirect(url_for("exports.show", export_id=export.id), 303)


@bp.get("/<int:export_id>")
@roles_required(EVERYONE)
def show(export_id: int):
    """The export's state: being prepared (the page refreshes itself), ready (the link) or failed."""
    export = services.owned_or_404(export_id, current_user)
    return render_template(
        "exports/show.html",
        export=export,
        status=services.status(export),
        statuses=services.ExportStatus,
        kind=KINDS[export.kind],
        expires_at=services.expires_at(export),
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/<int:export_id>/file")
@roles_required(EVERYONE)
def file(export_id: int):
    """The export's file as the job wrote it (checked against its SHA-256), to the user who asked only."""
    export = services.owned_or_404(export_id, current_user)
    if export.ready_at is None:
        abort(404)
    try:
        data = services.file_bytes(export, storage.evidence_storage())
    except FileNotFoundError:
        abort(404)
    except services.ChangedFile:
        log.error("export %s: the stored file differs from the one written; not served", export.id)
        abort(404)
    response = exports.file_response(export.filename, export.file_format, data)
    response.headers["Cache-Control"] = "private, no-store"
    return response
