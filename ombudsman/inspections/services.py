"""Inspections, checklist answers, findings and evidence: the rules of the field work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.authorities.models import Authority, Level, RoutingRule
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import (
    Answer,
    Checklist,
    ChecklistAnswer,
    ChecklistItem,
    Evidence,
    Finding,
    FindingForm,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)

INSPECTION_FIELDS = (
    "authority_id",
    "kind",
    "title",
    "visited_on",
    "started_at",
    "ended_at",
    "place",
    "trigger",
    "summary",
    "visitors_per_day",
    "counters_open",
    "staff_on_duty",
    "seats",
    "queue_system",
    "checklist_id",
)
FINDING_FIELDS = (
    "title",
    "description",
    "severity",
    "legal_basis",
    "status",
    "checklist_item_id",
    "routing_rule_id",
    "suggested_authority_id",
    "responsible_authority_id",
    "second_authority_id",
    "routing_note",
)


class FieldWorkError(ValueError):
    """A change was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- inspections -----------------------------------------------------------------------------------------


def active_checklist() -> Checklist | None:
    """The newest active checklist version."""
    return db.session.scalar(
        select(Checklist).where(Checklist.active.is_(True)).order_by(Checklist.version.desc()).limit(1)
    )


def _team(office_id: int, user_ids: Iterable[int]) -> list[User]:
    ids = set(user_ids)
    if not ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(ids), User.office_id == office_id)))
    if len(users) != len(ids):
        raise FieldWorkError("Anggota tim harus pengguna kantor ini.", "team")
    return users


def _inspected_unit(authority_id: int) -> Authority:
    unit = db.session.get(Authority, authority_id)
    if unit is None or not unit.active:
        raise FieldWorkError("Unit yang diinspeksi harus instansi aktif dalam register.", "authority_id")
    return unit


def _check_times(data: dict[str, Any]) -> None:
    start, end = data.get("started_at"), data.get("ended_at")
    if start and end and end < start:
        raise FieldWorkError("Jam selesai tidak boleh sebelum jam mulai.", "ended_at")


def create_inspection(
    office: Office, user: User, data: dict[str, Any], team_ids: Iterable[int] = ()
) -> Inspection:
    """Open a draft inspection; the creator is on the team."""
    _inspected_unit(data["authority_id"])
    _check_times(data)
    data = dict(data)
    data.setdefault("kind", InspectionKind.SIDAK)
    if data.get("checklist_id") is None:
        checklist = active_checklist()
        data["checklist_id"] = checklist.id if checklist else None
    client_id = data.pop("client_id", None)
    inspection = Inspection(
        office_id=office.id,
        created_by_id=user.id,
        client_id=client_id,
        **{k: v for k, v in data.items() if k in INSPECTION_FIELDS},
    )
    inspection.team = _team(office.id, {user.id, *team_ids})
    db.session.add(inspection)
    db.session.flush()
    changes = audit.snapshot(inspection, INSPECTION_FIELDS)
    changes["team"] = sorted(u.id for u in inspection.team)
    audit.record(
        "inspection", inspection.id, "created", user_id=user.id, office_id=office.id, changes=changes
    )
    return inspection


def update_inspection(
    inspection: Inspection, user: User, data: dict[str, Any], team_ids: Iterable[int] | None = None
) -> dict:
    """Change an inspection's details; returns the audited changes."""
    if "authority_id" in data and data["authority_id"] != inspection.authority_id:
        _inspected_unit(data["authority_id"])
    _check_times({key: data.get(key, getattr(inspection, key)) for key in ("started_at", "ended_at")})
    before = audit.snapshot(inspection, INSPECTION_FIELDS)
    before_team = sorted(u.id for u in inspection.team)
    for key in INSPECTION_FIELDS:
        if key in data:
            setattr(inspection, key, data[key])
    if team_ids is not None:
        inspection.team = _team(inspection.office_id, set(team_ids))
    changes = audit.diff(before, audit.snapshot(inspection, INSPECTION_FIELDS))
    after_team = sorted(u.id for u in inspection.team)
    if after_team != before_team:
        changes["team"] = [before_team, after_team]
    if changes:
        audit.record(
            "inspection",
            inspection.id,
            "updated",
            user_id=user.id,
            office_id=inspection.office_id,
            changes=changes,
        )
    return changes


