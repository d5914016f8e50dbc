"""`flask deadlines remind`: e-mail digests of deadlines that fell due soon or overdue (for cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ombudsman import clock, periodic
from ombudsman.accounts.models import Office
from ombudsman.deadlines import reminders
from ombudsman.extensions import db

deadlines_cli = AppGroup("deadlines", help="Follow-up deadlines.")


@deadlines_cli.command("remind")
def remind_command() -> None:
    """Mail each responsible inspector and supervisor what fell due soon or overdue since their last digest.

    Safe to run many times a day and on every node at once: one run at a time holds the task's lock
    (`ombudsman.periodic`, PostgreSQL), and every (deadline, person, state, due date) is announced once. The
    notices are committed before any mail goes out; a digest that cannot be delivered is withdrawn for the
    next run.
    """
    with periodic.exclusive("deadlines.remind") as mine:
        if not mine:
            click.echo("Another reminder run is under way; this one sends nothing.")
            return
        _remind()


def _remind() -> None:
    digests = []
    for office in db.session.scalars(select(Office).order_by(Office.id)):
        digests += reminders.collect(office, today=clock.today(office.timezone))
    try:
        db.session.commit()
    except IntegrityError:
        # Another run announced the same events a moment ago; it sends them, this one sends nothing.
        db.session.rollback()
        click.echo("Another reminder run is announcing these deadlines; nothing sent.")
        return
    failed = reminders.send(digests, current_app.config)
    for digest, _exc in failed:
        reminders.withdraw(digest)
    db.session.commit()
    undelivered = {id(d) for d, _exc in failed}
    events = sum(len(d.items) for d in digests if id(d) not in undelivered)
    click.echo(f"{len(digests) - len(failed)} digest(s) sent, {events} event(s) announced.")
    if failed:
        for digest, exc in failed:
            click.echo(f"Not delivered to {digest.email}: {exc}", err=True)
        raise SystemExit(1)
