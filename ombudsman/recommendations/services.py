"""Recommendations: creating them from findings and recording their status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.authorities.models import Authority
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding
from ombudsman.recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

FIELDS = ("authority_id", "kind", "text", "status", "outcome_note", "inspection_id", "position")


class RecommendationError(ValueError):
    """A change was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _findings(office_id: int, finding_ids: Iterable[int]) -> list[Finding]:
    ids = sorted(set(finding_ids))
    if not ids:
        raise RecommendationError("Pilih minimal satu temuan yang dijawab rekomendasi ini.", "finding_ids")
    rows = list(
        db.session.scalars(select(Finding).where(Finding.id.in_(ids), Finding.office_id == office_id))
    )
    if len(rows) != len(ids):
        raise RecommendationError("Temuan tidak ditemukan di kantor ini.", "finding_ids")
    return rows


def _authority(authority_id: int | None) -> Authority:
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority is None:
        raise RecommendationError("Pilih instansi yang dituju.", "authority_id")
    if not authority.active:
        raise RecommendationError(f"{authority.name} tidak aktif.", "authority_id")
    return authority


def _check_outcome(status: RecommendationStatus, note: str) -> None:
    if status.is_closed and not note.strip():
        raise RecommendationError("Menutup rekomendasi memerlukan bukti atau alasan.", "outcome_note")


def create(office_id: int, user: User, data: dict[str, Any]) -> Recommendation:
    """Add a recommendation answering one or more of the office's findings."""
    findings = _findings(office_id, data.get("finding_ids") or [])
    authority = _authority(data.get("authority_id"))
    text = (data.get("text") or "").strip()
    if not text:
        raise RecommendationError("Isi rekomendasi wajib diisi.", "text")
    status = RecommendationStatus(data.get("status") or RecommendationStatus.OPEN)
    _check_outcome(status, data.get("outcome_note") or "")
    inspection_ids = {f.inspection_id for f in findings}
    position = data.get("position")
    if position is None:
        position = (
            db.session.scalar(
                select(func.max(Recommendation.position)).where(Recommendation.office_id == office_id)
            )
            or 0
        ) + 1
    rec = Recommendation(
        office_id=office_id,
        inspection_id=inspection_ids.pop() if len(inspection_ids) == 1 else None,
        authority_id=authority.id,
        kind=RecommendationKind(data.get("kind") or RecommendationKind.SARAN),
        text=text,
        status=status,
        outcome_note=(data.get("outcome_note") or "").strip(),
        position=position,
        client_id=data.get("client_id"),
        created_by_id=user.id,
        findings=findings,
    )
    db.session.add(rec)
    db.session.flush()
    changes = audit.snapshot(rec, FIELDS)
    changes["finding_ids"] = rec.finding_ids
    audit.record("recommendation", rec.id, "created", user_id=user.id, office_id=office_id, changes=changes)
    return rec


def update(rec: Recommendation, user: User, data: dict[str, Any], *, follow_up: bool = False) -> dict:
    """Change a recommendation; returns the audited changes.

    Once its follow-up clock runs, the status is the follow-up's business (`follow_up=True` is how the
    deadlines package records it), so that a closing always sets the deadline's met or late as well.
    """
    if (
        not follow_up
        and "status" in data
        and rec.deadline is not None
        and RecommendationStatus(data["status"]) is not rec.status
    ):
        raise RecommendationError(
            "Tenggat rekomendasi ini sudah berjalan: catat tanggapan dan hasilnya di halaman tindak lanjut.",
            "status",
        )
    before = audit.snapshot(rec, FIELDS)
    before_findings = rec.finding_ids
    if "authority_id" in data:
        rec.authority_id = _authority(data["authority_id"]).id
    if "text" in data:
        if not (data["text"] or "").strip():
            raise RecommendationError("Isi rekomendasi wajib diisi.", "text")
        rec.text = data["text"].strip()
    if "kind" in data:
        rec.kind = RecommendationKind(data["kind"])
    if "outcome_note" in data:
        rec.outcome_note = (data["outcome_note"] or "").strip()
    if "status" in data:
        rec.status = RecommendationStatus(data["status"])
    _check_outcome(rec.status, rec.outcome_note)
    if "finding_ids" in data:
        rec.findings = _findings(rec.office_id, data["finding_ids"])
    changes = audit.diff(before, audit.snapshot(rec, FIELDS))
    if rec.finding_ids != before_findings:
        changes["finding_ids"] = [before_findings, rec.finding_ids]
    if changes:
        audit.record(
            "recommendation", rec.id, "updated", user_id=user.id, office_id=rec.office_id, changes=changes
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
