"""Moving a running clock: extensions, stopping it and restarting it, each a dated, audited event.

Each entry point takes its command (`commands.Extend`, `StopClock`, `RestartClock`), `today` and the acting
user; it flushes and never commits, and raises `Invalid` when the change makes no sense.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.deadlines.commands import Extend, RestartClock, StopClock
from ombudsman.deadlines.computation import Adjustment, Computation, apply_adjustment
from ombudsman.deadlines.models import Deadline, EventKind, FollowUpEvent
from ombudsman.deadlines.receipt import store
from ombudsman.deadlines.records import (
    DEADLINE_FIELDS,
    add_event,
    audit_deadline,
    check_open,
    not_before_receipt,
    required_day,
    required_text,
)
from ombudsman.deadlines.settings import office_calendar
from ombudsman.errors import DomainError, Invalid
from ombudsman.extensions import db


def _current(deadline: Deadline) -> Computation:
    current = Computation(
        deadline.due_on, deadline.explanation_steps, list(deadline.warnings or []), deadline.stopped_on
    )
    if deadline.stopped_on is not None:
        stop = db.session.scalar(
            select(FollowUpEvent)
            .where(
                FollowUpEvent.recommendation_id == deadline.recommendation_id,
                FollowUpEvent.kind == EventKind.CLOCK_STOPPED,
            )
            .order_by(FollowUpEvent.occurred_on.desc(), FollowUpEvent.id.desc())
            .limit(1)
        )
        current.remaining = stop.days if stop else 0
    return current


def _adjust(deadline: Deadline, adj: Adjustment, user: User, *, field: str, action: str) -> Deadline:
    check_open(deadline, field)
    calendar = office_calendar(db.session.get(Office, deadline.office_id))
    current = _current(deadline)
    try:
        result = apply_adjustment(
            calendar, deadline.unit, current, adj, next_working_day=deadline.next_working_day
        )
    except DomainError as exc:
        # The form shows it under the field of the use case at hand.
        raise type(exc)(exc.message, field) from exc
    before = audit.snapshot(deadline, DEADLINE_FIELDS)
    store(deadline, result)
    add_event(
        deadline.recommendation,
        adj.kind,
        adj.on,
        user,
        days=result.remaining if adj.kind is EventKind.CLOCK_STOPPED else adj.days,
        note=adj.note,
        result=adj.requested_on.isoformat() if adj.requested_on else "",
        old_due_on=current.due_on,
        new_due_on=result.due_on,
        explanation_facts=result.steps,
    )
    changes = audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS))
    changes["reason"] = adj.note
    audit_deadline(deadline, action, user, changes)
    return deadline


def extend(deadline: Deadline, cmd: Extend, *, user: User, today: date) -> Deadline:
    """Grant an extension of `cmd.days` (in the deadline's unit) after the current due date, with a reason."""
    contracts.validate(cmd, today)
    reason = required_text(cmd.reason, "reason", _l("Perpanjangan wajib disertai alasan."))
    days = cmd.days
    if days is None:
        raise Invalid(_l("Isi lama perpanjangan."), "days")
    granted_on = required_day(cmd.granted_on, "granted_on", _l("Isi tanggal perpanjangan."))
    not_before_receipt(deadline, granted_on, "granted_on", _l("Tanggal perpanjangan"))
    return _adjust(
        deadline,
        Adjustment(EventKind.EXTENDED, granted_on, days, reason, cmd.requested_on),
        user,
        field="days",
        action="extended",
    )


def stop_clock(deadline: Deadline, cmd: StopClock, *, user: User, today: date) -> Deadline:
    """Stop the clock (e.g. the office itself must answer something first); the days left are kept."""
    contracts.validate(cmd, today)
    reason = required_text(cmd.reason, "reason", _l("Penghentian jam wajib disertai alasan."))
    stopped_on = required_day(cmd.stopped_on, "stopped_on", _l("Isi tanggal dihentikan."))
    not_before_receipt(deadline, stopped_on, "stopped_on", _l("Tanggal dihentikan"))
    return _adjust(
        deadline,
        Adjustment(EventKind.CLOCK_STOPPED, stopped_on, None, reason),
        user,
        field="stopped_on",
        action="stopped",
    )


def restart_clock(deadline: Deadline, cmd: RestartClock, *, user: User, today: date) -> Deadline:
    """Restart a stopped clock: the days that were left count again from `cmd.restarted_on`."""
    contracts.validate(cmd, today)
    reason = required_text(cmd.reason, "reason", _l("Akhiri penghentian sementara dengan alasan."))
    restarted_on = required_day(cmd.restarted_on, "restarted_on", _l("Isi tanggal dijalankan kembali."))
    not_before_receipt(deadline, restarted_on, "restarted_on", _l("Tanggal dijalankan kembali"))
    return _adjust(
        deadline,
        Adjustment(EventKind.CLOCK_RESTARTED, restarted_on, None, reason),
        user,
        field="restarted_on",
        action="restarted",
    )
