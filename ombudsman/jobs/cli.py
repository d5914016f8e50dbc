"""`flask --app wsgi jobs worker`: run the queued jobs (PDF renders, reminders, exports) on this node, as many
nodes as wanted."""

from __future__ import annotations

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
def worker_command(burst: bool) -> None:
    """Run queued jobs until stopped (SIGTERM finishes the current job first); retries run on schedule."""
    if not redis_client.configured():
        raise click.ClickException("REDIS_URL is not set: jobs run inline in the web process.")
    # Its own connection without a read timeout: the worker blocks on the queue for minutes at a time.
    connection = Redis.from_url(current_app.config["REDIS_URL"])
    q = queue.queue()
    worker = AppWorker([q.name], connection=connection)
    worker.work(burst=burst, with_scheduler=not burst)
