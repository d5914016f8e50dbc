"""Each input that used to crash the server with 500 (issue 9) gets a 4xx with a message, and stores nothing.

Run on SQLite and on PostgreSQL (TEST_DATABASE_URL): PostgreSQL is the one that refused NUL in text and
integers beyond its range with a DataError.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select
from wtforms import DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.forms_common import AppForm, SubForm, options
from ombudsman.inspections.models import Evidence, Finding, Inspection
from ombudsman.recommendations.models import Recommendation
from ombudsman.request_input import MAX_JSON_DEPTH, json_depth
from tests.api.conftest import issue

CONTROL = "Tidak boleh berisi karakter kontrol"
#: The message under a form field (`contracts.MSG_CONTROL`).
FIELD_CONTROL = "Tidak boleh berisi karakter kontrol (misalnya NUL)."
LIST_PAGES = [
    "/findings/",
    "/letters/",
    "/inspections/",
    "/recommendations/",
    "/authorities/",
    "/deadlines/list",
]


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    app.config["RATELIMIT_ENABLED"] = False


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Inspection, Finding, Recommendation, Evidence, AuditEvent)
    )


def _page_says(response, status: int, words: str) -> None:
    """An HTML error page with the status and the message."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    assert words in response.get_data(as_text=True)


def _form_says(response, field: str, words: str) -> str:
    """The form again (422), with `words` under `field` (the render_field macro's block); returns the page."""
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:300]
    assert response.mimetype == "text/html"
    block = page.split(f'id="field-{field}"', 1)[1].split('class="field ', 1)[0]
    assert f'<p class="error" role="alert">{words}' in block, block[:600]
    return page


