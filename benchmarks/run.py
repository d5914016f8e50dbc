"""The benchmark runner: each page of the app under gunicorn, paired in the same run with the baseline page.

    python -m benchmarks.run                                  # the full set (`make benchmarks`)
    python -m benchmarks.run --quick                          # 1k findings on SQLite, seconds
    python -m benchmarks.run --cases sqlite:1k,postgresql:100k --seconds 5 --rounds 3

For each case (backend and size) it takes the cached dataset (`benchmarks.dataset`, built first if missing),
works on a copy of it (SQLite: a file copy; PostgreSQL: `CREATE DATABASE … TEMPLATE`), serves the app
(`wsgi:app`, production settings, Redis for limits) and the baseline (`benchmarks.baseline:app`) with
gunicorn under the repository's `gunicorn.conf.py` (or the stand-in `benchmarks/gunicorn.conf.py` while the
repository has none), and for every page:

- in-process, counts the SQL statements of one full render and of one page-cache hit (an SQLAlchemy event on
  the app's engine) and times full renders (CPU per request with the page cache off: what a page costs the
  first time it is asked for after a change, `render_cpu_ms`);
- warms both servers up, then runs `--rounds` interleaved rounds of `--seconds` each: the page, then the
  baseline page, with the same load generator (`wrk` when installed, else Python) on loopback;
- reads the CPU time of the app's gunicorn workers from /proc around its rounds.

Then it issues `ISSUING_LETTERS` (16) approved letters at once through the API as the head while requesting
`/findings/` one at a time, and prints the idle p50 and the p50 while issuing.

It prints a table and writes `benchmarks/out/latest.json` (`--out`): `results`, one object per page and case
(page, name, backend, rows, queries, req_per_s, baseline_req_per_s, ratio, p50_ms, p99_ms, cpu_ms_per_req,
cached_queries, render_cpu_ms, …), `issuing` and `pdf` per case, `checks` (the issue's "done means", where
the cases measured allow), and `meta` (date, machine, Python, commit, settings). Exit status 1 when a page
did not answer 200.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from benchmarks import dataset, load
from benchmarks.dataset import EVIDENCE, OUT, ROOT, TODAY, Dataset

FULL_CASES = "sqlite:1k,sqlite:100k,postgresql:1k,postgresql:100k,postgresql:1m"
QUICK_CASES = "sqlite:1k"
ISSUING_LETTERS = 16
MIN_REQUESTS = 4  # per round; a round is lengthened until it completes this many
PUBLIC_BASE_URL = "https://bench.ombudsman.example"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Page:
    """A page to measure; `path` may name {issued}, {draft} and {q} from the dataset."""

    name: str
    path: str
    auth: str = "session"  # "session" (the web login) or "token" (an API bearer token)


PAGES = [
    Page("findings list", "/findings/"),
    Page("dashboard", "/"),
    Page("API findings", "/api/v1/findings", "token"),
    Page("deadlines dashboard", "/deadlines/"),
    Page("deadlines list", "/deadlines/list"),
    Page("search", "/findings/?q={q}"),
    Page("issued PDF download", "/letters/{issued}/pdf"),
    Page("draft render", "/letters/{draft}/preview.pdf"),
]
# The pages whose statement count must not grow with the rows (issue 12: lists and dashboards).
CONSTANT_QUERY_PAGES = ("/findings/", "/", "/api/v1/findings", "/deadlines/", "/deadlines/list")


@dataclass
class Result:
    page: str
    name: str
    backend: str
    rows: int
    queries: int
    req_per_s: float
    baseline_req_per_s: float
    ratio: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_req: float
    baseline_p50_ms: float
    requests: int
    baseline_requests: int
    status: int
    failed: int
    cached_queries: int = 0
    render_cpu_ms: float = 0.0


@dataclass
class Settings:
    seconds: float
    rounds: int
    warmup: float
    connections: int
    tool: str
    port: int
    gunicorn_config: str
    issuing: int
    min_requests: int
    workers: int
    job_workers: int


# --- servers --------------------------------------------------------------------------------------------


class Server:
    """A gunicorn master we started (its own process group), its workers' CPU from /proc."""

    def __init__(
        self,
        name: str,
        target: str,
        port: int,
        env: dict[str, str],
        config: Path,
        log: Path,
        workers: int = 0,
    ):
        self.name, self.port = name, port
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{port}", target]
        if workers:  # the runner's own test only: the configuration's count otherwise
            command[-1:-1] = ["--workers", str(workers)]
        self.output = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            command,
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited ({self.process.returncode}); see {self.log}")
            try:
                requests.get(self.url + path, timeout=timeout, allow_redirects=False)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise SystemExit(f"{self.name} server did not answer on port {self.port} within {timeout:.0f} s")

    def wait_settled(self, timeout: float = 90) -> None:
        """Until every worker has finished starting (gunicorn answers once the first one is up; the others
        are still importing and building the app, which would be counted as the first page's CPU)."""
        deadline = time.monotonic() + timeout
        before = {pid: _ticks(pid) for pid in self.workers()}
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = {pid: _ticks(pid) for pid in self.workers()}
            if now and now.keys() == before.keys() and all(now[p] - before[p] <= 2 for p in now):
                return
            before = now

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def cpu_seconds(self) -> float:
        """CPU (user + system) of the live workers plus the workers that have exited (the master's cutime)."""
        total = _ticks(self.process.pid, children=True)
        for pid in self.workers():
            total += _ticks(pid)
        return total / CLOCK_TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created for this master
                self.process.wait(5)
        self.output.close()


