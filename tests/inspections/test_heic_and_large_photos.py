"""iPhone photos (HEIC) and very large photos: kept byte for byte, shown through a bounded JPEG rendition;
above the hard limit refused with a clear message, in the web form and in the API."""

from __future__ import annotations

import hashlib
import io
import struct
import uuid
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.inspections import photos, storage
from ombudsman.inspections.models import Evidence
from tests.api.conftest import ApiClient, issue

# A 108-megapixel phone camera's photo: over the old 80-megapixel cap, under the hard limit.
LARGE = (12_000, 9_000)


@pytest.fixture
def api(app, demo):
    """Factory: an API client with a committed token of a demo user by role."""
    return lambda role: ApiClient(app.test_client(), issue(demo.users[role]))


def _heic(size=(640, 480)) -> bytes:
    """A real HEIC photo, encoded by the same library the server decodes with."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 30)).save(out, "HEIF", quality=60)
    return out.getvalue()


@pytest.fixture(scope="module")
def large_jpeg() -> bytes:
    """12,000 × 9,000 grey pixels: 108 MB to encode once, a few hundred KB of JPEG."""
    out = io.BytesIO()
    Image.new("L", LARGE, 128).save(out, "JPEG", quality=50)
    return out.getvalue()


def _jpeg_claiming(size: tuple[int, int]) -> bytes:
    """A small JPEG whose frame header claims `size`: refused on the header, so never decoded."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", size[1], size[0])
    return bytes(data)


def _root(app) -> Path:
    return Path(app.config["EVIDENCE_DIR"])


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence))


def _jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        return img.size


