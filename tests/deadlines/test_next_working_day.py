"""Calendar-day rules move a due date that falls on a non-working day to the next working day (a per-rule
setting, on by default), say so in the explanation in both languages, and never move a stored date by
themselves: turning the setting on shows up in the admin's review of changes."""

import re
from datetime import date

from flask import session
from flask_babel import refresh
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.deadlines import adjustments, changes, rules, services
from ombudsman.deadlines.calendar import WorkingCalendar, coverage_warning
from ombudsman.deadlines.commands import Extend, SaveRule
from ombudsman.deadlines.models import Deadline, DeadlineRule, EventKind, FollowUpEvent
from ombudsman.extensions import db
from ombudsman.recommendations.models import RecommendationKind

# The case: 60 calendar days from receipt on Friday 26 October 2018 end on Tuesday 25 December 2018.
RECEIVED = date(2018, 10, 26)
CHRISTMAS, NEXT_WORKING_DAY = date(2018, 12, 25), date(2018, 12, 26)
TODAY = date(2018, 11, 1)
CHRISTMAS_MOVE = (
    "60 hari kalender sejak diterima 26 Oktober 2018 berakhir Selasa, 25 Desember 2018 (Natal), bukan hari "
    "kerja; jatuh tempo digeser ke hari kerja berikutnya: Rabu, 26 Desember 2018"
)


def _rekomendasi_rule() -> DeadlineRule:
    return db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == RecommendationKind.REKOMENDASI))


def _set_next_working_day(rule: DeadlineRule, value: bool, user=None) -> None:
    rules.save_rule(
        rule,
        SaveRule(
            kind=rule.kind.value,
            count=rule.count,
            unit=rule.unit.value,
            starts=rule.starts.value,
            next_working_day=value,
            legal_basis=rule.legal_basis,
            note=rule.note,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
        ),
        user=user,
    )


def _rekomendasi(recs):
    rec = recs["ditjen"][0]
    rec.kind = RecommendationKind.REKOMENDASI
    db.session.flush()
    return rec


def _start(rec, user, received_on=RECEIVED, today=TODAY) -> Deadline:
    return services.start_clock(rec, received_on=received_on, issued_on=None, user=user, today=today)


# --- the calendar ---------------------------------------------------------------------------------------


def test_a_calendar_day_end_on_christmas_moves_to_the_next_working_day():
    calendar = WorkingCalendar()

    kept = calendar.add_calendar_days(RECEIVED, 60)
    moved = calendar.add_calendar_days(RECEIVED, 60, next_working_day=True)

    assert (kept.due_on, kept.moved_over) == (CHRISTMAS, [])
    assert (moved.due_on, moved.moved_over) == (NEXT_WORKING_DAY, [(CHRISTMAS, "Hari Raya Natal")])
    assert CHRISTMAS.weekday() == 1 and NEXT_WORKING_DAY.weekday() == 2  # Tuesday, Wednesday


def test_a_working_end_does_not_move_and_a_closure_moves_it_too():
    calendar = WorkingCalendar(closures={date(2018, 10, 5): "Kantor pindah"})

    assert calendar.add_calendar_days(date(2018, 8, 5), 60, next_working_day=True).moved_over == []  # Thu
    closed = calendar.add_calendar_days(date(2018, 8, 6), 60, next_working_day=True)
    # Friday 5 October closed, then the weekend: Monday 8 October.
    assert closed.due_on == date(2018, 10, 8)
    assert [d for d, _ in closed.moved_over] == [date(2018, 10, 5), date(2018, 10, 6), date(2018, 10, 7)]


def test_a_moved_end_in_a_year_without_holiday_data_carries_the_coverage_warning():
    calendar = WorkingCalendar()
    uncovered = next(y for y in range(2026, 2100) if not calendar.covers(y))
    # Saturday 2 January of that year or the next Saturday: a non-working end.
    end = next(date(uncovered, 1, d) for d in range(1, 8) if date(uncovered, 1, d).weekday() == 5)

    moved = calendar.add_calendar_days(
        date(uncovered - 1, 12, 1), (end - date(uncovered - 1, 12, 1)).days, next_working_day=True
    )
    kept = calendar.add_calendar_days(date(uncovered - 1, 12, 1), (end - date(uncovered - 1, 12, 1)).days)

    assert moved.warnings == [coverage_warning(uncovered)]
    assert kept.warnings == []


# --- the clock and its explanation ----------------------------------------------------------------------


def test_sixty_calendar_days_from_26_october_2018_are_due_on_26_december(demo, recs):
    rule = _rekomendasi_rule()
    assert (rule.count, rule.unit.value, rule.next_working_day) == (60, "calendar", True)

    deadline = _start(_rekomendasi(recs), demo.users["head"])

    assert deadline.due_on == NEXT_WORKING_DAY
    assert deadline.next_working_day is True
    assert deadline.explanation_in("id") == CHRISTMAS_MOVE
    assert deadline.explanation_facts[0]["moved"] == [
        {"on": "2018-12-25", "name": "Natal", "name_en": "Christmas Day"}
    ]
    event = db.session.scalar(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.CLOCK_STARTED))
    assert event.new_due_on == NEXT_WORKING_DAY


