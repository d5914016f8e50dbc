"""The one Redis connection pool of a process (REDIS_URL): jobs, the health check and the admin jobs page.

Rate limits use the same Redis through Flask-Limiter's own client. The pool is made on first use in each
process and remembered with the process id (and the URL), so a gunicorn worker forked from a preloaded
master never shares a socket with its parent or siblings.
"""

from __future__ import annotations

import os

from flask import Flask, current_app
from redis import Redis

#: Seconds to wait for Redis to connect or answer: a health check or an enqueue must not hang a request.
SOCKET_TIMEOUT_SECONDS = 2
_EXTENSION = "ombudsman.redis"


def configured(app: Flask | None = None) -> bool:
    """Whether REDIS_URL is set (production requires it; development and tests may run without)."""
    return bool((app or current_app).config.get("REDIS_URL"))


def connection(app: Flask | None = None) -> Redis:
    """This process's client for REDIS_URL; raises RuntimeError when REDIS_URL is not set."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set")
    key = (os.getpid(), url)
    known, client = app.extensions.get(_EXTENSION, (None, None))
    if known != key or client is None:
        client = Redis.from_url(
            url, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS
        )
        app.extensions[_EXTENSION] = (key, client)
    return client
