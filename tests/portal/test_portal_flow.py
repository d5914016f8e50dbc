"""The portal through its pages: delivery e-mail, single-use link, receipt on first opening, responses with
evidence, an extension request granted by the office, and the e-mails that tell the authority."""

from __future__ import annotations

import io
import re

from portal_testing import PortalBrowser, link_in
from pypdf import PdfReader

from ombudsman import clock
from ombudsman.dates import format_long_date
from ombudsman.deadlines.models import EventKind, FollowUpEvent
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal.models import ExtensionRequest, LetterReceipt, PortalResponse


def _open_link(app, url: str):
    b = PortalBrowser(app.test_client())
    path = url.split("pelacak.test", 1)[1]
    assert b.get(path).status_code == 200  # the page asks for one press: opening spends nothing
    return b, path, b.post(path)


def test_delivery_link_opens_the_letter_once_and_records_the_receipt(app, demo, kupang_letter, smtp):
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "maria@kupangkota.test"
    assert kupang_letter.number in mail["Subject"]
    b, path, response = _open_link(app, link_in(mail))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/letters/{kupang_letter.id}")
    page = b.get(f"/portal/letters/{kupang_letter.id}").get_data(as_text=True)
    assert kupang_letter.number in page
    today = clock.today(demo.office.timezone)
    receipt = db.session.query(LetterReceipt).one()
    assert receipt.received_on == today and receipt.applied
    letter = db.session.get(Letter, kupang_letter.id)
    assert letter.received_on == today
    assert all(rec.deadline is not None for rec in letter.recommendations)
    # Single use: the same link a second time signs nobody in.
    again = PortalBrowser(app.test_client())
    assert again.post(path).status_code == 410
    pdf = b.get(f"/portal/letters/{kupang_letter.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == letter.pdf
    assert "Ombudsman" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)


def test_responses_and_extension_reach_the_office_and_back(
    app, demo, kupang_letter, smtp, portal_login, login, png_bytes
):
    maria = portal_login("maria@kupangkota.test")
    assert maria.get(f"/portal/letters/{kupang_letter.id}").status_code == 200  # receipt: clocks start
    recs = db.session.get(Letter, kupang_letter.id).recommendations
    first = recs[0]
    response = maria.post(
        f"/portal/recommendations/{first.id}/response",
        data={
            "status": "implemented",
            "text": "Loket sudah dipindah ke lantai dasar.",
            "evidence": (io.BytesIO(png_bytes), "loket.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    answer = db.session.query(PortalResponse).one()
    assert answer.event.kind is EventKind.RESPONSE and answer.event.user_id is None
    assert [f.original_filename for f in answer.event.files] == ["loket.png"]
    # The office sees it on the follow-up page.
    supervisor = login("supervisor@demo.test")
    page = supervisor.get(f"/deadlines/recommendations/{first.id}").get_data(as_text=True)
    assert "Loket sudah dipindah ke lantai dasar." in page and "loket.png" in page

    due = db.session.get(type(first), first.id).deadline.due_on
    proposed = due.replace(year=due.year + 1) if due.month != 2 or due.day != 29 else due.replace(day=28)
    asked = maria.post(
        f"/portal/recommendations/{first.id}/extension",
        data={"proposed_due_on": proposed.isoformat(), "reason": "Anggaran baru tersedia tahun depan."},
    )
    assert asked.status_code == 303, asked.get_data(as_text=True)[:2000]
    request = db.session.query(ExtensionRequest).one()
    page = supervisor.get(f"/deadlines/recommendations/{first.id}").get_data(as_text=True)
    assert "Anggaran baru tersedia tahun depan." in page
    days = re.search(r'name="days"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="days"', page
    )
    assert days, page
    granted = supervisor.post(
        f"/deadlines/extension-requests/{request.id}/grant", data={"days": days.group(1), "note": ""}
    )
    assert granted.status_code == 303
    db.session.expire_all()
    request = db.session.get(ExtensionRequest, request.id)
    assert request.status.value == "granted"
    deadline = db.session.get(type(first), first.id).deadline
    assert deadline.due_on > due
    extended = db.session.get(FollowUpEvent, request.event_id)
    assert extended.kind is EventKind.EXTENDED and extended.new_due_on == deadline.due_on
    # Stored: the authority's words alone and the date they asked; the words around them are said in the
    # reader's language when shown. The office wrote no note, so there is none.
    assert extended.note == "Anggaran baru tersedia tahun depan."
    assert extended.requested_on == request.requested_on and request.decision_note == ""
    assert deadline.explanation_facts[-1]["requested_on"] == request.requested_on.isoformat()
    asked_on = format_long_date(request.requested_on, "id")
    assert (
        f"atas permohonan instansi tanggal {asked_on}: \u201cAnggaran baru tersedia tahun depan.\u201d"
        in deadline.explanation
    )
    timeline = supervisor.get(f"/deadlines/recommendations/{first.id}").get_data(as_text=True)
    assert f"Atas permohonan instansi tanggal {asked_on}; alasannya:" in timeline
    mails = smtp.inbox.wait_for(2)
    decision = mails[-1]
    assert decision["To"] == "maria@kupangkota.test"
    assert "dikabulkan" in decision["Subject"]
    assert "Catatan kantor" not in decision.get_content()
    portal_page = maria.get(f"/portal/recommendations/{first.id}").get_data(as_text=True)
    assert "Dikabulkan" in portal_page


def test_the_responsible_inspector_reads_the_portal_news_in_the_digest_once(
    app, demo, kupang_letter, smtp, portal_login, runner, png_bytes
):
    smtp.inbox.wait_for(1)  # the delivery
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = db.session.get(Letter, kupang_letter.id).recommendations[0]
    answered = maria.post(
        f"/portal/recommendations/{rec.id}/response",
        data={"status": "not_yet", "text": "Menunggu anggaran perubahan."},
    )
    assert answered.status_code == 303
    due = rec.deadline.due_on
    asked = maria.post(
        f"/portal/recommendations/{rec.id}/extension",
        data={
            "proposed_due_on": due.replace(year=due.year + 1, day=min(due.day, 28)).isoformat(),
            "reason": "Anggaran.",
        },
    )
    assert asked.status_code == 303
    first = runner.invoke(args=["deadlines", "remind"])
    assert first.exit_code == 0, first.output
    digests = {m["To"]: m for m in smtp.inbox.messages[1:]}
    author = rec.created_by.email
    assert author in digests and "supervisor@demo.test" in digests
    body = digests[author].get_content()
    assert "Dari portal instansi (2)" in body
    assert "Tanggapan: Belum dilaksanakan" in body
    assert "Permohonan perpanjangan sampai" in body
    assert f"https://pelacak.test/deadlines/recommendations/{rec.id}" in body
    assert "kabar dari portal instansi" in digests[author]["Subject"]
    count = len(smtp.inbox.messages)
    second = runner.invoke(args=["deadlines", "remind"])
    assert second.exit_code == 0
    assert all("portal" not in m.get_content() for m in smtp.inbox.messages[count:])
