"""Due-date arithmetic: the first due date of a clock and how each extension, stop and restart moves it.

Pure apart from `clock_adjustments` (one query): a `Computation` is a due date with the steps that explain
it (see `explanations`), so the same code computes a new clock, replays a stored one after a holiday
change (`changes`) and adds one event to a running one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman.deadlines import explanations
from ombudsman.deadlines.calendar import DueDate, WorkingCalendar
from ombudsman.deadlines.models import CLOCK_ADJUSTMENTS, EventKind, FollowUpEvent, Start, Unit
from ombudsman.errors import Invalid
from ombudsman.extensions import db


def add_period(
    calendar: WorkingCalendar, unit: Unit | str, start: date, n: int, *, next_working_day: bool = False
) -> DueDate:
    """`start` plus n working or calendar days; a calendar-day end on a non-working day moves to the next
    working day when the rule says so (`next_working_day`, `DeadlineRule.next_working_day`)."""
    if Unit(unit) is Unit.WORKING:
        return calendar.add_working_days(start, n)
    return calendar.add_calendar_days(start, n, next_working_day=next_working_day)


def days_between(calendar: WorkingCalendar, unit: Unit | str, a: date, b: date) -> int:
    """Working or calendar days in (a, b]."""
    if Unit(unit) is Unit.WORKING:
        return calendar.working_days_between(a, b)
    return (b - a).days


@dataclass(frozen=True)
class Adjustment:
    """A clock event the due date is replayed from."""

    kind: EventKind
    on: date
    days: int | None = None
    note: str = ""
    # An extension the authority asked for on this day, `note` being their reason (`FollowUpEvent`).
    requested_on: date | None = None

    @classmethod
    def of(cls, event: FollowUpEvent) -> Adjustment:
        """The adjustment recorded by a follow-up event."""
        return cls(event.kind, event.occurred_on, event.days, event.note, event.requested_on)


@dataclass
class Computation:
    """A due date with the steps that explain how it was reached (`explanations` facts)."""

    due_on: date
    steps: list[dict]
    warnings: list[str] = field(default_factory=list)
    stopped_on: date | None = None
    remaining: int | None = None

    @property
    def explanation(self) -> str:
        """The explanation in the current language, one line per step."""
        return explanations.render(self.steps)

    def _warn(self, due: DueDate) -> None:
        self.warnings.extend(w for w in due.warnings if w not in self.warnings)


def compute_start(
    calendar: WorkingCalendar,
    count: int,
    unit: Unit | str,
    starts: Start | str,
    start_on: date,
    *,
    next_working_day: bool = False,
) -> Computation:
    """The first due date of a clock: `count` days of `unit` after `start_on` (moved off a non-working day
    with `next_working_day`, calendar days only)."""
    due = add_period(calendar, unit, start_on, count, next_working_day=next_working_day)
    step = explanations.start_step(calendar, due, Unit(unit).value, Start(starts).value)
    result = Computation(due.due_on, [step])
    result._warn(due)
    return result


def apply_adjustment(
    calendar: WorkingCalendar,
    unit: Unit | str,
    current: Computation,
    adj: Adjustment,
    *,
    next_working_day: bool = False,
) -> Computation:
    """Move a computed due date by one clock event; `Invalid` for events that make no sense at that point
    (an extension or a stop while stopped, a stop after the due date, a restart while running). A new
    calendar-day due date moves off a non-working day with `next_working_day`, as the first one did."""
    unit = Unit(unit)
    if adj.kind is EventKind.EXTENDED:
        if current.stopped_on is not None:
            raise Invalid(_l("Akhiri penghentian sementara sebelum memberi perpanjangan."), "granted_on")
        due = add_period(calendar, unit, current.due_on, adj.days or 0, next_working_day=next_working_day)
        step = explanations.extension_step(
            calendar, due, unit.value, adj.on, adj.note, requested_on=adj.requested_on
        )
        result = Computation(due.due_on, [*current.steps, step], list(current.warnings))
        result._warn(due)
        return result
    if adj.kind is EventKind.CLOCK_STOPPED:
        if current.stopped_on is not None:
            raise Invalid(_l("Tenggat sudah dihentikan sementara."), "stopped_on")
        if adj.on > current.due_on:
            raise Invalid(
                _l(
                    "Penghentian sementara hanya dapat dimulai sampai tanggal jatuh tempo; "
                    "setelah itu berikan perpanjangan."
                ),
                "stopped_on",
            )
        remaining = days_between(calendar, unit, adj.on, current.due_on)
        step = explanations.stop_step(adj.on, adj.note, remaining, unit.value)
        return Computation(current.due_on, [*current.steps, step], list(current.warnings), adj.on, remaining)
    if adj.kind is EventKind.CLOCK_RESTARTED:
        if current.stopped_on is None:
            raise Invalid(_l("Tenggat tidak sedang dihentikan sementara."), "restarted_on")
        if adj.on < current.stopped_on:
            raise Invalid(
                _l("Tenggat tidak dapat berjalan kembali sebelum tanggal penghentian sementara."),
                "restarted_on",
            )
        due = add_period(calendar, unit, adj.on, current.remaining or 0, next_working_day=next_working_day)
        step = explanations.restart_step(calendar, due, unit.value, adj.on, adj.note)
        result = Computation(due.due_on, [*current.steps, step], list(current.warnings))
        result._warn(due)
        return result
    raise ValueError(f"{adj.kind} does not move a clock")


def replay(
    calendar: WorkingCalendar,
    *,
    count: int,
    unit: Unit | str,
    starts: Start | str,
    start_on: date,
    adjustments: Sequence[Adjustment],
    next_working_day: bool = False,
) -> Computation:
    """Recompute a due date from scratch: the start, then every extension, stop and restart in order."""
    result = compute_start(calendar, count, unit, starts, start_on, next_working_day=next_working_day)
    for adj in adjustments:
        result = apply_adjustment(calendar, unit, result, adj, next_working_day=next_working_day)
    return result


def clock_adjustments(recommendation_ids: Iterable[int]) -> dict[int, list[Adjustment]]:
    """The clock events of many recommendations, in order, in one query: {recommendation id: [...]}."""
    ids = list(recommendation_ids)
    result: dict[int, list[Adjustment]] = {i: [] for i in ids}
    if not ids:
        return result
    events = db.session.scalars(
        select(FollowUpEvent)
        .where(FollowUpEvent.recommendation_id.in_(ids), FollowUpEvent.kind.in_(CLOCK_ADJUSTMENTS))
        .order_by(FollowUpEvent.occurred_on, FollowUpEvent.id)
    )
    for event in events:
        result[event.recommendation_id].append(Adjustment.of(event))
    return result
