"""The full finding form keeps the chosen photo across a validation error (held under a token for its
owner, 24 hours), re-attaches it on the next submission and removes the held file once used."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from held_testing import TOKEN, held_files
from sqlalchemy import func, select

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import held_uploads, storage
from ombudsman.inspections.models import Evidence, Finding


def _post(browser, inspection_id: int, data: dict, photo: bytes | None = None):
    payload = {"severity": "medium", "responsible_authority_id": "", **data}
    if photo is not None:
        payload["photos"] = (io.BytesIO(photo), "antrean pagi.jpg")
    return browser.post(
        f"/inspections/{inspection_id}/findings/new", data=payload, content_type="multipart/form-data"
    )


def _findings() -> int:
    return db.session.scalar(select(func.count()).select_from(Finding))


def test_a_refused_form_keeps_the_photo_and_the_fixed_form_stores_it(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    before = _findings()
    refused = _post(b, demo.inspection.id, {"title": ""}, jpeg_bytes)  # the title is required
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Foto \u201cantrean pagi.jpg\u201d tetap terlampir" in page and 'name="remove_held_photo"' in page
    token = TOKEN.search(page).group(1)
    assert len(held_files(app)) == 2  # the bytes and who they belong to
    assert _findings() == before and db.session.scalar(select(func.count()).select_from(Evidence)) == 0

    saved = _post(
        b,
        demo.inspection.id,
        {"title": "Catatan zzz", "responsible_authority_id": str(demo.dinas.id), "held_photo": token},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    evidence = db.session.scalar(select(Evidence))
    assert evidence.sha256 == hashlib.sha256(jpeg_bytes).hexdigest()
    assert evidence.original_filename == "antrean pagi.jpg"
    assert storage.path_for(Path(app.config["EVIDENCE_DIR"]), evidence.storage_key).read_bytes() == jpeg_bytes
    assert held_files(app) == []  # used, then removed


def test_a_held_photo_can_be_removed_from_the_form(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    token = TOKEN.search(
        _post(b, demo.inspection.id, {"title": ""}, jpeg_bytes).get_data(as_text=True)
    ).group(1)
    saved = _post(
        b,
        demo.inspection.id,
        {
            "title": "Catatan zzz",
            "responsible_authority_id": str(demo.dinas.id),
            "held_photo": token,
            "remove_held_photo": token,
        },
    )
    assert saved.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert held_files(app) == []


def test_another_users_token_is_refused_and_nothing_is_saved(demo, login, app, jpeg_bytes):
    mine = login("inspector@demo.test")
    token = TOKEN.search(
        _post(mine, demo.inspection.id, {"title": ""}, jpeg_bytes).get_data(as_text=True)
    ).group(1)
    before = _findings()
    other = login("supervisor@demo.test")
    response = _post(
        other,
        demo.inspection.id,
        {"title": "Catatan zzz", "responsible_authority_id": str(demo.dinas.id), "held_photo": token},
    )
    assert response.status_code == 422
    assert "tidak ditemukan atau sudah kedaluwarsa" in response.get_data(as_text=True)
    assert _findings() == before and db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert len(held_files(app)) == 2  # still the owner's


def test_another_user_cannot_remove_a_held_photo(demo, login, app, jpeg_bytes):
    mine = login("inspector@demo.test")
    token = TOKEN.search(
        _post(mine, demo.inspection.id, {"title": ""}, jpeg_bytes).get_data(as_text=True)
    ).group(1)
    other = login("supervisor@demo.test")
    saved = _post(
        other,
        demo.inspection.id,
        {"title": "Catatan lain", "responsible_authority_id": str(demo.dinas.id), "remove_held_photo": token},
    )
    assert saved.status_code == 303  # their own finding is saved; the box named nothing of theirs
    assert len(held_files(app)) == 2  # the owner's photo is still held

    used = _post(
        mine,
        demo.inspection.id,
        {"title": "Catatan zzz", "responsible_authority_id": str(demo.dinas.id), "held_photo": token},
    )
    assert used.status_code == 303
    assert db.session.scalar(select(Evidence.sha256)) == hashlib.sha256(jpeg_bytes).hexdigest()
    assert held_files(app) == []


def test_discarding_names_only_the_owners_well_formed_tokens(app, jpeg_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    held = held_uploads.hold(root, storage.check_upload(jpeg_bytes, "a.jpg", max_bytes=10**7), "staff:7")
    assert not held_uploads.discard(root, held.token, "staff:8")
    assert not held_uploads.discard(root, "../" + held.token[3:], "staff:7")
    assert not held_uploads.discard(root, "x" * 32, "staff:7")  # well formed, unknown
    assert len(held_files(app)) == 2
    assert held_uploads.discard(root, held.token, "staff:7")
    assert held_files(app) == []


def test_a_malformed_token_never_names_a_file(demo, login):
    b = login("inspector@demo.test")
    response = _post(
        b,
        demo.inspection.id,
        {
            "title": "Catatan zzz",
            "responsible_authority_id": str(demo.dinas.id),
            "held_photo": "../../etc/passwd",
        },
    )
    assert response.status_code == 422


def test_held_photos_expire_after_a_day(app, demo, jpeg_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    upload = storage.check_upload(jpeg_bytes, "a.jpg", max_bytes=1_000_000)
    owner = held_uploads.owner_key(demo.users["inspector"])
    held = held_uploads.hold(root, upload, owner)
    assert held_uploads.take(root, held.token, owner, max_bytes=1_000_000).upload == upload
    from ombudsman.clock import utcnow

    later = utcnow() + timedelta(hours=held_uploads.HOLD_HOURS, minutes=1)
    assert held_uploads.purge_expired(root, now=utcnow()) == 0
    assert held_uploads.purge_expired(root, now=later) == 1
    assert held_files(app) == []


def test_the_purge_command_removes_expired_held_photos(app, demo, jpeg_bytes, runner, monkeypatch):
    root = Path(app.config["EVIDENCE_DIR"])
    upload = storage.check_upload(jpeg_bytes, "a.jpg", max_bytes=1_000_000)
    held_uploads.hold(root, upload, held_uploads.owner_key(demo.users["inspector"]))
    result = runner.invoke(args=["evidence", "purge-held"])
    assert result.exit_code == 0 and "Removed 0" in result.output
    from ombudsman.clock import utcnow

    later = utcnow() + timedelta(hours=held_uploads.HOLD_HOURS + 1)
    monkeypatch.setattr(held_uploads, "utcnow", lambda: later)
    result = runner.invoke(args=["evidence", "purge-held"])
    assert result.exit_code == 0 and "Removed 1" in result.output
    assert held_files(app) == []


def test_a_file_held_before_owner_keys_stays_its_staff_users(app, jpeg_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    held = held_uploads.hold(root, storage.check_upload(jpeg_bytes, "a.jpg", max_bytes=10**7), "staff:7")
    meta_path = root / held_uploads.FOLDER / f"{held.token}.json"
    meta = json.loads(meta_path.read_text())
    meta["user_id"] = 7  # how it was written before: a bare staff id
    del meta["owner"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(Invalid):
        held_uploads.take(root, held.token, "portal:7", max_bytes=10**7)
    assert held_uploads.take(root, held.token, "staff:7", max_bytes=10**7).filename == "a.jpg"
