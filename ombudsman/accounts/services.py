"""User accounts: creation, password checks, sign-in bookkeeping."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from ombudsman.accounts.models import Office, Role, User
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
