"""A refused follow-up form keeps the files the user chose: held on the server for the account, named on the
redisplayed form in their own field, re-attached by the next submission and removed once stored."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from held_testing import PDF, held_files, tokens
from sqlalchemy import func, select

from ombudsman.deadlines.models import EventKind, FileRole, FollowUpEvent, FollowUpFile
from ombudsman.extensions import db
from ombudsman.inspections import held_uploads


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-03")


def stored_files(app) -> list[Path]:
    """Every file of the evidence store but the held ones."""
    root = Path(app.config["EVIDENCE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file() and held_uploads.FOLDER not in p.parts)


def _files() -> int:
    return db.session.scalar(select(func.count()).select_from(FollowUpFile))


def test_a_refused_response_keeps_both_files_in_their_fields_and_the_fixed_one_stores_them(
    app, demo, started, login, jpeg_bytes
):
    rec_id = started[0].recommendation_id
    supervisor = login("supervisor@demo.test")
    url = f"/deadlines/recommendations/{rec_id}/response"
    before_disk = stored_files(app)

    refused = supervisor.post(
        url,
        {
            "responded_on": "2999-01-01",
            "summary": "Loket tambahan dibuka.",
            "evidence": [(io.BytesIO(jpeg_bytes), "loket baru.jpg")],
            "reply_letter": (io.BytesIO(PDF), "balasan.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Loket tambahan dibuka." in page  # the text as typed
    assert "Berkas \u201cloket baru.jpg\u201d tetap terlampir" in page
    assert "Berkas \u201cbalasan.pdf\u201d tetap terlampir" in page
    assert 'name="remove_held_evidence"' in page and 'name="remove_held_reply_letter"' in page
    [evidence_token], [letter_token] = tokens(page, "evidence"), tokens(page, "reply_letter")
    assert tokens(page, "photo") == []
    assert len(held_files(app)) == 4  # two files, each with who holds it
    assert _files() == 0 and stored_files(app) == before_disk  # nothing half-written

    saved = supervisor.post(
        url,
        {
            "responded_on": "2018-08-31",
            "summary": "Loket tambahan dibuka.",
            "held_evidence": evidence_token,
            "held_reply_letter": letter_token,
        },
        content_type="multipart/form-data",
    )

    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RESPONSE))
    files = {f.role: f for f in event.files}
    assert len(event.files) == 2
    assert files[FileRole.EVIDENCE].sha256 == hashlib.sha256(jpeg_bytes).hexdigest()
    assert files[FileRole.EVIDENCE].original_filename == "loket baru.jpg"
    assert files[FileRole.REPLY_LETTER].sha256 == hashlib.sha256(PDF).hexdigest()
    assert files[FileRole.REPLY_LETTER].original_filename == "balasan.pdf"
    download = supervisor.get(f"/deadlines/files/{files[FileRole.REPLY_LETTER].id}")
    assert download.data == PDF
    download.close()
    assert held_files(app) == []  # used, then removed


def test_a_refused_reply_letter_that_is_no_pdf_is_not_held(app, demo, started, login, jpeg_bytes):
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")
    refused = inspector.post(
        f"/deadlines/recommendations/{rec_id}/response",
        {
            "responded_on": "2018-08-31",
            "summary": "Balasan",
            "reply_letter": (io.BytesIO(jpeg_bytes), "foto.jpg"),
            "evidence": [(io.BytesIO(jpeg_bytes), "bukti.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Surat balasan harus berupa PDF." in page
    assert tokens(page, "reply_letter") == [] and len(tokens(page, "evidence")) == 1
    assert _files() == 0


def test_a_held_outcome_file_can_be_removed_and_a_new_choice_is_stored(
    app, demo, started, login, jpeg_bytes, png_bytes, monkeypatch
):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-28")
    rec_id = started[0].recommendation_id
    supervisor = login("supervisor@demo.test")
    url = f"/deadlines/recommendations/{rec_id}/outcome"
    refused = supervisor.post(
        url,
        {"status": "", "closed_on": "2018-09-28", "evidence": [(io.BytesIO(jpeg_bytes), "lama.jpg")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    [token] = tokens(refused.get_data(as_text=True), "evidence")

    saved = supervisor.post(
        url,
        {
            "status": "implemented",
            "closed_on": "2018-09-28",
            "held_evidence": token,
            "remove_held_evidence": token,
            "evidence": [(io.BytesIO(png_bytes), "baru.png")],
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(FollowUpFile.sha256)).all() == [hashlib.sha256(png_bytes).hexdigest()]
    assert held_files(app) == []


def test_a_refused_reinspection_keeps_its_photos(app, demo, started, login, jpeg_bytes):
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")
    url = f"/deadlines/recommendations/{rec_id}/reinspection"
    refused = inspector.post(
        url,
        {
            "inspected_on": "2018-09-01",
            "result": "",
            "note": "Loket sudah dua.",
            "photos": [(io.BytesIO(jpeg_bytes), "loket.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Berkas \u201cloket.jpg\u201d tetap terlampir" in page and "Loket sudah dua." in page
    [token] = tokens(page, "photos")
    saved = inspector.post(
        url,
        {
            "inspected_on": "2018-09-01",
            "result": "implemented",
            "note": "Loket sudah dua.",
            "held_photos": token,
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert db.session.scalars(select(FollowUpFile.sha256)).all() == [hashlib.sha256(jpeg_bytes).hexdigest()]
    assert held_files(app) == []


def test_a_held_photo_moved_into_the_reply_letter_field_is_refused_and_removed(
    app, demo, started, login, jpeg_bytes
):
    """A token moved from one field's hidden input to another's is checked as that field's file."""
    rec_id = started[0].recommendation_id
    supervisor = login("supervisor@demo.test")
    url = f"/deadlines/recommendations/{rec_id}/response"
    page = supervisor.post(
        url,
        {
            "responded_on": "2999-01-01",
            "summary": "Foto loket.",
            "evidence": [(io.BytesIO(jpeg_bytes), "a.jpg")],
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    [photo] = tokens(page, "evidence")
    assert len(held_files(app)) == 2

    moved = supervisor.post(
        url,
        {"responded_on": "2018-08-31", "summary": "Foto loket.", "held_reply_letter": photo},
        content_type="multipart/form-data",
    )

    assert moved.status_code == 422
    page = moved.get_data(as_text=True)
    assert "Surat balasan harus berupa PDF." in page
    assert tokens(page, "reply_letter") == [] and tokens(page, "evidence") == []
    assert held_files(app) == [] and _files() == 0
