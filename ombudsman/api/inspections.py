"""Inspections: list, open (idempotent), read, change, submit, reopen, and the checklist answers."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.models import Role
from ombudsman.accounts.permissions import (
    EVERYONE,
    FIELD_WORK,
    can_edit_inspection,
    office_record_or_404,
    roles_required,
)
from ombudsman.api import schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, api_blueprint, page
from ombudsman.api.idempotency import create_once, request_key
from ombudsman.extensions import db
from ombudsman.inspections import commands, queries, services
from ombudsman.inspections.commands import InspectionDetails, ItemAnswer
from ombudsman.inspections.models import Answer, Inspection

blp = api_blueprint("api_inspections", __name__, description="Inspections (visits) and their checklist.")


def editable_inspection(inspection_id: int) -> Inspection:
    """An inspection of the caller's office that the caller may change (404 / 403 otherwise)."""
    inspection = office_record_or_404(Inspection, inspection_id)
    if not can_edit_inspection(current_user, inspection):
        abort(403)
    return inspection


@blp.route("/inspections", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.InspectionArgs, location="query")
@blp.response(200, schemas.InspectionPage)
def list_inspections(args):
    """The office's inspections, newest visit first."""
    stmt = queries.inspections_query(current_user.office_id, args.get("status"), args.get("authority_id"))
    return page(stmt, args)


@blp.route("/inspections", methods=["POST"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.InspectionIn)
@blp.response(201, schemas.InspectionOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def create_inspection(data):
    """Open a draft inspection; the caller joins its team."""
    key = request_key(data.pop("client_id"))
    team_ids = data.pop("team_ids", [])
    details = contracts.build(InspectionDetails, data, client_id=key, team_ids=tuple(team_ids))

    def create() -> Inspection:
        return services.create_inspection(current_user.office, current_user, details)

    return create_once(
        resource_type="inspection",
        model=Inspection,
        key=key,
        payload={**data, "team_ids": sorted(set(team_ids))},
        create=create,
    )


@blp.route(f"/inspections/<{ID}:inspection_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.InspectionOut)
def get_inspection(inspection_id: int):
    """One inspection."""
    return office_record_or_404(Inspection, inspection_id)


@blp.route(f"/inspections/<{ID}:inspection_id>", methods=["PATCH"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.InspectionPatch)
@blp.response(200, schemas.InspectionOut)
def update_inspection(data, inspection_id: int):
    """Change an inspection's details (drafts for inspectors; any for supervisors)."""
    inspection = editable_inspection(inspection_id)
    services.update_inspection(inspection, current_user, commands.inspection_change(inspection, data))
    db.session.commit()
    return inspection


@blp.route(f"/inspections/<{ID}:inspection_id>/submit", methods=["POST"])
@roles_required(FIELD_WORK)
@blp.response(200, schemas.InspectionOut)
def submit_inspection(inspection_id: int):
    """Submit for review; inspectors can no longer change it."""
    inspection = editable_inspection(inspection_id)
    services.submit_inspection(inspection, current_user)
    db.session.commit()
    return inspection


@blp.route(f"/inspections/<{ID}:inspection_id>/reopen", methods=["POST"])
@roles_required(frozenset({Role.SUPERVISOR}))
@blp.response(200, schemas.InspectionOut)
def reopen_inspection(inspection_id: int):
    """A supervisor returns a submitted inspection to draft."""
    inspection = office_record_or_404(Inspection, inspection_id)
    services.reopen_inspection(inspection, current_user)
    db.session.commit()
    return inspection


def _checklist(inspection: Inspection) -> dict:
    return {
        "inspection_id": inspection.id,
        "checklist_id": inspection.checklist_id,
        "items": [
            {
                "item_id": item.id,
                "code": item.code,
                "group": item.group,
                "label": item.label,
                "basis": item.basis,
                "answer": answer.answer if answer else Answer.NOT_ASSESSED,
                "note": answer.note if answer else "",
            }
            for item, answer in services.checklist_rows(inspection)
        ],
    }


@blp.route(f"/inspections/<{ID}:inspection_id>/checklist", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.ChecklistOut)
def get_checklist(inspection_id: int):
    """The inspection's checklist items with their answers."""
    return _checklist(office_record_or_404(Inspection, inspection_id))


@blp.route(f"/inspections/<{ID}:inspection_id>/checklist", methods=["PUT"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.ChecklistIn)
@blp.response(200, schemas.ChecklistOut)
def put_checklist(data, inspection_id: int):
    """Record answers; sending the same answers again changes nothing (safe to retry)."""
    inspection = editable_inspection(inspection_id)
    answers = [contracts.build(ItemAnswer, row) for row in data["answers"]]
    services.save_answers(inspection, current_user, answers)
    db.session.commit()
    return _checklist(inspection)
