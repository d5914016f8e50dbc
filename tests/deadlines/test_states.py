"""Deadline states on every boundary, and the SQL expression agreeing with the Python one."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ombudsman.deadlines import services, settings
from ombudsman.deadlines.calendar import WorkingCalendar
from ombudsman.deadlines.models import Deadline, DeadlineState, Start, Unit
from ombudsman.deadlines.states import StateCutoffs, state_expression, state_of
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation, RecommendationStatus

CALENDAR = WorkingCalendar()
DUE = date(2018, 9, 20)  # a Thursday
S = DeadlineState


def _deadline(due_on=DUE, *, count=30, unit=Unit.WORKING, closed_on=None, stopped_on=None) -> Deadline:
    return Deadline(
        count=count,
        unit=unit,
        starts=Start.ON_RECEIPT,
        due_on=due_on,
        closed_on=closed_on,
        stopped_on=stopped_on,
    )


def _state(deadline, today, soon_days=5, calendar=CALENDAR):
    return state_of(deadline, StateCutoffs(calendar, today, soon_days, []))


THIRTIETH_WORKING_DAY_AFTER = CALENDAR.add_working_days(DUE, 30).due_on  # Thursday 1 November 2018
THIRTY_FIRST = CALENDAR.add_working_days(DUE, 31).due_on  # Friday 2 November 2018


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2018, 9, 12), S.OPEN),  # 6 working days left
        (date(2018, 9, 13), S.DUE_SOON),  # 5 working days left
        (date(2018, 9, 15), S.DUE_SOON),  # a Saturday, 4 left
        (DUE, S.DUE_SOON),  # the last day to comply
        (DUE + timedelta(days=1), S.OVERDUE),
        (THIRTIETH_WORKING_DAY_AFTER, S.OVERDUE),  # late by exactly the rule's own 30 working days
        (THIRTY_FIRST, S.VERY_OVERDUE),  # late by more than the rule's period
    ],
)
def test_working_day_rule_boundaries(today, expected):
    assert (date(2018, 11, 1), date(2018, 11, 2)) == (THIRTIETH_WORKING_DAY_AFTER, THIRTY_FIRST)
    assert _state(_deadline(), today) is expected


@pytest.mark.parametrize(
    ("late_by", "expected"),
    [(0, S.DUE_SOON), (1, S.OVERDUE), (60, S.OVERDUE), (61, S.VERY_OVERDUE)],
)
def test_calendar_day_rule_is_very_overdue_after_its_own_sixty_days(late_by, expected):
    deadline = _deadline(date(2018, 10, 5), count=60, unit=Unit.CALENDAR)

    assert _state(deadline, date(2018, 10, 5) + timedelta(days=late_by)) is expected


def test_due_soon_threshold_is_the_office_setting():
    assert _state(_deadline(), date(2018, 9, 14), soon_days=3) is S.OPEN  # 4 working days left
    assert _state(_deadline(), date(2018, 9, 17), soon_days=3) is S.DUE_SOON  # 3 left


def test_closing_on_or_before_the_due_date_is_met_after_it_late():
    far_later = date(2019, 6, 1)
    assert _state(_deadline(closed_on=DUE), far_later) is S.MET
    assert _state(_deadline(closed_on=date(2018, 9, 1)), far_later) is S.MET
    assert _state(_deadline(closed_on=DUE + timedelta(days=1)), far_later) is S.LATE


def test_a_stopped_clock_is_open_whatever_the_day():
    assert _state(_deadline(stopped_on=date(2018, 9, 10)), date(2019, 6, 1)) is S.OPEN


def test_not_started_until_received_and_nothing_for_a_recommendation_closed_without_a_clock():
    cut = StateCutoffs(CALENDAR, DUE, 5, [])
    open_rec = Recommendation(status=RecommendationStatus.OPEN)
    closed_rec = Recommendation(status=RecommendationStatus.IMPLEMENTED)

    assert state_of(None, cut, open_rec) is S.NOT_STARTED
    assert state_of(None, cut) is S.NOT_STARTED
    assert state_of(None, cut, closed_rec) is None


def test_reopened_holiday_changes_the_due_soon_window():
    # From 14 August 2018 to 23 August: 15, 16, 20, 21, 23 count (17 and 22 are holidays), so 5 days left;
    # with 17 August reopened as a working day there are 6.
    reopened = WorkingCalendar(reopened={date(2018, 8, 17): "Tetap masuk"})
    deadline = _deadline(date(2018, 8, 23))

    assert _state(deadline, date(2018, 8, 14)) is S.DUE_SOON
    assert _state(deadline, date(2018, 8, 14), calendar=reopened) is S.OPEN


def test_sql_state_agrees_with_python_on_every_day(demo, recs):
    """Deadlines in every situation, checked for each day from August 2018 to January 2019."""
    user = demo.users["head"]
    rows = recs["pemkot"] + recs["ditjen"]
    situations = [
        dict(received=date(2018, 8, 6)),
        dict(received=date(2018, 8, 20)),
        dict(received=date(2018, 7, 2)),
        dict(received=date(2018, 8, 6), closed=date(2018, 9, 20)),
        dict(received=date(2018, 8, 6), closed=date(2018, 9, 21)),
        dict(received=date(2018, 8, 6), stopped=date(2018, 9, 3)),
        dict(received=date(2018, 8, 6), calendar=True),
        dict(received=date(2018, 9, 3), calendar=True),
    ]
    for rec, situation in zip(rows, situations, strict=False):
        deadline = services.start_clock(
            rec, received_on=situation["received"], issued_on=None, user=user, today=date(2018, 9, 30)
        )
        if situation.get("calendar"):
            deadline.count, deadline.unit = 60, Unit.CALENDAR
            deadline.due_on = situation["received"] + timedelta(days=60)
        deadline.closed_on = situation.get("closed")
        deadline.stopped_on = situation.get("stopped")
    rows[-1].status = RecommendationStatus.IMPLEMENTED  # closed without any clock
    db.session.commit()
    calendar = settings.office_calendar(demo.office)

    day = date(2018, 8, 1)
    while day < date(2019, 1, 31):
        cut = services.state_cutoffs(demo.office, day, calendar)
        in_sql = dict(
            db.session.execute(
                select(Recommendation.id, state_expression(cut)).outerjoin(
                    Deadline, Deadline.recommendation_id == Recommendation.id
                )
            ).all()
        )
        for rec in rows:
            expected = state_of(rec.deadline, cut, rec)
            assert in_sql[rec.id] == (expected.value if expected else None), (day, rec.id)
        day += timedelta(days=3)
