"""The follow-up clock of a recommendation: start it on receipt, extend, stop and restart it, record
responses, re-inspections and the outcome.

A due date is computed once, stored with its explanation, and after that only moved by a dated event that
adds to the explanation; nothing here re-reads holidays behind the user's back (see `changes` for that).
Functions take `today` and the acting user, flush, and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.deadlines.calendar import UNIT_LABELS, DueDate, WorkingCalendar, explain, format_date_id
from ombudsman.deadlines.models import (
    CLOCK_ADJUSTMENTS,
    CalendarDay,
    CalendarDayKind,
    Deadline,
    DeadlineRule,
    EventKind,
    FileRole,
    FollowUpEvent,
    FollowUpFile,
    Start,
    Unit,
)
from ombudsman.deadlines.states import StateCutoffs
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation, RecommendationStatus

DEADLINE_FIELDS = (
    "rule_id",
    "count",
    "unit",
    "starts",
    "issued_on",
    "received_on",
    "start_on",
    "due_on",
    "stopped_on",
    "closed_on",
)


class DeadlineError(ValueError):
    """A change was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the office's calendar -------------------------------------------------------------------------------


def office_calendar(office: Office) -> WorkingCalendar:
    """The office's working-day calendar: its settings plus the admin's closures and reopened days."""
    days = db.session.execute(
        select(CalendarDay.day, CalendarDay.kind, CalendarDay.reason).where(
            CalendarDay.office_id == office.id
        )
    ).all()
    return WorkingCalendar(
        weekend=office.weekend,
        cuti_bersama_is_working=office.cuti_bersama_is_working,
        closures={d: r for d, k, r in days if k is CalendarDayKind.CLOSED},
        reopened={d: r for d, k, r in days if k is CalendarDayKind.REOPENED},
    )


def state_cutoffs(
    office: Office, today: date, calendar: WorkingCalendar | None = None, *, periods: Iterable | None = None
) -> StateCutoffs:
    """State boundaries for the office on `today`, pre-computed for every period its deadlines use."""
    calendar = calendar or office_calendar(office)
    if periods is None:
        periods = db.session.execute(
            select(Deadline.unit, Deadline.count).where(Deadline.office_id == office.id).distinct()
        ).all()
    return StateCutoffs(calendar, today, office.due_soon_working_days, periods)


def rule_in_force(kind: str, on: date) -> DeadlineRule | None:
    """The deadline rule for a kind of recommendation whose clock starts on `on`."""
    rules = db.session.scalars(select(DeadlineRule).where(DeadlineRule.kind == kind))
    return next((r for r in rules if r.in_force_on(on)), None)


def add_period(calendar: WorkingCalendar, unit: Unit | str, start: date, n: int) -> DueDate:
    """`start` plus n working or calendar days."""
    if Unit(unit) is Unit.WORKING:
        return calendar.add_working_days(start, n)
    return calendar.add_calendar_days(start, n)


def days_between(calendar: WorkingCalendar, unit: Unit | str, a: date, b: date) -> int:
    """Working or calendar days in (a, b]."""
    if Unit(unit) is Unit.WORKING:
        return calendar.working_days_between(a, b)
    return (b - a).days


def unit_label(unit: Unit | str) -> str:
    """ "hari kerja" or "hari kalender"."""
    return UNIT_LABELS[Unit(unit).value]


# --- computing a due date from its inputs ----------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A clock event the due date is replayed from."""

    kind: EventKind
    on: date
    days: int | None = None
    note: str = ""

    @classmethod
    def of(cls, event: FollowUpEvent) -> Adjustment:
        """The adjustment recorded by a follow-up event."""
        return cls(event.kind, event.occurred_on, event.days, event.note)


@dataclass
class Computation:
    """A due date with the explanation of how it was reached, one line per step."""

    due_on: date
    lines: list[str]
    warnings: list[str] = field(default_factory=list)
    stopped_on: date | None = None
    remaining: int | None = None

    @property
    def explanation(self) -> str:
        """The explanation shown to people and stored with the due date."""
        return "\n".join(self.lines)

    def _warn(self, due: DueDate) -> None:
        self.warnings.extend(w for w in due.warnings if w not in self.warnings)


