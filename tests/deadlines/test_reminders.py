"""Reminder digests over real SMTP (aiosmtpd on loopback) and the private iCalendar feed."""

import email
import email.policy
import hashlib
import re
from datetime import date

import icalendar
import pytest
from databases import IS_POSTGRES
from sqlalchemy import func, select, text

from ombudsman import periodic
from ombudsman.deadlines import adjustments, follow_up
from ombudsman.deadlines.commands import Extend, RecordOutcome
from ombudsman.deadlines.models import CalendarFeed, ReminderNotice
from ombudsman.extensions import db
from tests.mail_testing import free_port


def _remind(runner):
    result = runner.invoke(args=["deadlines", "remind"])
    return result


def _by_recipient(messages) -> dict[str, email.message.EmailMessage]:
    return {m["To"]: m for m in messages}


def test_digest_is_delivered_once_per_event(demo, started, runner, smtp, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")  # 4 working days before 20 September

    first = _remind(runner)

    assert first.exit_code == 0, first.output
    assert "2 digest(s) sent, 14 event(s) announced." in first.output
    mails = _by_recipient(smtp.inbox.messages)
    assert set(mails) == {"inspector@demo.test", "supervisor@demo.test"}
    mail = mails["inspector@demo.test"]
    assert mail["Subject"] == "Tenggat tindak lanjut: 7 segera jatuh tempo"
    assert mail["From"] == "ombudsman-tracker@localhost"
    body = mail.get_content()
    assert "Yth. Maria Inspektur," in body
    assert "per 14 September 2018" in body
    assert "Segera jatuh tempo (7)" in body
    assert "* Pemerintah Kota Kupang: Menambah jumlah loket pelayanan" in body
    assert "Jatuh tempo 20 September 2018" in body
    assert f"https://pelacak.test/deadlines/recommendations/{started[0].recommendation_id}" in body

    second = _remind(runner)

    assert second.exit_code == 0
    assert "0 digest(s) sent, 0 event(s) announced." in second.output
    assert len(smtp.inbox.messages) == 2
    assert db.session.scalar(select(func.count()).select_from(ReminderNotice)) == 14


def test_overdue_is_a_new_event_and_an_extension_a_new_due_date(demo, started, runner, smtp, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")
    _remind(runner)
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-21")

    _remind(runner)

    overdue = _by_recipient(smtp.inbox.messages[2:])
    assert overdue["supervisor@demo.test"]["Subject"] == "Tenggat tindak lanjut: 7 lewat tenggat"
    adjustments.extend(
        started[0],
        Extend(days=3, reason="Diminta Wali Kota", granted_on=date(2018, 9, 21)),
        user=demo.users["head"],
        today=date(2018, 9, 21),
    )
    db.session.commit()
    third = _remind(runner)
    assert "2 digest(s) sent, 2 event(s) announced." in third.output
    extended = _by_recipient(smtp.inbox.messages[4:])["inspector@demo.test"]
    assert extended["Subject"] == "Tenggat tindak lanjut: 1 segera jatuh tempo"
    assert "Jatuh tempo 25 September 2018" in extended.get_content()


def test_undelivered_digest_is_announced_again_next_run(demo, started, runner, smtp, app, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")
    app.config["MAIL_PORT"] = free_port()  # nothing listens there

    failed = _remind(runner)

    assert failed.exit_code == 1
    assert "Not delivered to inspector@demo.test" in failed.output
    assert db.session.scalar(select(func.count()).select_from(ReminderNotice)) == 0
    app.config["MAIL_PORT"] = smtp.port
    assert "2 digest(s) sent" in _remind(runner).output
    assert len(smtp.inbox.messages) == 2


def test_nothing_to_announce_sends_nothing(demo, started, runner, smtp, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-08-10")

    result = _remind(runner)

    assert result.exit_code == 0
    assert smtp.inbox.messages == []


# --- the calendar feed -----------------------------------------------------------------------------------


FEED_URL = re.compile(r'id="feed-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="feed-url"')


def _feed_path(page: str) -> str:
    match = FEED_URL.search(page)
    assert match, page
    url = match.group(1) or match.group(2)
    return url[url.index("/deadlines/calendar/") :]


def test_calendar_feed_holds_the_due_dates(demo, started, login, client):
    inspector = login("inspector@demo.test")

    created = inspector.post("/deadlines/calendar")
    assert created.status_code == 303
    path = _feed_path(inspector.get("/deadlines/calendar").get_data(as_text=True))
    assert 'id="feed-url"' not in inspector.get("/deadlines/calendar").get_data(as_text=True)  # shown once

    response = client.get(path)  # no login: calendar apps cannot log in

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 7
    assert {e.decoded("dtstart") for e in events} == {date(2018, 9, 20)}
    assert {e.decoded("dtend") for e in events} == {date(2018, 9, 21)}
    first = next(e for e in events if str(e["uid"]).startswith(f"deadline-{started[0].id}@"))
    assert str(first["summary"]).startswith("Tenggat: Pemkot Kupang \u2013 Menambah jumlah loket")
    assert "30 hari kerja sejak diterima 6 Agustus 2018" in str(first["description"])
    assert str(first["url"]).endswith(f"/deadlines/recommendations/{started[0].recommendation_id}")


def test_feed_token_is_stored_hashed_and_regenerating_revokes_the_old_address(demo, started, login, client):
    viewer = login("viewer@demo.test")
    viewer.post("/deadlines/calendar")
    old = _feed_path(viewer.get("/deadlines/calendar").get_data(as_text=True))
    token = old.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes

    stored = db.session.scalar(select(CalendarFeed))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    viewer.post("/deadlines/calendar")
    new = _feed_path(viewer.get("/deadlines/calendar").get_data(as_text=True))

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/deadlines/calendar/not-a-token.ics").status_code == 404


def test_feed_leaves_out_closed_deadlines_and_other_peoples(demo, started, login, client, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")
    follow_up.record_outcome(
        started[0].recommendation,
        RecordOutcome(status="implemented", closed_on=date(2018, 9, 20), note="Selesai"),
        evidence=[],
        user=demo.users["supervisor"],
        today=date(2018, 9, 26),
        store=None,
    )
    db.session.commit()
    supervisor = login("supervisor@demo.test")
    supervisor.post("/deadlines/calendar")
    path = _feed_path(supervisor.get("/deadlines/calendar").get_data(as_text=True))

    events = list(icalendar.Calendar.from_ical(client.get(path).data).walk("VEVENT"))

    assert len(events) == 6
    assert all(not str(e["uid"]).startswith(f"deadline-{started[0].id}@") for e in events)


def test_a_digest_is_written_in_the_recipients_language(demo, started, runner, smtp, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")
    demo.users["supervisor"].locale = "en"
    db.session.commit()

    assert _remind(runner).exit_code == 0

    mails = _by_recipient(smtp.inbox.messages)
    english, indonesian = (
        mails["supervisor@demo.test"].get_content(),
        mails["inspector@demo.test"].get_content(),
    )
    assert "20 September 2018" in english and "Due soon (7)" in english
    assert "20 September 2018" in indonesian and "Segera jatuh tempo (7)" in indonesian


@pytest.mark.skipif(not IS_POSTGRES, reason="the advisory lock is PostgreSQL's; SQLite is one node")
def test_a_run_started_while_another_holds_the_lock_sends_nothing(
    demo, started, runner, smtp, database, monkeypatch
):
    """Cron on every node: the run that finds the lock taken stops at once; the next one does the work."""
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-14")
    key = periodic.lock_key("deadlines.remind")
    with database.bind.engine.connect() as other_node:
        assert other_node.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        blocked = _remind(runner)
        other_node.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    assert blocked.exit_code == 0
    assert "Another reminder run is under way; this one sends nothing." in blocked.output
    assert smtp.inbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(ReminderNotice)) == 0

    after = _remind(runner)
    assert "2 digest(s) sent, 14 event(s) announced." in after.output
    assert len(smtp.inbox.messages) == 2
