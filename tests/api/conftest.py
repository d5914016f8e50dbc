"""Fixtures of the API tests: clients that carry a bearer token, and a second office to isolate from."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office, Role, User
from ombudsman.clock import utcnow
from ombudsman.extensions import db


class ApiClient:
    """A test client that sends `Authorization: Bearer <token>` on every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def open(self, method: str, url: str, headers: dict | None = None, **kwargs):
        """Send a request with the token."""
        return self.client.open(url, method=method, headers=self._headers(headers), **kwargs)

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self.open("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.open("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.open("DELETE", url, **kwargs)


def issue(user: User, days: int = 30) -> str:
    """A committed token for the user; returns the secret."""
    _token, secret = accounts.issue_token(user, lifetime=timedelta(days=days), now=utcnow())
    db.session.commit()
    return secret


@pytest.fixture
def api(app, demo):
    """Factory: an ApiClient for a demo user by role name (inspector, supervisor, head, admin, viewer)."""

    def _api(role: str = "inspector") -> ApiClient:
        return ApiClient(app.test_client(), issue(demo.users[role]))

    return _api


@pytest.fixture
def other_office(app, demo) -> SimpleNamespace:
    """A second office (Perwakilan Bali) with an inspector and a supervisor, and one inspection of its own."""
    from ombudsman.inspections import services as inspections

    office = Office(name="Ombudsman RI Perwakilan Bali", short_name="Bali", province="Bali")
    db.session.add(office)
    db.session.flush()
    users = {
        role: accounts.create_user(
            email=f"{role}@bali.test", name=f"Bali {role}", role=Role(role), office=office, password="demo"
        )
        for role in ("inspector", "supervisor")
    }
    inspection = inspections.create_inspection(
        office,
        users["inspector"],
        {"authority_id": demo.dinas.id, "title": "Sidak Bali", "visited_on": demo.inspection.visited_on},
    )
    db.session.commit()
    return SimpleNamespace(office=office, users=users, inspection=inspection)
