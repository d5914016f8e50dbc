"""User accounts: creation and changes, password checks, sign-in bookkeeping, API tokens, office details.

Entry points take a command of `ombudsman.accounts.commands` and refuse with `ombudsman.errors`
(`Invalid` for a bad value, `Conflict` for an e-mail already in use); they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ombudsman import contracts
from ombudsman.accounts import lockout, passwords
from ombudsman.accounts.commands import (
    OFFICE_FIELDS,
    ChangePassword,
    Login,
    NewApiToken,
    OfficeDetails,
    UserDetails,
)
from ombudsman.accounts.models import ApiToken, Office, Role, User
from ombudsman.accounts.sessions import end_all_sessions
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.contracts import EMAIL_FORMAT
from ombudsman.errors import Conflict, Forbidden, Invalid
from ombudsman.extensions import db
from ombudsman.lookup import rows_by_id

# Fields of a user that the audit trail records (never the password hash).
USER_FIELDS = ("email", "name", "role", "active")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password (see `ombudsman.accounts.passwords`)."""
    return passwords.hash_password(password)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with that e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active, unlocked user with these credentials, or None; the caller commits either way.

    Every failure looks the same to the caller and costs one Argon2 verification (an unknown e-mail and a
    locked account are checked against a dummy hash). A wrong password of an existing account counts toward
    its lockout (`ombudsman.accounts.lockout`); a locked account refuses even the right password without
    counting. A success clears the count, upgrades an old hash and notes the time.
    """
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or lockout.is_locked(user, now):
        passwords.verify(None, password)
        return None
    if not passwords.verify(user.password_hash, password):
        lockout.record_failure(user, now)
        return None
    if not user.active:
        return None
    lockout.record_success(user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
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


def create_user_checked(*, email: str, name: str, role: Role | str, office: Office, password: str) -> User:
    """`create_user` for a password chosen by a person (`flask users create`): the policy applies first.

    Raises `Invalid` (the password policy, or as `create_user`) or `Conflict`.
    """
    passwords.check_policy(password, email=email, name=name)
    return create_user(email=email, name=name, role=role, office=office, password=password)


def change_password(user: User, request: ChangePassword, *, now: datetime) -> None:
    """A signed-in user changes their own password; audited; every session of the user ends.

    Raises `Invalid` (`current_password`: wrong, or the account is locked, same message; `new_password`: the
    policy; `confirm`: no match). A wrong current password counts toward the lockout: on a refusal that
    bookkeeping is the only change made, and the caller commits it.
    """
    contracts.validate(request)
    locked = lockout.is_locked(user, now)
    if locked or not passwords.verify(user.password_hash, request.current_password):
        if not locked:
            lockout.record_failure(user, now)
        raise Invalid(_l("Kata sandi saat ini salah."), "current_password")
    if request.confirm != request.new_password:
        raise Invalid(_l("Kedua kata sandi baru tidak sama."), "confirm")
    passwords.check_policy(request.new_password, email=user.email, name=user.name, field="new_password")
    if request.new_password == request.current_password:
        raise Invalid(_l("Kata sandi baru harus berbeda dari yang sekarang."), "new_password")
    lockout.record_success(user)
    set_password(user, request.new_password)
    audit.record("user", user.id, "password_changed", user_id=user.id, office_id=user.office_id)


def _check_email(email: str, user: User | None = None) -> str:
    email = normalize_email(email)
    if not EMAIL_FORMAT.matches(email):
        raise Invalid(EMAIL_FORMAT.message, "email")
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise Conflict(_l("Pengguna dengan e-mail %(email)s sudah ada.", email=email), "email")
    return email


def create_user(*, email: str, name: str, role: Role | str, office: Office, password: str) -> User:
    """Add a user to the session (for `add_user`, `create_user_checked`, the demo seed, test fixtures).

    This building block does not apply the password policy: the entry points that take a password from a
    person (`add_user`, `create_user_checked`) check it first; the demo seed skips it on purpose.
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


def set_password(user: User, password: str) -> None:
    """Give the user a new password: any pending reset link dies, and so does every session of the user.

    The caller has checked the policy (`passwords.check_policy`) and records the audit event.
    """
    user.password_hash = hash_password(password)
    user.password_reset_sha256 = None
    user.password_reset_expires_at = None
    end_all_sessions(user)


def add_user(office: Office, details: UserDetails, *, actor: User) -> User:
    """An admin adds a user to their office (a password that passes the policy); audited."""
    contracts.validate(details)
    if not details.password:
        raise Invalid(_l("Kata sandi wajib diisi untuk pengguna baru."), "password")
    passwords.check_policy(details.password, email=details.email, name=details.name)
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
    if details.password:
        passwords.check_policy(details.password, email=email, name=details.name)
    before = audit.snapshot(user, USER_FIELDS)
    user.email, user.name, user.role, user.active = email, details.name, role, details.active
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if details.password:
        set_password(user, details.password)  # ends every session the user has, wherever it is
        changes["password"] = ["***", "***"]
    elif not user.active:
        end_all_sessions(user)  # so does a deactivation
    audit.record("user", user.id, "updated", user_id=actor.id, office_id=user.office_id, changes=changes)
    return changes


