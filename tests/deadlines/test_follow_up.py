"""Following a recommendation up through the web pages: received date, responses, outcome, extensions."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office
from ombudsman.audit.models import AuditEvent
from ombudsman.deadlines.models import Deadline, EventKind, FileRole, FollowUpEvent, FollowUpFile
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation, RecommendationStatus

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")


def _deadline(rec_id: int) -> Deadline | None:
    return db.session.scalar(select(Deadline).where(Deadline.recommendation_id == rec_id))


def test_head_records_the_received_date_on_the_recommendation_page(demo, recs, login, letter, paper_letters):
    head = login("head@demo.test")
    rec = recs["pemkot"][0]

    page = head.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "Catat tanggal diterima" in page
    response = head.post(
        f"/deadlines/recommendations/{rec.id}/received",
        {"issued_on": "2018-07-31", "received_on": "2018-08-06"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/deadlines/recommendations/{rec.id}")
    assert _deadline(rec.id).due_on == letter.due
    shown = head.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "20 September 2018" in shown
    assert (
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan)" in shown
    )
    assert "Catat tanggal diterima" not in shown
    assert "sisa 26 hari kerja" in shown  # from Friday 10 August


@pytest.mark.parametrize("email", ["inspector@demo.test", "viewer@demo.test", "admin@demo.test"])
def test_only_supervisor_or_head_records_the_received_date(demo, recs, login, email):
    user = login(email)
    rec = recs["pemkot"][0]

    assert "Catat tanggal diterima" not in user.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    response = user.post(f"/deadlines/recommendations/{rec.id}/received", {"received_on": "2018-08-06"})

    assert response.status_code == 403
    assert _deadline(rec.id) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issued_on": "2018-07-31", "received_on": "2018-07-30"}, "tidak boleh sebelum tanggal surat"),
        (
            {"issued_on": "2018-07-31", "received_on": "2018-08-11"},
            "Tanggal harus antara 1 Januari 2000 dan 10 Agustus 2018",
        ),
        ({"issued_on": "2018-07-31", "received_on": ""}, "Kolom ini wajib diisi"),
    ],
)
def test_bad_received_dates_are_shown_again_with_the_input(demo, recs, login, data, message, paper_letters):
    head = login("head@demo.test")
    rec = recs["pemkot"][0]

    response = head.post(f"/deadlines/recommendations/{rec.id}/received", data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="2018-07-31"' in page
    assert _deadline(rec.id) is None


def test_a_second_received_date_is_refused_but_a_supervisor_can_correct_it(
    demo, paper_letters, started, login
):
    rec_id = started[0].recommendation_id
    head = login("head@demo.test")

    again = head.post(f"/deadlines/recommendations/{rec_id}/received", {"received_on": "2018-08-07"})
    assert again.status_code == 422
    assert "sudah tercatat (6 Agustus 2018)" in again.get_data(as_text=True)

    supervisor = login("supervisor@demo.test")
    no_reason = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/received/correct", {"received_on": "2018-08-07", "reason": ""}
    )
    assert no_reason.status_code == 422
    corrected = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/received/correct",
        {"issued_on": "2018-07-31", "received_on": "2018-08-07", "reason": "Tanda terima dibaca ulang"},
    )
    assert corrected.status_code == 303
    assert _deadline(rec_id).due_on == date(2018, 9, 21)
    assert (
        login("inspector@demo.test")
        .post(
            f"/deadlines/recommendations/{rec_id}/received/correct",
            {"received_on": "2018-08-08", "reason": "x"},
        )
        .status_code
        == 403
    )


def test_response_with_reply_letter_and_evidence(demo, started, login, png_bytes, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-03")
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")

    response = inspector.post(
        f"/deadlines/recommendations/{rec_id}/response",
        {
            "responded_on": "2018-08-31",
            "summary": "Pemkot menambah dua loket mulai September.",
            "reply_letter": (io.BytesIO(PDF), "balasan-walikota.pdf"),
            "evidence": [(io.BytesIO(png_bytes), "loket-baru.png")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    rec = db.session.get(Recommendation, rec_id)
    assert rec.status is RecommendationStatus.IN_PROGRESS
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RESPONSE))
    assert (event.occurred_on, event.note) == (
        date(2018, 8, 31),
        "Pemkot menambah dua loket mulai September.",
    )
    files = {f.role: f for f in event.files}
    assert files[FileRole.REPLY_LETTER].original_filename == "balasan-walikota.pdf"
    assert files[FileRole.EVIDENCE].thumbnail_key is not None
    download = inspector.get(f"/deadlines/files/{files[FileRole.REPLY_LETTER].id}")
    assert download.status_code == 200
    assert download.data == PDF
    download.close()
    page = inspector.get(f"/deadlines/recommendations/{rec_id}").get_data(as_text=True)
    assert "Pemkot menambah dua loket mulai September." in page
    assert "balasan-walikota.pdf" in page


def test_reply_letter_must_be_a_pdf(demo, started, login, png_bytes):
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")

    response = inspector.post(
        f"/deadlines/recommendations/{rec_id}/response",
        {
            "responded_on": "2018-08-09",
            "summary": "Balasan",
            "reply_letter": (io.BytesIO(png_bytes), "a.png"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Surat balasan harus berupa PDF." in response.get_data(as_text=True)
    assert db.session.scalar(select(FollowUpFile.id)) is None


def test_closing_needs_evidence_or_a_reason_then_sets_met_or_late(demo, started, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-28")
    supervisor = login("supervisor@demo.test")
    on_time, late = (d.recommendation_id for d in started[:2])

    bare = supervisor.post(
        f"/deadlines/recommendations/{on_time}/outcome", {"status": "implemented", "closed_on": "2018-09-20"}
    )
    assert bare.status_code == 422
    assert "Menutup rekomendasi memerlukan bukti atau alasan." in bare.get_data(as_text=True)

    for rec_id, day in ((on_time, "2018-09-20"), (late, "2018-09-21")):
        response = supervisor.post(
            f"/deadlines/recommendations/{rec_id}/outcome",
            {"status": "implemented", "closed_on": day, "note": "Loket tambahan dilihat saat kunjungan."},
        )
        assert response.status_code == 303

    assert _deadline(on_time).closed_on == date(2018, 9, 20)
    assert "Tepat waktu" in supervisor.get(f"/deadlines/recommendations/{on_time}").get_data(as_text=True)
    assert "Terlambat" in supervisor.get(f"/deadlines/recommendations/{late}").get_data(as_text=True)
    assert db.session.get(Recommendation, late).status is RecommendationStatus.IMPLEMENTED
    closed = db.session.scalar(  # the on-time one's (two deadlines were closed: no order to rely on)
        select(AuditEvent).where(
            AuditEvent.action == "closed",
            AuditEvent.entity_type == "deadline",
            AuditEvent.entity_id == _deadline(on_time).id,
        )
    )
    assert closed.changes["met"] is True


# This branch's RecommendationForm still passes choices as tuples; main has moved it to SelectChoice.
def test_the_generic_edit_form_refuses_to_close_a_running_clock(demo, started, login):
    rec = started[0].recommendation
    supervisor = login("supervisor@demo.test")

    response = supervisor.post(
        f"/recommendations/{rec.id}/edit",
        {
            "finding_ids": [str(f.id) for f in rec.findings],
            "authority_id": str(rec.authority_id),
            "kind": "saran",
            "text": rec.text,
            "status": "implemented",
            "outcome_note": "Sudah",
        },
    )

    assert response.status_code == 422
    assert "halaman tindak lanjut" in response.get_data(as_text=True)


def test_reopen_a_closed_follow_up(demo, started, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-28")
    supervisor = login("supervisor@demo.test")
    rec_id = started[0].recommendation_id
    supervisor.post(
        f"/deadlines/recommendations/{rec_id}/outcome",
        {"status": "not_implemented", "closed_on": "2018-09-27", "note": "Tidak ada perubahan"},
    )

    assert supervisor.post(f"/deadlines/recommendations/{rec_id}/reopen", {"reason": ""}).status_code == 422
    response = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/reopen", {"reason": "Hasil salah dicatat"}
    )

    assert response.status_code == 303
    assert _deadline(rec_id).closed_on is None
    assert db.session.get(Recommendation, rec_id).status is RecommendationStatus.IN_PROGRESS


def test_a_refused_form_the_page_does_not_show_still_says_why(demo, started, login):
    # Reopening a follow-up that is still open: the page has no reopen form to show the error under.
    supervisor = login("supervisor@demo.test")
    rec_id = started[0].recommendation_id
    response = supervisor.post(f"/deadlines/recommendations/{rec_id}/reopen", {"reason": ""})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="flash flash-error" role="alert">Alasan: Membuka kembali wajib disertai alasan.' in page


def test_extension_needs_a_reason(demo, started, login, letter):
    supervisor = login("supervisor@demo.test")
    rec_id = started[0].recommendation_id

    refused = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/extension",
        {"granted_on": "2018-08-10", "days": "10", "reason": ""},
    )
    assert refused.status_code == 422
    assert "Perpanjangan wajib disertai alasan." in refused.get_data(as_text=True)
    assert _deadline(rec_id).due_on == letter.due

    granted = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/extension",
        {"granted_on": "2018-08-10", "days": "10", "reason": "Menunggu anggaran perubahan"},
    )
    assert granted.status_code == 303
    assert _deadline(rec_id).due_on == date(2018, 10, 4)
    assert "Menunggu anggaran perubahan" in supervisor.get(f"/deadlines/recommendations/{rec_id}").get_data(
        as_text=True
    )


def test_stop_and_restart_through_the_pages(demo, started, login, monkeypatch):
    supervisor = login("supervisor@demo.test")
    rec_id = started[0].recommendation_id

    assert (
        supervisor.post(
            f"/deadlines/recommendations/{rec_id}/stop",
            {"stopped_on": "2018-08-10", "reason": "Menunggu klarifikasi"},
        ).status_code
        == 303
    )
    page = supervisor.get(f"/deadlines/recommendations/{rec_id}").get_data(as_text=True)
    assert "penghentian sementara sejak 10 Agustus 2018" in page
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-20")
    assert (
        supervisor.post(
            f"/deadlines/recommendations/{rec_id}/restart",
            {"restarted_on": "2018-08-20", "reason": "Klarifikasi diterima"},
        ).status_code
        == 303
    )
    assert _deadline(rec_id).stopped_on is None
    assert _deadline(rec_id).due_on > date(2018, 9, 20)


def test_reinspection_is_recorded_with_photos(demo, started, login, jpeg_bytes, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-25")
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")

    response = inspector.post(
        f"/deadlines/recommendations/{rec_id}/reinspection",
        {
            "inspected_on": "2018-09-24",
            "result": "partially_implemented",
            "note": "Dua loket baru, antrean masih panjang.",
            "photos": [(io.BytesIO(jpeg_bytes), "loket.jpg")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.REINSPECTION))
    assert (event.result, len(event.files)) == ("partially_implemented", 1)
    thumbnail = inspector.get(f"/deadlines/files/{event.files[0].id}/thumbnail")
    assert (thumbnail.status_code, thumbnail.mimetype) == (200, "image/jpeg")
    thumbnail.close()


def test_another_offices_recommendation_is_not_found(demo, recs, login, started):
    other = Office(name="Perwakilan Lain", province="Bali")
    db.session.add(other)
    db.session.flush()
    accounts.create_user(email="head@other.test", name="Lain", role="head", office=other, password="demo")
    db.session.commit()
    stranger = login("head@other.test")
    rec_id = started[0].recommendation_id

    assert stranger.get(f"/deadlines/recommendations/{rec_id}").status_code == 404
    assert (
        stranger.post(
            f"/deadlines/recommendations/{recs['ditjen'][0].id}/received", {"received_on": "2018-08-06"}
        ).status_code
        == 404
    )
    assert "Dinas" not in stranger.get("/deadlines/").get_data(as_text=True)
    assert _deadline(recs["ditjen"][0].id) is None


def test_in_english_the_deadline_pages_explain_the_due_date_in_english(demo, started, login):
    rec_id = started[0].recommendation_id
    head = login("head@demo.test")
    assert head.get("/lang/en").status_code == 303

    follow_up = head.get(f"/deadlines/recommendations/{rec_id}").get_data(as_text=True)
    panel = head.get(f"/recommendations/{rec_id}").get_data(as_text=True)
    listing = head.get("/deadlines/list").get_data(as_text=True)

    for page in (follow_up, panel, listing):
        assert "30 working days from receipt 6 August 2018" in page
        skipped = "17 August (Independence Day), 22 August (Eid al-Adha), 11 September (Islamic New Year)"
        assert skipped in page
        assert "hari kerja sejak diterima" not in page and "Hari Kemerdekaan" not in page
    assert "30 working days" in follow_up  # the rule, under "Aturan"
