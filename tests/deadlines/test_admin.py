"""Admin pages: deadline rules, working-day settings, closures, and applying their changes on confirmation."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import ombudsman
from ombudsman import contracts
from ombudsman.accounts.models import Office
from ombudsman.audit.models import AuditEvent
from ombudsman.deadlines import rules, settings
from ombudsman.deadlines.commands import SaveRule
from ombudsman.deadlines.models import CalendarDay, Deadline, DeadlineRule, EventKind, FollowUpEvent, Unit
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.recommendations.models import RecommendationKind
from ombudsman.seed import seed_reference


def _due_dates() -> list[date]:
    return list(db.session.scalars(select(Deadline.due_on).order_by(Deadline.id)))


def test_seed_reference_loads_the_three_rules_once(app):
    seed_reference()
    seed_reference()
    db.session.commit()

    found = {(r.kind, r.count, r.unit, r.starts.value) for r in rules.all_rules()}
    assert found == {
        (RecommendationKind.SARAN, 30, Unit.WORKING, "on_receipt"),
        (RecommendationKind.TINDAKAN_KOREKTIF, 30, Unit.WORKING, "on_receipt"),
        (RecommendationKind.REKOMENDASI, 60, Unit.CALENDAR, "on_receipt"),
    }
    assert "Peraturan Ombudsman 58/2023 Ps 54" in {r.legal_basis for r in rules.all_rules()}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"count": 0}, "count", "dari 1 sampai 3650"),
        ({"count": -5}, "count", "dari 1 sampai 3650"),
        ({"count": None}, "count", "Isi jumlah hari"),
        ({"valid_from": date(2020, 1, 1), "valid_to": date(2019, 1, 1)}, "valid_to", "tidak boleh sebelum"),
        ({"valid_from": date(2023, 1, 1)}, "valid_from", "bertumpang tindih"),
        ({"unit": "weeks"}, "unit", "satuan"),
    ],
)
def test_invalid_rules_are_refused(app, data, field, message):
    seed_reference()
    row = {"kind": "saran", "count": 20, "unit": "working", "starts": "on_receipt", **data}

    with pytest.raises(Invalid, match=message) as exc:
        rules.save_rule(None, contracts.build(SaveRule, row), user=None)

    assert field in exc.value.fields
    assert db.session.scalar(select(func.count()).select_from(DeadlineRule)) == 3


def test_adjacent_validity_spans_of_one_kind_are_allowed(app):
    seed_reference()
    saran = next(r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN)
    rules.save_rule(
        saran,
        SaveRule(kind="saran", count=30, unit="working", starts="on_receipt", valid_to=date(2022, 12, 31)),
        user=None,
    )
    rules.save_rule(
        None,
        SaveRule(kind="saran", count=20, unit="working", starts="on_receipt", valid_from=date(2023, 1, 1)),
        user=None,
    )

    assert len([r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN]) == 2


def test_rule_form_shows_errors_and_keeps_input(demo, login):
    admin = login("admin@demo.test")

    response = admin.post(
        "/settings/deadlines/rules/new",
        {"kind": "saran", "count": "0", "unit": "working", "starts": "on_receipt", "legal_basis": "Uji"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Harus bilangan bulat dari 1 sampai 3650." in page
    assert 'value="Uji"' in page


def test_only_admins_change_settings_and_rules(demo, login):
    head = login("head@demo.test")

    assert head.get("/settings/deadlines/").status_code == 403
    assert (
        head.post(
            "/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": "x"}
        ).status_code
        == 403
    )
    assert head.get("/settings/deadlines/rules").status_code == 200
    assert head.get("/settings/deadlines/changes").status_code == 403


def test_settings_are_saved_and_audited(demo, login):
    admin = login("admin@demo.test")

    response = admin.post(
        "/settings/deadlines/",
        {"weekend": ["4", "5"], "cuti_bersama_is_working": "y", "due_soon_working_days": "3"},
    )

    assert response.status_code == 303
    db.session.expire_all()
    saved = settings.calendar_settings(demo.office.id)
    assert (saved.weekend, saved.cuti_bersama_is_working, saved.due_soon_working_days) == (
        frozenset({4, 5}),
        True,
        3,
    )
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deadline_settings"))
    assert audit.changes["weekend_days"] == ["5,6", "4,5"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekend": [str(d) for d in range(7)], "due_soon_working_days": "5"}, "seluruh minggu"),
        ({"weekend": ["5", "6"], "due_soon_working_days": "0"}, "dari 1 sampai 60"),
        ({"weekend": ["5", "9"], "due_soon_working_days": "5"}, "dari 0 sampai 6"),
    ],
)
def test_bad_settings_are_refused(demo, login, data, message):
    admin = login("admin@demo.test")

    response = admin.post("/settings/deadlines/", data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert settings.calendar_settings(demo.office.id).weekend_days == "5,6"


def test_closure_needs_a_reason_and_one_entry_per_day(demo, login):
    admin = login("admin@demo.test")

    missing = admin.post("/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": " "})
    assert missing.status_code == 422
    assert "Alasan wajib diisi." in missing.get_data(as_text=True)
    assert (
        admin.post(
            "/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": "Libur daerah"}
        ).status_code
        == 303
    )
    again = admin.post(
        "/settings/deadlines/days", {"day": "2018-08-20", "kind": "reopened", "reason": "Masuk"}
    )
    assert again.status_code == 422
    assert "20 Agustus 2018 sudah tercatat: Libur daerah." in again.get_data(as_text=True)


def test_an_admin_closure_moves_nothing_until_applied(demo, login, started, letter):
    admin = login("admin@demo.test")
    assert _due_dates() == [letter.due] * 7

    response = admin.post(
        "/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": "Libur daerah"}
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/settings/deadlines/changes")
    assert _due_dates() == [letter.due] * 7  # stored dates never move by themselves
    preview = admin.get("/settings/deadlines/changes").get_data(as_text=True)
    assert preview.count('name="deadline_ids"') == 7
    assert "20 September 2018" in preview and "21 September 2018" in preview
    assert "20 Agustus (Libur daerah)" in preview

    chosen = [started[0].id, started[1].id]
    applied = admin.post("/settings/deadlines/changes", {"deadline_ids": [str(i) for i in chosen]})

    assert applied.status_code == 303
    db.session.expire_all()
    assert _due_dates() == [date(2018, 9, 21)] * 2 + [letter.due] * 5
    moved = db.session.get(Deadline, chosen[0])
    assert "20 Agustus (Libur daerah)" in moved.explanation
    events = db.session.scalars(select(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RECOMPUTED)).all()
    assert {(e.recommendation_id, e.old_due_on, e.new_due_on) for e in events} == {
        (started[0].recommendation_id, letter.due, date(2018, 9, 21)),
        (started[1].recommendation_id, letter.due, date(2018, 9, 21)),
    }
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "recomputed")).all()
    assert sorted(a.entity_id for a in audits) == sorted(chosen)
    assert admin.get("/settings/deadlines/changes").get_data(as_text=True).count('name="deadline_ids"') == 5


def test_applying_nothing_is_refused(demo, login, started):
    admin = login("admin@demo.test")
    admin.post("/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": "Libur daerah"})

    response = admin.post("/settings/deadlines/changes", {})

    assert response.status_code == 422
    assert (
        db.session.scalar(
            select(func.count()).select_from(FollowUpEvent).where(FollowUpEvent.kind == EventKind.RECOMPUTED)
        )
        == 0
    )


def test_applying_when_nothing_moves_says_why(demo, login, started):
    # No pending moves: the page has no table, the refusal still shows.
    response = login("admin@demo.test").post("/settings/deadlines/changes", {})

    assert response.status_code == 422
    assert '<p class="error" role="alert">' in response.get_data(as_text=True)


def test_rule_and_setting_changes_are_previewed_not_applied(demo, login, started, letter):
    admin = login("admin@demo.test")
    saran = next(r for r in rules.all_rules() if r.kind is RecommendationKind.SARAN)

    admin.post(
        f"/settings/deadlines/rules/{saran.id}",
        {"kind": "saran", "count": "20", "unit": "working", "starts": "on_receipt"},
    )
    admin.post(
        "/settings/deadlines/",
        {"weekend": ["5", "6"], "cuti_bersama_is_working": "y", "due_soon_working_days": "5"},
    )

    assert _due_dates() == [letter.due] * 7
    page = admin.get("/settings/deadlines/changes").get_data(as_text=True)
    assert page.count('name="deadline_ids"') == 7
    # 20 working days from 6 August 2018 (17 and 22 August off) is 5 September.
    assert "5 September 2018" in page
    admin.post("/settings/deadlines/changes", {"deadline_ids": [str(d.id) for d in started]})
    db.session.expire_all()
    assert _due_dates() == [date(2018, 9, 5)] * 7
    assert {d.count for d in db.session.scalars(select(Deadline))} == {20}


def test_deleting_a_closure_is_audited(demo, login):
    admin = login("admin@demo.test")
    admin.post("/settings/deadlines/days", {"day": "2018-08-20", "kind": "closed", "reason": "Libur daerah"})
    entry = db.session.scalar(select(CalendarDay))

    response = admin.post(f"/settings/deadlines/days/{entry.id}/delete")

    assert response.status_code == 303
    assert db.session.scalar(select(CalendarDay)) is None
    assert (
        db.session.scalar(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "calendar_day")
            .order_by(AuditEvent.id.desc())
        )
        == "deleted"
    )


def test_the_calendar_settings_belong_to_the_deadlines_package():
    accounts = Path(ombudsman.__file__).parent / "accounts"
    sources = {path.name: path.read_text(encoding="utf-8") for path in accounts.glob("*.py")}

    assert not [name for name, text in sources.items() if "ombudsman.deadlines" in text]
    assert not {"weekend_days", "cuti_bersama_is_working", "due_soon_working_days"} & set(
        Office.__table__.columns.keys()
    )
