"""The dashboard's figures from one SQL aggregate equal the same figures counted record by record in Python
(`states.state_of`), on varied data with due dates on every state boundary, with and without filters."""

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from ombudsman.authorities.models import Authority, Level
from ombudsman.clock import utcnow
from ombudsman.deadlines import listing, reports, settings
from ombudsman.deadlines.models import PAST_DUE_STATES, Deadline, DeadlineState, Start, Unit
from ombudsman.deadlines.states import state_of
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

TODAY = date(2018, 9, 26)
COMPLIED = reports.COMPLIED
PERIODS = ((Unit.WORKING, 30), (Unit.CALENDAR, 60), (Unit.WORKING, 10))


def _boundary_days(cut) -> list[date]:
    """Every state boundary of `cut`, the day before and the day after, and days far on either side."""
    edges = [cut.today, cut.soon_before, *cut.very_overdue_before.values()]
    days = {edge + timedelta(days=k) for edge in edges for k in (-1, 0, 1)}
    days |= {cut.today - timedelta(days=400), cut.today - timedelta(days=200), cut.today + timedelta(days=90)}
    return sorted(days)


def _load(demo, rng: random.Random, n: int) -> None:
    """n recommendations (all statuses, three authorities, two inspectors), most with a clock."""
    office = demo.office
    inspectors = [demo.users["inspector"].id, demo.users["supervisor"].id]
    authorities = [demo.pemkot.id, demo.ditjen.id, demo.pemprov.id]
    cut = settings.state_cutoffs(office, TODAY)
    for unit, count in PERIODS:
        cut.very_cutoff(unit, count)
    days = _boundary_days(cut)
    base = db.session.scalar(select(db.func.max(Recommendation.position))) or 0
    recs = [
        {
            "office_id": office.id,
            "authority_id": rng.choice(authorities),
            "kind": rng.choice(list(RecommendationKind)),
            "text": f"Rekomendasi uji {i}",
            "status": rng.choice(list(RecommendationStatus)),
            "position": base + 1 + i,
            "created_by_id": rng.choice(inspectors),
        }
        for i in range(n)
    ]
    db.session.execute(insert(Recommendation), recs)
    ids = db.session.scalars(select(Recommendation.id).where(Recommendation.position > base)).all()
    deadlines = []
    for rec_id in ids:
        if rng.random() < 0.15:
            continue  # no clock: not started, or no state when the recommendation is closed
        unit, count = rng.choice(PERIODS)
        due = rng.choice(days)
        start = due - timedelta(days=rng.randrange(40, 90))
        row = {
            "office_id": office.id,
            "recommendation_id": rec_id,
            "count": count,
            "unit": unit,
            "starts": Start.ON_RECEIPT,
            "received_on": start,
            "start_on": start,
            "due_on": due,
            "warnings": [],
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        roll = rng.random()
        if roll < 0.3:
            row["closed_on"] = due + timedelta(days=rng.choice((-5, -1, 0, 0, 1, 7)))
        elif roll < 0.37:
            row["stopped_on"] = start + timedelta(days=3)
        deadlines.append(row)
    db.session.execute(insert(Deadline), deadlines)
    db.session.flush()


def _expected(office_id: int, cut, filters: reports.Filters, months: int = 12):
    """The figures counted one recommendation at a time, as a person (or `state_of`) would."""
    recs = db.session.scalars(select(Recommendation).where(Recommendation.office_id == office_id)).all()
    levels = dict(db.session.execute(select(Authority.id, Authority.level)).all())
    counts = Counter()
    by_authority, by_inspector, by_level = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    records = defaultdict(
        lambda: {"received": 0, "on_time": 0, "late": 0, "ignored": 0, "overdue": 0, "days": []}
    )
    chart = defaultdict(lambda: [0, 0])
    first = reports._month_back(cut.today, months - 1)
    for rec in recs:
        level = "central" if levels[rec.authority_id] is Level.CENTRAL else "local"
        if filters.authority_id and rec.authority_id != filters.authority_id:
            continue
        if filters.level and level != filters.level:
            continue
        if filters.inspector_id and rec.created_by_id != filters.inspector_id:
            continue
        state = state_of(rec.deadline, cut, rec)
        if state is None or (filters.state and state is not filters.state):
            continue
        counts[state] += 1
        by_authority[rec.authority_id][state] += 1
        by_inspector[rec.created_by_id][state] += 1
        by_level[level][state] += 1
        deadline = rec.deadline
        if deadline is not None and rec.status in COMPLIED and deadline.closed_on is not None:
            records[rec.authority_id]["days"].append((deadline.closed_on - deadline.start_on).days)
        decided = state in (DeadlineState.MET, DeadlineState.LATE, *PAST_DUE_STATES)
        if deadline is not None and first <= deadline.due_on <= cut.today and decided:
            key = (deadline.due_on.year, deadline.due_on.month)
            chart[key][0] += 1
            chart[key][1] += state is DeadlineState.MET and rec.status in COMPLIED
        if state is DeadlineState.NOT_STARTED:
            continue
        record = records[rec.authority_id]
        record["received"] += 1
        if rec.status in COMPLIED and state is DeadlineState.MET:
            record["on_time"] += 1
        elif rec.status in COMPLIED and state is DeadlineState.LATE:
            record["late"] += 1
        elif rec.status is RecommendationStatus.NOT_IMPLEMENTED:
            record["ignored"] += 1
        elif state in PAST_DUE_STATES:
            record["overdue"] += 1
    return counts, by_authority, by_inspector, by_level, records, chart


def _as_counter(counts) -> Counter:
    return Counter({DeadlineState(k): v for k, v in counts.items() if v})


@pytest.mark.parametrize("seed", [1, 2])
def test_figures_equal_counting_each_recommendation(demo, seed):
    _load(demo, random.Random(seed), 400)
    cut = settings.state_cutoffs(demo.office, TODAY)
    choices = [
        reports.NO_FILTERS,
        reports.Filters(level="central"),
        reports.Filters(level="local"),
        reports.Filters(authority_id=demo.pemkot.id),
        reports.Filters(inspector_id=demo.users["supervisor"].id),
        *(reports.Filters(state=state) for state in DeadlineState),
    ]
    for filters in choices:
        counts, by_authority, by_inspector, by_level, records, chart = _expected(demo.office.id, cut, filters)
        figures = reports.figures(demo.office.id, cut, filters)
        summary = figures.summary

        assert _as_counter(summary.counts) == counts, filters
        assert {r.key: _as_counter(r.counts) for r in summary.by_authority} == by_authority, filters
        assert {r.key: _as_counter(r.counts) for r in summary.by_inspector} == by_inspector, filters
        assert {r.key: _as_counter(r.counts) for r in summary.by_level if sum(r.counts.values())} == by_level
        got = {
            r.authority_id: (r.received, r.on_time, r.late, r.ignored, r.overdue, r.median_days)
            for r in summary.records
        }
        want = {
            key: (
                r["received"],
                r["on_time"],
                r["late"],
                r["ignored"],
                r["overdue"],
                statistics.median(r["days"]) if r["days"] else None,
            )
            for key, r in records.items()
            if r["received"]
        }
        assert got == want, filters
        assert {(m.year, m.month): [m.decided, m.met] for m in figures.months if m.decided} == dict(chart)
        assert len(figures.months) == 12 and (figures.months[-1].year, figures.months[-1].month) == (2018, 9)
        # The list states' own counts (the list page's total) agree too.
        assert _as_counter(reports.state_counts(demo.office.id, cut, filters)) == counts, filters


def test_every_state_occurs_in_the_varied_data(demo):
    """The data above reaches every state, so the equality covers each boundary."""
    _load(demo, random.Random(1), 400)
    cut = settings.state_cutoffs(demo.office, TODAY)
    counts = reports.figures(demo.office.id, cut).summary.counts
    assert all(counts[state] > 0 for state in DeadlineState), counts


def test_median_days_only_for_the_records_a_page_shows(demo):
    """`medians_for` reads the medians of the first records only; theirs equal the full figures'."""
    _load(demo, random.Random(3), 300)
    cut = settings.state_cutoffs(demo.office, TODAY)
    full = reports.figures(demo.office.id, cut).summary.records
    shown = reports.figures(demo.office.id, cut, medians_for=2).summary.records

    assert [r.authority_id for r in shown] == [r.authority_id for r in full] and len(full) == 3
    assert [r.median_days for r in shown[:2]] == [r.median_days for r in full[:2]]
    assert full[0].median_days is not None and shown[2].median_days is None


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_first_rows_of_each_state_equal_the_listing(demo, limit):
    """The dashboard's lists (the "open" one read from two index ranges) are the listing's first rows."""
    _load(demo, random.Random(4), 300)
    cut = settings.state_cutoffs(demo.office, TODAY)
    for state in DeadlineState:
        filters = reports.Filters(state=state)
        expected = db.session.execute(listing.listing(demo.office.id, cut, filters).limit(limit)).all()
        got = listing.top(demo.office.id, cut, state, limit=limit)
        assert [(r[0].id, r[2]) for r in got] == [(r[0].id, r[2]) for r in expected], state
    stopped_first = listing.top(demo.office.id, cut, DeadlineState.OPEN, limit=limit)
    assert any(row[1].stopped_on is not None for row in stopped_first)  # stopped clocks due early come first
