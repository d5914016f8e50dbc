"""Letters fixtures: the demo's draft letters, a workflow driver, a live server for Chromium."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
from letter_testing import flashes
from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter


@pytest.fixture
def letters(demo) -> SimpleNamespace:
    """The demo's two draft letters, by addressee."""
    rows = {letter.authority_id: letter for letter in db.session.scalars(select(Letter))}
    return SimpleNamespace(kota=rows[demo.pemkot.id], ditjen=rows[demo.ditjen.id])


class Workflow:
    """Moves a letter through the workflow the way the office does, through the web pages."""

    def __init__(self, login):
        self._login = login

    # Signing in hashes a password (argon2, slow on purpose): only for the roles a test uses.
    @functools.cached_property
    def inspector(self):
        return self._login("inspector@demo.test")

    @functools.cached_property
    def supervisor(self):
        return self._login("supervisor@demo.test")

    @functools.cached_property
    def head(self):
        return self._login("head@demo.test")

    def approve(self, letter_id: int) -> None:
        """Submit (inspector) and approve (supervisor)."""
        for who, action in ((self.inspector, "submit"), (self.supervisor, "approve")):
            response = who.post(f"/letters/{letter_id}/{action}")
            assert response.status_code == 303, response.get_data(as_text=True)[:1000]
        assert db.session.get(Letter, letter_id).status.value == "approved"

    def issue(self, letter_id: int) -> Letter:
        """Submit, approve, then issue as the head; returns the issued letter."""
        self.approve(letter_id)
        response = self.head.post(f"/letters/{letter_id}/issue")
        assert response.status_code == 303, response.get_data(as_text=True)[:1000]
        letter = db.session.get(Letter, letter_id)
        assert letter.status.value == "issued", flashes(self.head.get(f"/letters/{letter_id}").get_data(True))
        return letter


@pytest.fixture
def workflow(login) -> Workflow:
    """Signed-in inspector, supervisor and head of the demo office."""
    return Workflow(login)
