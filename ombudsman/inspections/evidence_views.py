"""Evidence files as stored: the original byte for byte, the JPEG rendition pages show, the thumbnail.

Every route checks the role and the office (another office's evidence is a 404); the bytes are served from
the evidence store after checking their SHA-256 (`storage.send_stored`).
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from ombudsman.accounts.permissions import EVERYONE, office_record_or_404, roles_required
from ombudsman.inspections import storage
from ombudsman.inspections.models import Evidence
from ombudsman.storage import evidence_dir

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


def _send(evidence: Evidence, key: str, mimetype: str, download: bool):
    return storage.send_stored(
        evidence_dir(),
        key,
        mimetype=mimetype,
        download_name=evidence.original_filename,
        sha256=evidence.sha256,
        download=download,
    )


@bp.get("/<int:evidence_id>/file")
@roles_required(EVERYONE)
def file(evidence_id: int):
    """The original file, byte for byte."""
    evidence = office_record_or_404(Evidence, evidence_id)
    return _send(
        evidence,
        evidence.storage_key,
        evidence.content_type,
        download=evidence.content_type == "application/pdf" or request.args.get("download") == "1",
    )


@bp.get("/<int:evidence_id>/view")
@roles_required(EVERYONE)
def view(evidence_id: int):
    """The photo as pages show it: its JPEG rendition (HEIC, very large photos), else the original."""
    evidence = office_record_or_404(Evidence, evidence_id)
    shown = (
        storage.view_key(
            evidence_dir(),
            sha256=evidence.sha256,
            storage_key=evidence.storage_key,
            content_type=evidence.content_type,
        )
        if evidence.thumbnail_key
        else None
    )
    if shown is None:
        abort(404)
    return _send(evidence, shown[0], shown[1], download=False)


@bp.get("/<int:evidence_id>/thumbnail")
@roles_required(EVERYONE)
def thumbnail(evidence_id: int):
    """The photo's thumbnail."""
    evidence = office_record_or_404(Evidence, evidence_id)
    if not evidence.thumbnail_key:
        abort(404)
    return _send(evidence, evidence.thumbnail_key, "image/jpeg", download=False)
