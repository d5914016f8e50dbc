"""Uploads: the same answer in every worker at every time, a bounded decoding cost, no file left behind
by a refused or failed upload, and file names that cannot disguise themselves in pages or headers."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.filenames import display_filename, kept_filename
from ombudsman.inspections import photos, services, storage
from ombudsman.inspections.models import Evidence
from tests.api.conftest import ApiClient, issue

HUGE_SIDE = 8_900


@pytest.fixture
def api(app, demo):
    """Factory: an API client with a committed token of a demo user by role."""
    return lambda role: ApiClient(app.test_client(), issue(demo.users[role]))


def _files(app) -> list[Path]:
    root = Path(app.config["EVIDENCE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence))


def _jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _truncated_jpeg() -> bytes:
    return _jpeg()[:600]  # cut off mid-scan


def _single_colour_png(side: int) -> bytes:
    """A grey PNG of side × side pixels of one colour, compressed row by row (never held in memory whole)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * side  # filter type 0, then the grey level of every pixel
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- the same answer whatever the process did before ------------------------------------------------------


def test_a_truncated_jpeg_is_refused_even_after_a_letter_pdf_was_rendered():
    from ombudsman.letters.render import render_letter_pdf
    from tests.letters.test_pdf import kupang_letter

    assert render_letter_pdf(kupang_letter()).startswith(b"%PDF-")
    # What WeasyPrint does to the whole process: cut-off images would now load without complaint.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(Invalid, match="rusak atau bukan gambar yang sah"):
        storage.check_upload(_truncated_jpeg(), "potong.jpg", max_bytes=1_000_000)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # given back to WeasyPrint as it was
    assert storage.check_upload(_jpeg(), "utuh.jpg", max_bytes=1_000_000).content_type == "image/jpeg"


@pytest.mark.parametrize("flag", [False, True])
def test_the_answer_does_not_depend_on_the_process_wide_flag(monkeypatch, flag):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", flag)
    with pytest.raises(Invalid, match="rusak"):
        storage.check_upload(_truncated_jpeg(), "potong.jpg", max_bytes=1_000_000)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is flag


# --- a bounded cost ---------------------------------------------------------------------------------------


def test_a_huge_single_colour_png_is_refused_before_any_pixel_is_decoded():
    """8,900 × 8,900 grey pixels in under 100 KB: refused (documented choice), never decoded.

    tracemalloc sees Python's allocations only, so Pillow's own pixel memory is measured by its arena
    counters: a full decode would take 79 MB, i.e. several 16 MB blocks.
    """
    data = _single_colour_png(HUGE_SIDE)
    assert len(data) < 200_000
    blocks_before = Image.core.get_stats()["allocated_blocks"]
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(Invalid) as refused:
            storage.check_upload(data, "besar.png", max_bytes=10_000_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    message = str(refused.value)
    assert "terlalu besar resolusinya untuk diproses (8900 \u00d7 8900 piksel)" in message
    assert f"paling besar {photos.DECODE_BUDGET_BYTES / 1_000_000:.0f} megapiksel" in message
    assert peak < 8_000_000  # generous: the input itself and Python's bookkeeping
    assert Image.core.get_stats()["allocated_blocks"] == blocks_before  # no pixel buffer at all
    assert elapsed < 5  # a full decode takes seconds; reading the header takes milliseconds


def test_the_pixel_budget_is_bounded_by_memory_for_the_mode():
    assert photos.pixel_budget("L") == min(photos.MAX_PIXELS, photos.DECODE_BUDGET_BYTES)
    assert photos.pixel_budget("RGB") == photos.DECODE_BUDGET_BYTES // 4
    assert HUGE_SIDE * HUGE_SIDE < photos.MAX_PIXELS  # under the old cap: refused by the memory bound


def test_jpegs_are_checked_and_thumbnailed_at_draft_scale(monkeypatch):
    """A JPEG is decoded at 1/8 scale for the check and at the smallest scale above the thumbnail size."""
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    data = _jpeg((2400, 1600))
    storage.check_upload(data, "besar.jpg", max_bytes=10_000_000)
    assert decoded and max(w * h for w, h in decoded) == 300 * 200
    decoded.clear()
    thumb = storage.make_thumbnail(data, 320)
    assert decoded and max(w * h for w, h in decoded) == 600 * 400
    with Image.open(io.BytesIO(thumb)) as img:
        assert max(img.size) == 320


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_thumbnails_are_turned_upright_by_their_exif_orientation(image_format):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    out = io.BytesIO()
    Image.new("RGB", (800, 400), (200, 30, 30)).save(out, image_format, exif=exif.tobytes())
    with Image.open(io.BytesIO(storage.make_thumbnail(out.getvalue(), 200))) as img:
        assert img.size == (100, 200)


def test_other_formats_within_the_budget_are_thumbnailed_by_reduce(monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (10, 200, 10)).save(out, "PNG")
    factors: list = []
    real_reduce = Image.Image.reduce

    def spy(self, factor, box=None):
        factors.append(factor)
        return real_reduce(self, factor, box)

    monkeypatch.setattr(Image.Image, "reduce", spy)
    with Image.open(io.BytesIO(storage.make_thumbnail(out.getvalue(), 200))) as img:
        assert img.size == (200, 150)
    assert factors and factors[0] != 1  # shrunk by an integer factor before the resampling


# --- no file left behind ----------------------------------------------------------------------------------


def test_a_refused_upload_leaves_no_file(app, api, demo):
    response = api("inspector").post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={"file": (io.BytesIO(_truncated_jpeg()), "potong.jpg"), "client_id": str(uuid.uuid4())},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert _files(app) == [] and _count() == 0


def test_an_upload_whose_insert_fails_leaves_no_file(app, api, demo, jpeg_bytes, monkeypatch):
    """The files are written after the row's flush; a failure after that (here the audit row) removes them."""
    real_record = services.audit.record

    def failing_record(kind, *args, **kwargs):
        if kind == "evidence":
            assert _files(app), "the files exist by now"
            raise IntegrityError("INSERT INTO audit_events", {}, Exception("simulated clash"))
        return real_record(kind, *args, **kwargs)

    monkeypatch.setattr(services.audit, "record", failing_record)
    response = api("inspector").post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={"file": (io.BytesIO(jpeg_bytes), "antrean.jpg"), "client_id": str(uuid.uuid4())},
        content_type="multipart/form-data",
    )
    assert response.status_code == 503  # a clash not about the key: "send again"
    assert _files(app) == [] and _count() == 0


