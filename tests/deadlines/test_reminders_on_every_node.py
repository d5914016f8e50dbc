"""`flask deadlines remind` from cron on every node: started on two nodes at once, each e-mail goes once.

Two real processes with the deployment's settings (production, the test's database, Redis), mailing
through the real SMTP server on loopback (`smtp`).
"""

from __future__ import annotations

import pytest
from node_testing import flask_command, node_settings, redis_prefix  # noqa: F401  (a fixture)

# The processes read the clocks the test committed.
pytestmark = pytest.mark.committed


def test_the_reminder_run_started_on_two_nodes_at_once_sends_each_mail_once(
    demo,
    started,
    smtp,
    database_url,
    tmp_path,
    redis_prefix,  # noqa: F811  (the fixture imported above)
):
    env = node_settings(
        database_url,
        tmp_path / "evidence",
        redis_prefix,
        OMBUDSMAN_TODAY="2018-09-14",  # 4 working days before 20 September: 14 deadlines due soon
        OMBUDSMAN_MAIL_SERVER="127.0.0.1",
        OMBUDSMAN_MAIL_PORT=str(smtp.port),
    )
    runs = [flask_command(env, "deadlines", "remind") for _node in ("a", "b")]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    sent = [o for o in outputs if "2 digest(s) sent, 14 event(s) announced." in o]
    assert len(sent) == 1, outputs  # one run did the work ...
    others = [o for o in outputs if o not in sent]
    quiet = (
        "Another reminder run is under way; this one sends nothing.",  # PostgreSQL: it found the lock taken
        "0 digest(s) sent, 0 event(s) announced.",  # it started after the first had finished
        "Another reminder run is announcing these deadlines; nothing sent.",  # SQLite: the unique notices
    )
    assert any(line in others[0] for line in quiet), outputs  # ... the other sent nothing
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["inspector@demo.test", "supervisor@demo.test"]
