"""Deadlines through the API: the list with its filters, and recommendations carrying their deadline."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.deadlines import services as deadlines
from ombudsman.extensions import db
from ombudsman.recommendations.models import Recommendation

# The demo letter to the Wali Kota Kupang, issued 31 July and received 6 August 2018: due 20 September 2018
# (30 working days, skipping 17 and 22 August and 11 September).
ISSUED, RECEIVED, DUE = date(2018, 7, 31), date(2018, 8, 6), date(2018, 9, 20)
ROLES = ("inspector", "supervisor", "head", "admin", "viewer")


@pytest.fixture
def clocks(demo, monkeypatch) -> dict[str, list[int]]:
    """Clocks running for the seven recommendations to the Pemkot; none yet for the three to the Ditjen."""
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")
    recs = db.session.scalars(select(Recommendation).order_by(Recommendation.position)).all()
    pemkot = [r for r in recs if r.authority_id == demo.pemkot.id]
    for rec in pemkot:
        deadlines.start_clock(
            rec, received_on=RECEIVED, issued_on=ISSUED, user=demo.users["head"], today=date(2018, 8, 10)
        )
    db.session.commit()
    return {
        "pemkot": [r.id for r in pemkot],
        "ditjen": [r.id for r in recs if r.authority_id == demo.ditjen.id],
    }


def _get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _ids(body: dict) -> list[int]:
    return [item["recommendation_id"] for item in body["items"]]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_offices_deadlines_earliest_first(api, clocks, role):
    body = _get(api(role), "/api/v1/deadlines?per_page=100")
    assert body["total"] == 10 and body["pages"] == 1
    assert _ids(body) == clocks["pemkot"] + clocks["ditjen"]  # no clock yet: last
    first, last = body["items"][0], body["items"][-1]
    assert (first["due_on"], first["state"]) == (DUE.isoformat(), "open")
    assert first["received_on"] == RECEIVED.isoformat() and first["explanation"]
    assert (last["due_on"], last["state"], last["explanation"]) == (None, "not_started", "")


def test_filters_state_authority_and_level(api, demo, clocks, monkeypatch):
    client = api("viewer")
    assert _ids(_get(client, "/api/v1/deadlines?state=open&per_page=100")) == clocks["pemkot"]
    assert _ids(_get(client, "/api/v1/deadlines?state=not_started")) == clocks["ditjen"]
    assert _ids(_get(client, f"/api/v1/deadlines?authority_id={demo.ditjen.id}")) == clocks["ditjen"]
    assert _ids(_get(client, "/api/v1/deadlines?level=central")) == clocks["ditjen"]
    assert _ids(_get(client, "/api/v1/deadlines?level=local&per_page=100")) == clocks["pemkot"]
    assert _get(client, f"/api/v1/deadlines?authority_id={demo.pemkot.id}&state=not_started")["total"] == 0

    paged = _get(client, "/api/v1/deadlines?per_page=3&page=2")
    assert (paged["total"], paged["pages"], _ids(paged)) == (10, 4, clocks["pemkot"][3:6])

    # Days later the same clocks are due soon, then overdue: the state is today's.
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-19")
    assert _get(client, "/api/v1/deadlines?state=due_soon")["total"] == 7
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-24")
    body = _get(client, "/api/v1/deadlines?state=overdue&per_page=100")
    assert _ids(body) == clocks["pemkot"] and {i["state"] for i in body["items"]} == {"overdue"}
    assert _get(client, "/api/v1/deadlines?state=open")["total"] == 0


def test_bad_filters_are_refused_naming_the_field(api, clocks):
    client = api("inspector")
    for query, field in (
        ("state=late_ish", "state"),
        ("level=provincial", "level"),
        ("authority_id=x", "authority_id"),
        ("per_page=1000", "per_page"),
    ):
        response = client.get(f"/api/v1/deadlines?{query}")
        assert response.status_code == 422 and field in response.get_json()["fields"], query


def test_another_office_sees_none_of_these_deadlines(app, clocks, other_office):
    from tests.api.conftest import ApiClient, issue

    bali = ApiClient(app.test_client(), issue(other_office.users["inspector"]))
    assert _get(bali, "/api/v1/deadlines") == {
        "items": [],
        "page": 1,
        "per_page": 25,
        "total": 0,
        "pages": 0,
        "total_capped": False,
    }


def test_recommendations_carry_their_due_date_and_state(api, clocks):
    client = api("inspector")
    running = _get(client, f"/api/v1/recommendations/{clocks['pemkot'][0]}")
    assert (running["due_on"], running["deadline_state"]) == (DUE.isoformat(), "open")
    waiting = _get(client, f"/api/v1/recommendations/{clocks['ditjen'][0]}")
    assert (waiting["due_on"], waiting["deadline_state"]) == (None, "not_started")
    listed = {r["id"]: r for r in _get(client, "/api/v1/recommendations?per_page=100")["items"]}
    assert {listed[i]["deadline_state"] for i in clocks["pemkot"]} == {"open"}
    assert {listed[i]["due_on"] for i in clocks["ditjen"]} == {None}


def test_recommendation_and_deadline_lists_cost_the_same_queries_for_one_item_or_many(
    api, clocks, count_queries
):
    client = api("inspector")
    for url in ("/api/v1/recommendations", "/api/v1/deadlines"):
        _get(client, url)  # the token's last use is written on the first request only
        with count_queries() as one:
            assert len(_get(client, f"{url}?per_page=1")["items"]) == 1
        with count_queries() as many:
            assert len(_get(client, f"{url}?per_page=100")["items"]) == 10
        assert many.count == one.count, (url, "\n\n".join(many.statements[len(one.statements) - 3 :]))


def test_the_holiday_data_warning_travels_with_the_due_date(api, demo, client, monkeypatch):
    """A clock counted into a year the holiday data does not cover yet says so on the deadline and the
    recommendation (in the caller's language), documented in the OpenAPI document; others say nothing."""
    from ombudsman.deadlines.settings import office_calendar

    calendar = office_calendar(demo.office)
    year = next(y for y in range(2020, 2100) if not calendar.covers(y))
    received = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    recs = db.session.scalars(select(Recommendation).order_by(Recommendation.position)).all()
    warned, plain = recs[0], recs[1]
    deadlines.start_clock(warned, received_on=received, issued_on=None, user=None, today=received)
    deadlines.start_clock(plain, received_on=RECEIVED, issued_on=ISSUED, user=None, today=RECEIVED)
    demo.users["supervisor"].locale = "en"
    db.session.commit()
    monkeypatch.setenv("OMBUDSMAN_TODAY", received.isoformat())
    text = f"Data hari libur tahun {year} belum tersedia; tanggal jatuh tempo mungkin keliru."
    english = f"Holiday data for {year} is not yet available; due dates may be wrong."

    items = {
        i["recommendation_id"]: i for i in _get(api("viewer"), "/api/v1/deadlines?per_page=100")["items"]
    }
    english_items = _get(api("supervisor"), "/api/v1/deadlines?per_page=100")["items"]

    assert (items[warned.id]["warnings"], items[warned.id]["holiday_data_missing_years"]) == ([text], [year])
    assert (items[plain.id]["warnings"], items[plain.id]["holiday_data_missing_years"]) == ([], [])
    assert {tuple(i["warnings"]) for i in items.values() if i["recommendation_id"] != warned.id} == {()}
    assert next(i for i in english_items if i["recommendation_id"] == warned.id)["warnings"] == [english]
    assert _get(api("viewer"), f"/api/v1/recommendations/{warned.id}")["due_on_warnings"] == [text]
    assert _get(api("viewer"), f"/api/v1/recommendations/{plain.id}")["due_on_warnings"] == []

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for schema, field in (
        ("DeadlineOut", "warnings"),
        ("DeadlineOut", "holiday_data_missing_years"),
        ("RecommendationOut", "due_on_warnings"),
    ):
        documented = schemas[schema]["properties"][field]
        assert documented["type"] == "array" and documented["description"], (schema, field)
        assert field in schemas[schema]["required"]
