"""The web form and the API judge the same input with the same rule and the same words (one contract)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from ombudsman.extensions import db
from ombudsman.inspections.models import Inspection


def _web_form(demo, visited_on: str) -> dict:
    return {
        "title": "Sidak tanggal mustahil",
        "kind": "sidak",
        "authority_id": str(demo.dinas.id),
        "visited_on": visited_on,
    }


def _api_body(demo, visited_on: str) -> dict:
    return {"title": "Sidak tanggal mustahil", "authority_id": demo.dinas.id, "visited_on": visited_on}


@pytest.mark.parametrize("visited_on", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_an_implausible_visit_date_is_refused_by_web_and_api_with_one_message(demo, login, api, visited_on):
    before = db.session.scalar(select(func.count()).select_from(Inspection))

    response = api("inspector").post("/api/v1/inspections", json=_api_body(demo, visited_on))
    assert response.status_code == 422, response.get_data(as_text=True)
    (message,) = response.get_json()["fields"]["visited_on"]
    assert message.startswith("Tanggal harus antara 1 Januari 2000 dan ")

    page = login("inspector@demo.test").post("/inspections/new", data=_web_form(demo, visited_on))
    assert page.status_code == 422
    assert message in html.unescape(page.get_data(as_text=True))

    assert db.session.scalar(select(func.count()).select_from(Inspection)) == before


def test_a_title_too_long_gets_the_same_words_from_web_and_api(demo, login, api):
    title = "T" * 251
    response = api("inspector").post(
        "/api/v1/inspections", json={**_api_body(demo, "2018-07-30"), "title": title}
    )
    (message,) = response.get_json()["fields"]["title"]
    assert message == "Paling banyak 250 karakter."
    page = login("inspector@demo.test").post(
        "/inspections/new", data={**_web_form(demo, "2018-07-30"), "title": title}
    )
    assert page.status_code == 422 and message in page.get_data(as_text=True)


def test_a_bad_value_from_the_cli_or_a_script_is_refused_by_the_service(demo):
    from datetime import date

    from ombudsman.errors import Invalid
    from ombudsman.inspections import services

    with pytest.raises(Invalid) as refused:
        services.create_inspection(
            demo.office,
            demo.users["inspector"],
            {"title": "Sidak", "authority_id": demo.dinas.id, "visited_on": date(1, 1, 1)},
        )
    assert list(refused.value.field_messages()) == ["visited_on"]
