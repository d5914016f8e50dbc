"""What the portal's JSON API keeps: bearer tokens of portal accounts and the idempotency keys of their
creates (issue 14, item 7).

Both are tables of their own, apart from the staff's `ApiToken` and `IdempotencyKey`: a portal token can
never be looked up as a staff token (nor the other way round), and a key is owned by a portal account, not
a staff user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime
from ombudsman.extensions import db
from ombudsman.portal.models import PortalUser


class PortalApiToken(db.Model):
    """A bearer token of one portal account for an authority's system; only its SHA-256 is stored.

    Made by the account itself (e-mail and password) or by an admin for it (`created_by_id`); the secret
    is shown once.
    """

    __tablename__ = "portal_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    portal_user: Mapped[PortalUser] = relationship()

    def is_valid(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<PortalApiToken {self.id} {self.prefix}… portal_user={self.portal_user_id}>"


class PortalIdempotencyKey(db.Model):
    """A portal client's key for one create (a response, an extension request): the request it came with
    and the record it made; written in the same transaction as the record (see `ombudsman.api.idempotency`).
    """

    __tablename__ = "portal_idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    # SHA-256 of the canonical request (the parsed fields and the files' own SHA-256).
    request_sha256: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
