"""Benchmark of the pages that grow with the findings: the findings list, an authority page and the dashboard.

Loads synthetic findings (200 authorities, about 50 findings per inspection, spread over 2018-2024) into a
fresh database, then requests each page in-process through Flask's test client as the demo inspector and
prints the median and 90th-percentile server time and the number of SQL statements per page, first at
1,000 findings and then, after topping up, at 100,000. The number of statements must not grow with the
rows: the script exits with status 1 when it does (an N+1 query has crept in), 0 otherwise. "SQL ms" is the
median time spent inside the driver's execute() per request (on SQLite that excludes fetching the rows).

    python benchmarks/findings.py                       # a fresh SQLite file in a temporary folder
    python benchmarks/findings.py --database-url postgresql://postgres@127.0.0.1:5432/ombudsman_bench

A PostgreSQL database given here is emptied first (every table of the app is dropped and created again).
`--explain` also prints, per page and size, the slowest statements with the database's query plans, and
`--analyze` runs ANALYZE on SQLite too after loading (PostgreSQL always gets it, as autovacuum would).
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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python benchmarks/findings.py` from a checkout
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from ombudsman import create_app  # noqa: E402
from ombudsman import seed_data as demo  # noqa: E402
from ombudsman.accounts.models import User  # noqa: E402
from ombudsman.authorities.models import Authority, Level  # noqa: E402
from ombudsman.extensions import db  # noqa: E402
from ombudsman.inspections.models import (  # noqa: E402
    Finding,
    FindingForm,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Maladministration,
    Severity,
)
from ombudsman.seed import seed_demo  # noqa: E402

AUTHORITY_TOTAL = 200
FINDINGS_PER_INSPECTION = 50  # 100,000 findings -> 2,000 inspections, as in the issue
BATCH = 5_000
FIRST_DAY = date(2018, 1, 1)
LAST_DAY = date(2024, 12, 31)
WITA = timedelta(hours=8)  # visits are logged in Kupang time; stored in UTC

TITLES = [
    "Antrean tidak tertib dan tanpa nomor urut",
    "Blanko KTP-el kosong tanpa pengumuman",
    "Standar pelayanan tidak dipampang",
    "Maklumat pelayanan tidak tersedia",
    "Ruang tunggu tidak memadai",
    "Tidak ada fasilitas bagi penyandang disabilitas",
    "Jam layanan tidak sesuai pengumuman",
    "Petugas tidak mengenakan tanda pengenal",
    "Dugaan pungutan liar oleh calo",
    "Gangguan jaringan SIAK berulang",
    "Sarana pengaduan tidak tersedia",
    "Survei kepuasan masyarakat tidak dilaksanakan",
    "Informasi waktu penyelesaian dokumen tidak jelas",
    "Perekaman biometrik tertunda karena alat rusak",
]
DESCRIPTION = (
    "Tim menemukan kondisi ini saat kunjungan tanpa pemberitahuan; warga menunggu lebih dari tiga jam "
    "tanpa kepastian, dan petugas tidak dapat menunjukkan dasar hukum atau prosedur yang berlaku. "
)
STATUS_WEIGHTS = [
    (FindingStatus.OPEN, 70),
    (FindingStatus.IN_FOLLOW_UP, 15),
    (FindingStatus.RESOLVED, 12),
    (FindingStatus.WITHDRAWN, 3),
]
CODES = [m.value for m in Maladministration]


# --- the synthetic register -----------------------------------------------------------------------------


@dataclass
class Register:
    """Ids of the authorities the generator routes findings to."""

    units: list[int]  # service units that get inspected (the Dinas)
    parent: dict[int, int | None]
    level: dict[int, Level]
    central: list[int]  # central bodies a finding can be routed to
    hot_unit: int  # inspected often and responsible for many findings: the page we measure
    ditjen: int


def _insert_returning_ids(table, rows: list[dict[str, Any]]) -> list[int]:
    """Core multi-row INSERT, in batches, returning the new ids in the order of `rows`."""
    ids: list[int] = []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), BATCH):
        ids.extend(db.session.execute(stmt, rows[start : start + BATCH]).scalars().all())
    return ids


def _authority_rows(names: list[tuple[str, str, Level, int | None]]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "name": name,
            "short_name": short,
            "level": level,
            "head_title": f"Kepala {name}",
            "place_line": "di Kupang" if level is not Level.CENTRAL else "di Jakarta",
            "address": "Jl. Bench No. 1",
            "parent_id": parent,
            "active": True,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for name, short, level, parent in names
    ]


def build_register() -> Register:
    """Top the demo register up to 200 authorities: ministries, directorates, provinces, regencies, Dinas."""
    table = Authority.__table__
    existing = {a.name: a.id for a in db.session.scalars(select(Authority))}
    # 3 ministries, 9 directorates, 3 provinces, 36 regency/city governments; the rest are their Dinas.
    ministries = _insert_returning_ids(
        table,
        _authority_rows(
            [(f"Kementerian Bench {i:02d}", f"KB{i:02d}", Level.CENTRAL, None) for i in range(3)]
        ),
    )
    directorates = _insert_returning_ids(
        table,
        _authority_rows(
            [
                (f"Direktorat Jenderal Bench {i}", f"DJB{i}", Level.CENTRAL, ministries[i % 3])
                for i in range(9)
            ]
        ),
    )
    provinces = [existing[demo.PEMPROV_NTT]] + _insert_returning_ids(
        table,
        _authority_rows(
            [(f"Pemerintah Provinsi Bench {i}", f"PPB{i}", Level.PROVINCIAL, None) for i in range(3)]
        ),
    )
    governments = [existing[demo.PEMKOT_KUPANG]] + _insert_returning_ids(
        table,
        _authority_rows(
            [
                (f"Pemerintah Kabupaten Bench {i:02d}", f"PKB{i:02d}", Level.REGENCY_CITY, provinces[i % 4])
                for i in range(36)
            ]
        ),
    )
    have = db.session.scalar(select(func.count()).select_from(Authority))
    dinas = _insert_returning_ids(
        table,
        _authority_rows(
            [
                (f"Dinas Bench {i:03d}", f"DB{i:03d}", Level.REGENCY_CITY, governments[i % len(governments)])
                for i in range(AUTHORITY_TOTAL - have)
            ]
        ),
    )
    rows = db.session.execute(select(Authority.id, Authority.parent_id, Authority.level)).all()
    hot = existing[demo.DINAS_KUPANG]
    ditjen = existing[demo.DITJEN]
    return Register(
        units=[hot, *dinas],
        parent={r.id: r.parent_id for r in rows},
        level={r.id: r.level for r in rows},
        central=[ditjen, *directorates],
        hot_unit=hot,
        ditjen=ditjen,
    )


# --- inspections and findings ---------------------------------------------------------------------------


def _chain(register: Register, unit: int) -> list[int]:
    chain, node = [], unit
    while node is not None and node not in chain:
        chain.append(node)
        node = register.parent.get(node)
    return chain


def _responsible(rng: random.Random, register: Register, unit: int) -> int:
    """Mostly the unit itself, sometimes its government or province, a quarter of the time the centre."""
    roll = rng.random()
    chain = _chain(register, unit)
    if roll < 0.55:
        return unit
    if roll < 0.75 and len(chain) > 1:
        return chain[1] if roll < 0.70 or len(chain) < 3 else chain[2]
    # The Ditjen takes most central findings (blanko, SIAK), other central bodies the rest.
    return register.ditjen if rng.random() < 0.6 else rng.choice(register.central)


def add_findings(
    rng: random.Random, register: Register, office_id: int, user_id: int, target: int
) -> tuple[int, int]:
    """Add inspections and findings until the office has `target` findings; returns what was added."""
    have = db.session.scalar(select(func.count()).select_from(Finding).where(Finding.office_id == office_id))
    needed = target - have
    if needed <= 0:
        return 0, 0
    n_inspections = max(1, round(needed / FINDINGS_PER_INSPECTION))
    span = (LAST_DAY - FIRST_DAY).days
    inspections = []
    for i in range(n_inspections):
        # One visit in ten is to the demo unit, so its authority page has many findings.
        unit = register.hot_unit if i % 10 == 0 else rng.choice(register.units)
        visited = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        start = datetime(visited.year, visited.month, visited.day, 9, tzinfo=UTC) - WITA
        kind = rng.choice(list(InspectionKind))
        inspections.append(
            {
                "office_id": office_id,
                "authority_id": unit,
                "kind": kind,
                "status": InspectionStatus.DRAFT if rng.random() < 0.1 else InspectionStatus.SUBMITTED,
                "title": f"Inspeksi {kind.value} {visited.isoformat()} #{i}",
                "visited_on": visited,
                "started_at": start,
                "ended_at": start + timedelta(hours=3),
                "place": "Kantor pelayanan",
                "summary": "Kunjungan sintetis untuk pengukuran kinerja.",
                "created_by_id": user_id,
                "created_at": start,
                "updated_at": start,
            }
        )
    inspection_ids = _insert_returning_ids(Inspection.__table__, inspections)

    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    base, extra = divmod(needed, n_inspections)
    added = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        ids = _insert_returning_ids(Finding.__table__, pending)
        forms = [
            {"finding_id": fid, "code": code}
            for fid in ids
            for code in rng.sample(CODES, 1 if rng.random() < 0.6 else 2)
        ]
        for start in range(0, len(forms), BATCH):
            db.session.execute(insert(FindingForm.__table__), forms[start : start + BATCH])
        pending.clear()

    for index, (inspection_id, inspection) in enumerate(zip(inspection_ids, inspections, strict=True)):
        unit = inspection["authority_id"]
        for number in range(1, base + (1 if index < extra else 0) + 1):
            responsible = _responsible(rng, register, unit)
            second = None
            # One in ten is shared: a local duty with a central cause, or the reverse.
            if rng.random() < 0.10:
                second = register.ditjen if register.level[responsible] is not Level.CENTRAL else unit
                second = None if second == responsible else second
            created = inspection["started_at"] + timedelta(minutes=5 * number)
            pending.append(
                {
                    "office_id": office_id,
                    "inspection_id": inspection_id,
                    "number": number,
                    "title": f"{rng.choice(TITLES)} ({number})",
                    "description": DESCRIPTION * 2,
                    "severity": rng.choice(list(Severity)),
                    "legal_basis": "UU 25/2009",
                    "status": rng.choices(statuses, weights)[0],
                    "responsible_authority_id": responsible,
                    "second_authority_id": second,
                    "routing_note": "",
                    "created_by_id": user_id,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            added += 1
            if len(pending) >= BATCH:
                flush()
    if pending:
        flush()
    return n_inspections, added


# --- measuring ------------------------------------------------------------------------------------------


@dataclass
class QueryLog:
    """Statements sent to the database while `active` (counted before they run), with their time."""

    active: bool = False
    statements: list[tuple[str, Any, float]] = field(default_factory=list)
    _started: float = 0.0

    def attach(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append((statement, parameters, 0.0))
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and self.statements:
            self.statements[-1] = (statement, parameters, time.perf_counter() - self._started)


@dataclass
class Result:
    """One page at one size."""

    page: str
    rows: int
    median_ms: float
    p90_ms: float
    queries: int
    sql_ms: float  # median time spent in the database per request
    slowest: list[tuple[str, Any, float]]  # the three slowest statements, median ms each


def measure(client, log: QueryLog, label: str, url: str, rows: int, repeat: int, warmup: int) -> Result:
    """Request `url` warmup + repeat times; time the repeats and count their statements."""
    times: list[float] = []
    counts: set[int] = set()
    per_statement: dict[str, list[float]] = {}
    params: dict[str, Any] = {}
    for attempt in range(warmup + repeat):
        log.statements.clear()
        log.active = True
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        log.active = False
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}, expected 200")
        if attempt < warmup:
            continue
        times.append(elapsed * 1000)
        counts.add(len(log.statements))
        for statement, parameters, seconds in log.statements:
            per_statement.setdefault(statement, []).append(seconds * 1000)
            params[statement] = parameters
    if len(counts) != 1:
        raise SystemExit(
            f"{url}: the number of statements changed between identical requests: {sorted(counts)}"
        )
    times.sort()
    # Identical statements within one request (an N+1) are summed: that is their cost to the page.
    medians = {s: statistics.median(ms) * len(ms) / repeat for s, ms in per_statement.items()}
    slowest = sorted(medians, key=medians.get, reverse=True)[:3]
    return Result(
        page=label,
        rows=rows,
        median_ms=statistics.median(times),
        p90_ms=times[min(len(times) - 1, round(0.9 * (len(times) - 1)))],
        queries=counts.pop(),
        sql_ms=sum(medians.values()),
        slowest=[(s, params[s], medians[s]) for s in slowest],
    )


def explain(statement: str, parameters: Any) -> str:
    """The database's plan for one captured statement."""
    dialect = db.engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS OFF) "
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
    if dialect == "sqlite":
        return "\n".join(f"    {row[-1]}" for row in rows)
    return "\n".join(f"    {row[0]}" for row in rows)


