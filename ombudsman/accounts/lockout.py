"""Per-account lockout with back-off after repeated failed sign-ins.

The bookkeeping lives on the user row (`failed_logins`, `lockout_count`, `locked_until`), so every worker and
node sees the same count. After LOCKOUT_THRESHOLD failures in a row the account is locked for
LOCKOUT_BASE_SECONDS, and each further lockout before a successful sign-in doubles that, up to
LOCKOUT_MAX_SECONDS. While locked, even the right password is refused, with the same answer as a wrong one.
Locking and an admin's unlocking are recorded in the audit trail. Nothing here commits. Authorities' portal
accounts (`ombudsman.portal.models.PortalUser`) carry the same columns and go through the same functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from ombudsman.accounts.models import User
from ombudsman.accounts.sessions import model_of
from ombudsman.audit import services as audit
from ombudsman.extensions import db


def _entity(user) -> str:
    """The audit trail's entity type of the account."""
    return "portal_user" if getattr(user, "is_portal", False) else "user"


def is_locked(user: User, now: datetime) -> bool:
    """Whether the account is locked at `now`."""
    return user.locked_until is not None and now < user.locked_until


def lock_duration(lockout_count: int) -> timedelta:
    """How long the next lockout lasts after `lockout_count` earlier ones in a row (doubling, capped)."""
    config = current_app.config
    base, cap = int(config["LOCKOUT_BASE_SECONDS"]), int(config["LOCKOUT_MAX_SECONDS"])
    return timedelta(seconds=min(cap, base * 2 ** min(lockout_count, 30)))


def record_failure(user: User, now: datetime) -> None:
    """Count a failed sign-in (or wrong current password) of the user; lock the account at the threshold.

    The increment runs in SQL so that failures counted at once by several workers all count.
    """
    user.failed_logins = model_of(user).failed_logins + 1
    db.session.flush()  # the row stays locked until the commit: concurrent failures queue up behind it
    db.session.refresh(user, ["failed_logins", "lockout_count", "locked_until"])
    if user.failed_logins < int(current_app.config["LOCKOUT_THRESHOLD"]) or is_locked(user, now):
        return  # below the threshold, or another worker locked the account a moment ago
    duration = lock_duration(user.lockout_count or 0)
    user.locked_until = now + duration
    user.lockout_count = (user.lockout_count or 0) + 1
    failures, user.failed_logins = user.failed_logins, 0
    audit.record(
        _entity(user),
        user.id,
        "locked",
        user_id=None,
        office_id=user.office_id,
        changes={
            "failed_logins": failures,
            "locked_until": user.locked_until.isoformat(),
            "seconds": int(duration.total_seconds()),
        },
    )
    db.session.flush()


def record_success(user: User) -> None:
    """A successful sign-in: the count and the back-off start afresh."""
    if user.failed_logins or user.lockout_count or user.locked_until is not None:
        clear(user)


def clear(user: User) -> None:
    """Forget failures and any lock (a successful sign-in, an admin's unlock, a password reset)."""
    user.failed_logins = 0
    user.lockout_count = 0
    user.locked_until = None


def unlock(user: User, *, actor: User, now: datetime) -> bool:
    """An admin unlocks the account; audited. False when it was not locked (nothing recorded)."""
    if not is_locked(user, now):
        clear(user)
        return False
    before = user.locked_until.isoformat()
    clear(user)
    audit.record(
        _entity(user),
        user.id,
        "unlocked",
        user_id=actor.id,
        office_id=user.office_id,
        changes={"locked_until": [before, None]},
    )
    return True
