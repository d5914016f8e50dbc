"""The deadlines dashboard: counts by state, authority, level and inspector, each authority's record, the
monthly compliance chart and the exports.

Every figure is one SQL aggregate over the office's recommendations outer-joined to their deadlines, with the
state computed in SQL (`states.state_expression`), so the number of queries does not grow with the rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, case, extract, func, select
from sqlalchemy.orm import contains_eager, joinedload

from ombudsman.accounts.models import User
from ombudsman.authorities.models import Authority, Level
from ombudsman.deadlines.calendar import MONTHS_ID
from ombudsman.deadlines.models import ACTIVE_STATES, PAST_DUE_STATES, Deadline, DeadlineState
from ombudsman.deadlines.states import StateCutoffs, state_expression
from ombudsman.extensions import db
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


NO_FILTERS = Filters()


def _joined(stmt: Select, office_id: int, filters: Filters) -> Select:
    stmt = (
        stmt.join(Authority, Recommendation.authority_id == Authority.id)
        .outerjoin(Deadline, Deadline.recommendation_id == Recommendation.id)
        .where(Recommendation.office_id == office_id)
    )
    if filters.authority_id:
        stmt = stmt.where(Recommendation.authority_id == filters.authority_id)
    if filters.level in LEVEL_GROUPS:
        stmt = stmt.where(Authority.level.in_(LEVEL_GROUPS[filters.level]))
    if filters.inspector_id:
        stmt = stmt.where(Recommendation.created_by_id == filters.inspector_id)
    return stmt


def facts(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS):
    """A subquery: one row per recommendation with its authority, level, inspector, dates and state."""
    state = state_expression(cut).label("state")
    stmt = _joined(
        select(
            Recommendation.id.label("recommendation_id"),
            Recommendation.authority_id.label("authority_id"),
            Authority.level.label("level"),
            Recommendation.created_by_id.label("inspector_id"),
            Recommendation.status.label("status"),
            Deadline.start_on.label("start_on"),
            Deadline.due_on.label("due_on"),
            Deadline.closed_on.label("closed_on"),
            state,
        ).select_from(Recommendation),
        office_id,
        filters,
    )
    if filters.state is not None:
        stmt = stmt.where(state_expression(cut) == filters.state.value)
    return stmt.subquery("facts")


def state_counts(
    office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS
) -> dict[DeadlineState, int]:
    """How many recommendations are in each state."""
    f = facts(office_id, cut, filters)
    rows = db.session.execute(select(f.c.state, func.count()).group_by(f.c.state)).all()
    counts = dict.fromkeys(DeadlineState, 0)
    for state, n in rows:
        if state is not None:
            counts[DeadlineState(state)] = n
    return counts


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


def _breakdown(office_id: int, cut: StateCutoffs, filters: Filters, column: str) -> dict[object, Breakdown]:
    f = facts(office_id, cut, filters)
    key = f.c[column]
    rows = db.session.execute(
        select(key, f.c.state, func.count()).where(f.c.state.is_not(None)).group_by(key, f.c.state)
    ).all()
    result: dict[object, Breakdown] = {}
    for k, state, n in rows:
        result.setdefault(k, Breakdown(k, "")).counts[DeadlineState(state)] = n
    return result


def by_authority(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> list[Breakdown]:
    """Counts by state per addressee authority, the ones with most past due first."""
    rows = _breakdown(office_id, cut, filters, "authority_id")
    names = dict(db.session.execute(select(Authority.id, Authority.name).where(Authority.id.in_(rows))).all())
    for k, row in rows.items():
        row.label = names.get(k, "?")
    return sorted(rows.values(), key=lambda r: (-r.past_due, -r.active, r.label))


def by_level(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> list[Breakdown]:
    """Counts by state for local (province, regency, city) and central government."""
    rows = _breakdown(office_id, cut, filters, "level")
    groups = {name: Breakdown(name, name) for name in LEVEL_GROUPS}
    for level, row in rows.items():
        group = "central" if Level(level) is Level.CENTRAL else "local"
        for state, n in row.counts.items():
            groups[group].counts[state] += n
    return list(groups.values())


def by_inspector(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> list[Breakdown]:
    """Counts by state per responsible inspector (the recommendation's author)."""
    rows = _breakdown(office_id, cut, filters, "inspector_id")
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(rows))).all())
    for k, row in rows.items():
        row.label = names.get(k, "?")
    return sorted(rows.values(), key=lambda r: (-r.past_due, -r.active, r.label))


@dataclass
class AuthorityRecord:
    """How one authority has answered the office's recommendations."""

    authority_id: int
    name: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    ignored: int = 0
    median_days: float | None = None


