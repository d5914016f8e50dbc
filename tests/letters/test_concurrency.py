"""Letters issued at the same moment by parallel requests never share a number and leave no gap."""

from __future__ import annotations

import os
import threading
import time
from datetime import date

import pytest
from letter_setup import approved_letters
from sqlalchemy import select, text

from ombudsman.accounts.models import User
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.letters import counters, issuing
from ombudsman.letters.models import Letter, LetterStatus

IS_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
# Each thread's request runs on its own connection and must see the letters the test committed.
pytestmark = pytest.mark.committed


def issue_in_parallel(app, login, letter_ids: list[int]) -> list[int]:
    """POST /issue for every letter from its own thread and client, all released at once."""
    head = login("head@demo.test")
    token = head.token()  # first: reading it may store a fresh token in the session cookie
    cookie = head.client.get_cookie("session")
    barrier = threading.Barrier(len(letter_ids))
    statuses: dict[int, int] = {}

    def worker(letter_id: int) -> None:
        with app.app_context():
            client = app.test_client()
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
            barrier.wait(timeout=30)
            response = client.post(f"/letters/{letter_id}/issue", data={"csrf_token": token})
            statuses[letter_id] = response.status_code
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(lid,)) for lid in letter_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    return [statuses.get(lid, 0) for lid in letter_ids]


def check_numbers(letter_ids: list[int]) -> None:
    db.session.expire_all()
    rows = db.session.scalars(select(Letter).where(Letter.id.in_(letter_ids))).all()
    assert all(r.status is LetterStatus.ISSUED for r in rows)
    assert sorted(r.sequence for r in rows) == list(range(1, len(letter_ids) + 1))
    assert len({r.number for r in rows}) == len(letter_ids)
    assert len({r.verify_token for r in rows}) == len(letter_ids)


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_POSTGRES, reason="row locks (SELECT ... FOR UPDATE) are PostgreSQL's")
def test_twenty_parallel_issues_get_twenty_consecutive_numbers(app, demo, login):
    ids = approved_letters(demo, 20)
    assert issue_in_parallel(app, login, ids) == [303] * 20
    check_numbers(ids)


def test_parallel_issues_are_serialised_on_every_backend(app, demo, login):
    # SQLite serialises writers on its database lock (waiting up to the busy timeout), so a few at once.
    ids = approved_letters(demo, 3)
    assert issue_in_parallel(app, login, ids) == [303] * 3
    check_numbers(ids)


def test_four_simultaneous_issues_on_sqlite_never_fail(app, demo, login):
    """Issue 12: four at once used to give two 500s ("database is locked") while each render held SQLite's
    write lock. Now the number is reserved in a short transaction and the PDF rendered outside it (inline
    here: no Redis), so each waits for the lock only for milliseconds."""
    ids = approved_letters(demo, 4)
    assert issue_in_parallel(app, login, ids) == [303] * 4
    check_numbers(ids)


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_POSTGRES, reason="the counter row lock is PostgreSQL's (SQLite locks the file)")
def test_the_register_order_is_checked_under_the_number_lock(app, demo):
    """A reserve waits for the number lock before it reads the year's latest numbered letter: an issuer that
    numbers a later-dated letter meanwhile is seen, so numbers never run against dates."""
    first, second = approved_letters(demo, 2)
    office_id, head_id = demo.office.id, demo.users["head"].id
    counters.take_number_lock(office_id, 2025)  # the counter row exists, committed
    db.session.commit()

    other = db.engine.connect()  # another issuer, holding the counter while it numbers `first`
    other.execute(
        text("SELECT 1 FROM letter_counters WHERE office_id = :o AND year = 2025 FOR UPDATE"),
        {"o": office_id},
    )
    other.execute(
        text(
            "UPDATE letters SET number = 'B-1', sequence = 1, year = 2025, letter_date = '2025-03-07' "
            "WHERE id = :id"
        ),
        {"id": first},
    )
    outcome: dict[str, object] = {}

    def reserve_second() -> None:
        with app.app_context():
            try:
                letter = db.session.get(Letter, second)
                issuing.reserve(
                    letter,
                    db.session.get(User, head_id),
                    today=date(2025, 3, 10),
                    letter_date=date(2025, 3, 3),
                    base_url="https://pelacak.test",
                )
                db.session.commit()
                outcome["number"] = letter.number
            except Invalid as exc:
                outcome["refused"] = sorted(exc.fields)
            finally:
                db.session.rollback()
                db.session.remove()

    thread = threading.Thread(target=reserve_second)
    thread.start()
    try:
        # Until the reserve waits on the counter row (a lock wait in PostgreSQL's own view of sessions).
        for _ in range(600):
            waiting = db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            db.session.rollback()
            if waiting or not thread.is_alive():
                break
            time.sleep(0.05)
    finally:
        # The other issuer takes its number last (as `allocate_sequence` does) and commits.
        other.execute(
            text("UPDATE letter_counters SET last_sequence = 1 WHERE office_id = :o AND year = 2025"),
            {"o": office_id},
        )
        other.commit()
        other.close()
        thread.join(timeout=60)
    assert outcome == {"refused": ["letter_date"]}