class JobWorker:
    """`flask --app wsgi jobs worker` (the app's RQ worker, where the app has one): letters issued while
    Redis is configured are rendered by it, as on a deployed node. Its own queue name per run."""

    def __init__(self, env: dict[str, str], log: Path):
        self.output = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @staticmethod
    def available() -> bool:
        return (ROOT / "ombudsman" / "jobs" / "cli.py").exists()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created for this worker
                self.process.wait(5)
        self.output.close()


def _ticks(pid: int, *, children: bool = False) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    # After the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
    return int(fields[13]) + int(fields[14]) if children else int(fields[11]) + int(fields[12])


def gunicorn_config() -> Path:
    """The repository's gunicorn configuration, or the stand-in until it exists."""
    own = ROOT / "gunicorn.conf.py"
    return own if own.exists() else ROOT / "benchmarks" / "gunicorn.conf.py"


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 20):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit(f"no free port in {preferred}-{preferred + 19}")


# --- clients --------------------------------------------------------------------------------------------


class WebUser:
    """A signed-in browser session (cookies kept by hand: production cookies are Secure, this is http)."""

    def __init__(self, base: str, email: str, password: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        page = self.get("/login")
        token = CSRF.search(page.text)
        if token is None:
            raise SystemExit(f"no CSRF token on {base}/login ({page.status_code})")
        response = self.request(
            "POST", "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )
        if response.status_code != 303:  # noqa: PLR2004
            raise SystemExit(f"login as {email} failed: {response.status_code}")

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(
            method, self.base + path, headers=self.headers, allow_redirects=False, timeout=300, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)


def api_token(base: str, email: str, password: str) -> str:
    response = requests.post(
        base + "/api/v1/tokens", json={"email": email, "password": password, "label": "benchmark"}, timeout=60
    )
    if response.status_code != 201:  # noqa: PLR2004
        raise SystemExit(f"API token for {email} refused: {response.status_code} {response.text[:200]}")
    return response.json()["token"]


# --- one case -------------------------------------------------------------------------------------------


def working_copy(data: Dataset, log) -> tuple[str, callable]:
    """A copy of the cached dataset to run against (issuing changes it); returns its URL and a cleanup."""
    if data.backend == "sqlite":
        run_dir = OUT / "run"
        run_dir.mkdir(parents=True, exist_ok=True)
        target = run_dir / f"{data.key}.sqlite"
        dataset.sqlite_copy(data.url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}", lambda: [
            Path(f"{target}{suffix}").unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")
        ]
    name = f"bench_run_{data.findings}"
    dataset.pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    dataset.pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{dataset.pg_name(data.key)}"')
    return dataset.pg_url(name), lambda: dataset.pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(url: str) -> dict[str, str]:
    """Production settings (debug off, as deployed), the dataset's database, Redis for limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDSMAN_")}
    env.update(
        {
            "OMBUDSMAN_SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "OMBUDSMAN_DATABASE_URL": url,
            "OMBUDSMAN_ALLOW_SQLITE": "1",
            "OMBUDSMAN_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "OMBUDSMAN_RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
            "OMBUDSMAN_EVIDENCE_DIR": str(EVIDENCE),
            "OMBUDSMAN_TODAY": TODAY.isoformat(),
            "OMBUDSMAN_JOBS_QUEUE": f"bench-{secrets.token_hex(4)}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("OMBUDSMAN_ENV", None)
    return env


@dataclass(frozen=True)
class Probe:
    """One page measured in-process: SQL statements of a full render and of a page-cache hit, and the CPU of a
    full render (ms; the app's own cost without gunicorn, the page cache off)."""

    queries: int
    cached_queries: int
    render_cpu_ms: float


def probe_pages(url: str, data: Dataset, paths: dict[str, Page], renders: int = 20) -> dict[str, Probe]:
    """Each page's `Probe` (after one warm-up request), in-process: the statements are counted with an
    SQLAlchemy event, the render CPU is `renders` requests' process time (2 for PDF renders)."""
    from sqlalchemy import event

    from ombudsman import create_app
    from ombudsman.extensions import db
    from ombudsman.page_cache import serving

    previous = os.environ.get("OMBUDSMAN_TODAY")
    os.environ["OMBUDSMAN_TODAY"] = TODAY.isoformat()
    try:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "EVIDENCE_DIR": str(EVIDENCE),
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "PAGE_CACHE_BYTES": 0,
            },
        )
        client = app.test_client()
        client.post("/login", data={"email": data.inspector_email, "password": data.password})
        token = client.post(
            "/api/v1/tokens",
            json={"email": data.inspector_email, "password": data.password, "label": "count"},
        ).get_json()["token"]
        counted = [0]

        def count(*_args) -> None:
            counted[0] += 1

        def statements(path: str, headers: dict) -> int:
            event.listen(engine, "before_cursor_execute", count)
            counted[0] = 0
            client.get(path, headers=headers)
            event.remove(engine, "before_cursor_execute", count)
            return counted[0]

        with app.app_context():
            engine = db.engine
        rendered = {}
        for path, page in paths.items():
            headers = {"Authorization": f"Bearer {token}"} if page.auth == "token" else {}
            client.get(path, headers=headers)
            queries = statements(path, headers)
            times = 2 if path.endswith(".pdf") else renders
            started = time.process_time()
            for _ in range(times):
                client.get(path, headers=headers)
            cpu_ms = round(1000 * (time.process_time() - started) / times, 2)
            rendered[path] = (headers, queries, cpu_ms)
        app.config["PAGE_CACHE_BYTES"] = 16 * 1024 * 1024
        serving.init_app(app)
        result = {}
        for path, (headers, queries, cpu_ms) in rendered.items():
            client.get(path, headers=headers)
            result[path] = Probe(queries, statements(path, headers), cpu_ms)
        engine.dispose()
        return result
    finally:
        if previous is None:
            os.environ.pop("OMBUDSMAN_TODAY", None)
        else:
            os.environ["OMBUDSMAN_TODAY"] = previous


