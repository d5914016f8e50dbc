"""Periodic work (cron on every node) that must run once at a time across the deployment.

`exclusive(name)` holds a PostgreSQL session-level advisory lock named after the task for the duration of a
run: the same command started on every node at once runs on one of them, the others see the lock taken
and stop without doing anything. On SQLite (one node only) there is nothing to lock against across hosts;
the tasks' own unique rows (e.g. `ReminderNotice`) still make a second process send nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, text

from ombudsman.extensions import db


def lock_key(name: str) -> int:
    """The advisory lock number of a task name: a signed 64-bit integer derived from its SHA-256."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yield True when this process holds the task's lock (do the work), False when another run holds it.

    The lock lives on a connection of its own (not the session's transaction), so the task may commit as
    often as it needs; it is released when the block ends, also on an error.
    """
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    # Inside the test suite's rolled-back transaction the session is bound to a connection: lock on it.
    holder = nullcontext(bind) if isinstance(bind, Connection) else bind.connect()
    with holder as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