def compute_start(
    calendar: WorkingCalendar, count: int, unit: Unit, starts: Start, start_on: date
) -> Computation:
    """The first due date of a clock: `count` days of `unit` after `start_on`."""
    due = add_period(calendar, unit, start_on, count)
    result = Computation(due.due_on, [explain(count, Unit(unit).value, Start(starts).value, start_on, due)])
    result._warn(due)
    return result


def apply_adjustment(
    calendar: WorkingCalendar, unit: Unit, current: Computation, adj: Adjustment
) -> Computation:
    """Move a computed due date by one clock event; refuses events that make no sense at that point."""
    unit = Unit(unit)
    note = f" ({adj.note})" if adj.note else ""
    if adj.kind is EventKind.EXTENDED:
        if current.stopped_on is not None:
            raise DeadlineError("Jalankan kembali jam sebelum memberi perpanjangan.", "granted_on")
        due = add_period(calendar, unit, current.due_on, adj.days or 0)
        line = f"Perpanjangan {format_date_id(adj.on)}{note}: " + explain(
            adj.days or 0, unit.value, "sejak tenggat", current.due_on, due
        )
        result = Computation(due.due_on, [*current.lines, line], list(current.warnings))
        result._warn(due)
        return result
    if adj.kind is EventKind.CLOCK_STOPPED:
        if current.stopped_on is not None:
            raise DeadlineError("Jam sudah dihentikan.", "stopped_on")
        if adj.on > current.due_on:
            raise DeadlineError(
                "Jam hanya dapat dihentikan sampai tanggal jatuh tempo; setelah itu berikan perpanjangan.",
                "stopped_on",
            )
        remaining = days_between(calendar, unit, adj.on, current.due_on)
        line = f"Jam dihentikan {format_date_id(adj.on)}{note}; sisa {remaining} {unit_label(unit)}."
        return Computation(current.due_on, [*current.lines, line], list(current.warnings), adj.on, remaining)
    if adj.kind is EventKind.CLOCK_RESTARTED:
        if current.stopped_on is None:
            raise DeadlineError("Jam tidak sedang dihentikan.", "restarted_on")
        if adj.on < current.stopped_on:
            raise DeadlineError(
                "Jam tidak dapat dijalankan kembali sebelum tanggal dihentikan.", "restarted_on"
            )
        due = add_period(calendar, unit, adj.on, current.remaining or 0)
        line = f"Jam dijalankan kembali{note}: " + explain(
            current.remaining or 0, unit.value, "tersisa sejak", adj.on, due
        )
        result = Computation(due.due_on, [*current.lines, line], list(current.warnings))
        result._warn(due)
        return result
    raise ValueError(f"{adj.kind} does not move a clock")


def replay(
    calendar: WorkingCalendar,
    *,
    count: int,
    unit: Unit,
    starts: Start,
    start_on: date,
    adjustments: Sequence[Adjustment],
) -> Computation:
    """Recompute a due date from scratch: the start, then every extension, stop and restart in order."""
    result = compute_start(calendar, count, unit, starts, start_on)
    for adj in adjustments:
        result = apply_adjustment(calendar, unit, result, adj)
    return result


def clock_adjustments(recommendation_ids: Iterable[int]) -> dict[int, list[Adjustment]]:
    """The clock events of many recommendations, in order, in one query."""
    ids = list(recommendation_ids)
    result: dict[int, list[Adjustment]] = {i: [] for i in ids}
    if not ids:
        return result
    events = db.session.scalars(
        select(FollowUpEvent)
        .where(FollowUpEvent.recommendation_id.in_(ids), FollowUpEvent.kind.in_(CLOCK_ADJUSTMENTS))
        .order_by(FollowUpEvent.occurred_on, FollowUpEvent.id)
    )
    for event in events:
        result[event.recommendation_id].append(Adjustment.of(event))
    return result


# --- recording -------------------------------------------------------------------------------------------


def _event(rec: Recommendation, kind: EventKind, on: date, user: User | None, **values) -> FollowUpEvent:
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


def _audit(deadline: Deadline, action: str, user: User | None, changes: dict) -> None:
    audit.record(
        "deadline",
        deadline.id,
        action,
        user_id=user and user.id,
        office_id=deadline.office_id,
        changes=changes,
    )


