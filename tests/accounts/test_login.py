"""Signing in and out, passwords, cookies, the users CLI and start-up checks."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ombudsman import create_app
from ombudsman.accounts.models import User
from ombudsman.extensions import db


def test_login_with_demo_account_lands_on_dashboard(demo, browser):
    response = browser.login("inspector@demo.test")
    assert response.status_code == 303
    page = browser.get("/").get_data(as_text=True)
    assert "Maria Inspektur" in page
    assert "Ombudsman RI Perwakilan NTT" in page


def test_wrong_password_redisplays_form_with_email_kept(demo, browser):
    response = browser.login("inspector@demo.test", "wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "E-mail atau kata sandi salah." in page
    assert 'value="inspector@demo.test"' in page


def test_email_is_case_insensitive(demo, browser):
    assert browser.login("Inspector@Demo.TEST").status_code == 303


def test_inactive_user_cannot_log_in(demo, browser):
    demo.users["viewer"].active = False
    db.session.commit()
    assert browser.login("viewer@demo.test").status_code == 422


def test_passwords_are_hashed_with_argon2(demo):
    user = db.session.scalar(select(User).where(User.email == "head@demo.test"))
    assert user.password_hash.startswith("$argon2id$")
    assert "demo" not in user.password_hash


def test_session_cookie_is_httponly_and_samesite(demo, browser):
    response = browser.login("inspector@demo.test")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_needs_post_with_csrf_and_ends_the_session(demo, login):
    b = login("inspector@demo.test")
    assert b.client.post("/logout").status_code == 400  # no CSRF token
    assert b.post("/logout").status_code == 303
    assert b.get("/").status_code == 302


def test_anonymous_visitor_is_sent_to_login_with_next(demo, client):
    response = client.get(f"/inspections/{demo.inspection.id}")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_login_redirect_only_to_local_paths(demo, browser):
    token = browser.token()
    response = browser.client.post(
        "/login?next=https://evil.example/x",
        data={"email": "inspector@demo.test", "password": "demo", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_attempts_are_rate_limited(demo, browser):
    codes = [browser.login("inspector@demo.test", "wrong").status_code for _ in range(11)]
    assert codes[-1] == 429


def test_the_login_limit_holds_in_any_sixty_seconds(demo, browser, monkeypatch):
    """One attempt, nine a minute later, then two more two seconds after: a fixed window (restarted at the
    minute) would let both through, 19 attempts in 2 seconds; the moving window refuses the eleventh."""
    clock = SimpleNamespace(now=1_000_000.0)
    # The storage's own clock, in memory or in Redis (the limiter is one per process: an app of an earlier
    # test may have left it on Redis).
    for storage in ("memory", "redis"):
        monkeypatch.setattr(f"limits.storage.{storage}.time", SimpleNamespace(time=lambda: clock.now))

    def attempt(at: float) -> int:
        clock.now = 1_000_000.0 + at
        return browser.login("inspector@demo.test", "wrong").status_code

    assert attempt(0) != 429
    assert all(attempt(59) != 429 for _ in range(9))
    assert attempt(61) != 429  # the first attempt is more than 60 s old: 10 in the last minute
    assert attempt(61) == 429


def test_users_create_cli_with_password_option(demo, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@demo.test",
            "--name",
            "Baru",
            "--role",
            "inspector",
            "--office",
            "Ombudsman RI Perwakilan NTT",
            "--password",
            "kursi-biru-di-loket-tujuh",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@demo.test"))
    assert user.role.value == "inspector" and user.office_id == demo.office.id


def test_users_create_cli_prompts_for_password(demo, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "p@demo.test",
            "--name",
            "P",
            "--role",
            "viewer",
            "--office",
            demo.office.name,
        ],
        input="lampu-jalan-sepanjang-pantai\nlampu-jalan-sepanjang-pantai\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "p@demo.test")) is not None


def test_users_create_cli_refuses_duplicate_and_unknown_office(demo, runner):
    dup = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "head@demo.test",
            "--name",
            "X",
            "--role",
            "head",
            "--office",
            demo.office.name,
            "--password",
            "kursi-biru-di-loket-tujuh",
        ]
    )
    assert dup.exit_code != 0 and "sudah ada" in dup.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "z@demo.test",
            "--name",
            "X",
            "--role",
            "head",
            "--office",
            "Nowhere",
            "--password",
            "x",
        ]
    )
    assert unknown.exit_code != 0 and "no office" in unknown.output


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.delenv("OMBUDSMAN_SECRET_KEY", raising=False)
    safe = {
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "ALLOW_SQLITE": True,
        "PUBLIC_BASE_URL": "https://tracker.example.go.id",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", safe)
    app = create_app("production", {**safe, "SECRET_KEY": "x" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h:5432/d")
    app = create_app("testing")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/d"
    monkeypatch.setenv("OMBUDSMAN_DATABASE_URL", "sqlite:////tmp/x.sqlite")
    assert create_app("testing").config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.sqlite"


def test_english_can_be_selected(demo, login):
    b = login("inspector@demo.test")
    b.get("/lang/en")
    page = b.get("/").get_data(as_text=True)
    assert 'lang="en"' in page
