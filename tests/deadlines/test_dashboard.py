"""The deadlines dashboard and its list: right figures, constant query counts (exports: another file)."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.deadlines import follow_up, reports, services, settings
from ombudsman.deadlines.commands import RecordOutcome
from ombudsman.deadlines.models import Deadline, DeadlineState
from ombudsman.extensions import db
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import Recommendation
from tests.conftest import bali_user


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # Six days after the demo letter's due date (20 September 2018).
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")


def _close(deadline, user, day: date, status="implemented"):
    follow_up.record_outcome(
        deadline.recommendation,
        RecordOutcome(status=status, closed_on=day, note="Diverifikasi"),
        evidence=[],
        user=user,
        today=date(2018, 9, 26),
        store=None,
    )


def _more(demo, n: int, *, text="Rekomendasi tambahan", received=date(2018, 9, 3)):
    """n more recommendations to the Ditjen with running clocks (by default due 15 October 2018)."""
    for i in range(n):
        rec = recommendations.create(
            demo.office.id,
            demo.users["inspector"],
            {"finding_ids": [demo.findings[9].id], "authority_id": demo.ditjen.id, "text": f"{text} {i}"},
        )
        services.start_clock(
            rec, received_on=received, issued_on=None, user=demo.users["head"], today=received
        )
    db.session.commit()


def test_dashboard_shows_overdue_deadlines_with_due_date_and_explanation(demo, started, login):
    page = login("viewer@demo.test").get("/deadlines/").get_data(as_text=True)

    assert '<div class="figure" id="count-overdue">7</div>' in page
    assert '<div class="figure" id="count-not_started">3</div>' in page
    assert "20 September 2018" in page
    assert (
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan)" in page
    )
    assert "Menambah jumlah loket pelayanan" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page


def test_due_soon_and_very_overdue_sections(demo, started, login, monkeypatch):
    b = login("viewer@demo.test")

    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")
    assert '<div class="figure" id="count-due_soon">7</div>' in b.get("/deadlines/").get_data(as_text=True)
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-11-02")  # 31 working days after the due date
    assert '<div class="figure" id="count-very_overdue">7</div>' in b.get("/deadlines/").get_data(
        as_text=True
    )


def test_authority_record_and_breakdowns(demo, started, login):
    supervisor = demo.users["supervisor"]
    _close(started[0], supervisor, date(2018, 9, 20))  # on time, 45 days after receipt
    _close(started[1], supervisor, date(2018, 9, 25))  # late, 50 days
    _close(started[2], supervisor, date(2018, 9, 24), status="not_implemented")
    db.session.commit()
    cut = settings.state_cutoffs(demo.office, date(2018, 9, 26))

    summary = reports.summary(demo.office.id, cut)

    [record] = summary.records
    assert (
        record.name,
        record.received,
        record.on_time,
        record.late,
        record.ignored,
        record.overdue,
        record.median_days,
    ) == (
        "Pemerintah Kota Kupang",
        7,
        1,
        1,
        1,  # the office recorded "not implemented": ignored
        4,  # still open past the due date: overdue, not (yet) ignored
        47.5,
    )
    assert summary.counts[DeadlineState.OVERDUE] == 4
    levels = {row.key: row.counts for row in summary.by_level}
    assert levels["local"]["overdue"] == 4
    assert levels["central"]["not_started"] == 3
    [inspector] = summary.by_inspector
    assert (inspector.label, inspector.past_due, inspector.active) == ("Maria Inspektur", 4, 4)
    assert [a.label for a in summary.by_authority] == [
        "Pemerintah Kota Kupang",
        "Direktorat Jenderal Kependudukan dan Pencatatan Sipil",
    ]
    months = reports.monthly_compliance(demo.office.id, cut)
    september = months[-1]
    assert (september.year, september.month, september.decided, september.met) == (2018, 9, 7, 1)
    assert len(months) == 12 and months[0].month == 10
    page = login("viewer@demo.test").get("/deadlines/").get_data(as_text=True)
    assert "14% (1/7)" in page
    assert '<td data-label="Diabaikan">1</td>' in page
    assert '<td data-label="Lewat tenggat">4</td>' in page


def test_dashboard_query_count_does_not_grow_with_rows(demo, started, login, count_queries):
    b = login("viewer@demo.test")
    b.get("/deadlines/")  # warm up
    with count_queries() as few:
        assert b.get("/deadlines/").status_code == 200
    _more(demo, 12, received=date(2018, 8, 6))
    with count_queries() as many:
        page = b.get("/deadlines/").get_data(as_text=True)

    assert '<div class="figure" id="count-overdue">19</div>' in page
    assert many.count == few.count, many.statements
    assert few.count <= 25


@pytest.mark.parametrize(
    "query",
    [
        "state=very_overdue",
        "state=met",
        "authority_id={pemkot}",
        "level=central",
        "inspector_id={inspector}&state=overdue",
    ],
)
def test_filtered_dashboard_query_count_does_not_grow_with_rows(demo, started, login, count_queries, query):
    """More rows in every phase (running, very overdue, closed on time and late, not started) and the filtered
    dashboard still sends the same statements: the figures come from the tallies and a bounded read."""
    url = "/deadlines/?" + query.format(pemkot=demo.pemkot.id, inspector=demo.users["inspector"].id)
    b = login("viewer@demo.test")
    b.get(url)
    with count_queries() as few:
        assert b.get(url).status_code == 200
    _more(demo, 4, received=date(2018, 8, 6))  # overdue
    _more(demo, 4, text="Lama", received=date(2018, 1, 8))  # very overdue
    _more(demo, 3, text="Ditutup", received=date(2018, 2, 5))
    for deadline in db.session.scalars(select(Deadline).where(Deadline.received_on == date(2018, 2, 5))):
        _close(deadline, demo.users["supervisor"], deadline.due_on)  # met
    for rec in recs_without_clock(demo):
        services.start_clock(
            rec, received_on=date(2018, 3, 1), issued_on=None, user=demo.users["head"], today=date(2018, 3, 1)
        )
        _close(rec.deadline, demo.users["supervisor"], date(2018, 9, 25))  # late
    db.session.commit()
    with count_queries() as many:
        assert b.get(url).status_code == 200

    assert many.count == few.count, many.statements


def recs_without_clock(demo) -> list:
    """The demo's recommendations to the Ditjen (no clock in the `started` fixture)."""
    return db.session.scalars(
        select(Recommendation).where(
            Recommendation.authority_id == demo.ditjen.id, ~Recommendation.deadline.has()
        )
    ).all()[:2]