def _check_day(day: date | None, today: date, field_name: str, label: str) -> date:
    if day is None:
        raise DeadlineError(f"Isi {label}.", field_name)
    if day > today:
        raise DeadlineError(f"{label.capitalize()} tidak boleh di masa depan.", field_name)
    return day


def _check_open(deadline: Deadline, field_name: str) -> None:
    if deadline.closed_on is not None:
        raise DeadlineError(
            "Tindak lanjut sudah ditutup; buka kembali dulu untuk mengubah tenggat.", field_name
        )


def _check_reason(reason: str, field_name: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DeadlineError(message, field_name)
    return reason


def _check_receipt(received_on: date | None, issued_on: date | None, today: date) -> date:
    received_on = _check_day(received_on, today, "received_on", "tanggal diterima")
    if issued_on is not None:
        _check_day(issued_on, today, "issued_on", "tanggal surat")
        if received_on < issued_on:
            raise DeadlineError(
                f"Tanggal diterima tidak boleh sebelum tanggal surat ({format_date_id(issued_on)}).",
                "received_on",
            )
    return received_on


def _rule_for(rec: Recommendation, received_on: date, issued_on: date | None) -> tuple[DeadlineRule, date]:
    # The rule in force on the clock's own start date applies: the receipt date, or the issue date for
    # rules counted from issue. Try the receipt first to learn which one the rule wants.
    rule = rule_in_force(rec.kind, received_on)
    if rule is not None and rule.starts is Start.ON_ISSUE:
        if issued_on is None:
            raise DeadlineError(
                "Aturan tenggat ini dihitung sejak surat diterbitkan: isi tanggal surat.", "issued_on"
            )
        rule = rule_in_force(rec.kind, issued_on)
    if rule is None:
        raise DeadlineError(
            f"Belum ada aturan tenggat untuk jenis \u201c{rec.kind.value}\u201d yang berlaku pada "
            f"{format_date_id(received_on)}. Minta admin menambahkannya.",
            "received_on",
        )
    start_on = issued_on if rule.starts is Start.ON_ISSUE and issued_on is not None else received_on
    return rule, start_on


def start_clock(
    recommendation: Recommendation,
    *,
    received_on: date,
    issued_on: date | None,
    user: User | None,
    today: date,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Start a recommendation's follow-up clock when its letter is received; computes and stores `due_on`.

    The rule in force on the start date applies; the due date, its explanation and any holiday-data warning
    are stored once. Refused when the dates are impossible or a received date is already recorded (use
    `correct_receipt`). This is what the letters' delivery step calls for each recommendation of the letter.
    """
    if recommendation.deadline is not None:
        raise DeadlineError(
            f"Tanggal diterima sudah tercatat ({format_date_id(recommendation.deadline.received_on)}). "
            "Koreksi hanya dapat dilakukan supervisor dengan alasan.",
            "received_on",
        )
    if recommendation.status in CLOSED_STATUSES:
        raise DeadlineError("Rekomendasi ini sudah ditutup; tenggat tidak dapat dimulai.", "received_on")
    received_on = _check_receipt(received_on, issued_on, today)
    rule, start_on = _rule_for(recommendation, received_on, issued_on)
    calendar = calendar or office_calendar(db.session.get(Office, recommendation.office_id))
    result = compute_start(calendar, rule.count, rule.unit, rule.starts, start_on)
    deadline = Deadline(
        office_id=recommendation.office_id,
        recommendation=recommendation,
        rule_id=rule.id,
        count=rule.count,
        unit=rule.unit,
        starts=rule.starts,
        issued_on=issued_on,
        received_on=received_on,
        start_on=start_on,
        due_on=result.due_on,
        explanation=result.explanation,
        warnings=result.warnings,
        started_by_id=user and user.id,
    )
    db.session.add(deadline)
    _event(
        recommendation,
        EventKind.CLOCK_STARTED,
        received_on,
        user,
        new_due_on=result.due_on,
        explanation=result.explanation,
    )
    db.session.flush()
    _audit(deadline, "started", user, audit.snapshot(deadline, DEADLINE_FIELDS))
    return deadline


def _recompute(deadline: Deadline, calendar: WorkingCalendar, rule: DeadlineRule | None) -> Computation:
    count, unit, starts = (
        (rule.count, rule.unit, rule.starts) if rule else (deadline.count, deadline.unit, deadline.starts)
    )
    adjustments = clock_adjustments([deadline.recommendation_id])[deadline.recommendation_id]
    return replay(
        calendar, count=count, unit=unit, starts=starts, start_on=deadline.start_on, adjustments=adjustments
    )


def _store(deadline: Deadline, result: Computation, rule: DeadlineRule | None = None) -> None:
    if rule is not None:
        deadline.rule_id, deadline.count, deadline.unit, deadline.starts = (
            rule.id,
            rule.count,
            rule.unit,
            rule.starts,
        )
    deadline.due_on = result.due_on
    deadline.explanation = result.explanation
    deadline.warnings = list(result.warnings)
    deadline.stopped_on = result.stopped_on


def correct_receipt(
    deadline: Deadline, *, received_on: date, issued_on: date | None, reason: str, user: User, today: date
) -> Deadline:
    """Correct a recorded received (and issue) date: an audited edit, with a reason, that recomputes."""
    _check_open(deadline, "received_on")
    reason = _check_reason(reason, "reason", "Koreksi tanggal diterima wajib disertai alasan.")
    received_on = _check_receipt(received_on, issued_on, today)
    rec = deadline.recommendation
    before = audit.snapshot(deadline, DEADLINE_FIELDS)
    rule, start_on = _rule_for(rec, received_on, issued_on)
    deadline.issued_on, deadline.received_on, deadline.start_on = issued_on, received_on, start_on
    old_due = deadline.due_on
    result = _recompute(deadline, office_calendar(db.session.get(Office, deadline.office_id)), rule)
    _store(deadline, result, rule)
    _event(
        rec,
        EventKind.RECEIPT_CORRECTED,
        today,
        user,
        note=reason,
        old_due_on=old_due,
        new_due_on=result.due_on,
        explanation=result.explanation,
    )
    changes = audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS))
    changes["reason"] = reason
    _audit(deadline, "receipt_corrected", user, changes)
    return deadline


def _adjust(deadline: Deadline, adj: Adjustment, user: User, *, field_name: str, action: str) -> Deadline:
    _check_open(deadline, field_name)
    calendar = office_calendar(db.session.get(Office, deadline.office_id))
    current = Computation(
        deadline.due_on, deadline.explanation.split("\n"), list(deadline.warnings or []), deadline.stopped_on
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
    try:
        result = apply_adjustment(calendar, deadline.unit, current, adj)
    except DeadlineError as exc:
        exc.field = field_name
        raise
    before = audit.snapshot(deadline, DEADLINE_FIELDS)
    _store(deadline, result)
    days = result.remaining if adj.kind is EventKind.CLOCK_STOPPED else adj.days
    _event(
        deadline.recommendation,
        adj.kind,
        adj.on,
        user,
        days=days,
        note=adj.note,
        old_due_on=current.due_on,
        new_due_on=result.due_on,
        explanation=result.explanation,
    )
    changes = audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS))
    changes["reason"] = adj.note
    _audit(deadline, action, user, changes)
    return deadline


def _not_before_receipt(deadline: Deadline | None, day: date, field_name: str, label: str) -> None:
    if deadline is not None and day < deadline.received_on:
        received = format_date_id(deadline.received_on)
        raise DeadlineError(
            f"{label.capitalize()} tidak boleh sebelum surat diterima ({received}).", field_name
        )


def _check_event_day(deadline: Deadline, day: date | None, today: date, field_name: str, label: str) -> date:
    day = _check_day(day, today, field_name, label)
    _not_before_receipt(deadline, day, field_name, label)
    return day


def extend(
    deadline: Deadline, *, days: int | None, reason: str, granted_on: date, user: User, today: date
) -> Deadline:
    """Grant an extension of `days` (in the deadline's unit) after the current due date, with a reason."""
    reason = _check_reason(reason, "reason", "Perpanjangan wajib disertai alasan.")
    if not days or days <= 0:
        raise DeadlineError("Lama perpanjangan harus lebih dari nol hari.", "days")
    granted_on = _check_event_day(deadline, granted_on, today, "granted_on", "tanggal perpanjangan")
    return _adjust(
        deadline,
        Adjustment(EventKind.EXTENDED, granted_on, days, reason),
        user,
        field_name="days",
        action="extended",
    )


def stop_clock(deadline: Deadline, *, stopped_on: date, reason: str, user: User, today: date) -> Deadline:
    """Stop the clock (e.g. the office itself must answer something first); the days left are kept."""
    reason = _check_reason(reason, "reason", "Penghentian jam wajib disertai alasan.")
    stopped_on = _check_event_day(deadline, stopped_on, today, "stopped_on", "tanggal dihentikan")
    return _adjust(
        deadline,
        Adjustment(EventKind.CLOCK_STOPPED, stopped_on, None, reason),
        user,
        field_name="stopped_on",
        action="stopped",
    )


def restart_clock(
    deadline: Deadline, *, restarted_on: date, reason: str, user: User, today: date
) -> Deadline:
    """Restart a stopped clock: the days that were left count again from `restarted_on`."""
    reason = _check_reason(reason, "reason", "Jalankan kembali jam dengan alasan.")
    restarted_on = _check_event_day(
        deadline, restarted_on, today, "restarted_on", "tanggal dijalankan kembali"
    )
    return _adjust(
        deadline,
        Adjustment(EventKind.CLOCK_RESTARTED, restarted_on, None, reason),
        user,
        field_name="restarted_on",
        action="restarted",
    )


# --- follow-up records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileStore:
    """Where follow-up files go (the evidence store) and how big photo thumbnails are."""

    root: Path
    thumbnail_px: int


def _attach(
    event: FollowUpEvent,
    uploads: Iterable[storage.CheckedUpload],
    role: FileRole,
    user: User,
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
                uploaded_by_id=user.id,
            )
        )


def _files_audit(event: FollowUpEvent) -> list[dict]:
    return [{"role": f.role.value, "filename": f.original_filename, "sha256": f.sha256} for f in event.files]


def record_response(
    rec: Recommendation,
    *,
    responded_on: date,
    summary: str,
    reply_letter: storage.CheckedUpload | None,
    evidence: Sequence[storage.CheckedUpload],
    user: User,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Record the authority's response (date, summary, reply letter, evidence); open becomes in progress."""
    responded_on = _check_day(responded_on, today, "responded_on", "tanggal tanggapan")
    _not_before_receipt(rec.deadline, responded_on, "responded_on", "tanggal tanggapan")
    summary = _check_reason(summary, "summary", "Isi ringkasan tanggapan.")
    if rec.status in CLOSED_STATUSES:
        raise DeadlineError("Rekomendasi sudah ditutup; buka kembali untuk mencatat tanggapan.", "summary")
    event = _event(rec, EventKind.RESPONSE, responded_on, user, note=summary)
    _attach(event, [reply_letter] if reply_letter else [], FileRole.REPLY_LETTER, user, store)
    _attach(event, evidence, FileRole.EVIDENCE, user, store)
    if rec.status is RecommendationStatus.OPEN:
        recommendations.update(rec, user, {"status": RecommendationStatus.IN_PROGRESS}, follow_up=True)
    db.session.flush()
    audit.record(
        "follow_up",
        event.id,
        "response",
        user_id=user.id,
        office_id=rec.office_id,
        changes={"recommendation_id": rec.id, "on": responded_on.isoformat(), "files": _files_audit(event)},
    )
    return event


REINSPECTION_RESULTS = (
    RecommendationStatus.IMPLEMENTED,
    RecommendationStatus.PARTIALLY_IMPLEMENTED,
    RecommendationStatus.NOT_IMPLEMENTED,
)


def record_reinspection(
    rec: Recommendation,
    *,
    inspected_on: date,
    result: str,
    note: str,
    photos: Sequence[storage.CheckedUpload],
    user: User,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Record a visit that checked on site whether the recommendation was carried out."""
    inspected_on = _check_day(inspected_on, today, "inspected_on", "tanggal inspeksi ulang")
    _not_before_receipt(rec.deadline, inspected_on, "inspected_on", "tanggal inspeksi ulang")
    if result not in {r.value for r in REINSPECTION_RESULTS}:
        raise DeadlineError("Pilih hasil inspeksi ulang.", "result")
    note = _check_reason(note, "note", "Tuliskan apa yang dilihat saat inspeksi ulang.")
    event = _event(rec, EventKind.REINSPECTION, inspected_on, user, note=note, result=result)
    _attach(event, photos, FileRole.EVIDENCE, user, store)
    db.session.flush()
    audit.record(
        "follow_up",
        event.id,
        "reinspection",
        user_id=user.id,
        office_id=rec.office_id,
        changes={"recommendation_id": rec.id, "result": result, "files": _files_audit(event)},
    )
    return event


def record_outcome(
    rec: Recommendation,
    *,
    status: str,
    closed_on: date,
    note: str,
    evidence: Sequence[storage.CheckedUpload],
    user: User,
    today: date,
    store: FileStore,
) -> FollowUpEvent:
    """Close the follow-up with an outcome; needs evidence or a reason. The deadline becomes met or late."""
    try:
        outcome = RecommendationStatus(status)
    except ValueError:
        outcome = None
    if outcome not in CLOSED_STATUSES:
        raise DeadlineError("Pilih hasil tindak lanjut.", "status")
    closed_on = _check_day(closed_on, today, "closed_on", "tanggal hasil")
    _not_before_receipt(rec.deadline, closed_on, "closed_on", "tanggal hasil")
    note = (note or "").strip()
    if not note and not evidence:
        raise DeadlineError("Menutup rekomendasi memerlukan bukti atau alasan.", "note")
    if rec.status in CLOSED_STATUSES:
        raise DeadlineError("Rekomendasi sudah ditutup.", "status")
    event = _event(rec, EventKind.CLOSED, closed_on, user, note=note, result=outcome.value)
    _attach(event, evidence, FileRole.EVIDENCE, user, store)
    recommendations.update(
        rec,
        user,
        {"status": outcome, "outcome_note": note or "Bukti terlampir pada tindak lanjut."},
        follow_up=True,
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
        _audit(deadline, "closed", user, changes)
    db.session.flush()
    audit.record(
        "follow_up",
        event.id,
        "closed",
        user_id=user.id,
        office_id=rec.office_id,
        changes={"recommendation_id": rec.id, "outcome": outcome.value, "files": _files_audit(event)},
    )
    return event


def reopen(rec: Recommendation, *, reason: str, user: User, today: date) -> FollowUpEvent:
    """Reopen a closed follow-up (a wrong outcome, or the authority went back on it), with a reason."""
    reason = _check_reason(reason, "reason", "Membuka kembali wajib disertai alasan.")
    if rec.status not in CLOSED_STATUSES:
        raise DeadlineError("Rekomendasi ini belum ditutup.", "reason")
    event = _event(rec, EventKind.REOPENED, today, user, note=reason, result=rec.status.value)
    recommendations.update(rec, user, {"status": RecommendationStatus.IN_PROGRESS}, follow_up=True)
    if rec.deadline is not None:
        before = audit.snapshot(rec.deadline, DEADLINE_FIELDS)
        rec.deadline.closed_on = None
        changes = audit.diff(before, audit.snapshot(rec.deadline, DEADLINE_FIELDS))
        changes["reason"] = reason
        db.session.flush()
        _audit(rec.deadline, "reopened", user, changes)
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


ESCALATION_STEPS = ("reminder", "superior", "head_office")


def record_escalation(
    rec: Recommendation, *, sent_on: date, step: str, reference: str, note: str, user: User, today: date
) -> FollowUpEvent:
    """Record that a reminder, a letter to the superior or a Rekomendasi draft went out (with its number)."""
    sent_on = _check_day(sent_on, today, "sent_on", "tanggal surat")
    _not_before_receipt(rec.deadline, sent_on, "sent_on", "tanggal surat")
    if step not in ESCALATION_STEPS:
        raise DeadlineError("Pilih jenis surat eskalasi.", "step")
    reference = (reference or "").strip()
    if not reference:
        raise DeadlineError("Isi nomor surat.", "reference")
    event = _event(
        rec, EventKind.ESCALATION, sent_on, user, result=step, reference=reference[:200], note=note.strip()
    )
    db.session.flush()
    audit.record(
        "follow_up",
        event.id,
        "escalation",
        user_id=user.id,
        office_id=rec.office_id,
        changes={"recommendation_id": rec.id, "step": step, "reference": event.reference},
    )
    return event
