"""One reminder run: collect every office's new alerts, commit the notices, mail the digests.

Used by `flask deadlines remind` (inline, without Redis) and by the job
`ombudsman.jobs.tasks.send_reminder_digests`. One run at a time holds the task's PostgreSQL advisory lock
(`ombudsman.periodic`): started on every node at once, one run works and the others stop at once. The
notices are committed before any mail goes out (a second run finds them and sends nothing); a digest that
cannot be delivered is withdrawn for the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ombudsman import clock, periodic
from ombudsman.accounts.models import Office
from ombudsman.deadlines import reminders
from ombudsman.extensions import db

#: The advisory lock's name (`periodic.lock_key`).
TASK = "deadlines.remind"


@dataclass
class RunResult:
    """What a run did: a line for the log, and the digests that could not be delivered (address, error)."""

    summary: str
    undelivered: list[tuple[str, str]] = field(default_factory=list)


def run(config: Mapping) -> RunResult:
    """Run once (see the module); `config` gives the SMTP settings and the public base URL."""
    with periodic.exclusive(TASK) as mine:
        if not mine:
            return RunResult("Another reminder run is under way; this one sends nothing.")
        return _run(config)


def _run(config: Mapping) -> RunResult:
    digests = []
    try:
        # `collect` flushes its notices: a clash on their unique key may surface there or at the commit.
        for office in db.session.scalars(select(Office).order_by(Office.id)):
            digests += reminders.collect(office, today=clock.today(office.timezone))
        db.session.commit()
    except IntegrityError:
        # Another run announced the same events a moment ago; it sends them, this one sends nothing.
        db.session.rollback()
        return RunResult("Another reminder run is announcing these deadlines; nothing sent.")
    failed = reminders.send(digests, config)
    for digest, _exc in failed:
        reminders.withdraw(digest)
    db.session.commit()
    undelivered = {id(d) for d, _exc in failed}
    events = sum(len(d.items) for d in digests if id(d) not in undelivered)
    return RunResult(
        f"{len(digests) - len(failed)} digest(s) sent, {events} event(s) announced.",
        [(digest.email, str(exc)) for digest, exc in failed],
    )
