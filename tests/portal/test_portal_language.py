"""The portal's sign-in keeps the language picked on its page, as the staff's does: it survives the fresh
session and becomes the account's saved language (its e-mails follow); with none picked, the saved one
applies. Through the real forms, CSRF on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from portal_testing import PortalBrowser, link_in

from ombudsman import clock
from ombudsman.extensions import db
from ombudsman.portal import accounts
from ombudsman.portal.models import LinkPurpose, PortalUser

ENGLISH = '<html lang="en">'
INDONESIAN = '<html lang="id">'
SIGN_IN = "/portal/masuk"


def _pick(b: PortalBrowser, code: str, page: str = SIGN_IN) -> None:
    answer = b.get(f"/lang/{code}", query_string={"next": page})
    assert answer.status_code == 303 and answer.headers["Location"] == page


def _locale(account: PortalUser) -> str:
    return db.session.get(PortalUser, account.id).locale


def test_english_picked_on_the_portal_sign_in_page_stays_and_is_saved(app, authorities_with_contacts, smtp):
    maria = authorities_with_contacts.kota_account
    b = PortalBrowser(app.test_client())
    _pick(b, "en")
    assert ENGLISH in b.get(SIGN_IN).get_data(as_text=True)

    assert b.login("maria@kupangkota.test").status_code == 303

    letters = b.get("/portal/").get_data(as_text=True)
    assert ENGLISH in letters and "Letters to your authority" in letters
    assert _locale(maria) == "en"
    # Saved: the portal's e-mails to her are in English from now on, and another device opens in English.
    other = PortalBrowser(app.test_client())
    assert other.post("/portal/masuk/tautan", data={"email": "maria@kupangkota.test"}).status_code == 303
    [mail] = smtp.inbox.wait_for(1)
    assert mail["Subject"] == "Portal sign-in link"
    assert other.login("maria@kupangkota.test").status_code == 303
    assert ENGLISH in other.get("/portal/").get_data(as_text=True)


@pytest.mark.parametrize("saved", ["en", "id"])
def test_without_a_pick_the_portal_account_language_applies(app, authorities_with_contacts, saved):
    budi = authorities_with_contacts.ditjen_account
    budi.locale = saved
    db.session.commit()
    b = PortalBrowser(app.test_client())
    assert INDONESIAN in b.get(SIGN_IN).get_data(as_text=True)

    assert b.login("budi@ditjen.test").status_code == 303

    assert f'<html lang="{saved}">' in b.get("/portal/").get_data(as_text=True)
    assert _locale(budi) == saved


def test_a_language_picked_on_a_sign_in_link_page_stays_after_the_press(app, authorities_with_contacts):
    maria = authorities_with_contacts.kota_account
    secret = accounts.new_link(maria, LinkPurpose.SIGN_IN, now=clock.utcnow(), lifetime=timedelta(minutes=30))
    db.session.commit()
    b = PortalBrowser(app.test_client())
    path = f"/portal/link/{secret}"
    _pick(b, "en", path)
    assert ENGLISH in b.get(path).get_data(as_text=True)

    assert b.post(path).status_code == 303

    assert ENGLISH in b.get("/portal/").get_data(as_text=True)
    assert _locale(maria) == "en"


def test_english_picked_before_asking_for_a_sign_in_link_stays_after_using_it(
    app, authorities_with_contacts, smtp
):
    b = PortalBrowser(app.test_client())
    _pick(b, "en")
    assert b.post("/portal/masuk/tautan", data={"email": "maria@kupangkota.test"}).status_code == 303
    [mail] = smtp.inbox.wait_for(1)
    path = link_in(mail).split("pelacak.test", 1)[1]

    assert b.post(path).status_code == 303

    assert ENGLISH in b.get("/portal/").get_data(as_text=True)
    assert _locale(authorities_with_contacts.kota_account) == "en"
