"""Findings: list (per inspection or the whole office), log one (idempotent, routed), read, change."""

from __future__ import annotations

from flask_login import current_user

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, FIELD_WORK, office_record_or_404, roles_required
from ombudsman.api import schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, api_blueprint, page
from ombudsman.api.idempotency import create_once, request_key
from ombudsman.api.inspections import editable_inspection
from ombudsman.extensions import db
from ombudsman.inspections import commands, queries, services
from ombudsman.inspections.commands import FindingDetails
from ombudsman.inspections.models import Finding, Inspection
from ombudsman.page_cache.serving import cached_page

blp = api_blueprint(
    "api_findings",
    __name__,
    description="Findings of inspections, routed to the authority responsible for fixing them.",
)


@blp.route(f"/inspections/<{ID}:inspection_id>/findings", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.FindingPage)
def list_inspection_findings(args, inspection_id: int):
    """The findings of one inspection, by number."""
    inspection = office_record_or_404(Inspection, inspection_id)
    stmt = (
        queries.findings_query(current_user.office_id, queries.FindingFilters(inspection_id=inspection.id))
        .order_by(None)
        .order_by(Finding.number)
    )
    return page(stmt, args)


@blp.route(f"/inspections/<{ID}:inspection_id>/findings", methods=["POST"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.FindingIn)
@blp.response(201, schemas.FindingOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def create_finding(data, inspection_id: int):
    """Log a finding; without `responsible_authority_id` the routing rules' suggestion is taken."""
    inspection = editable_inspection(inspection_id)
    key = request_key(data.pop("client_id"))

    details = contracts.build(
        FindingDetails, data, client_id=key, maladministration=tuple(data.get("maladministration", ()))
    )

    def create() -> Finding:
        return services.create_finding(inspection, current_user, details)

    return create_once(resource_type="finding", model=Finding, key=key, payload=data, create=create)


@blp.route("/findings", methods=["GET"])
@roles_required(EVERYONE)
@cached_page
@blp.arguments(schemas.FindingArgs, location="query")
@blp.response(200, schemas.FindingPage)
def list_findings(args):
    """All the office's findings, filtered; newest inspection first."""
    filters = queries.FindingFilters(
        authority_id=args.get("authority_id"),
        level=args.get("level"),
        status=args.get("status"),
        form=args.get("form"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        inspection_id=args.get("inspection_id"),
        q=args["q"],
    )
    pagination = queries.findings_page(
        office_id=current_user.office_id, filters=filters, page=args["page"], per_page=args["per_page"]
    )
    return page(None, args, pagination)


@blp.route(f"/findings/<{ID}:finding_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.FindingOut)
def get_finding(finding_id: int):
    """One finding."""
    return office_record_or_404(Finding, finding_id)


@blp.route(f"/findings/<{ID}:finding_id>", methods=["PATCH"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.FindingPatch)
@blp.response(200, schemas.FindingOut)
def update_finding(data, finding_id: int):
    """Change a finding; overriding the suggested authority needs a `routing_note`."""
    finding = office_record_or_404(Finding, finding_id)
    editable_inspection(finding.inspection_id)
    services.update_finding(finding, current_user, commands.finding_change(finding, data))
    db.session.commit()
    return finding
