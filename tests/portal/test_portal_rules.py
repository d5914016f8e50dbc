"""The portal's rules one by one: the receipt against a date the office recorded, asking for a link, the
checks on extension requests and decisions, the admin's contacts."""

from __future__ import annotations

from datetime import timedelta

from portal_testing import PortalBrowser, add_contact, issue
from sqlalchemy import select

from ombudsman import clock
from ombudsman.extensions import db
from ombudsman.letters.models import Letter
from ombudsman.portal import receipts
from ombudsman.portal.models import AuthorityContact, ExtensionRequest, PortalLink


def _open(letter, account):
    return receipts.record_opening(
        letter, account, now=clock.utcnow(), remote_addr="10.1.2.3", user_agent="UA"
    )


def test_a_receipt_the_office_recorded_stands_and_the_opening_is_kept_beside_it(
    demo, kupang_letter, authorities_with_contacts
):
    today = clock.today(demo.office.timezone)
    letter = db.session.get(Letter, kupang_letter.id)
    letter.received_on = letter.letter_date  # recorded by the office (same day as issued, today)
    receipt = _open(letter, authorities_with_contacts.kota_account)
    assert receipt.received_on == today and receipt.remote_addr == "10.1.2.3"
    assert not receipt.applied
    assert _open(letter, authorities_with_contacts.kota_account) is None  # only the first opening counts


def test_the_first_opening_starts_the_clocks_with_an_audited_receipt(
    demo, kupang_letter, authorities_with_contacts
):
    from ombudsman.audit.models import AuditEvent

    letter = db.session.get(Letter, kupang_letter.id)
    receipt = _open(letter, authorities_with_contacts.kota_account)
    db.session.flush()
    assert receipt.applied and letter.received_on == receipt.received_on
    # Mailed through the portal: e-mail, sent on the day of the mailing in the office's zone.
    from zoneinfo import ZoneInfo

    from ombudsman.portal.models import PortalDelivery

    sent_at = db.session.scalar(select(PortalDelivery.sent_at).where(PortalDelivery.letter_id == letter.id))
    assert letter.delivery_method.value == "email"
    assert letter.delivered_on == sent_at.astimezone(ZoneInfo(demo.office.timezone)).date()
    assert {rec.deadline.received_on for rec in letter.recommendations} == {receipt.received_on}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "portal_receipt"))
    assert event.changes["portal_user"] == "Maria Fernandez" and event.changes["remote_addr"] == "10.1.2.3"
    assert sorted(event.changes["deadlines_started"]) == sorted(r.id for r in letter.recommendations)


def test_opening_a_letter_never_mailed_records_the_receipt_but_invents_no_delivery(
    demo, ditjen_letter, authorities_with_contacts
):
    from ombudsman.audit.models import AuditEvent

    letter = db.session.get(Letter, ditjen_letter.id)
    assert letter.delivery_method is None and letter.delivered_on is None
    receipt = _open(letter, authorities_with_contacts.ditjen_account)
    db.session.flush()
    assert receipt.applied and letter.received_on == receipt.received_on
    assert letter.delivery_method is None and letter.delivered_on is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "portal_receipt"))
    assert "delivery_method" not in event.changes and "delivered_on" not in event.changes
    assert "received_on" in event.changes


