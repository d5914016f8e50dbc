"""Per-account lockout: after LOCKOUT_THRESHOLD failed sign-ins the account is locked, each further lockout
twice as long (capped); while locked even the right password gets the wrong-password answer; the count lives
on the user row (shared by every worker); locking and an admin's unlocking are in the audit trail."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from ombudsman.accounts.lockout import lock_duration
from ombudsman.accounts.models import User
from ombudsman.audit.models import AuditEvent
from ombudsman.clock import utcnow
from ombudsman.extensions import db

EMAIL = "inspector@demo.test"
WRONG_ANSWER = "E-mail atau kata sandi salah."
_addresses = (f"10.1.{n // 200}.{n % 200}" for n in itertools.count(1))


def _attempt(browser, password: str, email: str = EMAIL):
    """A sign-in from a new client address each time: the per-address rate limit stays out of the way, so
    what refuses is the per-account lockout."""
    return browser.client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": browser.token()},
        environ_base={"REMOTE_ADDR": next(_addresses)},
    )


def _user() -> User:
    return db.session.scalar(select(User).where(User.email == EMAIL))


def _audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "user",
                AuditEvent.entity_id == _user().id,
                AuditEvent.action == action,
            )
        )
    )


def _answer(response, email: str) -> str:
    """The page as a reader sees it, minus the per-session CSRF token and the e-mail typed back in."""
    page = re.sub(r'(value|content)="[^"]*"', "", response.get_data(as_text=True))
    return page.replace(email, "")


def _expire_lock() -> None:
    """Let the lock run out (move its end into the past rather than wait)."""
    user = _user()
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_five_failures_lock_the_account_and_the_right_password_is_refused(demo, browser, login):
    answers = [_attempt(browser, "wrong") for _ in range(5)]
    assert all(r.status_code == 422 and WRONG_ANSWER in r.get_data(as_text=True) for r in answers)
    user = _user()
    assert user.locked_until is not None
    assert timedelta(seconds=55) < user.locked_until - utcnow() <= timedelta(seconds=60)

    right = _attempt(browser, "demo")

    assert right.status_code == 422
    assert WRONG_ANSWER in right.get_data(as_text=True)
    [event] = _audit("locked")
    assert event.user_id is None and event.changes["failed_logins"] == 5 and event.changes["seconds"] == 60


def test_a_locked_account_answers_exactly_like_a_wrong_password_and_an_unknown_email(demo, app, browser):
    wrong = _attempt(browser, "wrong")
    for _ in range(4):
        _attempt(browser, "wrong")
    verified = []
    original = PasswordHasher.verify
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(PasswordHasher, "verify", lambda self, h, p: verified.append(h) or original(self, h, p))
        locked = _attempt(browser, "demo")
        unknown = _attempt(browser, "demo", email="nobody@demo.test")
    assert wrong.status_code == locked.status_code == unknown.status_code == 422
    assert _answer(wrong, EMAIL) == _answer(locked, EMAIL) == _answer(unknown, "nobody@demo.test")
    assert len(verified) == 2  # the locked account and the unknown e-mail each cost one Argon2 check


def test_the_lock_doubles_each_time_up_to_the_cap(demo, app, browser):
    app.config["LOCKOUT_MAX_SECONDS"] = 180
    durations = []
    for _ in range(4):
        for _ in range(5):
            _attempt(browser, "wrong")
        durations.append(_audit("locked")[-1].changes["seconds"])
        _expire_lock()
    assert durations == [60, 120, 180, 180]
    assert _attempt(browser, "demo").status_code == 303  # once the lock has run out the password works
    user = _user()
    assert (user.failed_logins, user.lockout_count, user.locked_until) == (0, 0, None)
    with app.test_request_context():
        assert lock_duration(0) == timedelta(seconds=60)


def test_failures_below_the_threshold_are_forgotten_after_a_success(demo, browser):
    for _ in range(4):
        _attempt(browser, "wrong")
    assert _user().failed_logins == 4
    assert _attempt(browser, "demo").status_code == 303
    assert _user().failed_logins == 0


def test_the_threshold_comes_from_the_config(demo, app, browser):
    app.config["LOCKOUT_THRESHOLD"] = 3
    for _ in range(2):
        _attempt(browser, "wrong")
    assert _user().locked_until is None
    _attempt(browser, "wrong")
    assert _user().locked_until is not None


def test_api_sign_in_failures_count_too(demo, client):
    for n in range(5):
        response = client.post(
            "/api/v1/tokens",
            json={"email": EMAIL, "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.2.0.{n}"},
        )
        assert response.status_code == 401
    refused = client.post(
        "/api/v1/tokens", json={"email": EMAIL, "password": "demo"}, environ_base={"REMOTE_ADDR": "10.2.0.9"}
    )
    assert refused.status_code == 401


def test_an_admin_sees_the_lock_and_unlocks_the_account(demo, browser, login):
    for _ in range(5):
        _attempt(browser, "wrong")
    admin = login("admin@demo.test")
    user = _user()
    page = admin.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Akun terkunci" in page and "Buka kunci" in page

    response = admin.post(f"/users/{user.id}/unlock")

    assert response.status_code == 303
    assert _user().locked_until is None
    [event] = _audit("unlocked")
    assert event.user_id == demo.users["admin"].id
    assert "Akun terkunci" not in admin.get(f"/users/{user.id}").get_data(as_text=True)
    assert _attempt(browser, "demo").status_code == 303


def test_only_an_admin_of_the_office_may_unlock(demo, login):
    supervisor = login("supervisor@demo.test")
    assert supervisor.post(f"/users/{_user().id}/unlock").status_code == 403


def test_a_password_reset_lifts_the_lock(demo, browser, smtp):
    for _ in range(5):
        _attempt(browser, "wrong")
    browser.post("/password/forgot", {"email": EMAIL})
    path = smtp.inbox.wait_for(1)[0].get_content().split("https://pelacak.test", 1)[1].split()[0]
    new = "lampu-jalan-sepanjang-pantai"
    assert browser.post(path, {"new_password": new, "confirm": new}).status_code == 303
    assert _user().locked_until is None
    assert _audit("password_reset")
