"""Escalation of overdue recommendations: reminder, then superior or head office, pre-filled with history."""

import json
import types
from datetime import date

import pytest

from ombudsman.deadlines import escalation, follow_up, services, settings
from ombudsman.deadlines.commands import RecordResponse
from ombudsman.deadlines.escalation import EscalationStep
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import RecommendationKind

TODAY = date(2018, 9, 26)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", TODAY.isoformat())


def _plan(demo, rec):
    cut = settings.state_cutoffs(demo.office, TODAY)
    return escalation.plan_escalation(rec, office=demo.office, cut=cut)


def _record(demo, rec, step: str, on=date(2018, 9, 24), reference="B-123/PW.24/IX/2018"):
    follow_up.record_escalation(
        rec, sent_on=on, step=step, reference=reference, note="", user=demo.users["supervisor"], today=TODAY
    )


def _rec_to(demo, authority, kind="saran"):
    rec = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": [demo.findings[2].id],
            "authority_id": authority.id,
            "kind": kind,
            "text": "Uji eskalasi.",
        },
    )
    services.start_clock(
        rec, received_on=date(2018, 8, 6), issued_on=None, user=demo.users["head"], today=TODAY
    )
    return rec


def test_first_step_is_a_reminder_to_the_authority_covering_its_overdue_recommendations(demo, started):
    plan = _plan(demo, started[0].recommendation)

    assert plan.step is EscalationStep.REMINDER
    assert plan.letter_kind == "pengingat"
    assert (plan.recipient.authority_id, plan.recipient.head_title, plan.recipient.place_line) == (
        demo.pemkot.id,
        "Wali Kota Kupang",
        "di Kupang",
    )
    assert plan.subject == "Pengingat Tindak Lanjut Saran Perbaikan Ombudsman RI"
    assert list(plan.recommendation_ids) == [d.recommendation_id for d in started]
    assert plan.history.startswith(
        "Ombudsman Republik Indonesia Perwakilan Provinsi Nusa Tenggara Timur telah menyampaikan "
        "saran perbaikan kepada Pemerintah Kota Kupang. Sampai dengan 26 September 2018"
    )
    assert (
        "Disampaikan dengan surat tertanggal 31 Juli 2018, diterima 6 Agustus 2018; "
        "batas waktu 20 September 2018" in plan.history
    )
    assert "Per 26 September 2018 terlambat 4 hari kerja." in plan.history
    assert "Belum ada tanggapan tertulis." in plan.history
    assert json.loads(json.dumps(plan.as_dict()))["step"] == "reminder"


def test_no_plan_before_the_due_date(demo, started):
    cut = settings.state_cutoffs(demo.office, date(2018, 9, 20))

    assert escalation.plan_escalation(started[0].recommendation, office=demo.office, cut=cut) is None


def test_ignored_reminder_without_a_superior_leads_to_a_rekomendasi_draft(demo, started):
    rec = started[0].recommendation
    _record(demo, rec, "reminder")

    plan = _plan(demo, rec)

    assert plan.step is EscalationStep.HEAD_OFFICE
    assert plan.letter_kind == "rekomendasi_draft"
    assert plan.recipient.authority_id is None
    assert plan.recipient.head_title == "Ketua Ombudsman Republik Indonesia"
    assert plan.recommendation_ids == (rec.id,)  # the others still need their reminder
    assert (
        "Surat pengingat kepada instansi nomor B-123/PW.24/IX/2018 tanggal 24 September 2018." in plan.history
    )


def test_ignored_reminder_to_a_dinas_goes_to_its_superior_in_the_register(demo, started):
    rec = _rec_to(demo, demo.dinas)
    _record(demo, rec, "reminder")

    plan = _plan(demo, rec)

    assert plan.step is EscalationStep.SUPERIOR
    assert (plan.recipient.authority_id, plan.recipient.head_title) == (demo.pemkot.id, "Wali Kota Kupang")
    assert plan.subject.endswith("oleh Dispendukcapil Kota Kupang")
    _record(demo, rec, "superior", on=date(2018, 9, 25))
    assert _plan(demo, rec).step is EscalationStep.HEAD_OFFICE