def measure_case(data: Dataset, settings: Settings, log) -> tuple[list[Result], dict, dict]:
    url, cleanup = working_copy(data, log)
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = app_environment(url)
    base_env = {**env, "BENCH_DATABASE_URL": url, "BENCH_OFFICE_ID": str(data.office_id)}
    config = Path(settings.gunicorn_config)
    app_port = free_port(settings.port)
    baseline_port = free_port(app_port + 1)
    tag = f"{data.backend}-{data.findings}"
    app_server = Server("app", "wsgi:app", app_port, env, config, logs / f"app-{tag}.log", settings.workers)
    baseline = Server(
        "baseline",
        "benchmarks.baseline:app",
        baseline_port,
        base_env,
        config,
        logs / f"baseline-{tag}.log",
        settings.workers,
    )
    job_workers = [
        JobWorker(env, logs / f"jobs-{tag}-{n}.log")
        for n in range(settings.job_workers if JobWorker.available() else 0)
    ]
    try:
        app_server.wait_ready("/login")
        baseline.wait_ready("/")
        app_server.wait_settled()
        baseline.wait_settled()
        paths = {
            page.path.format(
                issued=data.issued_letter_id, draft=data.draft_letter_id, q=data.search_term
            ): page
            for page in PAGES
        }
        probes = probe_pages(url, data, paths)
        user = WebUser(app_server.url, data.inspector_email, data.password)
        token = api_token(app_server.url, data.inspector_email, data.password)
        results = []
        for path, page in paths.items():
            headers = {"Authorization": f"Bearer {token}"} if page.auth == "token" else user.headers
            results.append(
                measure_page(app_server, baseline, path, page, headers, data, probes[path], settings, log)
            )
        pdf = pdf_ratio(results, data, measure_bare_download(baseline, data, settings, log))
        issuing = measure_issuing(app_server, user, data, settings.issuing, log)
        return results, issuing, pdf
    finally:
        app_server.stop()
        baseline.stop()
        for worker in job_workers:
            worker.stop()
        cleanup()