def create_office(details: OfficeDetails) -> Office:
    """A new representative office (Perwakilan) with its own details; its admin is added next
    (`create_user_checked`), and its letter and calendar settings start at their defaults.

    Raises `Invalid` (field named) for a value that breaks a bound of `OfficeDetails` (a time zone outside
    Indonesia's among them), `Conflict` when another office already has the name or short name (either can
    name an office on the command line).
    """
    _check_office(details, None)
    office = Office(**{name: getattr(details, name) for name in OFFICE_FIELDS})
    db.session.add(office)
    db.session.flush()
    audit.record(
        "office",
        office.id,
        "created",
        user_id=None,
        office_id=office.id,
        changes=audit.diff({}, audit.snapshot(office, OFFICE_FIELDS)),
    )
    return office


def update_office(office: Office, details: OfficeDetails, *, user_id: int) -> dict:
    """Change the office's own details; returns the audited changes; raises `Invalid` (field named), or
    `Conflict` when another office has the name or short name."""
    _check_office(details, office)
    before = audit.snapshot(office, OFFICE_FIELDS)
    for name in OFFICE_FIELDS:
        setattr(office, name, getattr(details, name))
    changes = audit.diff(before, audit.snapshot(office, OFFICE_FIELDS))
    if changes:
        audit.record("office", office.id, "updated", user_id=user_id, office_id=office.id, changes=changes)
    return changes


def _check_office(details: OfficeDetails, office: Office | None) -> None:
    """The rules every office's details follow, new or changed: the bounds of `OfficeDetails` (one line each
    but the address; an e-mail, a website and one of Indonesia's time zones of the right shape), and a name
    and short name that no other office uses as either (compared as they read: `_name_key`); the offices
    are few (one per province), so they are compared here rather than by an index."""
    contracts.validate(details)
    named = _offices_by_name()
    for field_name in ("name", "short_name"):
        others = named.get(_name_key(getattr(details, field_name)), set()) - {office.id if office else None}
        if others:
            raise Conflict(
                _l("Nama %(name)s sudah dipakai kantor lain.", name=getattr(details, field_name)), field_name
            )


def _offices_by_name() -> dict[str, set[int]]:
    """Each office's name and short name as they read (`_name_key`, empty ones left out) -> the ids of the
    offices that have it (one, unless names were saved before they had to be unique)."""
    named: dict[str, set[int]] = {}
    for office_id, *names in db.session.execute(select(Office.id, Office.name, Office.short_name)):
        for key in filter(None, map(_name_key, names)):
            named.setdefault(key, set()).add(office_id)
    return named


def _name_key(name: str) -> str:
    """An office name as it reads, case and runs of spaces ignored ("Perwakilan  BALI": "perwakilan bali")."""
    return " ".join(name.split()).casefold()


def offices_with_user_counts() -> list[tuple[Office, int]]:
    """Every office by name, each with its number of active staff accounts."""
    active = (
        select(User.office_id, func.count().label("n")).where(User.active).group_by(User.office_id).subquery()
    )
    rows = db.session.execute(
        select(Office, func.coalesce(active.c.n, 0))
        .outerjoin(active, active.c.office_id == Office.id)
        .order_by(Office.name)
    )
    return [(office, count) for office, count in rows]


def office_by_name(name: str) -> Office | None:
    """The office whose full or short name is `name` as it reads (`_name_key`: any case, any spacing); None
    when no office has it, when it is empty, or when two offices have it (possible only for names saved
    before they had to be unique)."""
    ids = _offices_by_name().get(_name_key(name), set())
    return db.session.get(Office, next(iter(ids))) if len(ids) == 1 else None


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


@cache
def _token_by_digest():
    # Every API request: the token and its user in one statement, built once (its SQL cache key kept).
    return (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_sha256 == bindparam("digest"))
    )


def token_for_secret(secret: str, *, now: datetime) -> ApiToken | None:
    """The valid token with this secret whose user is active, or None; notes when it was last used.

    One query: the token row with its user's.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(_token_by_digest(), {"digest": token_digest(secret)})
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


def user_labels(ids) -> dict:
    """{user id: row with `.name`} for the audit trail and other pages that name users."""
    return rows_by_id((User.id, User.name), ids)


def office_timezones(ids) -> dict:
    """{office id: row with `.timezone`} (an IANA zone name such as Asia/Makassar)."""
    return rows_by_id((Office.id, Office.timezone), ids)
