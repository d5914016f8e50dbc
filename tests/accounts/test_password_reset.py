"""Password reset by e-mail, over real SMTP on loopback: the link comes from the received e-mail; it works
once, expires, dies when a newer one is sent or the password changes; an unknown address gets the same page
and no mail; the new password passes the policy and ends every session of the user."""

from __future__ import annotations

import re
import socket
import time
from datetime import timedelta

from sqlalchemy import select

from ombudsman.accounts.models import User
from ombudsman.accounts.resets import digest
from ombudsman.audit.models import AuditEvent
from ombudsman.clock import utcnow
from ombudsman.extensions import db

NEW = "lampu-jalan-sepanjang-pantai"
LINK = re.compile(r"https://pelacak\.test(/password/reset/[A-Za-z0-9_-]+)")
PAGE = "/letters/"


def _forgot(browser, email: str, **kwargs):
    return browser.post("/password/forgot", {"email": email}, **kwargs)


def _link(message) -> str:
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


def _reset(browser, path: str, new: str = NEW, confirm: str | None = None):
    return browser.post(path, {"new_password": new, "confirm": new if confirm is None else confirm})


def _fresh(app, browser):
    """Another browser (the reset signs out and clears the session, and its CSRF token with it)."""
    return type(browser)(app.test_client())


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_login_page_links_to_the_reset(browser):
    page = browser.get("/login").get_data(as_text=True)
    assert "Lupa kata sandi?" in page and 'href="/password/forgot"' in page


def test_the_whole_reset_flow_from_the_received_email(demo, app, browser, login, smtp):
    signed_in = login("inspector@demo.test")
    saved = signed_in.client.get_cookie("session").value

    answer = _forgot(browser, "Inspector@Demo.test")

    assert answer.status_code == 200
    assert "Periksa e-mail Anda" in answer.get_data(as_text=True)
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "inspector@demo.test"
    assert mail["From"] == "ombudsman-tracker@localhost"
    assert mail["Subject"] == "Atur ulang kata sandi"
    assert "berlaku 60 menit" in mail.get_content()
    path = _link(mail)
    secret = path.rsplit("/", 1)[1]
    user = _user("inspector@demo.test")
    assert user.password_reset_sha256 == digest(secret) and secret not in user.password_reset_sha256

    form = browser.get(path)
    assert form.status_code == 200 and 'name="new_password"' in form.get_data(as_text=True)
    done = _reset(browser, path)

    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert signed_in.get(PAGE).status_code == 302  # every session of the user has ended
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert replay.get(PAGE).status_code == 302
    assert _fresh(app, browser).login("inspector@demo.test", "demo").status_code == 422
    assert login("inspector@demo.test", NEW).get(PAGE).status_code == 200
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
    ).all()
    assert {"password_reset_requested", "password_reset"} <= set(actions)


def test_a_link_works_only_once(demo, app, browser, smtp):
    _forgot(browser, "inspector@demo.test")
    path = _link(smtp.inbox.wait_for(1)[0])
    assert _reset(browser, path).status_code == 303
    again = _reset(_fresh(app, browser), path, "kursi-biru-di-loket-tujuh")
    assert again.status_code == 404
    assert "tidak berlaku lagi" in again.get_data(as_text=True)
    assert _fresh(app, browser).login("inspector@demo.test", NEW).status_code == 303


def test_an_expired_link_is_refused(demo, browser, smtp):
    _forgot(browser, "inspector@demo.test")
    path = _link(smtp.inbox.wait_for(1)[0])
    user = _user("inspector@demo.test")
    assert user.password_reset_expires_at - utcnow() <= timedelta(minutes=60)
    user.password_reset_expires_at = utcnow() - timedelta(seconds=1)  # an hour has passed
    db.session.commit()
    assert browser.get(path).status_code == 404
    assert _reset(browser, path).status_code == 404
    assert browser.login("inspector@demo.test", "demo").status_code == 303


