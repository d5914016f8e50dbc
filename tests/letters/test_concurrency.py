"""Letters issued at the same moment by parallel requests never share a number and leave no gap."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import select

from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.letters import drafting
from ombudsman.letters.commands import NewLetter
from ombudsman.letters.models import Letter, LetterKind, LetterStatus

IS_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
# Each thread's request runs on its own connection and must see the letters the test committed.
pytestmark = pytest.mark.committed


def approved_letters(demo, count: int) -> list[int]:
    """`count` approved reminders to the Wali Kota, each with one recommendation.

    Reminders, because only they may carry a recommendation that another active letter carries too
    (`eligibility.ESCALATION_KINDS`): twenty letters need more than the seven recommendations of the demo.
    """
    recs = [r.id for r in db.session.scalars(select(Letter)).first().recommendations]
    ids = []
    for i in range(count):
        letter = drafting.create(
            demo.office,
            demo.users["inspector"],
            NewLetter(
                authority_id=demo.pemkot.id,
                kind=LetterKind.PENGINGAT,
                hal=f"Surat uji serentak {i + 1}",
                recommendation_ids=(recs[i % len(recs)],),
            ),
        )
        letter.status = LetterStatus.APPROVED
        letter.approved_at, letter.approved_by_id = utcnow(), demo.users["supervisor"].id
        ids.append(letter.id)
    db.session.commit()
    return ids


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
