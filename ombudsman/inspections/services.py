"""Inspections, checklist answers, findings and evidence: the rules of the field work.

Entry points take a command of `ombudsman.inspections.commands`, check it (`contracts.validate`) and
refuse with `ombudsman.errors.Invalid` (a bad value, naming the field) or `Conflict` (a state change that
already happened); they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.authorities import services as authorities
from ombudsman.authorities.models import Authority, RoutingRule
from ombudsman.clock import utcnow
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.inspections import commands, storage
from ombudsman.inspections.commands import (
    DETAIL_FIELDS,
    TEAM_SIZE_MAX,
    EvidenceDetails,
    FindingDetails,
    InspectionDetails,
)
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

INSPECTION_FIELDS = (*DETAIL_FIELDS, "checklist_id")
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


def _choice(enum_cls, value, field: str):
    """An enum member from a member or its code; an unknown code is refused under `field`."""
    try:
        return enum_cls(value)
    except ValueError:
        raise Invalid(_l("Pilihan tidak dikenal."), field) from None


# --- inspections -----------------------------------------------------------------------------------------


def active_checklist() -> Checklist | None:
    """The newest active checklist version."""
    return db.session.scalar(
        select(Checklist).where(Checklist.active.is_(True)).order_by(Checklist.version.desc()).limit(1)
    )


def _team(office_id: int, user_ids: Iterable[int]) -> list[User]:
    ids = set(user_ids)
    if len(ids) > TEAM_SIZE_MAX:
        raise Invalid(_l("Tim paling banyak %(n)d orang.", n=TEAM_SIZE_MAX), "team")
    if not ids:
        return []
    users = list(db.session.scalars(select(User).where(User.id.in_(ids), User.office_id == office_id)))
    if len(users) != len(ids):
        raise Invalid(_l("Anggota tim harus pengguna kantor ini."), "team")
    return users


def _inspected_unit(authority_id: int) -> Authority:
    unit = db.session.get(Authority, authority_id)
    if unit is None or not unit.active:
        raise Invalid(_l("Unit yang diinspeksi harus instansi aktif dalam register."), "authority_id")
    return unit


def _check_times(details: InspectionDetails) -> None:
    start, end = details.started_at, details.ended_at
    if start and end and end < start:
        raise Invalid(_l("Jam selesai tidak boleh sebelum jam mulai."), "ended_at")


def _inspection_values(details: InspectionDetails) -> dict[str, Any]:
    values = {name: getattr(details, name) for name in DETAIL_FIELDS}
    values["kind"] = _choice(InspectionKind, details.kind, "kind")
    return values


def create_inspection(
    office: Office, user: User, details: InspectionDetails | Mapping[str, Any], team_ids: Iterable[int] = ()
) -> Inspection:
    """Open a draft inspection; the creator is on the team.

    `details`: the command (a mapping of its fields is accepted from internal callers, with `team_ids`).
    Raises `Invalid` naming the field at fault (bounds, an inactive unit, a stranger on the team).
    """
    details = contracts.command_from(InspectionDetails, details, team_ids=tuple(team_ids))
    contracts.validate(details)
    _inspected_unit(details.authority_id)
    _check_times(details)
    checklist_id = details.checklist_id
    if checklist_id is None:
        checklist = active_checklist()
        checklist_id = checklist.id if checklist else None
    inspection = Inspection(
        office_id=office.id,
        created_by_id=user.id,
        client_id=details.client_id,
        checklist_id=checklist_id,
        **_inspection_values(details),
    )
    inspection.team = _team(office.id, {user.id, *(details.team_ids or ())})
    db.session.add(inspection)
    db.session.flush()
    changes = audit.snapshot(inspection, INSPECTION_FIELDS)
    changes["team"] = sorted(u.id for u in inspection.team)
    audit.record(
        "inspection", inspection.id, "created", user_id=user.id, office_id=office.id, changes=changes
    )
    return inspection


def update_inspection(inspection: Inspection, user: User, details: InspectionDetails) -> dict:
    """Change an inspection's details to `details` (a whole new state); returns the audited changes.

    Raises `Invalid` naming the field at fault.
    """
    contracts.validate(details)
    if details.authority_id != inspection.authority_id:
        _inspected_unit(details.authority_id)
    _check_times(details)
    values = _inspection_values(details)
    before = audit.snapshot(inspection, INSPECTION_FIELDS)
    before_team = sorted(u.id for u in inspection.team)
    for key, value in values.items():
        setattr(inspection, key, value)
    if details.team_ids is not None:
        inspection.team = _team(inspection.office_id, set(details.team_ids))
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
    """Lock the inspection for its inspectors; `Conflict` when it already was submitted."""
    if not inspection.is_draft:
        raise Conflict(_l("Inspeksi ini sudah diajukan."))
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
    """Return a submitted inspection to draft (a supervisor's decision); `Conflict` on a draft."""
    if inspection.is_draft:
        raise Conflict(_l("Inspeksi ini masih draf."))
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


def _answers(answers: Iterable[commands.ItemAnswer] | Mapping[int, tuple[Answer, str]]):
    """The answers as commands, each checked; one item answered twice is refused."""
    if isinstance(answers, Mapping):
        answers = [commands.ItemAnswer(item_id=k, answer=a, note=n) for k, (a, n) in answers.items()]
    rows: dict[int, commands.ItemAnswer] = {}
    for row in answers:
        contracts.validate(row)
        if row.item_id in rows:
            raise Invalid(_l("Butir %(id)d dikirim dua kali.", id=row.item_id), "answers")
        rows[row.item_id] = row
    if len(rows) > commands.ANSWERS_MAX:
        raise Invalid(_l("Paling banyak %(n)d jawaban.", n=commands.ANSWERS_MAX), "answers")
    return rows


def save_answers(
    inspection: Inspection,
    user: User,
    answers: Iterable[commands.ItemAnswer] | Mapping[int, tuple[Answer, str]],
) -> dict:
    """Record checklist answers; items must belong to the inspection's checklist; returns the changes.

    `answers`: `ItemAnswer` commands (or {item_id: (answer, note)}); items left out keep theirs.
    Raises `Invalid` (field `answers`, or the row's field) for unknown items, repeats and bad values.
    """
    rows = _answers(answers)
    valid = {item.id for item, _ in checklist_rows(inspection)}
    unknown = set(rows) - valid
    if unknown:
        listed = ", ".join(str(i) for i in sorted(unknown))
        raise Invalid(_l("Butir checklist tidak dikenal: %(ids)s", ids=listed), "answers")
    existing = {a.item_id: a for a in inspection.answers}
    changes: dict[str, list] = {}
    for item_id, row in sorted(rows.items()):
        answer, note = _choice(Answer, row.answer, "answers"), row.note.strip()
        current = existing.get(item_id)
        old = (current.answer.value, current.note) if current else (Answer.NOT_ASSESSED.value, "")
        if old == (answer.value, note):
            continue
        if current is None:
            current = ChecklistAnswer(item_id=item_id)
            inspection.answers.append(current)
        current.answer, current.note = answer, note
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
            raise Invalid(_l("Tema tidak dikenal."), "routing_rule_id")
        return rule
    if checklist_item_id:
        item = db.session.get(ChecklistItem, checklist_item_id)
        if item is None:
            raise Invalid(_l("Butir checklist tidak dikenal."), "checklist_item_id")
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
        raise Invalid(_l("Instansi tidak ditemukan."), field_name)
    if not authority.active:
        raise Invalid(_l("%(name)s tidak aktif; pilih instansi yang aktif.", name=authority.name), field_name)
    return authority


def _route(inspection: Inspection, details: FindingDetails) -> dict[str, Any]:
    """Decide the responsible authorities from the suggestion and the inspector's choice."""
    text = f"{details.title} {details.description}"
    suggestion = suggestion_for(inspection, details.routing_rule_id, details.checklist_item_id, text)
    chosen = _active_authority(details.responsible_authority_id, "responsible_authority_id")
    second = _active_authority(details.second_authority_id, "second_authority_id")
    if chosen is None:
        # An empty choice accepts the suggestion, including its second authority for shared matters.
        chosen = suggestion.authority
        if second is None:
            second = suggestion.second_authority
    if chosen is None:
        raise Invalid(
            _l("Pilih instansi yang bertanggung jawab (tidak ada saran dari aturan)."),
            "responsible_authority_id",
        )
    note = details.routing_note.strip()
    if suggestion.authority is not None and chosen.id != suggestion.authority.id and not note:
        raise Invalid(
            _l(
                "Anda memilih instansi lain dari saran (%(name)s); tulis alasannya.",
                name=suggestion.authority.name,
            ),
            "routing_note",
        )
    if second is not None and second.id == chosen.id:
        raise Invalid(_l("Instansi kedua harus berbeda dari instansi utama."), "second_authority_id")
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
        raise Invalid(_l("Bentuk maladministrasi tidak dikenal."), "maladministration") from exc


def check_item(inspection: Inspection, checklist_item_id: int | None) -> None:
    """Refuse (`Invalid`) a checklist item that is not part of the inspection's checklist."""
    if checklist_item_id is None:
        return
    item = db.session.get(ChecklistItem, checklist_item_id)
    if item is None or item.checklist_id != inspection.checklist_id:
        raise Invalid(_l("Butir checklist tidak dikenal untuk inspeksi ini."), "checklist_item_id")


def create_finding(
    inspection: Inspection, user: User, details: FindingDetails | Mapping[str, Any]
) -> Finding:
    """Add a finding to an inspection, routed to its responsible authority.

    `details`: the command (a mapping of its fields from internal callers). Raises `Invalid`.
    """
    details = contracts.command_from(FindingDetails, details)
    contracts.validate(details)
    check_item(inspection, details.checklist_item_id)
    severity = _choice(Severity, details.severity, "severity")
    routed = _route(inspection, details)
    number = (
        db.session.scalar(select(func.max(Finding.number)).where(Finding.inspection_id == inspection.id)) or 0
    ) + 1
    finding = Finding(
        office_id=inspection.office_id,
        inspection=inspection,
        number=number,
        title=details.title,
        description=details.description,
        severity=severity,
        legal_basis=details.legal_basis,
        checklist_item_id=details.checklist_item_id,
        client_id=details.client_id,
        created_by_id=user.id,
        forms=_forms(details.maladministration),
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


def update_finding(finding: Finding, user: User, details: FindingDetails | Mapping[str, Any]) -> dict:
    """Change a finding to `details`; routing is checked again when the theme or an authority changes.

    A mapping holds only the fields to change (the rest keep their value). Returns the audited changes;
    raises `Invalid`.
    """
    if not isinstance(details, FindingDetails):
        details = commands.finding_change(finding, details)
    contracts.validate(details)
    before = audit.snapshot(finding, FINDING_FIELDS)
    before_forms = finding.form_codes
    if details.checklist_item_id != finding.checklist_item_id:
        check_item(finding.inspection, details.checklist_item_id)
    values: dict[str, Any] = {
        "title": details.title,
        "description": details.description,
        "severity": _choice(Severity, details.severity, "severity"),
        "legal_basis": details.legal_basis,
        "status": _choice(FindingStatus, details.status, "status"),
        "checklist_item_id": details.checklist_item_id,
    }
    if any(getattr(details, k) != getattr(finding, k) for k in commands.ROUTING_FIELDS):
        values.update(_route(finding.inspection, details))
    for key, value in values.items():
        setattr(finding, key, value)
    if sorted(set(details.maladministration)) != before_forms:
        finding.forms = _forms(details.maladministration)
        db.session.flush()
    changes = audit.diff(before, audit.snapshot(finding, FINDING_FIELDS))
    if finding.form_codes != before_forms:
        changes["maladministration"] = [before_forms, finding.form_codes]
    if changes:
        audit.record(
            "finding", finding.id, "updated", user_id=user.id, office_id=finding.office_id, changes=changes
        )
    return changes


# --- evidence --------------------------------------------------------------------------------------------


def add_evidence(
    inspection: Inspection,
    user: User,
    upload: storage.CheckedUpload,
    *,
    root: Path,
    thumbnail_px: int,
    finding: Finding | None = None,
    details: EvidenceDetails | None = None,
) -> Evidence:
    """Store a checked upload and record it against the inspection (and finding); raises `Invalid`."""
    details = details or EvidenceDetails()
    contracts.validate(details)
    if finding is not None and finding.inspection_id != inspection.id:
        raise Invalid(_l("Temuan bukan bagian dari inspeksi ini."), "finding_id")
    check_item(inspection, details.checklist_item_id)
    key, thumb_key = storage.save(root, upload, thumbnail_px=thumbnail_px)
    evidence = Evidence(
        office_id=inspection.office_id,
        inspection_id=inspection.id,
        finding=finding,
        checklist_item_id=details.checklist_item_id,
        kind=upload.kind,
        caption=details.caption.strip(),
        original_filename=upload.filename,
        content_type=upload.content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        storage_key=key,
        thumbnail_key=thumb_key,
        client_id=details.client_id,
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


def local_datetime(day: date, hhmm: str | None, tz: str) -> datetime | None:
    """A wall-clock time on the visit day in the office's zone, as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    if not hhmm:
        return None
    hour, minute = (int(x) for x in hhmm.split(":")[:2])
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(
        ZoneInfo("UTC")
    )
