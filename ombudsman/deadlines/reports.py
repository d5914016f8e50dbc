"""The deadlines dashboard: counts by state, authority, level and inspector, each authority's record, the
monthly compliance chart and the exports.

The dashboard's figures come from the maintained tally rows (`ombudsman.deadlines.tallies`) and a bounded read
of the clocks near today (`figures`); the lists and exports from SQL over the recommendations and their
deadlines with the state computed in SQL (`states.state_expression`). The number of queries does not grow
with the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    String,
    and_,
    case,
    extract,
    func,
    or_,
    select,
    type_coerce,
)

from ombudsman.accounts.models import User
from ombudsman.authorities.models import Authority, Level
from ombudsman.authorities.services import LEVEL_LABELS
from ombudsman.deadlines import explanations, tallies
from ombudsman.deadlines.labels import STATE_LABELS, warning_texts
from ombudsman.deadlines.models import ACTIVE_STATES, PAST_DUE_STATES, Deadline, DeadlineState
from ombudsman.deadlines.states import StateCutoffs, state_expression
from ombudsman.extensions import db
from ombudsman.letters import lookups as letter_lookups
from ombudsman.recommendations.forms import KIND_LABELS, STATUS_LABELS
from ombudsman.recommendations.models import Recommendation, RecommendationStatus

COMPLIED = (RecommendationStatus.IMPLEMENTED, RecommendationStatus.PARTIALLY_IMPLEMENTED)
LEVEL_GROUPS = {"local": (Level.PROVINCIAL, Level.REGENCY_CITY), "central": (Level.CENTRAL,)}


@dataclass(frozen=True)
class Filters:
    """What the dashboard and its exports are narrowed to."""

    authority_id: int | None = None
    level: str | None = None  # "local" or "central"
    inspector_id: int | None = None
    state: DeadlineState | None = None

    def as_args(self, **override) -> dict[str, str]:
        """The filters as query-string arguments (for links and exports), with some replaced."""
        args = {
            "authority_id": self.authority_id,
            "level": self.level,
            "inspector_id": self.inspector_id,
            "state": self.state.value if self.state else None,
            **override,
        }
        return {k: str(v) for k, v in args.items() if v}

    @classmethod
    def from_args(cls, args) -> Filters:
        """The filters of query-string arguments (a werkzeug `MultiDict`); unknown values are ignored.

        In a request, an id out of the integer range is a 400 (`ombudsman.request_input.BoundedArgs`).
        """
        state, level = args.get("state"), args.get("level")
        return cls(
            authority_id=args.get("authority_id", type=int),
            level=level if level in LEVEL_GROUPS else None,
            inspector_id=args.get("inspector_id", type=int),
            state=DeadlineState(state) if state in {s.value for s in DeadlineState} else None,
        )


NO_FILTERS = Filters()


def joined(stmt: Select, office_id: int, filters: Filters, *, clocked: bool = False) -> Select:
    """Recommendations with their authority and (if any) deadline, narrowed by the filters but not the state.

    A state other than "not started" needs a clock, so the query then starts from the office's deadlines:
    the database can use their (office, due date) index instead of reading every recommendation.
    """
    if clocked or filters.state not in (None, DeadlineState.NOT_STARTED):
        stmt = (
            stmt.select_from(Deadline)
            .join(Recommendation, Recommendation.id == Deadline.recommendation_id)
            .where(Deadline.office_id == office_id)
        )
    else:
        stmt = (
            stmt.select_from(Recommendation)
            .outerjoin(Deadline, Deadline.recommendation_id == Recommendation.id)
            .where(Recommendation.office_id == office_id)
        )
    return with_filters(stmt, filters)


def with_filters(stmt: Select, filters: Filters) -> Select:
    """`stmt` (over `Recommendation`) joined with the recommendation's authority and narrowed by the filters'
    authority, level and inspector (not the state)."""
    stmt = stmt.join(Authority, Recommendation.authority_id == Authority.id)
    if filters.authority_id:
        stmt = stmt.where(Recommendation.authority_id == filters.authority_id)
    if filters.level in LEVEL_GROUPS:
        stmt = stmt.where(Authority.level.in_(LEVEL_GROUPS[filters.level]))
    if filters.inspector_id:
        stmt = stmt.where(Recommendation.created_by_id == filters.inspector_id)
    return stmt


def narrowed(stmt: Select, cut: StateCutoffs, state: DeadlineState | None) -> Select:
    """Filter on one state, adding plain date conditions that imply it so an index on due_on can serve."""
    if state is None:
        return stmt
    stmt = stmt.where(state_expression(cut) == state.value)
    if state is DeadlineState.NOT_STARTED:
        return stmt.where(Deadline.id.is_(None))
    stmt = stmt.where(Deadline.id.is_not(None))
    if state in ACTIVE_STATES:
        stmt = stmt.where(Deadline.closed_on.is_(None))
    cutoffs = cut.very_overdue_before.values()
    if state is DeadlineState.DUE_SOON:
        stmt = stmt.where(Deadline.due_on >= cut.today, Deadline.due_on < cut.soon_before)
    elif state is DeadlineState.OVERDUE:
        # Earlier than every rule's very-overdue cutoff is very overdue whatever the rule.
        stmt = stmt.where(Deadline.due_on < cut.today, Deadline.due_on >= min(cutoffs, default=date.min))
    elif state is DeadlineState.VERY_OVERDUE:
        stmt = stmt.where(Deadline.due_on < max(cutoffs, default=date.min))
    elif state is DeadlineState.OPEN:
        stmt = stmt.where(or_(Deadline.due_on >= cut.soon_before, Deadline.stopped_on.is_not(None)))
    return stmt


def facts(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS, *, clocked: bool = False):
    """A subquery: one row per recommendation with its authority, level, inspector, dates and state."""
    state = state_expression(cut).label("state")
    stmt = joined(
        select(
            Recommendation.id.label("recommendation_id"),
            Recommendation.authority_id.label("authority_id"),
            Authority.level.label("level"),
            Recommendation.created_by_id.label("inspector_id"),
            Recommendation.status.label("status"),
            Deadline.start_on.label("start_on"),
            Deadline.due_on.label("due_on"),
            Deadline.closed_on.label("closed_on"),
            Deadline.stopped_on.label("stopped_on"),
            state,
        ),
        office_id,
        filters,
        clocked=clocked,
    )
    return narrowed(stmt, cut, filters.state).subquery("facts")


def state_counts(
    office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS
) -> dict[DeadlineState, int]:
    """How many recommendations are in each state (from the tallies, see `figures`)."""
    return figures(office_id, cut, filters).summary.counts


@dataclass
class Breakdown:
    """Counts by state for one authority, level or inspector."""

    key: object
    label: str
    counts: dict[DeadlineState, int] = field(default_factory=lambda: dict.fromkeys(DeadlineState, 0))

    @property
    def active(self) -> int:
        """Deadlines still running."""
        return sum(self.counts[s] for s in ACTIVE_STATES)

    @property
    def past_due(self) -> int:
        """Overdue and very overdue."""
        return sum(self.counts[s] for s in PAST_DUE_STATES)


@dataclass
class AuthorityRecord:
    """How one authority has answered the office's recommendations."""

    authority_id: int
    name: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    ignored: int = 0
    overdue: int = 0
    median_days: float | None = None


