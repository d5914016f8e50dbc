"""What other packages may call of the deadlines package (the rest is its own business).

- the letters package starts and corrects the clocks of a letter's recommendations on receipt
  (`start_clock`, `correct_receipt`, with the office's `office_calendar` built once per letter), records an
  issued escalation letter on their follow-up (`record_escalation`) and takes the deadline sentence of a
  letter from here (`letter_deadline_sentence`: the rule the clock will count with, and any change of rule
  already scheduled);
- the API computes today's state boundaries once per request (`state_cutoffs`);
- the demo seed sets an office's calendar (`update_calendar_settings` with `UpdateCalendarSettings`).

Every one of them raises `ombudsman.errors.DomainError` subclasses when it refuses, flushes, never commits.
"""

from __future__ import annotations

from ombudsman.deadlines.commands import UpdateCalendarSettings
from ombudsman.deadlines.follow_up import record_escalation
from ombudsman.deadlines.letter_sentence import letter_deadline_sentence
from ombudsman.deadlines.receipt import correct_receipt, start_clock
from ombudsman.deadlines.settings import office_calendar, state_cutoffs
from ombudsman.deadlines.settings import update_settings as update_calendar_settings

__all__ = [
    "UpdateCalendarSettings",
    "correct_receipt",
    "letter_deadline_sentence",
    "office_calendar",
    "record_escalation",
    "start_clock",
    "state_cutoffs",
    "update_calendar_settings",
]
