"""Follow-up files (reply letters, evidence) and photo thumbnails, byte for byte from the evidence store."""

from __future__ import annotations

from flask import abort

from ombudsman.accounts.permissions import EVERYONE, office_record_or_404, roles_required
from ombudsman.deadlines.models import FollowUpFile
from ombudsman.deadlines.views.common import bp
from ombudsman.inspections import storage
from ombudsman.storage import evidence_dir


def _send(item: FollowUpFile, key: str, mimetype: str, download: bool):
    return storage.send_stored(
        evidence_dir(),
        key,
        mimetype=mimetype,
        download_name=item.original_filename,
        sha256=item.sha256,
        download=download,
    )


@bp.get("/files/<int:file_id>")
@roles_required(EVERYONE)
def file(file_id: int):
    """A follow-up file, byte for byte."""
    item = office_record_or_404(FollowUpFile, file_id)
    return _send(item, item.storage_key, item.content_type, download=item.content_type == "application/pdf")


@bp.get("/files/<int:file_id>/thumbnail")
@roles_required(EVERYONE)
def thumbnail(file_id: int):
    """A follow-up photo's thumbnail."""
    item = office_record_or_404(FollowUpFile, file_id)
    if not item.thumbnail_key:
        abort(404)
    return _send(item, item.thumbnail_key, "image/jpeg", download=False)
