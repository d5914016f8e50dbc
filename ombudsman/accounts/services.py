"""User accounts: creation and changes, password checks, sign-in bookkeeping, API tokens, office details.

Entry points take a command of `ombudsman.accounts.commands` and refuse with `ombudsman.errors`
(`Invalid` for a bad value, `Conflict` for an e-mail already in use); they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ombudsman import contracts
from ombudsman.accounts.commands import (
    NEW_PASSWORD_MIN,
    OFFICE_FIELDS,
    Login,
    NewApiToken,
    OfficeDetails,
    UserDetails,
)
from ombudsman.accounts.models import ApiToken, Office, Role, User
from ombudsman.accounts.sessions import end_all_sessions
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, Forbidden, Invalid
from ombudsman.extensions import db

# Fields of a user that the audit trail records (never the password hash).
USER_FIELDS = ("email", "name", "role", "active")


@cache
def _hasher_for(params: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verified against when the e-mail is unknown, so both paths cost the same time.
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    """The Argon2id hasher with the configured cost (the library's defaults unless the config lowers them)."""
    return _hasher_for(tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items())))


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher()[0].hash(password)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with that e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades old hashes on the way."""
    user = find_user_by_email(email)
    hasher, dummy = _hasher()
    try:
        hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def login(credentials: Login) -> User | None:
    """The active user with these credentials (see `authenticate`); raises `Invalid` on malformed input."""
    contracts.validate(credentials)
    return authenticate(credentials.email, credentials.password)


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid(_l("Peran tidak dikenal."), "role") from None


def _check_email(email: str, user: User | None = None) -> str:
    email = normalize_email(email)
    if not email or "@" not in email:
        raise Invalid(_l("Alamat e-mail tidak sah."), "email")
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise Conflict(_l("Pengguna dengan e-mail %(email)s sudah ada.", email=email), "email")
    return email


def create_user(*, email: str, name: str, role: Role | str, office: Office, password: str) -> User:
    """Add a user to the session (the CLI, the seed, the admin's page).

    Raises `Invalid` (a malformed e-mail, an empty password, a bound broken) or `Conflict` (the e-mail
    is taken), each naming its field.
    """
    details = UserDetails(email=email, name=name.strip(), role=role, password=password)
    contracts.validate(details)
    email = _check_email(details.email)
    if not password:
        raise Invalid(_l("Kata sandi wajib diisi."), "password")
    user = User(
        email=email,
        name=details.name,
        role=_role(details.role),
        office=office,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def _check_new_password(password: str) -> None:
    if password and len(password) < NEW_PASSWORD_MIN:
        raise Invalid(_l("Kata sandi minimal %(n)d karakter.", n=NEW_PASSWORD_MIN), "password")


def add_user(office: Office, details: UserDetails, *, actor: User) -> User:
    """An admin adds a user to their office (a password of at least 8 characters); audited."""
    contracts.validate(details)
    if not details.password:
        raise Invalid(_l("Kata sandi wajib diisi untuk pengguna baru."), "password")
    _check_new_password(details.password)
    user = create_user(
        email=details.email, name=details.name, role=details.role, office=office, password=details.password
    )
    user.active = details.active
    audit.record(
        "user",
        user.id,
        "created",
        user_id=actor.id,
        office_id=user.office_id,
        changes=audit.snapshot(user, USER_FIELDS),
    )
    return user


def update_user(user: User, details: UserDetails, *, actor: User) -> dict:
    """An admin changes a user of their office; an empty password keeps the current one; audited.

    Raises `Invalid`, `Conflict` (the e-mail belongs to another user) or `Forbidden` (admins cannot
    take their own admin role or deactivate themselves). Returns the audited changes.
    """
    contracts.validate(details)
    email = _check_email(details.email, user)
    role = _role(details.role)
    if user.id == actor.id and (role is not Role.ADMIN or not details.active):
        raise Forbidden(_l("Anda tidak dapat mencabut peran admin atau menonaktifkan diri sendiri."), "role")
    _check_new_password(details.password)
    before = audit.snapshot(user, USER_FIELDS)
    user.email, user.name, user.role, user.active = email, details.name, role, details.active
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if details.password:
        user.password_hash = hash_password(details.password)
        changes["password"] = ["***", "***"]
    if details.password or not user.active:
        # A new password or a deactivation ends every session the user has, wherever it is.
        end_all_sessions(user)
    audit.record("user", user.id, "updated", user_id=actor.id, office_id=user.office_id, changes=changes)
    return changes


def update_office(office: Office, details: OfficeDetails, *, user_id: int) -> dict:
    """Change the office's own details; returns the audited changes; raises `Invalid` (field named)."""
    contracts.validate(details)
    try:
        ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(_l("Zona waktu tidak dikenal (contoh: Asia/Makassar)."), "timezone") from None
    before = audit.snapshot(office, OFFICE_FIELDS)
    for name in OFFICE_FIELDS:
        setattr(office, name, getattr(details, name))
    changes = audit.diff(before, audit.snapshot(office, OFFICE_FIELDS))
    if changes:
        audit.record("office", office.id, "updated", user_id=user_id, office_id=office.id, changes=changes)
    return changes


def office_by_name(name: str) -> Office | None:
    """An office by its full or short name."""
    return db.session.scalar(select(Office).where((Office.name == name) | (Office.short_name == name)))


# --- API tokens ------------------------------------------------------------------------------------------

TOKEN_PREFIX = "omb_"
# A token that was used this recently is not written to again, so reads do not each cost a write.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def token_digest(secret: str) -> str:
    """The SHA-256 (hex) under which a token is stored; the secret itself never is."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(request: NewApiToken, *, lifetime: timedelta, now: datetime) -> tuple[ApiToken, str] | None:
    """Sign in for the API: a new token for the user with these credentials, or None when they fail.

    Raises `Invalid` on malformed input. The secret is returned only here; an audit event is recorded.
    """
    contracts.validate(request)
    user = authenticate(request.email, request.password)
    if user is None:
        return None
    token, secret = issue_token(user, lifetime=lifetime, now=now, label=request.label)
    audit.record(
        "api_token",
        token.id,
        "created",
        user_id=user.id,
        office_id=user.office_id,
        changes={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


def issue_token(user: User, *, lifetime: timedelta, now: datetime, label: str = "") -> tuple[ApiToken, str]:
    """Create a token for the user; returns the record and the secret, which is shown only this once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_sha256=token_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        label=label.strip(),
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def token_for_secret(secret: str, *, now: datetime) -> ApiToken | None:
    """The valid token with this secret whose user is active, or None; notes when it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(secret)))
    if token is None or not token.is_valid(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken, *, now: datetime) -> bool:
    """Revoke a token; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
