"""What an offline phone asks before and while it sends: what the server already has, and how to route.

- `GET /sync/status`: which of the phone's client UUIDs (inspections, findings, evidence) the office already
  has, with their server ids, and which photos of an inspection (or finding) are already stored, by SHA-256.
  A record of another office is reported as missing, exactly like one that does not exist.
- `GET /inspections/{id}/routing`: the themes, the authorities a finding may be assigned to and the routing
  suggestion of every theme and checklist item for this inspection's unit (and for `routing_rule_id`,
  `checklist_item_id`, `text` if given), as the full finding form shows it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ombudsman.accounts.permissions import EVERYONE, FIELD_WORK, office_record_or_404, roles_required
from ombudsman.api.common import ID, api_blueprint
from ombudsman.api.schemas import StrictSchema, query_id, text_field
from ombudsman.authorities import services as authorities
from ombudsman.contracts import Text
from ombudsman.extensions import db
from ombudsman.inspections import services
from ombudsman.inspections.models import ChecklistItem, Evidence, Finding, Inspection

blp = api_blueprint(
    "api_sync", __name__, description="What the offline capture page asks: records and bytes already sent."
)

# At most this many client ids and SHA-256 values per question (the query string stays under 4 KB).
MAX_CLIENT_IDS = 50
MAX_SHA256 = 20
SHA256_PATTERN = r"^[0-9a-fA-F]{64}$"
# The text a suggestion is computed from (a finding's title and description), as the web form's hint takes.
SUGGESTION_TEXT = Text(5000)
# Resources with a client UUID, in the order a phone sends them.
KINDS = (("inspection", Inspection), ("finding", Finding), ("evidence", Evidence))


class SyncStatusArgs(StrictSchema):
    """Which client UUIDs, and which photo fingerprints within an inspection or finding, to look up."""

    client_id = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=MAX_CLIENT_IDS),
        metadata={"description": f"Repeat for each record (at most {MAX_CLIENT_IDS})."},
    )
    sha256 = fields.List(
        fields.String(validate=validate.Regexp(SHA256_PATTERN)),
        load_default=list,
        validate=validate.Length(max=MAX_SHA256),
        metadata={
            "description": f"Photo fingerprints (at most {MAX_SHA256}); needs inspection_id or finding_id."
        },
    )
    inspection_id = query_id(load_default=None)
    finding_id = query_id(load_default=None)


class KnownRecord(Schema):
    """A record the server has for a client UUID."""

    client_id = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "inspection, finding or evidence"})
    id = fields.Integer(required=True)
    inspection_id = fields.Integer(allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)


class StoredFile(Schema):
    """A stored file of the inspection (or finding) with a fingerprint that was asked about."""

    sha256 = fields.String(required=True)
    id = fields.Integer(required=True)
    client_id = fields.String(allow_none=True)
    inspection_id = fields.Integer(required=True)
    finding_id = fields.Integer(allow_none=True)


class SyncStatus(Schema):
    """The answer: what is known, what is not."""

    records = fields.List(fields.Nested(KnownRecord), required=True)
    missing = fields.List(
        fields.String(), required=True, metadata={"description": "Client ids not on record."}
    )
    files = fields.List(fields.Nested(StoredFile), required=True)
    missing_sha256 = fields.List(fields.String(), required=True)


def _known(client_ids: list[str]) -> list[dict]:
    """The office's records carrying these client ids (one query per resource)."""
    found = []
    for kind, model in KINDS:
        rows = db.session.scalars(
            select(model).where(model.client_id.in_(client_ids), model.office_id == current_user.office_id)
        )
        for row in rows:
            found.append(
                {
                    "client_id": row.client_id,
                    "type": kind,
                    "id": row.id,
                    "inspection_id": row.id if kind == "inspection" else row.inspection_id,
                    "finding_id": getattr(row, "finding_id", None) if kind == "evidence" else None,
                    "sha256": row.sha256 if kind == "evidence" else None,
                }
            )
    return found


