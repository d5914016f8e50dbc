"""Flask-Limiter's hooks run on the requests a limit can apply to, and only those skip them where it would
have found nothing (`ombudsman.rate_limits`)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ombudsman import rate_limits

#: Each behaviour holds with the limiter's own hooks (False) and with the wrapped ones (True).
WRAPPED = pytest.mark.parametrize("wrapped", [False, True], ids=["flask-limiter", "wrapped"])


def _app(wrapped: bool = True, **limiter_options) -> tuple[Flask, Limiter]:
    """A small app with its own limiter (the project's limiter is shared by every app of the session)."""
    app = Flask(__name__)
    app.config.update(RATELIMIT_HEADERS_ENABLED=True)
    limiter = Limiter(get_remote_address, storage_uri="memory://", **limiter_options)

    @app.get("/plain")
    def plain():
        return "plain"

    @app.get("/limited")
    @limiter.limit("2 per minute")
    def limited():
        return "limited"

    limiter.init_app(app)
    if wrapped:
        rate_limits.install(app, limiter)
    return app, limiter


@WRAPPED
def test_a_decorated_limit_still_counts_and_sends_its_headers(wrapped):
    app, _limiter = _app(wrapped)
    client = app.test_client()
    first = client.get("/limited")
    assert first.headers["X-RateLimit-Limit"] == "2" and first.headers["X-RateLimit-Remaining"] == "1"
    assert client.get("/limited").status_code == 200
    refused = client.get("/limited")
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_an_unlimited_view_skips_the_limiter_and_answers_as_before():
    app, limiter = _app()
    with app.test_request_context("/plain"):
        assert not rate_limits.needs_limiter(limiter)
    with app.test_request_context("/limited"):
        assert rate_limits.needs_limiter(limiter)
    response = app.test_client().get("/plain")
    assert response.status_code == 200
    assert not any(name.startswith("X-RateLimit") for name, _value in response.headers)


@WRAPPED
def test_configured_default_limits_reach_every_view(wrapped):
    app, limiter = _app(wrapped, default_limits=["2 per minute"])
    client = app.test_client()
    with app.test_request_context("/plain"):
        assert rate_limits.needs_limiter(limiter)
    assert client.get("/plain").headers["X-RateLimit-Limit"] == "2"
    assert client.get("/plain").status_code == 200
    assert client.get("/plain").status_code == 429


@WRAPPED
def test_configured_application_limits_count_every_view_together(wrapped):
    app, _limiter = _app(wrapped, application_limits=["3 per minute"])
    client = app.test_client()
    assert client.get("/plain").status_code == 200
    assert (
        client.get("/no-such-page").status_code == 404
    )  # Flask-Limiter never counts a request without a view
    assert client.get("/limited").status_code == 200
    assert client.get("/plain").status_code == 200
    assert client.get("/plain").status_code == 429


@WRAPPED
def test_a_limit_decorating_a_helper_counts_on_its_endpoint(wrapped):
    app = Flask(__name__)
    limiter = Limiter(get_remote_address, storage_uri="memory://")

    @limiter.limit("1 per minute")
    def helper():
        return "helped"

    @app.get("/uses-helper")
    def uses_helper():
        return helper()

    limiter.init_app(app)
    if wrapped:
        rate_limits.install(app, limiter)
    client = app.test_client()
    assert client.get("/uses-helper").status_code == 200
    assert client.get("/uses-helper").status_code == 429


def test_install_refuses_an_app_without_the_limiters_hooks():
    with pytest.raises(RuntimeError, match="ombudsman.rate_limits"):
        rate_limits.install(Flask(__name__), Limiter(get_remote_address, storage_uri="memory://"))


def test_the_projects_hooks_are_wrapped_and_its_login_limit_answers_with_its_headers(app, demo, browser):
    hooks = [f.__name__ for f in app.before_request_funcs[None] + app.after_request_funcs[None]]
    assert "check_request_limit" in hooks and "inject_rate_limit_headers" in hooks
    assert browser.login("inspector@demo.test", "wrong").headers["X-RateLimit-Limit"] == "10"
    assert "X-RateLimit-Limit" not in browser.get("/healthz").headers


def test_an_app_with_rate_limiting_off_has_nothing_to_wrap():
    """With `RATELIMIT_ENABLED = False` the limiter installs no hooks (the benchmark generator builds such
    apps); `install` leaves the app as it is. A limiter of its own: the project's is shared by the process."""
    app = Flask(__name__)
    app.config["RATELIMIT_ENABLED"] = False
    limiter = Limiter(get_remote_address, storage_uri="memory://")
    limiter.init_app(app)
    rate_limits.install(app, limiter)
    assert not app.before_request_funcs.get(None)

    @app.get("/")
    def index():
        return "ok"

    assert app.test_client().get("/").status_code == 200