def test_the_move_is_said_in_english_with_english_days_and_holiday_names(app, demo, recs):
    deadline = _start(_rekomendasi(recs), demo.users["head"])

    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        text = deadline.explanation

    # Dates, weekdays and the holiday's name come from Babel and the holidays package; the connecting
    # words follow the English catalog.
    assert "26 October 2018" in text
    assert "Tuesday, 25 December 2018 (Christmas Day)" in text
    assert "Wednesday, 26 December 2018" in text
    assert "Natal" not in text and "=" not in text


def test_several_days_off_in_a_row_are_all_named(demo, recs):
    # 60 calendar days from 17 June 2025 end on Saturday 16 August; Sunday 17 August is Independence Day
    # and Monday 18 August a cuti bersama: due Tuesday 19 August.
    deadline = _start(
        _rekomendasi(recs), demo.users["head"], received_on=date(2025, 6, 17), today=date(2025, 6, 20)
    )

    assert deadline.due_on == date(2025, 8, 19)
    assert deadline.explanation_in("id") == (
        "60 hari kalender sejak diterima 17 Juni 2025 berakhir Sabtu, 16 Agustus 2025; bukan hari kerja: "
        "16 Agustus (Sabtu), 17 Agustus (Hari Kemerdekaan), 18 Agustus (Cuti Bersama Hari Kemerdekaan); "
        "jatuh tempo digeser ke hari kerja berikutnya: Selasa, 19 Agustus 2025"
    )


def test_a_rule_that_does_not_move_keeps_christmas(demo, recs):
    _set_next_working_day(_rekomendasi_rule(), False)

    deadline = _start(_rekomendasi(recs), demo.users["head"])

    assert (deadline.due_on, deadline.next_working_day) == (CHRISTMAS, False)
    assert deadline.explanation_in("id") == (
        "60 hari kalender sejak diterima 26 Oktober 2018; jatuh tempo 25 Desember 2018"
    )


def test_an_extension_in_calendar_days_moves_off_a_holiday_as_the_start_did(demo, recs):
    rec = _rekomendasi(recs)
    _start(rec, demo.users["head"], received_on=date(2018, 10, 1), today=date(2018, 10, 1))
    deadline = rec.deadline
    assert deadline.due_on == date(2018, 11, 30)  # Friday

    # 25 days after Friday 30 November is Tuesday 25 December: moved to Wednesday.
    adjustments.extend(
        deadline,
        Extend(granted_on=date(2018, 11, 20), days=25, reason="Diminta"),
        user=demo.users["head"],
        today=date(2018, 11, 20),
    )

    assert deadline.due_on == NEXT_WORKING_DAY
    assert deadline.explanation_in("id").split("\n")[1] == (
        "Perpanjangan 20 November 2018 (Diminta): 25 hari kalender sejak tenggat 30 November 2018 "
        "berakhir Selasa, 25 Desember 2018 (Natal), bukan hari kerja; jatuh tempo digeser ke hari kerja "
        "berikutnya: Rabu, 26 Desember 2018"
    )


# --- the setting: one place, audited, reviewed before anything moves ------------------------------------


def _checkbox(response) -> str:
    return re.search(r'<input[^>]*name="next_working_day"[^>]*>', response.get_data(as_text=True))[0]


def test_the_rule_form_offers_the_setting_checked_and_saves_it_unchecked(demo, login):
    admin = login("admin@demo.test")
    rule = _rekomendasi_rule()

    assert "checked" in _checkbox(admin.get(f"/settings/deadlines/rules/{rule.id}"))
    assert "checked" in _checkbox(admin.get("/settings/deadlines/rules/new"))

    response = admin.post(
        f"/settings/deadlines/rules/{rule.id}",
        {"kind": "rekomendasi", "count": "60", "unit": "calendar", "starts": "on_receipt"},
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert _rekomendasi_rule().next_working_day is False
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "deadline_rule").order_by(AuditEvent.id.desc())
    ).first()
    assert audit.changes["next_working_day"] == [True, False]
    listing = admin.get("/settings/deadlines/rules").get_data(as_text=True)
    assert "Jatuh tempo tidak digeser dari hari libur atau akhir pekan." in listing


def test_turning_the_setting_on_moves_nothing_until_the_admin_applies_it(demo, recs):
    rule = _rekomendasi_rule()
    _set_next_working_day(rule, False)
    deadline = _start(_rekomendasi(recs), demo.users["head"])
    assert deadline.due_on == CHRISTMAS

    _set_next_working_day(rule, True)

    assert deadline.due_on == CHRISTMAS
    moves = changes.preview(demo.office)
    assert [(m.deadline.id, m.old_due_on, m.new_due_on) for m in moves] == [
        (deadline.id, CHRISTMAS, NEXT_WORKING_DAY)
    ]
    assert "digeser ke hari kerja berikutnya" in moves[0].new_explanation

    assert changes.apply(demo.office, [deadline.id], user=demo.users["admin"], today=TODAY) == 1
    assert (deadline.due_on, deadline.next_working_day) == (NEXT_WORKING_DAY, True)