def test_ignored_corrective_action_goes_to_head_office_even_with_a_superior(demo, started):
    rec = _rec_to(demo, demo.dinas, kind=RecommendationKind.TINDAKAN_KOREKTIF.value)
    _record(demo, rec, "reminder")

    plan = _plan(demo, rec)

    assert plan.step is EscalationStep.HEAD_OFFICE
    assert (
        plan.subject
        == "Usulan Rekomendasi atas Tindakan Korektif yang Tidak Dilaksanakan oleh Dispendukcapil Kota Kupang"
    )


def test_a_response_after_the_reminder_means_another_reminder(demo, started):
    rec = started[0].recommendation
    _record(demo, rec, "reminder")
    follow_up.record_response(
        rec,
        RecordResponse(responded_on=date(2018, 9, 25), summary="Sedang dianggarkan."),
        reply_letter=None,
        evidence=[],
        user=demo.users["inspector"],
        today=TODAY,
        store=None,
    )

    plan = _plan(demo, rec)

    assert plan.step is EscalationStep.REMINDER
    assert "Tanggapan 25 September 2018: Sedang dianggarkan." in plan.history


def test_overdue_page_offers_the_reminder_with_its_letter_in_words(demo, started, login):
    rec_id = started[0].recommendation_id
    inspector = login("inspector@demo.test")

    follow_up = inspector.get(f"/deadlines/recommendations/{rec_id}").get_data(as_text=True)
    assert 'id="draft-reminder"' in follow_up
    assert f"/deadlines/recommendations/{rec_id}/escalation" in inspector.get(
        f"/recommendations/{rec_id}"
    ).get_data(as_text=True)
    page = inspector.get(f"/deadlines/recommendations/{rec_id}/escalation").get_data(as_text=True)
    assert "Surat pengingat kepada instansi" in page
    assert "Wali Kota Kupang" in page
    assert "Tenggat terlewati dan belum ada surat pengingat." in page
    assert "<dd>Surat pengingat</dd>" in page  # the kind of letter in words, not its code
    assert "<dd>pengingat</dd>" not in page
    assert "Buat draf surat" in page


def test_no_reminder_button_before_the_due_date(demo, started, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-20")
    inspector = login("inspector@demo.test")
    rec_id = started[0].recommendation_id

    assert 'id="draft-reminder"' not in inspector.get(f"/deadlines/recommendations/{rec_id}").get_data(
        as_text=True
    )
    assert "tidak lewat tenggat" in inspector.get(f"/deadlines/recommendations/{rec_id}/escalation").get_data(
        as_text=True
    )


def test_recording_a_sent_escalation_needs_its_number(demo, started, login):
    supervisor = login("supervisor@demo.test")
    rec_id = started[0].recommendation_id

    missing = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/escalation/record",
        {"sent_on": "2018-09-24", "step": "reminder"},
    )
    assert missing.status_code == 422
    assert "Isi nomor surat." in missing.get_data(as_text=True)
    saved = supervisor.post(
        f"/deadlines/recommendations/{rec_id}/escalation/record",
        {"sent_on": "2018-09-24", "step": "reminder", "reference": "B-9/2018"},
    )
    assert saved.status_code == 303
    assert "B-9/2018" in supervisor.get(f"/deadlines/recommendations/{rec_id}").get_data(as_text=True)


def test_the_letters_hook_receives_the_plan(demo, started, login, monkeypatch):
    """The letters package drafts the letter: `draft_escalation_letter(plan, *, user, today)`."""
    received = []
    monkeypatch.setattr(
        escalation.letters,
        "draft_escalation_letter",
        lambda plan, *, user, today: (
            received.append((plan, user.email, today)) or types.SimpleNamespace(id=4242)
        ),
    )
    inspector = login("inspector@demo.test")
    rec_id = started[0].recommendation_id

    assert "Buat draf surat" in inspector.get(f"/deadlines/recommendations/{rec_id}/escalation").get_data(
        as_text=True
    )
    response = inspector.post(f"/deadlines/recommendations/{rec_id}/escalation")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/letters/4242")  # the new draft
    [(plan, email, today)] = received
    assert (plan.step, plan.letter_kind, email, today) == (
        EscalationStep.REMINDER,
        "pengingat",
        "inspector@demo.test",
        TODAY,
    )
