"""Who reaches what: portal accounts of two authorities against every staff route and each other's records,
staff against the portal, sign-in links (single use, expiry), lockout, CSRF, uploads, closed follow-ups."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from portal_testing import PASSWORD, PortalBrowser, link_in
from sqlalchemy import select
from werkzeug.routing.converters import AnyConverter, NumberConverter

from ombudsman import clock
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal import accounts, scope
from ombudsman.portal.models import LinkPurpose, PortalResponse
from ombudsman.security import PORTAL_BLUEPRINT


def _sample_url(app, rule) -> str:
    """A concrete URL of a rule: ids 1, strings "x", the first choice of an `any`."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = 1
        else:
            values[name] = "x"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(f"{PORTAL_BLUEPRINT}."):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "_public", False):
            continue
        yield rule


@pytest.mark.parametrize("who", ["maria@kupangkota.test", "budi@ditjen.test"])
def test_every_staff_route_refuses_portal_accounts(app, authorities_with_contacts, portal_login, who):
    b = portal_login(who)
    token = b.token()
    checked = 0
    for rule in _staff_rules(app):
        url = _sample_url(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = b.client.open(
                url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
            )
            assert response.status_code == 403, (who, method, url, response.status_code)
            checked += 1
    assert checked > 150  # the whole staff application, API included


def test_staff_are_refused_on_portal_pages(demo, kupang_letter, login):
    inspector = login("inspector@demo.test")
    for url in ("/portal/", f"/portal/letters/{kupang_letter.id}", f"/portal/letters/{kupang_letter.id}/pdf"):
        assert inspector.get(url).status_code == 403, url
    rec = kupang_letter.recommendations[0]
    assert inspector.post(f"/portal/recommendations/{rec.id}/response").status_code == 403


def test_anonymous_visitors_of_the_portal_go_to_its_sign_in_page(client, kupang_letter):
    response = client.get(f"/portal/letters/{kupang_letter.id}")
    assert response.status_code == 302 and "/portal/masuk" in response.headers["Location"]


def test_no_cross_authority_reads(app, demo, kupang_letter, ditjen_letter, portal_login):
    maria, budi = portal_login("maria@kupangkota.test"), portal_login("budi@ditjen.test")
    own = {maria: kupang_letter, budi: ditjen_letter}
    other = {maria: ditjen_letter, budi: kupang_letter}
    for b in (maria, budi):
        assert b.get(f"/portal/letters/{own[b].id}").status_code == 200
        index = b.get("/portal/").get_data(as_text=True)
        assert own[b].number in index and other[b].number not in index
        letter = other[b]
        for url in (f"/portal/letters/{letter.id}", f"/portal/letters/{letter.id}/pdf"):
            assert b.get(url).status_code == 404, url
        for rec in letter.recommendations:
            assert b.get(f"/portal/recommendations/{rec.id}").status_code == 404
            assert (
                b.post(
                    f"/portal/recommendations/{rec.id}/response", data={"status": "implemented"}
                ).status_code
                == 404
            )
            assert b.post(f"/portal/recommendations/{rec.id}/extension", data={}).status_code == 404
    assert db.session.scalar(select(PortalResponse.id)) is None


def test_drafts_and_unknown_ids_are_not_found(app, demo, authorities_with_contacts, portal_login):
    maria = portal_login("maria@kupangkota.test")
    draft = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    assert draft.status.value == "draft"
    assert maria.get(f"/portal/letters/{draft.id}").status_code == 404
    assert maria.get(f"/portal/recommendations/{draft.recommendations[0].id}").status_code == 404
    assert maria.get("/portal/letters/999999").status_code == 404


def test_sub_units_are_in_scope_only_when_the_contact_covers_them(app, demo, authorities_with_contacts):
    account = authorities_with_contacts.kota_account
    assert demo.dinas.parent_id == demo.pemkot.id
    assert scope.authority_ids(account) >= {demo.pemkot.id, demo.dinas.id}
    account.contact.includes_sub_units = False
    assert scope.authority_ids(account) == {demo.pemkot.id}
    assert demo.pemprov.id not in scope.authority_ids(authorities_with_contacts.ditjen_account)


def test_sign_in_links_are_single_use_and_expire(app, authorities_with_contacts):
    account = authorities_with_contacts.kota_account
    now = clock.utcnow()
    fresh = accounts.new_link(account, LinkPurpose.SIGN_IN, now=now, lifetime=timedelta(minutes=30))
    stale = accounts.new_link(
        account, LinkPurpose.SIGN_IN, now=now - timedelta(hours=1), lifetime=timedelta(minutes=30)
    )
    db.session.commit()
    b = PortalBrowser(app.test_client())
    assert b.post(f"/portal/link/{stale}").status_code == 410
    assert b.post("/portal/link/not-a-real-secret").status_code == 410
    assert b.get("/portal/").status_code == 302  # still signed out
    assert b.post(f"/portal/link/{fresh}").status_code == 303
    assert b.get("/portal/").status_code == 200
    assert PortalBrowser(app.test_client()).post(f"/portal/link/{fresh}").status_code == 410


def test_a_deactivated_contact_loses_the_portal(app, demo, authorities_with_contacts, portal_login):
    from ombudsman.portal import contacts
    from ombudsman.portal.commands import ContactDetails

    maria = portal_login("maria@kupangkota.test")
    contact = authorities_with_contacts.kota
    contacts.update_contact(
        contact,
        ContactDetails(name=contact.name, email=contact.email, position=contact.position, active=False),
        actor=demo.users["admin"],
    )
    db.session.commit()
    assert maria.get("/portal/").status_code == 302  # the session ended
    assert PortalBrowser(app.test_client()).login("maria@kupangkota.test").status_code == 422


def test_portal_lockout_is_the_staffs(app, authorities_with_contacts):
    b = PortalBrowser(app.test_client())
    for _attempt in range(app.config["LOCKOUT_THRESHOLD"]):
        assert b.login("maria@kupangkota.test", password="wrong password").status_code == 422
    # Locked: even the right password is refused, with the same answer.
    response = b.login("maria@kupangkota.test", password=PASSWORD)
    assert response.status_code == 422
    assert "E-mail atau kata sandi salah." in response.get_data(as_text=True)


def test_portal_forms_need_the_csrf_token(app, kupang_letter, portal_login):
    maria = portal_login("maria@kupangkota.test")
    rec = kupang_letter.recommendations[0]
    response = maria.client.post(
        f"/portal/recommendations/{rec.id}/response", data={"status": "implemented", "text": "x"}
    )
    assert response.status_code == 400
    assert maria.client.post("/portal/keluar").status_code == 400
    assert (
        PortalBrowser(app.test_client())
        .client.post("/portal/masuk", data={"email": "maria@kupangkota.test", "password": PASSWORD})
        .status_code
        == 400
    )


def test_portal_pages_carry_the_security_headers(kupang_letter, portal_login):
    maria = portal_login("maria@kupangkota.test")
    for url in ("/portal/masuk", "/portal/", f"/portal/letters/{kupang_letter.id}"):
        response = maria.get(url)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_uploads_are_checked_as_the_staffs_and_nothing_is_kept(app, kupang_letter, portal_login, png_bytes):
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = kupang_letter.recommendations[0]
    store = app.config["EVIDENCE_DIR"]
    before = sorted(p.name for p in __import__("pathlib").Path(store).rglob("*") if p.is_file())
    response = maria.post(
        f"/portal/recommendations/{rec.id}/response",
        data={
            "status": "partly",
            "text": "Sebagian loket sudah dipindah.",
            "evidence": (io.BytesIO(b"MZ\x90\x00 not a photo at all"), "foto.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Sebagian loket sudah dipindah." in page  # the input is kept
    assert 'role="alert"' in page
    reply = maria.post(
        f"/portal/recommendations/{rec.id}/response",
        data={
            "status": "partly",
            "text": "Dengan surat.",
            "reply_letter": (io.BytesIO(png_bytes), "balasan.png"),
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 422
    assert "Surat balasan harus berupa PDF." in reply.get_data(as_text=True)
    assert db.session.scalar(select(PortalResponse.id)) is None
    after = sorted(p.name for p in __import__("pathlib").Path(store).rglob("*") if p.is_file())
    assert after == before


def test_a_closed_recommendation_refuses_answers_with_a_clear_message(
    app, demo, kupang_letter, portal_login, login
):
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = kupang_letter.recommendations[0]
    supervisor = login("supervisor@demo.test")
    closed = supervisor.post(
        f"/deadlines/recommendations/{rec.id}/outcome",
        data={
            "status": "implemented",
            "closed_on": clock.today(demo.office.timezone).isoformat(),
            "note": "Selesai.",
        },
    )
    assert closed.status_code == 303
    page = maria.get(f"/portal/recommendations/{rec.id}").get_data(as_text=True)
    assert 'id="portal-closed"' in page and 'id="respond"' not in page
    response = maria.post(
        f"/portal/recommendations/{rec.id}/response", data={"status": "implemented", "text": "Lagi."}
    )
    assert response.status_code == 422
    assert "sudah ditutup oleh kantor Ombudsman" in response.get_data(as_text=True)
    asked = maria.post(
        f"/portal/recommendations/{rec.id}/extension",
        data={"proposed_due_on": "2099-01-01", "reason": "Butuh waktu."},
    )
    assert asked.status_code == 422
    assert "sudah ditutup oleh kantor Ombudsman" in asked.get_data(as_text=True)


def test_the_outcome_is_mailed_to_the_authority(app, demo, kupang_letter, smtp, portal_login, login):
    smtp.inbox.wait_for(1)
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = kupang_letter.recommendations[1]
    supervisor = login("supervisor@demo.test")
    closed = supervisor.post(
        f"/deadlines/recommendations/{rec.id}/outcome",
        data={
            "status": "not_implemented",
            "closed_on": clock.today(demo.office.timezone).isoformat(),
            "note": "Tidak.",
        },
    )
    assert closed.status_code == 303
    mails = smtp.inbox.wait_for(2)
    assert mails[-1]["To"] == "maria@kupangkota.test"
    assert "Hasil tindak lanjut" in mails[-1]["Subject"]
    assert "Tidak dilaksanakan" in mails[-1].get_content()


def test_invitation_sets_a_password_through_the_real_smtp_path(app, demo, smtp, login, pemprov_recommended):
    admin = login("admin@demo.test")
    page = admin.post(
        f"/authorities/{demo.pemprov.id}/contacts",
        data={
            "name": "Yohanes Lado",
            "position": "Kepala Biro",
            "email": "yohanes@nttprov.test",
            "active": "y",
        },
    )
    assert page.status_code == 303
    from ombudsman.portal.models import AuthorityContact

    contact = db.session.scalar(
        select(AuthorityContact).where(AuthorityContact.email == "yohanes@nttprov.test")
    )
    assert admin.post(f"/authorities/contacts/{contact.id}/invite").status_code == 303
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "yohanes@nttprov.test"
    # The mail names the inviting office and says until when its link works, in the office's zone.
    from zoneinfo import ZoneInfo

    from ombudsman import dates
    from ombudsman.portal.models import PortalLink

    link = db.session.scalar(select(PortalLink).where(PortalLink.purpose == LinkPurpose.INVITATION))
    body = " ".join(mail.get_content().split())
    assert f"{demo.office.name} mengundang Anda" in body
    until = dates.format_moment(link.expires_at, ZoneInfo(demo.office.timezone), "id")
    assert f"berlaku sampai {until}." in body and "jam" not in body
    b = PortalBrowser(app.test_client())
    path = link_in(mail).split("pelacak.test", 1)[1]
    response = b.post(path)
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/kata-sandi")
    weak = b.post("/portal/kata-sandi", data={"new_password": "password123", "confirm": "password123"})
    assert weak.status_code == 422
    ok = b.post("/portal/kata-sandi", data={"new_password": PASSWORD, "confirm": PASSWORD})
    assert ok.status_code == 303
    assert PortalBrowser(app.test_client()).login("yohanes@nttprov.test").status_code == 303
    # The contacts page and the register page show the contact.
    assert "yohanes@nttprov.test" in admin.get(f"/authorities/{demo.pemprov.id}").get_data(as_text=True)


def _invite_yohanes(admin, demo):
    from ombudsman.portal.models import AuthorityContact

    admin.post(
        f"/authorities/{demo.pemprov.id}/contacts",
        data={"name": "Yohanes Lado", "email": "yohanes@nttprov.test", "active": "y"},
    )
    contact = db.session.scalar(
        select(AuthorityContact).where(AuthorityContact.email == "yohanes@nttprov.test")
    )
    answer = admin.post(f"/authorities/contacts/{contact.id}/invite")
    assert answer.status_code == 303
    return admin.get(answer.headers["Location"]).get_data(as_text=True)


def test_development_mail_is_logged_whole_and_kept_as_an_eml_file(
    app, demo, login, monkeypatch, tmp_path, caplog, pemprov_recommended
):
    import email
    import email.policy

    from config import Config, DevelopmentConfig, ProductionConfig, TestingConfig

    assert DevelopmentConfig.MAIL_BACKEND == "log"
    assert Config.MAIL_BACKEND == ProductionConfig.MAIL_BACKEND == TestingConfig.MAIL_BACKEND == "smtp"
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    monkeypatch.setitem(app.config, "MAIL_LOG_DIR", str(tmp_path / "mail"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://pelacak.test")
    caplog.set_level("INFO", logger="ombudsman.mail")
    page = _invite_yohanes(login("admin@demo.test"), demo)
    assert "Undangan dikirim ke yohanes@nttprov.test" in page
    [eml] = (tmp_path / "mail").glob("*.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert mail["To"] == "yohanes@nttprov.test"
    link = link_in(mail)
    [record] = [r for r in caplog.records if r.name == "ombudsman.mail"]
    assert record.levelname == "INFO" and link in record.getMessage()


def test_an_invitation_that_could_not_be_mailed_is_logged(
    app, demo, login, monkeypatch, caplog, pemprov_recommended
):
    from tests.mail_testing import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    page = _invite_yohanes(login("admin@demo.test"), demo)
    assert "Undangan tersimpan tetapi e-mail belum terkirim" in page
    [warning] = [r for r in caplog.records if r.name == "ombudsman.portal.office_views"]
    assert warning.levelname == "WARNING" and "yohanes@nttprov.test" in warning.getMessage()


def test_every_portal_page_names_the_portal_and_links_to_it_signed_in_or_not(
    app, authorities_with_contacts, portal_login
):
    import re

    account = authorities_with_contacts.kota_account
    secret = accounts.new_link(
        account, LinkPurpose.SIGN_IN, now=clock.utcnow(), lifetime=timedelta(minutes=30)
    )
    db.session.commit()
    anonymous = app.test_client()
    pages = [
        anonymous.get("/portal/masuk"),
        anonymous.get(f"/portal/link/{secret}"),
        anonymous.get("/portal/link/not-a-real-secret"),
        portal_login("maria@kupangkota.test").get("/portal/"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        brand = re.search(r'<a class="brand" href="([^"]+)">([^<]+)</a>', html)
        assert brand and brand.groups() == ("/portal/", "Ombudsman · Portal Instansi"), html[:1500]
        assert "Pelacak Inspeksi</a>" not in html
    staff = app.test_client().get("/login").get_data(as_text=True)
    assert "Ombudsman · Pelacak Inspeksi</a>" in staff
