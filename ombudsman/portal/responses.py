"""What an authority does in its portal about a recommendation, and how the office decides on it.

- `respond`: what was done (implemented, partly, not yet), in words, with evidence and an optional reply
  letter; recorded as a dated `response` follow-up event through `ombudsman.deadlines.follow_up` (same
  files, same checks, same timeline as a response the office types in) and kept as a `PortalResponse`.
- `ask_for_extension`: a proposed date and a reason; shown on the office's follow-up page.
- `decide_extension`: the office grants (through `ombudsman.deadlines.adjustments.extend`, so the due date
  moves with the explanation) or refuses, with a note.

The office still decides the outcome. Functions flush, never commit, and raise `ombudsman.errors` refusals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.accounts.permissions import REVIEW
from ombudsman.audit import services as audit
from ombudsman.dates import day_text
from ombudsman.deadlines import adjustments
from ombudsman.deadlines import follow_up as records
from ombudsman.deadlines.commands import Extend, RecordResponse
from ombudsman.deadlines.computation import days_between
from ombudsman.deadlines.models import EventKind, FollowUpEvent
from ombudsman.deadlines.records import required_text
from ombudsman.deadlines.settings import office_calendar
from ombudsman.errors import Conflict, Forbidden, Invalid
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.portal.commands import AskForExtension, DecideExtension, Respond
from ombudsman.portal.models import (
    ExtensionRequest,
    ExtensionStatus,
    PortalResponse,
    PortalUser,
    ResponseStatus,
)
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation

#: What the authority says it did, for its own pages (lazily translated).
RESPONSE_LABELS = {
    ResponseStatus.IMPLEMENTED: _l("Sudah dilaksanakan"),
    ResponseStatus.PARTLY: _l("Sebagian dilaksanakan"),
    ResponseStatus.NOT_YET: _l("Belum dilaksanakan"),
}
#: The same in the follow-up event's note, which is stored text and always Indonesian (like the letters).
_NOTE_LABELS = {
    ResponseStatus.IMPLEMENTED: "sudah dilaksanakan",
    ResponseStatus.PARTLY: "sebagian dilaksanakan",
    ResponseStatus.NOT_YET: "belum dilaksanakan",
}
EXTENSION_LABELS = {
    ExtensionStatus.PENDING: _l("Menunggu keputusan"),
    ExtensionStatus.GRANTED: _l("Dikabulkan"),
    ExtensionStatus.REFUSED: _l("Ditolak"),
}
#: Who decides an authority's extension request: whoever may grant an extension on the follow-up page.
DECIDE = REVIEW

MSG_CLOSED = _l(
    "Rekomendasi ini sudah ditutup oleh kantor Ombudsman; tanggapan atau permohonan baru tidak dapat "
    "dikirim lagi. Hubungi kantor Ombudsman bila ada yang perlu ditambahkan."
)


def _check_open(rec: Recommendation, field: str) -> None:
    if rec.status in CLOSED_STATUSES:
        raise Invalid(MSG_CLOSED, field)


def respond(
    rec: Recommendation,
    cmd: Respond,
    *,
    evidence: Sequence[storage.CheckedUpload],
    reply_letter: storage.CheckedUpload | None,
    account: PortalUser,
    today: date,
    store: records.FileStore,
) -> PortalResponse:
    """Record the authority's answer to `rec`, dated `today` (the office's date); returns it.

    Raises `Invalid` on `status` (not one of `ResponseStatus`), `text` (empty, too long, or the
    recommendation is closed: `MSG_CLOSED`) or `reply_letter` (not a PDF).
    """
    contracts.validate(cmd, today)
    try:
        status = ResponseStatus(cmd.status)
    except ValueError:
        raise Invalid(_l("Pilih apa yang sudah dilakukan."), "status") from None
    text = required_text(cmd.text, "text", _l("Tuliskan apa yang sudah dilakukan."))
    _check_open(rec, "text")
    if reply_letter is not None and reply_letter.content_type != "application/pdf":
        raise Invalid(_l("Surat balasan harus berupa PDF."), "reply_letter")
    contact = account.contact
    who = f"{contact.name}, {contact.position}" if contact.position else contact.name
    note = f"Tanggapan melalui portal oleh {who}: {_NOTE_LABELS[status]}.\n\n{text}"
    event = records.record_response(
        rec,
        RecordResponse(responded_on=today, summary=note),
        reply_letter=reply_letter,
        evidence=evidence,
        user=None,
        today=today,
        store=store,
    )
    event.result = status.value
    response = PortalResponse(
        office_id=rec.office_id,
        recommendation_id=rec.id,
        portal_user_id=account.id,
        event=event,
        status=status,
        text=text,
        responded_on=today,
    )
    db.session.add(response)
    db.session.flush()
    return response


def ask_for_extension(
    rec: Recommendation, cmd: AskForExtension, *, account: PortalUser, today: date
) -> ExtensionRequest:
    """Ask the office for more time on `rec` until `cmd.proposed_due_on`; returns the pending request.

    Raises `Invalid` (`proposed_due_on`: missing, not after the current due date, or the clock has not
    started; `reason`: empty; closed recommendation) or `Conflict` (a request is already pending).
    """
    contracts.validate(cmd, today)
    if cmd.proposed_due_on is None:
        raise Invalid(_l("Isi tanggal yang diusulkan."), "proposed_due_on")
    reason = required_text(cmd.reason, "reason", _l("Tuliskan alasan permohonan perpanjangan."))
    _check_open(rec, "reason")
    deadline = rec.deadline
    if deadline is None:
        raise Invalid(
            _l("Tenggat rekomendasi ini belum berjalan; perpanjangan belum dapat diminta."), "proposed_due_on"
        )
    if cmd.proposed_due_on <= deadline.due_on:
        raise Invalid(
            _l(
                "Tanggal yang diusulkan harus sesudah tenggat sekarang (%(date)s).",
                date=day_text(deadline.due_on),
            ),
            "proposed_due_on",
        )
    if pending_request(rec) is not None:
        raise Conflict(_l("Permohonan perpanjangan sebelumnya masih menunggu keputusan."), "reason")
    request = ExtensionRequest(
        office_id=rec.office_id,
        recommendation_id=rec.id,
        portal_user_id=account.id,
        reason=reason,
        proposed_due_on=cmd.proposed_due_on,
        requested_on=today,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "extension_request",
        request.id,
        "requested",
        user_id=None,
        office_id=rec.office_id,
        changes={
            "recommendation_id": rec.id,
            "proposed_due_on": cmd.proposed_due_on.isoformat(),
            "portal_user": account.name,
        },
    )
    return request


def pending_request(rec: Recommendation) -> ExtensionRequest | None:
    """The recommendation's extension request still waiting for a decision, if any."""
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.recommendation_id == rec.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )


