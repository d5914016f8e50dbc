"""Sixteen letters issued at the same moment on a deployed node all succeed (issue 12, "issuing that never
stalls").

Real parts only: `gunicorn wsgi:app` with the repository's gunicorn.conf.py (several workers, threads), the
test's database (PostgreSQL under TEST_DATABASE_URL, else one SQLite file), the real Redis, and one
`flask jobs worker` rendering the PDFs, as on a node. Sixteen threads send `POST /api/v1/letters/<id>/issue`
at once; every answer must be a success, every letter issued, the numbers distinct and consecutive. (Issuing
without Redis, rendered in the request, is tested in-process by tests/letters/test_concurrency.py.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from gunicorn_testing import fetch, gunicorn
from letter_setup import approved_letters, make_ready
from node_testing import flask_command, node_settings
from sqlalchemy import select

from ombudsman.accounts.services import issue_token
from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.letters.models import Letter, LetterStatus

pytestmark = pytest.mark.committed
LETTERS = 16
#: Web workers of the node (the issue's measurement ran gunicorn -w 4); threads as gunicorn.conf.py says.
WORKERS = 4


@contextmanager
def job_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`flask --app wsgi jobs worker` beside the node until the block ends (SIGTERM, as on a deploy)."""
    process = flask_command(env, "jobs", "worker")
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def issue_at_once(node: str, secret: str, letter_ids: list[int]) -> dict[int, tuple[int, dict]]:
    """POST /issue for every letter from its own thread, all released together; {id: (status, body)}."""
    barrier = threading.Barrier(len(letter_ids))
    answers: dict[int, tuple[int, dict]] = {}
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

    def send(letter_id: int) -> None:
        barrier.wait(timeout=30)
        answer = fetch(
            f"{node}/api/v1/letters/{letter_id}/issue", method="POST", body="{}", headers=headers, timeout=120
        )
        try:
            body = json.loads(answer.text)
        except ValueError:
            body = {"text": answer.text[:300]}
        answers[letter_id] = (answer.status, body)

    threads = [threading.Thread(target=send, args=(letter_id,)) for letter_id in letter_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def wait_until_issued(node: str, secret: str, letter_ids: list[int], timeout: float = 300) -> dict[int, str]:
    """Poll the letters (as a client of the 202 answer does) until all read `issued`; their last statuses."""
    headers = {"Authorization": f"Bearer {secret}"}
    statuses: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for letter_id in letter_ids:
            if statuses.get(letter_id) != "issued":
                answer = fetch(f"{node}/api/v1/letters/{letter_id}", headers=headers)
                statuses[letter_id] = json.loads(answer.text).get("status") if answer.status == 200 else ""
        if all(status == "issued" for status in statuses.values()):
            break
        time.sleep(0.3)
    return statuses


def test_sixteen_letters_issued_at_once_all_succeed(demo, database_url, tmp_path, redis_prefix):
    letter_ids = approved_letters(demo, LETTERS)
    make_ready(demo)  # the node runs in production, which issues only once the letters setup is complete
    _token, secret = issue_token(demo.users["head"], lifetime=timedelta(hours=1), now=utcnow(), label="uji")
    db.session.commit()
    env = node_settings(database_url, tmp_path / "evidence", redis_prefix)

    with gunicorn(env, workers=WORKERS) as node, job_worker(env) as worker:
        answers = issue_at_once(node, secret, letter_ids)
        statuses = wait_until_issued(node, secret, letter_ids)
        # The renders ran at a lower CPU priority than the web workers (JOBS_WORKER_NICE, 10).
        worker_nice = os.getpriority(os.PRIO_PROCESS, worker.pid)

    assert len(answers) == LETTERS
    refused = {lid: answer for lid, answer in answers.items() if answer[0] not in (200, 202)}
    assert refused == {}
    assert statuses == dict.fromkeys(letter_ids, "issued")
    db.session.expire_all()
    rows = db.session.scalars(select(Letter).where(Letter.id.in_(letter_ids))).all()
    assert all(row.status is LetterStatus.ISSUED and row.pdf_sha256 for row in rows)
    assert sorted(row.sequence for row in rows) == list(range(1, LETTERS + 1))
    assert len({row.number for row in rows}) == LETTERS
    # Each answer names the number its letter keeps.
    assert {answers[row.id][1]["number"] for row in rows} == {row.number for row in rows}
    assert worker_nice == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