def measure_page(app_server, baseline, path, page, headers, data, probe, settings, log) -> Result:
    status = requests.get(
        app_server.url + path, headers=headers, allow_redirects=False, timeout=300
    ).status_code
    if status != 200:  # noqa: PLR2004
        log(f"  {path}: answered {status}, not measured")
        return Result(
            path,
            page.name,
            data.backend,
            data.counts.get("findings", data.findings),
            probe.queries,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            status,
            0,
            probe.cached_queries,
            probe.render_cpu_ms,
        )

    def run(server: Server, target: str, headers: dict[str, str], seconds: float) -> load.Sample:
        # A page slower than the round (a PDF render under load) would complete nothing: lengthen the round
        # until a few requests per connection complete, up to a minute.
        sample = load.run(
            server.url + target,
            seconds,
            connections=settings.connections,
            headers=headers,
            tool=settings.tool,
        )
        while sample.requests < settings.min_requests and seconds < 60:  # noqa: PLR2004
            seconds *= 2
            sample = load.run(
                server.url + target,
                seconds,
                connections=settings.connections,
                headers=headers,
                tool=settings.tool,
            )
        return sample

    run(app_server, path, headers, settings.warmup)
    run(baseline, "/", {}, settings.warmup)
    samples, base_samples, cpu = [], [], 0.0
    for _ in range(settings.rounds):
        before = app_server.cpu_seconds()
        samples.append(run(app_server, path, headers, settings.seconds))
        cpu += app_server.cpu_seconds() - before
        base_samples.append(run(baseline, "/", {}, settings.seconds))
    requests_done = sum(s.requests for s in samples)
    rate = requests_done / sum(s.seconds for s in samples)
    base_rate = sum(s.requests for s in base_samples) / sum(s.seconds for s in base_samples)
    result = Result(
        page=path,
        name=page.name,
        backend=data.backend,
        rows=data.counts.get("findings", data.findings),
        queries=probe.queries,
        req_per_s=round(rate, 2),
        baseline_req_per_s=round(base_rate, 2),
        ratio=round(rate / base_rate, 4) if base_rate else 0.0,
        p50_ms=round(statistics.median(s.p50_ms for s in samples), 2),
        p99_ms=round(max(s.p99_ms for s in samples), 2),
        cpu_ms_per_req=round(1000 * cpu / requests_done, 2) if requests_done else 0.0,
        baseline_p50_ms=round(statistics.median(s.p50_ms for s in base_samples), 2),
        requests=requests_done,
        baseline_requests=sum(s.requests for s in base_samples),
        status=status,
        failed=sum(s.failed for s in samples) + sum(s.failed for s in base_samples),
        cached_queries=probe.cached_queries,
        render_cpu_ms=probe.render_cpu_ms,
    )
    log(
        f"  {result.name:<20} {path:<28} {result.req_per_s:>9.1f} req/s"
        f"  baseline {result.baseline_req_per_s:>7.1f}"
        f"  ratio {result.ratio:>6.3f}  p50 {result.p50_ms:>7.1f} ms  cpu {result.cpu_ms_per_req:>7.1f} ms"
        f"  {probe.queries} queries ({probe.cached_queries} kept), render {probe.render_cpu_ms} ms in-process"
    )
    return result


