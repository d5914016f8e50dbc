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


@pytest.fixture(scope="session")
def pki():
    """The suite's own CA, intermediate, signer (PKCS#12), TSA certificate, CRL and an unknown CA."""
    from signing_testing import make_pki

    return make_pki()


@pytest.fixture
def signing_office(app, demo, pki) -> SimpleNamespace:
    """The demo office in electronic-signature mode: the head's PKCS#12 from the suite's PKI, its root
    trusted. `.passphrase`, `.head`."""
    from cryptography.hazmat.primitives import serialization
    from signing_testing import PASSPHRASE

    from ombudsman.letters import signing
    from ombudsman.letters.settings import for_office

    admin, head = demo.users["admin"], demo.users["head"]
    settings = for_office(demo.office)
    signing.upload_key(
        demo.office, admin, head, pki.signer_p12, PASSPHRASE, secret_key=app.config["SECRET_KEY"]
    )
    signing.set_trust_roots(
        demo.office, admin, settings, pki.root.cert.public_bytes(serialization.Encoding.PEM)
    )
    settings.electronic_signature = True
    db.session.commit()
    return SimpleNamespace(passphrase=PASSPHRASE, head=head, office=demo.office)
