"""Deadline rules, the office's extra closures, each recommendation's clock and its dated follow-up events."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.accounts.models import User
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.deadlines import explanations
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation, RecommendationKind


class Unit(enum.StrEnum):
    """How a deadline rule counts days."""

    WORKING = "working"
    CALENDAR = "calendar"


class Start(enum.StrEnum):
    """The date a deadline rule counts from."""

    ON_RECEIPT = "on_receipt"
    ON_ISSUE = "on_issue"


class DeadlineState(enum.StrEnum):
    """Where a recommendation's deadline stands on a given day (DOMAIN.md, "Deadlines")."""

    NOT_STARTED = "not_started"
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"
    MET = "met"
    LATE = "late"


ACTIVE_STATES = (
    DeadlineState.OPEN,
    DeadlineState.DUE_SOON,
    DeadlineState.OVERDUE,
    DeadlineState.VERY_OVERDUE,
)
PAST_DUE_STATES = (DeadlineState.OVERDUE, DeadlineState.VERY_OVERDUE)
ALERT_STATES = (DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.VERY_OVERDUE)


class CalendarDayKind(enum.StrEnum):
    """An admin's correction of the holiday data for one day."""

    CLOSED = "closed"
    REOPENED = "reopened"


class EventKind(enum.StrEnum):
    """Dated follow-up events on a recommendation; the first six change its clock."""

    CLOCK_STARTED = "clock_started"
    RECEIPT_CORRECTED = "receipt_corrected"
    EXTENDED = "extended"
    CLOCK_STOPPED = "clock_stopped"
    CLOCK_RESTARTED = "clock_restarted"
    RECOMPUTED = "recomputed"
    RESPONSE = "response"
    REINSPECTION = "reinspection"
    ESCALATION = "escalation"
    CLOSED = "closed"
    REOPENED = "reopened"


# The events a due date is replayed from: everything after the start that moved the date.
CLOCK_ADJUSTMENTS = (EventKind.EXTENDED, EventKind.CLOCK_STOPPED, EventKind.CLOCK_RESTARTED)


class EscalationStep(enum.StrEnum):
    """The next letter for an ignored recommendation (stored as the `result` of an escalation event)."""

    REMINDER = "reminder"
    SUPERIOR = "superior"
    HEAD_OFFICE = "head_office"


class FileRole(enum.StrEnum):
    """What an attached file is."""

    REPLY_LETTER = "reply_letter"
    EVIDENCE = "evidence"


