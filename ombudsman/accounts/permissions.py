"""Who may do what. Every view names the roles it allows; the office check lives here too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user

from ombudsman.accounts.models import Role
from ombudsman.extensions import db

# Role sets used by views and services, named after what they allow.
FIELD_WORK = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
RECOMMEND = frozenset({Role.INSPECTOR, Role.SUPERVISOR, Role.HEAD})
REVIEW = frozenset({Role.SUPERVISOR, Role.HEAD})
ADMIN = frozenset({Role.ADMIN})
EVERYONE = frozenset(Role)

F = TypeVar("F", bound=Callable)
M = TypeVar("M")


def public(view: F) -> F:
    """Mark a view as reachable without logging in (login page, verification, static files)."""
    view._public = True  # type: ignore[attr-defined]
    return view


def roles_required(roles: frozenset[Role]) -> Callable[[F], F]:
    """Refuse (403) a logged-in user whose role is not in `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper._roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def office_record_or_404(model: type[M], record_id: int) -> M:
    """A record of the current user's office; another office's record is indistinguishable from none."""
    record = db.session.get(model, record_id)
    if record is None or record.office_id != current_user.office_id:  # type: ignore[attr-defined]
        abort(404)
    return record


def can_edit_inspection(user, inspection) -> bool:
    """Supervisors edit any inspection of their office; inspectors only their own drafts."""
    if user.office_id != inspection.office_id:
        return False
    if user.role is Role.SUPERVISOR:
        return True
    if user.role is Role.INSPECTOR:
        return inspection.is_draft and (
            inspection.created_by_id == user.id or any(m.id == user.id for m in inspection.team)
        )
    return False
