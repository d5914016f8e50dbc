"""`flask deadlines remind`: e-mail digests of deadlines that fell due soon or overdue (for cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ombudsman.deadlines import reminder_run

deadlines_cli = AppGroup("deadlines", help="Follow-up deadlines.")


@deadlines_cli.command("remind")
def remind_command() -> None:
    """Mail each responsible inspector and supervisor what fell due soon or overdue since their last digest.

    Safe to run many times a day and on every node at once. With Redis the run is a job (one live job at a
    time, whichever node queued it; `flask jobs worker` runs it, failures are retried and shown on
    /admin/jobs); without Redis it runs here. Either way one run at a time holds the task's lock
    (`ombudsman.periodic`, PostgreSQL), and every (deadline, person, state, due date) is announced once.
    """
    from ombudsman.jobs import queue, tasks

    if queue.uses_queue():
        submitted = queue.submit(
            tasks.send_reminder_digests,
            job_id=tasks.reminders_job_id(),
            description="deadline reminder digests",
            office_id=None,
        )
        click.echo(f"Reminder run queued as job {submitted.job_id}.")
        return
    result = reminder_run.run(current_app.config)
    click.echo(result.summary)
    if result.undelivered:
        for address, error in result.undelivered:
            click.echo(f"Not delivered to {address}: {error}", err=True)
        raise SystemExit(1)