def submit_inspection(inspection: Inspection, user: User) -> None:
    """Lock the inspection for its inspectors."""
    if not inspection.is_draft:
        raise FieldWorkError("Inspeksi ini sudah diajukan.")
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = utcnow()
    inspection.submitted_by_id = user.id
    audit.record(
        "inspection",
        inspection.id,
        "submitted",
        user_id=user.id,
        office_id=inspection.office_id,
        changes={"status": ["draft", "submitted"]},
    )


def reopen_inspection(inspection: Inspection, user: User) -> None:
    """Return a submitted inspection to draft (a supervisor's decision)."""
    if inspection.is_draft:
        raise FieldWorkError("Inspeksi ini masih draf.")
    inspection.status = InspectionStatus.DRAFT
    audit.record(
        "inspection",
        inspection.id,
        "reopened",
        user_id=user.id,
        office_id=inspection.office_id,
        changes={"status": ["submitted", "draft"]},
    )


def checklist_rows(inspection: Inspection) -> list[tuple[ChecklistItem, ChecklistAnswer | None]]:
    """The inspection's checklist items with their answers (None where not answered yet)."""
    if inspection.checklist_id is None:
        return []
    items = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.checklist_id == inspection.checklist_id)
        .order_by(ChecklistItem.position, ChecklistItem.id)
    ).all()
    answers = {a.item_id: a for a in inspection.answers}
    return [(item, answers.get(item.id)) for item in items]


def save_answers(inspection: Inspection, user: User, answers: dict[int, tuple[Answer, str]]) -> dict:
    """Record checklist answers {item_id: (answer, note)}; items must belong to the inspection's checklist."""
    valid = {item.id for item, _ in checklist_rows(inspection)}
    unknown = set(answers) - valid
    if unknown:
        raise FieldWorkError(f"Butir checklist tidak dikenal: {sorted(unknown)}", "answers")
    existing = {a.item_id: a for a in inspection.answers}
    changes: dict[str, list] = {}
    for item_id, (answer, note) in sorted(answers.items()):
        row = existing.get(item_id)
        old = (row.answer.value, row.note) if row else (Answer.NOT_ASSESSED.value, "")
        if old == (answer.value, note):
            continue
        if row is None:
            row = ChecklistAnswer(item_id=item_id)
            inspection.answers.append(row)
        row.answer, row.note = answer, note
        changes[f"item:{item_id}"] = [list(old), [answer.value, note]]
    if changes:
        audit.record(
            "inspection",
            inspection.id,
            "checklist",
            user_id=user.id,
            office_id=inspection.office_id,
            changes=changes,
        )
    return changes


# --- findings --------------------------------------------------------------------------------------------


def rule_for(routing_rule_id: int | None, checklist_item_id: int | None, text: str) -> RoutingRule | None:
    """The routing rule to apply: the chosen theme, else the checklist item's, else a keyword match."""
    if routing_rule_id:
        rule = db.session.get(RoutingRule, routing_rule_id)
        if rule is None or not rule.active:
            raise FieldWorkError("Tema tidak dikenal.", "routing_rule_id")
        return rule
    if checklist_item_id:
        item = db.session.get(ChecklistItem, checklist_item_id)
        if item is None:
            raise FieldWorkError("Butir checklist tidak dikenal.", "checklist_item_id")
        if item.routing_rule is not None and item.routing_rule.active:
            return item.routing_rule
    return authorities.match_rule(text) if text.strip() else None


def suggestion_for(
    inspection: Inspection, routing_rule_id: int | None, checklist_item_id: int | None, text: str
) -> authorities.Suggestion:
    """The routing suggestion for a finding of this inspection."""
    return authorities.suggest(rule_for(routing_rule_id, checklist_item_id, text), inspection.authority)


def _active_authority(authority_id: int | None, field_name: str) -> Authority | None:
    if authority_id is None:
        return None
    authority = db.session.get(Authority, authority_id)
    if authority is None:
        raise FieldWorkError("Instansi tidak ditemukan.", field_name)
    if not authority.active:
        raise FieldWorkError(f"{authority.name} tidak aktif; pilih instansi yang aktif.", field_name)
    return authority


