"""The service-standard checklist as data: new versions are made by admins; inspections keep theirs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ombudsman.audit import services as audit
from ombudsman.authorities.models import RoutingRule
from ombudsman.extensions import db
from ombudsman.inspections.models import Checklist, ChecklistItem, Inspection


class ChecklistError(ValueError):
    """A new checklist version was refused; the message says why."""


@dataclass(frozen=True)
class ItemDraft:
    """One row of a checklist version as the admin typed it."""

    code: str
    group: str
    label: str
    basis: str = ""
    routing_rule_id: int | None = None


def versions() -> list[tuple[Checklist, int, int]]:
    """Every checklist version with its item count and the number of inspections that used it."""
    items = dict(
        db.session.execute(
            select(ChecklistItem.checklist_id, func.count()).group_by(ChecklistItem.checklist_id)
        ).all()
    )
    used = dict(
        db.session.execute(
            select(Inspection.checklist_id, func.count()).group_by(Inspection.checklist_id)
        ).all()
    )
    rows = db.session.scalars(select(Checklist).order_by(Checklist.code, Checklist.version.desc())).all()
    return [(c, items.get(c.id, 0), used.get(c.id, 0)) for c in rows]


def new_version(base: Checklist, name: str, drafts: list[ItemDraft], *, user_id: int) -> Checklist:
    """Make the next version from the admin's rows; it becomes active, older inspections keep theirs."""
    rows = [d for d in drafts if d.label.strip()]
    if not rows:
        raise ChecklistError("Checklist harus memiliki minimal satu butir.")
    codes = [d.code.strip() for d in rows]
    if any(not c for c in codes):
        raise ChecklistError("Setiap butir memerlukan kode.")
    if len(set(codes)) != len(codes):
        raise ChecklistError("Kode butir harus unik.")
    rule_ids = {d.routing_rule_id for d in rows if d.routing_rule_id}
    if rule_ids and len(
        db.session.scalars(select(RoutingRule.id).where(RoutingRule.id.in_(rule_ids))).all()
    ) != len(rule_ids):
        raise ChecklistError("Aturan penentuan instansi tidak dikenal.")
    latest = db.session.scalar(select(func.max(Checklist.version)).where(Checklist.code == base.code)) or 0
    for older in db.session.scalars(select(Checklist).where(Checklist.code == base.code)):
        older.active = False
    checklist = Checklist(code=base.code, version=latest + 1, name=name.strip() or base.name, active=True)
    for position, d in enumerate(rows, start=1):
        checklist.items.append(
            ChecklistItem(
                code=d.code.strip(),
                group=d.group.strip(),
                label=d.label.strip(),
                basis=d.basis.strip(),
                routing_rule_id=d.routing_rule_id,
                position=position * 10,
            )
        )
    db.session.add(checklist)
    db.session.flush()
    audit.record(
        "checklist",
        checklist.id,
        "created",
        user_id=user_id,
        office_id=None,
        changes={
            "code": checklist.code,
            "version": checklist.version,
            "from_version": base.version,
            "items": codes,
        },
    )
    return checklist
