"""The service-standard checklist as data: new versions are made by admins; inspections keep theirs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ombudsman import contracts, sequences
from ombudsman.audit import services as audit
from ombudsman.authorities.models import RoutingRule
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections.commands import ITEM_CODE_PATTERN, ChecklistVersion
from ombudsman.inspections.models import Checklist, ChecklistItem, Inspection


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


def new_version(base: Checklist, version: ChecklistVersion, *, user_id: int) -> Checklist:
    """Make the next version from the admin's rows; it becomes active, older inspections keep theirs.

    Raises `Invalid` (field `name` for the rows as a whole) when no row has a label, a code is missing,
    repeated or malformed, or a routing rule is unknown.
    """
    contracts.validate(version)
    rows = [d for d in version.rows if d.label.strip()]
    for row in rows:
        contracts.validate(row)
    if not rows:
        raise Invalid(_l("Checklist harus memiliki minimal satu butir."), "name")
    codes = [d.code.strip() for d in rows]
    if any(not c for c in codes):
        raise Invalid(_l("Setiap butir memerlukan kode."), "name")
    if any(not ITEM_CODE_PATTERN.match(c) for c in codes):
        raise Invalid(_l("Kode butir hanya huruf kecil, angka dan garis bawah."), "name")
    if len(set(codes)) != len(codes):
        raise Invalid(_l("Kode butir harus unik."), "name")
    rule_ids = {d.routing_rule_id for d in rows if d.routing_rule_id}
    if rule_ids and len(
        db.session.scalars(select(RoutingRule.id).where(RoutingRule.id.in_(rule_ids))).all()
    ) != len(rule_ids):
        raise Invalid(_l("Aturan penentuan instansi tidak dikenal."), "name")
    version_number = sequences.next_value(
        sequences.CHECKLIST_VERSION,
        base.code,
        select(func.max(Checklist.version)).where(Checklist.code == base.code),
    )
    for older in db.session.scalars(select(Checklist).where(Checklist.code == base.code)):
        older.active = False
    checklist = Checklist(
        code=base.code, version=version_number, name=version.name.strip() or base.name, active=True
    )
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
