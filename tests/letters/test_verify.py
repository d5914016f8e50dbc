"""The public verification page, delivery and receipt, the register with its CSV and XLSX, and the CLI."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest
from letter_testing import pdf_text
from sqlalchemy import select

from ombudsman import clock
from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.letters.models import Letter


@pytest.fixture
def issued(demo, letters, workflow) -> Letter:
    """The Kupang letter, issued."""
    return workflow.issue(letters.kota.id)


def anonymous_token(client) -> str:
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


# ---- verification ----


def test_verification_page_is_public_and_shows_facts_not_body(client, issued):
    response = client.get(f"/verify/{issued.verify_token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "SAH" in html
    for fact in (issued.number, issued.pdf_sha256, "Wali Kota Kupang", issued.hal):
        assert fact in html
    assert issued.opening[:40] not in html
    for rec in issued.recommendations:
        assert rec.text not in html
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_unknown_or_draft_tokens_are_404(client, demo, letters, issued):
    assert client.get("/verify/not-a-real-token").status_code == 404
    assert client.get("/verify/" + "x" * 300).status_code == 404


def test_short_code_lookup_leads_to_the_verification_page(client, issued):
    response = client.get(f"/verify/?code={issued.short_code.lower().replace('-', '')}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verify/{issued.verify_token}")
    assert client.get("/verify/?code=AAAA-AAAA").status_code == 404


def test_uploading_the_issued_pdf_matches(client, issued):
    token = anonymous_token(client)
    response = client.post(
        f"/verify/{issued.verify_token}",
        data={"csrf_token": token, "file": (io.BytesIO(issued.pdf), "surat.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "COCOK: berkas ini sama persis" in html


def test_a_tampered_pdf_is_reported_as_not_matching(client, issued):
    tampered = issued.pdf.replace(b"/Title (", b"/Title (X", 1)
    if tampered == issued.pdf:  # metadata may be encoded differently; flip one byte instead
        middle = len(issued.pdf) // 2
        tampered = issued.pdf[:middle] + bytes([issued.pdf[middle] ^ 1]) + issued.pdf[middle + 1 :]
    for upload in (tampered, issued.pdf + b"\n", issued.pdf[:-1]):
        response = client.post(
            f"/verify/{issued.verify_token}",
            data={"csrf_token": anonymous_token(client), "file": (io.BytesIO(upload), "surat.pdf")},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert "TIDAK COCOK" in html
        assert hashlib.sha256(upload).hexdigest() in html


def test_verification_upload_needs_csrf_and_a_file(client, issued):
    no_token = client.post(
        f"/verify/{issued.verify_token}",
        data={"file": (io.BytesIO(issued.pdf), "surat.pdf")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400
    no_file = client.post(f"/verify/{issued.verify_token}", data={"csrf_token": anonymous_token(client)})
    assert no_file.status_code == 422


def test_verification_upload_is_size_limited(client, issued, monkeypatch):
    from ombudsman.letters import verify_views

    monkeypatch.setattr(verify_views, "VERIFY_MAX_BYTES", 1000)
    response = client.post(
        f"/verify/{issued.verify_token}",
        data={"csrf_token": anonymous_token(client), "file": (io.BytesIO(issued.pdf), "surat.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "terlalu besar" in response.get_data(as_text=True)


# ---- delivery and receipt ----


def post_delivery(browser, letter_id, **fields):
    data = {"method": "hand", "delivered_on": "", "received_on": "", "note": "", "correction_reason": ""}
    data.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()})
    return browser.post(f"/letters/{letter_id}/delivery", data=data)


def test_delivery_and_receipt_are_recorded_once(issued, workflow, monkeypatch):
    today = issued.letter_date + timedelta(days=5)
    monkeypatch.setenv("OMBUDSMAN_TODAY", today.isoformat())
    response = post_delivery(
        workflow.inspector, issued.id, delivered_on=issued.letter_date, received_on=today, note="Diterima"
    )
    assert response.status_code == 303
    letter = db.session.get(Letter, issued.id)
    assert (letter.delivery_method.value, letter.received_on) == ("hand", today)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delivery"))
    assert event.changes["received_on"] == [None, today.isoformat()]
    # Recording the receipt date a second time (another date) is refused for anyone but a supervisor.
    again = post_delivery(
        workflow.inspector, issued.id, delivered_on=issued.letter_date, received_on=today - timedelta(days=1)
    )
    assert again.status_code == 403
    assert "koreksinya hanya oleh supervisor" in again.get_data(as_text=True)
    assert db.session.get(Letter, issued.id).received_on == today


def test_receipt_date_checks(issued, workflow):
    today = clock.today("Asia/Makassar")
    before_issue = post_delivery(
        workflow.inspector, issued.id, delivered_on=today, received_on=issued.letter_date - timedelta(days=1)
    )
    assert before_issue.status_code == 422
    assert "tidak boleh sebelum tanggal surat" in before_issue.get_data(as_text=True)
    future = post_delivery(
        workflow.inspector, issued.id, delivered_on=today, received_on=today + timedelta(days=1)
    )
    assert future.status_code == 422
    assert "Tanggal harus antara" in future.get_data(as_text=True)  # not in the future: the date's bound
    assert db.session.get(Letter, issued.id).received_on is None


def test_supervisor_corrects_the_receipt_date_with_a_reason(issued, workflow, monkeypatch):
    later = issued.letter_date + timedelta(days=3)
    monkeypatch.setenv("OMBUDSMAN_TODAY", (later + timedelta(days=10)).isoformat())
    post_delivery(workflow.inspector, issued.id, delivered_on=issued.letter_date, received_on=later)
    corrected = later - timedelta(days=1)
    without_reason = post_delivery(
        workflow.supervisor, issued.id, delivered_on=issued.letter_date, received_on=corrected
    )
    assert without_reason.status_code == 422
    assert "alasan koreksi" in without_reason.get_data(as_text=True)
    ok = post_delivery(
        workflow.supervisor,
        issued.id,
        delivered_on=issued.letter_date,
        received_on=corrected,
        correction_reason="Tanda terima menunjukkan tanggal lebih awal",
    )
    assert ok.status_code == 303
    assert db.session.get(Letter, issued.id).received_on == corrected
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "received_on_corrected"))
    assert event.changes["received_on"] == [later.isoformat(), corrected.isoformat()]
    assert event.changes["reason"] == "Tanda terima menunjukkan tanggal lebih awal"


def test_delivery_of_a_draft_is_refused(demo, letters, workflow):
    response = post_delivery(workflow.inspector, letters.ditjen.id, delivered_on=date(2018, 8, 1))
    assert response.status_code == 422
    assert db.session.get(Letter, letters.ditjen.id).delivered_on is None


# ---- the register, CSV and CLI ----


def test_register_lists_and_filters_letters(issued, workflow, login):
    viewer = login("viewer@demo.test")
    html = viewer.get("/letters/").get_data(as_text=True)
    assert issued.number in html and "Direktur Jenderal" in html
    only_issued = viewer.get("/letters/?status=issued").get_data(as_text=True)
    assert issued.number in only_issued and "Direktur Jenderal" not in only_issued
    by_text = viewer.get(f"/letters/?q={issued.number[:3]}&year={issued.year}").get_data(as_text=True)
    assert issued.number in by_text


def test_register_page_query_count_does_not_grow_with_rows(issued, login, count_queries, demo):
    from ombudsman.letters import drafting
    from ombudsman.letters.commands import NewLetter

    viewer = login("viewer@demo.test")
    viewer.get("/letters/")
    with count_queries() as few:
        viewer.get("/letters/")
    kota = db.session.get(Letter, issued.id)
    for _ in range(4):
        drafting.create(
            demo.office,
            demo.users["inspector"],
            NewLetter(authority_id=kota.authority_id, hal="Permintaan klarifikasi", kind="klarifikasi"),
        )
    db.session.commit()
    with count_queries() as more:
        viewer.get("/letters/")
    assert more.count == few.count


def test_register_exports_csv(issued, login):
    response = login("viewer@demo.test").get("/letters/export.csv?status=issued")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=register-surat-keluar.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Nomor", "Tanggal", "Kepada", "Hal", "Jenis", "Status"]
    assert rows[1][0] == issued.number
    assert rows[1][1] == issued.letter_date.isoformat()
    assert rows[1][2] == "Wali Kota Kupang di Kupang"
    assert rows[1][4:6] == ["Saran perbaikan", "Terbit"]  # labels, not codes
    assert rows[1][8] == issued.pdf_sha256
    assert len(rows) == 2


def test_register_exports_xlsx_with_typed_cells_and_labels_in_english(issued, login):
    from openpyxl import load_workbook

    viewer = login("viewer@demo.test")
    viewer.get("/lang/en")
    response = viewer.get("/letters/export.xlsx?status=issued")
    assert response.headers["Content-Disposition"] == "attachment; filename=register-surat-keluar.xlsx"
    sheet = load_workbook(io.BytesIO(response.data)).active

    number, day, _to, _hal, kind, status, *_ = sheet[2]
    assert (number.value, number.data_type) == (issued.number, "s")
    assert day.is_date and day.value.date() == issued.letter_date
    assert (kind.value, status.value) == ("Improvement suggestions (saran)", "Issued")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I2"
    assert all(dim.width for dim in sheet.column_dimensions.values())


def test_register_cells_cannot_become_formulas(app, demo, letters, login):
    from openpyxl import load_workbook

    letter = db.session.get(Letter, letters.kota.id)
    letter.hal = '=HYPERLINK("http://evil.example","klik")'
    db.session.commit()
    viewer = login("viewer@demo.test")

    rows = list(csv.reader(io.StringIO(viewer.get("/letters/export.csv").get_data(as_text=True)[1:])))
    sheet = load_workbook(io.BytesIO(viewer.get("/letters/export.xlsx").data)).active

    [kota] = [r for r in rows if r[3].endswith('"klik")')]
    assert kota[3] == '\'=HYPERLINK("http://evil.example","klik")'
    [cell] = [c for c in sheet["D"] if c.value == letter.hal]
    assert cell.data_type == "s"


def test_cli_renders_draft_and_writes_the_stored_copy_of_an_issued_letter(runner, letters, issued, tmp_path):
    out = tmp_path / "issued.pdf"
    result = runner.invoke(args=["letters", "render", str(issued.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == issued.pdf
    draft_out = tmp_path / "draft.pdf"
    result = runner.invoke(args=["letters", "render", str(letters.ditjen.id), "--out", str(draft_out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(draft_out.read_bytes())
    assert "DRAF" in text and "Direktur Jenderal Kependudukan dan Pencatatan Sipil" in text
    assert runner.invoke(args=["letters", "render", "999", "--out", str(tmp_path / "x.pdf")]).exit_code != 0


def test_a_secret_letters_subject_is_not_shown_publicly(client, demo, letters, workflow):
    letter = db.session.get(Letter, letters.ditjen.id)
    letter.sifat = "Rahasia"
    db.session.commit()
    issued = workflow.issue(letter.id)
    html = client.get(f"/verify/{issued.verify_token}").get_data(as_text=True)
    assert issued.number in html and issued.pdf_sha256 in html
    assert issued.hal not in html and "(dirahasiakan)" in html


def test_the_language_links_come_back_to_the_public_page_without_a_referrer(client, issued):
    """The verification page sends no referrer: its EN link carries the page itself, not the staff login."""
    import html
    import re

    page = client.get(f"/verify/{issued.verify_token}").get_data(as_text=True)
    link = html.unescape(re.search(r'<a href="([^"]*/lang/en[^"]*)"', page).group(1))
    response = client.get(link)  # the test client sends no Referer
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verify/{issued.verify_token}")
    english = client.get(response.headers["Location"])
    assert english.status_code == 200 and '<html lang="en">' in english.get_data(as_text=True)
    # Only a path on this site: anything else goes to the dashboard.
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/", "/\t/evil.example/"):
        response = client.get("/lang/id", query_string={"next": elsewhere})
        # A control character is refused outright by the app's input check (400); the rest go home.
        assert response.status_code in (303, 400), elsewhere
        assert "evil" not in response.headers.get("Location", ""), elsewhere