@dataclass
class Summary:
    """Every figure of the dashboard except the lists and the chart.

    An authority's record counts recommendations received (a clock was started), carried out on time and
    late (an outcome of implemented or partially implemented, met or late), ignored (the office recorded the
    outcome "not implemented") and overdue (still open, its deadline now past: not yet a judgement that it
    was ignored); days to comply are calendar days from the clock's start.
    """

    counts: dict[DeadlineState, int]
    by_authority: list[Breakdown]
    by_level: list[Breakdown]
    by_inspector: list[Breakdown]
    records: list[AuthorityRecord]


def _by_past_due(rows: dict) -> list[Breakdown]:
    return sorted(rows.values(), key=lambda r: (-r.past_due, -r.active, r.label))


@dataclass(frozen=True)
class MonthCompliance:
    """Deadlines that fell due in one month and how many were met with the recommendation carried out."""

    year: int
    month: int
    decided: int
    met: int

    @property
    def percent(self) -> float | None:
        """Share met, or None for a month with nothing due."""
        return 100 * self.met / self.decided if self.decided else None

    @property
    def label(self) -> str:
        """Short month label in the reader's language, e.g. "Agu 2018" ("Aug 2018")."""
        return format_date(date(self.year, self.month, 1), "MMM y")


def _month_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


