"""Two app nodes behind a (notional) proxy share everything a user sees: sessions, limits, letters, jobs.

Real parts only: two `gunicorn wsgi:app` with the repository's gunicorn.conf.py, the test's database
(PostgreSQL under TEST_DATABASE_URL, else one SQLite file), the real Redis, one evidence directory, and
`flask jobs worker` for the PDF renders.
"""

from __future__ import annotations

import json
import socket

import pytest
from gunicorn_testing import fetch, gunicorn
from letter_setup import make_ready
from node_testing import Visitor, flask_command, node_settings, two_nodes
from sqlalchemy import select

from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterStatus

pytestmark = pytest.mark.committed
LOGIN_LIMIT = 10  # per minute and client address (accounts.views.login)


def test_sessions_limits_and_health_are_the_same_on_both_nodes(demo, database_url, tmp_path, redis_prefix):
    env = node_settings(database_url, tmp_path / "evidence", redis_prefix)
    with two_nodes(env) as (a, b):
        for node in (a, b):
            answer = fetch(f"{node}/healthz")
            assert answer.status == 200, answer.text
            assert json.loads(answer.text)["checks"] == {"database": "ok", "redis": "ok"}

        # A login on A works on B; a logout on B ends the session on A too.
        maria = Visitor()
        assert maria.login(a, "inspector@demo.test").status == 303
        assert maria.get(f"{b}/inspections/").status == 200
        kept = dict(maria.cookies)
        assert maria.post(f"{b}/logout", {}, token_from=f"{b}/").status == 303
        replay = Visitor(cookies=kept)  # the cookie as it was before the logout, sent to A
        answer = replay.get(f"{a}/inspections/")
        assert answer.status == 302 and "/login" in answer.headers["Location"]

        # The login limit is counted once for both nodes (maria's own login above counted too).
        guesser = Visitor()
        codes = [
            guesser.login(node, f"nobody{n}@demo.test", "wrong").status
            for n, node in enumerate([a, b] * (LOGIN_LIMIT // 2 + 1))
        ]
    assert codes == [422] * (LOGIN_LIMIT - 1) + [429] * 3  # ten in all, not ten on each node


def test_a_letter_issued_on_a_downloads_from_b(demo, database_url, tmp_path, redis_prefix):
    letter = db.session.scalar(select(Letter).where(Letter.authority_id == demo.pemkot.id))
    letter.status, letter.approved_at = LetterStatus.APPROVED, utcnow()
    letter.approved_by_id = demo.users["supervisor"].id
    make_ready(demo)  # the nodes run in production, which issues only once the letters setup is complete
    db.session.commit()
    letter_id = letter.id
    env = node_settings(database_url, tmp_path / "evidence", redis_prefix)
    with two_nodes(env) as (a, b):
        head = Visitor()
        assert head.login(a, "head@demo.test").status == 303
        issued = head.post(f"{a}/letters/{letter_id}/issue", {}, token_from=f"{a}/letters/{letter_id}")
        assert issued.status == 303
        page = head.get(f"{b}/letters/{letter_id}").text
        assert 'id="letter-issuing"' in page  # B sees the reservation A made; the job waits in Redis

        worker = flask_command(env, "jobs", "worker", "--burst")
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output

        download = fetch(f"{b}/letters/{letter_id}/pdf", headers=head._headers())
        assert download.status == 200
        assert download.headers["Content-Type"] == "application/pdf"
    db.session.expire_all()
    stored = db.session.get(Letter, letter_id)
    assert stored.status is LetterStatus.ISSUED
    assert download.headers["ETag"].strip('"') == stored.pdf_sha256


def test_healthz_answers_503_when_the_database_is_gone(demo, database_url, tmp_path, redis_prefix):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]  # nothing listens there once the socket is closed
    env = node_settings(
        f"postgresql://postgres@127.0.0.1:{closed}/nothing", tmp_path / "evidence", redis_prefix
    )
    with gunicorn(env, workers=1) as node:
        answer = fetch(f"{node}/healthz")
    assert answer.status == 503
    assert json.loads(answer.text) == {
        "status": "unavailable",
        "checks": {"database": "error", "redis": "ok"},
    }


def test_a_change_written_anywhere_shows_on_every_nodes_next_page(demo, database_url, tmp_path, redis_prefix):
    """Each worker keeps pages in its own process; the data stamps in the shared database say when not."""
    env = node_settings(database_url, tmp_path / "evidence", redis_prefix)
    finding = demo.findings[1]
    with two_nodes(env) as (a, b):
        maria = Visitor()
        assert maria.login(a, "inspector@demo.test").status == 303
        seen = [maria.get(f"{node}/findings/") for node in (a, b) * 6]
        assert all(answer.status == 200 for answer in seen)
        assert "hit" in {answer.headers["X-Page-Cache"] for answer in seen}  # the workers keep the page
        # Another writer (here the test's own connection: the nodes learn of it only from the database).
        finding.title = "Blangko KTP-el habis sejak Juni (judul baru)"
        db.session.commit()
        after = [maria.get(f"{node}/findings/") for node in (a, b) * 6]
    assert all("Blangko KTP-el habis sejak Juni (judul baru)" in answer.text for answer in after)