def measure_bare_download(baseline: Server, data: Dataset, settings: Settings, log) -> float:
    """Req/s of the baseline app's bare download of the issued letter's bytes (one query, no session, no
    check), over as many rounds as a page: what a framework and one query cost for the same bytes."""
    target = baseline.url + f"/letters/{data.issued_letter_id}/pdf"
    status = requests.get(target, timeout=60).status_code
    if status != 200:  # noqa: PLR2004
        log(f"  bare download: answered {status}, not measured")
        return 0.0

    def run(seconds: float) -> load.Sample:
        return load.run(target, seconds, connections=settings.connections, headers={}, tool=settings.tool)

    run(settings.warmup)
    samples = [run(settings.seconds) for _ in range(settings.rounds)]
    rate = sum(s.requests for s in samples) / sum(s.seconds for s in samples)
    log(f"  {'bare download':<20} {'(baseline app)':<28} {rate:>9.1f} req/s")
    return round(rate, 2)


def pdf_ratio(results: list[Result], data: Dataset, bare_req_per_s: float) -> dict:
    """Req/s of the issued PDF download over the draft render's; the same for the baseline app's bare
    download (`measure_bare_download`), which checks nothing the app's download checks."""
    by_name = {r.name: r for r in results}
    issued, draft = by_name["issued PDF download"], by_name["draft render"]

    def over_draft(rate: float) -> float:
        return round(rate / draft.req_per_s, 1) if draft.req_per_s else 0.0

    return {
        "backend": data.backend,
        "rows": data.counts.get("findings", data.findings),
        "issued_req_per_s": issued.req_per_s,
        "draft_req_per_s": draft.req_per_s,
        "ratio": over_draft(issued.req_per_s),
        "bare_download_req_per_s": bare_req_per_s,
        "bare_ratio": over_draft(bare_req_per_s),
    }


def measure_issuing(app_server: Server, user: WebUser, data: Dataset, count: int, log) -> dict:
    """`GET /findings/` p50 idle, then while `count` approved letters are issued at once through the API."""
    letters = data.approved_letter_ids[:count]
    head_token = api_token(app_server.url, data.head_email, data.password)
    session = requests.Session()

    def findings_ms() -> float:
        started = time.perf_counter()
        response = session.get(
            app_server.url + "/findings/", headers=user.headers, allow_redirects=False, timeout=300
        )
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    for _ in range(3):
        findings_ms()
    idle = [findings_ms() for _ in range(30)]
    statuses: dict[int, int] = {}
    done = threading.Event()

    def issue(letter_id: int) -> None:
        response = requests.post(
            f"{app_server.url}/api/v1/letters/{letter_id}/issue",
            headers={"Authorization": f"Bearer {head_token}"},
            timeout=600,
        )
        statuses[letter_id] = response.status_code
        if response.status_code in (200, 202) and response.json().get("status") != "issued":
            _wait_issued(app_server.url, head_token, letter_id)

    started = time.perf_counter()
    threads = [threading.Thread(target=issue, args=(letter_id,)) for letter_id in letters]
    for thread in threads:
        thread.start()
    watcher = threading.Thread(target=lambda: [t.join() for t in threads] and None or done.set())
    watcher.start()
    busy = []
    while not done.is_set():
        busy.append(findings_ms())
    watcher.join()
    seconds = time.perf_counter() - started
    idle_p50, busy_p50 = statistics.median(idle), statistics.median(busy) if busy else 0.0
    result = {
        "backend": data.backend,
        "rows": data.counts.get("findings", data.findings),
        "letters": len(letters),
        "issue_statuses": sorted(statuses.values()),
        "issued_ok": sum(1 for s in statuses.values() if s in (200, 202)),
        "seconds": round(seconds, 2),
        "idle_p50_ms": round(idle_p50, 2),
        "issuing_p50_ms": round(busy_p50, 2),
        "issuing_max_ms": round(max(busy), 2) if busy else 0.0,
        "findings_requests_while_issuing": len(busy),
        "ratio": round(busy_p50 / idle_p50, 2) if idle_p50 else 0.0,
    }
    log(
        f"  issuing {len(letters)} letters at once: {result['issued_ok']} issued in {seconds:.1f} s; "
        "GET /findings/ "
        f"p50 idle {idle_p50:.1f} ms, while issuing {busy_p50:.1f} ms ({result['ratio']}×)"
    )
    return result


