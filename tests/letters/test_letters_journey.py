"""The letter journey in headless Chromium: draft from the inspection, review, issue, download, verify."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from ombudsman.extensions import db
from ombudsman.letters.models import Letter

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_be_visible()


def sign_out(page) -> None:
    page.click("form[action='/logout'] button")
    expect(page.locator("#email")).to_be_visible()


def test_inspector_drafts_head_issues_anyone_verifies(app, demo, live_server, chromium):
    # Start from the inspection without the seeded drafts, as the office would.
    db.session.execute(Letter.__table__.delete())
    db.session.commit()
    app.config["PUBLIC_BASE_URL"] = live_server
    context = chromium.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # The inspector drafts the letters from the inspection page and edits the Wali Kota's.
    sign_in(page, live_server, "inspector@demo.test")
    page.goto(f"{live_server}/inspections/{demo.inspection.id}")
    page.get_by_role("button", name="Susun surat").click()
    expect(page.locator("#letters tbody tr")).to_have_count(2)
    page.locator("#letters tbody tr", has_text="Wali Kota Kupang").get_by_role("link").click()
    page.click("#edit-letter")
    page.wait_for_load_state()  # letters.js (deferred) listens to the form only once the page has loaded
    page.fill("#hal", "Hasil Inspeksi Mendadak Pelayanan KTP-el di Kota Kupang")
    # The preview follows the form without saving.
    preview = page.frame_locator("#letter-preview")
    expect(preview.locator("body")).to_contain_text("Hasil Inspeksi Mendadak Pelayanan KTP-el di Kota Kupang")
    page.click("#save-letter")
    expect(page.locator("#letter-status")).to_have_text("Draf")
    page.get_by_role("button", name="Ajukan untuk diperiksa").click()
    expect(page.locator("#letter-status")).to_have_text("Diperiksa")
    letter_url = page.url
    sign_out(page)

    # The head approves and issues it.
    sign_in(page, live_server, "head@demo.test")
    page.goto(letter_url)
    page.get_by_role("button", name="Setujui").click()
    expect(page.locator("#letter-status")).to_have_text("Disetujui")
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.locator("#letter-status")).to_have_text("Terbit")
    number = page.locator("h1").inner_text().split("\n")[0].replace("Terbit", "").strip()
    assert re.match(r"\d+/ORI/PW-NTT/[IVX]+/\d{4}$", number), number
    sha = page.locator("#letter-sha256").inner_text().strip()

    # The PDF downloads and is the stored one.
    href = page.locator("#download-pdf").get_attribute("href")
    response = context.request.get(f"{live_server}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == sha

    # Anyone, without logging in, sees it as valid on the verification page.
    verify_href = page.get_by_role("link", name="halaman verifikasi").get_attribute("href")
    stranger = chromium.new_context().new_page()
    stranger.goto(f"{live_server}{verify_href}")
    expect(stranger.locator("#verify-status")).to_contain_text("SAH")
    expect(stranger.locator("#verify-number")).to_have_text(number)
    expect(stranger.locator("#verify-sha256")).to_have_text(sha)
    expect(stranger.locator("body")).not_to_contain_text("Menambah jumlah loket")
    stranger.context.close()
    context.close()
