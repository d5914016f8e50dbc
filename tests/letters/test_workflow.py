"""Drafting from an inspection, editing with a preview, and the review workflow with its refusals."""

from __future__ import annotations

from letter_testing import flashes
from sqlalchemy import func, select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterCounter
from ombudsman.seed import seed_demo


def letter_page(browser, letter_id: int) -> str:
    return browser.get(f"/letters/{letter_id}").get_data(as_text=True)


# ---- drafting ----


def test_demo_seed_has_the_two_draft_letters(demo, letters):
    kota, ditjen = letters.kota, letters.ditjen
    assert kota.status.value == ditjen.status.value == "draft"
    assert kota.recipient_line_list == ["Wali Kota Kupang", "di Kupang"]
    assert ditjen.recipient_line_list == ["Direktur Jenderal Kependudukan dan Pencatatan Sipil", "di Jakarta"]
    assert [r.text[:20] for r in kota.recommendations] == [
        r.text[:20] for r in sorted(kota.recommendations, key=lambda r: r.position)
    ]
    assert {r.authority_id for r in kota.recommendations} == {demo.pemkot.id}
    assert len(kota.recommendations) == 7 and len(ditjen.recommendations) == 3
    assert kota.signatory_name == "Darius Beda Daton"
    # Tembusan: head office, then the inspected Dinas (Wali Kota) or the Ministry above the Dirjen.
    assert [c.text or c.authority.name for c in kota.copies] == [
        "Ketua Ombudsman Republik Indonesia di Jakarta",
        demo.dinas.name,
    ]
    assert [c.text or c.authority.name for c in ditjen.copies] == [
        "Ketua Ombudsman Republik Indonesia di Jakarta",
        demo.dinas.name,
        demo.kemendagri.name,
    ]


def test_seeding_again_adds_no_letters(demo):
    seed_demo()
    db.session.commit()
    assert db.session.scalar(select(func.count(Letter.id))) == 2


def test_susun_surat_button_drafts_one_letter_per_addressee(demo, login):
    db.session.execute(Letter.__table__.delete())
    db.session.commit()
    inspector = login("inspector@demo.test")
    page = inspector.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    assert "Susun surat" in page
    response = inspector.post(f"/letters/from-inspection/{demo.inspection.id}")
    assert response.status_code == 303
    assert f"/letters/?inspection_id={demo.inspection.id}" in response.headers["Location"]
    rows = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert [r.recipient_line_list[0] for r in rows] == [
        "Wali Kota Kupang",
        "Direktur Jenderal Kependudukan dan Pencatatan Sipil",
    ]
    # Pressing it again drafts nothing new and says why.
    inspector.post(f"/letters/from-inspection/{demo.inspection.id}")
    assert db.session.scalar(select(func.count(Letter.id))) == 2
    listing = inspector.get("/letters/").get_data(as_text=True)
    assert any("sudah ada" in text for _c, text in flashes(listing))


def test_viewer_sees_no_drafting_button_and_is_refused(demo, login):
    viewer = login("viewer@demo.test")
    assert "Susun surat" not in viewer.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    assert viewer.post(f"/letters/from-inspection/{demo.inspection.id}").status_code == 403


def test_editing_a_draft_is_audited_and_keeps_input_on_error(demo, letters, login):
    inspector = login("inspector@demo.test")
    form = inspector.get(f"/letters/{letters.kota.id}/edit")
    assert form.status_code == 200
    assert 'id="letter-preview"' in form.get_data(as_text=True)
    rec_ids = [r.id for r in letters.kota.recommendations]
    data = {
        "kind": "saran",
        "authority_id": str(demo.pemkot.id),
        "recipient_lines": "Wali Kota Kupang\ndi Kupang",
        "hal": "",
        "sifat": "Penting",
        "lampiran": "1 (satu) berkas",
        "place": "Kupang",
        "opening": "Pembuka baru",
        "closing": "Penutup",
        "signatory_title": "Kepala Perwakilan",
        "signatory_name": "Darius Beda Daton",
        "recommendation_ids": [str(i) for i in rec_ids[:3]],
        "copies-0-authority_id": "",
        "copies-0-text": "Ketua Ombudsman Republik Indonesia di Jakarta",
        "copies-1-authority_id": str(demo.pemprov.id),
        "copies-1-text": "",
    }
    refused = inspector.post(f"/letters/{letters.kota.id}/edit", data=data)
    assert refused.status_code == 422
    assert "Pembuka baru" in refused.get_data(as_text=True)
    assert db.session.get(Letter, letters.kota.id).opening != "Pembuka baru"

    saved = inspector.post(f"/letters/{letters.kota.id}/edit", data={**data, "hal": "Hal baru"})
    assert saved.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert (letter.hal, letter.sifat, letter.opening) == ("Hal baru", "Penting", "Pembuka baru")
    assert [r.id for r in letter.recommendations] == rec_ids[:3]
    assert [(c.authority_id, c.text) for c in letter.copies] == [
        (None, "Ketua Ombudsman Republik Indonesia di Jakarta"),
        (demo.pemprov.id, ""),
    ]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "letter", AuditEvent.action == "updated")
    )
    assert event.changes["hal"][1] == "Hal baru"
    assert event.changes["recommendation_ids"] == [rec_ids, rec_ids[:3]]