def _json_says(response, status: int, field: str, words: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert words in body["error"] and field in body["fields"], body


# --- without logging in ------------------------------------------------------------------------------------


def test_nul_in_the_verify_token_is_400(client, demo):
    _page_says(client.get("/verify/abc%00def"), 400, "karakter yang tidak sah")
    _page_says(client.get("/verify/?code=AB%00CD"), 400, CONTROL)


def test_nul_in_the_login_email_is_refused_under_it_and_nobody_is_signed_in(browser, demo):
    response = browser.post("/login", data={"email": "admin@demo.test\x00", "password": "demo"})
    _form_says(response, "email", CONTROL)
    assert browser.get("/").status_code == 302  # still sent to the login page


def test_json_nested_50000_deep_on_the_token_route_is_400(client, demo):
    body = "[" * 50_000 + "]" * 50_000
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    _json_says(response, 400, "body", "terlalu dalam")
    deep_object = '{"a":' * 50_000 + "1" + "}" * 50_000
    response = client.post("/api/v1/tokens", data=deep_object, content_type="application/json")
    _json_says(response, 400, "body", "terlalu dalam")


def test_json_depth_is_measured_without_parsing():
    assert json_depth(b'{"email": "a@b.c", "password": "x"}') == 1
    assert json_depth(b'{"answers": [{"note": "[[[[{{{{"}]}') == 3  # brackets inside strings do not count
    assert json_depth(b'"\\"[["') == 0
    assert json_depth(b"[" * 100_000) == 100_000
    assert json_depth(b'"unterminated' + b"[" * 10) == 0
    assert json_depth(b"7") == 0


def test_json_at_the_depth_limit_still_reaches_the_route(client, demo):
    body = {"email": "nobody@demo.test", "password": "x", "extra": json.loads("[" * 62 + "]" * 62)}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422  # the schema's answer (unknown field), not the guard's
    assert MAX_JSON_DEPTH == 64


def test_huge_json_is_413(app, client, demo):
    app.config["MAX_JSON_BYTES"] = 1000
    response = client.post("/api/v1/tokens", json={"email": "x" * 2000, "password": "x"})
    _json_says(response, 413, "body", "terlalu besar")


def test_head_login_answers_like_get_without_a_body(client):
    get, head = client.get("/login"), client.head("/login")
    assert head.status_code == get.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_head_on_pages_answers_like_get(login, demo):
    supervisor = login("supervisor@demo.test")
    for url in [
        "/",
        f"/inspections/{demo.inspection.id}/edit",
        f"/inspections/{demo.inspection.id}/findings/new",
        "/recommendations/new",
        "/deadlines/",
        "/findings/",
    ]:
        get, head = supervisor.get(url), supervisor.client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.data == b""


# --- list pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LIST_PAGES)
def test_nul_in_a_search_shows_the_list_with_a_message(login, demo, url):
    """Not a 400 that loses the filters: the list, and the message beside the search box or above the
    filters (tests/input/test_control_characters_in_lists.py for the details)."""
    response = login("supervisor@demo.test").get(url + "?q=Kupang%00&page=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    assert '<form method="get"' in page and 'role="alert"' in page
    assert "berisi karakter yang tidak diizinkan (karakter kontrol, misalnya NUL)" in page


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_page_number_beyond_any_integer_is_400(login, demo, url):
    response = login("supervisor@demo.test").get(url + "?page=99999999999999999999")
    _page_says(response, 400, "Parameter page harus bilangan bulat")


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_page_beyond_the_last_is_an_empty_page(login, demo, url):
    supervisor = login("supervisor@demo.test")
    assert supervisor.get(url + "?page=2147483647&per_page=100").status_code == 200
    assert supervisor.get(url + "?page=-4&per_page=-1").status_code == 200  # clamped to the first page


def test_a_huge_year_is_400(login, demo):
    _page_says(login("supervisor@demo.test").get("/letters/?year=99999999999"), 400, "Parameter year")


@pytest.mark.parametrize("url", ["/findings/", "/letters/", "/deadlines/list", "/deadlines/"])
def test_a_huge_authority_filter_is_400(login, demo, url):
    response = login("supervisor@demo.test").get(url + "?authority_id=99999999999")
    _page_says(response, 400, "Parameter authority_id")


def test_ids_beyond_any_integer_in_the_path_or_query_are_4xx(login, demo):
    supervisor = login("supervisor@demo.test")
    assert supervisor.get("/inspections/99999999999999999999").status_code == 404
    assert supervisor.get("/findings/2147483648").status_code == 404
    assert supervisor.get("/recommendations/new?inspection_id=99999999999").status_code == 400
    assert supervisor.get("/findings/suggest?inspection_id=99999999999").status_code == 400


def test_invalid_utf8_and_encoded_surrogates_are_400(login, demo):
    supervisor = login("supervisor@demo.test")
    _page_says(supervisor.get("/findings/?q=%ff%fe"), 400, CONTROL)
    _page_says(supervisor.get("/findings/?q=%ed%a0%80"), 400, CONTROL)  # a lone surrogate, UTF-8 encoded


def test_rtl_override_and_long_text_are_ordinary_search_text(login, demo):
    supervisor = login("supervisor@demo.test")
    assert supervisor.get("/findings/?q=%E2%80%AEgnp.exe").status_code == 200
    assert supervisor.get("/authorities/?q=" + "a" * 100_000).status_code == 200


# --- forms and uploads -------------------------------------------------------------------------------------


def test_nul_in_a_finding_title_redisplays_the_form_with_the_input_and_stores_nothing(login, demo):
    before = _counts()
    inspector = login("inspector@demo.test")
    response = inspector.post(
        f"/inspections/{demo.inspection.id}/findings/new",
        data={"title": "Antrean\x00", "description": "Loket dibuka pukul 10.00", "severity": "high"},
    )
    page = _form_says(response, "title", CONTROL)
    assert "Loket dibuka pukul 10.00" in page and '<option selected value="high">' in page
    assert page.count(CONTROL) == 1  # the title's own length and text checks say nothing more
    assert _counts() == before


def test_nul_in_an_inspection_summary_redisplays_the_form_and_nothing_changes(login, demo):
    summary = demo.inspection.summary
    response = login("supervisor@demo.test").post(
        f"/inspections/{demo.inspection.id}/edit",
        data={"title": "Judul baru yang diketik", "summary": "Ringkasan\x00\r\nbaris dua"},
    )
    page = _form_says(response, "summary", CONTROL)
    assert 'value="Judul baru yang diketik"' in page
    db.session.refresh(demo.inspection)
    assert demo.inspection.summary == summary


def test_line_breaks_and_tabs_in_form_text_are_accepted(login, demo):
    response = login("supervisor@demo.test").post(
        f"/inspections/{demo.inspection.id}/edit", data={"title": "x", "summary": "a\r\n\tb"}
    )
    assert response.status_code != 400


def test_nul_in_a_recommendation_text_redisplays_the_form_and_stores_nothing(login, demo):
    before = _counts()
    response = login("supervisor@demo.test").post(
        f"/recommendations/new?inspection_id={demo.inspection.id}",
        data={
            "finding_ids": [str(demo.findings[1].id)],
            "authority_id": str(demo.dinas.id),
            "kind": "corrective",
            "text": "Sediakan\x00 nomor antrean",
        },
    )
    _form_says(response, "text", CONTROL)
    assert _counts() == before


def test_invalid_utf8_in_a_form_field_is_still_400(login, demo):
    """No browser sends it, and the form parser would turn it into U+FFFD: refused before the form."""
    supervisor = login("supervisor@demo.test")
    response = supervisor.client.post(
        f"/inspections/{demo.inspection.id}/edit",
        data=f"csrf_token={supervisor.token()}&title=Sidak&summary=%ff%fe".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    _page_says(response, 400, CONTROL)


class _Row(SubForm):
    note = StringField("note")


class _Bare(AppForm):
    """Fields with no bound of their own (`contracts.Text` refuses NUL too): the shared check still does."""

    title = StringField("title")
    notes = TextAreaField("notes")
    kind = SelectField("kind", choices=options([("a", "A")]))
    day = DateField("day", validators=[Optional()])
    rows = FieldList(FormField(_Row), min_entries=1)


def test_every_form_field_refuses_control_characters_with_one_message_and_keeps_the_rest(app):
    data = {
        "title": "Antrean\x00",
        "notes": "baris satu\r\n\tbaris dua",  # line breaks and tabs are text
        "kind": "a\x00",
        "day": "2026-01-01\x07",
        "rows-0-note": "\x1b[31m",
    }
    with app.test_request_context(method="POST", data=data):
        form = _Bare(meta={"csrf": False})
        assert not form.validate()
        assert form.title.errors == [FIELD_CONTROL]
        assert form.notes.errors == [] and form.notes.data == data["notes"]
        assert len(form.kind.errors) == len(form.day.errors) == 1  # their own message, not a second one
        assert form.rows[0].note.errors == [FIELD_CONTROL]
        assert form.errors["rows"] == [{"note": [FIELD_CONTROL]}]
        assert form.title.data == "Antrean\x00"  # shown again as typed, for the user to correct


def test_no_form_has_a_list_of_plain_fields_which_the_shared_check_would_miss(app):
    forms = [form for form in _all_subclasses(AppForm) if form.__module__.startswith("ombudsman.")]
    assert len(forms) > 20
    lists = [
        (form.__name__, name, field.args[0].field_class.__name__)
        for form in forms
        for name, field in vars(form).items()
        if getattr(field, "field_class", None) is FieldList
    ]
    assert lists and all(inner == "FormField" for _form, _name, inner in lists), lists


def _all_subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_nul_in_an_uploaded_file_name_keeps_the_photo_under_a_clean_name(app, login, demo, png_bytes):
    """A file name comes from the phone, not from the inspector's typing: the photo is kept, never a 5xx.

    The record keeps the name with U+FFFD for the NUL; pages and headers show it cleaned
    (tests/inspections/test_upload_safety.py).
    """
    from ombudsman.inspections.models import Evidence

    response = login("inspector@demo.test").post(
        f"/findings/{demo.findings[2].id}/evidence",
        data={"files": (io.BytesIO(png_bytes), "foto\x00.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    token = issue(demo.users["inspector"])
    response = app.test_client().post(
        f"/api/v1/findings/{demo.findings[2].id}/evidence",
        data={"file": (io.BytesIO(png_bytes), "foto\x00.png")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_json()
    names = {e.original_filename for e in db.session.scalars(select(Evidence))}
    assert "foto\ufffd.png" in names


def test_api_text_with_nul_is_400_naming_the_field(app, demo):
    token = issue(demo.users["inspector"])
    before = _counts()
    response = app.test_client().post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json={"title": "ok", "description": "baris\nbaris", "legal_basis": "UU\u0007"},
        headers={"Authorization": f"Bearer {token}"},
    )
    _json_says(response, 400, "legal_basis", CONTROL)
    response = app.test_client().post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json={"title": "Antrean\x00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    _json_says(response, 400, "title", CONTROL)
    # A form body sent to the API is refused before it is read too: the API has no form to redisplay.
    response = app.test_client().post(
        f"/api/v1/findings/{demo.findings[2].id}/evidence",
        data={"file": (io.BytesIO(b"x"), "foto.png"), "caption": "Loket\x00"},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    _json_says(response, 400, "caption", CONTROL)
    response = app.test_client().post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        data='{"title": "\\ud800"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    _json_says(response, 400, "title", CONTROL)  # a lone surrogate escape
    assert _counts() == before


def test_a_json_route_refuses_another_content_type_with_415(app, demo):
    response = app.test_client().post(
        "/api/v1/tokens", data="email=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]
