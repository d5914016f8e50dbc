"""Evidence: kept byte for byte with its SHA-256, checked by content, thumbnailed, refused cleanly."""

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import storage
from ombudsman.inspections.models import Evidence, EvidenceKind

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence))


def _files(app) -> list[Path]:
    root = Path(app.config["EVIDENCE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_photo_upload_keeps_original_hash_and_makes_thumbnail(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    finding = demo.findings[2]
    response = b.post(
        f"/findings/{finding.id}/evidence",
        data={"files": (io.BytesIO(jpeg_bytes), "antrean.jpg"), "caption": "Antrean pagi"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    evidence = db.session.scalar(select(Evidence))
    assert evidence.sha256 == hashlib.sha256(jpeg_bytes).hexdigest()
    assert evidence.size_bytes == len(jpeg_bytes) and evidence.content_type == "image/jpeg"
    assert evidence.uploaded_by == demo.users["inspector"] and evidence.finding == finding
    stored = storage.path_for(Path(app.config["EVIDENCE_DIR"]), evidence.storage_key)
    assert stored.read_bytes() == jpeg_bytes
    assert not stored.is_relative_to(Path(__file__).resolve().parents[2] / "ombudsman")
    thumb = b.get(f"/evidence/{evidence.id}/thumbnail")
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert max(img.size) <= app.config["EVIDENCE_THUMBNAIL_PX"]
    original = b.get(f"/evidence/{evidence.id}/file")
    assert original.data == jpeg_bytes
    assert original.headers["X-Content-Type-Options"] == "nosniff"


def test_pdf_document_is_accepted_without_thumbnail(demo, login):
    b = login("inspector@demo.test")
    b.post(
        f"/inspections/{demo.inspection.id}/evidence",
        data={"files": (io.BytesIO(MINIMAL_PDF), "sop.pdf")},
        content_type="multipart/form-data",
    )
    evidence = db.session.scalar(select(Evidence))
    assert evidence.kind.value == "document" and evidence.thumbnail_key is None
    assert "attachment" in b.get(f"/evidence/{evidence.id}/file").headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"", "kosong.jpg", "kosong"),
        (b"MZ\x90\x00 this is a windows executable", "foto.jpg", "tidak diterima"),
        (b"<html><script>alert(1)</script></html>", "foto.png", "tidak diterima"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "rusak.jpg", "rusak"),
        (b"%PDF-1.4 truncated", "potong.pdf", "bukan PDF yang utuh"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(demo, login, app, payload, name, message):
    b = login("inspector@demo.test")
    response = b.post(
        f"/inspections/{demo.inspection.id}/findings/new",
        data={
            "title": "Temuan dengan foto",
            "routing_rule_id": "",
            "severity": "medium",
            "photos": (io.BytesIO(payload), name),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Temuan dengan foto"' in page  # the user's input is kept
    assert _count() == 0 and _files(app) == []
    assert len(demo.inspection.findings) == 10


def test_too_large_upload_is_refused(demo, login, app, jpeg_bytes):
    app.config["EVIDENCE_MAX_BYTES"] = len(jpeg_bytes) - 1
    b = login("inspector@demo.test")
    response = b.post(
        f"/findings/{demo.findings[1].id}/evidence",
        data={"files": (io.BytesIO(jpeg_bytes), "besar.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "terlalu besar" in response.get_data(as_text=True)
    assert _count() == 0 and _files(app) == []


def test_request_over_the_body_limit_gets_a_clear_413(demo, login, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    b = login("inspector@demo.test")
    response = b.post(
        f"/findings/{demo.findings[1].id}/evidence",
        data={"files": (io.BytesIO(b"x" * 4096), "besar.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.get_data(as_text=True)


def test_same_photo_twice_shares_storage_but_has_two_records(demo, login, app, png_bytes):
    b = login("inspector@demo.test")
    for finding in (demo.findings[1], demo.findings[2]):
        b.post(
            f"/findings/{finding.id}/evidence",
            data={"files": (io.BytesIO(png_bytes), "a.png")},
            content_type="multipart/form-data",
        )
    assert _count() == 2
    assert len([p for p in _files(app) if not p.name.endswith(".thumb.jpg")]) == 1


def test_storage_keys_cannot_escape_the_root(tmp_path):
    with pytest.raises(Invalid):
        storage.path_for(tmp_path, "../../etc/passwd")


def test_finding_with_photo_from_the_form(demo, login, png_bytes):
    b = login("inspector@demo.test")
    response = b.post(
        f"/inspections/{demo.inspection.id}/findings/new",
        data={
            "title": "Toilet rusak",
            "description": "Toilet pengunjung tidak berfungsi.",
            "routing_rule_id": "",
            "severity": "low",
            "maladministration": ["tidak_patut"],
            "photos": [(io.BytesIO(png_bytes), "toilet.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    finding = db.session.scalar(select(Evidence)).finding
    assert finding.title == "Toilet rusak" and finding.number == 11
    assert finding.responsible_authority == demo.pemkot  # keyword "toilet" → the local sarana rule
    assert finding.form_codes == ["tidak_patut"]


def test_uploads_appear_in_the_audit_trail_of_their_finding(demo, login, png_bytes):
    b = login("inspector@demo.test")
    b.post(
        f"/findings/{demo.findings[3].id}/evidence",
        data={"files": (io.BytesIO(png_bytes), "kursi.png")},
        content_type="multipart/form-data",
    )
    page = b.get(f"/findings/{demo.findings[3].id}").get_data(as_text=True)
    trail = page[page.index('id="audit"') :]
    assert "bukti diunggah oleh Maria Inspektur" in trail and "kursi.png" in trail
    assert hashlib.sha256(png_bytes).hexdigest() in trail and "uploaded" not in trail


# ---- Identification by content (Pillow for photos, header and trailer for PDF) ----


def _image(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, image_format)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims the given size, with no pixel data: enough for Pillow to read the size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_each_accepted_photo_type_is_accepted(image_format, content_type):
    data = _image(image_format)
    upload = storage.check_upload(data, "foto.bin", max_bytes=1_000_000)
    assert (upload.content_type, upload.kind) == (content_type, EvidenceKind.PHOTO)
    assert upload.sha256 == hashlib.sha256(data).hexdigest() and upload.filename == "foto.bin"


def test_pdf_is_accepted_with_up_to_a_kilobyte_after_its_trailer():
    for data in (MINIMAL_PDF, MINIMAL_PDF + b"\n" * (1024 - len(b"%%EOF\n"))):
        upload = storage.check_upload(data, "sop.pdf", max_bytes=1_000_000)
        assert (upload.content_type, upload.kind) == ("application/pdf", EvidenceKind.DOCUMENT)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\n" + b"0" * 4096,  # no trailer at all
        MINIMAL_PDF + b"\n" * 1024,  # the trailer further back than readers look
    ],
)
def test_pdf_without_trailer_is_refused(data):
    with pytest.raises(storage.UploadError, match="Dokumen \u201csop.pdf\u201d bukan PDF yang utuh"):
        storage.check_upload(data, "sop.pdf", max_bytes=1_000_000)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"garbage!" * 64,  # the signature, then nothing Pillow can read
        _image("PNG")[:33] + b"\x00garbage" * 64,  # a real header chunk, then a garbled body
        _image("PNG")[:-20],  # cut off before the end
        _image("JPEG", (400, 300))[:600],  # a JPEG cut off mid-scan
    ],
)
def test_photo_with_a_valid_header_but_broken_body_is_refused(data):
    with pytest.raises(storage.UploadError, match="rusak atau bukan gambar yang sah"):
        storage.check_upload(data, "foto.png", max_bytes=1_000_000)


def test_renamed_text_file_is_refused():
    text = b"Catatan kunjungan: loket dibuka pukul 08.00.\n"
    with pytest.raises(storage.UploadError) as refused:
        storage.check_upload(text, "foto.jpg", max_bytes=1_000_000)
    assert str(refused.value) == (
        "Jenis berkas \u201cfoto.jpg\u201d tidak diterima (isi berkas: tidak dikenal). "
        "Kirim foto JPEG, PNG, WebP atau HEIC, atau dokumen PDF."
    )


def test_image_of_a_refused_type_is_named_in_the_message():
    with pytest.raises(storage.UploadError, match=r"tidak diterima \(isi berkas: image/gif\)"):
        storage.check_upload(_image("GIF"), "foto.jpg", max_bytes=1_000_000)


def test_photo_with_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(storage.UploadError, match="terlalu besar resolusinya"):
        storage.check_upload(_png_header_only(9_000, 9_000), "besar.png", max_bytes=1_000_000)
