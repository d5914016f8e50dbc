"""Two app nodes for the tests: two `gunicorn wsgi:app` (the repository's gunicorn.conf.py) on different
ports, sharing the test's database, a Redis database and one evidence directory, as behind a proxy."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from gunicorn_testing import ROOT, Answer, clean_environment, fetch, gunicorn

REDIS_URL = "redis://127.0.0.1:6379/5"
PUBLIC = "https://tracker.ombudsman.example"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
FLASK = Path(sys.executable).with_name("flask")


def node_settings(database_url: str, evidence_dir: Path, prefix: str, **more: str) -> dict[str, str]:
    """The environment every node of one deployment shares (production, one database, Redis, evidence)."""
    return clean_environment(
        OMBUDSMAN_ENV="production",
        OMBUDSMAN_SECRET_KEY=secrets.token_hex(32),
        OMBUDSMAN_PUBLIC_BASE_URL=PUBLIC,
        DATABASE_URL=database_url,
        OMBUDSMAN_ALLOW_SQLITE="1",
        REDIS_URL=REDIS_URL,
        OMBUDSMAN_RATELIMIT_KEY_PREFIX=prefix,
        OMBUDSMAN_JOBS_QUEUE=prefix,
        OMBUDSMAN_EVIDENCE_DIR=str(evidence_dir),
        # Cheap hashes, as in the test configuration: the tests are about sharing, not Argon2.
        OMBUDSMAN_ARGON2_PARAMETERS='{"time_cost": 1, "memory_cost": 1024, "parallelism": 1}',
        **more,
    )


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix (limits) and queue name (jobs) of the test's own in Redis; deleted afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-nodes-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


@contextmanager
def two_nodes(env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Nodes A and B: two gunicorn masters (one worker each) on their own ports, same settings.

    Both start at once (each builds the app once, in its master): the wait is one start, not two.
    """
    nodes = [gunicorn(env, workers=1) for _ in range(2)]
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=2) as pool:
        starts = [pool.submit(node.__enter__) for node in nodes]
        urls = []
        for node, start in zip(nodes, starts, strict=True):
            try:
                urls.append(start.result())
            except BaseException:
                continue  # the other one is stopped by the stack; the error is raised below
            stack.push(node)
        if len(urls) < 2:
            starts[[s.exception() is not None for s in starts].index(True)].result()
        yield urls[0], urls[1]


def flask_command(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`flask --app wsgi <args>` started with the deployment's settings (as cron or a worker would)."""
    return subprocess.Popen(
        [str(FLASK), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@dataclass
class Visitor:
    """A browser that keeps its session cookie whichever node answers (the proxy may pick either)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, answer: Answer) -> Answer:
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer

    def get(self, url: str) -> Answer:
        return self._keep(fetch(url, headers=self._headers()))

    def post(self, url: str, data: dict[str, str], token_from: str | None = None) -> Answer:
        """POST a form; the CSRF token is read from `token_from` (a page of the same session) first."""
        if token_from is not None:
            page = self.get(token_from).text
            match = CSRF_INPUT.search(page) or CSRF_META.search(page)
            data = {"csrf_token": match.group(1), **data}
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        return self._keep(fetch(url, method="POST", body=urlencode(data), headers=headers))

    def login(self, node: str, email: str, password: str = "demo") -> Answer:
        return self.post(f"{node}/login", {"email": email, "password": password}, token_from=f"{node}/login")
