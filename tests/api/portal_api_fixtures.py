"""Fixtures of the portal API tests: the demo's two letters issued (to the Pemerintah Kota Kupang and to the
Ditjen Dukcapil), a contact with a portal account and a portal token for each addressee.

A test module imports `*_fixture` and uses the fixtures by their names (`portal_case`, `pinned_today`).
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ombudsman.accounts import passwords
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal import accounts as portal_accounts
from ombudsman.portal import api_tokens, contacts
from ombudsman.portal.commands import ContactDetails
from tests.api.conftest import ApiClient

TODAY = date(2018, 8, 10)
PASSWORD = "Sasando-Kupang-2018!"


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def issue_letter(api, letter_id: int) -> None:
    """Submit (inspector), approve (supervisor), issue (head), through the staff API."""
    _ok(api("inspector").post(f"/api/v1/letters/{letter_id}/submit"))
    _ok(api("supervisor").post(f"/api/v1/letters/{letter_id}/approve"))
    _ok(api("head").post(f"/api/v1/letters/{letter_id}/issue"))


def portal_token(account, days: int = 30) -> str:
    """A committed portal token for the account; returns the secret."""
    _token, secret = api_tokens.issue_token(account, lifetime=timedelta(days=days), now=utcnow())
    db.session.commit()
    return secret


@pytest.fixture(name="pinned_today")
def pinned_today_fixture(monkeypatch):
    """Letters are dated, received and answered against the office's today; pin it for exact dates."""
    monkeypatch.setenv("OMBUDSMAN_TODAY", TODAY.isoformat())


@pytest.fixture(name="portal_case")
def portal_case_fixture(app, demo, api, pinned_today) -> SimpleNamespace:
    """Both demo letters issued; a portal account for each addressee (the city's covers its sub-units,
    the Dinas) with a password and a token; `clients[name]` sends that token."""
    letters = {letter.authority_id: letter for letter in db.session.scalars(select(Letter))}
    kota_letter, ditjen_letter = letters[demo.pemkot.id], letters[demo.ditjen.id]
    for letter in (kota_letter, ditjen_letter):
        issue_letter(api, letter.id)
    admin = demo.users["admin"]
    people = {
        "kota": (demo.pemkot, "Yoseph Lede", "Kepala Bagian Organisasi", "organisasi@kupangkota.test"),
        "ditjen": (demo.ditjen, "Rina Siregar", "Sekretaris Ditjen", "sekretariat@dukcapil.test"),
    }
    accounts = {}
    for name, (authority, person, position, email) in people.items():
        contact = contacts.add_contact(
            authority, ContactDetails(name=person, email=email, position=position), actor=admin
        )
        account = portal_accounts.account_for(contact, actor=admin)
        account.password_hash = passwords.hash_password(PASSWORD)
        accounts[name] = account
    db.session.commit()
    clients = {
        name: ApiClient(app.test_client(), portal_token(account)) for name, account in accounts.items()
    }
    return SimpleNamespace(
        letters={
            "kota": db.session.get(Letter, kota_letter.id),
            "ditjen": db.session.get(Letter, ditjen_letter.id),
        },
        accounts=accounts,
        clients=clients,
        authorities={"kota": demo.pemkot, "ditjen": demo.ditjen},
    )
