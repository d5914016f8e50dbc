"""The follow-up clock: due dates computed once on receipt and explained; extensions, stops, corrections."""

from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.deadlines import adjustments, computation, rules, services, settings
from ombudsman.deadlines.commands import Extend, RestartClock, SaveRule, StopClock, UpdateCalendarSettings
from ombudsman.deadlines.models import Deadline, EventKind, FollowUpEvent, Unit
from ombudsman.errors import DomainError, Invalid
from ombudsman.extensions import db
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import RecommendationKind, RecommendationStatus

TODAY = date(2018, 10, 1)
# The demo letter to the Wali Kota Kupang (tests/deadlines/conftest.py): issued, received, due.
ISSUED, RECEIVED, DUE = date(2018, 7, 31), date(2018, 8, 6), date(2018, 9, 20)


def _start(rec, user, received_on, issued_on=None, today=TODAY):
    return services.start_clock(rec, received_on=received_on, issued_on=issued_on, user=user, today=today)


def test_thirty_working_days_after_30_july_2018_is_13_september(demo, recs):
    deadline = _start(recs["pemkot"][0], demo.users["head"], date(2018, 7, 30))

    assert deadline.due_on == date(2018, 9, 13)
    assert deadline.explanation == (
        "30 hari kerja sejak diterima 30 Juli 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "22 Agustus (Iduladha), 11 September (Tahun Baru Islam); jatuh tempo 13 September 2018"
    )
    assert (deadline.count, deadline.unit, deadline.warnings) == (30, Unit.WORKING, [])


def test_due_date_is_stored_with_event_and_audit(demo, recs):
    rec = recs["pemkot"][0]
    deadline = _start(rec, demo.users["head"], RECEIVED, ISSUED)
    db.session.commit()

    stored = db.session.scalar(select(Deadline).where(Deadline.recommendation_id == rec.id))
    assert (stored.issued_on, stored.received_on, stored.start_on, stored.due_on) == (
        ISSUED,
        RECEIVED,
        RECEIVED,
        DUE,
    )
    assert stored.explanation.endswith("; jatuh tempo 20 September 2018")
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.recommendation_id == rec.id))
    assert (event.kind, event.occurred_on, event.new_due_on) == (EventKind.CLOCK_STARTED, RECEIVED, DUE)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "deadline"))
    assert (audit.entity_id, audit.action, audit.changes["due_on"]) == (deadline.id, "started", "2018-09-20")


def test_cuti_bersama_setting_changes_the_june_2018_due_date(demo, recs):
    # 8 June 2018 + 30 working days: 11-14 and 18-20 June are cuti bersama around Idul Fitri (15-16 June).
    off = _start(recs["pemkot"][0], demo.users["head"], date(2018, 6, 8), today=date(2018, 6, 8))
    settings.update_settings(
        demo.office,
        UpdateCalendarSettings(weekend=(5, 6), cuti_bersama_is_working=True, due_soon_working_days=5),
        user=None,
    )
    working = _start(recs["pemkot"][1], demo.users["head"], date(2018, 6, 8), today=date(2018, 6, 8))

    assert off.due_on == date(2018, 8, 2)
    assert "11\u201314 Juni (Cuti Bersama Idulfitri)" in off.explanation
    assert working.due_on == date(2018, 7, 24)
    assert "Cuti Bersama" not in working.explanation


def test_sixty_calendar_day_rule_for_a_rekomendasi(demo, recs):
    rec = recs["ditjen"][0]
    rec.kind = RecommendationKind.REKOMENDASI

    deadline = _start(rec, demo.users["head"], date(2018, 8, 6))

    assert (deadline.count, deadline.unit) == (60, Unit.CALENDAR)
    assert deadline.due_on == date(2018, 10, 5)
    assert deadline.explanation == (
        "60 hari kalender sejak diterima 6 Agustus 2018; jatuh tempo 5 Oktober 2018"
    )


def test_rule_in_force_on_the_start_date_applies(demo, recs):
    old = next(r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN)
    rules.save_rule(
        old,
        SaveRule(
            **{
                "kind": "saran",
                "count": 30,
                "unit": "working",
                "starts": "on_receipt",
                "valid_to": date(2018, 7, 31),
            }
        ),
        user=None,
    )
    rules.save_rule(
        None,
        SaveRule(
            **{
                "kind": "saran",
                "count": 14,
                "unit": "calendar",
                "starts": "on_receipt",
                "valid_from": date(2018, 8, 1),
            }
        ),
        user=None,
    )

    before = _start(recs["pemkot"][0], demo.users["head"], date(2018, 7, 30))
    after = _start(recs["pemkot"][1], demo.users["head"], date(2018, 8, 6))

    assert before.due_on == date(2018, 9, 13)
    assert (after.count, after.unit, after.due_on) == (14, Unit.CALENDAR, date(2018, 8, 20))


