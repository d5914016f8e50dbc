"""Benchmark of follow-up deadlines: computing due dates, and the dashboard over 50,000 open deadlines.

Loads the Kupang demo case plus synthetic recommendations (by default 50,000, addressed to 200 authorities,
received on working and non-working days through the first half of 2024) into a fresh database, then:

1. computes every due date with its explanation from the office's working-day calendar (the arithmetic
   `start_clock` stores), and stores them in bulk;
2. times `start_clock` itself, one recommendation at a time, with its SQL statements;
3. requests the deadlines dashboard, the list page and the CSV export in-process through Flask's test
   client as a viewer, with "today" pinned to 14 June 2024 so that every state occurs.

It prints medians and the number of SQL statements. The statement counts must not depend on the rows: the
script exits with status 1 when a page needs more statements at full size than at 1,000 rows.

    python benchmarks/deadlines.py                       # a fresh SQLite file in a temporary folder
    python benchmarks/deadlines.py --database-url postgresql://postgres@127.0.0.1:5432/ombudsman_bench

On PostgreSQL everything happens in its own schema (`deadlines_bench`, dropped first and at the end), so the
benchmarks of other features can share the database.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python benchmarks/deadlines.py` from a checkout
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, event, insert, select, text  # noqa: E402

from ombudsman import create_app  # noqa: E402
from ombudsman.accounts.models import Office, User  # noqa: E402
from ombudsman.authorities.models import Authority, Level  # noqa: E402
from ombudsman.clock import utcnow  # noqa: E402
from ombudsman.deadlines import reports, services  # noqa: E402
from ombudsman.deadlines.computation import compute_start  # noqa: E402
from ombudsman.deadlines.models import Deadline, DeadlineRule  # noqa: E402
from ombudsman.extensions import db  # noqa: E402
from ombudsman.recommendations.models import Recommendation, RecommendationKind  # noqa: E402
from ombudsman.seed import seed_demo  # noqa: E402

TODAY = date(2024, 6, 14)
FIRST_RECEIVED = date(2024, 1, 2)
AUTHORITIES = 200
BATCH = 5_000
SCHEMA = "deadlines_bench"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
PAGES = {
    "dashboard": "/deadlines/",
    "list (overdue)": "/deadlines/list?state=overdue",
    "CSV export": "/deadlines/export.csv",
}


def _database_url(arg: str | None) -> tuple[str, dict]:
    if not arg:
        folder = Path(tempfile.mkdtemp(prefix="ombudsman-bench-deadlines-"))
        return f"sqlite:///{folder / 'bench.sqlite'}", {}
    return arg, {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}


def _app(url: str, engine_options: dict):
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url,
        "EVIDENCE_DIR": tempfile.mkdtemp(),
        "RATELIMIT_ENABLED": False,
    }
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return create_app("testing", overrides)


def _fresh_schema(app, postgres: bool) -> None:
    with app.app_context():
        if postgres:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            with db.engine.connect() as conn:
                # Never touch the tables other benchmarks keep in the public schema.
                assert conn.execute(text("SELECT current_schema()")).scalar() == SCHEMA
        db.create_all()


class Counter:
    """SQL statements sent while active."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._hook)

    def _hook(self, *args):
        self.count += 1


def _load(total: int, rng: random.Random) -> list[tuple[int, date]]:
    """Add `total` recommendations from the demo office (no clock yet); returns (id, received date) pairs."""
    office = seed_demo()
    author = db.session.scalar(select(Recommendation.created_by_id).limit(1))
    existing = db.session.scalars(select(Authority.id)).all()
    levels = [Level.REGENCY_CITY, Level.PROVINCIAL, Level.CENTRAL]
    db.session.execute(
        insert(Authority),
        [
            {"name": f"Instansi Uji {i:03d}", "short_name": f"Uji {i:03d}", "level": levels[i % 3]}
            for i in range(AUTHORITIES - len(existing))
        ],
    )
    authority_ids = db.session.scalars(select(Authority.id)).all()
    db.session.commit()
    span = (TODAY - FIRST_RECEIVED).days
    received = []
    for start in range(0, total, BATCH):
        rows = [
            {
                "office_id": office.id,
                "authority_id": rng.choice(authority_ids),
                "kind": RecommendationKind.SARAN if i % 10 else RecommendationKind.REKOMENDASI,
                "text": f"Rekomendasi uji nomor {i}: perbaiki antrean dan umumkan jadwal pengambilan KTP-el.",
                "position": 100 + i,
                "created_by_id": author,
            }
            for i in range(start, min(total, start + BATCH))
        ]
        db.session.execute(insert(Recommendation), rows)
    db.session.commit()
    ids = db.session.scalars(
        select(Recommendation.id).where(Recommendation.position >= 100).order_by(Recommendation.id)
    ).all()
    for rec_id in ids:
        received.append((rec_id, FIRST_RECEIVED + timedelta(days=rng.randrange(span))))
    return received


