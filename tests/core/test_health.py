"""`GET /healthz`: public, never rate limited, JSON, 200 when the database and Redis answer, else 503."""

from __future__ import annotations

import socket

REDIS_URL = "redis://127.0.0.1:6379/5"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens on it once the socket is closed


def test_healthz_needs_no_login_and_sets_no_cookie(app, client, count_queries):
    with count_queries() as counted:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "not_configured"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert counted.count == 1  # SELECT 1


def test_healthz_checks_redis_when_configured(app, client):
    app.config["REDIS_URL"] = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_answers_503_when_redis_is_down_and_says_nothing_more(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "ok", "redis": "error"}}
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_healthz_is_not_rate_limited(app, client):
    # The login page allows 10 posts a minute; a proxy polls health every few seconds, forever.
    assert {client.get("/healthz").status_code for _ in range(40)} == {200}