def test_rule_counting_from_issue_uses_the_issue_date(demo, recs):
    rule = next(r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN)
    rules.save_rule(
        rule, SaveRule(**{"kind": "saran", "count": 10, "unit": "calendar", "starts": "on_issue"}), user=None
    )

    deadline = _start(recs["pemkot"][0], demo.users["head"], RECEIVED, ISSUED)

    assert deadline.start_on == ISSUED
    assert deadline.due_on == date(2018, 8, 10)
    assert "sejak diterbitkan 31 Juli 2018" in deadline.explanation
    with pytest.raises(DomainError, match="tanggal surat") as exc:
        _start(recs["pemkot"][1], demo.users["head"], RECEIVED)
    assert "issued_on" in exc.value.fields


@pytest.mark.parametrize(
    ("received_on", "issued_on", "field", "message"),
    [
        (
            date(2018, 7, 30),
            date(2018, 7, 31),
            "received_on",
            r"tidak boleh sebelum tanggal surat \(31 Juli 2018\)",
        ),
        (date(2018, 10, 2), None, "received_on", "Tanggal harus antara 1 Januari 2000 dan 1 Oktober 2018"),
        (RECEIVED, date(2018, 10, 2), "issued_on", "Tanggal harus antara"),
        (date(1999, 12, 31), None, "received_on", "Tanggal harus antara"),
        (None, None, "received_on", "Isi tanggal diterima"),
    ],
)
def test_impossible_received_dates_are_refused(demo, recs, received_on, issued_on, field, message):
    with pytest.raises(DomainError, match=message) as exc:
        _start(recs["pemkot"][0], demo.users["head"], received_on, issued_on)

    assert field in exc.value.fields
    assert db.session.scalar(select(Deadline.id)) is None


def test_a_second_received_date_is_refused(demo, recs):
    _start(recs["pemkot"][0], demo.users["head"], RECEIVED)

    with pytest.raises(DomainError, match="sudah tercatat \\(6 Agustus 2018\\).*supervisor"):
        _start(recs["pemkot"][0], demo.users["head"], date(2018, 8, 7))


def test_no_rule_in_force_is_a_clear_error(demo, recs):
    rule = next(r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN)
    rules.save_rule(
        rule,
        SaveRule(
            **{
                "kind": "saran",
                "count": 30,
                "unit": "working",
                "starts": "on_receipt",
                "valid_from": date(2019, 1, 1),
            }
        ),
        user=None,
    )

    with pytest.raises(DomainError, match="Belum ada aturan tenggat untuk jenis \u201cSaran perbaikan\u201d"):
        _start(recs["pemkot"][0], demo.users["head"], RECEIVED)


def test_a_year_without_holiday_data_warns_on_the_due_date(demo, recs):
    deadline = _start(recs["pemkot"][0], demo.users["head"], date(2031, 3, 3), today=date(2031, 3, 3))

    assert deadline.warnings == [
        "Data hari libur tahun 2031 belum tersedia; tanggal jatuh tempo mungkin keliru."
    ]


def test_closed_recommendation_gets_no_clock(demo, recs):
    rec = recs["pemkot"][0]
    recommendations.update(rec, demo.users["head"], {"status": "implemented", "outcome_note": "Sudah."})

    with pytest.raises(DomainError, match="sudah ditutup"):
        _start(rec, demo.users["head"], RECEIVED)


def test_extension_moves_the_date_and_keeps_the_history(demo, started):
    deadline = started[0]

    adjustments.extend(
        deadline,
        Extend(days=10, reason="Permintaan Wali Kota", granted_on=date(2018, 9, 18)),
        user=demo.users["supervisor"],
        today=date(2018, 9, 18),
    )

    assert deadline.due_on == date(2018, 10, 4)
    assert deadline.explanation.split("\n") == [
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "22 Agustus (Iduladha), 11 September (Tahun Baru Islam); jatuh tempo 20 September 2018",
        "Perpanjangan 18 September 2018 (Permintaan Wali Kota): 10 hari kerja sejak tenggat "
        "20 September 2018; jatuh tempo 4 Oktober 2018",
    ]
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.EXTENDED))
    assert (event.old_due_on, event.new_due_on, event.days, event.note) == (
        DUE,
        date(2018, 10, 4),
        10,
        "Permintaan Wali Kota",
    )


@pytest.mark.parametrize(
    ("days", "reason", "field", "message"),
    [
        (10, "  ", "reason", "wajib disertai alasan"),
        (0, "Alasan", "days", "dari 1 sampai 3650"),
        (-3, "x", "days", "dari 1 sampai 3650"),
        (None, "x", "days", "Isi lama perpanjangan"),
    ],
)
def test_extension_without_reason_or_days_is_refused(demo, started, days, reason, field, message):
    with pytest.raises(DomainError, match=message) as exc:
        adjustments.extend(
            started[0],
            Extend(days=days, reason=reason, granted_on=date(2018, 9, 18)),
            user=demo.users["supervisor"],
            today=date(2018, 9, 18),
        )

    assert field in exc.value.fields
    assert started[0].due_on == DUE


