"""One password policy: long enough, not commonly breached, not the user's e-mail or name; the same refusal in
the admin's user form, on the account page, on the reset page (tests/accounts/test_password_reset.py) and in
`flask users create`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ombudsman.accounts.models import User
from ombudsman.accounts.passwords import check_policy
from ombudsman.errors import Invalid
from ombudsman.extensions import db

GOOD = "kursi-biru-di-loket-tujuh"
SHORT = "Xq7-kupang"  # 10 characters
BREACHED = "password1234"
LEET = "P@ssw0rd12345"
KEYBOARD = "mnbvcxzlkjhgfdsa"

REFUSALS = [
    (SHORT, "minimal 12 karakter"),
    (BREACHED, "pernah bocor"),
    (LEET, "mudah ditebak"),
    (KEYBOARD, "mudah ditebak"),
    ("aaaaaaaaaaaaaaaa", "mudah ditebak"),
]


def _message(exc: Invalid) -> str:
    return str(exc.message)


@pytest.mark.parametrize(("password", "expected"), REFUSALS)
def test_the_policy_refuses_short_breached_and_guessable_passwords(app, password, expected):
    with pytest.raises(Invalid) as caught:
        check_policy(password, email="baru@demo.test", name="Baru Sekali")
    assert expected in _message(caught.value)
    assert caught.value.field == "password"


def test_the_policy_refuses_the_email_or_name_inside_the_password(app):
    for password in ("maria.kupang@demo.test!", "xx-maria.kupang-2026-zz", "Lestari-Wulandari-99"):
        with pytest.raises(Invalid) as caught:
            check_policy(password, email="maria.kupang@demo.test", name="Lestari Wulandari")
        assert "e-mail atau nama" in _message(caught.value)


def test_the_policy_accepts_a_long_uncommon_password(app):
    assert check_policy(GOOD, email="baru@demo.test", name="Baru Sekali") is None


def test_the_minimum_length_is_configurable(app):
    app.config["PASSWORD_MIN_LENGTH"] = 30
    with pytest.raises(Invalid) as caught:
        check_policy(GOOD)
    assert "minimal 30 karakter" in _message(caught.value)


def _new_user(admin, password: str, email: str = "baru@demo.test"):
    return admin.post(
        "/users/new",
        {"email": email, "name": "Baru Sekali", "role": "viewer", "active": "y", "password": password},
    )


@pytest.mark.parametrize(
    ("password", "expected"), [*REFUSALS[:2], ("baru@demo.test-2026", "e-mail atau nama")]
)
def test_the_admin_form_refuses_what_the_policy_refuses(demo, login, password, expected):
    admin = login("admin@demo.test")
    response = _new_user(admin, password)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "baru@demo.test")) is None


def test_the_admin_form_accepts_a_good_password_and_the_user_can_sign_in(demo, login):
    admin = login("admin@demo.test")
    assert _new_user(admin, GOOD).status_code == 303
    assert login("baru@demo.test", GOOD).get("/").status_code == 200


def test_the_admin_edit_refuses_a_breached_new_password(demo, login):
    admin = login("admin@demo.test")
    viewer = demo.users["viewer"]
    response = admin.post(
        f"/users/{viewer.id}",
        {"email": viewer.email, "name": viewer.name, "role": "viewer", "active": "y", "password": BREACHED},
    )
    assert response.status_code == 422
    assert "pernah bocor" in response.get_data(as_text=True)


def _cli_create(runner, password: str, email: str = "cli@demo.test"):
    args = ["users", "create", "--email", email, "--name", "Lewat Terminal", "--role", "viewer"]
    return runner.invoke(args=[*args, "--office", "Ombudsman RI Perwakilan NTT", "--password", password])


@pytest.mark.parametrize(
    ("password", "expected"), [*REFUSALS[:2], ("cli@demo.test-12345", "e-mail atau nama"), ("x", "minimal")]
)
def test_the_cli_refuses_what_the_policy_refuses(demo, runner, password, expected):
    result = _cli_create(runner, password)
    assert result.exit_code != 0
    assert expected in result.output
    assert db.session.scalar(select(User).where(User.email == "cli@demo.test")) is None


def test_the_cli_accepts_a_good_password(demo, runner):
    result = _cli_create(runner, GOOD)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "cli@demo.test")) is not None


def test_the_demo_accounts_keep_the_demo_password(demo, login):
    # The seed bypasses the policy on purpose (demo data only, see README); "demo" itself is refused.
    assert login("inspector@demo.test", "demo").get("/").status_code == 200
    with pytest.raises(Invalid):
        check_policy("demo")
