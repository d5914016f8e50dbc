"""An iPhone photo (HEIC) captured offline: accepted on the phone, synced, kept byte for byte,
shown as a JPEG thumbnail."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.inspections import photos, storage  # noqa: F401  (photos registers pillow-heif with Pillow)
from ombudsman.inspections.models import Evidence
from tests.browser.test_offline_capture import open_capture, wait_until_all_sent

pytestmark = pytest.mark.browser


def test_a_heic_photo_captured_offline_is_kept_as_sent_and_shown_as_jpeg(demo, live_server, phone, sign_in):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 110, 190)).save(out, "HEIF", quality=70)
    heic = out.getvalue()
    page = phone.new_page()
    sign_in(page, "inspector@demo.test")
    open_capture(page, live_server)
    page.select_option("#inspection", value=f"server:{demo.inspection.id}")
    phone.set_offline(True)
    page.fill("#f-title", "Papan alur pelayanan tidak ada")
    page.select_option("#f-theme", label="Loket pelayanan")
    page.set_input_files("#f-photos", [{"name": "IMG_4032.HEIC", "mimeType": "image/heic", "buffer": heic}])
    expect(page.locator("#f-photo-list li")).to_have_count(1)
    expect(page.locator("#f-photo-refused")).to_be_hidden()
    page.click("#save-finding")
    expect(page.locator("#finding .saved")).to_be_visible()
    phone.set_offline(False)
    wait_until_all_sent(page, 2)

    db.session.rollback()
    evidence = db.session.scalar(select(Evidence).where(Evidence.original_filename == "IMG_4032.HEIC"))
    assert evidence.sha256 == hashlib.sha256(heic).hexdigest()
    root = Path(live_server.app.config["EVIDENCE_DIR"])
    assert storage.path_for(root, evidence.storage_key).read_bytes() == heic
    thumbnail = page.request.get(f"{live_server.url}/evidence/{evidence.id}/thumbnail")
    assert thumbnail.ok and thumbnail.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.body())).format == "JPEG"