def test_stop_and_restart_the_clock_keep_the_days_left(demo, started):
    deadline = started[0]
    user = demo.users["supervisor"]

    adjustments.stop_clock(
        deadline,
        StopClock(stopped_on=date(2018, 9, 6), reason="Menunggu klarifikasi"),
        user=user,
        today=date(2018, 9, 6),
    )
    assert deadline.stopped_on == date(2018, 9, 6)
    assert deadline.explanation.endswith(
        "Penghentian sementara 6 September 2018 (Menunggu klarifikasi); sisa 9 hari kerja."
    )
    with pytest.raises(DomainError, match="Akhiri penghentian sementara"):
        adjustments.extend(
            deadline,
            Extend(days=5, reason="x", granted_on=date(2018, 9, 7)),
            user=user,
            today=date(2018, 9, 7),
        )

    adjustments.restart_clock(
        deadline,
        RestartClock(restarted_on=date(2018, 10, 1), reason="Klarifikasi diterima"),
        user=user,
        today=date(2018, 10, 1),
    )

    # Nine working days after Monday 1 October 2018.
    assert deadline.due_on == date(2018, 10, 12)
    assert deadline.stopped_on is None
    assert deadline.explanation.split("\n")[-1] == (
        "Tenggat berjalan kembali (Klarifikasi diterima): "
        "9 hari kerja tersisa sejak 1 Oktober 2018; jatuh tempo 12 Oktober 2018"
    )


def test_the_clock_cannot_be_stopped_after_the_due_date(demo, started):
    with pytest.raises(DomainError, match="sampai tanggal jatuh tempo") as exc:
        adjustments.stop_clock(
            started[0],
            StopClock(stopped_on=date(2018, 9, 21), reason="Terlambat"),
            user=demo.users["supervisor"],
            today=TODAY,
        )
    assert "stopped_on" in exc.value.fields


def test_restart_requires_a_stopped_clock_and_a_later_date(demo, started):
    user = demo.users["supervisor"]
    with pytest.raises(DomainError, match="tidak sedang dihentikan"):
        adjustments.restart_clock(
            started[0], RestartClock(restarted_on=date(2018, 9, 10), reason="x"), user=user, today=TODAY
        )
    adjustments.stop_clock(
        started[0], StopClock(stopped_on=date(2018, 9, 10), reason="x"), user=user, today=TODAY
    )
    with pytest.raises(DomainError, match="sebelum tanggal penghentian sementara"):
        adjustments.restart_clock(
            started[0], RestartClock(restarted_on=date(2018, 9, 7), reason="x"), user=user, today=TODAY
        )


def test_correcting_the_received_date_recomputes_with_a_reason(demo, started):
    deadline = started[0]

    with pytest.raises(DomainError, match="wajib disertai alasan"):
        services.correct_receipt(
            deadline,
            received_on=date(2018, 8, 7),
            issued_on=ISSUED,
            reason="",
            user=demo.users["supervisor"],
            today=TODAY,
        )
    services.correct_receipt(
        deadline,
        received_on=date(2018, 8, 7),
        issued_on=ISSUED,
        reason="Salah ketik pada tanda terima",
        user=demo.users["supervisor"],
        today=TODAY,
    )

    assert (deadline.received_on, deadline.due_on) == (date(2018, 8, 7), date(2018, 9, 21))
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RECEIPT_CORRECTED))
    assert (event.old_due_on, event.new_due_on, event.note) == (
        DUE,
        date(2018, 9, 21),
        "Salah ketik pada tanda terima",
    )
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "receipt_corrected"))
    assert audit.changes["received_on"] == ["2018-08-06", "2018-08-07"]
    assert audit.changes["reason"] == "Salah ketik pada tanda terima"


def test_replay_reproduces_extension_stop_and_restart(demo, started):
    deadline = started[0]
    user = demo.users["supervisor"]
    adjustments.extend(
        deadline, Extend(days=5, reason="a", granted_on=date(2018, 9, 3)), user=user, today=TODAY
    )
    adjustments.stop_clock(
        deadline, StopClock(stopped_on=date(2018, 9, 10), reason="b"), user=user, today=TODAY
    )
    adjustments.restart_clock(
        deadline, RestartClock(restarted_on=date(2018, 9, 24), reason="c"), user=user, today=TODAY
    )

    result = computation.replay(
        settings.office_calendar(demo.office),
        count=30,
        unit=Unit.WORKING,
        starts="on_receipt",
        start_on=RECEIVED,
        adjustments=computation.clock_adjustments([deadline.recommendation_id])[deadline.recommendation_id],
    )

    assert result.due_on == deadline.due_on
    assert result.explanation == deadline.explanation


def test_generic_edit_cannot_change_the_status_of_a_running_clock(demo, started):
    rec = started[0].recommendation

    with pytest.raises(Invalid, match="halaman tindak lanjut"):
        recommendations.update(rec, demo.users["supervisor"], {"status": "implemented", "outcome_note": "x"})
    changes = recommendations.update(rec, demo.users["supervisor"], {"text": "Teks baru."})
    assert changes["text"][1] == "Teks baru."
    assert rec.status is RecommendationStatus.OPEN
