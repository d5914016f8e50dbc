"""The language picked before signing in (ID/EN on the login page) survives the sign-in, which starts a fresh
session, and becomes the account's saved language; with none picked, the account's saved language applies.
Through the real login form, CSRF on."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_password_reset import NEW, _forgot, _link, _reset

from ombudsman.accounts.models import User
from ombudsman.extensions import db

ENGLISH = '<html lang="en">'
INDONESIAN = '<html lang="id">'


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _pick(browser, code: str, page: str = "/login") -> None:
    """Press ID or EN at the top of `page` (the link carries the page to come back to)."""
    answer = browser.get(f"/lang/{code}", query_string={"next": page})
    assert answer.status_code == 303 and answer.headers["Location"] == page


def _home(browser) -> str:
    return browser.get("/").get_data(as_text=True)


def test_english_picked_on_the_login_page_stays_after_sign_in_and_is_saved(demo, app, browser):
    assert _user("inspector@demo.test").locale == "id"
    _pick(browser, "en")
    assert ENGLISH in browser.get("/login").get_data(as_text=True)

    assert browser.login("inspector@demo.test").status_code == 303

    home = _home(browser)
    assert ENGLISH in home and ">Home<" in home
    assert _user("inspector@demo.test").locale == "en"
    # Saved: another device, where nothing was picked, opens in English too.
    elsewhere = type(browser)(app.test_client())
    assert elsewhere.login("inspector@demo.test").status_code == 303
    assert ENGLISH in _home(elsewhere)


def test_indonesian_picked_on_the_login_page_wins_over_a_saved_english(demo, browser):
    demo.users["supervisor"].locale = "en"
    db.session.commit()
    _pick(browser, "id")

    browser.login("supervisor@demo.test")

    home = _home(browser)
    assert INDONESIAN in home and ">Beranda<" in home
    assert _user("supervisor@demo.test").locale == "id"


@pytest.mark.parametrize("saved", ["en", "id"])
def test_without_a_pick_the_account_language_applies(demo, browser, saved):
    demo.users["head"].locale = saved
    db.session.commit()
    assert INDONESIAN in browser.get("/login").get_data(as_text=True)  # the default until someone signs in

    browser.login("head@demo.test")

    assert f'<html lang="{saved}">' in _home(browser)
    assert _user("head@demo.test").locale == saved


def test_a_failed_sign_in_keeps_the_pick_and_saves_it_on_nobody(demo, browser):
    _pick(browser, "en")

    refused = browser.login("viewer@demo.test", "wrong")

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert ENGLISH in page and "Incorrect e-mail or password." in page
    assert _user("viewer@demo.test").locale == "id"
    assert browser.login("viewer@demo.test").status_code == 303
    assert ENGLISH in _home(browser) and _user("viewer@demo.test").locale == "en"


def test_the_sign_in_session_is_fresh_but_for_the_language(demo, browser):
    _pick(browser, "en")
    browser.token()  # the login page, shown: its CSRF token is in the session
    with browser.client.session_transaction() as session:
        before = dict(session)
        session["planted"] = "from before the sign-in"
    assert before["lang"] == "en" and before.get("csrf_token")

    browser.login("admin@demo.test")

    with browser.client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before["csrf_token"]
        assert session["lang"] == "en"


def test_after_a_password_reset_the_login_page_keeps_the_language_of_the_reset_page(demo, app, browser, smtp):
    _forgot(browser, "inspector@demo.test")
    path = _link(smtp.inbox.wait_for(1)[0])
    _pick(browser, "en", path)
    assert ENGLISH in browser.get(path).get_data(as_text=True)

    done = _reset(browser, path)

    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    login_page = browser.get("/login").get_data(as_text=True)
    assert ENGLISH in login_page
    signed_in = type(browser)(browser.client)
    assert signed_in.login("inspector@demo.test", NEW).status_code == 303
    assert ENGLISH in _home(signed_in)


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_language_link_followed_from_another_site_changes_nothing(demo, login, site):
    """Fetch Metadata: the switch saves the account's language, so a GET from elsewhere must not."""
    browser = login("inspector@demo.test")
    answer = browser.get("/lang/en", query_string={"next": "/findings/"}, headers={"Sec-Fetch-Site": site})
    assert answer.status_code == 303 and answer.headers["Location"] == "/findings/"
    db.session.expire_all()
    assert _user("inspector@demo.test").locale == "id"
    assert INDONESIAN in _home(browser)

    own = browser.get("/lang/en", headers={"Sec-Fetch-Site": "same-origin"})  # the page's own ID/EN link
    assert own.status_code == 303
    db.session.expire_all()
    assert _user("inspector@demo.test").locale == "en"
    assert ENGLISH in _home(browser)
