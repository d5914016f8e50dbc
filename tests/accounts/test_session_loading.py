"""Loading the signed-in account on each request: the session's own mapped object, refused at once when the
account is deactivated or its session generation moves, whatever changed it (a form, a script, SQL)."""

from __future__ import annotations

from flask import request_finished
from flask_login import current_user
from sqlalchemy import update

from ombudsman.accounts.models import User
from ombudsman.accounts.sessions import load_session_user
from ombudsman.extensions import db
from ombudsman.portal.models import AuthorityContact, PortalUser

PAGE = "/letters/"


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_loaded_user_is_the_sessions_own_object(demo, app):
    inspector = demo.users["inspector"]
    with app.test_request_context():
        loaded = load_session_user(inspector.get_id())
        assert isinstance(loaded, User) and loaded.id == inspector.id
        assert loaded in db.session and loaded is db.session.get(User, inspector.id)
        assert load_session_user(inspector.get_id()) is loaded  # the identity map's one instance


def test_a_stale_generation_an_inactive_user_and_malformed_ids_load_nobody(demo, app):
    inspector = demo.users["inspector"]
    generation = inspector.session_generation or 0
    with app.test_request_context():
        assert load_session_user(f"{inspector.id}:{generation + 1}") is None
        for malformed in (str(inspector.id), f"{inspector.id}:", f"x:{generation}", "9" * 13 + ":0", "0:0"):
            assert load_session_user(malformed) is None
        assert load_session_user(f"portal:{inspector.id}:{generation}") is None  # staff is never portal
        inspector.active = False
        db.session.flush()
        assert load_session_user(f"{inspector.id}:{generation}") is None


def test_a_portal_id_loads_only_a_portal_account(demo, app):
    contact = AuthorityContact(
        authority_id=demo.pemkot.id, name="Kontak", email="kontak-loading@example.test"
    )
    db.session.add(contact)
    db.session.flush()
    account = PortalUser(
        contact_id=contact.id, authority_id=demo.pemkot.id, email=contact.email, name=contact.name
    )
    db.session.add(account)
    db.session.flush()
    with app.test_request_context():
        loaded = load_session_user(account.get_id())
        assert loaded is account and isinstance(loaded, PortalUser)
        staff = load_session_user(account.get_id().removeprefix("portal:"))
        assert not isinstance(staff, PortalUser)  # the same digits as a staff id name a staff user or none


def test_a_generation_bumped_in_sql_refuses_the_very_next_request(demo, login):
    b = login("inspector@demo.test")
    assert b.get(PAGE).status_code == 200
    db.session.execute(
        update(User)
        .where(User.id == demo.users["inspector"].id)
        .values(session_generation=User.session_generation + 1)
    )
    db.session.commit()
    assert _sent_to_login(b.get(PAGE))


def test_a_user_deactivated_in_sql_is_refused_on_the_very_next_request(demo, login):
    b = login("inspector@demo.test")
    other = login("supervisor@demo.test")
    assert b.get(PAGE).status_code == 200
    db.session.execute(update(User).where(User.id == demo.users["inspector"].id).values(active=False))
    db.session.commit()
    assert _sent_to_login(b.get(PAGE))
    assert other.get(PAGE).status_code == 200  # only that account


def test_current_user_during_a_request_is_the_sessions_user_object(demo, app, login):
    seen = []

    def probe(sender, response, **extra):
        user = current_user._get_current_object()
        seen.append((type(user), user in db.session and user is db.session.get(User, user.id)))

    b = login("inspector@demo.test")
    with request_finished.connected_to(probe, app):
        assert b.get(PAGE).status_code == 200
    assert seen == [(User, True)]