def table_counts(office_id: int, authority_id: int) -> dict[str, int]:
    """Rows actually present, and how many findings the measured authority is responsible for."""

    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    return {
        "authorities": count(select(func.count()).select_from(Authority)),
        "inspections": count(select(func.count()).select_from(Inspection)),
        "findings": count(select(func.count()).select_from(Finding)),
        "finding_forms": count(select(func.count()).select_from(FindingForm)),
        "open findings": count(
            select(func.count()).select_from(Finding).where(Finding.status == FindingStatus.OPEN)
        ),
        f"findings of authority {authority_id}": count(
            select(func.count())
            .select_from(Finding)
            .where(
                Finding.office_id == office_id,
                (Finding.responsible_authority_id == authority_id)
                | (Finding.second_authority_id == authority_id),
            )
        ),
    }


# --- main -----------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument(
        "--rows", default="1000,100000", help="comma-separated sizes, ascending (default %(default)s)"
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="timed requests per page (default %(default)s)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first (default %(default)s)")
    parser.add_argument("--seed", type=int, default=30072018, help="random seed of the generator")
    parser.add_argument(
        "--explain", action="store_true", help="print the slowest statements of each page and their plans"
    )
    parser.add_argument(
        "--analyze", action="store_true", help="run ANALYZE after loading on SQLite too (PostgreSQL always)"
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.rows.split(",") if s.strip()]
    if args.sizes != sorted(args.sizes) or not args.sizes:
        parser.error("--rows must be ascending sizes, e.g. 1000,100000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ombudsman-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "EVIDENCE_DIR": str(Path(tmp) / "evidence"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            },
        )
        return run(app, args)


