"""The authority response portal: an authority's contact persons, their portal accounts and sign-in links,
letters delivered to them electronically and the receipts their opening records, their responses to
recommendations and their requests for more time (issue 14).

Portal accounts are a table of their own (`PortalUser`), not a role of the staff `User`: no staff query,
role set or office check can ever include them, and their session id ("portal:<id>:<generation>") can never
be loaded as a staff user's (`ombudsman.accounts.sessions.load_session_user`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.accounts.models import User
from ombudsman.authorities.models import Authority
from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.deadlines.models import FollowUpEvent
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.recommendations.models import Recommendation


class AuthorityContact(db.Model):
    """A contact person of an authority in the register (name, position, e-mail), managed by the admin.

    Electronic delivery of a letter goes to the active contacts of its addressee; each contact can hold one
    portal account (`PortalUser`).
    """

    __tablename__ = "authority_contacts"
    __table_args__ = (
        UniqueConstraint("authority_id", "email", name="uq_authority_contacts_authority_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(250), default="")
    email: Mapped[str] = mapped_column(String(254))
    # Whether the contact's portal also shows letters addressed to the authority's sub-units (the register's
    # children, at any depth), as the head of a city government answers for its agencies.
    includes_sub_units: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority] = relationship()
    account: Mapped[PortalUser | None] = relationship(back_populates="contact")

    def __repr__(self) -> str:
        return f"<AuthorityContact {self.id} {self.email} authority={self.authority_id}>"


class PortalUser(db.Model):
    """The portal account of one authority contact: signs in with a password (the staff policy, lockout and
    session control) or a single-use sign-in link, and sees only its authority's letters.

    `authority_id` is the contact's authority, copied so every portal query scopes on one column.
    """

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("authority_contacts.id"), unique=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    # The sign-in name: the contact's e-mail when the account was made (unique among portal accounts).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # None until the contact chooses a password (until then only sign-in links work).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # As on `User`: part of every session id; raising it ends every session of the account.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # As on `User`: the lockout bookkeeping of ombudsman.accounts.lockout.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lockout_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[AuthorityContact] = relationship(back_populates="account")
    authority: Mapped[Authority] = relationship()

    #: Tells portal accounts from staff users wherever a request's user is looked at.
    is_portal = True
    #: Portal accounts belong to no office (records of any office addressed to their authority).
    office_id = None

    # Flask-Login's user protocol, written out (UserMixin's `get_id` would give the bare id).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The id kept in the session: "portal:<id>:<session generation>" (staff ids have no prefix)."""
        return f"portal:{self.id}:{self.session_generation or 0}"

    def __repr__(self) -> str:
        return f"<PortalUser {self.id} {self.email} authority={self.authority_id}>"


class LinkPurpose(enum.StrEnum):
    """Why a sign-in link was sent."""

    INVITATION = "invitation"  # the admin invited the contact: leads to choosing a password
    DELIVERY = "delivery"  # a letter was delivered electronically: leads to the letter
    SIGN_IN = "sign_in"  # the contact asked for a link instead of typing a password


class PortalLink(db.Model):
    """A single-use, expiring sign-in link; only the SHA-256 of its secret is stored."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Where the link leads after signing in (a delivered letter), if anywhere in particular.
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    portal_user: Mapped[PortalUser] = relationship()

    def is_usable(self, now: datetime) -> bool:
        """Not used yet and not expired at `now`."""
        return self.used_at is None and now < self.expires_at


class PortalDelivery(db.Model):
    """A letter delivered electronically to one portal account: asked for when the letter is issued, mailed
    once it is (`sent_at`). One row per letter and account, so a repeated send mails nobody twice."""

    __tablename__ = "portal_deliveries"
    __table_args__ = (
        UniqueConstraint("letter_id", "portal_user_id", name="uq_portal_deliveries_letter_portal_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    letter: Mapped[Letter] = relationship()
    portal_user: Mapped[PortalUser] = relationship()


class LetterReceipt(db.Model):
    """The first opening of an issued letter in the portal: the receipt, who, when and from where.

    `received_on` is the date in the letter's office's time zone; it became the letter's `received_on`
    (`applied`) unless the office had recorded the same or an earlier one.
    """

    __tablename__ = "letter_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), unique=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)
    remote_addr: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    applied: Mapped[bool] = mapped_column(default=False)

    letter: Mapped[Letter] = relationship()
    portal_user: Mapped[PortalUser] = relationship()


class ResponseStatus(enum.StrEnum):
    """What the authority says it did about a recommendation (the office still decides the outcome)."""

    IMPLEMENTED = "implemented"
    PARTLY = "partly"
    NOT_YET = "not_yet"


class PortalResponse(db.Model):
    """An authority's answer to one recommendation: its status, text, evidence and optional reply letter.

    Each is recorded as a dated `response` follow-up event (`event_id`) whose files are the evidence and the
    reply letter (`FollowUpFile`, roles evidence / reply_letter). `notified_at` is set once the responsible
    inspector's digest has carried it.
    """

    __tablename__ = "portal_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("follow_up_events.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ResponseStatus] = mapped_column(str_enum(ResponseStatus))
    text: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    recommendation: Mapped[Recommendation] = relationship()
    portal_user: Mapped[PortalUser] = relationship()
    event: Mapped[FollowUpEvent] = relationship()


class ExtensionStatus(enum.StrEnum):
    """Where an extension request stands."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class ExtensionRequest(db.Model):
    """An authority's request for more time on one recommendation, decided on the office's follow-up page.

    Granting it extends the clock through `ombudsman.deadlines.adjustments.extend` (`event_id` is that
    `extended` event); the requester is e-mailed the decision (`decision_mailed_at`).
    """

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    proposed_due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ExtensionStatus] = mapped_column(
        str_enum(ExtensionStatus), default=ExtensionStatus.PENDING, index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_events.id"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decision_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recommendation: Mapped[Recommendation] = relationship()
    portal_user: Mapped[PortalUser] = relationship()
    decided_by: Mapped[User | None] = relationship()
    event: Mapped[FollowUpEvent | None] = relationship(foreign_keys=[event_id])

    @property
    def is_pending(self) -> bool:
        """Not decided yet."""
        return self.status is ExtensionStatus.PENDING
