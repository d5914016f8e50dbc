"""User accounts: creation, password checks, sign-in bookkeeping."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from ombudsman.accounts.models import ApiToken, Office, Role, User
from ombudsman.clock import utcnow
from ombudsman.extensions import db


@cache
def _hasher_for(params: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verified against when the e-mail is unknown, so both paths cost the same time.
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    """The Argon2id hasher with the configured cost (the library's defaults unless the config lowers them)."""
    return _hasher_for(tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items())))


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


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


def create_user(*, email: str, name: str, role: Role | str, office: Office, password: str) -> User:
    """Add a user to the session; refuses a duplicate e-mail or an empty password."""
    email = normalize_email(email)
    if not email or "@" not in email:
        raise AccountError("Alamat e-mail tidak sah.")
    if not password:
        raise AccountError("Kata sandi wajib diisi.")
    if find_user_by_email(email):
        raise AccountError(f"Pengguna dengan e-mail {email} sudah ada.")
    user = User(
        email=email, name=name.strip(), role=Role(role), office=office, password_hash=hash_password(password)
    )
    db.session.add(user)
    db.session.flush()
    return user


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


def issue_token(user: User, *, lifetime: timedelta, now: datetime, label: str = "") -> tuple[ApiToken, str]:
    """Create a token for the user; returns the record and the secret, which is shown only this once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_sha256=token_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        label=label.strip()[:100],
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
