"""API authentication: tokens are issued for credentials, stored hashed, expire, can be revoked, and the
browser's session works too (with its CSRF token for writes)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from ombudsman.accounts.models import ApiToken
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from tests.api.conftest import ApiClient, issue


def _sign_in(client, email="inspector@demo.test", password="demo", **extra):
    return client.post("/api/v1/tokens", json={"email": email, "password": password, **extra})


def test_credentials_give_a_token_that_is_stored_only_as_its_hash(client, demo):
    response = _sign_in(client, label="Tablet lapangan")
    assert response.status_code == 201
    body = response.get_json()
    secret = body["token"]
    assert secret.startswith("omb_") and len(secret) > 40
    assert body["prefix"] == secret[: len(body["prefix"])]

    row = db.session.scalar(select(ApiToken))
    assert row.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.token_sha256, row.prefix, row.label}
    assert row.label == "Tablet lapangan"
    assert row.expires_at - row.created_at == timedelta(days=30)

    me = ApiClient(client, secret).get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["email"] == "inspector@demo.test"
    assert me.get_json()["role"] == "inspector"
    assert db.session.get(ApiToken, row.id).last_used_at is not None


def test_wrong_password_or_unknown_user_is_401_json(client, demo):
    for email, password in (("inspector@demo.test", "nope"), ("nobody@demo.test", "demo")):
        response = _sign_in(client, email, password)
        assert response.status_code == 401
        assert response.is_json and "password" in response.get_json()["fields"]
    assert db.session.scalar(select(ApiToken)) is None


def test_sign_in_attempts_are_rate_limited(client, demo):
    codes = [_sign_in(client, password="wrong").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    response = _sign_in(client)  # even the right password waits
    assert response.status_code == 429
    assert response.get_json()["error"]


def test_requests_without_a_valid_token_are_401(client, demo):
    expired = issue(demo.users["inspector"], days=-1)
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic aW5zcGVjdG9yOmRlbW8="},
        {"Authorization": "Bearer omb_not-a-real-token"},
        {"Authorization": f"Bearer {expired}"},
    ):
        response = client.get("/api/v1/inspections", headers=headers)
        assert response.status_code == 401, headers
        assert response.get_json() == {"error": response.get_json()["error"], "fields": {}}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_stops_working_when_it_expires(app, client, demo):
    secret = issue(demo.users["inspector"])
    api = ApiClient(client, secret)
    assert api.get("/api/v1/me").status_code == 200
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(client, demo):
    api = ApiClient(client, issue(demo.users["inspector"]))
    demo.users["inspector"].active = False
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401


def test_a_client_can_revoke_its_own_token(client, demo):
    api = ApiClient(client, issue(demo.users["inspector"]))
    assert api.delete("/api/v1/tokens/current").status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    assert db.session.scalar(select(ApiToken)).revoked_at is not None


def test_the_user_revokes_a_token_from_their_account_page(app, demo, login):
    secret = issue(demo.users["inspector"])
    other_secret = issue(demo.users["supervisor"])
    api = ApiClient(app.test_client(), secret)
    assert api.get("/api/v1/me").status_code == 200

    browser = login("inspector@demo.test")
    page = browser.get("/account").get_data(as_text=True)
    assert secret[:10] in page and secret not in page
    assert other_secret[:10] not in page  # only one's own tokens

    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == demo.users["inspector"].id))
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.user_id == demo.users["supervisor"].id))
    assert browser.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    response = browser.post(f"/account/tokens/{mine.id}/revoke")
    assert response.status_code == 303
    assert api.get("/api/v1/me").status_code == 401
    assert ApiClient(app.test_client(), other_secret).get("/api/v1/me").status_code == 200
    assert "dicabut" in browser.get("/account").get_data(as_text=True)


def test_bearer_requests_do_not_start_a_session(client, demo):
    api = ApiClient(client, issue(demo.users["inspector"]))
    response = api.get("/api/v1/inspections")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_signed_in_browser_uses_the_api_with_its_csrf_token(demo, login):
    browser = login("inspector@demo.test")
    assert browser.get("/api/v1/me").get_json()["email"] == "inspector@demo.test"
    body = {"authority_id": demo.dinas.id, "title": "Sidak sesi", "visited_on": "2024-05-02"}

    refused = browser.client.post("/api/v1/inspections", json=body)
    assert refused.status_code == 400
    assert "X-CSRFToken" in refused.get_json()["fields"]
    wrong = browser.client.post("/api/v1/inspections", json=body, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400

    created = browser.client.post("/api/v1/inspections", json=body, headers={"X-CSRFToken": browser.token()})
    assert created.status_code == 201
    assert created.get_json()["created_by_id"] == demo.users["inspector"].id


def test_anonymous_browser_gets_json_401_not_the_login_page(client, demo):
    response = client.get("/api/v1/findings")
    assert response.status_code == 401 and response.is_json


def test_openapi_document_and_docs_are_public_and_local(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.get_json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "assets/swagger-ui/swagger-ui-bundle.js" in docs
    assert not re.search(r'(src|href)="(https?:)?//', docs)  # nothing from another host
    asset = client.get("/api/v1/assets/swagger-ui/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()


def test_an_admin_revokes_a_token_of_a_user_of_their_office(app, demo, other_office, login):
    secret = issue(demo.users["inspector"])
    bali_secret = issue(other_office.users["inspector"])
    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == demo.users["inspector"].id))
    bali = db.session.scalar(select(ApiToken).where(ApiToken.user_id == other_office.users["inspector"].id))
    admin = login("admin@demo.test")
    # (The user page itself lists the tokens with the same macro as /account; it is not fetched here
    # because this branch's WTForms choices still warn on that page, fixed on main.)

    foreign = admin.post(f"/users/{other_office.users['inspector'].id}/tokens/{bali.id}/revoke")
    assert foreign.status_code == 404
    mismatched = admin.post(f"/users/{demo.users['viewer'].id}/tokens/{mine.id}/revoke")
    assert mismatched.status_code == 404
    assert (
        login("inspector@demo.test")
        .post(f"/users/{demo.users['inspector'].id}/tokens/{mine.id}/revoke")
        .status_code
        == 403
    )

    response = admin.post(f"/users/{demo.users['inspector'].id}/tokens/{mine.id}/revoke")
    assert response.status_code == 303
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").status_code == 401
    assert ApiClient(app.test_client(), bali_secret).get("/api/v1/me").status_code == 200


def test_the_account_page_is_linked_from_every_page(demo, login):
    page = login("viewer@demo.test").get("/").get_data(as_text=True)
    assert 'href="/account"' in page
