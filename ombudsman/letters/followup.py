"""Where letters meet the follow-up clocks (the deadlines package): receipt starts them, issue escalates.

A letter's receipt date starts the follow-up clock of every recommendation it carries (and a corrected
receipt date moves the clocks it started); an issued escalation letter goes on each recommendation's
follow-up. The deadlines services' refusals come back here as the letters' own errors, naming the
recommendation.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ombudsman.accounts.models import User
from ombudsman.deadlines import services as deadlines
from ombudsman.deadlines.models import Deadline
from ombudsman.errors import Conflict, DomainError, Invalid
from ombudsman.letters.models import Letter
from ombudsman.recommendations.models import Recommendation


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _about(rec: Recommendation, exc: Exception):
    return _l(
        "Rekomendasi “%(text)s”: %(reason)s", text=_short(rec.text), reason=getattr(exc, "message", exc)
    )


def _receipt_refusal(exc: Exception, rec: Recommendation) -> Invalid:
    # Every date problem of the clock is a problem of the receipt date the user typed.
    field = getattr(exc, "field", None)
    field = "received_on" if field in (None, "received_on", "issued_on") else field
    return Invalid(_about(rec, exc), field)


def start_clocks(letter: Letter, user: User, received_on: date, today: date) -> list[int]:
    """Start the follow-up clock of each recommendation the letter carries; returns their ids.

    An escalation letter (reminder, superior, head office) starts nothing: its recommendations' clocks
    run from the first letter. So does a recommendation whose clock an earlier letter already started
    (the letter this one corrects) or that is already closed, and one addressed to another authority (a
    shared finding's recommendation sent to the other responsible authority too): its clock starts only
    from the receipt of a letter to its own authority (issue 11). Raises `Invalid` on `received_on`.
    """
    if letter.escalation_step:
        return []
    calendar = deadlines.office_calendar(letter.office)
    started = []
    for rec in letter.recommendations:
        if rec.deadline is not None or rec.status.is_closed or rec.authority_id != letter.authority_id:
            continue
        try:
            deadlines.start_clock(
                rec,
                received_on=received_on,
                issued_on=letter.letter_date,
                user=user,
                today=today,
                calendar=calendar,
            )
        except DomainError as exc:
            raise _receipt_refusal(exc, rec) from exc
        started.append(rec.id)
    return started


def correct_clocks(
    letter: Letter, user: User, old_received: date, received_on: date, reason: str, today: date
) -> list[int]:
    """Move the clocks this letter started (same issue and receipt dates) to the corrected receipt date."""
    if letter.escalation_step:
        return []
    corrected = []
    for rec in letter.recommendations:
        deadline: Deadline | None = rec.deadline
        if rec.authority_id != letter.authority_id:
            continue  # its clock never ran from this letter (see `start_clocks`)
        if deadline is None or (deadline.received_on, deadline.issued_on) != (
            old_received,
            letter.letter_date,
        ):
            continue
        try:
            deadlines.correct_receipt(
                deadline,
                received_on=received_on,
                issued_on=letter.letter_date,
                reason=reason,
                user=user,
                today=today,
            )
        except DomainError as exc:
            raise _receipt_refusal(exc, rec) from exc
        corrected.append(rec.id)
    return corrected


def record_escalation(letter: Letter, user: User, today: date) -> None:
    """An issued escalation letter goes on each recommendation's follow-up, so the next step knows.

    Raises `Conflict` naming the recommendation whose follow-up refused it.
    """
    for rec in letter.recommendations:
        try:
            deadlines.record_escalation(
                rec,
                sent_on=today,
                step=letter.escalation_step or "",
                reference=letter.number or "",
                note=letter.hal,
                user=user,
                today=today,
            )
        except DomainError as exc:
            raise Conflict(_about(rec, exc)) from exc
