"""Security headers on every kind of response, and templates the Content-Security-Policy can allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ombudsman.accounts import services as accounts
from ombudsman.clock import utcnow

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Print-only templates: rendered to PDF, or served by the letter preview with its own policy.
PRINT_TEMPLATES = {"letters/letter.html"}


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_secure(response, *, hsts: bool = False) -> None:
    """The headers every response must carry."""
    headers = response.headers
    policy = _directives(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "strict-origin", "no-referrer")
    assert ("Strict-Transport-Security" in headers) is hsts


def test_an_html_page(demo, login):
    response = login("inspector@demo.test").get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert_secure(response)


def test_the_login_page(client):
    assert_secure(client.get("/login"))


def test_an_api_json_response(demo, app):
    _token, secret = accounts.issue_token(
        demo.users["inspector"], lifetime=accounts.LAST_USED_GRANULARITY, now=utcnow()
    )
    from ombudsman.extensions import db

    db.session.commit()
    response = app.test_client().get("/api/v1/inspections", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.is_json
    assert_secure(response)


def test_a_static_file(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_secure(response)


def test_error_pages_html_and_json(demo, login, client):
    page = login("inspector@demo.test").get("/inspections/999999")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert_secure(page)
    api = client.get("/api/v1/inspections")  # no credentials
    assert api.status_code == 401 and api.is_json
    assert_secure(api)
    assert_secure(client.get("/no-such-page"))
    assert_secure(client.post("/login", data={}))  # refused CSRF: 400


def test_hsts_only_when_configured(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["HSTS_SECONDS"] = 31536000
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_sends_hsts():
    from config import ProductionConfig, TestingConfig

    assert ProductionConfig.HSTS_SECONDS >= 180 * 24 * 3600
    assert TestingConfig.HSTS_SECONDS == 0


def test_a_response_with_its_own_policy_keeps_it(demo, login):
    """The letter preview sets its own stricter policy, framed by the letter's page: it is kept."""
    from ombudsman.letters.views import PREVIEW_CSP

    letter_id = _draft_letter_id(demo)
    response = login("inspector@demo.test").get(f"/letters/{letter_id}/preview")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == PREVIEW_CSP
    assert "frame-ancestors 'self'" in PREVIEW_CSP
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _draft_letter_id(demo) -> int:
    from sqlalchemy import select

    from ombudsman.extensions import db
    from ombudsman.letters.models import Letter

    return db.session.scalar(select(Letter.id).where(Letter.office_id == demo.office.id).limit(1))


def test_swagger_ui_page_has_no_inline_script(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert_secure(page)
    assert "swagger-init.js" in page.get_data(as_text=True)
    _assert_no_inline_code(page.get_data(as_text=True), "/api/v1/docs")


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def _assert_no_inline_code(text: str, where: str) -> None:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # Jinja comments are never sent
    for attributes, body in SCRIPT.findall(text):
        data_block = re.search(r'type\s*=\s*"application/(ld\+)?json"', attributes)
        assert "src=" in attributes or data_block, f"inline <script> in {where}"
        assert "src=" not in attributes or not body.strip(), f"<script src> with a body in {where}"
    assert not HANDLER.search(text), f"an on...= event handler in {where}"
    assert not STYLE_ATTRIBUTE.search(text), f"a style= attribute in {where}"
    assert not STYLE_ELEMENT.search(text), f"a <style> element in {where}"


@pytest.mark.parametrize(
    "name",
    sorted(
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if str(p.relative_to(TEMPLATES)) not in PRINT_TEMPLATES
    ),
)
def test_templates_have_no_inline_script_handler_or_style(name):
    _assert_no_inline_code((TEMPLATES / name).read_text(encoding="utf-8"), name)


def test_headers_a_view_set_are_kept_once_whatever_their_case(app):
    from flask import Response

    from ombudsman.security import CONTENT_SECURITY_POLICY, set_security_headers

    own = Response("x")
    own.headers["x-frame-options"] = "SAMEORIGIN"
    own.headers["X-Content-Type-Options"] = "nosniff"
    own.headers["Referrer-Policy"] = "no-referrer"
    app.config["HSTS_SECONDS"] = 60
    with app.test_request_context():
        headers = set_security_headers(own).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert headers.getlist("Content-Security-Policy") == [CONTENT_SECURITY_POLICY]
    assert headers.getlist("Cross-Origin-Opener-Policy") == ["same-origin"]
    assert headers.getlist("Strict-Transport-Security") == ["max-age=60; includeSubDomains"]
