"""Electronic delivery of an issued letter to its addressee's contacts, and the other portal notifications.

Issuing offers it: `request` (in the issue's own transaction) makes a `PortalDelivery` row per active
contact of the addressee, with a portal account for each contact that had none. The letter is rendered
afterwards, inline or as a job (`ombudsman.letters.issuing`); once it is issued and committed, `send_pending`
mails each row still unsent a single-use link to the letter. A row is claimed (its `sent_at` set and
committed) before its mail goes out, so two runs never mail one contact twice; a mail that fails is
released again and logged: the letter's page offers to send what is still unsent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ombudsman.accounts.models import User
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.letters import access
from ombudsman.letters.models import Letter, LetterRecommendation, LetterStatus
from ombudsman.mail import send_messages
from ombudsman.portal import accounts, contacts, mails
from ombudsman.portal.models import (
    ExtensionRequest,
    LinkPurpose,
    PortalDelivery,
    PortalResponse,
    PortalUser,
)
from ombudsman.recommendations.models import Recommendation

log = logging.getLogger(__name__)


def request(letter: Letter, *, actor: User) -> list[PortalDelivery]:
    """Ask for electronic delivery of `letter` to its addressee's active contacts; returns all its rows
    (those of an earlier request too: pressing "issue" again retries the render, never mails twice).

    A contact whose address is already another contact's portal login is skipped (logged); none of the
    contacts is mailed yet. Audited on the letter.
    """
    rows = []
    for contact in contacts.delivery_contacts(letter.authority_id):
        try:
            with db.session.begin_nested():
                account = accounts.account_for(contact, actor=actor)
        except DomainError as exc:
            log.warning("letter %s: contact %s skipped for e-delivery: %s", letter.id, contact.id, exc)
            continue
        exists = db.session.scalar(
            select(PortalDelivery.id).where(
                PortalDelivery.letter_id == letter.id, PortalDelivery.portal_user_id == account.id
            )
        )
        if exists is None:
            row = PortalDelivery(letter_id=letter.id, portal_user_id=account.id, requested_by_id=actor.id)
            db.session.add(row)
            rows.append(row)
    if rows:
        db.session.flush()
        access.record(
            letter, actor, "e_delivery_requested", {"recipients": [r.portal_user.email for r in rows]}
        )
    return deliveries_of(letter)


def send_pending(letter_id: int, config: Mapping, *, now: datetime) -> int:
    """Mail every unsent delivery of an issued letter (commits its own steps); returns how many went out."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.status is not LetterStatus.ISSUED:
        return 0
    ids = list(
        db.session.scalars(
            select(PortalDelivery.id).where(
                PortalDelivery.letter_id == letter_id, PortalDelivery.sent_at.is_(None)
            )
        )
    )
    lifetime = timedelta(hours=int(config["PORTAL_INVITATION_HOURS"]))
    claimed, messages = [], []
    for row_id in ids:
        taken = db.session.execute(
            update(PortalDelivery)
            .where(PortalDelivery.id == row_id, PortalDelivery.sent_at.is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            continue
        row = db.session.get(PortalDelivery, row_id)
        account = row.portal_user
        if not account.active:
            continue
        secret = accounts.new_link(
            account, LinkPurpose.DELIVERY, now=now, lifetime=lifetime, letter_id=letter_id
        )
        claimed.append(row_id)
        messages.append(mails.delivery(account, letter, secret, config, expires_at=now + lifetime))
    db.session.commit()
    failed = send_messages(messages, config)
    for n, exc in failed:
        log.warning("letter %s: delivery mail to %s not sent: %s", letter_id, messages[n]["To"], exc)
        db.session.execute(
            update(PortalDelivery)
            .where(PortalDelivery.id == claimed[n])
            .values(sent_at=None)
            .execution_options(synchronize_session=False)
        )
    if failed:
        db.session.commit()
    return len(messages) - len(failed)


def deliveries_of(letter: Letter) -> list[PortalDelivery]:
    """The letter's electronic deliveries, with their accounts, for the letter's page."""
    return list(
        db.session.scalars(
            select(PortalDelivery).where(PortalDelivery.letter_id == letter.id).order_by(PortalDelivery.id)
        )
    )


def _accounts_following(rec: Recommendation) -> list[PortalUser]:
    """The active portal accounts that follow a recommendation: those a letter carrying it was delivered
    to, and those that answered it or asked for more time on it."""
    delivered = (
        select(PortalDelivery.portal_user_id)
        .join(LetterRecommendation, LetterRecommendation.letter_id == PortalDelivery.letter_id)
        .where(LetterRecommendation.recommendation_id == rec.id)
    )
    answered = select(PortalResponse.portal_user_id).where(PortalResponse.recommendation_id == rec.id)
    asked = select(ExtensionRequest.portal_user_id).where(ExtensionRequest.recommendation_id == rec.id)
    return list(
        db.session.scalars(
            select(PortalUser)
            .where(PortalUser.active.is_(True))
            .where(PortalUser.id.in_(delivered.union(answered, asked)))
            .order_by(PortalUser.id)
        )
    )


def _send(messages: list, config: Mapping) -> int:
    for n, exc in send_messages(messages, config) if messages else []:
        log.warning("portal mail to %s not sent: %s", messages[n]["To"], exc)
    return len(messages)


def notify_outcome(rec: Recommendation, config: Mapping) -> int:
    """After the office's outcome was committed: tell the accounts following the recommendation (failures
    are logged: the outcome stands either way). Returns how many mails were attempted."""
    return _send(
        [mails.outcome_decided(account, rec, config) for account in _accounts_following(rec)], config
    )


def notify_extension_decision(request: ExtensionRequest, config: Mapping, *, now: datetime) -> None:
    """After the office's decision was committed: tell the account that asked, and note when
    (`decision_mailed_at`; the caller commits). A failure is logged: the decision stands either way."""
    if not request.portal_user.active:
        return
    deadline = request.recommendation.deadline
    message = mails.extension_decided(request, deadline.due_on if deadline else None, config)
    if not send_messages([message], config):
        request.decision_mailed_at = now
    else:
        log.warning("extension request %s: decision mail to %s not sent", request.id, message["To"])
