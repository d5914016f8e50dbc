"""Who manages an authority's portal contacts at national scale: the admin of an office that dealt with the
authority (inspected it, made a recommendation to it, or addressed a letter to it), not every office's admin
(`ombudsman.portal.contacts.require_steward`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ombudsman.accounts import services as accounts
from ombudsman.audit.models import AuditEvent
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.portal import contacts
from ombudsman.portal.api_models import PortalApiToken
from ombudsman.portal.models import AuthorityContact, PortalLink, PortalUser
from tests.api.conftest import ApiClient
from tests.conftest import bali_user

REFUSAL = "Kontak instansi ini dikelola admin kantor yang pernah memeriksa"


@pytest.fixture
def bali_admin(demo):
    """The admin of another office (Perwakilan Bali), which never dealt with the demo's authorities."""
    return bali_user("admin", "Admin Bali")


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (AuthorityContact, PortalLink, PortalApiToken, AuditEvent)
    )


def test_another_offices_admin_is_refused_every_contact_page_and_action(
    demo, login, authorities_with_contacts, bali_admin
):
    kota = authorities_with_contacts.kota
    before = _counts()
    bali = login("admin@bali.test")
    new = {"name": "Orang Lain", "position": "Staf", "email": "lain@kupangkota.test", "active": "y"}

    pages = {
        "contacts": bali.get(f"/authorities/{demo.pemkot.id}/contacts"),
        "add": bali.post(f"/authorities/{demo.pemkot.id}/contacts", data=new),
        "edit page": bali.get(f"/authorities/contacts/{kota.id}/edit"),
        "edit": bali.post(f"/authorities/contacts/{kota.id}/edit", data=new),
        "invite": bali.post(f"/authorities/contacts/{kota.id}/invite"),
    }

    for name, response in pages.items():
        assert response.status_code == 403, name
        assert REFUSAL in response.get_data(as_text=True), name
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(AuthorityContact, kota.id).email == "maria@kupangkota.test"
    bali.get("/lang/en")
    english = bali.get(f"/authorities/{demo.pemkot.id}/contacts").get_data(as_text=True)
    assert "This authority&#39;s contacts are managed by the admin of an office" in english
    assert "Your office has not." in english


def test_the_register_page_shows_another_offices_admin_who_manages_the_contacts(
    demo, login, authorities_with_contacts, bali_admin
):
    bali = login("admin@bali.test").get(f"/authorities/{demo.pemkot.id}").get_data(as_text=True)
    own = login("admin@demo.test").get(f"/authorities/{demo.pemkot.id}").get_data(as_text=True)

    # Both see who the contacts are; only the office that dealt with the city gets the button.
    assert "maria@kupangkota.test" in bali and "maria@kupangkota.test" in own
    assert 'id="manage-contacts"' not in bali and 'id="contacts-managed-elsewhere"' in bali
    assert 'id="manage-contacts"' in own and 'id="contacts-managed-elsewhere"' not in own


def test_another_offices_admin_cannot_make_list_or_revoke_portal_tokens(
    app, demo, authorities_with_contacts, bali_admin
):
    account = authorities_with_contacts.kota_account
    own = ApiClient(
        app.test_client(),
        accounts.issue_token(demo.users["admin"], lifetime=timedelta(days=1), now=utcnow())[1],
    )
    bali = ApiClient(
        app.test_client(), accounts.issue_token(bali_admin, lifetime=timedelta(days=1), now=utcnow())[1]
    )
    db.session.commit()
    url = f"/api/v1/portal-users/{account.id}/tokens"
    made = own.post(url, json={"label": "SIMPEG Kota"})
    assert made.status_code == 201
    before = _counts()

    answers = [
        bali.post(url, json={"label": "Bukan urusan Bali"}),
        bali.post(url, json={"days": 999}),  # refused as not its business before the body is judged
        bali.get(url),
        bali.delete(f"/api/v1/portal-tokens/{made.get_json()['id']}"),
    ]

    for answer in answers:
        assert answer.status_code == 403
        assert REFUSAL in answer.get_json()["error"]
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(PortalApiToken, made.get_json()["id"]).revoked_at is None


def test_an_office_manages_the_contacts_once_it_inspected_the_authority(demo, login, bali_admin):
    url = f"/authorities/{demo.dinas.id}/contacts"
    bali = login("admin@bali.test")
    assert bali.get(url).status_code == 403
    assert not contacts.office_dealt_with(bali_admin.office_id, demo.dinas.id)

    inspector = bali_user("inspector", "Inspektur Bali")
    draft = inspections.create_inspection(
        bali_admin.office,
        inspector,
        {"authority_id": demo.dinas.id, "title": "Sidak Bali", "visited_on": demo.inspection.visited_on},
    )
    db.session.commit()
    # An empty draft (a title is enough to open one) does not make the office the authority's steward.
    assert not contacts.office_dealt_with(bali_admin.office_id, demo.dinas.id)
    assert bali.get(url).status_code == 403

    inspections.submit_inspection(draft, inspector)
    db.session.commit()
    assert contacts.office_dealt_with(bali_admin.office_id, demo.dinas.id)
    assert bali.get(url).status_code == 200
    added = bali.post(url, data={"name": "Kepala Dinas", "email": "kadis@kupangkota.test", "active": "y"})
    assert added.status_code == 303


def test_the_demo_office_dealt_with_the_authorities_it_recommended_to_and_wrote_to(demo):
    office_id = demo.office.id
    # The city and the Ditjen: recommendations and letters; the Dinas: inspected (a draft with findings);
    # the province: nothing yet.
    assert contacts.office_dealt_with(office_id, demo.pemkot.id)
    assert contacts.office_dealt_with(office_id, demo.ditjen.id)
    assert contacts.office_dealt_with(office_id, demo.dinas.id)
    assert not contacts.office_dealt_with(office_id, demo.pemprov.id)
    assert not contacts.may_manage(demo.users["head"], demo.pemkot.id)
    assert contacts.may_manage(demo.users["admin"], demo.pemkot.id)


def test_the_audit_trail_names_who_made_a_contacts_portal_account(
    demo, login, smtp, authorities_with_contacts
):
    contact = contacts.add_contact(
        demo.pemkot,
        contacts.ContactDetails(name="Kepala Bagian Umum", email="umum@kupangkota.test"),
        actor=demo.users["admin"],
    )
    db.session.commit()
    assert login("admin@demo.test").post(f"/authorities/contacts/{contact.id}/invite").status_code == 303

    account_id = db.session.scalar(select(PortalUser.id).where(PortalUser.contact_id == contact.id))
    made = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "portal_user",
            AuditEvent.entity_id == account_id,
            AuditEvent.action == "created",
        )
    )
    assert made is not None and made.user_id == demo.users["admin"].id