def authority_records(
    office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS
) -> list[AuthorityRecord]:
    """Per authority: recommendations received, carried out on time, late, ignored; median days to comply.

    "Carried out" is an outcome of implemented or partially implemented; "ignored" is an outcome of not
    implemented or a deadline now past due; days to comply count calendar days from the clock's start.
    """
    f = facts(office_id, cut, filters)
    complied = f.c.status.in_([s.value for s in COMPLIED])

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = db.session.execute(
        select(
            f.c.authority_id,
            Authority.name,
            count_if(f.c.start_on.is_not(None)),
            count_if(and_(complied, f.c.state == DeadlineState.MET.value)),
            count_if(and_(complied, f.c.state == DeadlineState.LATE.value)),
            count_if(
                (f.c.state.in_([s.value for s in PAST_DUE_STATES]))
                | and_(f.c.start_on.is_not(None), f.c.status == RecommendationStatus.NOT_IMPLEMENTED.value)
            ),
        )
        .join(Authority, Authority.id == f.c.authority_id)
        .group_by(f.c.authority_id, Authority.name)
        .having(count_if(f.c.start_on.is_not(None)) > 0)
    ).all()
    records = {r[0]: AuthorityRecord(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows}
    durations: dict[int, list[int]] = defaultdict(list)
    for authority_id, start_on, closed_on in db.session.execute(
        select(f.c.authority_id, f.c.start_on, f.c.closed_on).where(
            complied, f.c.closed_on.is_not(None), f.c.start_on.is_not(None)
        )
    ):
        durations[authority_id].append((closed_on - start_on).days)
    for authority_id, days in durations.items():
        if authority_id in records:
            records[authority_id].median_days = statistics.median(days)
    return sorted(records.values(), key=lambda r: (-r.ignored, r.name))


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
        """Short month label, e.g. "Agu 2018"."""
        return f"{MONTHS_ID[self.month - 1][:3]} {self.year}"


def _month_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def monthly_compliance(
    office_id: int,
    cut: StateCutoffs,
    filters: Filters = NO_FILTERS,
    months: int = 12,
) -> list[MonthCompliance]:
    """For each of the last `months` months, deadlines due that month that are decided (closed, or past
    due) and how many were met with the recommendation (partly) carried out."""
    first = _month_back(cut.today, months - 1)
    f = facts(office_id, cut, filters)
    decided = (
        select(
            extract("year", f.c.due_on).label("y"),
            extract("month", f.c.due_on).label("m"),
            case(
                (and_(f.c.state == DeadlineState.MET.value, f.c.status.in_([s.value for s in COMPLIED])), 1),
                else_=0,
            ).label("met"),
        )
        .where(
            f.c.due_on >= first,
            f.c.due_on <= cut.today,
            f.c.state.in_(
                [DeadlineState.MET.value, DeadlineState.LATE.value, *(s.value for s in PAST_DUE_STATES)]
            ),
        )
        .subquery("decided")
    )
    rows = db.session.execute(
        select(decided.c.y, decided.c.m, func.count(), func.sum(decided.c.met)).group_by(
            decided.c.y, decided.c.m
        )
    ).all()
    found = {(int(y), int(m)): (int(n), int(met or 0)) for y, m, n, met in rows}
    result = []
    for i in range(months):
        d = _month_back(cut.today, months - 1 - i)
        n, met = found.get((d.year, d.month), (0, 0))
        result.append(MonthCompliance(d.year, d.month, n, met))
    return result


def listing(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS):
    """A select() of (Recommendation, Deadline, state) rows, earliest due first, with addressee and author."""
    state = state_expression(cut)
    stmt = _joined(
        select(Recommendation, Deadline, state.label("state")).select_from(Recommendation), office_id, filters
    )
    stmt = stmt.where(state.is_not(None))
    if filters.state is not None:
        stmt = stmt.where(state == filters.state.value)
    return stmt.options(
        contains_eager(Recommendation.authority), joinedload(Recommendation.created_by)
    ).order_by(Deadline.due_on.is_(None), Deadline.due_on, Recommendation.position, Recommendation.id)


def top(
    office_id: int, cut: StateCutoffs, state: DeadlineState, filters: Filters = NO_FILTERS, limit: int = 10
):
    """The first `limit` rows in one state."""
    narrowed = Filters(filters.authority_id, filters.level, filters.inspector_id, state)
    return db.session.execute(listing(office_id, cut, narrowed).limit(limit)).all()


EXPORT_HEADER = (
    "rekomendasi_id",
    "instansi",
    "tingkat",
    "jenis",
    "inspektur",
    "isi",
    "tanggal_surat",
    "tanggal_diterima",
    "jatuh_tempo",
    "status_tenggat",
    "status_rekomendasi",
    "tanggal_hasil",
    "penjelasan",
)


def export_rows(office_id: int, cut: StateCutoffs, filters: Filters = NO_FILTERS) -> Iterator[tuple]:
    """Plain rows for CSV and XLSX exports, streamed from the database in batches."""
    state = state_expression(cut)
    stmt = _joined(
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
            state,
            Recommendation.status,
            Deadline.closed_on,
            Deadline.explanation,
        )
        .select_from(Recommendation)
        .join(User, User.id == Recommendation.created_by_id),
        office_id,
        filters,
    ).where(state.is_not(None))
    if filters.state is not None:
        stmt = stmt.where(state == filters.state.value)
    stmt = stmt.order_by(Deadline.due_on.is_(None), Deadline.due_on, Recommendation.id).execution_options(
        yield_per=1000
    )
    for row in db.session.execute(stmt):
        rid, authority, level, kind, inspector, text, issued, received, due, st, status, closed, why = row
        yield (
            rid,
            authority,
            Level(level).value,
            kind.value,
            inspector,
            text,
            issued,
            received,
            due,
            st,
            status.value,
            closed,
            why or "",
        )
