"""What the capture page needs to work without a network: the user's drafts and the reference lists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import selectinload

from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import can_edit_inspection
from ombudsman.authorities import services as authorities
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.inspections.models import (
    Inspection,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)


def open_drafts(user: User) -> list[Inspection]:
    """The office's draft inspections this user may add findings to, newest first."""
    stmt = inspections.inspections_query(user.office_id, InspectionStatus.DRAFT).options(
        selectinload(Inspection.team)
    )
    return [i for i in db.session.scalars(stmt).unique() if can_edit_inspection(user, i)]


def reference_data(user: User, labels: dict[str, dict]) -> dict[str, Any]:
    """Plain data embedded in the page: drafts, register, themes and code lists, with display labels."""
    return {
        "inspections": [
            {
                "id": i.id,
                "title": i.title,
                "authority": i.authority.name,
                "visited_on": i.visited_on.isoformat(),
            }
            for i in open_drafts(user)
        ],
        "authorities": [{"id": a.id, "name": a.name} for a in authorities.active_authorities()],
        "themes": [{"id": r.id, "name": r.theme} for r in authorities.active_rules()],
        "kinds": [{"code": k.value, "name": str(labels["kind"][k])} for k in InspectionKind],
        "maladministration": [
            {"code": m.value, "name": str(labels["maladministration"][m])} for m in Maladministration
        ],
        "severities": [{"code": s.value, "name": str(labels["severity"][s])} for s in Severity],
        "default_severity": Severity.MEDIUM.value,
    }


def assets_version(files: Iterable[Path], extra: bytes = b"") -> str:
    """A short fingerprint of the offline assets: the service worker changes whenever one of them does."""
    digest = hashlib.sha256(extra)
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
