"""What every change to a clock or a follow-up shares: the dated event, the audit record, the checks.

Messages are lazily translated (Indonesian source); dates in them are said in the reader's language.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ombudsman import dates
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.deadlines.models import Deadline, EventKind, FollowUpEvent
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation

# The deadline attributes every audit record of a clock change compares.
DEADLINE_FIELDS = (
    "rule_id",
    "count",
    "unit",
    "starts",
    "next_working_day",
    "issued_on",
    "received_on",
    "start_on",
    "due_on",
    "stopped_on",
    "closed_on",
)


def add_event(rec: Recommendation, kind: EventKind, on: date, user: User | None, **values) -> FollowUpEvent:
    """Add a dated follow-up event to a recommendation (flushed with the rest)."""
    event = FollowUpEvent(
        office_id=rec.office_id,
        recommendation_id=rec.id,
        kind=kind,
        occurred_on=on,
        user_id=user and user.id,
        **values,
    )
    db.session.add(event)
    return event


def audit_deadline(deadline: Deadline, action: str, user: User | None, changes: dict) -> None:
    """Record a change of a deadline in the audit trail."""
    audit.record(
        "deadline",
        deadline.id,
        action,
        user_id=user and user.id,
        office_id=deadline.office_id,
        changes=changes,
    )


def required_day(day: date | None, field: str, message) -> date:
    """`day`, or `Invalid(message)` on `field` when it is missing."""
    if day is None:
        raise Invalid(message, field)
    return day


def required_text(value: str, field: str, message) -> str:
    """`value` trimmed, or `Invalid(message)` on `field` when nothing visible is left."""
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field)
    return value


def check_open(deadline: Deadline, field: str) -> None:
    """Refuse to move a deadline whose follow-up is closed."""
    if deadline.closed_on is not None:
        raise Invalid(_l("Tindak lanjut sudah ditutup; buka kembali dulu untuk mengubah tenggat."), field)


def not_before_receipt(deadline: Deadline | None, day: date, field: str, label) -> None:
    """Refuse an event dated before the recommendation's letter was received; `label` names the date."""
    if deadline is not None and day < deadline.received_on:
        raise Invalid(
            _l(
                "%(label)s tidak boleh sebelum surat diterima (%(date)s).",
                label=label,
                date=dates.day_text(deadline.received_on),
            ),
            field,
        )