def _route(inspection: Inspection, data: dict[str, Any]) -> dict[str, Any]:
    """Decide the responsible authorities from the suggestion and the inspector's choice."""
    text = f"{data.get('title', '')} {data.get('description', '')}"
    suggestion = suggestion_for(inspection, data.get("routing_rule_id"), data.get("checklist_item_id"), text)
    chosen = _active_authority(data.get("responsible_authority_id"), "responsible_authority_id")
    second = _active_authority(data.get("second_authority_id"), "second_authority_id")
    if chosen is None:
        # An empty choice accepts the suggestion, including its second authority for shared matters.
        chosen = suggestion.authority
        if second is None:
            second = suggestion.second_authority
    if chosen is None:
        raise FieldWorkError(
            "Pilih instansi yang bertanggung jawab (tidak ada saran dari aturan).", "responsible_authority_id"
        )
    note = (data.get("routing_note") or "").strip()
    if suggestion.authority is not None and chosen.id != suggestion.authority.id and not note:
        raise FieldWorkError(
            f"Anda memilih instansi lain dari saran ({suggestion.authority.name}); tulis alasannya.",
            "routing_note",
        )
    if second is not None and second.id == chosen.id:
        raise FieldWorkError("Instansi kedua harus berbeda dari instansi utama.", "second_authority_id")
    return {
        "routing_rule_id": suggestion.rule.id if suggestion.rule else None,
        "suggested_authority_id": suggestion.authority.id if suggestion.authority else None,
        "responsible_authority_id": chosen.id,
        "second_authority_id": second.id if second else None,
        "routing_note": note,
    }


def _forms(codes: Iterable[str]) -> list[FindingForm]:
    try:
        return [FindingForm(code=Maladministration(c)) for c in sorted(set(codes))]
    except ValueError as exc:
        raise FieldWorkError("Bentuk maladministrasi tidak dikenal.", "maladministration") from exc


def check_item(inspection: Inspection, checklist_item_id: int | None) -> None:
    """Refuse a checklist item that is not part of the inspection's checklist."""
    if checklist_item_id is None:
        return
    item = db.session.get(ChecklistItem, checklist_item_id)
    if item is None or item.checklist_id != inspection.checklist_id:
        raise FieldWorkError("Butir checklist tidak dikenal untuk inspeksi ini.", "checklist_item_id")


def create_finding(inspection: Inspection, user: User, data: dict[str, Any]) -> Finding:
    """Add a finding to an inspection, routed to its responsible authority."""
    if not data.get("title", "").strip():
        raise FieldWorkError("Judul wajib diisi.", "title")
    check_item(inspection, data.get("checklist_item_id"))
    routed = _route(inspection, data)
    number = (
        db.session.scalar(select(func.max(Finding.number)).where(Finding.inspection_id == inspection.id)) or 0
    ) + 1
    finding = Finding(
        office_id=inspection.office_id,
        inspection=inspection,
        number=number,
        title=data["title"].strip(),
        description=(data.get("description") or "").strip(),
        severity=Severity(data.get("severity") or Severity.MEDIUM),
        legal_basis=(data.get("legal_basis") or "").strip(),
        checklist_item_id=data.get("checklist_item_id"),
        client_id=data.get("client_id"),
        created_by_id=user.id,
        forms=_forms(data.get("maladministration") or []),
        **routed,
    )
    db.session.add(finding)
    db.session.flush()
    changes = audit.snapshot(finding, FINDING_FIELDS)
    changes["maladministration"] = finding.form_codes
    audit.record(
        "finding", finding.id, "created", user_id=user.id, office_id=finding.office_id, changes=changes
    )
    return finding


def update_finding(finding: Finding, user: User, data: dict[str, Any]) -> dict:
    """Change a finding; routing is re-checked when the theme or authority changes."""
    before = audit.snapshot(finding, FINDING_FIELDS)
    before_forms = finding.form_codes
    merged = {**audit.snapshot(finding, FINDING_FIELDS), **data}
    merged["severity"] = Severity(merged["severity"])
    merged["status"] = FindingStatus(merged["status"])
    routing_keys = {
        "routing_rule_id",
        "checklist_item_id",
        "responsible_authority_id",
        "second_authority_id",
        "routing_note",
    }
    if "checklist_item_id" in data:
        check_item(finding.inspection, data["checklist_item_id"])
    if routing_keys & data.keys():
        merged.update(_route(finding.inspection, merged))
    for key in FINDING_FIELDS:
        setattr(finding, key, merged[key])
    if not finding.title.strip():
        raise FieldWorkError("Judul wajib diisi.", "title")
    if "maladministration" in data:
        finding.forms = _forms(data["maladministration"])
        db.session.flush()
    changes = audit.diff(before, audit.snapshot(finding, FINDING_FIELDS))
    if finding.form_codes != before_forms:
        changes["maladministration"] = [before_forms, finding.form_codes]
    if changes:
        audit.record(
            "finding", finding.id, "updated", user_id=user.id, office_id=finding.office_id, changes=changes
        )
    return changes


