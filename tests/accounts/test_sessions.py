"""Sessions end on the server: a saved cookie is worthless after logout, a password reset, deactivation or
"log out everywhere"; a phone that changes network (or proxy hop) keeps its session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombudsman import create_app
from ombudsman.accounts.models import User
from ombudsman.extensions import db

LOGIN = "/login"
PAGE = "/letters/"


@pytest.fixture
def new_browser(browser):
    """Factory: a browser-like client (tests/conftest.py's Browser) on a new client of any app."""
    return lambda app: type(browser)(app.test_client())


def _saved(client, name: str = "session") -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replay(app, value: str, name: str = "session"):
    """A new browser that only has the saved cookie, asking for a page that needs a login."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other.get(PAGE)


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith(LOGIN)


def test_a_cookie_saved_before_logout_is_refused_after_it(demo, app, login):
    b = login("inspector@demo.test")
    saved = _saved(b.client)
    assert _replay(app, saved).status_code == 200  # the copy works while the session lives
    assert b.post("/logout").status_code == 303
    assert _sent_to_login(_replay(app, saved))


def test_logout_on_one_device_ends_the_others_too(demo, login):
    phone, desk = login("inspector@demo.test"), login("inspector@demo.test")
    phone.post("/logout")
    assert _sent_to_login(desk.get(PAGE))


def test_an_admin_password_reset_ends_the_users_sessions(demo, app, login):
    user = login("inspector@demo.test")
    saved = _saved(user.client)
    admin = login("admin@demo.test")
    inspector = demo.users["inspector"]
    response = admin.post(
        f"/users/{inspector.id}",
        {
            "email": inspector.email,
            "name": inspector.name,
            "role": "inspector",
            "active": "y",
            "password": "a-new-long-password",
        },
    )
    assert response.status_code == 303
    assert _sent_to_login(_replay(app, saved))
    assert _sent_to_login(user.get(PAGE))
    assert admin.get(PAGE).status_code == 200  # only that user's sessions end


def test_an_edit_without_a_new_password_keeps_the_sessions(demo, login):
    user = login("inspector@demo.test")
    admin = login("admin@demo.test")
    inspector = demo.users["inspector"]
    admin.post(
        f"/users/{inspector.id}",
        {"email": inspector.email, "name": "Maria I.", "role": "inspector", "active": "y"},
    )
    assert user.get(PAGE).status_code == 200


def test_deactivation_ends_the_users_sessions(demo, login):
    user = login("inspector@demo.test")
    admin = login("admin@demo.test")
    inspector = demo.users["inspector"]
    admin.post(
        f"/users/{inspector.id}", {"email": inspector.email, "name": inspector.name, "role": "inspector"}
    )
    assert not db.session.get(User, inspector.id).active
    assert _sent_to_login(user.get(PAGE))


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(demo, login):
    here, elsewhere = login("admin@demo.test"), login("admin@demo.test")
    admin = demo.users["admin"]
    response = here.post(
        f"/users/{admin.id}",
        {
            "email": admin.email,
            "name": admin.name,
            "role": "admin",
            "active": "y",
            "password": "another-password",
        },
    )
    assert response.status_code == 303
    assert here.get("/users/").status_code == 200
    assert _sent_to_login(elsewhere.get("/users/"))


def test_log_out_everywhere_ends_every_session_and_is_audited(demo, app, login):
    phone, desk = login("supervisor@demo.test"), login("supervisor@demo.test")
    saved = _saved(desk.client)
    page = desk.get("/account").get_data(as_text=True)
    assert "Keluar dari semua perangkat" in page
    response = desk.post("/account/sessions/end")
    assert response.status_code == 303 and response.headers["Location"] == LOGIN
    assert _sent_to_login(_replay(app, saved))
    assert _sent_to_login(phone.get(PAGE))
    assert _sent_to_login(desk.get(PAGE))
    from ombudsman.audit import services as audit

    assert [e.action for e in audit.trail("user", demo.users["supervisor"].id)] == ["sessions_ended"]


def _remembered(b) -> tuple:
    """Sign `b` in with "Tetap masuk di perangkat ini"; returns it and its remember cookie."""
    response = b.client.post(
        LOGIN,
        data={"email": "inspector@demo.test", "password": "demo", "remember": "y", "csrf_token": b.token()},
    )
    assert response.status_code == 303
    b._token = None  # signing in starts a new session, with a new CSRF token
    return b, _saved(b.client, "remember_token")


def test_remember_me_outlives_the_browser_session_for_the_configured_time(demo, app, new_browser):
    page = app.test_client().get(LOGIN).get_data(as_text=True)
    assert "Tetap masuk di perangkat ini" in page and "30 hari" in page
    b, remembered = _remembered(new_browser(app))
    expires = b.client.get_cookie("remember_token").expires  # a persistent cookie, not a browser-session one
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    response = _replay(app, remembered, "remember_token")  # browser closed: no session cookie, only this
    assert response.status_code == 200


def test_a_remembered_login_dies_with_log_out_everywhere(demo, app, login, new_browser):
    b, remembered = _remembered(new_browser(app))
    assert _replay(app, remembered, "remember_token").status_code == 200
    login("inspector@demo.test").post("/account/sessions/end")  # from another device
    assert _sent_to_login(_replay(app, remembered, "remember_token"))


def test_a_remembered_login_dies_with_logout(demo, app, new_browser):
    b, remembered = _remembered(new_browser(app))
    assert b.post("/logout").status_code == 303
    assert _sent_to_login(_replay(app, remembered, "remember_token"))


def test_remember_duration_comes_from_config(demo, app):
    app.config["REMEMBER_COOKIE_DURATION"] = 7 * 24 * 3600  # seconds, as the environment gives it
    assert "7 hari" in app.test_client().get(LOGIN).get_data(as_text=True)


def test_a_session_from_before_generations_is_refused(demo, app):
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    old_style = serializer.dumps({"_user_id": str(demo.users["admin"].id), "_fresh": True})
    assert _sent_to_login(_replay(app, old_style))


def test_a_new_network_address_mid_session_keeps_the_session(demo, login):
    b = login("inspector@demo.test")
    assert b.get(PAGE, environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200  # office Wi-Fi
    assert b.get(PAGE, environ_base={"REMOTE_ADDR": "114.5.6.7"}).status_code == 200  # mobile data
    assert b.post("/account/sessions/end", environ_base={"REMOTE_ADDR": "114.5.6.8"}).status_code == 303


@pytest.fixture
def proxied_app(app, database_url, tmp_path):
    """The same database behind one trusted proxy (PROXY_FIX_X_FOR=1); its connections closed afterwards."""
    proxied = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
            "PROXY_FIX_X_FOR": 1,
            "PROXY_FIX_X_PROTO": 1,
        },
    )
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.committed  # proxied_app reads the demo users through its own connections
def test_behind_proxyfix_a_new_forwarded_address_keeps_the_session(demo, proxied_app, new_browser):
    b = new_browser(proxied_app)
    # An https request (as the proxy says) needs a same-site Referer for CSRF, as a browser sends.
    forwarded = {
        "X-Forwarded-For": "36.66.1.2",
        "X-Forwarded-Proto": "https",
        "Referer": "https://localhost/login",
    }
    assert (
        b.client.post(
            LOGIN,
            data={"email": "inspector@demo.test", "password": "demo", "csrf_token": b.token()},
            headers=forwarded,
        ).status_code
        == 303
    )
    assert b.get(PAGE, headers={"X-Forwarded-For": "36.66.1.2"}).status_code == 200
    assert b.get(PAGE, headers={"X-Forwarded-For": "182.1.2.3"}).status_code == 200


@pytest.mark.committed
def test_behind_proxyfix_the_login_limit_counts_each_client_not_the_proxy(demo, proxied_app, new_browser):
    tries = iter(range(100))

    def wrong_login(client_address: str) -> int:
        b = new_browser(proxied_app)
        return b.client.post(
            LOGIN,  # a different unknown account each time: only the address limit can refuse
            data={"email": f"nobody{next(tries)}@demo.test", "password": "wrong", "csrf_token": b.token()},
            headers={"X-Forwarded-For": client_address},
        ).status_code

    assert [wrong_login("36.66.1.2") for _ in range(10)] == [422] * 10
    assert wrong_login("36.66.1.2") == 429
    assert wrong_login("182.1.2.3") == 422  # another phone behind the same proxy is not locked out


def test_without_proxyfix_forwarded_headers_are_not_trusted(demo, app, new_browser):
    codes = []
    for n in range(11):
        b = new_browser(app)
        codes.append(
            b.client.post(
                LOGIN,
                data={"email": f"nobody{n}@demo.test", "password": "wrong", "csrf_token": b.token()},
                headers={"X-Forwarded-For": f"36.66.1.{n}"},  # forged: it must not buy fresh tries
            ).status_code
        )
    assert codes[-1] == 429
