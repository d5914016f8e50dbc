"""A field phone opened after days away: the browser kept only the remember cookie ("Tetap masuk di perangkat
ini"), yet the capture page opens and the queue can go: the page asks /capture/session for a CSRF token, then
sends with the restored session and `X-CSRFToken`. Logout everywhere and a password change still end it."""

from __future__ import annotations

import uuid

import pytest

LOGIN = "/login"


@pytest.fixture
def phone(app, demo, browser):
    """A phone that signed in with "Tetap masuk di perangkat ini", then was closed: only the remember cookie
    is left (the session cookie lives as long as the browser session)."""
    response = browser.client.post(
        LOGIN,
        data={
            "email": "inspector@demo.test",
            "password": "demo",
            "remember": "y",
            "csrf_token": browser.token(),
        },
    )
    assert response.status_code == 303
    remembered = browser.client.get_cookie("remember_token")
    assert remembered is not None and remembered.expires is not None  # persistent: survives a restart
    reopened = app.test_client()
    reopened.set_cookie("remember_token", remembered.value)
    assert reopened.get_cookie("session") is None
    return reopened


def _finding(phone, token: str | None, demo):
    headers = {"X-CSRFToken": token} if token else {}
    return phone.post(
        f"/api/v1/inspections/{demo.inspection.id}/findings",
        json={
            "client_id": str(uuid.uuid4()),
            "title": "Catatan zzz",
            "responsible_authority_id": demo.dinas.id,
        },
        headers=headers,
    )


def test_a_reopened_phone_opens_the_page_and_sends_the_queue_without_logging_in(phone, demo):
    assert phone.get("/capture/").status_code == 200  # not sent to log in
    assert phone.get("/api/v1/sync/status").status_code == 200  # reads need no token
    without = _finding(phone, None, demo)
    assert without.status_code == 400 and "X-CSRFToken" in without.json["fields"]
    probe = phone.get("/capture/session")
    assert probe.status_code == 200 and probe.json["user_id"] == demo.users["inspector"].id
    response = _finding(phone, probe.json["csrf_token"], demo)
    assert response.status_code == 201, response.json


def test_log_out_everywhere_ends_the_remembered_phone_for_the_api_too(phone, demo, login):
    login("inspector@demo.test").post("/account/sessions/end")  # from the office desk
    assert phone.get("/capture/session").status_code == 302
    assert phone.get("/api/v1/sync/status").status_code == 401


def test_a_password_change_ends_the_remembered_phone(phone, demo, login):
    desk = login("inspector@demo.test")
    new = "lampu-jalan-sepanjang-pantai"
    response = desk.post(
        "/account/password", {"current_password": "demo", "new_password": new, "confirm": new}
    )
    assert response.status_code == 303
    assert phone.get("/api/v1/sync/status").status_code == 401
    assert phone.get("/capture/session").headers["Location"].startswith(LOGIN)