DECIDED_STATES = (DeadlineState.MET, DeadlineState.LATE, *PAST_DUE_STATES)


@dataclass
class Figures:
    """The dashboard's summary and monthly compliance chart, read in one pass."""

    summary: Summary
    months: list[MonthCompliance]


def _month_key(day: date) -> int:
    return day.year * 100 + day.month


def narrow_tally(stmt: Select, table, office_id: int, filters: Filters) -> Select:
    """`stmt` over a tally `table` narrowed to the office and the filters' authority, level (`Authority`
    joined by the caller) and inspector."""
    stmt = stmt.where(table.office_id == office_id)
    if filters.authority_id:
        stmt = stmt.where(table.authority_id == filters.authority_id)
    if filters.level in LEVEL_GROUPS:
        stmt = stmt.where(Authority.level.in_(LEVEL_GROUPS[filters.level]))
    if filters.inspector_id:
        stmt = stmt.where(table.inspector_id == filters.inspector_id)
    return stmt


def figures(
    office_id: int,
    cut: StateCutoffs,
    filters: Filters = NO_FILTERS,
    months: int = 12,
    *,
    medians_for: int | None = None,
) -> Figures:
    """Every figure of the dashboard (`Summary`) and the last `months` months of compliance.

    Read from the maintained tally rows (`ombudsman.deadlines.tallies`), never from every recommendation
    (issue 12): the office's rows per authority, inspector, status and phase (every running clock counted
    as very overdue), corrected by the running clocks due from the first day of the month of the earliest
    cutoff on (`states.state_expression` over the (office, due date) index: the only clocks whose state can
    be anything else), plus the chart's months before that from the rows per office and due month. With an
    authority, level or inspector filter the chart's months come from the deadlines due in the chart's
    window instead (a bounded query). `cut` must hold the cutoff of every period the office's deadlines use
    (`settings.state_cutoffs` reads them all). `medians_for`: the median days only for the first that many
    records in their order (the ones a page shows), None for all. Queries: four, plus names.
    """
    first = _month_back(cut.today, months - 1)
    boundary = min([cut.today, *cut.very_overdue_before.values()]).replace(day=1)
    narrowed = bool(filters.authority_id or filters.level or filters.inspector_id)
    read_from = min(boundary, first) if narrowed else boundary
    wanted = filters.state

    groups: dict[tuple, int] = defaultdict(int)  # (authority, level, inspector, status, state) -> n
    decided: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # month key -> [decided, met]

    t = tallies.DeadlineTally
    # Plain strings, not enums: a few hundred rows are summed here (StrEnum members compare equal).
    keys = (t.authority_id, _plain(Authority.level), t.inspector_id, _plain(t.status), t.phase)
    stmt = select(*keys, func.sum(t.recommendations)).join(Authority, Authority.id == t.authority_id)
    stmt = narrow_tally(stmt.where(t.recommendations != 0), t, office_id, filters)
    for authority_id, level, inspector_id, status, phase, n in db.session.execute(stmt.group_by(*keys)):
        state = tallies.STATES[phase]
        if state is not None and n:
            groups[authority_id, level, inspector_id, status, state] += n

    # The clocks whose state the calendar decides today, and (for the chart) everything due since read_from.
    f = facts(office_id, cut, NO_FILTERS, clocked=True)
    running = and_(f.c.closed_on.is_(None), f.c.stopped_on.is_(None)).label("running")
    in_window = and_(f.c.due_on >= first, f.c.due_on <= cut.today)
    month_key = case(
        (in_window, extract("year", f.c.due_on) * 100 + extract("month", f.c.due_on)), else_=None
    ).label("month_key")
    keys = (
        f.c.authority_id,
        _plain(f.c.level),
        f.c.inspector_id,
        _plain(f.c.status),
        f.c.state,
        running,
        month_key,
    )
    stmt = select(*keys, func.count()).where(f.c.due_on >= read_from).group_by(*keys)
    # The filters in a form no index serves ("+ 0", "|| ''"): the office's (due date) range then drives the
    # read, not every recommendation of the authority in every office (SQLite's planner would take those).
    if filters.authority_id:
        stmt = stmt.where(f.c.authority_id + 0 == filters.authority_id)
    if filters.level in LEVEL_GROUPS:
        stmt = stmt.where(_plain(f.c.level).concat("").in_([lv.value for lv in LEVEL_GROUPS[filters.level]]))
    if filters.inspector_id:
        stmt = stmt.where(f.c.inspector_id + 0 == filters.inspector_id)
    for authority_id, level, inspector_id, status, state_value, is_running, month, n in db.session.execute(
        stmt
    ):
        state = DeadlineState(state_value)
        if is_running:  # counted above as very overdue
            groups[authority_id, level, inspector_id, status, DeadlineState.VERY_OVERDUE] -= n
            groups[authority_id, level, inspector_id, status, state] += n
        if month is not None and state in DECIDED_STATES and (wanted is None or state is wanted):
            decided[int(month)][0] += n
            decided[int(month)][1] += n if state is DeadlineState.MET and status in COMPLIED else 0

    if not narrowed:
        m = tallies.DeadlineMonthTally
        stmt = (
            select(m.phase, _plain(m.status), m.due_month, func.sum(m.deadlines))
            .where(
                m.office_id == office_id,
                m.deadlines != 0,
                m.due_month >= _month_key(first),
                m.due_month < _month_key(read_from),
            )
            .group_by(m.phase, m.status, m.due_month)
        )
        for phase, status, month, n in db.session.execute(stmt):
            state = tallies.STATES[phase]
            if state in DECIDED_STATES and (wanted is None or state is wanted):
                decided[month][0] += n
                decided[month][1] += n if state is DeadlineState.MET and status in COMPLIED else 0

    counts = dict.fromkeys(DeadlineState, 0)
    authorities: dict[int, Breakdown] = {}
    levels = {name: Breakdown(name, name) for name in LEVEL_GROUPS}
    inspectors: dict[int, Breakdown] = {}
    records: dict[int, AuthorityRecord] = {}
    for (authority_id, level, inspector_id, status, state), n in groups.items():
        if not n or (wanted is not None and state is not wanted):
            continue
        counts[state] += n
        if authority_id not in authorities:
            authorities[authority_id] = Breakdown(authority_id, "")
        authorities[authority_id].counts[state] += n
        levels["central" if level == Level.CENTRAL else "local"].counts[state] += n
        if inspector_id not in inspectors:
            inspectors[inspector_id] = Breakdown(inspector_id, "")
        inspectors[inspector_id].counts[state] += n
        if state is DeadlineState.NOT_STARTED:
            continue
        if authority_id not in records:
            records[authority_id] = AuthorityRecord(authority_id, "")
        record = records[authority_id]
        record.received += n
        if status in COMPLIED and state is DeadlineState.MET:
            record.on_time += n
        elif status in COMPLIED and state is DeadlineState.LATE:
            record.late += n
        elif status == RecommendationStatus.NOT_IMPLEMENTED:
            record.ignored += n
        elif state in PAST_DUE_STATES:
            record.overdue += n
    names = dict(
        db.session.execute(select(Authority.id, Authority.name).where(Authority.id.in_(authorities))).all()
    )
    people = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(inspectors))).all())
    for key, row in authorities.items():
        row.label = names.get(key, "?")
    for key, row in inspectors.items():
        row.label = people.get(key, "?")
    for authority_id, record in records.items():
        record.name = names.get(authority_id, "?")
    ordered = sorted(records.values(), key=lambda r: (-r.ignored, -r.overdue, r.name))
    shown = ordered if medians_for is None else ordered[:medians_for]
    medians = _median_days(office_id, filters, [r.authority_id for r in shown])
    for record in shown:
        record.median_days = medians.get(record.authority_id)
    chart = []
    for i in range(months):
        d = _month_back(cut.today, months - 1 - i)
        n, met = decided.get(_month_key(d), (0, 0))
        chart.append(MonthCompliance(d.year, d.month, n, met))
    summary_ = Summary(
        counts=counts,
        by_authority=_by_past_due(authorities),
        by_level=list(levels.values()),
        by_inspector=_by_past_due(inspectors),
        records=ordered,
    )
    return Figures(summary=summary_, months=chart)


