"""What happens while a recommendation is followed up: the authority's responses, re-inspections on site,
escalation letters sent, and the outcome that closes the follow-up (or reopens it).

Each entry point takes its command (`commands.py`), the checked uploads beside it, `today` and the acting
user; it flushes and never commits, and raises `Invalid` when the record makes no sense.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ombudsman import contracts
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.deadlines.commands import (
    RecordEscalation,
    RecordOutcome,
    RecordReinspection,
    RecordResponse,
    Reopen,
)
from ombudsman.deadlines.models import EscalationStep, EventKind, FileRole, FollowUpEvent, FollowUpFile
from ombudsman.deadlines.records import (
    DEADLINE_FIELDS,
    add_event,
    audit_deadline,
    not_before_receipt,
    required_day,
    required_text,
)
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation, RecommendationStatus

REINSPECTION_RESULTS = (
    RecommendationStatus.IMPLEMENTED,
    RecommendationStatus.PARTIALLY_IMPLEMENTED,
    RecommendationStatus.NOT_IMPLEMENTED,
)
# The outcome note of a recommendation closed on evidence alone (no words typed).
EVIDENCE_ATTACHED_NOTE = "Bukti terlampir pada tindak lanjut."


@dataclass(frozen=True)
class FileStore:
    """Where follow-up files go (the evidence store) and how big photo thumbnails are (pixels)."""

    root: Path
    thumbnail_px: int


def _attach(
    event: FollowUpEvent,
    uploads: Iterable[storage.CheckedUpload],
    role: FileRole,
    user: User | None,
    store: FileStore,
):
    for upload in uploads:
        key, thumb = storage.save(store.root, upload, thumbnail_px=store.thumbnail_px)
        event.files.append(
            FollowUpFile(
                office_id=event.office_id,
                role=role,
                original_filename=upload.filename,
                content_type=upload.content_type,
                size_bytes=upload.size,
                sha256=upload.sha256,
                storage_key=key,
                thumbnail_key=thumb,
                uploaded_by_id=user and user.id,
            )
        )


def _files_audit(event: FollowUpEvent) -> list[dict]:
    return [{"role": f.role.value, "filename": f.original_filename, "sha256": f.sha256} for f in event.files]


def _audit_event(event: FollowUpEvent, action: str, user: User | None, changes: dict) -> None:
    db.session.flush()
    audit.record(
        "follow_up", event.id, action, user_id=user and user.id, office_id=event.office_id, changes=changes
    )


def record_response(
    rec: Recommendation,
    cmd: RecordResponse,
    *,
    reply_letter: storage.CheckedUpload | None,
    evidence: Sequence[storage.CheckedUpload],
    user: User | None,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Record the authority's response (date, summary, reply letter, evidence); open becomes in progress.

    `user` is the staff member who recorded it, or None when the authority answered in its portal
    (`ombudsman.portal.responses`, which keeps who answered).
    """
    contracts.validate(cmd, today)
    responded_on = required_day(cmd.responded_on, "responded_on", _l("Isi tanggal tanggapan."))
    not_before_receipt(rec.deadline, responded_on, "responded_on", _l("Tanggal tanggapan"))
    summary = required_text(cmd.summary, "summary", _l("Isi ringkasan tanggapan."))
    if rec.status in CLOSED_STATUSES:
        raise Invalid(_l("Rekomendasi sudah ditutup; buka kembali untuk mencatat tanggapan."), "summary")
    event = add_event(rec, EventKind.RESPONSE, responded_on, user, note=summary)
    _attach(event, [reply_letter] if reply_letter else [], FileRole.REPLY_LETTER, user, store)
    _attach(event, evidence, FileRole.EVIDENCE, user, store)
    if rec.status is RecommendationStatus.OPEN:
        recommendations.update(rec, user, {"status": RecommendationStatus.IN_PROGRESS}, follow_up=True)
    changes = {"recommendation_id": rec.id, "on": responded_on.isoformat(), "files": _files_audit(event)}
    _audit_event(event, "response", user, changes)
    return event