def test_asking_for_a_link_answers_the_same_for_unknown_addresses(app, authorities_with_contacts, smtp):
    b = PortalBrowser(app.test_client())
    known = b.post("/portal/masuk/tautan", data={"email": "maria@kupangkota.test"})
    unknown = b.post("/portal/masuk/tautan", data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 303
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "maria@kupangkota.test" and "/portal/link/" in mail.get_content()
    assert db.session.scalar(select(PortalLink.purpose)).value == "sign_in"
    bad = b.post("/portal/masuk/tautan", data={"email": "not an address"})
    assert bad.status_code == 422


def test_extension_requests_need_a_later_date_and_a_reason_and_one_at_a_time(
    demo, kupang_letter, portal_login
):
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = db.session.get(Letter, kupang_letter.id).recommendations[0]
    url = f"/portal/recommendations/{rec.id}/extension"
    due = rec.deadline.due_on
    too_early = maria.post(url, data={"proposed_due_on": due.isoformat(), "reason": "Alasan."})
    assert too_early.status_code == 422
    assert "harus sesudah tenggat sekarang" in too_early.get_data(as_text=True)
    no_reason = maria.post(
        url, data={"proposed_due_on": (due + timedelta(days=9)).isoformat(), "reason": " "}
    )
    assert no_reason.status_code == 422
    assert "Tuliskan alasan permohonan perpanjangan." in no_reason.get_data(as_text=True)
    later = (due + timedelta(days=9)).isoformat()
    assert maria.post(url, data={"proposed_due_on": later, "reason": "Alasan."}).status_code == 303
    again = maria.post(url, data={"proposed_due_on": later, "reason": "Lagi."})
    assert again.status_code == 422
    assert "masih menunggu keputusan" in again.get_data(as_text=True)


def test_a_refusal_needs_a_note_and_is_mailed(app, demo, kupang_letter, portal_login, login, smtp):
    smtp.inbox.wait_for(1)
    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = db.session.get(Letter, kupang_letter.id).recommendations[1]
    due = rec.deadline.due_on
    maria.post(
        f"/portal/recommendations/{rec.id}/extension",
        data={"proposed_due_on": (due + timedelta(days=20)).isoformat(), "reason": "Alasan."},
    )
    request = db.session.scalar(select(ExtensionRequest))
    inspector = login("inspector@demo.test")
    assert inspector.post(f"/deadlines/extension-requests/{request.id}/grant", data={}).status_code == 403
    supervisor = login("supervisor@demo.test")
    silent = supervisor.post(f"/deadlines/extension-requests/{request.id}/refuse", data={"note": ""})
    assert silent.status_code == 303
    assert "Tuliskan alasan penolakan." in supervisor.get(silent.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, request.id).is_pending
    refused = supervisor.post(
        f"/deadlines/extension-requests/{request.id}/refuse", data={"note": "Waktu sudah cukup."}
    )
    assert refused.status_code == 303
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, request.id).status.value == "refused"
    assert db.session.get(type(rec), rec.id).deadline.due_on == due
    mails = smtp.inbox.wait_for(2)
    assert "ditolak" in mails[-1]["Subject"] and "Waktu sudah cukup." in mails[-1].get_content()
    # Decided once: a second decision is refused.
    twice = supervisor.post(f"/deadlines/extension-requests/{request.id}/grant", data={"days": "5"})
    assert twice.status_code == 303
    assert "sudah diputus" in supervisor.get(twice.headers["Location"]).get_data(as_text=True)


def test_another_offices_request_is_not_found(app, demo, kupang_letter, portal_login, login):
    from ombudsman.accounts import services as accounts
    from ombudsman.accounts.models import Office

    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = db.session.get(Letter, kupang_letter.id).recommendations[0]
    due = rec.deadline.due_on
    maria.post(
        f"/portal/recommendations/{rec.id}/extension",
        data={"proposed_due_on": (due + timedelta(days=20)).isoformat(), "reason": "Alasan."},
    )
    request = db.session.scalar(select(ExtensionRequest))
    other = Office(name="Perwakilan Lain", province="Bali", city="Denpasar", timezone="Asia/Makassar")
    db.session.add(other)
    accounts.create_user(
        email="sup@lain.test", name="Lain", role="supervisor", office=other, password="password-1"
    )
    db.session.commit()
    stranger = login("sup@lain.test", "password-1")
    assert (
        stranger.post(f"/deadlines/extension-requests/{request.id}/grant", data={"days": "5"}).status_code
        == 404
    )


def test_contacts_redisplay_with_the_input_kept_and_only_admins_manage_them(demo, login):
    admin = login("admin@demo.test")
    url = f"/authorities/{demo.pemkot.id}/contacts"
    data = {"name": "Maria Fernandez", "position": "Sekda", "email": "maria@kupangkota.test", "active": "y"}
    assert admin.post(url, data=data).status_code == 303
    again = admin.post(url, data=data | {"name": "Maria Kedua"})
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Kontak dengan e-mail maria@kupangkota.test sudah ada." in page and "Maria Kedua" in page
    bad = admin.post(url, data=data | {"email": "bukan-alamat"})
    assert bad.status_code == 422
    assert len(db.session.scalars(select(AuthorityContact)).all()) == 1
    head = login("head@demo.test")
    assert head.get(url).status_code == 403
    assert head.post(url, data=data).status_code == 403