@pytest.mark.parametrize("url", ["/deadlines/list", "/deadlines/list?state=overdue", "/deadlines/export.csv"])
def test_list_and_export_query_counts_do_not_grow(demo, started, login, count_queries, url):
    b = login("viewer@demo.test")
    b.get(url, buffered=True)
    with count_queries() as few:
        b.get(url, buffered=True)
    _more(demo, 12)
    with count_queries() as many:
        b.get(url, buffered=True)

    assert many.count == few.count, many.statements


def test_list_filters_by_state_level_and_authority(demo, started, login):
    _more(demo, 2)
    b = login("viewer@demo.test")

    overdue = b.get("/deadlines/list?state=overdue").get_data(as_text=True)
    central = b.get("/deadlines/list?level=central").get_data(as_text=True)
    ditjen = b.get(f"/deadlines/list?authority_id={demo.ditjen.id}&state=open").get_data(as_text=True)

    assert overdue.count('class="badge badge-state-overdue"') == 7
    assert "Rekomendasi tambahan" not in overdue
    assert "Rekomendasi tambahan 1" in central and "Menambah jumlah loket" not in central
    assert ditjen.count('class="badge badge-state-open"') == 2


def test_list_pages_through_many_deadlines(demo, started, login):
    page = login("viewer@demo.test").get("/deadlines/list?per_page=3&page=2").get_data(as_text=True)

    assert page.count('class="badge badge-state-') == 3
    assert "Halaman 2 dari 4" in page
    assert "page=3" in page and "per_page=3" in page


def test_a_page_past_the_end_says_so_and_links_the_last(demo, started, login):
    viewer = login("viewer@demo.test")
    page = viewer.get("/deadlines/list?per_page=3&page=9").get_data(as_text=True)
    assert "Tidak ada halaman 9; halaman terakhir daftar ini 4." in page
    assert "Halaman 9 dari 4" not in page
    assert "page=4" in page
    last = viewer.get("/deadlines/list?per_page=3&page=4").get_data(as_text=True)
    assert "Halaman 4 dari 4" in last and "Tidak ada halaman" not in last


def test_the_inspector_filter_offers_the_authors_of_recommendations_only(demo, started, login):
    """The filter narrows to the recommendations a user wrote: the users who wrote none (the admin, the
    viewer, the head here) are not offered."""
    _more(demo, 1)
    other = recommendations.create(
        demo.office.id,
        demo.users["supervisor"],
        {"finding_ids": [demo.findings[9].id], "authority_id": demo.ditjen.id, "text": "Dari supervisor"},
    )
    db.session.commit()
    assert other.id
    viewer = login("viewer@demo.test")

    for path in ("/deadlines/", "/deadlines/list"):
        offered = _offered(viewer.get(path).get_data(as_text=True), "inspector_id")
        assert offered == {str(demo.users["inspector"].id), str(demo.users["supervisor"].id)}, path


def test_a_filter_chosen_in_the_address_is_shown_selected_even_when_not_offered(demo, started, login):
    """An old bookmark's inspector (the admin, who wrote none) or authority (the province, which has none):
    the page says what it filters by instead of showing "semua" over an empty list."""
    admin, pemprov = demo.users["admin"], demo.pemprov
    viewer = login("viewer@demo.test")

    page = viewer.get(f"/deadlines/list?inspector_id={admin.id}&authority_id={pemprov.id}")
    html = page.get_data(as_text=True)

    assert f'<option value="{admin.id}" selected>{admin.name}</option>' in html
    assert f'<option value="{pemprov.id}" selected>{pemprov.name}</option>' in html
    plain = viewer.get("/deadlines/list").get_data(as_text=True)
    assert str(admin.id) not in _offered(plain, "inspector_id")
    assert str(pemprov.id) not in _offered(plain, "authority_id")
    # Another office's user is never named, whatever the address says.
    stranger = bali_user("inspector", "Inspektur Bali")
    foreign = viewer.get(f"/deadlines/list?inspector_id={stranger.id}").get_data(as_text=True)
    assert "Inspektur Bali" not in foreign and str(stranger.id) not in _offered(foreign, "inspector_id")


def _offered(page: str, name: str) -> set[str]:
    """The option values of the page's select `name`."""
    select_html = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="(\d+)"', select_html))
