"""A user changes their own password on the account page: the current one is asked, a wrong one is refused
and counts toward the lockout, and every other session of the user ends while this one stays signed in."""

from __future__ import annotations

from sqlalchemy import select

from ombudsman.accounts.models import User
from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db

NEW = "lampu-jalan-sepanjang-pantai"
PAGE = "/letters/"


def _change(browser, current: str, new: str = NEW, confirm: str | None = None):
    return browser.post(
        "/account/password",
        {"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm},
    )


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_account_page_offers_the_change(demo, login):
    page = login("inspector@demo.test").get("/account").get_data(as_text=True)
    assert "Ganti kata sandi" in page and 'name="current_password"' in page


def test_a_wrong_current_password_is_refused_and_counts_toward_the_lockout(demo, login):
    me = login("inspector@demo.test")
    response = _change(me, "not-my-password")
    assert response.status_code == 422
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)
    user = _user("inspector@demo.test")
    assert user.failed_logins == 1
    assert login("inspector@demo.test", "demo").get(PAGE).status_code == 200  # nothing else changed


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(demo, app, login):
    phone = login("inspector@demo.test")
    saved = phone.client.get_cookie("session").value
    desk = login("inspector@demo.test")

    response = _change(desk, "demo")

    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert desk.get(PAGE).status_code == 200  # this browser stays signed in
    assert phone.get(PAGE).status_code == 302  # the other device is sent to log in
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert replay.get(PAGE).status_code == 302  # and a copy of its old cookie is worthless
    assert login("inspector@demo.test", NEW).get(PAGE).status_code == 200
    assert login("supervisor@demo.test").get(PAGE).status_code == 200  # only this user's sessions end
    user = _user("inspector@demo.test")
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
    ).all()
    assert "password_changed" in events


def test_the_new_password_must_pass_the_policy_and_match(demo, login):
    me = login("inspector@demo.test")
    short = _change(me, "demo", "pendek")
    assert short.status_code == 422 and "minimal 12 karakter" in short.get_data(as_text=True)
    breached = _change(me, "demo", "password1234")
    assert breached.status_code == 422 and "pernah bocor" in breached.get_data(as_text=True)
    mine = _change(me, "demo", "inspector@demo.test-2026")
    assert mine.status_code == 422 and "e-mail atau nama" in mine.get_data(as_text=True)
    mismatch = _change(me, "demo", NEW, confirm=NEW + "x")
    assert mismatch.status_code == 422 and "tidak sama" in mismatch.get_data(as_text=True)
    assert me.get(PAGE).status_code == 200
    assert _user("inspector@demo.test").failed_logins == 0  # the right current password is no failure
    assert login("inspector@demo.test", "demo").get(PAGE).status_code == 200
