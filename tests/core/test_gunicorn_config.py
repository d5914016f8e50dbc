"""gunicorn.conf.py: settings from the environment, and an access log that never writes a secret."""

from __future__ import annotations

import multiprocessing
import runpy
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms
from gunicorn_testing import ROOT

CONF = str(ROOT / "gunicorn.conf.py")


def test_workers_bind_and_timeouts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("PORT", "5191")
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    conf = runpy.run_path(CONF)
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (5, 1, "sync")
    assert conf["bind"] == "127.0.0.1:5191"  # loopback: the proxy in front is what the world sees
    assert conf["timeout"] == 120 and conf["graceful_timeout"] == 30  # a PDF render fits many times over
    assert conf["preload_app"] is True
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (2000, 200)


def test_defaults_scale_with_the_cores(monkeypatch):
    for name in ("WEB_CONCURRENCY", "PORT", "GUNICORN_THREADS", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(CONF)
    assert conf["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert (conf["threads"], conf["worker_class"], conf["bind"]) == (2, "gthread", "127.0.0.1:8000")


def _access_line(logger_class, path: str, query: str) -> str:
    cfg = Config()
    logger = logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": "36.66.1.2",
        "HTTP_COOKIE": "session=secret-cookie",
    }
    resp = SimpleNamespace(status="200 OK", headers=[("Set-Cookie", "session=new-secret")], sent=512)
    req = [("Cookie", "session=secret-cookie"), ("Authorization", "Bearer omb_secret")]
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=12))
    fmt = runpy.run_path(CONF)["access_log_format"]
    safe = SafeAtoms(atoms)  # as gunicorn formats the line: an atom it has not got reads "-"
    secrets = ("{cookie}i", "{authorization}i", "{set-cookie}o", "{http_cookie}e", "{query_string}e", "q")
    return fmt % safe + " | " + " ".join(str(safe[k]) for k in secrets)


def test_the_access_log_shows_no_query_cookie_token_or_secret_path_part():
    logger_class = runpy.run_path(CONF)["logger_class"]
    for path, shown in (
        ("/password/reset/Zm9vYmFy-secret", "/password/reset/<redacted>"),
        ("/verify/tok-secret", "/verify/<redacted>"),
        ("/deadlines/calendar/feed-secret.ics", "/deadlines/calendar/<redacted>"),
        ("/findings/", "/findings/"),
    ):
        line = _access_line(logger_class, path, "q=secret-query")
        assert f'"GET {shown}" 200 512 12000us' in line
        assert "secret" not in line, line
