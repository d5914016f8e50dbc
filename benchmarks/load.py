"""Load generators on loopback: `wrk` (Debian's package) when installed, a Python one otherwise.

Both send GET requests to one URL on keep-alive connections for a fixed time and return a `Sample`: how many
requests completed, in how many seconds, their latency percentiles and how many answered other than 2xx.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# wrk's Lua hooks: print one JSON line at the end (latencies in microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


@dataclass
class Sample:
    """One timed run against one URL."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int  # answers other than 2xx/3xx, and socket errors

    @property
    def req_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, seconds: float, *, connections: int, headers: dict[str, str], tool: str) -> Sample:
    """Load `url` for `seconds` with `connections` keep-alive connections."""
    if tool == "wrk":
        return _wrk(url, seconds, connections, headers)
    return _python(url, seconds, connections, headers)


def _wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Sample:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "-s",
            script.name,
        ]
        command += ["--timeout", "60s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    figures = json.loads(line)
    return Sample(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        failed=figures["non_2xx"] + figures["errors"],
    )


def _python(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Sample:
    """The same with one thread per connection (slower than wrk: use it only where wrk is missing)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:  # noqa: PLR2004
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            failed[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Sample(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        failed=failed[0],
    )


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    if pct == 50:  # noqa: PLR2004
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]
