"""Issuing freezes a letter: the Kupang letter as PDF/A, its QR code, its bytes that never change."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import xml.etree.ElementTree as ET

import pypdfium2
import pytest
import zxingcpp
from letter_testing import flashes, pdf_text
from pypdf import PdfReader
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.letters import issuing
from ombudsman.letters.models import Letter, LetterCounter, LetterStatus
from ombudsman.pdf import format_date_id

TEMBUSAN = [
    "Ketua Ombudsman Republik Indonesia di Jakarta",
    "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Kupang di Kupang",
]


def test_kupang_letter_issues_as_a_pdf_with_every_part_in_order(app, demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    response = workflow.inspector.get(f"/letters/{letter.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert hashlib.sha256(pdf).hexdigest() == letter.pdf_sha256
    text = pdf_text(pdf)

    assert re.fullmatch(r"\d+/ORI/PW-NTT/[IVX]+/\d{4}", letter.number)
    assert f"Nomor : {letter.number}" in text
    assert f"Kupang, {format_date_id(letter.letter_date)}" in text
    assert "Yth. Wali Kota Kupang di Kupang" in text
    assert f"Hal : {letter.hal}" in text
    assert (
        "Penyampaian Hasil Inspeksi Mendadak pada Dinas Kependudukan dan Pencatatan Sipil Kota Kupang" in text
    )
    for rec in letter.recommendations:
        assert rec.text in text
    assert len(letter.recommendations) == 7
    assert "KEPALA PERWAKILAN OMBUDSMAN REPUBLIK INDONESIA PROVINSI NUSA TENGGARA TIMUR," in text
    assert "DARIUS BEDA DATON" in text
    tembusan = text.index("Tembusan:")
    positions = [text.index(line, tembusan) for line in TEMBUSAN]
    assert positions == sorted(positions)
    # The deadline rule that will apply; the responsible authority only where it is not just the addressee.
    assert "30 (tiga puluh) hari kerja sejak surat ini diterima" in text
    assert "Instansi yang bertanggung jawab" not in text
    assert "Tanggung jawab bersama dengan Direktorat Jenderal Kependudukan dan Pencatatan Sipil" in text
    # Parts in the order of tata naskah dinas.
    order = [
        "OMBUDSMAN REPUBLIK INDONESIA",
        "Nomor",
        "Hal",
        "Yth.",
        "Sehubungan",
        "Demikian",
        "DARIUS",
        "Tembusan",
    ]
    assert [text.index(p) for p in order] == sorted(text.index(p) for p in order)
    assert "DRAF" not in text


def test_issued_pdf_qr_code_decodes_to_its_verification_url(app, demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    url = f"{app.config['PUBLIC_BASE_URL']}/verify/{letter.verify_token}"
    document = pypdfium2.PdfDocument(letter.pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [url]
    first_page = " ".join(PdfReader(io.BytesIO(letter.pdf)).pages[0].extract_text().split())
    assert letter.short_code in first_page
    assert len(letter.verify_token) >= 32  # secrets.token_urlsafe(24): 192 random bits


def test_issued_letter_is_archived_as_pdf_a(app, demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    reader = PdfReader(io.BytesIO(letter.pdf))
    root = reader.trailer["/Root"]
    xmp = ET.fromstring(
        re.search(rb"<x:xmpmeta.*</x:xmpmeta>", root["/Metadata"].get_object().get_data(), re.DOTALL)[0]
    )
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    declared = {
        key: value
        for description in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        for key, value in description.attrib.items()
        if key.startswith(pdfaid)
    }
    assert declared == {f"{pdfaid}part": "3", f"{pdfaid}conformance": "U"}
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.metadata.title == f"Surat {letter.number}: {letter.hal}"
    assert reader.metadata.author == "OMBUDSMAN REPUBLIK INDONESIA PERWAKILAN PROVINSI NUSA TENGGARA TIMUR"
    assert root["/Lang"] == "id"


def test_bytes_never_change_after_issue(app, demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    first = workflow.head.get(f"/letters/{letter.id}/pdf").get_data()
    sha = hashlib.sha256(first).hexdigest()
    old_title = demo.findings[1].title

    # Edit a finding, a recommendation and the register after issue.
    inspections.update_finding(
        demo.findings[1],
        demo.users["supervisor"],
        {"title": "Judul temuan yang diubah sesudah surat terbit", "description": "Uraian baru"},
    )
    rec = letter.recommendations[0]
    rec.text = "Teks rekomendasi yang diubah"
    demo.pemkot.head_title = "Penjabat Wali Kota Kupang"
    db.session.commit()

    again = workflow.inspector.get(f"/letters/{letter.id}/pdf").get_data()
    assert hashlib.sha256(again).hexdigest() == sha == letter.pdf_sha256
    assert again == first
    # The page and its preview show the letter as issued, from the snapshot.
    preview = workflow.inspector.get(f"/letters/{letter.id}/preview").get_data(as_text=True)
    assert old_title in preview
    assert "Judul temuan yang diubah" not in preview
    assert "Teks rekomendasi yang diubah" not in preview
    assert "Penjabat" not in preview


def test_tampered_stored_pdf_is_never_served(app, demo, letters, workflow, caplog):
    letter = workflow.issue(letters.kota.id)
    middle = len(letter.pdf) // 2
    letter.pdf = letter.pdf[:middle] + bytes([letter.pdf[middle] ^ 1]) + letter.pdf[middle + 1 :]
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="ombudsman.letters.documents"):
        response = workflow.head.get(f"/letters/{letter.id}/pdf")
    assert response.status_code == 500
    assert b"%PDF" not in response.get_data()
    assert any("does not match its SHA-256" in r.getMessage() for r in caplog.records)


def test_issue_is_audited_with_number_and_fingerprint(app, demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "letter", AuditEvent.entity_id == letter.id)
    ).all()
    by_action = {e.action: e for e in events}
    assert {"created", "submitted", "approved", "issued"} <= set(by_action)
    issued = by_action["issued"]
    assert issued.user_id == demo.users["head"].id
    assert issued.changes["number"] == letter.number
    assert issued.changes["sha256"] == letter.pdf_sha256
    assert issued.changes["status"] == ["approved", "issued"]
    assert by_action["submitted"].user_id == demo.users["inspector"].id
    assert by_action["approved"].user_id == demo.users["supervisor"].id


def test_a_failed_render_keeps_the_reserved_number_and_the_retry_issues_with_it(
    app, demo, letters, workflow, monkeypatch
):
    """The number is reserved and committed before the PDF renders: never burnt, never given to another."""
    letter_id = letters.kota.id
    workflow.approve(letter_id)

    def broken_render(*args, **kwargs):
        raise RuntimeError("renderer crashed after the number was taken")

    monkeypatch.setattr(issuing, "render_letter_pdf", broken_render)
    assert workflow.head.post(f"/letters/{letter_id}/issue").status_code == 303
    page = workflow.head.get(f"/letters/{letter_id}").get_data(as_text=True)
    letter = db.session.get(Letter, letter_id)
    assert letter.is_issuing and letter.status is LetterStatus.APPROVED
    assert (letter.sequence, letter.pdf, letter.issued_at) == (1, None, None)
    reserved = letter.number
    assert (
        "error",
        f"PDF surat belum dapat dibuat; nomor {reserved} tetap untuk surat ini. "
        "Coba terbitkan lagi sebentar lagi.",
    ) in flashes(page)
    assert 'id="letter-issuing"' in page and "Coba terbitkan lagi" in page
    assert 'http-equiv="refresh"' in page  # inline mode knows no failed job: the page keeps looking
    # While it is being issued it can be neither returned to draft nor verified.
    workflow.supervisor.post(f"/letters/{letter_id}/return", data={"note": "ubah"})
    assert db.session.get(Letter, letter_id).is_issuing
    assert (
        workflow.head.client.application.test_client().get(f"/verify/{letter.verify_token}").status_code
        == 404
    )

    monkeypatch.undo()
    assert workflow.head.post(f"/letters/{letter_id}/issue").status_code == 303
    letter = db.session.get(Letter, letter_id)
    assert letter.status is LetterStatus.ISSUED
    assert (letter.number, letter.sequence) == (reserved, 1)
    assert db.session.scalar(select(LetterCounter.last_sequence)) == 1
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "letter", AuditEvent.entity_id == letter_id)
        )
    ]
    assert actions.count("number_reserved") == 1 and actions.count("issued") == 1


def test_correction_supersedes_the_issued_letter(app, demo, letters, workflow):
    old = workflow.issue(letters.kota.id)
    old_id, old_number, old_sha = old.id, old.number, old.pdf_sha256
    response = workflow.inspector.post(f"/letters/{old_id}/correct")
    assert response.status_code == 303
    new_id = int(response.headers["Location"].split("/")[-2])
    assert db.session.get(Letter, new_id).supersedes_id == old_id
    # A second correction of the same letter is refused while one is pending.
    assert workflow.inspector.post(f"/letters/{old_id}/correct").status_code == 303
    page = workflow.inspector.get(f"/letters/{old_id}").get_data(as_text=True)
    assert any("sudah ada" in text for _c, text in flashes(page))

    new = workflow.issue(new_id)
    old = db.session.get(Letter, old_id)
    assert old.status.value == "superseded"
    assert new.number != old_number and new.sequence == old.sequence + 1
    # The superseded letter keeps its bytes; its verification page says it was replaced.
    assert old.pdf_sha256 == old_sha
    assert workflow.head.get(f"/letters/{old_id}/pdf").status_code == 200
    page = workflow.head.client.application.test_client().get(f"/verify/{old.verify_token}")
    assert "DIGANTI" in page.get_data(as_text=True)
    assert new.number in page.get_data(as_text=True)


@pytest.mark.parametrize("image_format", ["PNG", "HEIF"])  # HEIF: an iPhone photo, printed as its JPEG
def test_annex_prints_the_findings_with_their_photo_thumbnails(app, demo, letters, workflow, image_format):
    from pathlib import Path

    from PIL import Image

    from ombudsman.inspections import storage

    out = io.BytesIO()
    Image.new("RGB", (160, 120), (30, 120, 200)).save(out, image_format)
    upload = storage.check_upload(out.getvalue(), f"loket.{image_format.lower()}", max_bytes=1_000_000)
    photo = inspections.add_evidence(
        demo.inspection,
        demo.users["inspector"],
        upload,
        root=Path(app.config["EVIDENCE_DIR"]),
        thumbnail_px=120,
        finding=demo.findings[1],
    )
    letter = db.session.get(Letter, letters.kota.id)
    letter.annex = True
    db.session.commit()
    preview = workflow.inspector.get(f"/letters/{letter.id}/preview").get_data(as_text=True)
    assert f'src="/evidence/{photo.id}/thumbnail"' in preview

    issued = workflow.issue(letter.id)
    reader = PdfReader(io.BytesIO(issued.pdf))
    annex = [page for page in reader.pages if "DAFTAR TEMUAN" in page.extract_text()]
    assert len(annex) == 1
    assert len(annex[0]["/Resources"]["/XObject"]) >= 1
    text = pdf_text(issued.pdf)
    assert "Lampiran : 1 (satu) berkas" in text
    assert issued.snapshot["document"]["annex_rows"][0]["photos"] == [f"evidence:{photo.id}"]


def test_the_api_answers_503_with_retry_after_when_the_render_fails_and_keeps_the_number(
    app, demo, letters, workflow, monkeypatch
):
    from datetime import timedelta

    from ombudsman.accounts import services as accounts
    from ombudsman.clock import utcnow

    letter_id = letters.kota.id
    workflow.approve(letter_id)
    _token, secret = accounts.issue_token(demo.users["head"], lifetime=timedelta(days=1), now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def broken_render(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(issuing, "render_letter_pdf", broken_render)
    client = app.test_client()
    failed = client.post(f"/api/v1/letters/{letter_id}/issue", headers=headers)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "30"
    number = db.session.get(Letter, letter_id).number
    assert failed.json["error"] == (
        f"PDF surat belum dapat dibuat; nomor {number} tetap untuk surat ini. "
        "Coba terbitkan lagi sebentar lagi."
    )
    monkeypatch.undo()
    issued = client.post(f"/api/v1/letters/{letter_id}/issue", headers=headers)
    assert issued.status_code == 200
    assert (issued.json["status"], issued.json["number"], issued.json["issuing"]) == ("issued", number, False)
