"""The role × view matrix: every page checks the role, and anonymous visitors are sent to log in."""

import pytest

ROLES = ["inspector", "supervisor", "head", "admin", "viewer"]
ALL = set(ROLES)
FIELD = {"inspector", "supervisor"}
RECOMMEND = {"inspector", "supervisor", "head"}
ADMIN = {"admin"}

# (method, url template, roles allowed). POSTs carry no valid data: an allowed role gets a form back (422),
# a redirect or a 400, never 403; a refused role gets 403.
MATRIX = [
    ("GET", "/", ALL),
    ("GET", "/inspections/", ALL),
    ("GET", "/inspections/{inspection}", ALL),
    ("GET", "/inspections/new", FIELD),
    ("POST", "/inspections/new", FIELD),
    ("GET", "/inspections/{inspection}/edit", FIELD),
    ("POST", "/inspections/{inspection}/checklist", FIELD),
    ("GET", "/inspections/{inspection}/findings/new", FIELD),
    ("POST", "/inspections/{inspection}/findings/new", FIELD),
    ("POST", "/inspections/{inspection}/evidence", FIELD),
    ("POST", "/inspections/{inspection}/reopen", {"supervisor"}),
    ("GET", "/findings/", ALL),
    ("GET", "/findings/{finding}", ALL),
    ("GET", "/findings/suggest?inspection_id={inspection}", ALL),
    ("GET", "/findings/{finding}/edit", FIELD),
    ("POST", "/findings/{finding}/edit", FIELD),
    ("POST", "/findings/{finding}/evidence", FIELD),
    ("GET", "/evidence/{evidence}/file", ALL),
    ("GET", "/evidence/{evidence}/thumbnail", ALL),
    ("GET", "/recommendations/", ALL),
    ("GET", "/recommendations/{recommendation}", ALL),
    ("GET", "/recommendations/new", RECOMMEND),
    ("POST", "/recommendations/new", RECOMMEND),
    ("GET", "/recommendations/{recommendation}/edit", RECOMMEND),
    ("POST", "/recommendations/{recommendation}/edit", RECOMMEND),
    ("GET", "/authorities/", ALL),
    ("GET", "/authorities/{authority}", ALL),
    ("GET", "/authorities/rules/", ALL),
    ("GET", "/authorities/new", ADMIN),
    ("POST", "/authorities/new", ADMIN),
    ("GET", "/authorities/{authority}/edit", ADMIN),
    ("POST", "/authorities/{authority}/edit", ADMIN),
    ("POST", "/authorities/{authority}/delete", ADMIN),
    ("GET", "/authorities/rules/new", ADMIN),
    ("GET", "/authorities/rules/{rule}", ADMIN),
    ("POST", "/authorities/rules/{rule}", ADMIN),
    ("GET", "/checklists/", ALL),
    ("GET", "/checklists/{checklist}", ALL),
    ("GET", "/checklists/{checklist}/new-version", ADMIN),
    ("POST", "/checklists/{checklist}/new-version", ADMIN),
    ("GET", "/users/", ADMIN),
    ("GET", "/users/new", ADMIN),
    ("POST", "/users/new", ADMIN),
    ("GET", "/users/{user}", ADMIN),
    # The authority portal's staff side (issue 14).
    ("GET", "/authorities/{addressee}/contacts", ADMIN),
    ("POST", "/authorities/{addressee}/contacts", ADMIN),
    ("POST", "/letters/{letter}/e-delivery/send", RECOMMEND),
]


