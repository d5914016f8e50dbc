"""Evidence: upload photos and documents (idempotent, checked by SHA-256), list them, fetch the bytes."""

from __future__ import annotations

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort as api_abort
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, FIELD_WORK, office_record_or_404, roles_required
from ombudsman.api import schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, api_blueprint, page
from ombudsman.api.idempotency import create_once, request_key
from ombudsman.api.inspections import editable_inspection
from ombudsman.filenames import display_filename
from ombudsman.inspections import services, storage
from ombudsman.inspections.commands import EvidenceDetails
from ombudsman.inspections.models import Evidence, Finding, Inspection
from ombudsman.storage import evidence_dir

blp = api_blueprint("api_evidence", __name__, description="Photos and documents, kept byte for byte.")

FILE_TYPES = (*storage.PHOTO_TYPES, *storage.DOCUMENT_TYPES)
FILE_RESPONSE_DOC = {
    "responses": {
        "200": {
            "description": "The original bytes; the ETag is their SHA-256.",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES},
        }
    }
}


def _upload(inspection: Inspection, finding: Finding | None, data: dict):
    """Check the file, then store it once per idempotency key."""
    key = request_key(data.pop("client_id"))
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    upload_file = data.pop("file")
    details = contracts.build(EvidenceDetails, data, client_id=key)
    contracts.validate(details)
    upload = storage.check_upload(upload_file.read(limit + 1), upload_file.filename or "", max_bytes=limit)
    expected = data.pop("sha256")
    if expected is not None and expected.lower() != upload.sha256:
        api_abort(
            422,
            message=_("Berkas berubah dalam perjalanan: SHA-256 tidak cocok. Tidak ada yang disimpan."),
            fields={"sha256": [_("Diterima %(got)s.", got=upload.sha256)]},
        )

    def create() -> Evidence:
        return services.add_evidence(
            inspection,
            current_user,
            upload,
            root=evidence_dir(),
            thumbnail_px=current_app.config["EVIDENCE_THUMBNAIL_PX"],
            finding=finding,
            details=details,
        )

    # The file is known by its SHA-256, not its name: a retry of the same bytes is the same request.
    payload = {**data, "sha256": upload.sha256, "finding_id": finding.id if finding else None}
    return create_once(resource_type="evidence", model=Evidence, key=key, payload=payload, create=create)


@blp.route(f"/findings/<{ID}:finding_id>/evidence", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.EvidencePage)
def list_finding_evidence(args, finding_id: int):
    """The finding's evidence, oldest first."""
    finding = office_record_or_404(Finding, finding_id)
    return page(select(Evidence).where(Evidence.finding_id == finding.id).order_by(Evidence.id), args)


@blp.route(f"/findings/<{ID}:finding_id>/evidence", methods=["POST"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.EvidenceIn, location="multipart")
@blp.response(201, schemas.EvidenceOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def upload_finding_evidence(data, finding_id: int):
    """Attach a photo (JPEG, PNG, WebP, HEIC/HEIF) or a PDF to a finding; multipart field `file`.

    Limits (types, bytes, pixels) are `GET /capture/limits.json`; a photo over them is a 422 naming `file`.
    """
    finding = office_record_or_404(Finding, finding_id)
    inspection = editable_inspection(finding.inspection_id)
    return _upload(inspection, finding, data)


@blp.route(f"/inspections/<{ID}:inspection_id>/evidence", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.EvidencePage)
def list_inspection_evidence(args, inspection_id: int):
    """All evidence of an inspection (its findings' and its own), oldest first."""
    inspection = office_record_or_404(Inspection, inspection_id)
    return page(select(Evidence).where(Evidence.inspection_id == inspection.id).order_by(Evidence.id), args)


@blp.route(f"/inspections/<{ID}:inspection_id>/evidence", methods=["POST"])
@roles_required(FIELD_WORK)
@blp.arguments(schemas.EvidenceIn, location="multipart")
@blp.response(201, schemas.EvidenceOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def upload_inspection_evidence(data, inspection_id: int):
    """Attach a photo or PDF to the inspection itself (optionally to a checklist item)."""
    return _upload(editable_inspection(inspection_id), None, data)


@blp.route(f"/evidence/<{ID}:evidence_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.EvidenceOut)
def get_evidence(evidence_id: int):
    """One piece of evidence (metadata)."""
    return office_record_or_404(Evidence, evidence_id)


@blp.route(f"/evidence/<{ID}:evidence_id>/file", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200)
@blp.doc(**FILE_RESPONSE_DOC)
def evidence_file(evidence_id: int):
    """The original file, byte for byte."""
    evidence = office_record_or_404(Evidence, evidence_id)
    path = storage.path_for(evidence_dir(), evidence.storage_key)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.content_type,
        download_name=display_filename(evidence.original_filename),
        max_age=0,
        etag=evidence.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
