"""The deadline tallies (issue 12) stay equal to a count from scratch after every kind of change: a new
recommendation, a clock started, extended, stopped and restarted, a corrected receipt, a closing met, late
or "not implemented", a reopening, a re-routing to another authority or inspector or office, a status
change without a clock, bulk core writes, and deletes of clocks and recommendations (cascades included).
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: the triggers are each database's own."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import delete, select, update

from ombudsman.accounts.models import Office
from ombudsman.deadlines import adjustments, follow_up, services, tallies
from ombudsman.deadlines.commands import Extend, RecordOutcome, Reopen, RestartClock, StopClock
from ombudsman.deadlines.models import Deadline
from ombudsman.extensions import db
from ombudsman.letters.models import LetterRecommendation
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation

TODAY = date(2018, 10, 1)


def _clock_phase(deadline: Deadline) -> str:
    if deadline.closed_on is not None:
        return tallies.MET if deadline.closed_on <= deadline.due_on else tallies.LATE
    return tallies.STOPPED if deadline.stopped_on is not None else tallies.RUNNING


def _recounted() -> tuple[Counter, Counter, Counter]:
    """The three tallies counted one recommendation at a time from the stored rows."""
    db.session.flush()
    db.session.expire_all()
    rows, days, months = Counter(), Counter(), Counter()
    for rec in db.session.scalars(select(Recommendation)):
        deadline = rec.deadline
        group = (rec.office_id, rec.authority_id, rec.created_by_id, rec.status)
        if deadline is None:
            phase = tallies.NO_CLOCK if rec.status in CLOSED_STATUSES else tallies.NOT_STARTED
        else:
            phase = _clock_phase(deadline)
            due = deadline.due_on.year * 100 + deadline.due_on.month
            months[deadline.office_id, due, deadline.unit, deadline.count, phase, rec.status] += 1
            if deadline.closed_on is not None:
                days[(*group, phase, (deadline.closed_on - deadline.start_on).days)] += 1
        rows[(*group, phase)] += 1
    return rows, days, months


def _kept() -> tuple[Counter, Counter, Counter]:
    """The three tallies as the triggers kept them, every row (a zero or negative one included)."""
    t, d, m = tallies.DeadlineTally, tallies.DeadlineDayTally, tallies.DeadlineMonthTally
    tables = (
        select(t.office_id, t.authority_id, t.inspector_id, t.status, t.phase, t.recommendations),
        select(d.office_id, d.authority_id, d.inspector_id, d.status, d.phase, d.days, d.recommendations),
        select(m.office_id, m.due_month, m.unit, m.count, m.phase, m.status, m.deadlines),
    )
    return tuple(Counter({tuple(r[:-1]): r[-1] for r in db.session.execute(q)}) for q in tables)


def _assert_exact(step: str) -> None:
    kept, recounted = _kept(), _recounted()
    assert kept == recounted, step
    # A row leaves when its count reaches zero: none points at what is gone.
    assert all(n > 0 for counter in kept for n in counter.values()), step


@pytest.fixture
def bali(demo) -> Office:
    office = Office(
        name="Ombudsman RI Perwakilan Provinsi Bali",
        short_name="Ombudsman Bali",
        province="Bali",
        city="Denpasar",
        timezone="Asia/Makassar",
    )
    db.session.add(office)
    db.session.flush()
    return office


def test_tallies_stay_exact_through_every_kind_of_change(demo, recs, letter, bali):
    head, supervisor = demo.users["head"], demo.users["supervisor"]
    _assert_exact("the demo's recommendations, no clock yet")
    assert _kept()[0], "the demo's recommendations are counted"

    new = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {"finding_ids": [demo.findings[1].id], "authority_id": demo.pemkot.id, "text": "Menambah kursi"},
    )
    _assert_exact("created")

    started = [
        services.start_clock(
            rec, received_on=letter.received, issued_on=letter.issued, user=head, today=TODAY
        )
        for rec in [*recs["pemkot"], new]
    ]
    _assert_exact("clocks started")

    adjustments.extend(
        started[0],
        Extend(days=10, reason="Permintaan Wali Kota", granted_on=date(2018, 9, 18)),
        user=supervisor,
        today=date(2018, 9, 18),
    )
    assert started[0].due_on.month == 10  # moved to another due month
    _assert_exact("extended")

    adjustments.stop_clock(
        started[1], StopClock(stopped_on=date(2018, 9, 6), reason="Menunggu"), user=supervisor, today=TODAY
    )
    _assert_exact("stopped")
    adjustments.restart_clock(
        started[1],
        RestartClock(restarted_on=date(2018, 9, 12), reason="Jawaban"),
        user=supervisor,
        today=TODAY,
    )
    _assert_exact("restarted")

    services.correct_receipt(
        started[2],
        received_on=date(2018, 8, 7),
        issued_on=letter.issued,
        reason="Salah ketik",
        user=supervisor,
        today=TODAY,
    )
    _assert_exact("receipt corrected")

    for deadline, status, day in (
        (started[2], "implemented", date(2018, 9, 20)),  # met
        (started[3], "partially_implemented", date(2018, 9, 28)),  # late
        (started[4], "not_implemented", date(2018, 9, 25)),
    ):
        follow_up.record_outcome(
            deadline.recommendation,
            RecordOutcome(status=status, closed_on=day, note="Diverifikasi"),
            evidence=[],
            user=supervisor,
            today=TODAY,
            store=None,
        )
        _assert_exact(f"closed {status}")

    follow_up.reopen(started[3].recommendation, Reopen(reason="Bukti kurang"), user=supervisor, today=TODAY)
    _assert_exact("reopened")

    recommendations.update(started[5].recommendation, supervisor, {"authority_id": demo.ditjen.id})
    _assert_exact("re-routed with a clock")
    ditjen = recs["ditjen"][0]
    recommendations.update(ditjen, supervisor, {"authority_id": demo.pemprov.id})
    _assert_exact("re-routed without a clock")
    recommendations.update(ditjen, supervisor, {"status": "not_implemented", "outcome_note": "Ditolak"})
    _assert_exact("closed without a clock")
    recommendations.update(ditjen, supervisor, {"status": "open", "outcome_note": ""})
    _assert_exact("opened again without a clock")

    # Writes outside the services: bulk core updates of every watched column.
    db.session.execute(
        update(Recommendation).where(Recommendation.id == new.id).values(created_by_id=head.id)
    )
    _assert_exact("another inspector")
    db.session.execute(update(Deadline).where(Deadline.recommendation_id == new.id).values(office_id=bali.id))
    db.session.execute(update(Recommendation).where(Recommendation.id == new.id).values(office_id=bali.id))
    _assert_exact("moved to another office")
    db.session.execute(update(Deadline).values(closed_on=date(2018, 9, 30)))
    _assert_exact("every clock closed at once")
    db.session.execute(update(Deadline).values(closed_on=None, unit="calendar", count=60))
    _assert_exact("every clock open again, another period")

    other = recs["ditjen"][1]
    clock = services.start_clock(other, received_on=letter.received, issued_on=None, user=head, today=TODAY)
    db.session.execute(
        update(Deadline).where(Deadline.id == clock.id).values(recommendation_id=recs["ditjen"][2].id)
    )
    _assert_exact("a clock moved to another recommendation")

    db.session.execute(delete(LetterRecommendation))  # the letters' hold on their recommendations
    db.session.execute(delete(Deadline).where(Deadline.id == started[6].id))
    _assert_exact("a clock deleted")
    db.session.delete(db.session.get(Deadline, started[5].id))
    _assert_exact("a clock deleted through the session")
    # Its clock goes by the database's cascade.
    db.session.execute(delete(Recommendation).where(Recommendation.id == new.id))
    _assert_exact("a recommendation with a clock deleted")
    db.session.delete(db.session.get(Recommendation, recs["ditjen"][0].id))
    _assert_exact("a recommendation without a clock deleted")
    db.session.execute(delete(Recommendation))
    _assert_exact("every recommendation deleted")
    assert _kept() == (Counter(), Counter(), Counter())


def test_backfill_counts_what_is_there(demo, recs, letter):
    """The migration's counting statements give the triggers' rows."""
    head = demo.users["head"]
    for rec in recs["pemkot"][:4]:
        services.start_clock(
            rec, received_on=letter.received, issued_on=letter.issued, user=head, today=TODAY
        )
    follow_up.record_outcome(
        recs["pemkot"][0],
        RecordOutcome(status="implemented", closed_on=date(2018, 9, 24), note="Selesai"),
        evidence=[],
        user=demo.users["supervisor"],
        today=TODAY,
        store=None,
    )
    db.session.flush()
    kept = _kept()
    for table in (tallies.DeadlineTally, tallies.DeadlineDayTally, tallies.DeadlineMonthTally):
        db.session.execute(delete(table))
    for statement in tallies.backfill_statements(db.session.get_bind().dialect.name):
        db.session.execute(db.text(statement))

    assert _kept() == kept == _recounted()
