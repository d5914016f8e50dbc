"""The files a page's form carries (the finding form's photos, the evidence forms of the inspection and
finding pages): checked before anything is stored, stored all or nothing, and held across a refusal.

A refused form is shown again with its messages; the files that passed the checks are held for their owner
(`held_uploads`, 24 hours) and the redisplayed form names them, so the user never chooses them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from flask_login import current_user

from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import show_error
from ombudsman.inspections import held_uploads, services, storage
from ombudsman.inspections.commands import EvidenceDetails
from ombudsman.inspections.models import Finding, Inspection
from ombudsman.storage import evidence_dir

T = TypeVar("T")


def submitted_files(form, field: str) -> tuple[list[held_uploads.HeldUpload], list[storage.CheckedUpload]]:
    """The files `form` carries in its file field `field`: those held from its last display (less the ones
    the user asked to remove) and the newly chosen ones that pass the content checks.

    Each refusal (a bad or too large file, a token that is not the user's or has expired) goes under
    `field`; the other files are still returned. Files larger than `EVIDENCE_MAX_BYTES` are read only
    up to one byte past the limit.
    """
    root, limit = evidence_dir(), current_app.config["EVIDENCE_MAX_BYTES"]
    removed = set(request.form.getlist(held_uploads.REMOVE_FIELD))
    for token in removed:
        held_uploads.discard(root, token, current_user.id)
    held, fresh = [], []
    for token in request.form.getlist(held_uploads.FIELD):
        if token in removed:
            continue
        try:
            held.append(held_uploads.take(root, token, current_user.id, max_bytes=limit))
        except DomainError as exc:
            show_error(form, exc, default_field=field)
    for file in getattr(form, field).data or []:
        if not file or not (file.filename or file.content_length):
            continue
        try:
            fresh.append(storage.check_upload(file.read(limit + 1), file.filename or "", max_bytes=limit))
        except DomainError as exc:
            show_error(form, exc, default_field=field)
    return held, fresh


def hold_for_redisplay(
    held: list[held_uploads.HeldUpload], fresh: list[storage.CheckedUpload]
) -> list[held_uploads.HeldUpload]:
    """Every file of a refused form, held for the current user: the already held ones and the new ones."""
    return held + [held_uploads.hold(evidence_dir(), upload, current_user.id) for upload in fresh]


def release(held: list[held_uploads.HeldUpload]) -> None:
    """Remove the held copies of files now stored as evidence (after the commit)."""
    for item in held:
        held_uploads.release(evidence_dir(), item.token)


def store(
    inspection: Inspection,
    uploads: list[storage.CheckedUpload],
    finding: Finding | None = None,
    details: EvidenceDetails | None = None,
) -> None:
    """Record checked uploads as evidence of the inspection (and of `finding`) by the current user; the
    caller commits. Raises what `services.add_evidence` raises (`DomainError`)."""
    for upload in uploads:
        services.add_evidence(
            inspection,
            current_user,
            upload,
            root=evidence_dir(),
            thumbnail_px=current_app.config["EVIDENCE_THUMBNAIL_PX"],
            finding=finding,
            details=details,
        )


def save_with_files(
    form, field: str, valid: bool, save: Callable[[list[storage.CheckedUpload]], T]
) -> tuple[T | None, list[held_uploads.HeldUpload]]:
    """Submit a form with the file field `field`: gather its files (`submitted_files`); when the form was
    `valid` and every file passed, run `save(uploads)` (the service calls, which store the files), commit
    once, then drop the held copies.

    Returns (what `save` returned, []); or, after any refusal (its messages under the fields, `field` for the
    others; the session rolled back), (None, every file held for the redisplayed form).
    """
    held, fresh = submitted_files(form, field)
    if valid and not getattr(form, field).errors:
        try:
            result = save([h.upload for h in held] + fresh)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc, default_field=field)
        else:
            db.session.commit()
            release(held)
            return result, []
    return None, hold_for_redisplay(held, fresh)