def _plain(column):
    """`column` read as the string stored, without the enum conversion of each row."""
    return type_coerce(column, String())


def _median_days(office_id: int, filters: Filters, authority_ids: list[int]) -> dict[int, float]:
    """Per authority of `authority_ids`, the median calendar days from a clock's start to its closing with
    the recommendation (partly) carried out, as `statistics.median` gives it (an int, or the mean of the
    middle two).

    From the rows per days to closing (`tallies.DeadlineDayTally`, `tallies.medians`).
    """
    phases = {None: (tallies.MET, tallies.LATE), DeadlineState.MET: (tallies.MET,)}
    phases[DeadlineState.LATE] = (tallies.LATE,)
    if filters.state not in phases:  # no closing in this state: no durations
        return {}
    t = tallies.DeadlineDayTally
    n = func.sum(t.recommendations).label("n")
    histogram = select(t.authority_id, t.days, n)
    if filters.level in LEVEL_GROUPS:  # the level is the authority's
        histogram = histogram.join(Authority, Authority.id == t.authority_id)
    histogram = histogram.where(
        t.phase.in_(phases[filters.state]), t.status.in_(COMPLIED), t.recommendations != 0
    ).where(t.authority_id.in_(authority_ids))
    h = narrow_tally(histogram, t, office_id, filters).group_by(t.authority_id, t.days).subquery()
    return tallies.medians(h)


