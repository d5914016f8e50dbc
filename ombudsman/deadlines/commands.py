"""The inputs of the deadline use cases, one frozen dataclass each, with every bound declared once.

The services check a command with `contracts.validate(cmd, today)`; the WTForms forms (`forms.py`) take their
validators from the same bounds (`contract = ...`), so the page and the service cannot disagree. Rules that
need the database or another date (a response not before the receipt, a stop not after the due date) stay
in the services. Dates of things that happened (receipts, responses, stops) may not lie after today; dates
an admin sets ahead (rule validity, closures) may reach the office-wide far end (`DateRule.FUTURE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ombudsman.contracts import RECORD_ID, DateRule, Day, Number, Text, bounded

# --- bounds ---------------------------------------------------------------------------------------------

EVENT_DAY = Day(DateRule.PAST)  # a receipt, a response, an outcome, an extension granted, a stop
SET_AHEAD_DAY = Day(DateRule.FUTURE)  # rule validity, a planned closure
REASON = Text(2000)  # required by the service, with a message that says what the reason is for
SUMMARY = Text(20000)
NOTE = Text(20000)
ESCALATION_NOTE = Text(2000)
REFERENCE = Text(200)  # a letter number
EXTENSION_DAYS = Number(1, 3650)
RULE_DAYS = Number(1, 3650)
LEGAL_BASIS = Text(300)
RULE_NOTE = Text(2000)
WEEKDAY = Number(0, 6)
DUE_SOON_DAYS = Number(1, 60)
CLOSURE_REASON = Text(200)


# --- a recommendation's clock ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordReceipt:
    """The letter carrying a recommendation was received (and issued): start its clock."""

    received_on: date | None = bounded(EVENT_DAY, default=None)
    issued_on: date | None = bounded(EVENT_DAY, default=None)


@dataclass(frozen=True)
class CorrectReceipt:
    """A supervisor corrects a recorded received (and issue) date, with a reason."""

    received_on: date | None = bounded(EVENT_DAY, default=None)
    issued_on: date | None = bounded(EVENT_DAY, default=None)
    reason: str = bounded(REASON, default="")


@dataclass(frozen=True)
class Extend:
    """More time: `days` in the deadline's own unit after the current due date."""

    granted_on: date | None = bounded(EVENT_DAY, default=None)
    days: int | None = bounded(EXTENSION_DAYS, default=None)
    reason: str = bounded(REASON, default="")
    # Set by the portal's decision (never a form's or the API's input): the authority asked for it on this
    # day and `reason` is their own words; the explanation says "at the authority's request of <date>".
    requested_on: date | None = None


@dataclass(frozen=True)
class StopClock:
    """Stop the clock (the days left are kept)."""

    stopped_on: date | None = bounded(EVENT_DAY, default=None)
    reason: str = bounded(REASON, default="")


@dataclass(frozen=True)
class RestartClock:
    """Restart a stopped clock."""

    restarted_on: date | None = bounded(EVENT_DAY, default=None)
    reason: str = bounded(REASON, default="")


# --- follow-up records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordResponse:
    """The authority's response (its files travel beside the command, already checked)."""

    responded_on: date | None = bounded(EVENT_DAY, default=None)
    summary: str = bounded(SUMMARY, default="")


@dataclass(frozen=True)
class RecordReinspection:
    """A visit that checked on site whether the recommendation was carried out."""

    inspected_on: date | None = bounded(EVENT_DAY, default=None)
    result: str = ""  # a RecommendationStatus code among REINSPECTION_RESULTS
    note: str = bounded(NOTE, default="")


@dataclass(frozen=True)
class RecordOutcome:
    """Close the follow-up with an outcome; needs a note or evidence."""

    status: str = ""  # a closed RecommendationStatus code
    closed_on: date | None = bounded(EVENT_DAY, default=None)
    note: str = bounded(NOTE, default="")


@dataclass(frozen=True)
class Reopen:
    """Reopen a closed follow-up."""

    reason: str = bounded(REASON, default="")


@dataclass(frozen=True)
class RecordEscalation:
    """A reminder or escalation letter went out, with its number."""

    sent_on: date | None = bounded(EVENT_DAY, default=None)
    step: str = ""  # an EscalationStep code
    reference: str = bounded(REFERENCE, default="")
    note: str = bounded(ESCALATION_NOTE, default="")


# --- what deadlines are counted with --------------------------------------------------------------------


@dataclass(frozen=True)
class SaveRule:
    """Create or change a deadline rule."""

    kind: str = ""  # a RecommendationKind code
    count: int | None = bounded(RULE_DAYS, default=None)
    unit: str = ""  # a Unit code
    starts: str = ""  # a Start code
    # Calendar-day rules: a due date on a non-working day moves to the next working day (DOMAIN.md, open
    # questions: the office decides; on unless it says otherwise). Working-day rules always end on one.
    next_working_day: bool = True
    legal_basis: str = bounded(LEGAL_BASIS, default="")
    note: str = bounded(RULE_NOTE, default="")
    valid_from: date | None = bounded(SET_AHEAD_DAY, default=None)
    valid_to: date | None = bounded(SET_AHEAD_DAY, default=None)


@dataclass(frozen=True)
class UpdateCalendarSettings:
    """The office's weekend (weekday numbers, Monday 0), cuti bersama setting and due-soon threshold."""

    weekend: tuple[int, ...] = bounded(WEEKDAY, default=())
    cuti_bersama_is_working: bool = False
    due_soon_working_days: int | None = bounded(DUE_SOON_DAYS, default=None)


@dataclass(frozen=True)
class AddCalendarDay:
    """An extra closure or a reopened day, with its reason."""

    day: date | None = bounded(SET_AHEAD_DAY, default=None)
    kind: str = ""  # a CalendarDayKind code
    reason: str = bounded(CLOSURE_REASON, default="")


# --- questions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListDeadlines:
    """Filters of the deadlines list: an authority, a level group ("local", "central"), the inspector who
    wrote the recommendation, a state code; each None for all."""

    authority_id: int | None = bounded(RECORD_ID, default=None)
    level: str | None = None
    inspector_id: int | None = bounded(RECORD_ID, default=None)
    state: str | None = None
