"""Helpers of the portal tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import re

from ombudsman.accounts.models import User
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal import accounts, contacts
from ombudsman.portal.commands import ContactDetails, SetPortalPassword

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
LINK_RE = re.compile(r"(https?://\S+/portal/link/[A-Za-z0-9_\-]+)")
PASSWORD = "Sasando-Kupang-2026!"


def add_contact(authority, admin, *, name: str, email: str, position: str = "", sub_units: bool = True):
    """A contact of `authority`, added as the admin would (flushed)."""
    return contacts.add_contact(
        authority,
        ContactDetails(name=name, email=email, position=position, includes_sub_units=sub_units),
        actor=admin,
    )


def portal_account(contact, password: str = PASSWORD):
    """The contact's portal account with a password chosen (committed)."""
    account = accounts.account_for(contact, actor=db.session.get(User, contact.created_by_id))
    accounts.set_password(account, SetPortalPassword(new_password=password, confirm=password))
    db.session.commit()
    return account


def link_in(message) -> str:
    """The sign-in link of a portal e-mail."""
    match = LINK_RE.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


class PortalBrowser:
    """A test client signed in to the portal, sending the CSRF token as the pages do."""

    def __init__(self, client):
        self.client = client

    def token(self) -> str:
        page = self.client.get("/portal/masuk").get_data(as_text=True)
        match = CSRF_RE.search(page)
        if match is None:
            match = CSRF_RE.search(self.client.get("/portal/", follow_redirects=True).get_data(as_text=True))
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post(
            "/portal/masuk", data={"email": email, "password": password, "csrf_token": self.token()}
        )

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.token())
        return self.client.post(url, data=payload, **kwargs)


def issue(login, letter_id: int, **data) -> Letter:
    """Submit, approve and issue a letter through the office's pages (the head issues, with `data`)."""
    for email, action in (("inspector@demo.test", "submit"), ("supervisor@demo.test", "approve")):
        assert login(email).post(f"/letters/{letter_id}/{action}").status_code == 303
    response = login("head@demo.test").post(f"/letters/{letter_id}/issue", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    letter = db.session.get(Letter, letter_id)
    assert letter.status.value == "issued"
    return letter
