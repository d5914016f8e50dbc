"""Sessions that really end: a per-user session generation, checked on every request.

Flask-Login keeps `User.get_id()` ("<id>:<generation>") in the signed session and in the remember-me cookie.
`load_session_user` accepts a cookie only while the user is active and the generation still matches, so
raising the generation (logout, a password change or reset, deactivation, "log out everywhere") ends every
session and remembered login of that user, on every device, at the next request. `start_session` signs an
account in on a fresh session (staff and portal sign-in alike).
"""

from __future__ import annotations

from functools import cache

from flask_login import login_user
from sqlalchemy import Select, bindparam, select

from ombudsman import i18n
from ombudsman.accounts.models import User
from ombudsman.extensions import db

#: How a portal account's session id begins (`PortalUser.get_id`).
PORTAL_PREFIX = "portal:"


@cache
def _by_id(model: type) -> Select:
    """`SELECT <model> WHERE id = :user_id`, built once per model.

    Runs on every request: a statement built once keeps its SQL cache key (SQLAlchemy memoizes it on the
    statement), where `session.get` builds, annotates and keys a new one each time (~0.1 ms a request).
    The row still comes through the ORM session, so `current_user` is the session's own mapped instance.
    """
    return select(model).where(model.id == bindparam("user_id"))


def load_session_user(session_id: str):
    """The user a session or remember cookie names, or None when it is malformed, stale or inactive.

    Staff ids are "<id>:<generation>"; an authority's portal account's are "portal:<id>:<generation>"
    (`ombudsman.portal.models.PortalUser`), so neither can ever be loaded as the other.
    """
    session_id = str(session_id)
    model: type = User
    if session_id.startswith(PORTAL_PREFIX):
        from ombudsman.portal.models import PortalUser

        model, session_id = PortalUser, session_id[len(PORTAL_PREFIX) :]
    user_id, sep, generation = session_id.partition(":")
    if not sep or not user_id.isdecimal() or not generation.isdecimal() or len(user_id) > 12:
        return None  # includes sessions written before generations existed: they have to sign in again
    user = db.session.execute(_by_id(model), {"user_id": int(user_id)}).scalar_one_or_none()
    if user is None or not user.active or int(generation) != (user.session_generation or 0):
        return None
    return user


def model_of(user) -> type:
    """The mapped class of an account (`current_user` is a proxy: its own type is not the model's)."""
    unwrap = getattr(user, "_get_current_object", None)
    return type(unwrap() if unwrap is not None else user)


def start_session(user, *, remember: bool = False) -> None:
    """Sign `user` (a staff `User` or a `PortalUser`) in on a fresh session: nothing the browser's session
    held survives (a planted session, a previous visitor's flashes and CSRF token) but the interface language
    picked before signing in, which also becomes the account's saved language (an explicit choice; the
    caller commits). With none picked, the account's saved language applies (`ombudsman.i18n.select_locale`).
    """
    chosen = i18n.clear_session_keeping_choice()
    if chosen is not None:
        user.locale = chosen
    login_user(user, remember=remember)


def end_all_sessions(user) -> None:
    """Invalidate every existing session and remember cookie of `user` (a staff `User` or a `PortalUser`;
    the caller commits).

    The increment runs in SQL, so two concurrent bumps both count.
    """
    user.session_generation = model_of(user).session_generation + 1
    db.session.flush()
