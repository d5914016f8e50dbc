"""A control character in a list page's search box or filter (`request_input.filter_page`): the list is shown
with the search box holding the text (each control character replaced with a space), a message beside it
and the other filters kept; nothing reaches SQL with the character. The API still answers 400 JSON.

Run on SQLite and on PostgreSQL (TEST_DATABASE_URL), which refuses NUL in text.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from ombudsman.extensions import db
from ombudsman.letters import drafting
from ombudsman.letters.commands import NewLetter
from tests.api.conftest import issue

#: Beside the search box (templates/_macros/forms.html, `search_box`).
SEARCH_MESSAGE = (
    "Teks pencarian berisi karakter yang tidak diizinkan (karakter kontrol, misalnya NUL); "
    "karakter itu diganti dengan spasi."
)
#: Above the filters, for any other parameter (`cleaned_filters_note`).
FILTER_MESSAGE = "Saringan di alamat halaman berisi karakter yang tidak diizinkan"
#: The 400 of every other page and of the API.
REFUSED = "Tidak boleh berisi karakter kontrol"
#: NUL, another C0 character, DEL and a line feed, as a typed or pasted address carries them.
CONTROLS = ["%00", "%01", "%7f", "%0a"]
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    app.config["RATELIMIT_ENABLED"] = False


@pytest.fixture
def sql_texts(database):
    """Every text parameter sent to the database while the test runs."""
    texts: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else row or ()
            texts.extend(value for value in values if isinstance(value, str))

    event.listen(database.bind, "before_cursor_execute", record)
    yield texts
    event.remove(database.bind, "before_cursor_execute", record)


def _list_page(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:500]
    assert response.mimetype == "text/html"
    return page


def _search_box(page: str) -> str:
    """The search box's block: its input and the message under it."""
    return page.split('<label for="q">', 1)[1].split("</div>", 1)[0]


def _selected(page: str, select_id: str) -> list[str]:
    block = page.split(f'<select id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected>', block)


@pytest.mark.parametrize("control", CONTROLS)
def test_findings_list_shows_the_search_without_the_character_and_keeps_the_other_filters(
    login, demo, sql_texts, control
):
    response = login("supervisor@demo.test").get(
        f"/findings/?q=nomor{control}antrean&status=open&form=tidak_patut&level=regency_city"
    )
    page = _list_page(response)
    box = _search_box(page)
    assert 'value="nomor antrean"' in box and 'aria-invalid="true"' in box
    assert f'<p class="error" role="alert" id="q-error">{SEARCH_MESSAGE}</p>' in box
    assert _selected(page, "status") == ["open"]
    assert _selected(page, "form") == ["tidak_patut"]
    assert _selected(page, "level") == ["regency_city"]
    # Searched with the text as shown: finding 2 ("Tidak ada sistem nomor antrean"), not finding 1.
    assert "Tidak ada sistem nomor antrean" in page
    assert "Jumlah loket pelayanan tidak memadai" not in page
    assert FILTER_MESSAGE not in page  # the only refused parameter was the search box's
    assert sql_texts and not [text for text in sql_texts if ANY_CONTROL.search(text)]


def test_a_search_of_nothing_but_control_characters_lists_everything_with_the_message(login, demo):
    page = _list_page(login("supervisor@demo.test").get("/findings/?q=%00%01&status=open"))
    assert 'value=""' in _search_box(page) and SEARCH_MESSAGE in page
    assert "Tidak ada sistem nomor antrean" in page and "Jumlah loket pelayanan tidak memadai" in page


@pytest.mark.parametrize("control", ["%00", "%1b"])
def test_letters_register_shows_the_search_and_keeps_the_other_filters(login, demo, sql_texts, control):
    for hal, kind in [
        ("Permintaan Klarifikasi atas Pungutan", "klarifikasi"),
        ("Saran perbaikan loket", "saran"),
    ]:
        drafting.create(
            demo.office, demo.users["inspector"], NewLetter(authority_id=demo.pemkot.id, hal=hal, kind=kind)
        )
    db.session.commit()
    sql_texts.clear()  # the drafts' own multi-line texts
    url = (
        f"/letters/?q=klarifikasi{control}pungutan&status=draft&kind=klarifikasi"
        f"&authority_id={demo.pemkot.id}"
    )
    page = _list_page(login("viewer@demo.test").get(url))
    box = _search_box(page)
    assert 'value="klarifikasi pungutan"' in box and SEARCH_MESSAGE in box
    assert _selected(page, "status") == ["draft"] and _selected(page, "kind") == ["klarifikasi"]
    assert _selected(page, "authority_id") == [str(demo.pemkot.id)]
    assert "Permintaan Klarifikasi atas Pungutan" in page and "Saran perbaikan loket" not in page
    # The export buttons carry the filters as shown, not the character.
    export = re.search(r'action="/letters/export\.csv\?([^"]*)"', page)
    assert export and "pungutan" in export[1] and control not in export[1].lower(), export
    assert not [text for text in sql_texts if ANY_CONTROL.search(text)]


def test_authority_register_shows_the_search_and_keeps_the_level(login, demo):
    page = _list_page(login("viewer@demo.test").get("/authorities/?q=Kupang%7f&level=regency_city"))
    assert 'value="Kupang"' in _search_box(page)  # trimmed, as any search and SEARCH_MESSAGE in page
    assert _selected(page, "level") == ["regency_city"]
    assert "Pemerintah Kota Kupang" in page and "Pemerintah Provinsi Nusa Tenggara Timur" not in page


@pytest.mark.parametrize("url", ["/deadlines/list", "/deadlines/"])
def test_a_control_character_in_another_filter_is_said_above_the_filters(login, demo, url):
    page = _list_page(
        login("supervisor@demo.test").get(f"{url}?state=overdue%00&authority_id={demo.dinas.id}")
    )
    assert FILTER_MESSAGE in page and 'role="alert"' in page
    assert _selected(page, "authority_id") == [str(demo.dinas.id)]
    assert _selected(page, "state") == []  # "overdue " is no state: ignored like any unknown value


@pytest.mark.parametrize("url", ["/inspections/", "/recommendations/"])
def test_lists_without_a_search_box_say_so_above_their_filters(login, demo, url):
    page = _list_page(login("supervisor@demo.test").get(f"{url}?status=open%01"))
    assert FILTER_MESSAGE in page


def test_a_parameter_name_with_a_control_character_or_invalid_utf8_is_still_400(login, demo):
    supervisor = login("supervisor@demo.test")
    for url in ["/findings/?q%00=x", "/findings/?q=a%ffb%00", "/letters/?status=draft&q=%ed%a0%80"]:
        response = supervisor.get(url)
        assert response.status_code == 400 and REFUSED in response.get_data(as_text=True), url


def test_other_pages_still_refuse_a_control_character_in_the_query_with_400(login, demo):
    supervisor = login("supervisor@demo.test")
    for url in [
        "/letters/export.csv?q=a%00b",
        f"/recommendations/new?inspection_id={demo.inspection.id}&x=%01",
    ]:
        response = supervisor.get(url)
        assert response.status_code == 400 and REFUSED in response.get_data(as_text=True), url


@pytest.mark.parametrize("control", ["%00", "%01"])
def test_the_api_still_answers_400_json_naming_the_parameter(app, demo, control):
    token = issue(demo.users["supervisor"])
    response = app.test_client().get(
        f"/api/v1/findings?q=nomor{control}antrean&status=open", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and response.is_json
    body = response.get_json()
    assert REFUSED in body["error"] and "q" in body["fields"], body