def _compute_all(received: list[tuple[int, date]]) -> tuple[float, list[dict]]:
    """Due date and explanation (its steps, as facts) for every recommendation, as `start_clock` computes
    and stores them; returns seconds."""
    office = db.session.scalar(select(Office).limit(1))
    calendar = services.office_calendar(office)
    rules = {r.kind: r for r in db.session.scalars(select(DeadlineRule))}
    kinds = dict(db.session.execute(select(Recommendation.id, Recommendation.kind)).all())
    started = time.perf_counter()
    rows = []
    for rec_id, day in received:
        rule = rules[kinds[rec_id]]
        result = compute_start(calendar, rule.count, rule.unit, rule.starts, day)
        rows.append(
            {
                "office_id": office.id,
                "recommendation_id": rec_id,
                "rule_id": rule.id,
                "count": rule.count,
                "unit": rule.unit,
                "starts": rule.starts,
                "received_on": day,
                "start_on": day,
                "due_on": result.due_on,
                "explanation_facts": result.steps,
                "warnings": result.warnings,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    return time.perf_counter() - started, rows


def _store(rows: list[dict]) -> float:
    started = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        db.session.execute(insert(Deadline), rows[i : i + BATCH])
    db.session.commit()
    return time.perf_counter() - started


def _start_clock_sample(n: int) -> tuple[float, int]:
    """Median seconds and statements of `start_clock` for n demo-sized recommendations without a clock."""
    office = db.session.scalar(select(Office).limit(1))
    head = db.session.scalar(select(User).where(User.role == "head"))
    author = db.session.scalar(select(Recommendation.created_by_id).limit(1))
    authority = db.session.scalar(select(Authority.id).limit(1))
    db.session.execute(
        insert(Recommendation),
        [
            {
                "office_id": office.id,
                "authority_id": authority,
                "kind": RecommendationKind.SARAN,
                "text": f"Sampel {i}",
                "position": 10_000_000 + i,
                "created_by_id": author,
            }
            for i in range(n)
        ],
    )
    db.session.commit()
    recs = db.session.scalars(select(Recommendation).where(Recommendation.position >= 10_000_000)).all()
    times, counts = [], []
    for i, rec in enumerate(recs):
        with Counter() as counter:
            started = time.perf_counter()
            services.start_clock(
                rec, received_on=TODAY - timedelta(days=i % 60), issued_on=None, user=head, today=TODAY
            )
            db.session.flush()
            times.append(time.perf_counter() - started)
        counts.append(counter.count)
    db.session.rollback()
    db.session.execute(delete(Recommendation).where(Recommendation.position >= 10_000_000))
    db.session.commit()
    return statistics.median(times), statistics.median(counts)


def _client(app):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": "viewer@demo.test", "password": "demo", "csrf_token": token}
    )
    assert response.status_code == 303, response.status_code
    return client


def _pages(app, runs: int) -> dict[str, tuple[float, int, int]]:
    client = _client(app)
    result = {}
    for name, url in PAGES.items():
        client.get(url).close()  # warm the caches (templates, holiday data)
        times, counts = [], []
        for _ in range(runs):
            with app.app_context(), Counter() as counter:
                started = time.perf_counter()
                response = client.get(url)
                size = len(response.get_data())
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            counts.append(counter.count)
        result[name] = (statistics.median(times), max(counts), size)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--count", type=int, default=50_000, help="open deadlines (default 50,000)")
    parser.add_argument("--runs", type=int, default=5, help="requests per page (default 5)")
    parser.add_argument("--sample", type=int, default=200, help="start_clock calls timed one by one")
    args = parser.parse_args()
    url, engine_options = _database_url(args.database_url)
    postgres = url.startswith("postgres")
    os.environ["OMBUDSMAN_TODAY"] = TODAY.isoformat()
    app = _app(url, engine_options)
    _fresh_schema(app, postgres)
    rng = random.Random(20180730)
    print(f"database: {'PostgreSQL' if postgres else 'SQLite'} ({url.split('@')[-1]})")
    print(
        f"today pinned to {TODAY.isoformat()}; {args.count:,} recommendations received since {FIRST_RECEIVED}"
    )

    small_at = min(1_000, args.count)
    with app.app_context():
        received = _load(args.count, rng)
        seconds, rows = _compute_all(received)
        print(
            f"due dates: {len(rows):,} computed with explanations in {seconds:.2f} s "
            f"({1e6 * seconds / len(rows):.0f} µs each); stored in {_store(rows[:small_at]):.2f} s"
        )
        median, statements = _start_clock_sample(args.sample)
        print(f"start_clock: median {1e3 * median:.2f} ms and {statements:.0f} statements per recommendation")
    small = _pages(app, args.runs)
    with app.app_context():
        stored = _store(rows[small_at:])
        if postgres:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        states = services.state_cutoffs(db.session.scalar(select(Office).limit(1)), TODAY)
        counts = reports.state_counts(1, states)
        print(f"stored the other {len(rows) - small_at:,} deadlines in {stored:.2f} s")
        print("states: " + ", ".join(f"{k.value} {v:,}" for k, v in counts.items() if v))
    large = _pages(app, args.runs)

    grew = False
    print(f"\n{'page':<16} {'rows':>7} {'median':>9} {'statements':>10} {'bytes':>10}")
    for name in PAGES:
        for label, figures in ((f"{small_at:,}", small[name]), (f"{args.count:,}", large[name])):
            seconds, statements, size = figures
            print(f"{name:<16} {label:>7} {1e3 * seconds:>7.0f}ms {statements:>10} {size:>10,}")
        grew |= large[name][1] > small[name][1]
    if postgres:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    if grew:
        print("\nFAIL: a page needs more statements with more rows (N+1).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
