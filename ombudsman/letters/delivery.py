"""Delivery of an issued letter: how and when it was sent, and when the authority received it.

The receipt date is where the follow-up clocks start, so it is recorded once; changing it afterwards is a
supervisor's correction with a reason, audited as such, and moves the clocks the letter started.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from ombudsman import contracts, dates
from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import RECOMMEND
from ombudsman.audit import services as audit
from ombudsman.errors import Conflict, Forbidden, Invalid
from ombudsman.letters import access, followup
from ombudsman.letters.commands import RecordDelivery
from ombudsman.letters.models import DeliveryMethod, Letter, LetterStatus

DELIVERY_FIELDS = ("delivery_method", "delivered_on", "received_on", "delivery_note")


def _check_dates(letter: Letter, cmd: RecordDelivery, today: date) -> None:
    issued_on = letter.letter_date
    assert issued_on is not None  # every issued letter has its date
    when = dates.day_text(issued_on)
    checks = (
        (
            cmd.delivered_on,
            "delivered_on",
            _l("Tanggal dikirim tidak boleh sebelum tanggal surat (%(date)s).", date=when),
        ),
        (
            cmd.received_on,
            "received_on",
            _l("Tanggal diterima tidak boleh sebelum tanggal surat (%(date)s).", date=when),
        ),
    )
    for value, field, too_early in checks:
        if value is not None and value < issued_on:
            raise Invalid(too_early, field)
    contracts.validate(cmd, today)  # not in the future, texts within bounds
    if cmd.delivered_on and cmd.received_on and cmd.received_on < cmd.delivered_on:
        raise Invalid(_l("Tanggal diterima tidak boleh sebelum tanggal dikirim."), "received_on")
    if cmd.received_on is not None and cmd.delivered_on is None and letter.delivered_on is None:
        raise Invalid(_l("Catat juga tanggal pengiriman."), "delivered_on")


def record_delivery(letter: Letter, user: User, cmd: RecordDelivery, *, today: date) -> dict[str, Any]:
    """Record how and when an issued letter was delivered and received; returns the audited changes.

    The first receipt date starts the recommendations' follow-up clocks; a different one later is a
    correction (supervisor only, with `correction_reason`) that moves them. Raises `NotFound` (another
    office), `Forbidden` (the role; a correction by anyone but a supervisor, on `received_on`), `Conflict`
    (the letter is not issued, or was superseded) and `Invalid` naming the date or reason at fault.
    """
    access.same_office(user, letter)
    access.require(
        user, RECOMMEND, _l("Hanya inspektur, supervisor atau Kepala Perwakilan yang mencatat pengiriman.")
    )
    if letter.status is not LetterStatus.ISSUED:
        raise Conflict(_l("Pengiriman hanya dicatat untuk surat yang sudah terbit (dan belum diganti)."))
    _check_dates(letter, cmd, today)
    received_on = cmd.received_on
    reason = cmd.correction_reason.strip()
    correcting = letter.received_on is not None and received_on != letter.received_on
    if correcting:
        if user.role not in access.CORRECT_RECEIPT:
            raise Forbidden(
                _l("Tanggal diterima sudah dicatat; koreksinya hanya oleh supervisor, dengan alasan."),
                "received_on",
            )
        if not reason:
            raise Invalid(_l("Tulis alasan koreksi tanggal diterima."), "correction_reason")
        if received_on is None:
            raise Invalid(
                _l(
                    "Tanggal diterima yang sudah tercatat tidak dapat dihapus; "
                    "koreksi dengan tanggal yang benar."
                ),
                "received_on",
            )
    old_received = letter.received_on
    before = audit.snapshot(letter, DELIVERY_FIELDS)
    letter.delivery_method = DeliveryMethod(cmd.delivery_method) if cmd.delivery_method else None
    letter.delivered_on = cmd.delivered_on
    letter.received_on = received_on
    letter.delivery_note = cmd.delivery_note.strip()
    changes = audit.diff(before, audit.snapshot(letter, DELIVERY_FIELDS))
    if not changes:
        return changes
    if correcting:
        changes["reason"] = reason
    # The follow-up clocks run from the receipt date: started with it, corrected with it.
    if received_on is not None and old_received is None:
        changes["deadlines_started"] = followup.start_clocks(letter, user, received_on, today)
    elif correcting and received_on is not None and old_received is not None:
        changes["deadlines_corrected"] = followup.correct_clocks(
            letter, user, old_received, received_on, reason, today
        )
    access.record(letter, user, "received_on_corrected" if correcting else "delivery", changes)
    return changes
