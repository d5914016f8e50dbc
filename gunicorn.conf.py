"""gunicorn's configuration for the tracker: `gunicorn wsgi:app` reads it from the repository root.

Every value can be changed from the environment (or overridden on the command line, which wins):

- `PORT` (default 8000) and `BIND_HOST` (default 127.0.0.1: loopback, behind the proxy) give `bind`;
  `GUNICORN_BIND` replaces both (e.g. `unix:/run/ombudsman.sock`).
- `WEB_CONCURRENCY`: worker processes (default 2 × cores + 1). `GUNICORN_THREADS`: threads per worker
  (default 2; more than 1 uses the `gthread` worker, so a worker waiting on the database still answers).
- `GUNICORN_TIMEOUT` (default 120 s): a request still running after this is killed. Issuing renders the PDF
  (up to about 3 s; under load several times that) and exports write up to a few MB, so the default of
  gunicorn (30 s) is too short; renders and exports also run as jobs (`flask --app wsgi jobs worker`).
- `GUNICORN_GRACEFUL_TIMEOUT` (default 30 s): how long a worker finishes its requests on restart/stop.
- `GUNICORN_MAX_REQUESTS` (default 2000, 0 = never) with a jitter of a tenth: workers are replaced now and
  then, not all at once, so memory a library keeps does not grow without bound.
- `GUNICORN_ACCESS_LOG` (default `-`: standard output; empty: none). The access log never shows query
  strings, cookies or the secret part of password-reset, verification and calendar addresses.

The app is built once in the master (`preload_app`) and the workers fork from it: a bad configuration stops
the start with the list of what is wrong, and each worker starts in milliseconds. Before the first fork,
`when_ready` readies in the master what each worker (and each replacement after `max_requests`) would
otherwise build on its first requests: mappers, compiled templates, catalogues (`ombudsman.prefork`).
Database connections are opened by each worker after the fork (SQLAlchemy's pool is created lazily), never
shared across processes.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or (f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{_int('PORT', 8000)}")
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
preload_app = True
# Request line and headers as gunicorn's defaults bound them; bodies are bounded by MAX_CONTENT_LENGTH.
limit_request_line = 8190

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Client, time, method, path (redacted, no query string), status, bytes, duration in microseconds.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'

#: Paths whose last part is a secret (a bearer credential in the address): logged as `…/<redacted>`.
SECRET_PATHS = re.compile(r"^(/password/reset/|/verify/|/deadlines/calendar/)[^/]+")


#: The environment entries an access line may use (no referer: it may hold another page's secret path).
#: gunicorn's own atoms copy the whole environment (some forty entries) for every request, and none of it is
#: ever shown: handing over only these makes each access line a few dict entries cheaper to build.
LOGGED_ENVIRON = (
    "REQUEST_METHOD",
    "RAW_URI",
    "SERVER_PROTOCOL",
    "PATH_INFO",
    "REMOTE_ADDR",
    "HTTP_USER_AGENT",
)
#: Headers that carry credentials: never shown, whatever access_log_format someone sets.
SECRET_HEADERS = frozenset({"{cookie}i", "{authorization}i", "{set-cookie}o"})


class RedactingLogger(Logger):
    """gunicorn's logger, with the secret part of a few paths replaced before the access line is written."""

    def atoms(self, resp, req, environ, request_time):
        environ = {name: environ[name] for name in LOGGED_ENVIRON if name in environ}
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SECRET_PATHS.sub(r"\1<redacted>", atoms.get("U") or "")
        for name in list(atoms):
            # Never the full request line, the query string, credentials in headers, or the environment,
            # whatever access_log_format someone sets (GUNICORN_CMD_ARGS).
            if name in ("r", "q") or name in SECRET_HEADERS or name.endswith("}e"):
                atoms[name] = "-"
        return atoms


logger_class = RedactingLogger


def when_ready(server) -> None:
    """In the master, after the app is loaded and before the first worker is forked (`ombudsman.prefork`)."""
    if not server.cfg.preload_app:
        return
    from flask import Flask

    app = server.app.wsgi()
    if isinstance(app, Flask):  # any WSGI app may be served with this file; a Flask app is readied
        from ombudsman.prefork import warm

        readied = warm(app)
        server.log.info("workers fork ready: %(templates)d templates, %(languages)d languages", readied)
