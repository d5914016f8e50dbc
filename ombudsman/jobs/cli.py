"""`flask --app wsgi jobs worker`: run the queued jobs (PDF renders, reminders, exports) on this node, as many
nodes as wanted."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup
from redis import Redis
from rq import SimpleWorker

from ombudsman import redis_client
from ombudsman.extensions import db
from ombudsman.jobs import queue

jobs_cli = AppGroup("jobs", help="Background jobs (RQ on REDIS_URL).")


class AppWorker(SimpleWorker):
    """RQ's worker running each job in this process, inside the app; a fresh database session per job.

    No fork per job: the app (4 s to build) is built once. A job that hangs is stopped after its timeout
    (`queue.JOB_TIMEOUT_SECONDS`); a job whose worker died is moved to the failed jobs by RQ's cleanup and
    shown on /admin/jobs.
    """

    def perform_job(self, job, queue):
        try:
            return super().perform_job(job, queue)
        finally:
            db.session.remove()


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
@click.option(
    "--nice",
    "niceness",
    type=click.IntRange(0, 19),
    default=None,
    help="Lower this process's CPU priority by N (default JOBS_WORKER_NICE, 10; 0 keeps it).",
)
def worker_command(burst: bool, niceness: int | None) -> None:
    """Run queued jobs until stopped (SIGTERM finishes the current job first); retries run on schedule.

    The worker first lowers its CPU priority (`os.nice`, by `--nice` or JOBS_WORKER_NICE): renders and
    exports are CPU-heavy and can wait, the web workers on the same machine answer people.
    """
    if not redis_client.configured():
        raise click.ClickException("REDIS_URL is not set: jobs run inline in the web process.")
    os.nice(int(current_app.config["JOBS_WORKER_NICE"]) if niceness is None else niceness)
    # Its own connection without a read timeout: the worker blocks on the queue for minutes at a time.
    connection = Redis.from_url(current_app.config["REDIS_URL"])
    q = queue.queue()
    worker = AppWorker([q.name], connection=connection)
    worker.work(burst=burst, with_scheduler=not burst)
