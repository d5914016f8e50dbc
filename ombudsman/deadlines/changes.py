"""Holiday, closure, setting and rule changes: show which open deadlines they would move, and apply them.

A stored due date is a promise made in a letter's follow-up; it never moves by itself. After an admin changes
what deadlines are counted with, `preview` recomputes every open deadline of the office from its start date,
the rule now in force and its own extensions and stops, and lists those whose date would change; `apply`
moves the ones the admin confirms, each with a dated event and an audit record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.deadlines import explanations
from ombudsman.deadlines.computation import clock_adjustments, replay
from ombudsman.deadlines.models import Deadline, DeadlineRule, EventKind, FollowUpEvent
from ombudsman.deadlines.records import DEADLINE_FIELDS
from ombudsman.deadlines.settings import office_calendar
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation

APPLIED_NOTE = "Perubahan hari libur, penutupan kantor atau aturan tenggat diterapkan."


@dataclass(frozen=True)
class Move:
    """One open deadline whose due date would change."""

    deadline: Deadline
    old_due_on: date
    new_due_on: date
    new_steps: list[dict]
    new_warnings: list[str]
    rule: DeadlineRule | None

    @property
    def new_explanation(self) -> str:
        """How the new due date is reached, in the current language."""
        return explanations.render(self.new_steps)

    @property
    def recommendation(self) -> Recommendation:
        """The recommendation the deadline belongs to."""
        return self.deadline.recommendation


def _rule_finder():
    rules = list(db.session.scalars(select(DeadlineRule)))

    def find(kind, on: date) -> DeadlineRule | None:
        return next((r for r in rules if r.kind == kind and r.in_force_on(on)), None)

    return find


def preview(office: Office) -> list[Move]:
    """Open deadlines of the office whose due date would move if recomputed today, earliest first."""
    deadlines = list(
        db.session.scalars(
            select(Deadline)
            .where(Deadline.office_id == office.id, Deadline.closed_on.is_(None))
            .options(joinedload(Deadline.recommendation).joinedload(Recommendation.authority))
            .order_by(Deadline.due_on, Deadline.id)
        )
    )
    calendar = office_calendar(office)
    adjustments = clock_adjustments(d.recommendation_id for d in deadlines)
    find_rule = _rule_finder()
    moves = []
    for deadline in deadlines:
        # No rule in force any more (an admin ended it): keep counting with the one that was applied.
        rule = find_rule(deadline.recommendation.kind, deadline.start_on)
        count, unit, starts, next_working_day = (
            (rule.count, rule.unit, rule.starts, rule.next_working_day)
            if rule
            else (deadline.count, deadline.unit, deadline.starts, deadline.next_working_day)
        )
        try:
            result = replay(
                calendar,
                count=count,
                unit=unit,
                starts=starts,
                start_on=deadline.start_on,
                adjustments=adjustments[deadline.recommendation_id],
                next_working_day=next_working_day,
            )
        except DomainError:
            # A stop that now falls after the recomputed due date: leave that deadline for a person.
            continue
        if result.due_on != deadline.due_on:
            moves.append(
                Move(
                    deadline, deadline.due_on, result.due_on, list(result.steps), list(result.warnings), rule
                )
            )
    return moves


def apply(office: Office, deadline_ids: Iterable[int], *, user: User, today: date) -> int:
    """Move the chosen deadlines of the preview to their recomputed dates; returns how many moved."""
    chosen = set(deadline_ids)
    moved = 0
    for move in preview(office):
        deadline = move.deadline
        if deadline.id not in chosen:
            continue
        before = audit.snapshot(deadline, DEADLINE_FIELDS)
        if move.rule is not None:
            deadline.rule_id, deadline.count = move.rule.id, move.rule.count
            deadline.unit, deadline.starts = move.rule.unit, move.rule.starts
            deadline.next_working_day = move.rule.next_working_day
        deadline.due_on = move.new_due_on
        deadline.explanation_facts = move.new_steps
        deadline.warnings = move.new_warnings
        db.session.add(
            FollowUpEvent(
                office_id=deadline.office_id,
                recommendation_id=deadline.recommendation_id,
                kind=EventKind.RECOMPUTED,
                occurred_on=today,
                note=APPLIED_NOTE,
                old_due_on=move.old_due_on,
                new_due_on=move.new_due_on,
                explanation_facts=move.new_steps,
                user_id=user.id,
            )
        )
        audit.record(
            "deadline",
            deadline.id,
            "recomputed",
            user_id=user.id,
            office_id=deadline.office_id,
            changes=audit.diff(before, audit.snapshot(deadline, DEADLINE_FIELDS)),
        )
        moved += 1
    db.session.flush()
    return moved