def _wait_issued(base: str, token: str, letter_id: int, timeout: float = 600) -> None:
    """For an issue run as a job: wait until the letter reads as issued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = requests.get(
            f"{base}/api/v1/letters/{letter_id}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        if response.ok and response.json().get("status") == "issued":
            return
        time.sleep(0.2)


# --- the whole run --------------------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (FileNotFoundError, StopIteration):
        model = platform.processor()
    return {"nproc": os.cpu_count(), "cpu_model": model, "system": platform.platform()}


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (FileNotFoundError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def checks(results: list[dict], issuing: list[dict], pdf: list[dict]) -> list[dict]:
    """The issue's "done means", for what this run measured: name, measured figures, passed."""
    found = []
    by = {(r["backend"], r["rows"], r["page"]): r for r in results}
    sizes = sorted({(r["backend"], r["rows"]) for r in results})
    for backend, rows in sizes:
        if rows < 100_000:
            continue
        for page, floor in (("/findings/", 0.5), ("/", 0.5), ("/api/v1/findings", 0.5), ("/deadlines/", 0.3)):
            r = by.get((backend, rows, page))
            if r:
                found.append(
                    {
                        "check": f"{page} at {rows:,} on {backend}: ratio ≥ {floor}",
                        "value": r["ratio"],
                        "passed": r["ratio"] >= floor,
                    }
                )
    pg = sorted(rows for backend, rows in sizes if backend == "postgresql")
    if len(pg) > 1 and pg[-1] >= 1_000_000:
        for r in results:
            if r["backend"] == "postgresql" and r["rows"] == pg[-1]:
                small = by.get(("postgresql", pg[0], r["page"]))
                if small and small["cpu_ms_per_req"]:
                    growth = r["cpu_ms_per_req"] / small["cpu_ms_per_req"]
                    found.append(
                        {
                            "check": f"{r['page']} CPU/request at {pg[-1]:,} within 2× of {pg[0]:,} "
                            "(PostgreSQL)",
                            "value": round(growth, 2),
                            "passed": growth <= 2,
                        }
                    )
    for backend in sorted({b for b, _ in sizes}):
        mine = sorted(rows for b, rows in sizes if b == backend)
        for page in CONSTANT_QUERY_PAGES:
            counts = {
                rows: by[(backend, rows, page)]["queries"] for rows in mine if (backend, rows, page) in by
            }
            if len(counts) > 1:
                found.append(
                    {
                        "check": f"{page} queries constant on {backend}",
                        "value": counts,
                        "passed": len(set(counts.values())) == 1,
                    }
                )
    for p in pdf:
        found.append(
            {
                "check": f"issued PDF ≥ 200× draft render ({p['backend']}, {p['rows']:,})",
                "value": p["ratio"],
                "passed": p["ratio"] >= 200,
            }
        )
    for i in issuing:
        found.append(
            {
                "check": f"GET /findings/ p50 while issuing within 2× idle ({i['backend']}, {i['rows']:,})",
                "value": i["ratio"],
                "passed": 0 < i["ratio"] <= 2 and i["issued_ok"] == i["letters"],
            }
        )
    return found