def requests_of(rec: Recommendation) -> list[ExtensionRequest]:
    """The recommendation's extension requests, newest first."""
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.recommendation_id == rec.id)
            .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
        )
    )


def responses_of(rec: Recommendation) -> list[PortalResponse]:
    """The authority's portal responses to the recommendation, newest first, with their files."""
    return list(
        db.session.scalars(
            select(PortalResponse)
            .where(PortalResponse.recommendation_id == rec.id)
            .order_by(PortalResponse.responded_on.desc(), PortalResponse.id.desc())
        )
    )


def proposed_days(request: ExtensionRequest) -> int | None:
    """The extension, in the deadline's unit, that moves the current due date to the requested one (None
    when the clock is not running or the requested date is not later)."""
    deadline = request.recommendation.deadline
    if deadline is None or request.proposed_due_on <= deadline.due_on:
        return None
    calendar = office_calendar(db.session.get(Office, deadline.office_id))
    return days_between(calendar, deadline.unit, deadline.due_on, request.proposed_due_on) or None


def decide_extension(
    request: ExtensionRequest, cmd: DecideExtension, *, user: User, today: date, now: datetime
) -> ExtensionRequest:
    """Grant or refuse a pending request (the caller checked the office); returns it.

    Granting extends the clock by `cmd.days` (default: `proposed_days`) with the note (default: the
    authority's reason) as the extension's reason. Raises `Forbidden` (not a supervisor or head),
    `Conflict` (already decided) or `Invalid` (`note` missing on a refusal; as `adjustments.extend`).
    """
    if user.role not in DECIDE:
        raise Forbidden(_l("Hanya supervisor atau Kepala Perwakilan yang memutus permohonan perpanjangan."))
    contracts.validate(cmd, today)
    if not request.is_pending:
        raise Conflict(_l("Permohonan ini sudah diputus."))
    rec = request.recommendation
    note = (cmd.note or "").strip()
    if cmd.grant:
        if rec.deadline is None:
            raise Invalid(_l("Tenggat rekomendasi ini belum berjalan."), "days")
        days = cmd.days or proposed_days(request)
        if days is None:
            raise Invalid(_l("Isi lama perpanjangan."), "days")
        # The office's note if it wrote one, else the authority's reason, said as theirs in the reader's
        # language when shown (`explanations`; nothing Indonesian is stored around their words).
        extend = Extend(
            granted_on=today,
            days=days,
            reason=(note or request.reason)[:2000],
            requested_on=None if note else request.requested_on,
        )
        adjustments.extend(rec.deadline, extend, user=user, today=today)
        request.event_id = db.session.scalar(
            select(FollowUpEvent.id)
            .where(FollowUpEvent.recommendation_id == rec.id, FollowUpEvent.kind == EventKind.EXTENDED)
            .order_by(FollowUpEvent.id.desc())
            .limit(1)
        )
        request.status = ExtensionStatus.GRANTED
        request.decision_note = note  # the office's words only ("" when it wrote none)
    else:
        if not note:
            raise Invalid(_l("Tuliskan alasan penolakan."), "note")
        request.status = ExtensionStatus.REFUSED
        request.decision_note = note
    request.decided_at, request.decided_by_id = now, user.id
    db.session.flush()
    audit.record(
        "extension_request",
        request.id,
        request.status.value,
        user_id=user.id,
        office_id=request.office_id,
        changes={"recommendation_id": rec.id, "note": request.decision_note},
    )
    return request
