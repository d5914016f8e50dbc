"""Files that together exceed the request limit are stopped in the browser, not sent: the server would refuse
the whole submission (413) and the page with what was typed would be gone (QA: three 7 MB phone photos on
the finding form, each under the per-file limit). The phone shows how much was chosen and keeps everything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ombudsman.extensions import db
from ombudsman.inspections.models import Finding

pytestmark = pytest.mark.browser

LIMIT = 1_048_576  # the test app's request limit: 1 MB, so the photos stay small


@pytest.fixture
def phone_tab(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, base_url=live_server
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _photo(name: str, size: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"\0" * (size - 3)}


def test_files_over_the_request_limit_are_not_sent_and_nothing_typed_is_lost(
    app, demo, phone_tab, browser_login, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    findings = db.session.scalar(select(func.count()).select_from(Finding))
    page = phone_tab
    browser_login(page, "inspector@demo.test")
    page.goto(f"/inspections/{demo.inspection.id}/findings/new")
    page.fill("#title", "Antrean mengular sampai ke jalan")
    page.set_input_files("#photos", files=[_photo(f"foto-{n}.jpg", 400_000) for n in range(3)])
    alert = page.locator("form .too-large[role=alert]")
    assert alert.inner_text() == (
        "Berkas yang dipilih berjumlah 1.2 MB, lebih dari batas satu kiriman (1 MB). "
        "Kirim lebih sedikit berkas sekarang; sisanya dapat ditambahkan setelah disimpan."
    )
    # A listener added after the page's own sees whether the submission was stopped.
    page.evaluate("() => document.addEventListener('submit', e => { window.stopped = e.defaultPrevented; })")
    url = page.url
    page.locator("form button[type=submit]").last.click()
    assert page.evaluate("() => window.stopped") is True
    assert page.url == url and page.input_value("#title") == "Antrean mengular sampai ke jalan"
    assert alert.is_visible()
    assert db.session.scalar(select(func.count()).select_from(Finding)) == findings

    page.set_input_files("#photos", files=[_photo("foto-0.jpg", 400_000)])  # fewer: the message goes
    assert page.locator("form .too-large").count() == 0
