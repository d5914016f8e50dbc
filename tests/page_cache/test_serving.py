"""The page cache serves the busiest pages again only while nothing they show has changed (issue 12)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ombudsman.accounts.models import User
from ombudsman.authorities.models import Authority
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.page_cache.serving import TOKEN_MARK, page_store
from tests.api.conftest import ApiClient, issue
from tests.conftest import CSRF_RE

# The session's CSRF token, as the meta tag and the forms carry it: signed with the time, so two renders in
# different seconds differ there and nowhere else.
_TOKENS = re.compile(rb'(name="csrf[-_]token" (?:content|value)=")[^"]+"')


def _without_tokens(body: bytes) -> bytes:
    return _TOKENS.sub(rb'\1"', body)


pytestmark = pytest.mark.page_cache

PAGES = ["/findings/", "/", "/deadlines/", "/deadlines/list", "/findings/?q=antrean"]


def token_of(response) -> str:
    return CSRF_RE.search(response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("url", PAGES)
def test_the_second_request_is_served_from_the_cache_with_two_queries(demo, login, count_queries, url):
    b = login("inspector@demo.test")
    first = b.get(url)
    assert first.status_code == 200
    assert first.headers["X-Page-Cache"] == "miss"
    with count_queries() as counted:
        second = b.get(url)
    assert second.status_code == 200
    assert second.headers["X-Page-Cache"] == "hit"
    # The signed-in user, then the stamps: nothing that grows with the office's data.
    assert counted.count == 2, counted.statements
    assert _without_tokens(second.get_data()) == _without_tokens(first.get_data())
    assert _TOKENS.search(second.get_data())  # the page carries a token, and it is not the marker
    assert TOKEN_MARK not in second.get_data()
    assert second.headers["Content-Security-Policy"]  # the after-request headers are set on a hit too


def test_the_api_list_is_kept_per_token_user_and_query(app, demo, count_queries):
    api = ApiClient(app.test_client(), issue(demo.users["inspector"]))
    first = api.get("/api/v1/findings?per_page=2")
    assert first.headers["X-Page-Cache"] == "miss"
    with count_queries() as counted:
        second = api.get("/api/v1/findings?per_page=2")
    assert second.headers["X-Page-Cache"] == "hit"
    assert counted.count == 2, counted.statements  # the token with its user, then the stamps
    assert second.get_json() == first.get_json()
    assert api.get("/api/v1/findings?per_page=3").headers["X-Page-Cache"] == "miss"
    assert api.get("/api/v1/findings?per_page=abc").status_code == 422


def test_the_api_deadlines_list_is_kept_and_shows_a_change_at_once(app, demo):
    """`GET /api/v1/deadlines` is kept like the findings list; an outcome recorded through the API (which
    closes the recommendation) is on the very next answer."""
    api = ApiClient(app.test_client(), issue(demo.users["inspector"]))
    first = api.get("/api/v1/deadlines?per_page=100")
    assert first.headers["X-Page-Cache"] == "miss"
    assert api.get("/api/v1/deadlines?per_page=100").headers["X-Page-Cache"] == "hit"
    item = next(i for i in first.get_json()["items"] if i["recommendation_status"] == "open")
    changed = api.patch(
        f"/api/v1/recommendations/{item['recommendation_id']}",
        json={"status": "implemented", "outcome_note": "Antrean kini tertib."},
    )
    assert changed.status_code == 200, changed.get_json()
    after = api.get("/api/v1/deadlines?per_page=100")
    assert after.headers["X-Page-Cache"] == "miss"
    statuses = {i["recommendation_id"]: i["recommendation_status"] for i in after.get_json()["items"]}
    if item["state"] == "not_started":  # closed before any clock: no state, so off the list
        assert item["recommendation_id"] not in statuses
    else:
        assert statuses[item["recommendation_id"]] == "implemented"


def test_a_kept_page_carries_each_session_its_own_working_csrf_token(demo, login):
    phone, laptop = login("inspector@demo.test"), login("inspector@demo.test")
    from_phone = phone.get("/findings/")
    from_laptop = laptop.get("/findings/")
    assert from_laptop.headers["X-Page-Cache"] == "hit"
    assert token_of(from_laptop) != token_of(from_phone)
    # The token on the kept page is the laptop's own: signing out with it works.
    out = laptop.client.post("/logout", data={"csrf_token": token_of(from_laptop)})
    assert out.status_code == 303
    assert laptop.get("/findings/").status_code in (302, 303)


def test_a_new_finding_shows_on_the_next_request(demo, login):
    b = login("inspector@demo.test")
    assert b.get("/findings/").headers["X-Page-Cache"] == "miss"
    assert b.get("/findings/").headers["X-Page-Cache"] == "hit"
    # Another user, another request, another transaction: only the database says something changed.
    inspections.create_finding(
        demo.inspection, demo.users["supervisor"], {"title": "Loket prioritas lansia tidak ada"}
    )
    db.session.commit()
    after = b.get("/findings/")
    assert after.headers["X-Page-Cache"] == "miss"
    assert "Loket prioritas lansia tidak ada" in after.get_data(as_text=True)


def test_a_renamed_authority_shows_in_every_office_page(demo, login):
    b = login("inspector@demo.test")
    assert b.get("/findings/").headers["X-Page-Cache"] == "miss"
    authority = db.session.scalar(select(Authority).where(Authority.id == demo.dinas.id))
    authority.name = "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang (baru)"
    db.session.commit()
    after = b.get("/findings/")
    assert after.headers["X-Page-Cache"] == "miss"
    assert "Kota Kupang (baru)" in after.get_data(as_text=True)


def test_users_and_languages_never_see_each_others_pages(demo, login):
    inspector, supervisor = login("inspector@demo.test"), login("supervisor@demo.test")
    mine = inspector.get("/findings/")
    theirs = supervisor.get("/findings/")
    assert theirs.headers["X-Page-Cache"] == "miss"
    assert demo.users["supervisor"].name in theirs.get_data(as_text=True)
    assert demo.users["supervisor"].name not in mine.get_data(as_text=True).split("<main>")[0]
    assert inspector.get("/lang/en?next=/findings/").status_code == 303
    english = inspector.get("/findings/")
    assert english.headers["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_a_colleagues_language_switch_keeps_the_offices_pages(demo, login):
    """The language is part of the key: switching it saves `users.locale`, which no page shows, so the
    other users' kept pages stay (they were all emptied); a change of name still renders them afresh."""
    inspector, supervisor = login("inspector@demo.test"), login("supervisor@demo.test")
    assert inspector.get("/findings/").headers["X-Page-Cache"] == "miss"
    assert supervisor.get("/lang/en?next=/findings/").status_code == 303
    assert inspector.get("/findings/").headers["X-Page-Cache"] == "hit"
    db.session.get(User, demo.users["supervisor"].id).name = "Supervisor Baru"
    db.session.commit()
    assert inspector.get("/findings/").headers["X-Page-Cache"] == "miss"


