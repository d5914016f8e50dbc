"""The office's working-day calendar: its settings (weekend, cuti bersama, due-soon threshold) and the
admin's closures and reopened days, and what is built from them (the calendar, today's state cutoffs).

Changing any of these never moves a stored due date; `changes.preview` shows the admin what would move.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.dates import day_text
from ombudsman.deadlines.calendar import WorkingCalendar
from ombudsman.deadlines.commands import AddCalendarDay, UpdateCalendarSettings
from ombudsman.deadlines.models import (
    DEFAULT_DUE_SOON_WORKING_DAYS,
    DEFAULT_WEEKEND,
    CalendarDay,
    CalendarDayKind,
    CalendarSettings,
)
from ombudsman.deadlines.states import StateCutoffs
from ombudsman.deadlines.tallies import DeadlineMonthTally
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db

SETTINGS_FIELDS = ("weekend_days", "cuti_bersama_is_working", "due_soon_working_days")


def calendar_settings(office_id: int) -> CalendarSettings:
    """The office's calendar settings; the defaults (Saturday and Sunday off, cuti bersama off, five
    working days "soon") as an unsaved row when the office never saved any."""
    settings = db.session.scalar(select(CalendarSettings).where(CalendarSettings.office_id == office_id))
    if settings is None:
        settings = CalendarSettings(
            office_id=office_id,
            weekend_days=DEFAULT_WEEKEND,
            cuti_bersama_is_working=False,
            due_soon_working_days=DEFAULT_DUE_SOON_WORKING_DAYS,
        )
    return settings


def update_settings(office: Office, cmd: UpdateCalendarSettings, *, user: User | None) -> dict:
    """Change the office's calendar settings (saving its row the first time); returns the audited changes
    as {field: [old, new]}. Raises `Invalid` for a weekend of the whole week or a threshold out of bounds."""
    contracts.validate(cmd)
    weekend = sorted(set(cmd.weekend))
    if len(weekend) == 7:
        raise Invalid(_l("Akhir pekan tidak boleh mencakup seluruh minggu."), "weekend")
    if cmd.due_soon_working_days is None:
        raise Invalid(_l("Isi ambang \u201csegera jatuh tempo\u201d."), "due_soon_working_days")
    settings = calendar_settings(office.id)
    before = audit.snapshot(settings, SETTINGS_FIELDS)
    settings.weekend_days = ",".join(str(d) for d in weekend)
    settings.cuti_bersama_is_working = bool(cmd.cuti_bersama_is_working)
    settings.due_soon_working_days = cmd.due_soon_working_days
    db.session.add(settings)
    changes = audit.diff(before, audit.snapshot(settings, SETTINGS_FIELDS))
    if changes:
        db.session.flush()
        audit.record(
            "office",
            office.id,
            "deadline_settings",
            user_id=user and user.id,
            office_id=office.id,
            changes=changes,
        )
    return changes


def calendar_days(office: Office) -> list[CalendarDay]:
    """The office's closures and reopened days, newest first."""
    return list(
        db.session.scalars(
            select(CalendarDay).where(CalendarDay.office_id == office.id).order_by(CalendarDay.day.desc())
        )
    )


def add_calendar_day(office: Office, cmd: AddCalendarDay, *, user: User) -> CalendarDay:
    """Close an extra day or reopen one, with a reason; one entry per day (`Conflict` for a second)."""
    contracts.validate(cmd)
    if cmd.day is None:
        raise Invalid(_l("Isi tanggal."), "day")
    try:
        kind = CalendarDayKind(cmd.kind)
    except ValueError:
        raise Invalid(_l("Pilih libur tambahan atau hari kerja pengganti."), "kind") from None
    reason = (cmd.reason or "").strip()
    if not reason:
        raise Invalid(_l("Alasan wajib diisi."), "reason")
    existing = db.session.scalar(
        select(CalendarDay).where(CalendarDay.office_id == office.id, CalendarDay.day == cmd.day)
    )
    if existing is not None:
        raise Conflict(
            _l("%(day)s sudah tercatat: %(reason)s.", day=day_text(cmd.day), reason=existing.reason), "day"
        )
    entry = CalendarDay(office_id=office.id, day=cmd.day, kind=kind, reason=reason, created_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "calendar_day",
        entry.id,
        "created",
        user_id=user.id,
        office_id=office.id,
        changes={"day": cmd.day.isoformat(), "kind": kind.value, "reason": entry.reason},
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


def office_calendar(office: Office, settings: CalendarSettings | None = None) -> WorkingCalendar:
    """The office's working-day calendar: its settings plus the admin's closures and reopened days."""
    settings = settings or calendar_settings(office.id)
    days = db.session.execute(
        select(CalendarDay.day, CalendarDay.kind, CalendarDay.reason).where(
            CalendarDay.office_id == office.id
        )
    ).all()
    return WorkingCalendar(
        weekend=settings.weekend,
        cuti_bersama_is_working=settings.cuti_bersama_is_working,
        closures={d: r for d, k, r in days if k is CalendarDayKind.CLOSED},
        reopened={d: r for d, k, r in days if k is CalendarDayKind.REOPENED},
    )


def state_cutoffs(
    office: Office, today: date, calendar: WorkingCalendar | None = None, *, periods: Iterable | None = None
) -> StateCutoffs:
    """State boundaries for the office on `today`, pre-computed for every (unit, count) its deadlines use
    (or the `periods` given)."""
    settings = calendar_settings(office.id)
    calendar = calendar or office_calendar(office, settings)
    if periods is None:
        # From the office's tally rows per due month (a few hundred), not from every deadline (issue 12).
        periods = db.session.execute(
            select(DeadlineMonthTally.unit, DeadlineMonthTally.count)
            .where(DeadlineMonthTally.office_id == office.id, DeadlineMonthTally.deadlines != 0)
            .distinct()
        ).all()
    return StateCutoffs(calendar, today, settings.due_soon_working_days, periods)
