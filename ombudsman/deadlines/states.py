"""Deadline states for one day, in Python for one record and in SQL for thousands.

Every state boundary is turned into a date once per request (`StateCutoffs`): "due soon" means the due date
falls before the (threshold + 1)-th working day after today, "very overdue" that more working (or calendar)
days than the rule's own period have passed since it. The same dates drive `state_of` and the SQL
`state_expression`, so a page listing 50,000 deadlines and the page of one deadline always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType

from sqlalchemy import Integer, and_, case, false, or_, select, text, union_all
from sqlalchemy.sql.elements import ColumnElement

from ombudsman.deadlines.calendar import WorkingCalendar
from ombudsman.deadlines.models import Deadline, DeadlineState, Unit
from ombudsman.extensions import db
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation


class StateCutoffs:
    """The dates that separate the states on `today` for one office's calendar and threshold."""

    def __init__(
        self,
        calendar: WorkingCalendar,
        today: date,
        soon_days: int,
        periods: Iterable[tuple[Unit | str, int]],
    ):
        self.calendar = calendar
        self.today = today
        self.soon_days = soon_days
        # due_soon: at most `soon_days` working days in (today, due]; that is, due before the next one.
        self.soon_before = calendar.add_working_days(today, soon_days + 1).due_on
        self._very: dict[tuple[Unit, int], date] = {}
        # `state_expression` per set of cutoffs: one request builds it once, not once per query (issue 12).
        self._expressions: dict[tuple, ColumnElement[str]] = {}
        for unit, count in set(periods):
            self.very_cutoff(unit, count)

    @property
    def very_overdue_before(self) -> Mapping[tuple[Unit, int], date]:
        """The very-overdue cutoff of every period computed so far."""
        return MappingProxyType(self._very)

    def very_cutoff(self, unit: Unit | str, count: int) -> date:
        """A due date before this is very overdue for a rule of `count` `unit` days."""
        key = (Unit(unit), count)
        if key not in self._very:
            if key[0] is Unit.CALENDAR:
                # More than `count` calendar days late: today - due > count.
                self._very[key] = self.today - timedelta(days=count)
            else:
                # More than `count` working days in (due, today]: due before the (count+1)-th one back.
                self._very[key] = _nth_working_day_back(self.calendar, self.today, count + 1)
        return self._very[key]


def _nth_working_day_back(calendar: WorkingCalendar, today: date, n: int) -> date:
    """The n-th most recent working day on or before `today` (today itself is the first if it works)."""
    day, found = today, 0
    while True:
        if calendar.is_working_day(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)


def state_of(
    deadline: Deadline | None, cut: StateCutoffs, recommendation: Recommendation | None = None
) -> DeadlineState | None:
    """The state of one deadline on `cut.today`; None for a recommendation closed before any clock ran."""
    if deadline is None:
        if recommendation is not None and recommendation.status in CLOSED_STATUSES:
            return None
        return DeadlineState.NOT_STARTED
    if deadline.closed_on is not None:
        return DeadlineState.MET if deadline.closed_on <= deadline.due_on else DeadlineState.LATE
    if deadline.stopped_on is not None:
        # A stopped clock cannot run late; stopping is refused once the due date has passed.
        return DeadlineState.OPEN
    if deadline.due_on < cut.very_cutoff(deadline.unit, deadline.count):
        return DeadlineState.VERY_OVERDUE
    if deadline.due_on < cut.today:
        return DeadlineState.OVERDUE
    if deadline.due_on < cut.soon_before:
        return DeadlineState.DUE_SOON
    return DeadlineState.OPEN


def state_expression(cut: StateCutoffs) -> ColumnElement[str]:
    """SQL for `state_of` over `Recommendation` outer-joined to `Deadline` (NULL when `state_of` is None).

    Built once per `cut` and set of periods (the same object is reused by every query of a request)."""
    key = tuple(sorted(cut.very_overdue_before.items()))
    if key not in cut._expressions:
        cut._expressions[key] = _state_expression(cut)
    return cut._expressions[key]


def _state_expression(cut: StateCutoffs) -> ColumnElement[str]:
    very = or_(
        false(),
        *(
            and_(Deadline.unit == unit, Deadline.count == count, Deadline.due_on < before)
            for (unit, count), before in sorted(cut.very_overdue_before.items())
        ),
    )
    return case(
        (
            Deadline.id.is_(None),
            case(
                (Recommendation.status.in_(sorted(CLOSED_STATUSES)), None),
                else_=DeadlineState.NOT_STARTED.value,
            ),
        ),
        (
            Deadline.closed_on.is_not(None),
            case(
                (Deadline.closed_on <= Deadline.due_on, DeadlineState.MET.value),
                else_=DeadlineState.LATE.value,
            ),
        ),
        (Deadline.stopped_on.is_not(None), DeadlineState.OPEN.value),
        (very, DeadlineState.VERY_OVERDUE.value),
        (Deadline.due_on < cut.today, DeadlineState.OVERDUE.value),
        (Deadline.due_on < cut.soon_before, DeadlineState.DUE_SOON.value),
        else_=DeadlineState.OPEN.value,
    )


def first_open_ids(office_id: int, cut: StateCutoffs, limit: int) -> list[int]:
    """Ids holding the first `limit` open deadlines: the first due after the due-soon cutoff and the first
    stopped ones, each read in (due date, id) order over an index (ix_deadlines_office_open_due, and the
    partial index of the stopped running clocks ix_deadlines_office_stopped). One query."""
    order = (Deadline.due_on, Deadline.id)
    running = (
        select(Deadline.id)
        .where(
            Deadline.office_id == office_id, Deadline.closed_on.is_(None), Deadline.due_on >= cut.soon_before
        )
        .order_by(*order)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's statistics make (office, closed on) look selective for "closed_on IS NULL", so its planner
        # would walk every running clock of the office for the few stopped ones: name the partial index.
        stopped = text(
            "SELECT id FROM deadlines INDEXED BY ix_deadlines_office_stopped WHERE office_id = :office "
            "AND stopped_on IS NOT NULL AND closed_on IS NULL ORDER BY due_on, id LIMIT :limit"
        ).bindparams(office=office_id, limit=limit)
        stopped = stopped.columns(id=Integer)
    else:
        stopped = (
            select(Deadline.id)
            .where(
                Deadline.office_id == office_id,
                Deadline.stopped_on.is_not(None),
                Deadline.closed_on.is_(None),
            )
            .order_by(*order)
            .limit(limit)
        )
    first, second = running.subquery(), stopped.subquery()
    return db.session.scalars(union_all(select(first.c.id), select(second.c.id))).all()
