"""The deadlines list (`/deadlines/list`, `GET /api/v1/deadlines`) and the dashboard's first rows of a state.

Rows are `(Recommendation, Deadline | None, state)` tuples, the state a `DeadlineState` value: the office's
recommendations with a clock, earliest due first, then those whose letter is not yet received ("not
started"), in their own order (position, id). `listing` is that order as one statement; it is what a state
other than "not started" is read with (the state's date conditions let an index on the due date serve).

Without a state, one statement over every recommendation outer-joined to its clock makes PostgreSQL read
all of the office's clocks and sort them for every page (40 ms at 100,000 findings, growing with the rows).
So a page is read in its two parts, each walking an index and stopping after the page (issue 12):

- the clocks, by (office, due date) (`ix_deadlines_office_due`);
- the recommendations without a clock, by (office, position, id) (`ix_recommendations_office_position`),
  with NOT EXISTS, which both databases run as an anti-join probe per row.

A page's ids come from both parts in one statement (each part read up to the page's end, the two merged),
then its rows in a second: two statements on every page. The count is the tally rows' sum.
"""

from __future__ import annotations

from sqlalchemy import Date, Select, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from ombudsman.authorities.models import Authority
from ombudsman.deadlines import tallies
from ombudsman.deadlines.models import Deadline, DeadlineState
from ombudsman.deadlines.reports import NO_FILTERS, Filters, joined, narrow_tally, narrowed, with_filters
from ombudsman.deadlines.states import StateCutoffs, first_open_ids, state_expression
from ombudsman.deadlines.tallies import DeadlineTally
from ombudsman.extensions import db
from ombudsman.pagination import capped_count
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation

NOT_STARTED = DeadlineState.NOT_STARTED

Row = tuple[Recommendation, Deadline | None, str]


def _eager(stmt: Select) -> Select:
    """The addressee (already joined) and the author loaded with the rows: no query per row."""
    return stmt.options(contains_eager(Recommendation.authority), joinedload(Recommendation.created_by))


