"""Receipt through the portal: the first time a portal user opens an issued letter, the letter was received.

The receipt (date in the letter's office's time zone, who, from which address) is kept once per letter
(`LetterReceipt`). It becomes the letter's `received_on` unless the office already recorded one (which can
only be the same day or earlier: receipt dates are never in the future), and the follow-up clocks start
exactly as when the office records the receipt itself (`ombudsman.letters.followup`). The office can still
correct the date with a reason on the letter's page, as before. Flushes, never commits.

An opening is a receipt, not a delivery: the letter's delivery method and sent date are set only when it
was really mailed through the portal (a `PortalDelivery` with `sent_at`): e-mail, sent on that day in the
office's zone. A letter whose contact was only invited keeps the delivery the office recorded (or none).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ombudsman import clock
from ombudsman.audit import services as audit
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.letters import access, followup
from ombudsman.letters.delivery import DELIVERY_FIELDS
from ombudsman.letters.models import DeliveryMethod, Letter, LetterStatus
from ombudsman.portal.models import LetterReceipt, PortalDelivery, PortalUser

log = logging.getLogger(__name__)


def receipt_of(letter: Letter) -> LetterReceipt | None:
    """The letter's portal receipt, if it was opened in the portal."""
    return db.session.scalar(select(LetterReceipt).where(LetterReceipt.letter_id == letter.id))


def record_opening(
    letter: Letter, account: PortalUser, *, now: datetime, remote_addr: str, user_agent: str
) -> LetterReceipt | None:
    """Record the receipt when `account` opens `letter` for the first time; None when it was opened before.

    Applied as the letter's received date (starting its recommendations' clocks) when the office has
    recorded none; if a clock cannot start (no deadline rule for its kind, say) the receipt is
    kept unapplied, logged, and the office records the date by hand as before. Never raises a refusal.
    """
    if receipt_of(letter) is not None:
        return None
    office_tz = letter.office.timezone
    day = clock.today(office_tz)
    receipt = LetterReceipt(
        letter_id=letter.id,
        portal_user_id=account.id,
        opened_at=now,
        received_on=day,
        remote_addr=(remote_addr or "")[:45],
        user_agent=(user_agent or "")[:300],
    )
    try:
        with db.session.begin_nested():
            db.session.add(receipt)
    except IntegrityError:
        return None  # another request recorded the first opening a moment ago
    if letter.status is not LetterStatus.ISSUED:
        return receipt  # a superseded letter: its correction carries the clocks
    if letter.received_on is not None:
        return receipt  # the office's own record stands (the same day or earlier)
    try:
        with db.session.begin_nested():
            _apply(letter, receipt, account)
    except DomainError as exc:
        log.warning("letter %s: portal receipt of %s not applied: %s", letter.id, day, exc)
    return receipt


def _apply(letter: Letter, receipt: LetterReceipt, account: PortalUser) -> None:
    day = receipt.received_on
    before = audit.snapshot(letter, DELIVERY_FIELDS)
    letter.received_on = day
    mailed_at = db.session.scalar(
        select(func.min(PortalDelivery.sent_at)).where(
            PortalDelivery.letter_id == letter.id, PortalDelivery.sent_at.is_not(None)
        )
    )
    if mailed_at is not None:
        # Never after the receipt (a pinned OMBUDSMAN_TODAY can put "today" before the real mailing).
        sent_on = min(mailed_at.astimezone(ZoneInfo(letter.office.timezone)).date(), day)
        if letter.delivery_method is None:
            letter.delivery_method = DeliveryMethod.EMAIL
        if letter.delivered_on is None or letter.delivered_on > sent_on:
            letter.delivered_on = sent_on
    changes = audit.diff(before, audit.snapshot(letter, DELIVERY_FIELDS))
    changes["portal_user"] = account.name
    changes["remote_addr"] = receipt.remote_addr
    changes["deadlines_started"] = followup.start_clocks(letter, None, day, day)
    receipt.applied = True
    access.record(letter, None, "portal_receipt", changes)
