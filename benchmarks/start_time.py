"""How long `make run` takes to serve on an already set-up clone (issue 12, item 6: at most 3 s).

Runs `make run` once to set everything up (untimed unless nothing was to do), then `--runs` more times,
each time measuring from starting `make` to the first 200 answer of GET /login, and the CPU seconds that
`make` and everything it started used until then, read from /proc (Linux; the wall time depends on what
else the machine runs, the CPU time much less). Each server is stopped (its process group) before the
next start.

    python benchmarks/start_time.py                  # port 5190, 3 timed starts
    python benchmarks/start_time.py --port 5181 --runs 5 --limit 3

Exits with status 1 when the median wall time is above `--limit` seconds.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _group_cpu(group: int) -> float:
    """CPU seconds of the processes of one process group, with the children they have already reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, ..., utime (14th field), stime, cutime, cstime.
        if int(fields[2]) == group:
            total += sum(int(v) for v in fields[11:15])
    return total / ticks


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_once(port: int, timeout: float) -> tuple[float, float]:
    """Start `make run`, wait until it serves, stop it; returns (wall seconds, CPU seconds) to serving."""
    url = f"http://127.0.0.1:{port}/login"
    if _answers(url):
        raise SystemExit(f"something already answers on port {port}")
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not _answers(url):
            if process.poll() is not None:
                raise SystemExit(f"make run exited with status {process.returncode} before serving")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"make run did not serve within {timeout} s")
            time.sleep(0.02)
        wall = time.perf_counter() - started
        cpu = _group_cpu(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5190)
    parser.add_argument("--runs", type=int, default=3, help="timed starts after the set-up one")
    parser.add_argument("--limit", type=float, default=3.0, help="seconds allowed to serve (median)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on one start after this")
    args = parser.parse_args(argv)

    setup_wall, setup_cpu = start_once(args.port, args.timeout)
    print(f"set-up start: {setup_wall:.2f} s ({setup_cpu:.2f} s CPU)")
    walls, cpus = [], []
    for i in range(args.runs):
        wall, cpu = start_once(args.port, args.timeout)
        walls.append(wall)
        cpus.append(cpu)
        print(f"start {i + 1}: served after {wall:.2f} s ({cpu:.2f} s CPU)")
    median = statistics.median(walls)
    load = os.getloadavg()[0]
    print(
        f"median: {median:.2f} s to serve, {statistics.median(cpus):.2f} s CPU "
        f"({os.cpu_count()} CPUs, load average {load:.2f}); limit {args.limit:.1f} s"
    )
    return 0 if median <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