def listing(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> Select:
    """A select() of (Recommendation, Deadline, state) rows in the list's order, as one statement."""
    state = state_expression(cut)
    stmt = joined(select(Recommendation, Deadline, state.label("state")), office_id, filters)
    stmt = narrowed(stmt.where(state.is_not(None)), cut, filters.state)
    if filters.state not in (None, NOT_STARTED):
        order = (Deadline.due_on, Deadline.id)  # lets an index on due_on serve the first rows
    else:  # recommendations without a clock last, in their own order
        order = (Deadline.due_on.is_(None), Deadline.due_on, Recommendation.position, Recommendation.id)
    return _eager(stmt).order_by(*order)


def _clocked(office_id: int, cut: StateCutoffs, filters: Filters, columns=None) -> Select:
    """Every recommendation of the office with a clock (whatever its state: a clock always has one),
    earliest due first."""
    if columns is None:
        columns = (Recommendation, Deadline, state_expression(cut).label("state"))
    stmt = joined(select(*columns), office_id, filters, clocked=True)
    return stmt.order_by(Deadline.due_on, Recommendation.position, Recommendation.id)


def _not_started(office_id: int, filters: Filters, columns=None) -> Select:
    """The office's recommendations without a clock and without an outcome, by (position, id)."""
    no_clock = ~exists().where(Deadline.recommendation_id == Recommendation.id)
    stmt = select(*(columns or (Recommendation,))).select_from(Recommendation)
    stmt = with_filters(stmt, filters).where(
        Recommendation.office_id == office_id,
        Recommendation.status.not_in(sorted(CLOSED_STATUSES)),
        no_clock,
    )
    return stmt.order_by(Recommendation.position, Recommendation.id)


def _not_started_rows(office_id: int, filters: Filters, offset: int, limit: int) -> list[Row]:
    stmt = _eager(_not_started(office_id, filters)).limit(limit).offset(offset)
    return [(rec, None, NOT_STARTED.value) for rec in db.session.scalars(stmt)]


def page_rows(office_id: int, cut: StateCutoffs, filters: Filters, *, offset: int, limit: int) -> list[Row]:
    """The list's rows `offset` to `offset + limit` (at most `limit` rows; fewer on the last page).

    Without a state: two statements whatever the page, the ids (each part read up to `offset + limit` rows
    over its index, the two merged), then their rows. With a state: one.
    """
    if filters.state is NOT_STARTED:
        return _not_started_rows(office_id, filters, offset, limit)
    if filters.state is not None:
        stmt = listing(office_id, cut, filters).limit(limit).offset(offset)
        return [tuple(row) for row in db.session.execute(stmt)]
    ids = db.session.scalars(_page_ids(office_id, cut, filters, offset, limit)).all()
    if not ids:
        return []
    state = state_expression(cut)
    stmt = joined(select(Recommendation, Deadline, state.label("state")), office_id, filters)
    found = {
        row[0].id: tuple(row) for row in db.session.execute(_eager(stmt.where(Recommendation.id.in_(ids))))
    }
    return [found[i] for i in ids if i in found]


def _page_ids(office_id: int, cut: StateCutoffs, filters: Filters, offset: int, limit: int) -> Select:
    """The ids of a page without a state: the first `offset + limit` of each part, merged in list order."""
    first = offset + limit
    clocks = _clocked(
        office_id,
        cut,
        filters,
        columns=(
            Recommendation.id.label("id"),
            literal(0).label("part"),
            Deadline.due_on.label("due_on"),
            Recommendation.position.label("position"),
        ),
    )
    waiting = _not_started(
        office_id,
        filters,
        columns=(
            Recommendation.id.label("id"),
            literal(1).label("part"),
            cast(null(), Date).label("due_on"),
            Recommendation.position.label("position"),
        ),
    )
    # Each part in a subquery of its own: SQLite allows no ORDER BY or LIMIT on a member of a UNION.
    parts = [clocks.limit(first).subquery(), waiting.limit(first).subquery()]
    merged = union_all(*(select(*part.c) for part in parts)).subquery()
    order = (merged.c.part, merged.c.due_on, merged.c.position, merged.c.id)
    return select(merged.c.id).order_by(*order).limit(limit).offset(offset)


def total(office_id: int, cut: StateCutoffs, filters: Filters, at_most: int) -> tuple[int, bool]:
    """How many rows the list has: (count, capped). One statement.

    Without a state, and for "not started", the exact count, from the maintained tally rows
    (`ombudsman.deadlines.tallies`: a few rows per authority and inspector). For a state the calendar
    decides, the clocks are counted, reading at most `at_most` + 1 of them: `capped` says there are more than
    `count` (issue 12; the exact figures per state are on the dashboard).
    """
    if filters.state in (None, NOT_STARTED):
        t = DeadlineTally
        if filters.state is NOT_STARTED:
            phases = [tallies.NOT_STARTED]
        else:
            phases = sorted(phase for phase, state in tallies.STATES.items() if state is not None)
        stmt = select(func.coalesce(func.sum(t.recommendations), 0)).select_from(t)
        stmt = stmt.join(Authority, Authority.id == t.authority_id).where(t.phase.in_(phases))
        return db.session.scalar(narrow_tally(stmt, t, office_id, filters)), False
    state = state_expression(cut)
    stmt = joined(select(Recommendation.id), office_id, filters)
    return capped_count(narrowed(stmt.where(state.is_not(None)), cut, filters.state), at_most)


def top(
    office_id: int, cut: StateCutoffs, state: DeadlineState, filters: Filters = NO_FILTERS, limit: int = 10
) -> list[Row]:
    """The first `limit` rows in one state.

    Running deadlines in the "open" state are those due after the due-soon cutoff, or stopped: an OR that
    no index serves, so without other filters the candidates are first taken from two index reads (the
    first `limit` of each, earliest due first): the office's many very overdue clocks are never walked.
    """
    narrowed_to = Filters(filters.authority_id, filters.level, filters.inspector_id, state)
    if state is NOT_STARTED:
        return _not_started_rows(office_id, narrowed_to, 0, limit)
    stmt = listing(office_id, cut, narrowed_to)
    if state is DeadlineState.OPEN and narrowed_to == Filters(state=state):
        # The ids first (a list, not a subquery: the planner then reads these rows, not the index).
        stmt = stmt.where(Deadline.id.in_(first_open_ids(office_id, cut, limit)))
    return [tuple(row) for row in db.session.execute(stmt.limit(limit))]