def test_files_are_kept_on_commit_and_removed_on_rollback(app, demo, jpeg_bytes):
    root = Path(app.config["EVIDENCE_DIR"])
    upload = storage.check_upload(jpeg_bytes, "antrean.jpg", max_bytes=1_000_000)
    inspector = demo.users["inspector"]

    services.add_evidence(demo.inspection, inspector, upload, root=root, thumbnail_px=200)
    assert len(_files(app)) == 2  # original and thumbnail
    db.session.rollback()
    assert _files(app) == []

    services.add_evidence(demo.inspection, inspector, upload, root=root, thumbnail_px=200)
    db.session.commit()
    assert len(_files(app)) == 2
    # The same bytes again, rolled back: the files belong to the committed record and stay.
    services.add_evidence(demo.inspection, inspector, upload, root=root, thumbnail_px=200)
    db.session.rollback()
    assert len(_files(app)) == 2


# --- file names -------------------------------------------------------------------------------------------

HOSTILE_NAME = "foto\u202egpj.exe\x00\x07.jpg"


def test_a_name_with_bidi_override_and_nul_is_kept_shown_clean_and_downloadable(app, api, demo, jpeg_bytes):
    client = api("inspector")
    response = client.post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={"file": (io.BytesIO(jpeg_bytes), HOSTILE_NAME), "client_id": str(uuid.uuid4())},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    evidence = db.session.get(Evidence, response.get_json()["id"])
    # Kept as sent, but for the NUL no database can store (U+FFFD in its place).
    assert evidence.original_filename == "foto\u202egpj.exe\ufffd\x07.jpg"

    download = client.get(f"/api/v1/evidence/{evidence.id}/file")
    assert download.status_code == 200 and download.data == jpeg_bytes
    disposition = download.headers["Content-Disposition"]
    for hidden in ("\u202e", "%E2%80%AE", "\x00", "%00", "\x07", "%07"):
        assert hidden not in disposition
    assert "gpj.exe" in disposition


def test_names_are_cleaned_for_display_in_pages_and_headers(demo, login, jpeg_bytes):
    b = login("inspector@demo.test")
    finding = demo.findings[2]
    b.post(
        f"/findings/{finding.id}/evidence",
        data={"files": (io.BytesIO(jpeg_bytes), HOSTILE_NAME)},
        content_type="multipart/form-data",
    )
    evidence = db.session.scalar(select(Evidence))
    page = b.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    assert display_filename(evidence.original_filename) in page
    assert "\u202e" not in page and "\x00" not in page
    download = b.get(f"/evidence/{evidence.id}/file")
    assert download.status_code == 200
    assert "\u202e" not in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("foto\u202egpj.exe", "fotogpj.exe"),
        ("a\u200bb\u2066c\u2069.png", "abc.png"),
        ("  ruang\ttunggu\n.jpg ", "ruangtunggu.jpg"),
        ("\x00\u202e", "\ufffd"),
        ("", "berkas"),
        ("\u202e\u202c", "berkas"),
    ],
)
def test_display_filename(name, shown):
    assert display_filename(kept_filename(name)) == shown


def test_kept_filename_replaces_only_what_no_database_can_store():
    assert kept_filename("C:\\Users\\x\\foto\ud800\x00.jpg") == "foto\ufffd\ufffd.jpg"
    assert kept_filename("a\u202eb.jpg") == "a\u202eb.jpg"


def test_files_of_a_session_closed_without_commit_are_removed(app, demo, jpeg_bytes):
    """A request that fails with an unexpected error never commits; closing its session removes its files."""
    root = Path(app.config["EVIDENCE_DIR"])
    upload = storage.check_upload(jpeg_bytes, "antrean.jpg", max_bytes=1_000_000)
    services.add_evidence(demo.inspection, demo.users["inspector"], upload, root=root, thumbnail_px=200)
    assert len(_files(app)) == 2
    db.session.close()
    assert _files(app) == []
