"""The files a page's form carries (the finding form's photos, the evidence forms of the inspection and
finding pages): checked before anything is stored, stored all or nothing, and held across a refusal.

A refused form is shown again with its messages; the files that passed the checks are held for their owner
(`held_uploads`, 24 hours) and the redisplayed form names them, so the user never chooses them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Generic, TypeVar

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


def submitted_files(
    form,
    field: str,
    *,
    slot: str = "photo",
    check: Callable[[storage.CheckedUpload], None] | None = None,
) -> tuple[list[held_uploads.HeldUpload], list[storage.CheckedUpload]]:
    """The files `form` carries in its file field `field`: those held from its last display (tokens in the
    hidden field `held_<slot>`, less the ones ticked in `remove_held_<slot>`, see `held_uploads.field_names`)
    and the newly chosen ones, each passing the content checks and `check` (which raises `DomainError` for a
    file this field does not take, e.g. a reply letter that is no PDF). Held files are checked again: a token
    can be moved from one field's hidden input to another's; one this field refuses is removed.

    Each refusal (a bad or too large file, a token that is not the account's or has expired) goes under
    `field`; the other files are still returned. A single-file field keeps one file: a newly chosen one
    replaces a held one (whose copy is removed). Files larger than `EVIDENCE_MAX_BYTES` are read only up to
    one byte past the limit.
    """
    root, limit = evidence_dir(), current_app.config["EVIDENCE_MAX_BYTES"]
    owner = held_uploads.owner_key(current_user)
    held_name, remove_name = held_uploads.field_names(slot)
    removed = set(request.form.getlist(remove_name))
    for token in removed:
        held_uploads.discard(root, token, owner)
    held, fresh = [], []
    for token in request.form.getlist(held_name):
        if token in removed:
            continue
        try:
            item = held_uploads.take(root, token, owner, max_bytes=limit)
        except DomainError as exc:
            show_error(form, exc, default_field=field)
            continue
        try:
            if check is not None:
                check(item.upload)
        except DomainError as exc:
            held_uploads.release(root, token)  # the account's own file, taken: this field never takes it
            show_error(form, exc, default_field=field)
        else:
            held.append(item)
    data = getattr(form, field).data
    multiple = isinstance(data, list | tuple)
    for file in data if multiple else [data]:
        if not file or not (file.filename or file.content_length):
            continue
        try:
            upload = storage.check_upload(file.read(limit + 1), file.filename or "", max_bytes=limit)
            if check is not None:
                check(upload)
            fresh.append(upload)
        except DomainError as exc:
            show_error(form, exc, default_field=field)
    if not multiple and len(held) + len(fresh) > 1:
        dropped, held = (held, []) if fresh else (held[1:], held[:1])
        fresh = fresh[:1]
        release(dropped)
    return held, fresh


def hold_for_redisplay(
    held: list[held_uploads.HeldUpload], fresh: list[storage.CheckedUpload]
) -> list[held_uploads.HeldUpload]:
    """Every file of a refused form, held for the current account: the already held ones and the new ones."""
    owner = held_uploads.owner_key(current_user)
    return held + [held_uploads.hold(evidence_dir(), upload, owner) for upload in fresh]


def release(held: list[held_uploads.HeldUpload]) -> None:
    """Remove the held copies of files now stored (after the commit), or replaced by a new choice."""
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
    """Submit a form with the one file field `field` (held tokens in `held_photo`): gather its files
    (`submitted_files`); when the form was `valid` and every file passed, run `save(uploads)` (the service
    calls, which store the files), commit once, then drop the held copies.

    Returns (what `save` returned, []); or, after any refusal (its messages under the fields, `field` for the
    others; the session rolled back), (None, every file held for the redisplayed form).
    """
    outcome = save_with_fields(form, {field: "photo"}, valid, lambda files: save(files[field]))
    return (outcome.result, []) if outcome.saved else (None, outcome.held[field])


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """What `save_with_fields` did: `saved` (committed) with what `save` returned as `result`, or refused with
    `held` mapping each file field to its files held for the redisplayed form (empty when saved)."""

    saved: bool
    result: T | None = None
    held: dict[str, list[held_uploads.HeldUpload]] = dataclass_field(default_factory=dict)


def save_with_fields(
    form,
    slots: Mapping[str, str],
    valid: bool,
    save: Callable[[dict[str, list[storage.CheckedUpload]]], T],
    *,
    checks: Mapping[str, Callable[[storage.CheckedUpload], None]] | None = None,
    default_field: str | None = "",
) -> Submitted[T]:
    """Submit a form with file fields, each kept in its own field: `slots` maps each file field to the slot
    naming its hidden inputs (`held_uploads.field_names`; the field's own name for a form with several);
    `checks` gives a field its own check of each file (see `submitted_files`). A refusal naming no field of
    the form goes under `default_field` ("" for the first file field; None flashes it above the form).

    When the form was `valid` and every file passed, runs `save({field: uploads})` (the service calls, which
    store the files), commits once, then drops the held copies: `Submitted(True, result)`. After any refusal
    (a `DomainError` from `save` goes under the field it names, else as `default_field` says; the session is
    rolled back, so no row and no stored file is left) returns `Submitted(False, held=…)` with every file
    of each field held for the redisplayed form.
    """
    checks = checks or {}
    gathered = {
        name: submitted_files(form, name, slot=slot, check=checks.get(name)) for name, slot in slots.items()
    }
    if valid and not any(getattr(form, name).errors for name in slots):
        try:
            files = {name: [h.upload for h in held] + fresh for name, (held, fresh) in gathered.items()}
            result = save(files)
        except DomainError as exc:
            db.session.rollback()
            target = next(iter(slots)) if default_field == "" else default_field
            show_error(form, exc, default_field=target)
        else:
            db.session.commit()
            for held, _fresh in gathered.values():
                release(held)
            return Submitted(True, result)
    return Submitted(False, held={name: hold_for_redisplay(*files) for name, files in gathered.items()})
