"""The deadlines list read in two index-ordered parts (`ombudsman.deadlines.listing`) gives exactly the rows,
order and counts of the one-statement listing, on every page and with every filter."""

import random

import pytest

from ombudsman.deadlines import listing, settings
from ombudsman.deadlines.models import DeadlineState
from ombudsman.deadlines.reports import Filters
from ombudsman.extensions import db
from tests.deadlines.test_figures import TODAY, _load


def _key(rows) -> list[tuple]:
    return [(rec.id, deadline.id if deadline is not None else None, state) for rec, deadline, state in rows]


def _filter_cases(demo) -> list[Filters]:
    inspector = demo.users["inspector"].id
    return [
        Filters(),
        Filters(authority_id=demo.pemkot.id),
        Filters(level="central"),
        Filters(inspector_id=inspector),
        Filters(level="local", inspector_id=inspector),
        Filters(state=DeadlineState.NOT_STARTED),
        Filters(state=DeadlineState.NOT_STARTED, authority_id=demo.ditjen.id),
        Filters(state=DeadlineState.OVERDUE),
        Filters(state=DeadlineState.OPEN, level="local"),
    ]


@pytest.fixture
def loaded(demo):
    _load(demo, random.Random(12), 160)
    return demo


@pytest.mark.parametrize("per_page", [7, 25])
def test_every_page_equals_the_one_statement_listing(loaded, per_page):
    office_id = loaded.office.id
    cut = settings.state_cutoffs(loaded.office, TODAY)
    for filters in _filter_cases(loaded):
        expected = _key(db.session.execute(listing.listing(office_id, cut, filters)).all())
        pages, offset = [], 0
        while True:
            rows = listing.page_rows(office_id, cut, filters, offset=offset, limit=per_page)
            assert len(rows) <= per_page
            if not rows:
                break
            pages += _key(rows)
            offset += per_page
        assert pages == expected, filters
        # A page far past the end is empty, not an error.
        assert (
            listing.page_rows(office_id, cut, filters, offset=len(expected) + 3 * per_page, limit=per_page)
            == []
        )


def test_both_parts_are_on_the_list_and_meet_on_one_page(loaded):
    """Clocks first (earliest due first), then the recommendations not started; one page holds both."""
    office_id = loaded.office.id
    cut = settings.state_cutoffs(loaded.office, TODAY)
    everything = listing.page_rows(office_id, cut, Filters(), offset=0, limit=10_000)
    states = [state for _, _, state in everything]
    first_not_started = states.index(DeadlineState.NOT_STARTED.value)
    assert first_not_started > 0 and set(states[first_not_started:]) == {DeadlineState.NOT_STARTED.value}
    due = [deadline.due_on for _, deadline, _ in everything[:first_not_started]]
    assert due == sorted(due)
    straddling = listing.page_rows(office_id, cut, Filters(), offset=first_not_started - 2, limit=5)
    assert _key(straddling) == _key(everything[first_not_started - 2 : first_not_started + 3])


def test_totals_are_exact_from_the_tallies_or_capped_for_a_dated_state(loaded):
    """Without a state and for "not started" the total is exact whatever the cap (the tally rows); for a
    state the calendar decides, it counts to the cap and says when there are more."""
    office_id = loaded.office.id
    cut = settings.state_cutoffs(loaded.office, TODAY)
    for filters in _filter_cases(loaded):
        n = len(db.session.execute(listing.listing(office_id, cut, filters)).all())
        assert n > 0, filters
        exact = filters.state in (None, DeadlineState.NOT_STARTED)
        for at_most in {1, 5, max(1, n - 1), n, n + 1, 10_000}:
            expected = (n, False) if exact else (min(n, at_most), n > at_most)
            assert listing.total(office_id, cut, filters, at_most) == expected, (filters, at_most)