@dataclass
class FindingFilters:
    """Filters of the findings list; every one optional."""

    authority_id: int | None = None
    level: Level | None = None
    status: FindingStatus | None = None
    form: Maladministration | None = None
    date_from: date | None = None
    date_to: date | None = None
    inspection_id: int | None = None
    q: str = ""


def _finding_conditions(office_id: int, f: FindingFilters, authority_id: int | None) -> list:
    """WHERE clauses on the findings table (and inspections for dates) shared by the list and its count."""
    conditions = [Finding.office_id == office_id]
    if authority_id:
        conditions.append(
            or_(Finding.responsible_authority_id == authority_id, Finding.second_authority_id == authority_id)
        )
    if f.level is not None:
        conditions.append(
            Finding.responsible_authority_id.in_(select(Authority.id).where(Authority.level == f.level))
        )
    if f.status is not None:
        conditions.append(Finding.status == f.status)
    if f.form is not None:
        conditions.append(Finding.id.in_(select(FindingForm.finding_id).where(FindingForm.code == f.form)))
    if f.inspection_id is not None:
        conditions.append(Finding.inspection_id == f.inspection_id)
    if f.q:
        conditions.append(func.lower(Finding.title).like(f"%{f.q.strip().lower()}%"))
    if f.date_from is not None:
        conditions.append(Inspection.visited_on >= f.date_from)
    if f.date_to is not None:
        conditions.append(Inspection.visited_on <= f.date_to)
    return conditions


def findings_query(office_id: int, filters: FindingFilters | None = None, responsible_for: int | None = None):
    """A select() of the office's findings, filtered, newest inspection first, with what lists show loaded."""
    f = filters or FindingFilters()
    return (
        select(Finding)
        .join(Finding.inspection)
        .where(*_finding_conditions(office_id, f, responsible_for or f.authority_id))
        .options(
            joinedload(Finding.inspection).joinedload(Inspection.authority),
            joinedload(Finding.responsible_authority),
            joinedload(Finding.second_authority),
            selectinload(Finding.forms),
        )
        .order_by(Inspection.visited_on.desc(), Finding.inspection_id.desc(), Finding.number)
    )


def _count_findings(office_id: int, f: FindingFilters, authority_id: int | None) -> int:
    """The number of findings matching the filters, joining inspections only when dates are filtered.

    Wrapping the whole list query (with its join and eager loads) in a subquery costs a hash join over every
    finding of the office; most filters only need the findings table and its indexes.
    """
    stmt = select(func.count(Finding.id)).where(*_finding_conditions(office_id, f, authority_id))
    if f.date_from is not None or f.date_to is not None:
        stmt = stmt.join(Finding.inspection)
    return db.session.scalar(stmt) or 0


def findings_page(
    *,
    office_id: int,
    filters: FindingFilters | None = None,
    responsible_for: int | None = None,
    page: int = 1,
    per_page: int = 25,
):
    """One page of findings (Flask-SQLAlchemy Pagination) with its total."""
    f = filters or FindingFilters()
    pagination = db.paginate(
        findings_query(office_id, f, responsible_for),
        page=page,
        per_page=per_page,
        error_out=False,
        count=False,
    )
    pagination.total = _count_findings(office_id, f, responsible_for or f.authority_id)
    return pagination


def findings_by_level_for_unit(office_id: int, unit_id: int, limit: int = 50) -> dict[str, dict[str, Any]]:
    """Findings from inspections of a unit, split by the level that must fix them (local vs central)."""
    central_ids = select(Authority.id).where(Authority.level == Level.CENTRAL)
    result = {}
    for key, condition in (
        ("local", Finding.responsible_authority_id.not_in(central_ids)),
        ("central", Finding.responsible_authority_id.in_(central_ids)),
    ):
        where = (Finding.office_id == office_id, Inspection.authority_id == unit_id, condition)
        total = db.session.scalar(select(func.count(Finding.id)).join(Finding.inspection).where(*where))
        items = db.session.scalars(
            select(Finding)
            .join(Finding.inspection)
            .where(*where)
            .options(
                joinedload(Finding.inspection).joinedload(Inspection.authority),
                joinedload(Finding.responsible_authority),
                joinedload(Finding.second_authority),
                selectinload(Finding.forms),
            )
            .order_by(Inspection.visited_on.desc(), Finding.inspection_id.desc(), Finding.number)
            .limit(limit)
        ).unique()
        result[key] = {"total": total, "items": list(items)}
    return result