def record_reinspection(
    rec: Recommendation,
    cmd: RecordReinspection,
    *,
    photos: Sequence[storage.CheckedUpload],
    user: User,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Record a visit that checked on site whether the recommendation was carried out."""
    contracts.validate(cmd, today)
    inspected_on = required_day(cmd.inspected_on, "inspected_on", _l("Isi tanggal inspeksi ulang."))
    not_before_receipt(rec.deadline, inspected_on, "inspected_on", _l("Tanggal inspeksi ulang"))
    if cmd.result not in {r.value for r in REINSPECTION_RESULTS}:
        raise Invalid(_l("Pilih hasil inspeksi ulang."), "result")
    note = required_text(cmd.note, "note", _l("Tuliskan apa yang dilihat saat inspeksi ulang."))
    event = add_event(rec, EventKind.REINSPECTION, inspected_on, user, note=note, result=cmd.result)
    _attach(event, photos, FileRole.EVIDENCE, user, store)
    changes = {"recommendation_id": rec.id, "result": cmd.result, "files": _files_audit(event)}
    _audit_event(event, "reinspection", user, changes)
    return event


def record_outcome(
    rec: Recommendation,
    cmd: RecordOutcome,
    *,
    evidence: Sequence[storage.CheckedUpload],
    user: User,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Close the follow-up with an outcome; needs evidence or a reason. The deadline becomes met or late."""
    contracts.validate(cmd, today)
    try:
        outcome = RecommendationStatus(cmd.status)
    except ValueError:
        outcome = None
    if outcome not in CLOSED_STATUSES:
        raise Invalid(_l("Pilih hasil tindak lanjut."), "status")
    closed_on = required_day(cmd.closed_on, "closed_on", _l("Isi tanggal hasil."))
    not_before_receipt(rec.deadline, closed_on, "closed_on", _l("Tanggal hasil"))
    note = (cmd.note or "").strip()
    if not note and not evidence:
        raise Invalid(_l("Menutup rekomendasi memerlukan bukti atau alasan."), "note")
    if rec.status in CLOSED_STATUSES:
        raise Invalid(_l("Rekomendasi sudah ditutup."), "status")
    event = add_event(rec, EventKind.CLOSED, closed_on, user, note=note, result=outcome.value)
    _attach(event, evidence, FileRole.EVIDENCE, user, store)
    recommendations.update(
        rec, user, {"status": outcome, "outcome_note": note or EVIDENCE_ATTACHED_NOTE}, follow_up=True
    )
    deadline = rec.deadline
    if deadline is not None:
        before = audit.snapshot(deadline, DEADLINE_FIELDS)
        deadline.closed_on = closed_on
        event.old_due_on = event.new_due_on = deadline.due_on
        changes = audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS))
        changes["outcome"] = outcome.value
        changes["met"] = closed_on <= deadline.due_on
        db.session.flush()
        audit_deadline(deadline, "closed", user, changes)
    changes = {"recommendation_id": rec.id, "outcome": outcome.value, "files": _files_audit(event)}
    _audit_event(event, "closed", user, changes)
    return event


def reopen(rec: Recommendation, cmd: Reopen, *, user: User, today: date) -> FollowUpEvent:
    """Reopen a closed follow-up (a wrong outcome, or the authority went back on it), with a reason."""
    contracts.validate(cmd, today)
    reason = required_text(cmd.reason, "reason", _l("Membuka kembali wajib disertai alasan."))
    if rec.status not in CLOSED_STATUSES:
        raise Invalid(_l("Rekomendasi ini belum ditutup."), "reason")
    event = add_event(rec, EventKind.REOPENED, today, user, note=reason, result=rec.status.value)
    recommendations.update(rec, user, {"status": RecommendationStatus.IN_PROGRESS}, follow_up=True)
    if rec.deadline is not None:
        before = audit.snapshot(rec.deadline, DEADLINE_FIELDS)
        rec.deadline.closed_on = None
        changes = audit.diff(before, audit.snapshot(rec.deadline, DEADLINE_FIELDS))
        changes["reason"] = reason
        db.session.flush()
        audit_deadline(rec.deadline, "reopened", user, changes)
    db.session.flush()
    return event


def timeline(rec: Recommendation) -> list[FollowUpEvent]:
    """The recommendation's follow-up events, newest first, with their users and files."""
    return list(
        db.session.scalars(
            select(FollowUpEvent)
            .where(FollowUpEvent.recommendation_id == rec.id)
            .options(selectinload(FollowUpEvent.user), selectinload(FollowUpEvent.files))
            .order_by(FollowUpEvent.occurred_on.desc(), FollowUpEvent.id.desc())
        )
    )


def record_escalation(
    rec: Recommendation,
    *,
    sent_on: date | None,
    step: str,
    reference: str,
    note: str,
    user: User,
    today: date,
) -> FollowUpEvent:
    """Record that a reminder, a letter to the superior or a Rekomendasi draft went out (with its number).

    Keyword arguments (the fields of `commands.RecordEscalation`), as the letters package calls it when an
    escalation letter is issued. Raises `Invalid`.
    """
    cmd = RecordEscalation(sent_on=sent_on, step=step, reference=reference or "", note=note or "")
    contracts.validate(cmd, today)
    sent_on = required_day(cmd.sent_on, "sent_on", _l("Isi tanggal surat."))
    not_before_receipt(rec.deadline, sent_on, "sent_on", _l("Tanggal surat"))
    if cmd.step not in {s.value for s in EscalationStep}:
        raise Invalid(_l("Pilih jenis surat eskalasi."), "step")
    reference = required_text(cmd.reference, "reference", _l("Isi nomor surat."))
    event = add_event(
        rec, EventKind.ESCALATION, sent_on, user, result=cmd.step, reference=reference, note=cmd.note.strip()
    )
    changes = {"recommendation_id": rec.id, "step": cmd.step, "reference": event.reference}
    _audit_event(event, "escalation", user, changes)
    return event