@blp.route("/sync/status", methods=["GET"])
@roles_required(FIELD_WORK)
@blp.arguments(SyncStatusArgs, location="query")
@blp.response(200, SyncStatus)
def sync_status(args):
    """Which of these client UUIDs the office already has, and which of these bytes are already stored.

    `sha256` values are looked up among the evidence of `finding_id` (or of `inspection_id`, findings'
    included); another office's inspection or finding is a 404. Read-only: safe to ask at any time.
    """
    client_ids = sorted({str(c) for c in args["client_id"]})
    records = _known(client_ids) if client_ids else []
    wanted = sorted({s.lower() for s in args["sha256"]})
    files: list[Evidence] = []
    if wanted:
        if args["finding_id"] is not None:
            finding = office_record_or_404(Finding, args["finding_id"])
            where = Evidence.finding_id == finding.id
        elif args["inspection_id"] is not None:
            inspection = office_record_or_404(Inspection, args["inspection_id"])
            where = Evidence.inspection_id == inspection.id
        else:
            abort(422, fields={"inspection_id": [_("Kirim inspection_id atau finding_id bersama sha256.")]})
        files = list(
            db.session.scalars(
                select(Evidence).where(where, Evidence.sha256.in_(wanted)).order_by(Evidence.id)
            )
        )
    have = {r["client_id"] for r in records}
    stored = {e.sha256 for e in files}
    return {
        "records": records,
        "missing": [c for c in client_ids if c not in have],
        "files": files,
        "missing_sha256": [s for s in wanted if s not in stored],
    }


# --- routing ----------------------------------------------------------------------------------------------


class RoutingArgs(StrictSchema):
    """A theme, a checklist item or the finding's text to compute one suggestion for (all optional)."""

    routing_rule_id = query_id(load_default=None)
    checklist_item_id = query_id(load_default=None)
    text = text_field(SUGGESTION_TEXT, load_default="")


class SuggestionOut(Schema):
    """What the routing rules propose, and why (the reader's language)."""

    rule_id = fields.Integer(allow_none=True)
    responsibility = fields.String(allow_none=True)
    authority_id = fields.Integer(allow_none=True)
    authority_name = fields.String(allow_none=True)
    second_authority_id = fields.Integer(allow_none=True)
    second_authority_name = fields.String(allow_none=True)
    reason = fields.String(required=True)


class ThemeOut(Schema):
    """A theme (routing rule) with its keywords and what it proposes for this inspection."""

    id = fields.Integer(required=True)
    theme = fields.String(required=True)
    keywords = fields.List(fields.String(), required=True)
    suggestion = fields.Nested(SuggestionOut, required=True)


class ItemRuleOut(Schema):
    """A checklist item of the inspection and the theme it routes to (null: none)."""

    id = fields.Integer(required=True)
    routing_rule_id = fields.Integer(allow_none=True)


class AuthorityChoice(Schema):
    """An authority a finding may be assigned to."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)


class RoutingOut(Schema):
    """Everything the capture form needs to route a finding as the full form does."""

    suggestion = fields.Nested(SuggestionOut, required=True)
    themes = fields.List(fields.Nested(ThemeOut), required=True)
    checklist_items = fields.List(fields.Nested(ItemRuleOut), required=True)
    authorities = fields.List(fields.Nested(AuthorityChoice), required=True)


@blp.route(f"/inspections/<{ID}:inspection_id>/routing", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(RoutingArgs, location="query")
@blp.response(200, RoutingOut)
def inspection_routing(args, inspection_id: int):
    """Themes, assignable authorities and routing suggestions for a finding of this inspection.

    `suggestion` is the one for the given theme / checklist item / text (the same rule order as a create:
    theme, else the item's theme, else the first keyword match); an unknown theme or item is a 422 naming it.
    Without a suggestion (`authority_id` null), a finding must name `responsible_authority_id`.
    """
    inspection = office_record_or_404(Inspection, inspection_id)
    unit = inspection.authority
    items = (
        []
        if inspection.checklist_id is None
        else db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id == inspection.checklist_id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        ).all()
    )
    suggestion = services.suggestion_for(
        inspection, args["routing_rule_id"], args["checklist_item_id"], args["text"]
    )
    return {
        "suggestion": suggestion.as_dict(),
        "themes": [
            {
                "id": rule.id,
                "theme": rule.theme,
                "keywords": rule.keyword_list(),
                "suggestion": authorities.suggest(rule, unit).as_dict(),
            }
            for rule in authorities.active_rules()
        ],
        "checklist_items": [
            {
                "id": item.id,
                "routing_rule_id": item.routing_rule_id
                if item.routing_rule is not None and item.routing_rule.active
                else None,
            }
            for item in items
        ],
        "authorities": [
            {"id": a.id, "name": a.name, "level": a.level.value} for a in authorities.active_authorities()
        ],
    }