def test_live_preview_renders_unsaved_values_and_saves_nothing(demo, letters, login):
    inspector = login("inspector@demo.test")
    saved = inspector.get(f"/letters/{letters.kota.id}/preview")
    assert saved.status_code == 200
    assert "default-src 'none'" in saved.headers["Content-Security-Policy"]
    assert "Wali Kota Kupang" in saved.get_data(as_text=True)
    live = inspector.post(
        f"/letters/{letters.kota.id}/preview",
        data={
            "kind": "saran",
            "authority_id": str(demo.pemkot.id),
            "recipient_lines": "Wali Kota Kupang\ndi Kupang",
            "hal": "Hal yang belum disimpan",
            "sifat": "Biasa",
            "signatory_title": "Kepala Perwakilan",
            "signatory_name": "Darius Beda Daton",
            "recommendation_ids": [str(letters.kota.recommendations[0].id)],
        },
    )
    assert live.status_code == 200
    html = live.get_data(as_text=True)
    assert "Hal yang belum disimpan" in html
    assert letters.kota.recommendations[0].text in html
    assert letters.kota.recommendations[1].text not in html
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.hal != "Hal yang belum disimpan"
    assert len(letter.recommendations) == 7


def test_draft_pdf_preview_is_watermarked_and_never_stored(demo, letters, login):
    from letter_testing import pdf_text

    response = login("viewer@demo.test").get(f"/letters/{letters.kota.id}/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.get_data())
    assert "DRAF" in text and "Nomor : ........ (draf)" in text
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.pdf is None and letter.pdf_sha256 is None


# ---- the workflow and its refusals ----


def test_buttons_follow_the_role_and_the_state(demo, letters, login, workflow):
    lid = letters.kota.id
    assert "Ajukan untuk diperiksa" in letter_page(workflow.inspector, lid)
    assert "Ajukan untuk diperiksa" not in letter_page(login("viewer@demo.test"), lid)
    workflow.inspector.post(f"/letters/{lid}/submit")
    assert "Setujui" not in letter_page(workflow.inspector, lid)
    assert "Setujui" in letter_page(workflow.supervisor, lid)
    workflow.supervisor.post(f"/letters/{lid}/approve")
    assert "Terbitkan" not in letter_page(workflow.supervisor, lid)
    assert "Terbitkan" in letter_page(workflow.head, lid)


def test_issuing_without_approval_is_refused(demo, letters, workflow):
    response = workflow.head.post(f"/letters/{letters.kota.id}/issue")
    assert response.status_code == 303
    messages = flashes(letter_page(workflow.head, letters.kota.id))
    assert (
        "error",
        "Surat belum disetujui; surat harus disetujui supervisor atau Kepala sebelum terbit.",
    ) in (messages)
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status.value == "draft" and letter.number is None
    assert db.session.scalar(select(func.count()).select_from(LetterCounter)) == 0


def test_issuing_by_a_non_head_is_refused_with_a_reason(demo, letters, workflow, login):
    workflow.approve(letters.kota.id)
    for who in (workflow.supervisor, workflow.inspector):
        response = who.post(f"/letters/{letters.kota.id}/issue")
        assert response.status_code == 403
        assert "Hanya Kepala Perwakilan yang dapat menerbitkan surat." in response.get_data(as_text=True)
    assert login("viewer@demo.test").post(f"/letters/{letters.kota.id}/issue").status_code == 403
    assert db.session.get(Letter, letters.kota.id).status.value == "approved"


def test_issuing_twice_is_refused(demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    number, sha = letter.number, letter.pdf_sha256
    assert workflow.head.post(f"/letters/{letter.id}/issue").status_code == 303
    assert any(
        f"sudah diterbitkan dengan nomor {number}" in text
        for _c, text in flashes(letter_page(workflow.head, letter.id))
    )
    letter = db.session.get(Letter, letter.id)
    assert (letter.number, letter.pdf_sha256) == (number, sha)
    assert db.session.scalar(select(LetterCounter.last_sequence)) == 1


def test_a_letter_without_recommendations_cannot_be_submitted_or_issued(demo, letters, workflow):
    letter = db.session.get(Letter, letters.ditjen.id)
    letter.links = []
    db.session.commit()
    workflow.inspector.post(f"/letters/{letter.id}/submit")
    assert db.session.get(Letter, letter.id).status.value == "draft"
    assert any(
        "belum memuat rekomendasi" in t for _c, t in flashes(letter_page(workflow.inspector, letter.id))
    )
    # Forced into the approved state, issuing still refuses.
    letter = db.session.get(Letter, letter.id)
    letter.status = letter.status.APPROVED
    db.session.commit()
    workflow.head.post(f"/letters/{letter.id}/issue")
    assert any(
        "Surat tanpa rekomendasi tidak dapat diterbitkan." in t
        for _c, t in flashes(letter_page(workflow.head, letter.id))
    )
    assert db.session.get(Letter, letter.id).number is None


def test_approval_needs_a_reviewer_and_a_letter_in_review(demo, letters, workflow):
    lid = letters.kota.id
    workflow.supervisor.post(f"/letters/{lid}/approve")  # still a draft
    assert db.session.get(Letter, lid).status.value == "draft"
    workflow.inspector.post(f"/letters/{lid}/submit")
    response = workflow.inspector.post(f"/letters/{lid}/approve")
    assert response.status_code == 403
    assert "Hanya supervisor atau Kepala Perwakilan" in response.get_data(as_text=True)
    assert db.session.get(Letter, lid).status.value == "in_review"


def test_in_review_only_reviewers_edit_and_approved_letters_are_locked(demo, letters, workflow):
    lid = letters.kota.id
    workflow.inspector.post(f"/letters/{lid}/submit")
    assert workflow.inspector.get(f"/letters/{lid}/edit").status_code == 403
    assert workflow.supervisor.get(f"/letters/{lid}/edit").status_code == 200
    workflow.supervisor.post(f"/letters/{lid}/approve")
    # An approved letter is locked for everyone: a state conflict (409) with the reason, as in the API.
    locked = workflow.supervisor.get(f"/letters/{lid}/edit")
    assert locked.status_code == 409
    assert "tidak dapat diubah" in locked.get_data(as_text=True)
    # Returning it to draft unlocks it for the drafters again, with the note audited.
    workflow.head.post(f"/letters/{lid}/return", data={"note": "Perbaiki hal"})
    assert db.session.get(Letter, lid).status.value == "draft"
    assert workflow.inspector.get(f"/letters/{lid}/edit").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "returned"))
    assert event.changes == {"status": ["approved", "draft"], "note": "Perbaiki hal"}