def test_a_page_with_a_message_waiting_is_shown_once_and_never_kept(demo, login):
    b = login("inspector@demo.test")
    b.get("/findings/")
    with b.client.session_transaction() as session:
        session["_flashes"] = [("success", "Pesan untuk sekali tampil")]
    shown = b.get("/findings/")
    assert "Pesan untuk sekali tampil" in shown.get_data(as_text=True)
    assert "X-Page-Cache" not in shown.headers
    again = b.get("/findings/")
    assert again.headers["X-Page-Cache"] == "hit"
    assert "Pesan untuk sekali tampil" not in again.get_data(as_text=True)


def test_another_day_renders_afresh(demo, login, monkeypatch):
    b = login("inspector@demo.test")
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2025-06-30")
    assert b.get("/deadlines/").headers["X-Page-Cache"] == "miss"
    assert b.get("/deadlines/").headers["X-Page-Cache"] == "hit"
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2025-07-01")
    assert b.get("/deadlines/").headers["X-Page-Cache"] == "miss"


def test_turned_off_nothing_is_kept(app, demo, login):
    b = login("inspector@demo.test")
    kept = app.extensions["page_cache"]
    app.extensions["page_cache"] = None
    try:
        assert "X-Page-Cache" not in b.get("/findings/").headers
        assert "X-Page-Cache" not in b.get("/findings/").headers
    finally:
        app.extensions["page_cache"] = kept
    assert page_store(app) is kept
