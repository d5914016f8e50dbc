"""National scale (issue 12): the finding tallies stay exact whatever writes the findings, counts past the
page are capped, and no list or dashboard page sends more SQL statements at 100,000 findings than at 1,000.

The rows are bulk-loaded with core inserts (the triggers keep the tallies as they go) inside the test's
rolled-back transaction.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from ombudsman.authorities.models import Authority, Level
from ombudsman.clock import utcnow
from ombudsman.deadlines.models import Deadline, Start, Unit
from ombudsman.extensions import db
from ombudsman.inspections import queries, tallies
from ombudsman.inspections.models import (
    Finding,
    FindingForm,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Maladministration,
)
from ombudsman.recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

PER_INSPECTION = 50


def _insert(table, rows: list[dict]) -> None:
    """Bulk insert: one statement compiled once and sent in batches (SQLAlchemy's "insertmanyvalues").

    Not `insert(table).values(rows)`: a multi-row VALUES clause is compiled afresh for every batch, bind
    parameter by bind parameter, which made loading 100,000 findings take minutes.
    """
    if rows:
        db.session.execute(insert(table), rows)


def _true_tallies() -> dict:
    rows = db.session.execute(
        select(Finding.office_id, Finding.responsible_authority_id, Finding.status, func.count()).group_by(
            Finding.office_id, Finding.responsible_authority_id, Finding.status
        )
    ).all()
    return {(o, a, FindingStatus(s)): n for o, a, s, n in rows}


def _kept_tallies() -> dict:
    rows = db.session.execute(
        select(
            tallies.FindingTally.office_id,
            tallies.FindingTally.authority_id,
            tallies.FindingTally.status,
            tallies.FindingTally.findings,
        )
    ).all()
    return {(o, a, FindingStatus(s)): n for o, a, s, n in rows if n}


def _assert_exact() -> None:
    db.session.flush()
    assert _kept_tallies() == _true_tallies()


def _inspections(office_id: int, unit_id: int, user_id: int, n: int, rng: random.Random) -> list[int]:
    rows = []
    for i in range(n):
        visited = date(2018, 1, 1) + timedelta(days=rng.randrange(2500))
        at = datetime(visited.year, visited.month, visited.day, 1, tzinfo=UTC)
        rows.append(
            {
                "office_id": office_id,
                "authority_id": unit_id,
                "kind": InspectionKind.SIDAK if i % 2 else InspectionKind.MONITORING,
                "status": InspectionStatus.SUBMITTED,
                "title": f"Inspeksi uji {i}",
                "visited_on": visited,
                "started_at": at,
                "created_by_id": user_id,
                "created_at": at,
                "updated_at": at,
            }
        )
    first = (db.session.scalar(select(func.max(Inspection.id))) or 0) + 1
    _insert(Inspection, rows)
    return db.session.scalars(select(Inspection.id).where(Inspection.id >= first)).all()


#: Authorities in the register while loading, as in a national deployment (about 1,200). Spreading the
#: findings over them also spreads the tally rows' updates: on PostgreSQL each update of a row inside one
#: transaction adds a version that later updates of that row walk past, so 100,000 findings on the demo's
#: dozen authorities (about 50 tally rows) in one test transaction took minutes instead of seconds.
REGISTER_SIZE = 1_200


def _fill_register(demo) -> None:
    have = db.session.scalar(select(func.count()).select_from(Authority))
    extra = [
        {
            "name": f"Dinas Uji {i} Kabupaten Uji",
            "level": Level.REGENCY_CITY,
            "parent_id": demo.pemkot.id,
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for i in range(REGISTER_SIZE - have)
    ]
    _insert(Authority, extra)


def load(demo, target: int, rng: random.Random, *, full_register: bool = False) -> None:
    """Findings (and one recommendation with a clock for every fourth) until the office has `target`,
    spread over the demo's authorities or, with `full_register`, over a register of `REGISTER_SIZE`."""
    office_id = demo.office.id
    have = db.session.scalar(select(func.count()).select_from(Finding).where(Finding.office_id == office_id))
    needed = target - have
    if full_register:
        _fill_register(demo)
    authorities = db.session.scalars(select(Authority.id)).all()
    user_id = demo.users["inspector"].id
    inspection_ids = _inspections(office_id, demo.pemkot.id, user_id, -(-needed // PER_INSPECTION), rng)
    statuses = list(FindingStatus)
    codes = list(Maladministration)
    first = (db.session.scalar(select(func.max(Finding.id))) or 0) + 1
    rows = []
    for i in range(needed):
        authority = rng.choice(authorities)
        rows.append(
            {
                "office_id": office_id,
                "inspection_id": inspection_ids[i // PER_INSPECTION],
                "number": i % PER_INSPECTION + 1,
                "title": f"Temuan uji {i}",
                "status": rng.choice(statuses),
                "responsible_authority_id": authority,
                "second_authority_id": demo.ditjen.id
                if i % 10 == 0 and authority != demo.ditjen.id
                else None,
                "created_by_id": user_id,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    _insert(Finding, rows)
    ids = db.session.scalars(select(Finding.id).where(Finding.id >= first)).all()
    forms = [{"finding_id": fid, "code": rng.choice(codes)} for fid in ids]
    _insert(FindingForm, forms)
    base = db.session.scalar(select(func.max(Recommendation.position))) or 0
    recs = [
        {
            "office_id": office_id,
            "authority_id": rng.choice(authorities),
            "kind": RecommendationKind.SARAN,
            "text": f"Rekomendasi uji {i}",
            "status": rng.choice(list(RecommendationStatus)),
            "position": base + 1 + i,
            "created_by_id": user_id,
        }
        for i in range(len(ids) // 4)
    ]
    _insert(Recommendation, recs)
    rec_ids = db.session.scalars(select(Recommendation.id).where(Recommendation.position > base)).all()
    deadlines = []
    for rec_id in rec_ids:
        start_on = date(2018, 1, 2) + timedelta(days=rng.randrange(300))
        deadlines.append(
            {
                "office_id": office_id,
                "recommendation_id": rec_id,
                "count": 30,
                "unit": Unit.WORKING,
                "starts": Start.ON_RECEIPT,
                "received_on": start_on,
                "start_on": start_on,
                "due_on": start_on + timedelta(days=42),
                "closed_on": start_on + timedelta(days=40) if rng.random() < 0.3 else None,
                "warnings": [],
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    _insert(Deadline, deadlines)
    db.session.commit()
    # Planner statistics, as a running server has them (autovacuum on PostgreSQL, `flask db-analyze` on
    # SQLite); inside the test's transaction ANALYZE sees the rows just loaded. Without them PostgreSQL
    # plans the 100,000-row lists as if the tables were still small.
    db.session.execute(text("ANALYZE"))


# --- tallies ------------------------------------------------------------------------------------------------


def test_tallies_stay_exact_through_every_kind_of_write(demo):
    from ombudsman.inspections import services

    _assert_exact()
    finding = services.create_finding(
        demo.inspection,
        demo.users["inspector"],
        {"title": "Temuan tally", "routing_rule_id": demo.findings[9].routing_rule_id},
    )
    _assert_exact()
    finding.status = FindingStatus.RESOLVED
    _assert_exact()
    finding.responsible_authority_id = demo.ditjen.id
    finding.status = FindingStatus.IN_FOLLOW_UP
    _assert_exact()
    load(demo, 400, random.Random(3))  # core inserts
    _assert_exact()
    db.session.execute(
        update(Finding).where(Finding.title.like("Temuan uji 1%")).values(status=FindingStatus.WITHDRAWN)
    )
    _assert_exact()
    db.session.execute(
        update(Finding).where(Finding.number == 7).values(responsible_authority_id=demo.pemprov.id)
    )
    _assert_exact()
    db.session.execute(delete(FindingForm).where(FindingForm.finding_id == finding.id))
    db.session.delete(finding)
    _assert_exact()
    gone = select(Finding.id).where(Finding.title.like("Temuan uji 2%"))
    db.session.execute(delete(FindingForm).where(FindingForm.finding_id.in_(gone)))
    db.session.execute(delete(Finding).where(Finding.title.like("Temuan uji 2%")))
    _assert_exact()


def test_dashboard_and_list_totals_read_from_tallies_match_the_findings(demo):
    load(demo, 600, random.Random(4))
    office_id = demo.office.id
    levels = dict(db.session.execute(select(Authority.id, Authority.level)).all())
    findings = db.session.execute(
        select(Finding.responsible_authority_id, Finding.status).where(Finding.office_id == office_id)
    ).all()
    open_ = [a for a, s in findings if s in tallies.OPEN_STATUSES]
    figures = queries.dashboard_figures(office_id)
    assert figures["open_central"] == sum(levels[a] is Level.CENTRAL for a in open_)
    assert figures["open_local"] == sum(levels[a] is not Level.CENTRAL for a in open_)
    for status in (None, *FindingStatus):
        for level in (None, *Level):
            want = sum(
                (status is None or s == status) and (level is None or levels[a] is level) for a, s in findings
            )
            chosen = queries.FindingFilters(status=status, level=level)
            # Exact however small the cap: these filters are read from the tallies, not counted.
            assert queries.count_findings(office_id, chosen, None, at_most=1) == (want, False), chosen


# --- capped counts ------------------------------------------------------------------------------------------


def test_counts_past_the_page_are_capped_on_the_page_and_in_the_api(demo, login, monkeypatch):
    load(demo, 300, random.Random(5))
    monkeypatch.setattr(queries, "COUNT_AHEAD", 20)
    matching = db.session.scalar(
        select(func.count())
        .select_from(Finding)
        .where(
            (Finding.responsible_authority_id == demo.ditjen.id)
            | (Finding.second_authority_id == demo.ditjen.id)
        )
    )
    assert matching > 45
    b = login("viewer@demo.test")

    page = b.get(f"/findings/?authority_id={demo.ditjen.id}&per_page=25").get_data(as_text=True)
    body = b.get(f"/api/v1/findings?authority_id={demo.ditjen.id}&per_page=25").get_json()
    everything = b.get("/findings/?per_page=25").get_data(as_text=True)
    api_all = b.get("/api/v1/findings?per_page=25").get_json()

    assert "Halaman 1 dari lebih dari 2" in page and "lebih dari 45 data" in page
    assert (body["total"], body["pages"], body["total_capped"]) == (45, 2, True)
    assert len(body["items"]) == 25
    total = db.session.scalar(select(func.count()).select_from(Finding))
    pager = everything[everything.index('<nav class="pager"') :].split("</nav>", 1)[0]
    assert f"{total} data" in pager and "lebih dari" not in pager  # exact, from the tallies
    assert (api_all["total"], api_all["total_capped"]) == (total, False)
    # The last page is reachable: the count always reaches past the page asked for.
    last = b.get(f"/api/v1/findings?authority_id={demo.ditjen.id}&per_page=25&page={matching // 25 + 1}")
    assert last.get_json()["total_capped"] is False and last.get_json()["total"] == matching


# --- queries per page ---------------------------------------------------------------------------------------


def _pages(demo) -> list[str]:
    authority = demo.ditjen.id
    return [
        "/",
        "/findings/",
        "/findings/?status=open&level=central",
        f"/findings/?authority_id={authority}",
        "/findings/?page=3",
        "/api/v1/findings",
        f"/api/v1/findings?authority_id={authority}&status=open",
        "/inspections/",
        f"/authorities/{demo.pemkot.id}",
        "/deadlines/",
        "/deadlines/list",
        "/deadlines/list?state=overdue",
        f"/deadlines/?authority_id={authority}",
    ]


@pytest.mark.scale
@pytest.mark.parametrize("sizes", [(1_000, 100_000)])
def test_queries_per_page_do_not_grow_from_1k_to_100k_findings(
    demo, login, count_queries, monkeypatch, sizes
):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")
    small, large = sizes
    rng = random.Random(6)
    b = login("viewer@demo.test")
    counts = {}
    for size in sizes:
        load(demo, size, rng, full_register=True)
        assert db.session.scalar(select(func.count()).select_from(Finding)) == size
        for url in _pages(demo):
            b.get(url)  # warm up: caches, holiday data
            with count_queries() as q:
                response = b.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[url, size] = q.count
    grew = {
        url: (counts[url, small], counts[url, large])
        for url in _pages(demo)
        if counts[url, large] > counts[url, small]
    }
    assert not grew, grew
    _assert_exact()


def test_authority_drop_down_escapes_names_and_keeps_the_choice(demo, login):
    db.session.execute(insert(Authority), [{"name": 'Dinas <b>Uji</b> & "Co"', "level": Level.REGENCY_CITY}])
    db.session.commit()
    odd = db.session.scalar(select(Authority.id).where(Authority.name.like("Dinas <b>%")))

    page = login("viewer@demo.test").get(f"/findings/?authority_id={odd}").get_data(as_text=True)

    assert f'<option value="{odd}" selected>Dinas &lt;b&gt;Uji&lt;/b&gt; &amp; &#34;Co&#34;</option>' in page
    assert f'<option value="{demo.ditjen.id}">' in page
    assert page.count(" selected>") == 1  # no other filter chosen
