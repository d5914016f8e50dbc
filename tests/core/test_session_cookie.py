"""The session cookie is Flask's own signed cookie (`ombudsman.session_cookie` only keeps its serializer):
cookies of either open in the other, rotated keys keep old cookies through SECRET_KEY_FALLBACKS, and a new key
without the old one as a fallback ends every session."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from ombudsman.session_cookie import SessionCookies

PAGE = "/letters/"


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_app_uses_the_kept_serializer_and_flasks_format(app):
    assert isinstance(app.session_interface, SessionCookies)
    ours, flasks = app.session_interface, SecureCookieSessionInterface()
    cookie = flasks.get_signing_serializer(app).dumps({"k": [1, "dua"]})
    assert ours.get_signing_serializer(app).loads(cookie) == {"k": [1, "dua"]}
    assert flasks.get_signing_serializer(app).loads(ours.get_signing_serializer(app).dumps({"a": 1})) == {
        "a": 1
    }
    assert ours.get_signing_serializer(app) is ours.get_signing_serializer(app)


def test_a_rotated_key_keeps_sessions_only_through_the_fallbacks(demo, app, login):
    b = login("inspector@demo.test")
    assert b.get(PAGE).status_code == 200
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-secret-key-" + "k" * 40
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert b.get(PAGE).status_code == 200  # signed with the old key: still accepted
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _sent_to_login(b.get(PAGE))  # the old key is gone: so is the session


def test_without_a_secret_key_there_is_no_serializer(app):
    app.config["SECRET_KEY"] = None
    assert SessionCookies().get_signing_serializer(app) is None