def summary(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> Summary:
    """All counts of the dashboard (see `figures`, which reads them together with the chart)."""
    return figures(office_id, cut, filters).summary


def monthly_compliance(
    office_id: int,
    cut: StateCutoffs,
    filters: Filters = NO_FILTERS,
    months: int = 12,
) -> list[MonthCompliance]:
    """For each of the last `months` months, deadlines due that month that are decided (closed, or past
    due) and how many were met with the recommendation (partly) carried out (see `figures`)."""
    return figures(office_id, cut, filters, months).months


#: The export's columns, in the reader's language (the file is for people, not for another program).
EXPORT_HEADER = (
    _l("ID rekomendasi"),
    _l("Nomor surat"),
    _l("Instansi"),
    _l("Tingkat"),
    _l("Jenis"),
    _l("Inspektur"),
    _l("Isi rekomendasi"),
    _l("Tanggal surat"),
    _l("Tanggal diterima"),
    _l("Jatuh tempo"),
    _l("Peringatan jatuh tempo"),
    _l("Status tenggat"),
    _l("Status rekomendasi"),
    _l("Tanggal hasil"),
    _l("Penjelasan"),
)


def export_rows(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> Iterator[tuple]:
    """The rows of the exports, one per recommendation with a deadline state, matching `EXPORT_HEADER`.

    Typed values for `ombudsman.exports`: ids as ints, dates as dates, states, levels, kinds and statuses as
    labels in the reader's language, and the number of the issued letter that carries the recommendation
    ("" when none does). Two queries whatever the number of rows; the rows are streamed in batches.
    """
    state = state_expression(cut)
    stmt = joined(
        select(
            Recommendation.id,
            Authority.name,
            Authority.level,
            Recommendation.kind,
            User.name,
            Recommendation.text,
            Deadline.issued_on,
            Deadline.received_on,
            Deadline.due_on,
            Deadline.warnings,
            state,
            Recommendation.status,
            Deadline.closed_on,
            Deadline.explanation_facts,
            Deadline.legacy_explanation,
        ),
        office_id,
        filters,
    )
    stmt = narrowed(
        stmt.join(User, User.id == Recommendation.created_by_id).where(state.is_not(None)), cut, filters.state
    )
    numbers = letter_lookups.receipt_letter_numbers(stmt.with_only_columns(Recommendation.id))
    stmt = stmt.order_by(Deadline.due_on.is_(None), Deadline.due_on, Recommendation.id)
    for row in db.session.execute(stmt.execution_options(yield_per=1000)):
        rid, auth, level, kind, who, text, issued, received, due, warned, st, status, closed, facts, old = row
        yield (
            rid,
            numbers.get(rid, ""),
            auth,
            LEVEL_LABELS[Level(level)],
            KIND_LABELS[kind],
            who,
            text,
            issued,
            received,
            due,
            "; ".join(warning_texts(warned)),
            STATE_LABELS[DeadlineState(st)],
            STATUS_LABELS[status],
            closed,
            explanations.render(facts) if facts is not None else old or "",
        )