# --- evidence --------------------------------------------------------------------------------------------


def add_evidence(
    inspection: Inspection,
    user: User,
    upload: storage.CheckedUpload,
    *,
    root: Path,
    thumbnail_px: int,
    finding: Finding | None = None,
    checklist_item_id: int | None = None,
    caption: str = "",
    client_id: str | None = None,
) -> Evidence:
    """Store a checked upload and record it against the inspection (and finding)."""
    if finding is not None and finding.inspection_id != inspection.id:
        raise FieldWorkError("Temuan bukan bagian dari inspeksi ini.", "finding_id")
    check_item(inspection, checklist_item_id)
    key, thumb_key = storage.save(root, upload, thumbnail_px=thumbnail_px)
    evidence = Evidence(
        office_id=inspection.office_id,
        inspection_id=inspection.id,
        finding=finding,
        checklist_item_id=checklist_item_id,
        kind=upload.kind,
        caption=caption.strip()[:300],
        original_filename=upload.filename,
        content_type=upload.content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        storage_key=key,
        thumbnail_key=thumb_key,
        client_id=client_id,
        uploaded_by_id=user.id,
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        "evidence",
        evidence.id,
        "uploaded",
        user_id=user.id,
        office_id=inspection.office_id,
        changes={
            "sha256": upload.sha256,
            "filename": upload.filename,
            "size": upload.size,
            "finding_id": finding.id if finding else None,
        },
    )
    return evidence


def inspections_query(
    office_id: int, status: InspectionStatus | None = None, authority_id: int | None = None
):
    """The office's inspections, newest first, with the inspected unit and finding counts loadable."""
    stmt = (
        select(Inspection)
        .where(Inspection.office_id == office_id)
        .options(joinedload(Inspection.authority))
        .order_by(Inspection.visited_on.desc(), Inspection.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Inspection.status == status)
    if authority_id is not None:
        stmt = stmt.where(Inspection.authority_id == authority_id)
    return stmt


def finding_counts(inspection_ids: list[int]) -> dict[int, int]:
    """Number of findings per inspection, in one query."""
    if not inspection_ids:
        return {}
    rows = db.session.execute(
        select(Finding.inspection_id, func.count())
        .where(Finding.inspection_id.in_(inspection_ids))
        .group_by(Finding.inspection_id)
    )
    return dict(rows.all())


def dashboard_figures(office_id: int) -> dict[str, Any]:
    """Counts for the dashboard: inspections by status, open findings by level."""
    by_status = dict(
        db.session.execute(
            select(Inspection.status, func.count())
            .where(Inspection.office_id == office_id)
            .group_by(Inspection.status)
        ).all()
    )
    # Grouping by authority id needs only the findings index; the few authorities are mapped to levels here.
    open_by_authority = db.session.execute(
        select(Finding.responsible_authority_id, func.count())
        .where(
            Finding.office_id == office_id,
            Finding.status.in_([FindingStatus.OPEN, FindingStatus.IN_FOLLOW_UP]),
        )
        .group_by(Finding.responsible_authority_id)
    ).all()
    levels = dict(
        db.session.execute(
            select(Authority.id, Authority.level).where(Authority.id.in_([a for a, _ in open_by_authority]))
        ).all()
    )
    open_central = sum(n for a, n in open_by_authority if levels.get(a) == Level.CENTRAL)
    open_local = sum(n for _a, n in open_by_authority) - open_central
    return {
        "drafts": by_status.get(InspectionStatus.DRAFT, 0),
        "submitted": by_status.get(InspectionStatus.SUBMITTED, 0),
        "open_local": open_local,
        "open_central": open_central,
    }


def local_datetime(day: date, hhmm: str | None, tz: str) -> datetime | None:
    """A wall-clock time on the visit day in the office's zone, as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    if not hhmm:
        return None
    hour, minute = (int(x) for x in hhmm.split(":")[:2])
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(
        ZoneInfo("UTC")
    )
