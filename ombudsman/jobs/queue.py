"""Submitting jobs, and what the admin page and the API need to know about them.

Mode (`JOBS_MODE`): "rq" puts jobs on the Redis queue named `JOBS_QUEUE`; "inline" runs them at once in
the calling process; "auto" (the default) is "rq" when REDIS_URL is set, else "inline". A job on the queue
is retried `len(JOBS_RETRY_INTERVALS)` times, waiting those many seconds before each retry; after the last
failure it stays in the failed registry (shown on `/admin/jobs`, where the admin retries it) for
`FAILED_TTL_SECONDS`. Job ids are chosen by the caller (e.g. `letter-pdf-12`): one live job per id.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from ombudsman import redis_client

log = logging.getLogger(__name__)

#: A render takes up to ~3 s, an export some more. A job still running after this many seconds is stopped.
JOB_TIMEOUT_SECONDS = 600
#: How long a failed job is kept for the admin to see and retry (30 days).
FAILED_TTL_SECONDS = 30 * 24 * 3600
#: How long a finished job's record is kept (its result lives in the database, not here): one day.
RESULT_TTL_SECONDS = 24 * 3600
#: Statuses of a job that will still run: submitting the same id again adds nothing.
LIVE = frozenset({JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


def uses_queue() -> bool:
    """Whether jobs go to Redis (True) or run inline (False), by JOBS_MODE and REDIS_URL."""
    mode = current_app.config["JOBS_MODE"]
    if mode == "inline":
        return False
    if mode == "rq":
        return True
    return redis_client.configured()


def queue() -> Queue:
    """The app's RQ queue on this process's Redis connection."""
    return Queue(current_app.config["JOBS_QUEUE"], connection=redis_client.connection())


@dataclass(frozen=True)
class Submitted:
    """A submitted job: its id, and whether it already ran (inline) or waits on the queue."""

    job_id: str
    inline: bool


def submit(
    func: Callable[..., Any], *args: Any, job_id: str, description: str, office_id: int | None
) -> Submitted:
    """Run `func(*args)` as a job with the given id; inline, exceptions reach the caller.

    On the queue, a live job with the same id (queued, running, waiting for a retry) is left alone; a
    finished or failed one is replaced. `args` must be picklable (ids, not ORM objects). `office_id`
    (None: the whole deployment) decides which office's admin sees the job.
    """
    if not uses_queue():
        func(*args)
        return Submitted(job_id, inline=True)
    q = queue()
    try:
        existing = Job.fetch(job_id, connection=q.connection)
    except NoSuchJobError:
        existing = None
    if existing is not None:
        if existing.get_status(refresh=True) in LIVE:
            return Submitted(job_id, inline=False)
        existing.delete()
    intervals = [int(n) for n in current_app.config["JOBS_RETRY_INTERVALS"]]
    # DuplicateJobError: another request submitted it a moment ago.
    with contextlib.suppress(DuplicateJobError):
        q.enqueue_call(
            func,
            args=args,
            job_id=job_id,
            description=description,
            timeout=JOB_TIMEOUT_SECONDS,
            result_ttl=RESULT_TTL_SECONDS,
            failure_ttl=FAILED_TTL_SECONDS,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            meta={"office_id": office_id},
            unique=True,
        )
    return Submitted(job_id, inline=False)


def status(job_id: str) -> str | None:
    """The queue's status of a job ("queued", "started", "failed", ...), or None (unknown, or inline)."""
    if not uses_queue():
        return None
    try:
        return Job.fetch(job_id, connection=redis_client.connection()).get_status(refresh=True).value
    except NoSuchJobError:
        return None


@dataclass(frozen=True)
class JobRow:
    """One job as the admin page lists it."""

    id: str
    description: str
    status: str
    enqueued_at: Any
    ended_at: Any
    error: str


def _row(job: Job, office_id: int) -> JobRow:
    error = ""
    if job.get_status(refresh=False) == JobStatus.FAILED:
        result = job.latest_result()
        text = ((result.exc_string if result is not None else "") or "").strip()
        error = text.splitlines()[-1] if text else ""
        if _office_of(job) != office_id:
            error = error.split(":", 1)[0]  # a deployment job's message may name other offices' people
    return JobRow(
        job.id,
        job.description or job.func_name,
        job.get_status(refresh=False).value,
        job.enqueued_at,
        job.ended_at,
        error,
    )


def _office_of(job: Job) -> int | None:
    return (job.meta or {}).get("office_id")


def listing(office_id: int, limit: int = 100) -> dict[str, list[JobRow]]:
    """The office's queued, running, waiting-for-retry and failed jobs (of the last `limit` of each kind),
    newest failures first, with the deployment's own jobs (the reminder run; their errors show only the
    exception's name: they may name other offices' people)."""
    q = queue()
    ids = {
        "queued": q.get_job_ids(0, limit - 1),
        "started": q.started_job_registry.get_job_ids(0, limit - 1),
        "scheduled": q.scheduled_job_registry.get_job_ids(0, limit - 1),
        "failed": list(reversed(q.failed_job_registry.get_job_ids()))[:limit],
    }
    out: dict[str, list[JobRow]] = {}
    for name, job_ids in ids.items():
        jobs = [
            j
            for j in Job.fetch_many(job_ids, connection=q.connection)
            if j is not None and _office_of(j) in (office_id, None)
        ]
        out[name] = [_row(j, office_id) for j in jobs]
    return out


def retry_failed(job_id: str, office_id: int) -> bool:
    """Put a failed job of the office (or of the whole deployment) back on the queue (the admin's button);
    False when it is not one of those failed jobs."""
    q = queue()
    if job_id not in q.failed_job_registry.get_job_ids():
        return False
    try:
        if _office_of(Job.fetch(job_id, connection=q.connection)) not in (office_id, None):
            return False
    except NoSuchJobError:
        return False
    q.failed_job_registry.requeue(job_id)
    log.info("failed job %s requeued by an admin", job_id)
    return True
