"""Starting a recommendation's clock when its letter is received, and correcting a recorded receipt.

A due date is computed once, stored with its explanation, and after that only moved by a dated event that
adds to the explanation; nothing here re-reads holidays behind the user's back (see `changes` for that).
Functions take `today` and the acting user, flush, and never commit.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.dates import day_text
from ombudsman.deadlines.calendar import WorkingCalendar
from ombudsman.deadlines.commands import CorrectReceipt, RecordReceipt
from ombudsman.deadlines.computation import Computation, clock_adjustments, compute_start, replay
from ombudsman.deadlines.models import Deadline, DeadlineRule, EventKind, Start
from ombudsman.deadlines.records import (
    DEADLINE_FIELDS,
    add_event,
    audit_deadline,
    check_open,
    required_day,
    required_text,
)
from ombudsman.deadlines.rules import applicable_rule, rules_of_kind
from ombudsman.deadlines.settings import office_calendar
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.letters import lookups as letter_lookups
from ombudsman.recommendations.forms import KIND_LABELS
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation


def _check_receipt(cmd: RecordReceipt | CorrectReceipt, today: date) -> date:
    contracts.validate(cmd, today)
    received_on = required_day(cmd.received_on, "received_on", _l("Isi tanggal diterima."))
    if cmd.issued_on is not None and received_on < cmd.issued_on:
        raise Invalid(
            _l(
                "Tanggal diterima tidak boleh sebelum tanggal surat (%(date)s).", date=day_text(cmd.issued_on)
            ),
            "received_on",
        )
    return received_on


def _rule_for(rec: Recommendation, received_on: date, issued_on: date | None) -> tuple[DeadlineRule, date]:
    # The rule in force on the clock's own start date applies: the receipt date, or the issue date for
    # rules counted from issue (`rules.applicable_rule`).
    kind_rules = rules_of_kind(rec.kind)
    rule = applicable_rule(kind_rules, received_on, issued_on)
    if rule is not None and rule.starts is Start.ON_ISSUE and issued_on is None:
        raise Invalid(
            _l("Aturan tenggat ini dihitung sejak surat diterbitkan: isi tanggal surat."), "issued_on"
        )
    if rule is None:
        raise Invalid(
            _l(
                "Belum ada aturan tenggat untuk jenis \u201c%(kind)s\u201d yang berlaku pada %(date)s. "
                "Minta admin menambahkannya.",
                kind=KIND_LABELS[rec.kind],
                date=day_text(received_on),
            ),
            "received_on",
        )
    start_on = issued_on if rule.starts is Start.ON_ISSUE and issued_on is not None else received_on
    return rule, start_on


def start_clock(
    recommendation: Recommendation,
    *,
    received_on: date | None,
    issued_on: date | None,
    user: User | None,
    today: date,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Start a recommendation's follow-up clock when its letter is received; computes and stores `due_on`.

    The rule in force on the start date applies; the due date, its explanation (as facts) and any
    holiday-data warning are stored once. Raises `Conflict` when a received date is already recorded (use
    `correct_receipt`), `Invalid` when the dates are impossible (after `today`, received before issued) or
    no rule applies. This is what the letters' delivery step calls for each recommendation of the letter.
    """
    if recommendation.deadline is not None:
        raise Conflict(
            _l(
                "Tanggal diterima sudah tercatat (%(date)s). Koreksi hanya dapat dilakukan supervisor "
                "dengan alasan.",
                date=day_text(recommendation.deadline.received_on),
            ),
            "received_on",
        )
    if recommendation.status in CLOSED_STATUSES:
        raise Invalid(_l("Rekomendasi ini sudah ditutup; tenggat tidak dapat dimulai."), "received_on")
    received_on = _check_receipt(RecordReceipt(received_on=received_on, issued_on=issued_on), today)
    rule, start_on = _rule_for(recommendation, received_on, issued_on)
    calendar = calendar or office_calendar(db.session.get(Office, recommendation.office_id))
    result = compute_start(
        calendar, rule.count, rule.unit, rule.starts, start_on, next_working_day=rule.next_working_day
    )
    deadline = Deadline(
        office_id=recommendation.office_id,
        recommendation=recommendation,
        rule_id=rule.id,
        count=rule.count,
        unit=rule.unit,
        starts=rule.starts,
        next_working_day=rule.next_working_day,
        issued_on=issued_on,
        received_on=received_on,
        start_on=start_on,
        due_on=result.due_on,
        explanation_facts=result.steps,
        warnings=result.warnings,
        started_by_id=user and user.id,
    )
    db.session.add(deadline)
    add_event(
        recommendation,
        EventKind.CLOCK_STARTED,
        received_on,
        user,
        new_due_on=result.due_on,
        explanation_facts=result.steps,
    )
    db.session.flush()
    audit_deadline(deadline, "started", user, audit.snapshot(deadline, DEADLINE_FIELDS))
    return deadline


