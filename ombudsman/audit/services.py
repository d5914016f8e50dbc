"""Recording and reading the audit trail."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The given attributes of a record, as plain values, to diff later."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    entity_type: str,
    entity_id: int,
    action: str,
    *,
    user_id: int | None,
    office_id: int | None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it).

    `changes` must already be JSON-ready: build it with snapshot() and diff().
    """
    event = AuditEvent(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user_id=user_id,
        office_id=office_id,
        changes=changes or {},
    )
    db.session.add(event)
    return event


def trail(
    entity_type: str, entity_id: int, *, related: dict[str, list[int]] | None = None
) -> list[AuditEvent]:
    """Events of one record (and of related records, e.g. its evidence), newest first, users loaded."""
    condition = and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
    for other_type, ids in (related or {}).items():
        if ids:
            condition = or_(
                condition, and_(AuditEvent.entity_type == other_type, AuditEvent.entity_id.in_(ids))
            )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(condition)
            .options(selectinload(AuditEvent.user))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
