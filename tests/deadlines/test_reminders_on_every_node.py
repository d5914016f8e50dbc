"""`flask deadlines remind` from cron on every node: started on two nodes at once, each e-mail goes once.

Two real processes with the deployment's settings (production, the test's database, Redis), mailing
through the real SMTP server on loopback (`smtp`). Inline, both runs work at once and the advisory lock
(PostgreSQL) or the unique notices (SQLite) stop one; with the queue, both queue the one reminder job and
`flask jobs worker` runs it.
"""

from __future__ import annotations

import pytest
from node_testing import flask_command, node_settings, redis_prefix  # noqa: F401  (a fixture)

# The processes read the clocks the test committed.
pytestmark = pytest.mark.committed
SENT = "2 digest(s) sent, 14 event(s) announced."
QUIET = (
    "Another reminder run is under way; this one sends nothing.",  # PostgreSQL: it found the lock taken
    "0 digest(s) sent, 0 event(s) announced.",  # it started after the first had finished
    "Another reminder run is announcing these deadlines; nothing sent.",  # SQLite: the unique notices
)


def _settings(database_url, tmp_path, prefix, smtp, mode):
    return node_settings(
        database_url,
        tmp_path / "evidence",
        prefix,
        OMBUDSMAN_TODAY="2018-09-14",  # 4 working days before 20 September: 14 deadlines due soon
        OMBUDSMAN_MAIL_SERVER="127.0.0.1",
        OMBUDSMAN_MAIL_PORT=str(smtp.port),
        OMBUDSMAN_JOBS_MODE=mode,
    )


def _run_on_two_nodes(env) -> list[str]:
    runs = [flask_command(env, "deadlines", "remind") for _node in ("a", "b")]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    return outputs


def test_inline_runs_started_on_two_nodes_at_once_send_each_mail_once(
    demo,
    started,
    smtp,
    database_url,
    tmp_path,
    redis_prefix,  # noqa: F811  (the fixture imported above)
):
    outputs = _run_on_two_nodes(_settings(database_url, tmp_path, redis_prefix, smtp, "inline"))
    assert sum(SENT in o for o in outputs) == 1, outputs  # one run did the work ...
    assert sum(any(line in o for line in QUIET) for o in outputs) == 1, outputs  # ... the other sent nothing
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["inspector@demo.test", "supervisor@demo.test"]


def test_queued_runs_from_two_nodes_are_one_job(
    demo,
    started,
    smtp,
    database_url,
    tmp_path,
    redis_prefix,  # noqa: F811  (the fixture imported above)
):
    env = _settings(database_url, tmp_path, redis_prefix, smtp, "rq")
    outputs = _run_on_two_nodes(env)
    job_id = f"{redis_prefix}-deadline-reminders"
    assert all(f"Reminder run queued as job {job_id}." in o for o in outputs), outputs

    worker = flask_command(env, "jobs", "worker", "--burst")
    log = worker.communicate(timeout=180)[0]
    assert worker.returncode == 0, log
    assert log.count(f"Job OK ({job_id})") == 1, log
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["inspector@demo.test", "supervisor@demo.test"]
