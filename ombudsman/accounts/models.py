"""Offices and their users."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombudsman.clock import utcnow
from ombudsman.dbtypes import UTCDateTime, str_enum
from ombudsman.extensions import db


class Role(enum.StrEnum):
    """What a user may do; one role per user."""

    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    HEAD = "head"
    ADMIN = "admin"
    VIEWER = "viewer"


class Office(db.Model):
    """A representative office (Perwakilan) of the Ombudsman."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), default="")
    province: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    head_name: Mapped[str] = mapped_column(String(200), default="")
    head_title: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Makassar")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="office")

    def __repr__(self) -> str:
        return f"<Office {self.id} {self.short_name or self.name}>"


class User(UserMixin, db.Model):
    """A member of an office's staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember-me cookie (see get_id); raising it ends them all at once
    # (ombudsman.accounts.sessions.end_all_sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Lockout bookkeeping (ombudsman.accounts.lockout): failed sign-ins since the last success or lockout,
    # how many lockouts in a row (each doubles the next one), and until when the account is locked.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lockout_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The pending password-reset link (ombudsman.accounts.resets): only the SHA-256 of its secret is kept;
    # a newer request, its use and any password change clear it.
    password_reset_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    password_reset_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship(back_populates="users")

    #: Staff, not an authority's portal account (`ombudsman.portal.models.PortalUser` says True).
    is_portal = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember cookie: "<user id>:<session generation>"."""
        return f"{self.id}:{self.session_generation or 0}"

    def has_role(self, *roles: Role) -> bool:
        """True when the user's role is one of `roles`."""
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored, the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
