"""What the deadlines are counted with: deadline rules, the office's working-day settings and its closures.

Changing any of these never moves a stored due date; `changes.preview` shows the admin what would move.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.deadlines.calendar import WorkingCalendar, format_date_id
from ombudsman.deadlines.models import CalendarDay, CalendarDayKind, DeadlineRule, Start, Unit
from ombudsman.deadlines.services import DeadlineError
from ombudsman.extensions import db
from ombudsman.recommendations.models import RecommendationKind

RULE_FIELDS = ("kind", "count", "unit", "starts", "legal_basis", "note", "valid_from", "valid_to")
SETTINGS_FIELDS = ("weekend_days", "cuti_bersama_is_working", "due_soon_working_days")
MAX_DUE_SOON = 60


def all_rules() -> list[DeadlineRule]:
    """Every deadline rule, by kind and start of validity."""
    rules = db.session.scalars(select(DeadlineRule))
    return sorted(rules, key=lambda r: (r.kind.value, r.valid_from or date.min, r.id))


def _span(valid_from: date | None, valid_to: date | None) -> str:
    start = format_date_id(valid_from) if valid_from else "awal"
    end = format_date_id(valid_to) if valid_to else "seterusnya"
    return f"{start} \u2013 {end}"


def _overlaps(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    return (a_from or date.min) <= (b_to or date.max) and (b_from or date.min) <= (a_to or date.max)


def save_rule(rule: DeadlineRule | None, data: dict[str, Any], *, user: User | None) -> DeadlineRule:
    """Create or change a deadline rule: a positive count, a valid span, no overlap with the same kind."""
    try:
        kind = RecommendationKind(data.get("kind"))
    except ValueError:
        raise DeadlineError("Pilih jenis rekomendasi.", "kind") from None
    count = data.get("count")
    if not isinstance(count, int) or count <= 0:
        raise DeadlineError("Jumlah hari harus lebih dari nol.", "count")
    try:
        unit, starts = Unit(data.get("unit")), Start(data.get("starts"))
    except ValueError:
        raise DeadlineError("Pilih satuan hari dan titik mulai.", "unit") from None
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise DeadlineError("Tanggal akhir berlaku tidak boleh sebelum tanggal mulai berlaku.", "valid_to")
    for other in db.session.scalars(select(DeadlineRule).where(DeadlineRule.kind == kind)):
        if other is not rule and _overlaps(valid_from, valid_to, other.valid_from, other.valid_to):
            raise DeadlineError(
                f"Masa berlaku bertumpang tindih dengan aturan lain untuk jenis yang sama "
                f"({other.count} {other.unit.value}, {_span(other.valid_from, other.valid_to)}).",
                "valid_from",
            )
    before = audit.snapshot(rule, RULE_FIELDS) if rule else {}
    if rule is None:
        rule = DeadlineRule()
        db.session.add(rule)
    rule.kind, rule.count, rule.unit, rule.starts = kind, count, unit, starts
    rule.legal_basis = (data.get("legal_basis") or "").strip()
    rule.note = (data.get("note") or "").strip()
    rule.valid_from, rule.valid_to = valid_from, valid_to
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        audit.record(
            "deadline_rule",
            rule.id,
            "updated" if before else "created",
            user_id=user and user.id,
            office_id=user and user.office_id,
            changes=changes,
        )
    return rule


def update_settings(office: Office, data: dict[str, Any], *, user: User) -> dict:
    """Change the office's weekend, cuti bersama setting and due-soon threshold; returns the changes."""
    weekend = sorted({int(d) for d in data.get("weekend") or []})
    try:
        WorkingCalendar(weekend=frozenset(weekend))
    except ValueError:
        raise DeadlineError("Akhir pekan tidak boleh mencakup seluruh minggu.", "weekend") from None
    soon = data.get("due_soon_working_days")
    if not isinstance(soon, int) or not 1 <= soon <= MAX_DUE_SOON:
        raise DeadlineError(
            f"Ambang \u201csegera jatuh tempo\u201d antara 1 dan {MAX_DUE_SOON} hari kerja.", "due_soon"
        )
    before = audit.snapshot(office, SETTINGS_FIELDS)
    office.weekend_days = ",".join(str(d) for d in weekend)
    office.cuti_bersama_is_working = bool(data.get("cuti_bersama_is_working"))
    office.due_soon_working_days = soon
    changes = audit.diff(before, audit.snapshot(office, SETTINGS_FIELDS))
    if changes:
        audit.record(
            "office", office.id, "deadline_settings", user_id=user.id, office_id=office.id, changes=changes
        )
    return changes


def calendar_days(office: Office) -> list[CalendarDay]:
    """The office's closures and reopened days, newest first."""
    return list(
        db.session.scalars(
            select(CalendarDay).where(CalendarDay.office_id == office.id).order_by(CalendarDay.day.desc())
        )
    )


def add_calendar_day(office: Office, *, day: date | None, kind: str, reason: str, user: User) -> CalendarDay:
    """Close an extra day or reopen one, with a reason; one entry per day."""
    if day is None:
        raise DeadlineError("Isi tanggal.", "day")
    try:
        kind_ = CalendarDayKind(kind)
    except ValueError:
        raise DeadlineError("Pilih libur tambahan atau hari kerja pengganti.", "kind") from None
    reason = (reason or "").strip()
    if not reason:
        raise DeadlineError("Alasan wajib diisi.", "reason")
    existing = db.session.scalar(
        select(CalendarDay).where(CalendarDay.office_id == office.id, CalendarDay.day == day)
    )
    if existing is not None:
        raise DeadlineError(f"{format_date_id(day)} sudah tercatat: {existing.reason}.", "day")
    entry = CalendarDay(office_id=office.id, day=day, kind=kind_, reason=reason[:200], created_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "calendar_day",
        entry.id,
        "created",
        user_id=user.id,
        office_id=office.id,
        changes={"day": day.isoformat(), "kind": kind_.value, "reason": entry.reason},
    )
    return entry


def remove_calendar_day(entry: CalendarDay, *, user: User) -> None:
    """Delete a closure or reopened day (the audit trail keeps what it was)."""
    audit.record(
        "calendar_day",
        entry.id,
        "deleted",
        user_id=user.id,
        office_id=entry.office_id,
        changes={"day": entry.day.isoformat(), "kind": entry.kind.value, "reason": entry.reason},
    )
    db.session.delete(entry)
    db.session.flush()


def ensure_rules(rows: list[dict[str, Any]]) -> None:
    """Add the seed rules whose kind has no rule yet (edits made since are kept)."""
    for row in rows:
        if (
            db.session.scalar(select(DeadlineRule.id).where(DeadlineRule.kind == row["kind"]).limit(1))
            is None
        ):
            save_rule(None, row, user=None)
