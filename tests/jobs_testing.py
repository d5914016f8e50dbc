"""A real Redis queue of the test's own for the jobs tests, and a real RQ worker run in burst mode."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

#: Redis database of the jobs tests (the limits tests use 0); each test also has its own queue name.
REDIS_URL = "redis://127.0.0.1:6379/5"


@contextmanager
def redis_queue(app) -> Iterator[str]:
    """Configure `app` to queue jobs on a fresh queue in the real Redis; its keys are deleted afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"test-jobs-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=REDIS_URL, JOBS_MODE="rq", JOBS_QUEUE=name, RATELIMIT_STORAGE_URI="memory://")
    try:
        yield name
    finally:
        for key in client.scan_iter(match=f"*{name}*"):
            client.delete(key)
        client.close()


def run_worker(app) -> None:
    """Run the queued jobs with the app's own worker class (RQ's SimpleWorker), then return (burst)."""
    from redis import Redis

    from ombudsman.jobs import queue
    from ombudsman.jobs.cli import AppWorker

    with app.app_context():
        name = queue.queue().name
    worker = AppWorker([name], connection=Redis.from_url(app.config["REDIS_URL"]))
    # RQ installs its own SIGINT/SIGTERM handlers (a warm shutdown) and leaves them: put the test
    # process's back, or a later SIGTERM would no longer end this pytest worker.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            worker.work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
