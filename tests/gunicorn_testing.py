"""Start the real `gunicorn wsgi:app` on a random loopback port, as production would, and stop it again."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
BOOTED = re.compile(r"Booting worker with pid")
#: No control socket (one path shared by every gunicorn of this user), and a short stop: the tests are done.
TEST_OPTIONS = ("--no-control-socket", "--graceful-timeout", "1")


@dataclass
class Answer:
    """An HTTP answer: status, headers (case-insensitive lookups) and body text."""

    status: int
    headers: Message
    text: str


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
):
    """One HTTP request with the standard library; redirects are returned, not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers or {}
        )
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def clean_environment(**settings: str) -> dict[str, str]:
    """Only what a process needs to run, plus `settings`: nothing of this test run's environment leaks in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(settings)
    return env


def run_gunicorn(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run gunicorn to completion (for a start that must fail); its output is text."""
    return subprocess.run(
        [str(GUNICORN), "--bind", "127.0.0.1:0", *TEST_OPTIONS, *args, "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def gunicorn(
    env: dict[str, str], *args: str, workers: int = 1, timeout: float = 60, log_into: list[str] | None = None
) -> Iterator[str]:
    """A running `gunicorn -w <workers> wsgi:app`; yields its base URL once every worker has booted. Its
    whole log is appended to `log_into`, when given, once it has stopped."""
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed below, after the process)
    process = subprocess.Popen(
        [str(GUNICORN), "--bind", "127.0.0.1:0", "--workers", str(workers), *TEST_OPTIONS, *args, "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        port = None
        while time.monotonic() < deadline:
            log.seek(0)
            output = log.read()
            match = LISTENING.search(output)
            if match and len(BOOTED.findall(output)) >= workers:
                port = match.group(1)
                break
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {process.returncode}:\n{output}")
            time.sleep(0.1)
        if port is None:
            raise AssertionError(f"gunicorn did not start in {timeout} s:\n{output}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown; TERM waits for idle workers' select timeout
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_into is not None:
            log.seek(0)
            log_into.append(log.read())
        log.close()