def run(app, args: argparse.Namespace) -> int:
    """Load, measure at each size, print; requests run outside any app context, as a server's do."""
    rng = random.Random(args.seed)
    with app.app_context():
        engine = db.engine
        print(f"database: {engine.dialect.name} {engine.url.render_as_string(hide_password=True)}")
        print(_machine())
        started = time.perf_counter()
        db.drop_all()
        db.create_all()
        office_id = seed_demo().id
        db.session.commit()
        inspector_id = db.session.scalar(select(User.id).where(User.email == "inspector@demo.test"))
        register = build_register()
        db.session.commit()
        print(f"schema, demo seed and register: {time.perf_counter() - started:.1f} s")

    log = QueryLog()
    log.attach(engine)
    client = app.test_client()
    response = client.post("/login", data={"email": "inspector@demo.test", "password": "demo"})
    if response.status_code != 303:
        raise SystemExit(f"login failed: {response.status_code}")

    results: list[Result] = []
    for size in args.sizes:
        with app.app_context():
            started = time.perf_counter()
            new_inspections, new_findings = add_findings(rng, register, office_id, inspector_id, size)
            db.session.commit()
            if engine.dialect.name == "postgresql" or args.analyze:
                # Autovacuum would analyse the freshly loaded tables within a minute; do it now so the plans
                # are the ones a running server gets. Nothing analyses a SQLite file unless asked.
                with engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
            loaded = time.perf_counter() - started
            counts = table_counts(office_id, register.hot_unit)
        print(
            f"\nloaded {new_findings:,} findings in {new_inspections:,} inspections in {loaded:.1f} s;"
            + " present: "
            + ", ".join(f"{name} {n:,}" for name, n in counts.items())
        )
        last_page = max(1, -(-counts["findings"] // app.config["PER_PAGE"]))
        deep = min(50, last_page)
        pages = [
            ("dashboard /", "/"),
            ("findings /findings/", "/findings/"),
            ("findings ?level=central&status=open", "/findings/?level=central&status=open"),
            (f"findings ?page={deep}", f"/findings/?page={deep}"),
            (f"authority /authorities/{register.hot_unit}", f"/authorities/{register.hot_unit}"),
        ]
        for label, url in pages:
            results.append(measure(client, log, label, url, counts["findings"], args.repeat, args.warmup))

    print("\n" + _machine())
    print_table(results)
    if args.explain:
        with app.app_context():
            print_explain(results)
    return verdict(results, args.sizes)


def _machine() -> str:
    # Other work on the machine skews the times (not the query counts); say how busy it was.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"


def _page_key(label: str) -> str:
    # The deep page is page 50 when there are enough rows and the last page otherwise; compare them as one.
    return "findings ?page=N" if label.startswith("findings ?page=") else label


def print_table(results: list[Result]) -> None:
    width = max(len(r.page) for r in results)
    header = f"{'page':<{width}}  {'rows':>9}  {'median ms':>9}  {'p90 ms':>8}  {'SQL ms':>7}  {'queries':>7}"
    print("\n" + header)
    print("-" * len(header))
    for r in sorted(results, key=lambda r: (_page_key(r.page), r.rows)):
        print(
            f"{r.page:<{width}}  {r.rows:>9,}  {r.median_ms:>9.1f}  {r.p90_ms:>8.1f}  {r.sql_ms:>7.1f}"
            f"  {r.queries:>7}"
        )


def print_explain(results: list[Result]) -> None:
    print("\nSlowest statements per page (median ms per request, repeated statements summed) and plans:")
    for r in results:
        print(f"\n=== {r.page} @ {r.rows:,} rows: {r.queries} statements, {r.sql_ms:.1f} ms in the database")
        for statement, parameters, ms in r.slowest:
            # The column lists say nothing about the plan; keep FROM, WHERE, ORDER BY and LIMIT readable.
            one_line = re.sub(r"SELECT .*? FROM ", "SELECT ... FROM ", " ".join(statement.split()))
            shown = one_line if len(one_line) <= 500 else one_line[:500] + " ..."
            print(f"\n  {ms:.1f} ms: {shown}")
            print(f"  parameters: {parameters}")
            print(explain(statement, parameters))


def verdict(results: list[Result], sizes: list[int]) -> int:
    """0 when every page sends as many statements at the largest size as at the smallest, 1 otherwise."""
    by_page: dict[str, dict[int, int]] = {}
    for r in results:
        by_page.setdefault(_page_key(r.page), {})[r.rows] = r.queries
    grown = {page: counts for page, counts in by_page.items() if len(set(counts.values())) > 1}
    if len(sizes) < 2:
        print("\nquery counts: only one size measured, nothing to compare")
        return 0
    if grown:
        for page, counts in grown.items():
            print(
                f"query count of {page} changed with the rows: "
                + ", ".join(f"{n:,} rows: {q}" for n, q in counts.items())
            )
        print("RESULT: query counts NOT constant (N+1 query?): FAIL")
        return 1
    print("\nRESULT: query counts constant across " + " and ".join(f"{s:,}" for s in sizes) + " rows: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