def test_the_lifetime_comes_from_the_config(demo, app, browser, smtp):
    app.config["PASSWORD_RESET_MINUTES"] = 15
    _forgot(browser, "inspector@demo.test")
    assert "berlaku 15 menit" in smtp.inbox.wait_for(1)[0].get_content()
    left = _user("inspector@demo.test").password_reset_expires_at - utcnow()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)


def test_a_newer_request_supersedes_the_older_link(demo, browser, smtp):
    # Reset mails go out from a background thread: wait for the first before asking again, so that the
    # inbox's order is the order of the requests.
    _forgot(browser, "inspector@demo.test")
    first = _link(smtp.inbox.wait_for(1)[0])
    _forgot(browser, "inspector@demo.test")
    second = _link(smtp.inbox.wait_for(2)[1])
    assert first != second
    assert _reset(browser, first).status_code == 404
    assert _reset(browser, second).status_code == 303


def test_a_password_change_kills_a_pending_link(demo, browser, login, smtp):
    _forgot(browser, "inspector@demo.test")
    path = _link(smtp.inbox.wait_for(1)[0])
    me = login("inspector@demo.test")
    changed = me.post("/account/password", {"current_password": "demo", "new_password": NEW, "confirm": NEW})
    assert changed.status_code == 303
    assert _reset(browser, path, "kursi-biru-di-loket-tujuh").status_code == 404


def test_an_unknown_address_gets_the_same_page_and_no_mail(demo, browser, smtp):
    known = _forgot(browser, "inspector@demo.test").get_data(as_text=True)
    unknown = _forgot(browser, "nobody@demo.test")
    assert unknown.status_code == 200
    assert _body(unknown.get_data(as_text=True)) == _body(known)
    assert [m["To"] for m in smtp.inbox.wait_for(2, timeout=1)] == ["inspector@demo.test"]


def test_an_inactive_account_gets_no_mail(demo, browser, smtp):
    viewer = demo.users["viewer"]
    viewer.active = False
    db.session.commit()
    assert _forgot(browser, viewer.email).status_code == 200
    assert smtp.inbox.wait_for(1, timeout=0.5) == []


def _body(page: str) -> str:
    """The page without its per-session CSRF token."""
    return re.sub(r'content="[^"]+"', "", re.sub(r'value="[^"]+"', "", page))


def test_the_new_password_must_pass_the_policy(demo, browser, smtp):
    _forgot(browser, "inspector@demo.test")
    path = _link(smtp.inbox.wait_for(1)[0])
    for password, expected in [
        ("pendek", "minimal 12 karakter"),
        ("password1234", "pernah bocor"),
        ("inspector@demo.test-99", "e-mail atau nama"),
    ]:
        response = _reset(browser, path, password)
        assert response.status_code == 422
        assert expected in response.get_data(as_text=True)
    mismatch = _reset(browser, path, NEW, NEW + "!")
    assert mismatch.status_code == 422 and "tidak sama" in mismatch.get_data(as_text=True)
    assert _reset(browser, path).status_code == 303  # refusals do not use the link up


def test_requests_are_rate_limited_per_email_address(demo, app, browser, smtp):
    app.config["PASSWORD_RESET_RATE_LIMIT_EMAIL"] = "2 per hour"
    codes = [
        _forgot(browser, "inspector@demo.test", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    assert len(smtp.inbox.wait_for(2)) == 2
    other = _forgot(browser, "nobody@demo.test", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another address is counted apart


def test_requests_are_rate_limited_per_client_address(demo, app, browser, smtp):
    app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"] = "2 per hour"
    codes = [_forgot(browser, f"nobody{n}@demo.test").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_a_mail_server_that_is_down_changes_nothing_in_the_answer(demo, app, browser, caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=s.getsockname()[1])
    known = _forgot(browser, "inspector@demo.test")
    unknown = _forgot(browser, "nobody@demo.test")
    assert known.status_code == unknown.status_code == 200
    assert _body(known.get_data(as_text=True)) == _body(unknown.get_data(as_text=True))
    for _ in range(100):  # the mail goes out from a thread of its own
        if "not sent" in caplog.text:
            break
        time.sleep(0.02)
    assert "mail to inspector@demo.test not sent" in caplog.text