def test_another_offices_letter_is_a_404(demo, letters, login):
    from ombudsman.accounts import services as accounts
    from ombudsman.accounts.models import Office

    other = Office(name="Ombudsman RI Perwakilan Bali", province="Bali")
    db.session.add(other)
    db.session.flush()
    accounts.create_user(
        email="head@bali.test", name="Kepala Bali", role="head", office=other, password="demo"
    )
    db.session.commit()
    outsider = login("head@bali.test")
    for url in (f"/letters/{letters.kota.id}", f"/letters/{letters.kota.id}/preview.pdf"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/letters/{letters.kota.id}/issue").status_code == 404
    assert "Wali Kota" not in outsider.get("/letters/").get_data(as_text=True)


def test_workflow_endpoints_need_csrf(demo, letters, login):
    inspector = login("inspector@demo.test")
    assert inspector.client.post(f"/letters/{letters.kota.id}/submit").status_code == 400
    assert db.session.get(Letter, letters.kota.id).status.value == "draft"


def test_every_letter_page_renders_for_every_role(demo, letters, workflow, login):
    issued = workflow.issue(letters.kota.id)
    pages = [
        "/letters/",
        "/letters/?status=draft&kind=saran&year=2018&q=x",
        f"/letters/{issued.id}",
        f"/letters/{issued.id}/preview",
        f"/letters/{letters.ditjen.id}",
        f"/letters/{letters.ditjen.id}/preview",
    ]
    admin, viewer = login("admin@demo.test"), login("viewer@demo.test")
    browsers = {"admin": admin, "viewer": viewer}
    browsers.update(inspector=workflow.inspector, supervisor=workflow.supervisor, head=workflow.head)
    for role, browser in browsers.items():
        for url in pages:
            response = browser.get(url)
            assert response.status_code == 200, (role, url, response.get_data(as_text=True)[:1000])
    assert admin.get("/settings/letters").status_code == 200
    assert 'href="/letters/"' in viewer.get("/").get_data(as_text=True)