def test_an_undelivered_letter_mail_is_sent_later_from_the_letters_page(
    app, demo, login, smtp, authorities_with_contacts
):
    from ombudsman.portal.models import PortalDelivery
    from tests.mail_testing import free_port

    app.config["MAIL_PORT"] = free_port()  # nothing listens there while the letter is issued
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    issue(login, letter.id, electronic_delivery="y")
    row = db.session.scalar(select(PortalDelivery))
    assert row.sent_at is None
    head = login("head@demo.test")
    assert "Kirim e-mail yang belum terkirim" in head.get(f"/letters/{letter.id}").get_data(as_text=True)
    app.config["MAIL_PORT"] = smtp.port
    assert head.post(f"/letters/{letter.id}/e-delivery/send").status_code == 303
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "maria@kupangkota.test"
    db.session.expire_all()
    assert db.session.scalar(select(PortalDelivery)).sent_at is not None
    assert head.post(f"/letters/{letter.id}/e-delivery/send").status_code == 303
    assert len(smtp.inbox.wait_for(2, timeout=0.5)) == 1  # nobody is mailed twice


def test_the_recommendation_page_shows_the_due_dates_holiday_data_warning(demo, kupang_letter, portal_login):
    from ombudsman.deadlines.calendar import coverage_warning

    maria = portal_login("maria@kupangkota.test")
    maria.get(f"/portal/letters/{kupang_letter.id}")
    rec = db.session.get(Letter, kupang_letter.id).recommendations[0]
    rec.deadline.warnings = [coverage_warning(2027)]
    db.session.commit()
    page = maria.get(f"/portal/recommendations/{rec.id}").get_data(as_text=True)
    assert "Data hari libur tahun 2027 belum tersedia; tanggal jatuh tempo mungkin keliru." in page


def test_electronic_delivery_cannot_be_ticked_for_an_authority_without_contacts(demo, login):
    import re

    from ombudsman.authorities.models import Authority
    from ombudsman.portal import contacts

    def checkbox(letter_id: int) -> str:
        page = login("head@demo.test").get(f"/letters/{letter_id}").get_data(as_text=True)
        return re.search(r'<input[^>]*name="electronic_delivery"[^>]*>', page)[0]

    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.ditjen.id))
    for email, action in (("inspector@demo.test", "submit"), ("supervisor@demo.test", "approve")):
        assert login(email).post(f"/letters/{letter.id}/{action}").status_code == 303
    assert not contacts.contacts_of(db.session.get(Authority, demo.ditjen.id))
    assert "disabled" in checkbox(letter.id)
    add_contact(demo.ditjen, demo.users["admin"], name="Budi", email="budi@ditjen.test", position="")
    db.session.commit()
    assert "disabled" not in checkbox(letter.id)


def test_the_authority_page_labels_its_own_phone_and_e_mail_and_shows_a_dash_for_none(demo, login):
    from ombudsman.authorities.models import Authority

    authority = db.session.get(Authority, demo.ditjen.id)
    authority.email, authority.phone = "", ""
    db.session.commit()
    page = login("admin@demo.test").get(f"/authorities/{authority.id}").get_data(as_text=True)
    assert "<dt>Telepon / e-mail kantor</dt><dd>\u2014</dd>" in page
    assert "<dt>Kontak</dt>" not in page


def test_the_delivery_mail_says_until_when_its_link_works_in_the_office_zone(demo, kupang_letter, smtp):
    from zoneinfo import ZoneInfo

    from ombudsman import dates
    from ombudsman.portal.models import LinkPurpose

    [mail] = smtp.inbox.wait_for(1)
    link = db.session.scalar(select(PortalLink).where(PortalLink.purpose == LinkPurpose.DELIVERY))
    until = dates.format_moment(link.expires_at, ZoneInfo(demo.office.timezone), "id")
    body = " ".join(mail.get_content().split())
    assert f"berlaku sampai {until}; sesudahnya masuk lewat" in body and " jam" not in body
