"""What the capture page needs to work without a network: the user's drafts and the reference lists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import can_edit_inspection
from ombudsman.authorities import services as authorities
from ombudsman.extensions import db
from ombudsman.inspections import queries
from ombudsman.inspections import services as inspections
from ombudsman.inspections.models import (
    Answer,
    ChecklistItem,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)


def open_drafts(user: User) -> list[Inspection]:
    """The office's draft inspections this user may add findings to, newest first."""
    stmt = queries.inspections_query(user.office_id, InspectionStatus.DRAFT).options(
        selectinload(Inspection.team), selectinload(Inspection.answers)
    )
    return [i for i in db.session.scalars(stmt).unique() if can_edit_inspection(user, i)]


def checklists(checklist_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """The items of these checklist versions, in their display order, in one query."""
    result: dict[int, list[dict[str, Any]]] = {cid: [] for cid in checklist_ids}
    if not checklist_ids:
        return result
    rows = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.checklist_id.in_(checklist_ids))
        .order_by(ChecklistItem.checklist_id, ChecklistItem.position, ChecklistItem.id)
    )
    for item in rows:
        result[item.checklist_id].append({"id": item.id, "group": item.group, "label": item.label})
    return result


def reference_data(user: User, labels: dict[str, dict]) -> dict[str, Any]:
    """Plain data embedded in the page: drafts, register, themes, checklists and code lists, with labels."""
    drafts = open_drafts(user)
    active = inspections.active_checklist()
    used = {i.checklist_id for i in drafts if i.checklist_id is not None}
    return {
        "inspections": [
            {
                "id": i.id,
                "title": i.title,
                "authority": i.authority.name,
                "visited_on": i.visited_on.isoformat(),
                "checklist_id": i.checklist_id,
                "answers": {str(a.item_id): [a.answer.value, a.note] for a in i.answers},
            }
            for i in drafts
        ],
        # New inspections get the active checklist version (create_inspection does the same on the server).
        "active_checklist_id": active.id if active else None,
        "checklists": {
            str(cid): items for cid, items in checklists(used | ({active.id} if active else set())).items()
        },
        "answers": [{"code": a.value, "name": str(labels["answer"][a])} for a in Answer],
        "authorities": [{"id": a.id, "name": a.name} for a in authorities.active_authorities()],
        "themes": [{"id": r.id, "name": r.theme} for r in authorities.active_rules()],
        "kinds": [{"code": k.value, "name": str(labels["kind"][k])} for k in InspectionKind],
        "maladministration": [
            {"code": m.value, "name": str(labels["maladministration"][m])} for m in Maladministration
        ],
        "severities": [{"code": s.value, "name": str(labels["severity"][s])} for s in Severity],
        "default_severity": Severity.MEDIUM.value,
    }


def file_hash(path: Path) -> str:
    """The first 16 hex digits of a file's SHA-256: the `?v=` of its versioned URL."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def asset_manifest(static_folder: Path, names: Iterable[str]) -> dict[str, str]:
    """`{name: hash}` of the capture page's static files (names relative to the static folder).

    Read when the app starts (and on every request in debug mode): the page links each file as
    `name?v=hash` and the service worker caches exactly those URLs, so a page never runs another version's
    script. Raises `OSError` when a file is missing (the app must not start without them).
    """
    return {name: file_hash(static_folder / name) for name in names}


def assets_version(files: Iterable[Path], extra: bytes = b"") -> str:
    """A short fingerprint of the offline assets: the service worker changes whenever one of them does."""
    digest = hashlib.sha256(extra)
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