def store(deadline: Deadline, result: Computation, rule: DeadlineRule | None = None) -> None:
    """Put a computed due date (and the rule it was computed with, when given) on the deadline."""
    if rule is not None:
        deadline.rule_id, deadline.count = rule.id, rule.count
        deadline.unit, deadline.starts = rule.unit, rule.starts
        deadline.next_working_day = rule.next_working_day
    deadline.due_on = result.due_on
    deadline.explanation_facts = list(result.steps)
    deadline.warnings = list(result.warnings)
    deadline.stopped_on = result.stopped_on


def correct_receipt(
    deadline: Deadline,
    *,
    received_on: date | None,
    issued_on: date | None,
    reason: str,
    user: User,
    today: date,
) -> Deadline:
    """Correct a recorded received (and issue) date: an audited edit, with a reason, that recomputes the
    due date from the new start and the clock's own extensions and stops. Raises `Invalid`."""
    cmd = CorrectReceipt(received_on=received_on, issued_on=issued_on, reason=reason)
    check_open(deadline, "received_on")
    reason = required_text(cmd.reason, "reason", _l("Koreksi tanggal diterima wajib disertai alasan."))
    received_on = _check_receipt(cmd, today)
    rec = deadline.recommendation
    before = audit.snapshot(deadline, DEADLINE_FIELDS)
    rule, start_on = _rule_for(rec, received_on, issued_on)
    deadline.issued_on, deadline.received_on, deadline.start_on = issued_on, received_on, start_on
    old_due = deadline.due_on
    adjustments = clock_adjustments([deadline.recommendation_id])[deadline.recommendation_id]
    result = replay(
        office_calendar(db.session.get(Office, deadline.office_id)),
        count=rule.count,
        unit=rule.unit,
        starts=rule.starts,
        start_on=start_on,
        adjustments=adjustments,
        next_working_day=rule.next_working_day,
    )
    store(deadline, result, rule)
    add_event(
        rec,
        EventKind.RECEIPT_CORRECTED,
        today,
        user,
        note=reason,
        old_due_on=old_due,
        new_due_on=result.due_on,
        explanation_facts=result.steps,
    )
    changes = audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS))
    changes["reason"] = reason
    audit_deadline(deadline, "receipt_corrected", user, changes)
    return deadline


def _refuse_when_a_letter_owns_the_receipt(rec: Recommendation) -> None:
    letter = letter_lookups.receipt_letter(rec.id)
    if letter is not None:
        raise Invalid(
            _l(
                "Tanggal diterima dicatat pada halaman surat %(letter)s, untuk semua rekomendasinya.",
                letter=letter.label,
            ),
            "received_on",
        )


def record_paper_receipt(rec: Recommendation, cmd: RecordReceipt, *, user: User, today: date) -> Deadline:
    """Start the clock of a recommendation that no letter in the app carries (its letter went out on paper).

    A letter written in the app records the receipt on its own page, for all its recommendations at once:
    then this refuses with `Invalid` naming the letter. Otherwise as `start_clock`.
    """
    _refuse_when_a_letter_owns_the_receipt(rec)
    return start_clock(rec, received_on=cmd.received_on, issued_on=cmd.issued_on, user=user, today=today)


def correct_paper_receipt(rec: Recommendation, cmd: CorrectReceipt, *, user: User, today: date) -> Deadline:
    """Correct the received date of a recommendation no letter in the app carries (see `correct_receipt`)."""
    _refuse_when_a_letter_owns_the_receipt(rec)
    return correct_receipt(
        rec.deadline,
        received_on=cmd.received_on,
        issued_on=cmd.issued_on,
        reason=cmd.reason,
        user=user,
        today=today,
    )
