"""The suite's own fixtures: each test in a rolled-back transaction, requests on the test's connection with a
session of their own, config restored, and the committed tests on a real, emptied database."""

from __future__ import annotations

import pytest
from flask import request_started
from sqlalchemy import func, select

from ombudsman.accounts.models import Office, User
from ombudsman.extensions import db

PROBE = "Kantor uji fixture"


def _offices_named(name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Office).where(Office.name == name))


@pytest.mark.parametrize("turn", ["first", "second"])
def test_what_a_test_commits_is_gone_for_the_next(app, database, turn):
    assert not database.committed and database.bind.in_transaction()
    assert _offices_named(PROBE) == 0  # whichever of the two runs second would see the other's office
    db.session.add(Office(name=PROBE, short_name="Uji", province="NTT"))
    db.session.commit()
    assert _offices_named(PROBE) == 1


def test_each_request_has_a_fresh_session_on_the_tests_connection(app, database, client):
    seen = []

    def record(sender, **extra):
        seen.append((db.session(), db.session.connection()))

    test_session = db.session()
    with request_started.connected_to(record, app):
        client.get("/login")
        client.get("/login")
    (first, first_connection), (second, second_connection) = seen
    assert len({id(test_session), id(first), id(second)}) == 3
    assert first_connection is database.bind and second_connection is database.bind


def test_the_test_sees_what_a_request_committed_and_its_own_rollback_keeps_it(demo, login):
    inspector = demo.users["inspector"]
    assert inspector.last_login_at is None
    login("inspector@demo.test")  # signing in records the time and commits
    assert inspector.last_login_at is not None
    db.session.rollback()  # ends the test's own transaction only
    assert db.session.get(User, inspector.id).last_login_at is not None


def test_the_demo_is_seeded_once_and_unchanged_by_earlier_tests(demo):
    assert demo.users["inspector"].last_login_at is None
    assert db.session.scalar(select(func.count()).select_from(Office)) == 1


@pytest.mark.parametrize("turn", ["first", "second"])
def test_config_changes_end_with_the_test(app, tmp_path, turn):
    assert app.config["PER_PAGE"] == 25
    assert app.config["EVIDENCE_DIR"] == str(tmp_path / "evidence")
    app.config["PER_PAGE"] = 3


@pytest.mark.committed
def test_committed_tests_start_empty_and_commit_for_real(app, database):
    assert database.committed
    assert db.session.scalar(select(func.count()).select_from(Office)) == 0
    db.session.add(Office(name=PROBE, short_name="Uji", province="NTT"))
    db.session.commit()
    with db.engine.connect() as other:  # another connection sees it
        assert other.execute(select(func.count()).select_from(Office)).scalar() == 1
