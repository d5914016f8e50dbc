"""The login rate limit holds across gunicorn workers (they count in the same Redis), and so does the
per-account lockout (counted on the user row)."""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from gunicorn_testing import clean_environment, fetch, gunicorn
from node_testing import REDIS_URL
from sqlalchemy import select

from ombudsman.accounts.models import User
from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db

LOGIN_LIMIT = 10  # per minute and client address (accounts.views.login)
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# gunicorn's workers read what the test wrote (the demo users) through their own connections.
pytestmark = pytest.mark.committed


def _login_form(url: str) -> tuple[str, str]:
    """The session cookie and CSRF token of a fresh login form."""
    page = fetch(f"{url}/login")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    return cookie, CSRF_INPUT.search(page.text).group(1)


def _four_workers(database_url: str, tmp_path, redis_prefix: str, **extra: str):
    """`gunicorn -w 4` in production on the test's database and Redis prefix, behind one proxy."""
    settings = {
        "OMBUDSMAN_ENV": "production",
        "OMBUDSMAN_SECRET_KEY": secrets.token_hex(32),
        "OMBUDSMAN_PUBLIC_BASE_URL": "https://tracker.ombudsman.example",
        "DATABASE_URL": database_url,
        "OMBUDSMAN_ALLOW_SQLITE": "1",
        "REDIS_URL": REDIS_URL,
        "OMBUDSMAN_RATELIMIT_KEY_PREFIX": redis_prefix,
        "OMBUDSMAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "OMBUDSMAN_PROXY_FIX_X_FOR": "1",
        # Cheap hashes, as in the test configuration: the test measures counting, not Argon2.
        "OMBUDSMAN_ARGON2_PARAMETERS": '{"time_cost": 1, "memory_cost": 1024, "parallelism": 1}',
        **extra,
    }
    return gunicorn(clean_environment(**settings), "--preload", workers=4)


def test_wrong_logins_are_limited_across_four_workers(app, database_url, tmp_path, redis_prefix):
    with _four_workers(database_url, tmp_path, redis_prefix) as url:
        cookie, token = _login_form(url)

        def wrong_login(n: int, client_address: str = "36.66.1.2") -> int:
            body = urlencode({"email": f"nobody{n}@demo.test", "password": "wrong", "csrf_token": token})
            headers = {
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": client_address,
            }
            return fetch(f"{url}/login", method="POST", body=body, headers=headers).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(wrong_login, range(3 * LOGIN_LIMIT)))
        assert sorted(set(codes)) == [422, 429], codes
        assert codes.count(422) == LOGIN_LIMIT  # accepted (and refused as wrong), across all four workers
        assert codes.count(429) == 2 * LOGIN_LIMIT
        assert wrong_login(99, "182.1.2.3") == 422  # another client behind the proxy has its own count


def test_the_account_lockout_holds_across_four_workers(demo, app, database_url, tmp_path, redis_prefix):
    """The failures are counted on the user row: four workers, each seeing some of them, lock it once."""
    with _four_workers(database_url, tmp_path, redis_prefix) as url:
        cookie, token = _login_form(url)

        def sign_in(n: int, password: str = "wrong") -> tuple[int, str]:
            body = urlencode({"email": "inspector@demo.test", "password": password, "csrf_token": token})
            headers = {
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                # A new client address each time: the per-address limit is not what refuses here.
                "X-Forwarded-For": f"36.66.2.{n}",
            }
            response = fetch(f"{url}/login", method="POST", body=body, headers=headers)
            return response.status, response.text

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(sign_in, range(6)))
        assert [status for status, _ in answers] == [422] * 6
        status, page = sign_in(50, "demo")
        assert status == 422  # the right password, refused while locked, with the wrong-password answer
        assert "E-mail atau kata sandi salah." in page

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "inspector@demo.test"))
    assert user.locked_until is not None
    locks = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == user.id, AuditEvent.action == "locked")
    ).all()
    assert len(locks) == 1


def test_reset_requests_per_email_are_limited_across_four_workers(app, database_url, tmp_path, redis_prefix):
    """ "Lupa kata sandi?" is limited per e-mail address in Redis, whichever worker and client address ask."""
    with _four_workers(
        database_url, tmp_path, redis_prefix, OMBUDSMAN_PASSWORD_RESET_RATE_LIMIT_EMAIL="3 per hour"
    ) as url:
        cookie, token = _login_form(url)

        def ask(n: int, email: str = "Nobody@demo.test") -> int:
            body = urlencode({"email": email if n % 2 else email.lower(), "csrf_token": token})
            headers = {
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": f"36.66.3.{n}",
            }
            return fetch(f"{url}/password/forgot", method="POST", body=body, headers=headers).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(ask, range(12)))
        assert codes.count(200) == 3 and codes.count(429) == 9, codes
        assert ask(40, "someone.else@demo.test") == 200  # another address has its own count
