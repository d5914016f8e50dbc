"""The `deadlines` blueprint and what its pages share: the office's today, uploads, the deadline panel."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import clock
from ombudsman.deadlines import settings
from ombudsman.deadlines.follow_up import FileStore
from ombudsman.deadlines.forms import ReceivedForm
from ombudsman.deadlines.labels import (
    ESCALATION_LETTER_LABELS,
    ESCALATION_STEP_LABELS,
    EVENT_LABELS,
    STATE_LABELS,
    UNIT_LABELS,
    day_count,
    warning_text,
)
from ombudsman.deadlines.models import PAST_DUE_STATES
from ombudsman.deadlines.states import state_of
from ombudsman.errors import Invalid
from ombudsman.inspections import storage
from ombudsman.inspections.models import EvidenceKind
from ombudsman.letters import lookups as letter_lookups
from ombudsman.recommendations.models import Recommendation
from ombudsman.storage import evidence_dir

bp = Blueprint("deadlines", __name__, url_prefix="/deadlines")


def today() -> date:
    """Today in the signed-in user's office."""
    return clock.today(current_user.office.timezone)


def file_store() -> FileStore:
    """Where follow-up files are kept (the evidence store of the configuration)."""
    return FileStore(evidence_dir(), current_app.config["EVIDENCE_THUMBNAIL_PX"])


def uploads(files, field: str) -> list[storage.CheckedUpload]:
    """The uploaded files of a form field, read and checked; `Invalid` on `field` for a refused one."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    try:
        return [
            storage.check_upload(f.read(limit + 1), f.filename or "", max_bytes=limit)
            for f in files
            if f and (f.filename or f.content_length)
        ]
    except storage.UploadError as exc:
        raise Invalid(str(exc), field) from exc


def reply_letter_is_pdf(upload: storage.CheckedUpload) -> None:
    """The check of a reply letter field: `Invalid` on `reply_letter` unless `upload` is a PDF."""
    if upload.kind is not EvidenceKind.DOCUMENT:
        raise Invalid(_("Surat balasan harus berupa PDF."), "reply_letter")


def receipt_letter(rec: Recommendation):
    """The letter in the app that carries the recommendation and owns its received date, or None."""
    return letter_lookups.receipt_letter(rec.id)


def deadline_panel(rec: Recommendation) -> dict:
    """What the recommendation page shows of its deadline: state, due date, explanation, the received form."""
    office = current_user.office
    deadline = rec.deadline
    on = today()
    periods = [(deadline.unit, deadline.count)] if deadline else []
    calendar = settings.office_calendar(office)
    cut = settings.state_cutoffs(office, on, calendar, periods=periods)
    state = state_of(deadline, cut, rec)
    return {
        "deadline": deadline,
        "state": state,
        "past_due": state in PAST_DUE_STATES,
        "days_left": calendar.working_days_between(on, deadline.due_on) if deadline else None,
        "received_form": ReceivedForm(formdata=None) if deadline is None else None,
        "receipt_letter": receipt_letter(rec),
        "today": on,
    }


@bp.app_context_processor
def _template_helpers() -> dict:
    return {
        "deadline_panel": deadline_panel,
        "deadline_state_labels": STATE_LABELS,
        "follow_up_labels": EVENT_LABELS,
        "escalation_labels": ESCALATION_STEP_LABELS,
        "escalation_letter_labels": ESCALATION_LETTER_LABELS,
        "deadline_day_count": day_count,
        "deadline_unit_labels": UNIT_LABELS,
        "deadline_warning": warning_text,
    }