class DeadlineRule(db.Model):
    """How long an authority has to act on one kind of recommendation, valid for a span of start dates."""

    __tablename__ = "deadline_rules"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="valid_span"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RecommendationKind] = mapped_column(str_enum(RecommendationKind), index=True)
    count: Mapped[int] = mapped_column(Integer)
    unit: Mapped[Unit] = mapped_column(str_enum(Unit))
    starts: Mapped[Start] = mapped_column(str_enum(Start), default=Start.ON_RECEIPT)
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Calendar-day rules only: a due date on a non-working day moves to the next working day.
    next_working_day: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Inclusive; None means open-ended on that side.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def in_force_on(self, day: date) -> bool:
        """Whether a clock starting on `day` falls under this rule."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


DEFAULT_WEEKEND = "5,6"
DEFAULT_DUE_SOON_WORKING_DAYS = 5


class CalendarSettings(db.Model):
    """An office's working-day settings: its weekend, whether cuti bersama count as working days, and how
    many working days before a due date it is "due soon". One row per office, added when first saved."""

    __tablename__ = "calendar_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), unique=True)
    # Weekday numbers (Monday is 0), comma-separated.
    weekend_days: Mapped[str] = mapped_column(String(20), default=DEFAULT_WEEKEND)
    cuti_bersama_is_working: Mapped[bool] = mapped_column(default=False)
    due_soon_working_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_DUE_SOON_WORKING_DAYS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def weekend(self) -> frozenset[int]:
        """The weekend as `date.weekday()` numbers."""
        return frozenset(int(d) for d in (self.weekend_days or "").split(",") if d.strip())


class CalendarDay(db.Model):
    """An extra closure (local holiday, office closure) or a reopened day, with the admin's reason."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[CalendarDayKind] = mapped_column(str_enum(CalendarDayKind))
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class Deadline(db.Model):
    """A recommendation's follow-up clock: computed once when its letter is received, then only moved by
    dated events (extension, stop and restart, a correction, an admin applying a calendar change)."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_office_due", "office_id", "due_on"),
        # The dashboard's lists of running deadlines in one state ("closed_on IS NULL AND due_on < ...",
        # earliest due first) walk this index and stop after ten rows (issue 12).
        Index("ix_deadlines_office_open_due", "office_id", "closed_on", "due_on"),
        # The dashboard's first "open" deadlines include the stopped clocks, whatever their due date: the
        # few running ones that are stopped, by due date (partial: the planner knows they are few).
        Index(
            "ix_deadlines_office_stopped",
            "office_id",
            "due_on",
            sqlite_where=text("stopped_on IS NOT NULL AND closed_on IS NULL"),
            postgresql_where=text("stopped_on IS NOT NULL AND closed_on IS NULL"),
        ),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), unique=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rules.id"), index=True)
    # The rule as it was applied: later edits to the rule never change a running clock silently.
    count: Mapped[int] = mapped_column(Integer)
    unit: Mapped[Unit] = mapped_column(str_enum(Unit))
    starts: Mapped[Start] = mapped_column(str_enum(Start))
    # The rule's "next working day" setting as applied (False for clocks started before the setting existed).
    next_working_day: Mapped[bool] = mapped_column(default=False, server_default=false())
    issued_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # How the due date was reached, as facts (see `explanations`); rendered in the reader's language.
    explanation_facts: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # The Indonesian sentence of deadlines stored before the facts whose text could not be read back.
    legacy_explanation: Mapped[str] = mapped_column("explanation", Text, default="")
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="deadline")
    rule: Mapped[DeadlineRule | None] = relationship()

    @property
    def explanation(self) -> str:
        """How the due date was reached, one line per step, in the current language."""
        return self.explanation_in(None)

    def explanation_in(self, language: str | None) -> str:
        """The explanation in `language` ("id", "en"; None: the current one). Older explanations whose
        text could not be read back into facts are Indonesian in every language."""
        if self.explanation_facts is None:
            return self.legacy_explanation
        return explanations.render(self.explanation_facts, language)

    @property
    def explanation_steps(self) -> list[dict]:
        """The explanation as steps (a text-only one as kept lines), to add a step to."""
        if self.explanation_facts is None:
            return explanations.text_steps(self.legacy_explanation)
        return list(self.explanation_facts)

    @property
    def is_closed(self) -> bool:
        """An outcome has been recorded."""
        return self.closed_on is not None

    @property
    def is_stopped(self) -> bool:
        """The clock is stopped (waiting for something outside the authority's control)."""
        return self.stopped_on is not None


class FollowUpEvent(db.Model):
    """One dated thing that happened while following a recommendation up. Rows are only ever added."""

    __tablename__ = "follow_up_events"
    __table_args__ = (Index("ix_follow_up_events_recommendation", "recommendation_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    occurred_on: Mapped[date] = mapped_column(Date)
    # Extension length, or the days left when the clock was stopped (in the deadline's unit).
    days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    # Outcome status, re-inspection result or escalation step, depending on the kind; for an extension
    # the authority asked for through the portal, the ISO date of its request (`requested_on`).
    result: Mapped[str] = mapped_column(String(40), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    old_due_on: Mapped[date | None] = mapped_column(Date)
    new_due_on: Mapped[date | None] = mapped_column(Date)
    # The deadline's explanation after the event, as facts (see `Deadline.explanation_facts`).
    explanation_facts: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    legacy_explanation: Mapped[str] = mapped_column("explanation", Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    files: Mapped[list[FollowUpFile]] = relationship(back_populates="event", order_by="FollowUpFile.id")

    @property
    def requested_on(self) -> date | None:
        """For an extension the authority asked for (its `note` is then their reason): the request's date."""
        if self.kind is EventKind.EXTENDED and self.result:
            return date.fromisoformat(self.result)
        return None

    @property
    def explanation(self) -> str:
        """The deadline's explanation after this event, in the current language ("" when none)."""
        if self.explanation_facts is None:
            return self.legacy_explanation
        return explanations.render(self.explanation_facts)


class FollowUpFile(db.Model):
    """A reply letter or piece of evidence attached to a follow-up event, stored like inspection evidence."""

    __tablename__ = "follow_up_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("follow_up_events.id", ondelete="CASCADE"), index=True)
    role: Mapped[FileRole] = mapped_column(str_enum(FileRole))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[FollowUpEvent] = relationship(back_populates="files")


class ReminderNotice(db.Model):
    """That one user was told that one deadline reached one state for one due date: told once, never again."""

    __tablename__ = "reminder_notices"
    __table_args__ = (UniqueConstraint("deadline_id", "user_id", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[DeadlineState] = mapped_column(str_enum(DeadlineState))
    due_on: Mapped[date] = mapped_column(Date)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A user's private iCalendar feed; only a SHA-256 of its token is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