def test_heic_is_kept_byte_for_byte_with_a_jpeg_thumbnail_and_rendition_via_the_form(demo, login, app):
    data = _heic()
    b = login("inspector@demo.test")
    response = b.post(
        f"/findings/{demo.findings[2].id}/evidence",
        data={"files": (io.BytesIO(data), "IMG_0042.HEIC")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    evidence = db.session.scalar(select(Evidence))
    assert evidence.content_type == "image/heic" and evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert storage.path_for(_root(app), evidence.storage_key).read_bytes() == data
    assert b.get(f"/evidence/{evidence.id}/file").data == data
    thumb = b.get(f"/evidence/{evidence.id}/thumbnail")
    assert (
        thumb.mimetype == "image/jpeg" and max(_jpeg_size(thumb.data)) <= app.config["EVIDENCE_THUMBNAIL_PX"]
    )
    view = b.get(f"/evidence/{evidence.id}/view")
    assert view.mimetype == "image/jpeg" and _jpeg_size(view.data) == (640, 480)
    # The finding's page links its photo to the rendition a browser can show.
    page = b.get(f"/findings/{demo.findings[2].id}").get_data(as_text=True)
    assert f"/evidence/{evidence.id}/view" in page


def test_heic_is_accepted_by_the_api_with_its_sha256(demo, api, app):
    data = _heic((320, 240))
    response = api("inspector").post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={
            "file": (io.BytesIO(data), "IMG_0043.heic"),
            "client_id": str(uuid.uuid4()),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "image/heic"
    assert response.json["sha256"] == hashlib.sha256(data).hexdigest()
    evidence = db.session.get(Evidence, response.json["id"])
    assert storage.path_for(_root(app), evidence.storage_key).read_bytes() == data
    assert _jpeg_size(storage.path_for(_root(app), evidence.thumbnail_key).read_bytes())
    assert _jpeg_size(storage.path_for(_root(app), storage.rendition_key(evidence.sha256)).read_bytes())


def test_a_very_large_jpeg_is_kept_and_its_rendition_is_bounded(demo, login, app, large_jpeg, monkeypatch):
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    b = login("inspector@demo.test")
    # Encoded here in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(
        {"files": FileStorage(io.BytesIO(large_jpeg), "108mp.jpg"), "csrf_token": b.token()}
    )
    response = b.client.post(
        f"/findings/{demo.findings[2].id}/evidence",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 303
    evidence = db.session.scalar(select(Evidence))
    assert storage.path_for(_root(app), evidence.storage_key).read_bytes() == large_jpeg
    assert evidence.sha256 == hashlib.sha256(large_jpeg).hexdigest()
    # Every decode at a reduced scale: the check and the thumbnail at 1/8, the rendition at 1/4.
    assert decoded and max(w * h for w, h in decoded) <= (12_000 // 4) * (9_000 // 4)
    view = b.get(f"/evidence/{evidence.id}/view")
    assert view.mimetype == "image/jpeg"
    assert _jpeg_size(view.data) == (photos.RENDITION_PX, photos.RENDITION_PX * 9_000 // 12_000)


def test_small_photos_are_shown_as_they_are(demo, login, app, jpeg_bytes):
    b = login("inspector@demo.test")
    b.post(
        f"/findings/{demo.findings[2].id}/evidence",
        data={"files": (io.BytesIO(jpeg_bytes), "kecil.jpg")},
        content_type="multipart/form-data",
    )
    evidence = db.session.scalar(select(Evidence))
    assert not (_root(app) / storage.rendition_key(evidence.sha256)).exists()
    assert b.get(f"/evidence/{evidence.id}/view").data == jpeg_bytes


HARD_LIMIT_MESSAGE = "terlalu besar resolusinya untuk diproses (12000 \u00d7 10001 piksel)"


def test_above_the_hard_limit_the_form_refuses_with_the_limit_and_keeps_nothing(demo, login, app):
    b = login("inspector@demo.test")
    response = b.post(
        f"/findings/{demo.findings[2].id}/evidence",
        data={"files": (io.BytesIO(_jpeg_claiming((12_000, 10_001))), "raksasa.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert HARD_LIMIT_MESSAGE in page and "paling besar 120 megapiksel" in page
    assert _count() == 0 and not _root(app).exists()


def test_above_the_hard_limit_the_api_answers_422_naming_the_file(demo, api, app):
    response = api("inspector").post(
        f"/api/v1/findings/{demo.findings[1].id}/evidence",
        data={
            "file": (io.BytesIO(_jpeg_claiming((12_000, 10_001))), "raksasa.jpg"),
            "client_id": str(uuid.uuid4()),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert HARD_LIMIT_MESSAGE in response.json["fields"]["file"][0]
    assert _count() == 0


def _heic_claiming(size: tuple[int, int]) -> bytes:
    """A small HEIC whose image size property ("ispe") claims `size`: judged on the header alone."""
    data = bytearray(_heic((128, 128)))
    ispe = data.index(b"ispe")
    data[ispe + 8 : ispe + 16] = struct.pack(">II", *size)
    return bytes(data)


def test_a_48_megapixel_heic_is_refused_on_its_header_with_the_heif_limit(demo):
    """A "HEIF Max" photo would take ~195 MB decoded: refused before decoding, naming the HEIF limit."""
    limit = photos.pixel_budget("RGB", "HEIF")
    assert 24_500_000 < limit < 48_000_000  # 24 MP iPhone photos pass, 48 MP ones do not
    assert storage.capture_limits(1)["max_pixels"]["image/heic"] == limit
    data = _heic_claiming((8064, 6048))
    blocks_before = Image.core.get_stats()["allocated_blocks"]
    with pytest.raises(Invalid) as refused:
        storage.check_upload(data, "IMG_48MP.HEIC", max_bytes=10_000_000)
    assert "(8064 \u00d7 6048 piksel)" in str(refused.value)
    assert f"paling besar {limit / 1_000_000:.0f} megapiksel" in str(refused.value)
    # Decoding 8064 x 6048 RGB would take about twelve of Pillow's 16 MB blocks; the counter is the
    # process's, so a block another thread of the worker took meanwhile is tolerated.
    assert Image.core.get_stats()["allocated_blocks"] - blocks_before < 4


def test_the_limits_are_published_to_the_capture_page_and_as_json(demo, login, app):
    b = login("inspector@demo.test")
    expected = storage.capture_limits(app.config["EVIDENCE_MAX_BYTES"])
    assert {"image/heic", "image/heif", "image/jpeg", "application/pdf"} <= set(expected["accepted_types"])
    assert expected["hard_max_pixels"] == photos.MAX_PIXELS
    assert expected["max_pixels"]["image/jpeg"] == photos.MAX_PIXELS
    page = b.get("/capture/").get_data(as_text=True)
    marker = '<script type="application/json" id="capture-data">'
    import json

    data = json.loads(page.split(marker, 1)[1].split("</script>", 1)[0])
    assert data["capture_limits"] == expected
    response = b.get(data["limits_url"])
    assert response.json == expected and response.headers["Cache-Control"] == "no-store"
    assert 'accept="' + ",".join(storage.accepted_types()) + '"' in b.get(
        f"/findings/{demo.findings[2].id}"
    ).get_data(as_text=True)
