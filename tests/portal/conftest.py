"""Portal fixtures: contacts of two authorities with portal accounts, and the Kupang letter issued to the
first with electronic delivery over a real SMTP server on loopback."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from portal_testing import PortalBrowser, add_contact, issue, portal_account
from sqlalchemy import select

from ombudsman.extensions import db
from ombudsman.letters.models import Letter


@pytest.fixture
def portal_login(app):
    """Factory: a new client signed in to the portal with the given e-mail and the test password."""

    def _login(email: str, **kwargs) -> PortalBrowser:
        b = PortalBrowser(app.test_client())
        response = b.login(email, **kwargs)
        assert response.status_code == 303, response.get_data(as_text=True)[:800]
        return b

    return _login


@pytest.fixture
def authorities_with_contacts(demo):
    """Kota Kupang's contact (covering its agencies) and the Ditjen's, each with a portal password."""
    admin = demo.users["admin"]
    kota = add_contact(
        demo.pemkot, admin, name="Maria Fernandez", email="maria@kupangkota.test", position="Sekda"
    )
    ditjen = add_contact(
        demo.ditjen, admin, name="Budi Santoso", email="budi@ditjen.test", position="Sesditjen"
    )
    db.session.commit()
    return SimpleNamespace(
        kota=kota, ditjen=ditjen, kota_account=portal_account(kota), ditjen_account=portal_account(ditjen)
    )


@pytest.fixture
def kupang_letter(demo, login, smtp, authorities_with_contacts) -> Letter:
    """The demo's letter to Kota Kupang, issued with electronic delivery (mailed to its contact)."""
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    return issue(login, letter.id, electronic_delivery="y")


@pytest.fixture
def ditjen_letter(demo, login) -> Letter:
    """The demo's letter to the Ditjen, issued without electronic delivery."""
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.ditjen.id))
    return issue(login, letter.id)


@pytest.fixture
def pemprov_recommended(demo):
    """The demo office has made a recommendation to the Pemprov NTT: its admin may now manage the Pemprov's
    portal contacts (`ombudsman.portal.contacts.require_steward`)."""
    from ombudsman.recommendations import services as recommendations

    rec = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": [demo.findings[1].id],
            "authority_id": demo.pemprov.id,
            "text": "Mengoordinasikan penyediaan blangko KTP-el bagi kabupaten/kota",
        },
    )
    db.session.commit()
    return rec