@pytest.fixture
def ids(demo, app, png_bytes):
    from ombudsman.authorities.models import RoutingRule
    from ombudsman.extensions import db
    from ombudsman.inspections import services, storage
    from ombudsman.letters.models import Letter
    from ombudsman.recommendations.models import Recommendation

    upload = storage.check_upload(png_bytes, "foto.png", max_bytes=app.config["EVIDENCE_MAX_BYTES"])
    evidence = services.add_evidence(
        demo.inspection,
        demo.users["inspector"],
        upload,
        root=__import__("pathlib").Path(app.config["EVIDENCE_DIR"]),
        thumbnail_px=100,
        finding=demo.findings[1],
    )
    db.session.commit()
    return {
        "inspection": demo.inspection.id,
        "finding": demo.findings[1].id,
        "evidence": evidence.id,
        "recommendation": db.session.scalars(db.select(Recommendation.id)).first(),
        "authority": demo.pemprov.id,
        "rule": db.session.scalars(db.select(RoutingRule.id)).first(),
        "user": demo.users["viewer"].id,
        "checklist": demo.inspection.checklist_id,
        "letter": db.session.scalars(db.select(Letter.id)).first(),
        "addressee": demo.pemkot.id,  # not the one the admin's row deletes
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, ids, login):
    b = login(f"{role}@demo.test")
    for method, template, allowed in MATRIX:
        url = template.format(**ids)
        response = b.get(url) if method == "GET" else b.post(url, data={})
        if role in allowed:
            assert response.status_code in (200, 302, 303, 400, 422), (
                role,
                method,
                url,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


@pytest.fixture
def portal_browsers(demo, app):
    """Signed-in portal accounts of two authorities (issue 14): Kota Kupang's and the Ditjen's contact."""
    from ombudsman.extensions import db
    from ombudsman.portal import accounts, contacts
    from ombudsman.portal.commands import ContactDetails, SetPortalPassword
    from tests.conftest import CSRF_RE

    password = "Sasando-Kupang-2026!"
    browsers = []
    for authority, email in ((demo.pemkot, "kontak@kupangkota.test"), (demo.ditjen, "kontak@ditjen.test")):
        contact = contacts.add_contact(
            authority, ContactDetails(name="Kontak", email=email), actor=demo.users["admin"]
        )
        account = accounts.account_for(contact, actor=demo.users["admin"])
        accounts.set_password(account, SetPortalPassword(new_password=password, confirm=password))
        db.session.commit()
        client = app.test_client()
        token = CSRF_RE.search(client.get("/portal/masuk").get_data(as_text=True)).group(1)
        signed_in = client.post(
            "/portal/masuk", data={"email": email, "password": password, "csrf_token": token}
        )
        assert signed_in.status_code == 303
        token = CSRF_RE.search(client.get("/portal/").get_data(as_text=True)).group(1)
        browsers.append((client, token))
    return browsers


def test_portal_accounts_of_two_authorities_are_refused_on_every_staff_row(ids, portal_browsers):
    # Every staff route, the whole app's: tests/portal/test_portal_access.py; the portal's own records
    # of another authority are 404 there too.
    for client, token in portal_browsers:
        for method, template, _allowed in MATRIX:
            url = template.format(**ids)
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code == 403, (method, url, response.status_code)


def test_anonymous_is_redirected_everywhere(ids, client):
    for method, template, _allowed in MATRIX:
        url = template.format(**ids)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        # POSTs without a session fail the CSRF check (400) before anything else; GETs go to the login page.
        assert response.status_code in (302, 400), (method, url, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


def test_submitted_inspection_is_locked_for_inspectors_not_supervisors(demo, login):
    inspector = login("inspector@demo.test")
    assert inspector.post(f"/inspections/{demo.inspection.id}/submit").status_code == 303
    assert inspector.get(f"/inspections/{demo.inspection.id}/edit").status_code == 403
    assert inspector.get(f"/inspections/{demo.inspection.id}/findings/new").status_code == 403
    assert inspector.get(f"/findings/{demo.findings[1].id}/edit").status_code == 403
    page = inspector.get(f"/inspections/{demo.inspection.id}").get_data(as_text=True)
    assert 'id="add-finding"' not in page
    supervisor = login("supervisor@demo.test")
    assert supervisor.get(f"/inspections/{demo.inspection.id}/findings/new").status_code == 200
    assert supervisor.post(f"/inspections/{demo.inspection.id}/reopen").status_code == 303
    assert inspector.get(f"/inspections/{demo.inspection.id}/edit").status_code == 200


def test_inspector_cannot_edit_a_colleagues_draft(demo, login, app):
    from ombudsman.accounts import services as accounts
    from ombudsman.extensions import db

    accounts.create_user(
        email="other@demo.test", name="Lain", role="inspector", office=demo.office, password="password-1"
    )
    db.session.commit()
    other = login("other@demo.test", "password-1")
    assert other.get(f"/inspections/{demo.inspection.id}").status_code == 200
    assert other.get(f"/inspections/{demo.inspection.id}/edit").status_code == 403