COLUMNS = (  # heading, key, format
    ("page", "page", "{}"),
    ("backend", "backend", "{}"),
    ("rows", "rows", "{:,}"),
    ("queries", "queries", "{}"),
    ("req/s", "req_per_s", "{:.1f}"),
    ("baseline req/s", "baseline_req_per_s", "{:.1f}"),
    ("ratio", "ratio", "{:.3f}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("CPU ms/req", "cpu_ms_per_req", "{:.1f}"),
    ("queries kept", "cached_queries", "{}"),
    ("render CPU ms", "render_cpu_ms", "{:.1f}"),
)


def markdown(report: dict) -> str:
    """The results as the README's Markdown table, with the issuing and PDF figures and the checks."""
    meta = report["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']['nproc']} × {meta['machine']['cpu_model']} "
        f"(load average {meta['load_average_start'][0]:.1f} at the start), commit {meta['commit'][:12]}, "
        f"{meta['settings']['tool']}, "
        f"{meta['settings']['rounds']} × {meta['settings']['seconds']:g} s rounds.",
        "",
        "| " + " | ".join(heading for heading, _, _ in COLUMNS) + " |",
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|",  # noqa: PLR2004
    ]
    for r in report["results"]:
        cells = [fmt.format(r[key]) for _, key, fmt in COLUMNS]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for i in report["issuing"]:
        lines.append(
            f"- issuing {i['letters']} letters at once ({i['backend']}, {i['rows']:,} findings): "
            f"`GET /findings/` p50 idle {i['idle_p50_ms']} ms, while issuing {i['issuing_p50_ms']} ms "
            f"({i['ratio']}×; {i['issued_ok']} issued in {i['seconds']} s)"
        )
    for p in report["pdf"]:
        lines.append(
            f"- issued PDF download vs draft render ({p['backend']}, {p['rows']:,} findings): "
            f"{p['issued_req_per_s']} vs {p['draft_req_per_s']} req/s = {p['ratio']}×; the baseline app's "
            f"bare download (one query, no session): {p['bare_download_req_per_s']} req/s "
            f"= {p['bare_ratio']}×"
        )
    lines.append("")
    lines += [f"- {'PASS' if c['passed'] else 'FAIL'} {c['check']}: {c['value']}" for c in report["checks"]]
    return "\n".join(lines) + "\n"


def write_report(out: Path, meta: dict, results, issuing, pdf, *, partial: bool) -> dict:
    """`out` (JSON) and the same name with `.md` (the table); `meta.partial` while cases remain."""
    meta["load_average_end"] = os.getloadavg()
    meta["partial"] = partial
    report = {"meta": meta, "results": results, "issuing": issuing, "pdf": pdf}
    report["checks"] = checks(results, issuing, pdf)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    out.with_suffix(".md").write_text(markdown(report))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases", default=FULL_CASES, help="backend:size, comma-separated (default %(default)s)"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES}, 1 s rounds, one round")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one round per page and server")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (app, baseline) per page")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of untimed load first")
    parser.add_argument("--connections", type=int, default=4, help="keep-alive connections of the load")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5160")))
    parser.add_argument(
        "--issuing", type=int, default=ISSUING_LETTERS, help="letters issued at once (%(default)s)"
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=MIN_REQUESTS,
        help="a round is lengthened until this many complete",
    )
    parser.add_argument("--workers", type=int, default=0, help="override the configuration's workers (tests)")
    parser.add_argument(
        "--job-workers",
        type=int,
        default=int(os.environ.get("BENCH_JOB_WORKERS", "1")),
        help="`flask jobs worker` processes beside the app, where it has jobs (default %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=OUT / "latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.seconds, args.rounds, args.issuing = QUICK_CASES, 1.0, 1, 4
    tool = args.tool if args.tool != "auto" else ("wrk" if load.have_wrk() else "python")
    settings = Settings(
        args.seconds,
        args.rounds,
        args.warmup,
        args.connections,
        tool,
        args.port,
        str(gunicorn_config()),
        args.issuing,
        args.min_requests,
        args.workers,
        args.job_workers,
    )
    started = time.perf_counter()
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "commit": commit(),
        "alembic_head": dataset.alembic_head(),
        "load_average_start": os.getloadavg(),
        "settings": {
            **asdict(settings),
            "gunicorn_config": str(Path(settings.gunicorn_config).relative_to(ROOT)),
        },
        "cases": args.cases,
    }
    print(
        f"benchmarks: {args.cases}; {tool}, {args.rounds} × {args.seconds:g} s per page and server, "
        f"{args.connections} connections; {meta['settings']['gunicorn_config']}"
    )
    # A stopped run (SIGTERM, Ctrl-C) still stops its servers and drops its working copy (the `finally`s).
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return _run_cases(args, settings, meta, started)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_cases(args: argparse.Namespace, settings: Settings, meta: dict, started: float) -> int:
    results, issuing, pdf, failures = [], [], [], 0
    for case in args.cases.split(","):
        backend, size = dataset.parse_case(case.strip())
        data = dataset.ensure(backend, size)
        print(f"{backend}, {data.counts.get('findings', size):,} findings:")
        case_results, case_issuing, case_pdf = measure_case(data, settings, print)
        results += [asdict(r) for r in case_results]
        issuing.append(case_issuing)
        pdf.append(case_pdf)
        failures += sum(1 for r in case_results if r.status != 200 or r.failed)  # noqa: PLR2004
        write_report(args.out, meta, results, issuing, pdf, partial=True)  # a later failure keeps these
    meta["seconds"] = round(time.perf_counter() - started, 1)
    report = write_report(args.out, meta, results, issuing, pdf, partial=False)
    print("\n" + markdown(report))
    print(f"written {args.out} and {args.out.with_suffix('.md').name} in {meta['seconds']:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
