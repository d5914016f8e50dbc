"""The authority portal journey in headless Chromium, over a live server and a real SMTP server on loopback:
the head issues the Kupang letter with electronic delivery, the Wali Kota's contact opens the e-mailed link
on a phone, reads the letter (receipt recorded with that date), answers two recommendations with a photo
and asks for more time on a third; the office sees the answers and grants the extension; the due date
moves with its explanation and the contact receives the decision by e-mail."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from portal_testing import add_contact, link_in
from sqlalchemy import select

from ombudsman import clock
from ombudsman.dates import format_long_date
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal.models import ExtensionRequest, LetterReceipt, PortalResponse

pytestmark = pytest.mark.browser


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_be_visible()


def _wait_for_mail(page, smtp, count: int):
    """Poll the inbox without blocking the browser's event loop (the live server runs in a thread)."""
    for _attempt in range(100):
        if len(smtp.inbox.messages) >= count:
            return smtp.inbox.messages
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} mails, got {len(smtp.inbox.messages)}")


def test_authority_reads_answers_and_gets_more_time(app, demo, live_server, smtp, chromium, login):
    app.config["PUBLIC_BASE_URL"] = live_server
    add_contact(demo.pemkot, demo.users["admin"], name="Maria Fernandez", email="maria@kupangkota.test")
    db.session.commit()
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    for email, action in (("inspector@demo.test", "submit"), ("supervisor@demo.test", "approve")):
        assert login(email).post(f"/letters/{letter.id}/{action}").status_code == 303

    office = chromium.new_context()
    page = office.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # The head issues the Kupang letter with electronic delivery to the Wali Kota's contact.
    _sign_in(page, live_server, "head@demo.test")
    page.goto(f"{live_server}/letters/{letter.id}")
    page.check("#electronic_delivery")
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.locator("#letter-status")).to_have_text("Terbit")
    expect(page.locator("#e-deliveries")).to_contain_text("maria@kupangkota.test")

    # The contact receives the e-mail on the local SMTP server and opens its link on a phone.
    [mail] = _wait_for_mail(page, smtp, 1)
    assert mail["To"] == "maria@kupangkota.test"
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    contact = phone.new_page()
    contact.goto(link_in(mail))
    contact.get_by_role("button", name="Masuk ke portal").click()
    today = clock.today(demo.office.timezone)
    expect(contact.locator("#portal-received-on")).to_contain_text(format_long_date(today, "id"))
    db.session.expire_all()
    receipt = db.session.scalar(select(LetterReceipt))
    assert receipt.received_on == today and receipt.applied
    assert db.session.get(Letter, letter.id).received_on == today
    # The PDF is the stored one.
    pdf = phone.request.get(f"{live_server}/portal/letters/{letter.id}/pdf")
    assert pdf.ok and pdf.body() == db.session.get(Letter, letter.id).pdf
    # Usable on a phone: nothing wider than the screen.
    assert contact.evaluate("document.documentElement.scrollWidth") <= 390

    # Two answers with a photo, then more time asked for the third recommendation.
    links = contact.locator("#portal-recommendations li a")
    expect(links).to_have_count(len(letter.recommendations))
    letter_url = contact.url
    photo = {"name": "loket-baru.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    for position, (status, text) in enumerate(
        [("Sudah dilaksanakan", "Loket ditambah menjadi enam."), ("Sebagian dilaksanakan", "Antrean daring.")]
    ):
        contact.goto(letter_url)
        contact.locator("#portal-recommendations li a").nth(position).click()
        contact.get_by_label(status).check()
        contact.fill("#text", text)
        contact.set_input_files("#evidence", photo)
        contact.get_by_role("button", name="Kirim tanggapan").click()
        expect(contact.locator(".flash-success")).to_contain_text("Tanggapan Anda terkirim")
        expect(contact.locator(".portal-response")).to_contain_text(text)
    contact.goto(letter_url)
    contact.locator("#portal-recommendations li a").nth(2).click()
    third_url = contact.url
    due_before = db.session.get(Letter, letter.id).recommendations[2].deadline.due_on
    proposed = due_before + timedelta(days=30)
    contact.locator("#ask-extension summary").click()
    contact.fill("#proposed_due_on", proposed.isoformat())
    contact.fill("#reason", "Pengadaan kursi menunggu APBD Perubahan.")
    contact.get_by_role("button", name="Kirim permohonan").click()
    expect(contact.locator(".extension-status")).to_have_text("Menunggu keputusan")

    db.session.expire_all()
    answers = db.session.scalars(select(PortalResponse)).all()
    assert len(answers) == 2 and all(len(a.event.files) == 1 for a in answers)
    request = db.session.scalar(select(ExtensionRequest))
    rec_ids = [r.id for r in db.session.get(Letter, letter.id).recommendations]

    # The inspector sees the answers with their photos on the follow-up pages.
    page.click("form[action='/logout'] button")
    _sign_in(page, live_server, "inspector@demo.test")
    page.goto(f"{live_server}/deadlines/recommendations/{rec_ids[0]}")
    expect(page.locator(".timeline")).to_contain_text("Loket ditambah menjadi enam.")
    expect(page.locator(".timeline")).to_contain_text("loket-baru.jpg")
    page.goto(f"{live_server}/deadlines/recommendations/{rec_ids[2]}")
    expect(page.locator("#extension-requests")).to_contain_text("Pengadaan kursi menunggu APBD Perubahan.")

    # The supervisor (who grants extensions on the follow-up page) grants it.
    page.click("form[action='/logout'] button")
    _sign_in(page, live_server, "supervisor@demo.test")
    page.goto(f"{live_server}/deadlines/recommendations/{rec_ids[2]}")
    old_due = page.locator(".due-on").inner_text()
    page.locator(f"#decide-extension-{request.id}").get_by_role("button", name="Kabulkan").click()
    expect(page.locator(".flash-success")).to_contain_text("Keputusan atas permohonan perpanjangan disimpan")
    expect(page.locator(".due-on")).not_to_have_text(old_due)
    expect(page.locator(".explanation")).to_contain_text("Pengadaan kursi menunggu APBD Perubahan.")
    db.session.expire_all()
    new_due = db.session.get(Letter, letter.id).recommendations[2].deadline.due_on
    assert new_due > due_before

    # The contact receives the decision by e-mail and sees the new due date with its explanation.
    mails = _wait_for_mail(page, smtp, 2)
    decision = mails[-1]
    assert decision["To"] == "maria@kupangkota.test"
    assert "dikabulkan" in decision["Subject"]
    assert format_long_date(new_due, "id") in decision.get_content()
    contact.goto(third_url)
    expect(contact.locator("#portal-due-on")).to_have_text(format_long_date(new_due, "id"))
    expect(contact.locator("#portal-explanation")).to_contain_text("Pengadaan kursi menunggu APBD Perubahan.")
    expect(contact.locator(".extension-status")).to_have_text("Dikabulkan")
    phone.close()
    office.close()
