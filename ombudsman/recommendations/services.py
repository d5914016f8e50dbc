"""Recommendations: creating them from findings and recording their status.

Entry points take `commands.RecommendationDetails`, check it and refuse with `ombudsman.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman import contracts, sequences
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.authorities.models import Authority
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding
from ombudsman.lookup import rows_by_id
from ombudsman.recommendations import commands
from ombudsman.recommendations.commands import FINDINGS_MAX, RecommendationDetails
from ombudsman.recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

FIELDS = ("authority_id", "kind", "text", "status", "outcome_note", "inspection_id", "position")


def _findings(office_id: int, finding_ids: Iterable[int]) -> list[Finding]:
    ids = sorted(set(finding_ids))
    if not ids:
        raise Invalid(_l("Pilih minimal satu temuan yang dijawab rekomendasi ini."), "finding_ids")
    if len(ids) > FINDINGS_MAX:
        raise Invalid(_l("Paling banyak %(n)d temuan.", n=FINDINGS_MAX), "finding_ids")
    rows = list(
        db.session.scalars(select(Finding).where(Finding.id.in_(ids), Finding.office_id == office_id))
    )
    if len(rows) != len(ids):
        raise Invalid(_l("Temuan tidak ditemukan di kantor ini."), "finding_ids")
    return rows


def _authority(authority_id: int | None) -> Authority:
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority is None:
        raise Invalid(_l("Pilih instansi yang dituju."), "authority_id")
    if not authority.active:
        raise Invalid(_l("%(name)s tidak aktif.", name=authority.name), "authority_id")
    return authority


def _choice(enum_cls, value, field: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise Invalid(_l("Pilihan tidak dikenal."), field) from None


def _check_outcome(status: RecommendationStatus, note: str) -> None:
    if status.is_closed and not note.strip():
        raise Invalid(_l("Menutup rekomendasi memerlukan bukti atau alasan."), "outcome_note")


def create(office_id: int, user: User, details: RecommendationDetails | Mapping[str, Any]) -> Recommendation:
    """Add a recommendation answering one or more of the office's findings.

    `details`: the command (a mapping of its fields from internal callers). Raises `Invalid`.
    """
    details = contracts.command_from(RecommendationDetails, details)
    contracts.validate(details)
    findings = _findings(office_id, details.finding_ids)
    authority = _authority(details.authority_id)
    status = _choice(RecommendationStatus, details.status, "status")
    _check_outcome(status, details.outcome_note)
    inspection_ids = {f.inspection_id for f in findings}
    position = details.position
    if position is None:
        position = sequences.next_value(
            sequences.RECOMMENDATION_POSITION,
            office_id,
            select(func.max(Recommendation.position)).where(Recommendation.office_id == office_id),
        )
    rec = Recommendation(
        office_id=office_id,
        inspection_id=inspection_ids.pop() if len(inspection_ids) == 1 else None,
        authority_id=authority.id,
        kind=_choice(RecommendationKind, details.kind, "kind"),
        text=details.text,
        status=status,
        outcome_note=details.outcome_note,
        position=position,
        client_id=details.client_id,
        created_by_id=user.id,
        findings=findings,
    )
    db.session.add(rec)
    db.session.flush()
    changes = audit.snapshot(rec, FIELDS)
    changes["finding_ids"] = rec.finding_ids
    audit.record("recommendation", rec.id, "created", user_id=user.id, office_id=office_id, changes=changes)
    return rec


def update(
    rec: Recommendation,
    user: User | None,
    details: RecommendationDetails | Mapping[str, Any],
    *,
    follow_up: bool = False,
) -> dict:
    """Change a recommendation to `details` (a mapping: only the fields to change); returns the changes.

    Once its follow-up clock runs, the status is the follow-up's business (`follow_up=True` is how the
    deadlines package records it), so that a closing always sets the deadline's met or late as well:
    another status is refused, like any bad value, with `Invalid`.
    """
    if not isinstance(details, RecommendationDetails):
        details = commands.recommendation_change(rec, details)
    contracts.validate(details)
    status = _choice(RecommendationStatus, details.status, "status")
    if not follow_up and rec.deadline is not None and status is not rec.status:
        raise Invalid(
            _l(
                "Tenggat rekomendasi ini sudah berjalan: catat tanggapan dan hasilnya "
                "di halaman tindak lanjut."
            ),
            "status",
        )
    before = audit.snapshot(rec, FIELDS)
    before_findings = rec.finding_ids
    if details.authority_id != rec.authority_id:
        rec.authority_id = _authority(details.authority_id).id
    rec.text = details.text
    rec.kind = _choice(RecommendationKind, details.kind, "kind")
    rec.outcome_note = details.outcome_note
    rec.status = status
    _check_outcome(rec.status, rec.outcome_note)
    if sorted(set(details.finding_ids)) != before_findings:
        rec.findings = _findings(rec.office_id, details.finding_ids)
    changes = audit.diff(before, audit.snapshot(rec, FIELDS))
    if rec.finding_ids != before_findings:
        changes["finding_ids"] = [before_findings, rec.finding_ids]
    if changes:
        audit.record(
            "recommendation",
            rec.id,
            "updated",
            user_id=user and user.id,
            office_id=rec.office_id,
            changes=changes,
        )
    return changes


def query(
    office_id: int,
    *,
    inspection_id: int | None = None,
    authority_id: int | None = None,
    status: RecommendationStatus | None = None,
):
    """A select() of the office's recommendations in order, with addressee and findings loaded."""
    stmt = (
        select(Recommendation)
        .where(Recommendation.office_id == office_id)
        .options(joinedload(Recommendation.authority), selectinload(Recommendation.findings))
        .order_by(Recommendation.position, Recommendation.id)
    )
    if inspection_id is not None:
        stmt = stmt.where(Recommendation.findings.any(Finding.inspection_id == inspection_id))
    if authority_id is not None:
        stmt = stmt.where(Recommendation.authority_id == authority_id)
    if status is not None:
        stmt = stmt.where(Recommendation.status == status)
    return stmt


def recommendation_labels(ids) -> dict:
    """{recommendation id: row with `.position` (its number on the office's pages, or None)}."""
    return rows_by_id((Recommendation.id, Recommendation.position), ids)
