"""The portal's response form keeps the chosen files across a refusal, each in its own field (evidence, reply
letter), for the portal account that chose them: a staff user with the same numeric id cannot use them."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from held_testing import PDF, held_files, tokens
from sqlalchemy import func, select

from ombudsman.accounts.models import User
from ombudsman.deadlines.models import FileRole, FollowUpFile
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import held_uploads, storage
from ombudsman.letters.models import Letter
from ombudsman.portal.models import PortalResponse

OTHER_PDF = PDF.replace(b"1.4", b"1.7")


def _files() -> int:
    return db.session.scalar(select(func.count()).select_from(FollowUpFile))


@pytest.fixture
def maria(kupang_letter, portal_login):
    """Maria signed in to the portal, the letter opened (clocks started); `.rec` its first recommendation."""
    b = portal_login("maria@kupangkota.test")
    assert b.get(f"/portal/letters/{kupang_letter.id}").status_code == 200
    b.rec = db.session.get(Letter, kupang_letter.id).recommendations[0]
    return b


def _refused(maria, jpeg_bytes, letter=PDF):
    response = maria.post(
        f"/portal/recommendations/{maria.rec.id}/response",
        data={
            "status": "bogus",
            "text": "Loket dipindah ke lantai dasar.",
            "evidence": [(io.BytesIO(jpeg_bytes), "loket.jpg")],
            "reply_letter": (io.BytesIO(letter), "balasan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_a_refused_response_keeps_evidence_and_reply_letter_in_their_own_fields(app, maria, jpeg_bytes):
    page = _refused(maria, jpeg_bytes)
    assert "Loket dipindah ke lantai dasar." in page
    assert "Berkas \u201cloket.jpg\u201d tetap terlampir" in page
    assert "Berkas \u201cbalasan.pdf\u201d tetap terlampir" in page
    [evidence], [letter] = tokens(page, "evidence"), tokens(page, "reply_letter")
    # Each token sits in its own field's block, beside its own name.
    assert re.search(rf'name="held_evidence" value="{evidence}">\s*<p>Berkas \u201cloket.jpg\u201d', page)
    assert re.search(rf'name="held_reply_letter" value="{letter}">\s*<p>Berkas \u201cbalasan.pdf\u201d', page)
    assert len(held_files(app)) == 4 and _files() == 0

    saved = maria.post(
        f"/portal/recommendations/{maria.rec.id}/response",
        data={
            "status": "implemented",
            "text": "Loket dipindah ke lantai dasar.",
            "held_evidence": evidence,
            "held_reply_letter": letter,
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    answer = db.session.query(PortalResponse).one()
    files = {f.role: f for f in answer.event.files}
    assert len(answer.event.files) == 2
    assert files[FileRole.EVIDENCE].sha256 == hashlib.sha256(jpeg_bytes).hexdigest()
    assert files[FileRole.REPLY_LETTER].sha256 == hashlib.sha256(PDF).hexdigest()
    assert (
        storage.path_for(
            Path(app.config["EVIDENCE_DIR"]), files[FileRole.REPLY_LETTER].storage_key
        ).read_bytes()
        == PDF
    )
    assert held_files(app) == []


def test_a_new_reply_letter_replaces_the_held_one(app, maria, jpeg_bytes):
    page = _refused(maria, jpeg_bytes)
    saved = maria.post(
        f"/portal/recommendations/{maria.rec.id}/response",
        data={
            "status": "implemented",
            "text": "Loket dipindah.",
            "held_evidence": tokens(page, "evidence")[0],
            "held_reply_letter": tokens(page, "reply_letter")[0],
            "reply_letter": (io.BytesIO(OTHER_PDF), "balasan-baru.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    letters = db.session.scalars(select(FollowUpFile).where(FollowUpFile.role == FileRole.REPLY_LETTER)).all()
    assert [(f.original_filename, f.sha256) for f in letters] == [
        ("balasan-baru.pdf", hashlib.sha256(OTHER_PDF).hexdigest())
    ]
    assert held_files(app) == []


def test_a_staff_user_with_the_same_id_cannot_use_or_remove_a_portal_accounts_file(
    app, demo, maria, login, authorities_with_contacts, jpeg_bytes, monkeypatch
):
    account = authorities_with_contacts.kota_account
    staff = db.session.get(User, account.id)
    if staff is None:  # the two id sequences have not met (PostgreSQL's sequences never roll back): meet them
        supervisor = demo.users["supervisor"]
        staff = User(
            id=account.id,
            office_id=supervisor.office_id,
            email="kembar@demo.test",
            name="Staf Kembar",
            role=supervisor.role,
            password_hash=supervisor.password_hash,
        )
        db.session.add(staff)
    staff.role = demo.users["supervisor"].role  # whoever it is records responses in this test
    db.session.flush()
    assert staff.id == account.id
    token = tokens(_refused(maria, jpeg_bytes), "evidence")[0]
    office = login(staff.email)
    url = f"/deadlines/recommendations/{maria.rec.id}/response"
    today = db.session.get(type(maria.rec), maria.rec.id).deadline.received_on.isoformat()
    monkeypatch.setenv("OMBUDSMAN_TODAY", today)

    used = office.post(
        url,
        {"responded_on": today, "summary": "Catatan kantor", "held_evidence": token},
        content_type="multipart/form-data",
    )
    assert used.status_code == 422, used.get_data(as_text=True)[:2000]
    assert "tidak ditemukan atau sudah kedaluwarsa" in used.get_data(as_text=True)
    assert _files() == 0 and len(held_files(app)) == 4

    removed = office.post(
        url,
        {"responded_on": today, "summary": "Catatan kantor", "remove_held_evidence": token},
        content_type="multipart/form-data",
    )
    assert removed.status_code == 303  # their own response is saved; the box named nothing of theirs
    assert len(held_files(app)) == 4  # Maria's files are still held

    root = Path(app.config["EVIDENCE_DIR"])
    with pytest.raises(Invalid):
        held_uploads.take(root, token, held_uploads.owner_key(staff), max_bytes=10**7)
    assert held_uploads.owner_key(account) == f"portal:{account.id}"
    assert held_uploads.owner_key(staff) == f"staff:{staff.id}"
    assert (
        held_uploads.take(root, token, held_uploads.owner_key(account), max_bytes=10**7).filename
        == "loket.jpg"
    )


def test_a_bare_id_is_no_owner(app, jpeg_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    upload = storage.check_upload(jpeg_bytes, "a.jpg", max_bytes=10**7)
    with pytest.raises(TypeError):
        held_uploads.hold(root, upload, 1)
    held = held_uploads.hold(root, upload, "portal:1")
    with pytest.raises(TypeError):
        held_uploads.take(root, held.token, 1, max_bytes=10**7)
    assert not held_uploads.discard(root, held.token, "staff:1")
    assert held_uploads.discard(root, held.token, "portal:1")
