"""Letters and deadlines together: receipt starts the clocks, the letter states the rule the clock uses,
and an overdue recommendation's escalation is drafted, issued and recorded through the letters workflow."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ombudsman import spelling
from ombudsman.audit.models import AuditEvent
from ombudsman.deadlines import escalation, rules
from ombudsman.deadlines import services as deadlines
from ombudsman.deadlines.commands import SaveRule
from ombudsman.deadlines.escalation import EscalationStep
from ombudsman.deadlines.models import Deadline, DeadlineRule, EventKind, FollowUpEvent
from ombudsman.errors import Forbidden, Invalid
from ombudsman.extensions import db
from ombudsman.letters import compose
from ombudsman.letters import services as letters
from ombudsman.letters.commands import RecordDelivery
from ombudsman.letters.models import Letter, LetterKind, LetterStatus

ISSUED = date(2018, 7, 31)
RECEIVED = date(2018, 8, 6)
DUE = date(2018, 9, 20)
SARAN_SENTENCE = (
    "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
    "30 (tiga puluh) hari kerja sejak surat ini diterima."
)


def _fake_pdf(doc, **kwargs) -> bytes:
    # Rendering is tested with the letters; here only the numbers and dates matter.
    return b"%PDF-1.7 " + doc.hal.encode()


def _demo_letter(demo, authority) -> Letter:
    return db.session.scalar(
        select(Letter).where(Letter.authority_id == authority.id, Letter.escalation_step.is_(None))
    )


def _issue(demo, letter: Letter, day: date) -> Letter:
    """Submit, approve and issue a letter through the services, on `day`."""
    if letter.status is LetterStatus.DRAFT:
        letters.submit(letter, demo.users["inspector"])
    letters.approve(letter, demo.users["supervisor"])
    issued = letters.issue(
        letter, demo.users["head"], today=day, base_url="http://test", evidence_root=None, render=_fake_pdf
    )
    db.session.commit()
    return issued


def _receive(demo, letter: Letter, received=RECEIVED, today=date(2018, 8, 10), user="inspector", **kw):
    cmd = RecordDelivery(delivered_on=kw.pop("delivered_on", ISSUED), received_on=received, **kw)
    return letters.record_delivery(letter, demo.users[user], cmd, today=today)


def _deadlines(letter: Letter) -> list[Deadline | None]:
    return [
        db.session.scalar(select(Deadline).where(Deadline.recommendation == r))
        for r in letter.recommendations
    ]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def kota(demo) -> Letter:
    """The demo letter to the Wali Kota Kupang, issued on 31 July 2018."""
    return _issue(demo, _demo_letter(demo, demo.pemkot), ISSUED)


@pytest.fixture
def received(demo, kota) -> Letter:
    """The same letter, received on 6 August 2018 (committed)."""
    _receive(demo, kota)
    db.session.commit()
    return kota


# --- 1. delivery starts the clock -----------------------------------------------------------------------


def test_receipt_starts_the_clock_of_every_recommendation_of_the_letter(demo, kota):
    changes = _receive(demo, kota)
    db.session.commit()

    stored = _deadlines(kota)
    assert len(stored) == 7
    assert {(d.issued_on, d.received_on, d.due_on) for d in stored} == {(ISSUED, RECEIVED, DUE)}
    assert stored[0].explanation.startswith(
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "22 Agustus (Iduladha), 11 September (Tahun Baru Islam)"
    )
    assert changes["deadlines_started"] == [r.id for r in kota.recommendations]
    assert {d.started_by_id for d in stored} == {demo.users["inspector"].id}
    # The Ditjen's recommendations belong to another letter, still a draft: their clocks have not started.
    assert _count(Deadline) == 7


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (date(2018, 7, 30), "tidak boleh sebelum tanggal surat"),
        (date(2018, 8, 11), "Tanggal harus antara"),  # the future: the receipt date's bound
    ],
)
def test_impossible_receipt_dates_write_nothing(demo, kota, received_on, message):
    with pytest.raises(Invalid, match=message) as refused:
        _receive(demo, kota, received=received_on, delivered_on=None if received_on < ISSUED else ISSUED)
    db.session.rollback()
    assert "received_on" in refused.value.fields
    assert db.session.get(Letter, kota.id).received_on is None
    assert _count(Deadline) == 0


def test_a_refused_clock_is_the_received_date_field_error_and_nothing_is_half_written(demo, kota):
    # The rule for saran ends before the receipt: the clock cannot start, so the receipt is not recorded.
    rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == "saran"))
    rule.valid_to = date(2018, 8, 1)
    db.session.commit()

    with pytest.raises(Invalid, match="Belum ada aturan tenggat") as refused:
        _receive(demo, kota)
    db.session.rollback()

    assert refused.value.field == "received_on"
    assert db.session.get(Letter, kota.id).received_on is None
    assert _count(Deadline) == 0
    assert _count(FollowUpEvent) == 0


def test_a_second_receipt_date_is_refused_and_the_same_one_changes_nothing(demo, received):
    with pytest.raises(Forbidden, match="koreksinya hanya oleh supervisor"):
        _receive(demo, received, received=date(2018, 8, 7), user="head")
    db.session.rollback()
    assert _receive(demo, received) == {}  # the same date again: nothing to record
    with pytest.raises(Invalid, match="tidak dapat dihapus"):
        _receive(demo, received, received=None, user="supervisor", correction_reason="salah")
    db.session.rollback()
    assert {d.received_on for d in _deadlines(received)} == {RECEIVED}
    assert _count(Deadline) == 7


def test_supervisor_correction_moves_every_clock_of_the_letter(demo, received):
    changes = _receive(
        demo,
        received,
        received=date(2018, 8, 7),
        user="supervisor",
        correction_reason="Tanda terima dibaca ulang",
        today=date(2018, 8, 13),
    )
    db.session.commit()

    assert changes["deadlines_corrected"] == [r.id for r in received.recommendations]
    assert {(d.received_on, d.due_on) for d in _deadlines(received)} == {
        (date(2018, 8, 7), date(2018, 9, 21))
    }
    events = db.session.scalars(
        select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RECEIPT_CORRECTED)
    )
    assert {e.note for e in events} == {"Tanda terima dibaca ulang"}
    corrected = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "receipt_corrected")).all()
    assert len(corrected) == 7


def _post_delivery(user, letter_id: int, **fields):
    data = {
        "method": "hand",
        "delivered_on": "2018-07-31",
        "received_on": "",
        "note": "",
        "correction_reason": "",
    }
    data.update(fields)
    return user.post(f"/letters/{letter_id}/delivery", data=data)


def test_the_letter_page_records_the_receipt_and_starts_the_clocks(demo, kota, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
    head = login("head@demo.test")

    response = _post_delivery(head, kota.id, received_on="2018-08-06")

    assert response.status_code == 303
    assert {d.due_on for d in _deadlines(kota)} == {DUE}
    rec = kota.recommendations[0]
    page = head.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "20 September 2018" in page
    assert "Catat tanggal diterima" not in page
    letter_page = head.get(f"/letters/{kota.id}").get_data(as_text=True)
    listed = letter_page[letter_page.index('id="letter-deadlines"') :]
    assert listed.count("jatuh tempo 20 September 2018") == len(kota.recommendations)


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        ("2018-07-30", "tidak boleh sebelum tanggal surat"),
        ("2018-08-11", "Tanggal harus antara"),  # the future: the receipt date's bound
    ],
)
def test_the_letter_page_shows_bad_receipt_dates_again(demo, kota, login, monkeypatch, received_on, message):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
    head = login("head@demo.test")

    response = _post_delivery(head, kota.id, received_on=received_on, delivered_on="2018-07-31")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{received_on}"' in page
    assert db.session.get(Letter, kota.id).received_on is None
    assert _count(Deadline) == 0


def test_the_letter_page_shows_a_refused_clock_next_to_the_received_date(demo, kota, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
    rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == "saran"))
    rule.valid_to = date(2018, 8, 1)
    db.session.commit()
    head = login("head@demo.test")

    response = _post_delivery(head, kota.id, received_on="2018-08-06")

    assert response.status_code == 422
    assert "Belum ada aturan tenggat" in response.get_data(as_text=True)
    assert db.session.get(Letter, kota.id).received_on is None
    assert _count(Deadline) == 0


def test_the_letter_page_refuses_a_second_date_and_lets_the_supervisor_correct(
    demo, received, login, monkeypatch
):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-13")
    again = _post_delivery(login("head@demo.test"), received.id, received_on="2018-08-07")
    assert again.status_code == 403
    assert "koreksinya hanya oleh supervisor" in again.get_data(as_text=True)

    supervisor = login("supervisor@demo.test")
    corrected = _post_delivery(
        supervisor, received.id, received_on="2018-08-07", correction_reason="Tanda terima dibaca ulang"
    )
    assert corrected.status_code == 303
    assert {d.due_on for d in _deadlines(received)} == {date(2018, 9, 21)}


def test_the_recommendation_page_leaves_the_receipt_to_the_letter(demo, kota, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
    head = login("head@demo.test")
    rec = kota.recommendations[0]

    page = head.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "Catat tanggal diterima" not in page
    assert f"/letters/{kota.id}#delivery" in page and kota.number in page
    assert f"/letters/{kota.id}#delivery" in head.get(f"/deadlines/recommendations/{rec.id}").get_data(True)

    refused = head.post(
        f"/deadlines/recommendations/{rec.id}/received",
        {"issued_on": "2018-07-31", "received_on": "2018-08-06"},
    )
    assert refused.status_code == 422
    assert f"halaman surat {kota.number}" in refused.get_data(as_text=True)
    assert _count(Deadline) == 0


def test_clock_corrections_of_a_letter_go_through_the_letter(demo, received, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-13")
    rec = received.recommendations[0]
    refused = login("supervisor@demo.test").post(
        f"/deadlines/recommendations/{rec.id}/received/correct",
        {"issued_on": "2018-07-31", "received_on": "2018-08-07", "reason": "Tanda terima dibaca ulang"},
    )
    assert refused.status_code == 422
    assert "halaman surat" in refused.get_data(as_text=True)
    assert {d.due_on for d in _deadlines(received)} == {DUE}


# --- 2. the letter's deadline sentence comes from the rule in force ---------------------------------------


def test_the_letter_states_the_rule_the_clock_uses(demo):
    letter = _demo_letter(demo, demo.pemkot)
    doc, _files = compose.letter_document(letter, evidence_root=None, number="1", day=ISSUED)
    assert doc.deadline == SARAN_SENTENCE

    rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == "saran"))
    rules.save_rule(
        rule,
        SaveRule(
            **{
                "kind": "saran",
                "count": 45,
                "unit": "calendar",
                "starts": "on_issue",
                "legal_basis": rule.legal_basis,
                "valid_from": None,
                "valid_to": None,
            }
        ),
        user=demo.users["admin"],
    )
    doc, _files = compose.letter_document(letter, evidence_root=None, number="1", day=ISSUED)
    assert doc.deadline == (
        "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
        "45 (empat puluh lima) hari sejak tanggal surat ini; apabila hari terakhir bukan hari kerja, tenggat "
        "jatuh pada hari kerja berikutnya."
    )


def test_the_rule_in_force_on_the_letter_date_is_stated(demo):
    old = db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == "saran"))
    old.valid_to = date(2018, 12, 31)
    db.session.flush()
    rules.save_rule(
        None,
        SaveRule(
            **{
                "kind": "saran",
                "count": 14,
                "unit": "working",
                "starts": "on_receipt",
                "valid_from": date(2019, 1, 1),
            }
        ),
        user=demo.users["admin"],
    )
    letter = _demo_letter(demo, demo.pemkot)
    in_2018 = compose.letter_document(letter, evidence_root=None, number="1", day=ISSUED)[0].deadline
    in_2019 = compose.letter_document(letter, evidence_root=None, number="1", day=date(2019, 2, 1))[
        0
    ].deadline
    assert "30 (tiga puluh) hari kerja" in in_2018
    # Received from 1 January 2019 the clock counts 14 working days: the 2018 letter says so.
    assert in_2018.endswith(
        "Apabila surat ini diterima pada atau setelah 1 Januari 2019, tenggat tersebut menjadi "
        "14 (empat belas) hari kerja sejak surat ini diterima."
    )
    assert "14 (empat belas) hari kerja sejak surat ini diterima" in in_2019


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "satu"),
        (11, "sebelas"),
        (14, "empat belas"),
        (30, "tiga puluh"),
        (60, "enam puluh"),
        (100, "seratus"),
        (125, "seratus dua puluh lima"),
        (365, "tiga ratus enam puluh lima"),
        (1000, "seribu"),
        (2018, "dua ribu delapan belas"),
    ],
)
def test_counts_are_spelled_in_indonesian(n, words):
    assert spelling.number_words(n) == words


def test_a_kind_without_a_rule_in_force_gets_no_sentence(demo):
    db.session.execute(DeadlineRule.__table__.delete().where(DeadlineRule.kind == "saran"))
    assert deadlines.letter_deadline_sentence("saran", ISSUED) == ""


# --- 3. escalation through the letters workflow -------------------------------------------------------------

OVERDUE = date(2018, 10, 1)


def _plan(demo, rec, today=OVERDUE):
    cut = deadlines.state_cutoffs(demo.office, today)
    return escalation.plan_escalation(rec, office=demo.office, cut=cut)


def test_the_reminder_is_drafted_from_the_plan(demo, received):
    rec = received.recommendations[0]
    plan = _plan(demo, rec)

    draft = letters.draft_escalation_letter(plan, user=demo.users["inspector"], today=OVERDUE)
    db.session.commit()

    assert (draft.kind, draft.status, draft.escalation_step) == (
        LetterKind.PENGINGAT,
        LetterStatus.DRAFT,
        "reminder",
    )
    assert draft.authority_id == demo.pemkot.id
    assert draft.recipient_line_list == ["Wali Kota Kupang", "di Kupang"]
    assert draft.hal == plan.subject == "Pengingat Tindak Lanjut Saran Perbaikan Ombudsman RI"
    # The opening names the original letter by number and date; the overdue items follow in a table.
    assert draft.opening.startswith(f"Menunjuk surat kami Nomor {received.number} tanggal 31 Juli 2018, ")
    assert "batas waktu 20 September 2018" in plan.history  # the plan's page keeps the whole history
    assert [r.id for r in draft.recommendations] == list(plan.recommendation_ids)
    assert len(draft.recommendations) == 7
    doc, _files = compose.letter_document(draft, evidence_root=None)
    assert doc.deadline == "" and doc.sections == []  # the clock is not restarted, no findings again
    assert [(r.due, r.reference) for r in doc.overdue_rows][:1] == [("20 September 2018", "angka 1")]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "escalation_drafted"))
    assert audit.changes["step"] == "reminder"


def test_a_viewer_cannot_draft_an_escalation(demo, received):
    plan = _plan(demo, received.recommendations[0])
    with pytest.raises(Forbidden):
        letters.draft_escalation_letter(plan, user=demo.users["viewer"], today=OVERDUE)


def test_issuing_the_reminder_records_the_escalation_and_receiving_it_starts_nothing(demo, received):
    rec = received.recommendations[0]
    draft = letters.draft_escalation_letter(_plan(demo, rec), user=demo.users["inspector"], today=OVERDUE)
    db.session.commit()

    reminder = _issue(demo, draft, OVERDUE)

    events = db.session.scalars(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.ESCALATION)).all()
    assert len(events) == 7
    assert {(e.result, e.reference, e.occurred_on) for e in events} == {
        ("reminder", reminder.number, OVERDUE)
    }
    _receive(demo, reminder, received=date(2018, 10, 3), delivered_on=OVERDUE, today=date(2018, 10, 3))
    db.session.commit()
    assert {d.received_on for d in _deadlines(received)} == {RECEIVED}  # the clocks still run from August

    # Still ignored: the Pemkot has no superior in the register, so next comes a Rekomendasi draft.
    later = date(2018, 11, 5)
    plan = _plan(demo, rec, later)
    assert plan.step is EscalationStep.HEAD_OFFICE
    head_office = letters.draft_escalation_letter(plan, user=demo.users["inspector"], today=later)
    assert head_office.kind is LetterKind.REKOMENDASI_DRAFT
    assert head_office.recipient_line_list == ["Ketua Ombudsman Republik Indonesia", "di Jakarta"]
    assert head_office.authority_id == demo.pemkot.id  # filed under the authority it is about
    assert f"Surat pengingat kepada instansi nomor {reminder.number}" in head_office.opening


def test_the_next_step_can_be_the_superior_in_the_register(demo):
    ditjen = _issue(demo, _demo_letter(demo, demo.ditjen), ISSUED)
    _receive(demo, ditjen)
    db.session.commit()
    rec = ditjen.recommendations[0]
    reminder = _issue(
        demo,
        letters.draft_escalation_letter(_plan(demo, rec), user=demo.users["inspector"], today=OVERDUE),
        OVERDUE,
    )

    plan = _plan(demo, rec, date(2018, 11, 5))
    superior = letters.draft_escalation_letter(plan, user=demo.users["supervisor"], today=date(2018, 11, 5))

    assert plan.step is EscalationStep.SUPERIOR
    assert (superior.kind, superior.escalation_step) == (LetterKind.PENGINGAT, "superior")
    assert superior.authority_id == demo.kemendagri.id
    assert superior.recipient_line_list[0] == "Menteri Dalam Negeri"
    assert demo.ditjen.id in {c.authority_id for c in superior.copies}  # the ignoring authority is copied
    assert reminder.number in superior.opening


def test_the_escalation_button_lands_on_the_new_draft(demo, received, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", OVERDUE.isoformat())
    inspector = login("inspector@demo.test")
    rec = received.recommendations[0]

    page = inspector.get(f"/deadlines/recommendations/{rec.id}/escalation").get_data(as_text=True)
    assert "Buat draf surat" in page
    response = inspector.post(f"/deadlines/recommendations/{rec.id}/escalation")

    assert response.status_code == 303
    draft = db.session.scalar(select(Letter).where(Letter.escalation_step == "reminder"))
    assert response.headers["Location"].endswith(f"/letters/{draft.id}")
    shown = inspector.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pengingat Tindak Lanjut Saran Perbaikan Ombudsman RI" in shown


def test_the_escalation_button_is_refused_before_the_due_date(demo, received, login, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-20")
    rec = received.recommendations[0]
    response = login("inspector@demo.test").post(f"/deadlines/recommendations/{rec.id}/escalation")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/deadlines/recommendations/{rec.id}/escalation")
    assert db.session.scalar(select(Letter).where(Letter.escalation_step.is_not(None))) is None
