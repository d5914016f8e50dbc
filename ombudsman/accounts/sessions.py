"""Sessions that really end: a per-user session generation, checked on every request.

Flask-Login keeps `User.get_id()` ("<id>:<generation>") in the signed session and in the remember-me cookie.
`load_session_user` accepts a cookie only while the user is active and the generation still matches, so
raising the generation (logout, a password change or reset, deactivation, "log out everywhere") ends every
session and remembered login of that user, on every device, at the next request.
"""

from __future__ import annotations

from ombudsman.accounts.models import User
from ombudsman.extensions import db


def load_session_user(session_id: str) -> User | None:
    """The user a session or remember cookie names, or None when it is malformed, stale or inactive."""
    user_id, sep, generation = str(session_id).partition(":")
    if not sep or not user_id.isdecimal() or not generation.isdecimal() or len(user_id) > 12:
        return None  # includes sessions written before generations existed: they have to sign in again
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or int(generation) != (user.session_generation or 0):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every existing session and remember cookie of `user` (the caller commits).

    The increment runs in SQL, so two concurrent bumps both count.
    """
    user.session_generation = User.session_generation + 1
    db.session.flush()
