"""Synthetic national data for the benchmarks: 35 offices, ten years of findings, cached per size.

`ensure(backend, findings)` returns a `Dataset`: a SQLite file under `benchmarks/out/data/` or a PostgreSQL
database named `bench_data_<size>_<head>`, built once and reused while the app's Alembic head is the same
(the key is backend, size and head; a manifest JSON next to it holds what the runner needs). The schema comes
from the app's own migrations (`flask db upgrade`), so the indexes are the real ones; the demo case and the
reference data from the app's seed. The rest is bulk-inserted (`COPY` on PostgreSQL through psycopg,
`executemany` on SQLite), then analysed:

- 35 offices (the head office and 34 provincial representative offices, the demo NTT office among them), each
  with its letter and calendar settings and an inspector, a supervisor and a head who sign in with
  `BENCH_PASSWORD` (the demo users keep `demo`);
- about 1,200 authorities: central bodies, and per province its government, eight regency/city governments
  and three Dinas under each;
- inspections from 1 July 2015 to `TODAY` with 3 to 15 findings each (1 or 2 forms of maladministration, one
  in ten shared with a second authority); the measured office, the demo one, is the busiest: it holds
  `BUSIEST_SHARE` of the findings, the other 34 share the rest;
- about 0.33 recommendations per finding, addressed to the finding's responsible authority; one letter per
  inspection and addressee, issued (numbered per office and year) unless the visit is recent, received for
  nine in ten; a deadline for every received recommendation, its due date from the app's own rule and
  working-day calendar (`compute_start`), closed for most of the old ones, so about 0.3 recommendations with
  deadlines per finding;
- for the runner, in the demo office and through the app's services: `APPROVED_LETTERS` approved letters
  (the issuing-under-load measure issues 16 of them), one letter issued (its stored PDF is the download
  measured) and the demo's draft to the Wali Kota Kupang (the draft render measured).

Historical letters carry their register data but no PDF bytes (one PDF per letter would make 1M findings
several gigabytes); audit rows are not generated. Everything is deterministic (seeded) and dated relative to
`TODAY`, which the runner pins with `OMBUDSMAN_TODAY`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
#: The benchmarks' evidence directory: in the checkout's instance/ folder, the one part of it where an app
#: may store files (`ombudsman.deploy.evidence_dir_problems`).
EVIDENCE = ROOT / "instance" / "benchmark-evidence"
DATA_DIR = OUT / "data"
if str(ROOT) not in sys.path:  # run as `python -m benchmarks.dataset` or from a test
    sys.path.insert(0, str(ROOT))

TODAY = date(2025, 6, 30)  # the runner pins OMBUDSMAN_TODAY to it; states (overdue, …) stay stable
FIRST_DAY = date(2015, 7, 1)
BENCH_PASSWORD = "bench-sandi-rahasia-2025"  # noqa: S105 (synthetic accounts of a throw-away database)
BUSIEST_SHARE = 0.2
RECOMMENDATIONS_PER_FINDING = 0.33
RECENT_DAYS = 45  # visits this recent have draft letters only
APPROVED_LETTERS = 20
CHUNK = 2_000  # inspections generated and written at a time
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
FORMAT_VERSION = 5  # bump when the generator changes what it writes: the cache key includes it

# The other 33 provinces with a representative office, and their time zones (the demo office is NTT).
PROVINCES = [
    ("Aceh", "Banda Aceh", "Asia/Jakarta"),
    ("Sumatera Utara", "Medan", "Asia/Jakarta"),
    ("Sumatera Barat", "Padang", "Asia/Jakarta"),
    ("Riau", "Pekanbaru", "Asia/Jakarta"),
    ("Kepulauan Riau", "Batam", "Asia/Jakarta"),
    ("Jambi", "Jambi", "Asia/Jakarta"),
    ("Sumatera Selatan", "Palembang", "Asia/Jakarta"),
    ("Kepulauan Bangka Belitung", "Pangkalpinang", "Asia/Jakarta"),
    ("Bengkulu", "Bengkulu", "Asia/Jakarta"),
    ("Lampung", "Bandar Lampung", "Asia/Jakarta"),
    ("Jakarta Raya", "Jakarta", "Asia/Jakarta"),
    ("Jawa Barat", "Bandung", "Asia/Jakarta"),
    ("Banten", "Serang", "Asia/Jakarta"),
    ("Jawa Tengah", "Semarang", "Asia/Jakarta"),
    ("Daerah Istimewa Yogyakarta", "Yogyakarta", "Asia/Jakarta"),
    ("Jawa Timur", "Surabaya", "Asia/Jakarta"),
    ("Kalimantan Barat", "Pontianak", "Asia/Jakarta"),
    ("Kalimantan Tengah", "Palangka Raya", "Asia/Jakarta"),
    ("Bali", "Denpasar", "Asia/Makassar"),
    ("Nusa Tenggara Barat", "Mataram", "Asia/Makassar"),
    ("Kalimantan Selatan", "Banjarmasin", "Asia/Makassar"),
    ("Kalimantan Timur", "Samarinda", "Asia/Makassar"),
    ("Kalimantan Utara", "Tanjung Selor", "Asia/Makassar"),
    ("Sulawesi Utara", "Manado", "Asia/Makassar"),
    ("Gorontalo", "Gorontalo", "Asia/Makassar"),
    ("Sulawesi Tengah", "Palu", "Asia/Makassar"),
    ("Sulawesi Barat", "Mamuju", "Asia/Makassar"),
    ("Sulawesi Selatan", "Makassar", "Asia/Makassar"),
    ("Sulawesi Tenggara", "Kendari", "Asia/Makassar"),
    ("Maluku", "Ambon", "Asia/Jayapura"),
    ("Maluku Utara", "Ternate", "Asia/Jayapura"),
    ("Papua", "Jayapura", "Asia/Jayapura"),
    ("Papua Barat", "Manokwari", "Asia/Jayapura"),
]
SERVICES = [
    "Kependudukan dan Pencatatan Sipil",
    "Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Kesehatan",
    "Pendidikan",
    "Perhubungan",
    "Sosial",
    "Tenaga Kerja",
    "Pekerjaan Umum dan Penataan Ruang",
]
CENTRAL = [
    "Kementerian Kesehatan",
    "Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi",
    "Kementerian Agama",
    "Kementerian Sosial",
    "Kementerian Perhubungan",
    "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional",
    "Kementerian Hukum dan Hak Asasi Manusia",
    "Kementerian Ketenagakerjaan",
    "Badan Penyelenggara Jaminan Sosial Kesehatan",
    "Kepolisian Negara Republik Indonesia",
    "Direktorat Jenderal Imigrasi",
    "Direktorat Jenderal Pajak",
]
# Titles and descriptions use the words (with and without affixes) a search is tried with.
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
    "Petugas meminta imbalan untuk mempercepat pengurusan",
    "Pemohon dilayani di luar jam pelayanan",
]
DESCRIPTIONS = [
    "Tim menemukan warga mengantre lebih dari tiga jam tanpa kepastian; petugas tidak menunjukkan prosedur.",
    "Petugas memungut biaya di luar ketentuan dan tidak memberikan tanda terima kepada pemohon.",
    "Pengumuman persyaratan dan biaya layanan tidak dipasang di tempat yang mudah dilihat masyarakat.",
    "Pelayanan terhenti karena jaringan terputus; pemohon diminta kembali keesokan harinya.",
    "Unit pengaduan tidak berfungsi dan pengaduan warga tidak ditindaklanjuti oleh penyelenggara.",
    "Fasilitas bagi lansia, ibu hamil dan penyandang disabilitas tidak disediakan oleh penyelenggara.",
]
RECOMMENDATION_TEXTS = [
    "Menertibkan antrean dengan sistem nomor urut dan mengumumkan jadwal pelayanan.",
    "Memasang standar pelayanan dan maklumat pelayanan di ruang tunggu.",
    "Menindak petugas yang meminta imbalan dan mengumumkan bahwa layanan tidak dipungut biaya.",
    "Menyediakan sarana pengaduan dan menindaklanjuti setiap pengaduan masyarakat.",
    "Menyediakan fasilitas bagi penyandang disabilitas, lansia dan ibu hamil.",
]
FORMS = [
    "penundaan_berlarut",
    "tidak_memberikan_pelayanan",
    "tidak_kompeten",
    "penyalahgunaan_wewenang",
    "penyimpangan_prosedur",
    "permintaan_imbalan",
    "tidak_patut",
    "berpihak",
    "diskriminasi",
    "konflik_kepentingan",
]
KINDS = [("saran", 60), ("tindakan_korektif", 30), ("rekomendasi", 10)]
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


# --- where the data lives -------------------------------------------------------------------------------


@dataclass
class Dataset:
    """A generated database and what the runner needs from it."""

    backend: str  # "sqlite" or "postgresql"
    findings: int  # the size asked for (rows in `findings`)
    head: str  # the Alembic head it was built at
    url: str  # SQLAlchemy URL of the cached database (the runner copies it before a run)
    office_id: int = 0  # the measured office (the demo one)
    inspector_email: str = ""
    head_email: str = ""
    password: str = ""
    approved_letter_ids: list[int] = field(default_factory=list)
    issued_letter_id: int = 0
    draft_letter_id: int = 0
    search_term: str = "antre"
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    # The head of the dataset this one was upgraded from (`flask db upgrade` on a copy), if it was.
    upgraded_from: str = ""

    @property
    def key(self) -> str:
        return dataset_key(self.backend, self.findings, self.head)


def alembic_head() -> str:
    """The migrations' head revision(s), read from the scripts (no database needed); '+'-joined if several."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def dataset_key(backend: str, findings: int, head: str) -> str:
    return f"{backend}-{findings}-{head.replace('+', '_')}-v{FORMAT_VERSION}"


def pg_server_url() -> str:
    """The PostgreSQL server the benchmarks use (`BENCH_PG_URL`, a URL of any database on it)."""
    return os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)


def pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(pg_server_url()).set(database=database).render_as_string(hide_password=False)


def pg_admin(sql: str) -> None:
    """One statement outside a transaction on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_server_url())
    with psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def pg_exists(database: str) -> bool:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_server_url())
    with psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
    ) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is not None
        )


def pg_name(key: str) -> str:
    """PostgreSQL database name of a cached dataset (63 characters at most)."""
    return ("bench_data_" + key.split("-", 1)[1].replace("-", "_"))[:63]


def manifest_path(key: str) -> Path:
    return DATA_DIR / f"{key}.json"


def ensure(backend: str, findings: int, *, log=print) -> Dataset:
    """The cached dataset for this backend, size and Alembic head; built first when missing."""
    head = alembic_head()
    key = dataset_key(backend, findings, head)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # One builder per dataset: a second process (another test worker, a second run) waits, then reuses it.
    with (DATA_DIR / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_locked(backend, findings, head, key, log)


def _ensure_locked(backend: str, findings: int, head: str, key: str, log) -> Dataset:
    manifest = manifest_path(key)
    if manifest.exists():
        data = Dataset(**json.loads(manifest.read_text()))
        present = Path(data.url.removeprefix("sqlite:///")).exists() if backend == "sqlite" else None
        if backend == "postgresql":
            present = pg_exists(pg_name(key))
        if present:
            log(f"data: reusing {key} ({data.counts.get('findings', 0):,} findings)")
            return data
    started = time.perf_counter()
    older = _older(backend, findings, head)
    if older is not None:
        return _upgraded(older, head, key, started, log)
    if backend == "sqlite":
        final = DATA_DIR / f"{key}.sqlite"
        building = final.with_suffix(".building")
        building.unlink(missing_ok=True)
        data = Dataset(backend, findings, head, f"sqlite:///{building}")
    elif backend == "postgresql":
        name = pg_name(key)
        building_name = name[:54] + "_building"
        pg_admin(f'DROP DATABASE IF EXISTS "{building_name}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{building_name}"')
        data = Dataset(backend, findings, head, pg_url(building_name))
    else:
        raise SystemExit(f"unknown backend {backend!r}: sqlite or postgresql")
    log(f"data: building {key} …")
    _migrate(data.url)
    Generator(data, log=log).run()
    data.build_seconds = round(time.perf_counter() - started, 1)
    if backend == "sqlite":
        _single_file(building)
        os.replace(building, final)
        data.url = f"sqlite:///{final}"
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(f'ALTER DATABASE "{building_name}" RENAME TO "{name}"')
        data.url = pg_url(name)
    manifest.write_text(json.dumps(asdict(data), indent=1))
    log(
        f"data: built {key} in {data.build_seconds:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in data.counts.items())
    )
    return data


def _present(data: Dataset) -> bool:
    if data.backend == "sqlite":
        return Path(data.url.removeprefix("sqlite:///")).exists()
    return pg_exists(pg_name(data.key))


def _older(backend: str, findings: int, head: str) -> Dataset | None:
    """The newest cached dataset of this backend, size and generator format built at another Alembic head
    (the migrations moved on since), if its database is still there."""
    candidates = sorted(
        DATA_DIR.glob(f"{backend}-{findings}-*-v{FORMAT_VERSION}.json"),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for path in candidates:
        data = Dataset(**json.loads(path.read_text()))
        if data.head != head and data.findings == findings and _present(data):
            return data
    return None


def _upgraded(older: Dataset, head: str, key: str, started: float, log) -> Dataset:
    """A copy of `older` brought to `head` by the app's own migrations (their backfills included), instead
    of generating everything again: what a deployment does with its data when the code moves on."""
    log(f"data: upgrading a copy of {older.key} to {head} …")
    data = Dataset(**{**asdict(older), "head": head, "upgraded_from": older.head})
    if older.backend == "sqlite":
        final = DATA_DIR / f"{key}.sqlite"
        building = final.with_suffix(".building")
        sqlite_copy(older.url.removeprefix("sqlite:///"), building)
        data.url = f"sqlite:///{building}"
    else:
        name = pg_name(key)
        building_name = name[:54] + "_building"
        pg_admin(f'DROP DATABASE IF EXISTS "{building_name}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{building_name}" TEMPLATE "{pg_name(older.key)}"')
        data.url = pg_url(building_name)
    _migrate(data.url)
    writer = Writer(data.url)
    writer.finish(())  # fresh planner statistics after the migrations' writes
    data.build_seconds = round(time.perf_counter() - started, 1)
    if older.backend == "sqlite":
        _single_file(building)
        os.replace(building, final)
        data.url = f"sqlite:///{final}"
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(f'ALTER DATABASE "{building_name}" RENAME TO "{name}"')
        data.url = pg_url(name)
    manifest_path(key).write_text(json.dumps(asdict(data), indent=1))
    log(f"data: upgraded {older.key} to {key} in {data.build_seconds:.0f} s")
    return data


def sqlite_copy(source: str | Path, target: str | Path) -> None:
    """A consistent copy of a SQLite database through SQLite's backup API: the app runs its databases in WAL
    mode (`ombudsman.dbsetup`), where the main file alone may lack the latest commits."""
    Path(target).unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _single_file(path: Path) -> None:
    """Fold the write-ahead log into the database file and leave it in rollback-journal mode, so the cached
    dataset is one file that can be renamed (the app turns WAL on again in its working copy)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    finally:
        conn.close()
    if mode != "delete":
        raise SystemExit(f"{path}: still in {mode} mode (another connection open?)")


def _migrate(url: str) -> None:
    """The app's own migrations, as a deploy runs them."""
    env = {**os.environ, "OMBUDSMAN_ENV": "development", "DATABASE_URL": url, "OMBUDSMAN_DATABASE_URL": url}
    env.pop("OMBUDSMAN_TODAY", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _with_search_text(table: str, columns: Sequence[str], rows: list) -> tuple[Sequence[str], list]:
    """Rows of a table with a full-text index get its `search_text` (the stems of its source columns,
    `ombudsman.search.document`), as the app's insert default would: a bulk COPY or executemany bypasses it,
    and the benchmarked `?q=` searches must find the rows."""
    from ombudsman import search

    sources = {index.table: index.sources for index in search.INDEXES}.get(table)
    if not sources or "search_text" in columns:
        return columns, rows
    at = [list(columns).index(name) for name in sources]
    return (*columns, "search_text"), [(*row, search.document(*(row[i] for i in at))) for row in rows]


# --- bulk writing ---------------------------------------------------------------------------------------


class Writer:
    """Rows straight to the database: COPY on PostgreSQL, executemany on SQLite; values are Python objects
    (str, int, bool, date, naive-UTC datetime, JSON-able lists as `Json`)."""

    def __init__(self, url: str):
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg
            from sqlalchemy.engine import make_url

            u = make_url(url)
            self.conn = psycopg.connect(
                host=u.host or "127.0.0.1",
                port=u.port or 5432,
                user=u.username or "postgres",
                password=u.password,
                dbname=u.database,
            )
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=OFF")  # a throw-away file until it is renamed
            self.conn.execute("PRAGMA cache_size=-200000")

    def bulk_mode(self, tables: Sequence[str]) -> list[str]:
        """PostgreSQL: drop the tables' secondary indexes, to be built again after the load from their own
        definitions (`restore_indexes`); returns those. Triggers stay on: the app's own (e.g. tallies kept by
        triggers) must see every row, and foreign keys are checked as on SQLite."""
        if not self.postgres:
            return []
        self.conn.execute("SET synchronous_commit = off")
        rows = self.conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(tables),),
        ).fetchall()
        for name, _definition in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.commit()
        return [definition for _name, definition in rows]

    def restore_indexes(self, definitions: Sequence[str]) -> None:
        for definition in definitions:
            self.conn.execute(definition)
        self.conn.commit()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        columns, rows = _with_search_text(table, columns, rows)
        quoted = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_pg(v) for v in row])
        else:
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(
                f"INSERT INTO {table} ({quoted}) VALUES ({marks})", ([_sqlite(v) for v in r] for r in rows)
            )
        return len(rows)

    def scalar(self, sql: str) -> Any:
        return self.conn.execute(sql).fetchone()[0]

    def commit(self) -> None:
        self.conn.commit()

    def sequences(self, tables: Sequence[str]) -> None:
        """PostgreSQL's id sequences past the ids written here (SQLite needs nothing)."""
        if self.postgres:
            for table in tables:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (our table names)
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        self.conn.commit()

    def finish(self, tables: Sequence[str]) -> None:
        """Sequences past the ids written here, then fresh planner statistics."""
        self.sequences(tables)
        if self.postgres:
            self.conn.autocommit = True
            self.conn.execute("VACUUM ANALYZE")  # as autovacuum would soon: visibility map and statistics
        else:
            self.conn.commit()
            self.conn.execute("ANALYZE")
            self.conn.commit()
        self.conn.close()


class Json(list):
    """A JSON list value (stored as text on SQLite, json on PostgreSQL)."""


def _pg(value: Any) -> Any:
    if isinstance(value, Json):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite(value: Any) -> Any:
    if isinstance(value, Json):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):  # SQLAlchemy's SQLite format, microseconds always written
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- the generator --------------------------------------------------------------------------------------


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class Generator:
    """Fills a migrated, empty database (see the module docstring for what and in which proportions)."""

    def __init__(self, data: Dataset, *, log=print, seed: int = 30072018):
        self.data = data
        self.log = log
        self.rng = random.Random(seed)

    # The app, for the seed and the services; bulk rows go through `Writer` on their own connection.
    def _app(self):
        from ombudsman import create_app

        return create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": self.data.url,
                "EVIDENCE_DIR": str(EVIDENCE),
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
                "PUBLIC_BASE_URL": "https://bench.ombudsman.example",
            },
        )

    def run(self) -> None:
        app = self._app()
        with app.app_context():
            self._seed()
        writer = Writer(self.data.url)
        try:
            indexes = writer.bulk_mode(BULK_TABLES)
            self._bulk(writer)
            writer.restore_indexes(indexes)
            writer.sequences(ID_TABLES)
        finally:
            writer.conn.close()
        with app.app_context():
            self._letters_for_the_runner()
            from ombudsman.extensions import db

            db.session.commit()
            db.engine.dispose()
        writer = Writer(self.data.url)
        self.data.counts = {t: writer.scalar(f"SELECT COUNT(*) FROM {t}") for t in COUNTED}
        writer.finish(ID_TABLES)

    def _seed(self) -> None:
        """The demo case and reference data, through the app's seed; the demo office is the measured one."""
        from sqlalchemy import select

        from ombudsman.accounts.models import Office, User
        from ombudsman.accounts.services import hash_password
        from ombudsman.deadlines import services as deadline_services
        from ombudsman.deadlines.models import DeadlineRule
        from ombudsman.extensions import db
        from ombudsman.seed import seed_demo

        office = seed_demo()
        db.session.commit()
        self._ready_to_issue(office)
        self.demo_office = office.id
        self.demo_tz = office.timezone
        users = {
            u.role.value: u.id for u in db.session.scalars(select(User).where(User.office_id == office.id))
        }
        self.demo_users = users
        self.password_hash = hash_password(BENCH_PASSWORD)
        self.data.office_id = office.id
        self.data.inspector_email = "inspector@demo.test"
        self.data.head_email = "head@demo.test"
        self.data.password = "demo"  # noqa: S105 (the demo case's accounts)
        self.office_template = db.session.get(Office, office.id)
        self.seed_authorities = dict(db.session.execute(select_authorities()).all())
        # Every office counts working days as the demo office does (national holidays, Monday–Friday).
        self.calendar = deadline_services.office_calendar(office)
        self.rules = {
            str(r.kind): SimpleNamespace(id=r.id, count=r.count, unit=str(r.unit), starts=str(r.starts))
            for r in db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.id))
        }

    def _ready_to_issue(self, office) -> None:
        """What the office's admin does before the first letter (the letters setup checklist): the runner
        serves production settings, where issuing is refused until the checklist is complete. Official-looking
        number codes, a complete letterhead and an emblem (a plain PNG), through the app's own services."""
        import io

        from PIL import Image
        from sqlalchemy import select

        from ombudsman.accounts.models import User
        from ombudsman.extensions import db
        from ombudsman.letters import settings as letter_settings

        settings = letter_settings.for_office(office)
        settings.classification, settings.unit_code = "OMB", "PW-NTT-BENCH"
        office.phone = office.phone or "(0380) 800000"
        office.email = office.email or "ntt@bench.ombudsman.example"
        office.website = office.website or "https://bench.ombudsman.example"
        try:
            from ombudsman.letters import emblem
        except ImportError:  # an app before the letters setup checklist
            db.session.commit()
            return
        png = io.BytesIO()
        Image.new("RGB", (96, 96), (0, 70, 140)).save(png, "PNG")
        admin = db.session.scalar(select(User).where(User.office_id == office.id, User.role == "admin"))
        emblem.upload(office, admin, settings, png.getvalue())
        db.session.commit()

    def _bulk(self, w: Writer) -> None:
        started = time.perf_counter()
        self.ids = {t: (w.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {t}") or 0) for t in ID_TABLES}
        offices = self._offices(w)
        register = self._register(w, offices)
        w.commit()
        total = self.data.findings - (w.scalar("SELECT COUNT(*) FROM findings") or 0)
        share = {o["id"]: o["weight"] for o in offices}
        weight_sum = sum(share.values())
        deadlines = DeadlineMaker(self)
        self.sequences: dict[tuple[int, int], int] = defaultdict(int)
        plan = [(o, round(total * o["weight"] / weight_sum)) for o in offices]
        plan[0] = (plan[0][0], total - sum(n for _, n in plan[1:]))  # the demo office takes the rounding
        # The measured office last: its findings have the highest ids, the newest, as a busy office's would
        # (the baseline reads the newest by id; written first, PostgreSQL would walk every other office's).
        plan = plan[1:] + plan[:1]
        written = 0
        for office, target in plan:
            for chunk in self._inspections(office, register[office["id"]], target):
                self._write_chunk(w, office, chunk, deadlines)
                written += sum(i["size"] for i in chunk)
            w.commit()
        for (office_id, year), last in self.sequences.items():
            w.write("letter_counters", ("office_id", "year", "last_sequence"), [(office_id, year, last)])
        w.commit()
        self.log(f"data: {written:,} findings written in {time.perf_counter() - started:.1f} s")

    # -- offices, users and the register

    def _offices(self, w: Writer) -> list[dict]:
        demo = self.office_template
        now = _naive(datetime.now(UTC))
        offices = [
            {
                "id": self.demo_office,
                "code": "NTT",
                "weight": 0.0,
                "province": demo.province,
                "tz": demo.timezone,
                "city": demo.city,
            }
        ]
        rows = []
        specs = [("Pusat", "Jakarta", "Asia/Jakarta", True)] + [(p, c, tz, False) for p, c, tz in PROVINCES]
        for index, (province, city, tz, head_office) in enumerate(specs):
            oid = self._next("offices")
            name = (
                "Ombudsman Republik Indonesia (Kantor Pusat)"
                if head_office
                else f"Ombudsman Republik Indonesia Perwakilan Provinsi {province}"
            )
            code = (
                "PST"
                if head_office
                else "".join(word[0] for word in province.split()).upper() + f"{index:02d}"
            )
            rows.append(
                (
                    oid,
                    name,
                    name.replace("Ombudsman Republik Indonesia", "Ombudsman RI")[:60],
                    province,
                    city,
                    f"Jl. Bench No. {index + 1}, {city}",
                    "",
                    f"{code.lower()}@bench.ombudsman.example",
                    "",
                    f"Kepala {code}",
                    "Kepala Perwakilan",
                    tz,
                    now,
                )
            )
            # Busy offices (Java, Jakarta, the head office) weigh more than small ones.
            weight = (
                3.0
                if head_office or "Jawa" in province or "Jakarta" in province
                else self.rng.choice((1.0, 1.0, 2.0))
            )
            offices.append(
                {"id": oid, "code": code, "weight": weight, "province": province, "tz": tz, "city": city}
            )
        w.write(
            "offices",
            (
                "id",
                "name",
                "short_name",
                "province",
                "city",
                "address",
                "phone",
                "email",
                "website",
                "head_name",
                "head_title",
                "timezone",
                "created_at",
            ),
            rows,
        )
        others = sum(o["weight"] for o in offices[1:])
        offices[0]["weight"] = others * BUSIEST_SHARE / (1 - BUSIEST_SHARE)
        self._office_settings(w, offices[1:], now)
        users = []
        self.office_users: dict[int, dict[str, int]] = {self.demo_office: self.demo_users}
        for office in offices[1:]:
            self.office_users[office["id"]] = {}
            for role in ("inspector", "supervisor", "head", "admin"):
                uid = self._next("users")
                self.office_users[office["id"]][role] = uid
                users.append(
                    (
                        uid,
                        office["id"],
                        f"{role}@{office['code'].lower()}.bench.test",
                        f"{role.title()} {office['code']}",
                        role,
                        self.password_hash,
                        "id",
                        True,
                        now,
                        0,
                        0,
                        0,
                    )
                )
        w.write(
            "users",
            (
                "id",
                "office_id",
                "email",
                "name",
                "role",
                "password_hash",
                "locale",
                "active",
                "created_at",
                "session_generation",
                "failed_logins",
                "lockout_count",
            ),
            users,
        )
        return offices

    def _office_settings(self, w: Writer, offices: list[dict], now: datetime) -> None:
        """Each office's letter and calendar settings, copied from the demo office's with its own codes."""
        letter = w.conn.execute(
            "SELECT number_template, classification, paper, font, font_size, margin_top, margin_right, "
            "margin_bottom, margin_left FROM letter_settings WHERE office_id = " + str(self.demo_office)
        ).fetchone()
        calendar = w.conn.execute(
            "SELECT weekend_days, cuti_bersama_is_working, due_soon_working_days FROM calendar_settings "
            "WHERE office_id = " + str(self.demo_office)
        ).fetchone()
        w.write(
            "letter_settings",
            (
                "office_id",
                "number_template",
                "classification",
                "unit_code",
                "header",
                "signatory_title",
                "paper",
                "font",
                "font_size",
                "margin_top",
                "margin_right",
                "margin_bottom",
                "margin_left",
            ),
            [
                (
                    o["id"],
                    letter[0],
                    letter[1],
                    f"PW-{o['code']}",
                    f"OMBUDSMAN REPUBLIK INDONESIA\nPERWAKILAN PROVINSI {o['province'].upper()}",
                    f"Kepala Perwakilan Ombudsman Republik Indonesia Provinsi {o['province']}",
                    *letter[2:],
                )
                for o in offices
            ],
        )
        w.write(
            "calendar_settings",
            (
                "id",
                "office_id",
                "weekend_days",
                "cuti_bersama_is_working",
                "due_soon_working_days",
                "updated_at",
            ),
            [
                (self._next("calendar_settings"), o["id"], calendar[0], bool(calendar[1]), calendar[2], now)
                for o in offices
            ],
        )

    def _register(self, w: Writer, offices: list[dict]) -> dict[int, dict]:
        """Authorities per office: inspected units, their chain (unit → government → province), the centre."""
        now = _naive(datetime.now(UTC))
        rows = []

        def add(name, short, level, parent, place) -> int:
            aid = self._next("authorities")
            rows.append(
                (
                    aid,
                    name[:250],
                    short[:80],
                    level,
                    f"Kepala {name}"[:250],
                    place,
                    f"Jl. Instansi, {place}",
                    "",
                    "",
                    parent,
                    True,
                    1,
                    now,
                    now,
                )
            )
            return aid

        central = [self.seed_authorities[n] for n in self.seed_authorities if n in CENTRAL_SEEDED]
        for index, name in enumerate(CENTRAL):
            central.append(add(name, f"Pusat {index:02d}", "central", None, "di Jakarta"))
        register: dict[int, dict] = {}
        for office in offices:
            demo = office["id"] == self.demo_office
            province = self.seed_authorities.get(PEMPROV) if demo else None
            province = province or add(
                f"Pemerintah Provinsi {office['province']}",
                f"Pemprov {office['code']}",
                "provincial",
                None,
                f"di {office['city']}",
            )
            units, parent = [], {}
            if demo:  # the demo's Dinas is inspected too, under its Pemkot
                units.append(self.seed_authorities[DINAS_KUPANG])
                parent[self.seed_authorities[DINAS_KUPANG]] = self.seed_authorities[PEMKOT_KUPANG]
                parent[self.seed_authorities[PEMKOT_KUPANG]] = province
            for g in range(8):
                gov = add(
                    f"Pemerintah Kabupaten {office['code']} {g + 1}",
                    f"Pemkab {office['code']}{g + 1}",
                    "regency_city",
                    province,
                    f"di {office['city']}",
                )
                parent[gov] = province
                for s in self.rng.sample(SERVICES, 3):
                    unit = add(
                        f"Dinas {s} Kabupaten {office['code']} {g + 1}",
                        f"Dinas {office['code']}{g + 1}",
                        "regency_city",
                        gov,
                        f"di {office['city']}",
                    )
                    parent[unit] = gov
                    units.append(unit)
            register[office["id"]] = {"units": units, "parent": parent, "central": central}
        w.write(
            "authorities",
            (
                "id",
                "name",
                "short_name",
                "level",
                "head_title",
                "place_line",
                "address",
                "email",
                "phone",
                "parent_id",
                "active",
                "version",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        self.central = set(central)
        return register

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- inspections, findings, recommendations, letters

    def _inspections(self, office: dict, register: dict, target: int) -> Iterator[list[dict]]:
        """The office's inspections with their findings, oldest first, `CHUNK` at a time."""
        rng = self.rng
        sizes = []
        while sum(sizes) < target:
            sizes.append(rng.randint(3, 15))
        if sizes:
            sizes[-1] -= sum(sizes) - target
            if sizes[-1] <= 0:
                sizes.pop()
        span = (TODAY - FIRST_DAY).days
        days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in sizes)
        if office["id"] == self.demo_office:
            # The newest visits are left undrafted: the runner's approved letters are drafted from them.
            days[-APPROVED_LETTERS:] = [TODAY - timedelta(days=3)] * min(APPROVED_LETTERS, len(days))
        chunk = []
        for size, day in zip(sizes, days, strict=True):
            chunk.append(
                {"size": size, "day": day, "unit": rng.choice(register["units"]), "register": register}
            )
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _write_chunk(self, w: Writer, office: dict, chunk: list[dict], deadlines: DeadlineMaker) -> None:
        rng = self.rng
        users = self.office_users[office["id"]]
        inspector, supervisor, head = users["inspector"], users["supervisor"], users["head"]
        offset = timedelta(hours={"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}[office["tz"]])
        reserved_from = TODAY - timedelta(days=3)
        inspections, findings, forms, recs, links, letters, letter_recs, deadline_rows = (
            [] for _ in range(8)
        )
        kinds, weights = zip(*KINDS, strict=True)
        for item in chunk:
            iid = self._next("inspections")
            day, unit, register = item["day"], item["unit"], item["register"]
            start = datetime(day.year, day.month, day.day, 9) - offset
            age = (TODAY - day).days
            reserved = office["id"] == self.demo_office and day >= reserved_from
            inspections.append(
                (
                    iid,
                    office["id"],
                    unit,
                    rng.choice(("sidak", "sidak", "own_motion", "monitoring", "compliance")),
                    "submitted" if age > 14 else rng.choice(("draft", "submitted")),
                    f"Inspeksi pelayanan {day.isoformat()} #{iid}",
                    day,
                    start,
                    start + timedelta(hours=3),
                    "Kantor pelayanan",
                    "",
                    "Kunjungan sintetis untuk pengukuran kinerja.",
                    "",
                    inspector,
                    start,
                    start,
                )
            )
            chain = register["parent"]
            by_authority: dict[int, list[int]] = defaultdict(list)
            for number in range(1, item["size"] + 1):
                fid = self._next("findings")
                responsible = _responsible(rng, unit, chain, register["central"])
                second = None
                if rng.random() < 0.10:
                    second = register["central"][0] if responsible not in self.central else unit
                    second = None if second == responsible else second
                # Old findings are mostly settled; recent ones open.
                closed = rng.random() < min(0.8, age / 1500)
                status = (
                    rng.choice(("resolved", "resolved", "withdrawn", "in_follow_up")) if closed else "open"
                )
                created = start + timedelta(minutes=5 * number)
                findings.append(
                    (
                        fid,
                        office["id"],
                        iid,
                        number,
                        f"{rng.choice(TITLES)} ({number})",
                        rng.choice(DESCRIPTIONS),
                        rng.choice(("low", "medium", "high")),
                        "UU 25/2009",
                        status,
                        responsible,
                        second,
                        "",
                        inspector,
                        created,
                        created,
                    )
                )
                forms.extend((fid, code) for code in rng.sample(FORMS, 1 if rng.random() < 0.6 else 2))
                # A reserved visit (see `_inspections`) always has a recommendation to draft a letter from.
                if rng.random() < RECOMMENDATIONS_PER_FINDING or (reserved and number == 1):
                    by_authority[responsible].append(fid)
            position = 0
            for authority, finding_ids in by_authority.items():
                letter_id = None
                if not reserved:
                    letter_id = self._next("letters")
                    letters.append(
                        self._letter(letter_id, office, iid, authority, day, age, inspector, supervisor, head)
                    )
                for fid in finding_ids:
                    rid = self._next("recommendations")
                    position += 1
                    kind = rng.choices(kinds, weights)[0]
                    letter = letters[-1] if letter_id else None
                    received_on = letter[LETTER_RECEIVED] if letter else None
                    status, closed_on = deadlines.outcome(received_on) if received_on else ("open", None)
                    recs.append(
                        (
                            rid,
                            office["id"],
                            iid,
                            authority,
                            kind,
                            rng.choice(RECOMMENDATION_TEXTS),
                            status,
                            "",
                            position,
                            inspector,
                            start,
                            start,
                        )
                    )
                    links.append((rid, fid))
                    if letter_id:
                        letter_recs.append((letter_id, rid, position))
                    if received_on:
                        deadline_rows.append(
                            deadlines.row(
                                office, rid, kind, letter[LETTER_DATE], received_on, closed_on, head
                            )
                        )
        w.write("inspections", INSPECTION_COLUMNS, inspections)
        w.write("findings", FINDING_COLUMNS, findings)
        w.write("finding_forms", ("finding_id", "code"), forms)
        w.write("recommendations", RECOMMENDATION_COLUMNS, recs)
        w.write("recommendation_findings", ("recommendation_id", "finding_id"), links)
        w.write("letters", LETTER_COLUMNS, letters)
        w.write("letter_recommendations", ("letter_id", "recommendation_id", "position"), letter_recs)
        w.write("deadlines", DEADLINE_COLUMNS, deadline_rows)

    def _letter(self, lid, office, iid, authority, day, age, inspector, supervisor, head) -> tuple:
        rng = self.rng
        created = datetime(day.year, day.month, day.day, 3) + timedelta(days=2)
        if age <= RECENT_DAYS:
            status = "draft"
            number = sequence = year = letter_date = issued_at = received_on = delivered_on = None
            approved_at = submitted_at = None
            approved_by = submitted_by = issued_by = None
            token = short = None
        else:
            status = "issued"
            letter_date = day + timedelta(days=rng.randint(5, 20))
            year = letter_date.year
            self.sequences[(office["id"], year)] += 1
            sequence = self.sequences[(office["id"], year)]
            number = f"{sequence}/ORI/PW-{office['code']}/{ROMAN[letter_date.month]}/{year}"
            issued_at = datetime(letter_date.year, letter_date.month, letter_date.day, 2)
            submitted_at = approved_at = issued_at - timedelta(days=1)
            submitted_by, approved_by, issued_by = inspector, supervisor, head
            token = hashlib.sha256(f"bench-letter-{lid}".encode()).hexdigest()[:43]
            short = f"B{lid:010d}"
            delivered_on = letter_date + timedelta(days=rng.randint(1, 7))
            received_on = delivered_on if rng.random() < 0.9 and delivered_on <= TODAY else None
        return (
            lid,
            office["id"],
            iid,
            "saran",
            status,
            authority,
            "Yth. Kepala Instansi\ndi Tempat",
            "Saran perbaikan pelayanan publik",
            "Segera",
            "1 (satu) berkas",
            office["city"],
            letter_date,
            "Dengan hormat,",
            "Demikian kami sampaikan.",
            f"Kepala {office['code']}",
            "Kepala Perwakilan",
            False,
            number,
            sequence,
            year,
            token,
            short,
            "post" if delivered_on else None,
            delivered_on,
            "",
            received_on,
            inspector,
            created,
            created,
            submitted_at,
            submitted_by,
            approved_at,
            approved_by,
            issued_at,
            issued_by,
        )

    def _letters_for_the_runner(self) -> None:
        """Through the app's services: drafts from the newest demo visits, approved; one of them issued."""
        from sqlalchemy import select

        from ombudsman.accounts.models import User
        from ombudsman.errors import Conflict
        from ombudsman.extensions import db
        from ombudsman.inspections.models import Inspection
        from ombudsman.letters import services
        from ombudsman.letters.models import Letter, LetterStatus

        users = {
            u.role.value: u
            for u in db.session.scalars(select(User).where(User.office_id == self.demo_office))
        }
        newest = db.session.scalars(
            select(Inspection)
            .where(
                Inspection.office_id == self.demo_office, Inspection.visited_on == TODAY - timedelta(days=3)
            )
            .order_by(Inspection.id)
        ).all()
        approved: list[Letter] = []
        for inspection in newest:
            try:
                drafted, _skipped = services.draft_from_inspection(inspection, users["inspector"])
            except Conflict:  # a visit without recommendations
                continue
            for letter in drafted:
                services.submit(letter, users["inspector"])
                services.approve(letter, users["supervisor"])
                approved.append(letter)
        db.session.flush()
        if len(approved) < 2:  # noqa: PLR2004 (one to issue here, at least one for the runner to issue)
            raise SystemExit(f"only {len(approved)} approved letters could be drafted; the runner needs 2")
        issued = approved.pop()
        services.issue(
            issued,
            users["head"],
            today=TODAY,
            base_url="https://bench.ombudsman.example",
            evidence_root=EVIDENCE,
        )
        draft = db.session.scalar(
            select(Letter)
            .where(
                Letter.office_id == self.demo_office,
                Letter.status == LetterStatus.DRAFT,
                Letter.inspection_id.in_(select(Inspection.id).where(Inspection.client_id.is_not(None))),
            )
            .order_by(Letter.id)
        )
        self.data.approved_letter_ids = [letter.id for letter in approved]
        self.data.issued_letter_id = issued.id
        self.data.draft_letter_id = draft.id


def select_authorities():
    from sqlalchemy import select

    from ombudsman.authorities.models import Authority

    return select(Authority.name, Authority.id)


def _responsible(rng: random.Random, unit: int, parent: dict[int, int], central: list[int]) -> int:
    """Mostly the inspected unit, sometimes its government or province, a quarter of the time the centre."""
    roll = rng.random()
    if roll < 0.55:
        return unit
    if roll < 0.75:
        gov = parent.get(unit, unit)
        return parent.get(gov, gov) if roll > 0.70 else gov
    return central[0] if rng.random() < 0.5 else rng.choice(central)


class DeadlineMaker:
    """Deadline rows with due dates from the app's rule and calendar, computed once per kind and day."""

    def __init__(self, generator: Generator):
        self.rng = generator.rng
        self.rules = generator.rules
        self.calendar = generator.calendar
        self.cache: dict[tuple[str, date], tuple[date, Json]] = {}

    def _due(self, kind: str, received_on: date) -> tuple[date, Json]:
        key = (kind, received_on)
        if key not in self.cache:
            from ombudsman.deadlines.computation import compute_start

            rule = self.rules[kind]
            result = compute_start(self.calendar, rule.count, rule.unit, rule.starts, received_on)
            self.cache[key] = (result.due_on, Json(result.steps))
        return self.cache[key]

    def outcome(self, received_on: date) -> tuple[str, date | None]:
        """Recommendation status and the day its deadline closed: most old ones settled, recent ones open."""
        age = (TODAY - received_on).days
        if self.rng.random() < min(0.75, age / 1200):
            status = self.rng.choice(
                ("implemented", "implemented", "partially_implemented", "not_implemented")
            )
            return status, min(TODAY, received_on + timedelta(days=self.rng.randint(10, 120)))
        return ("in_progress" if self.rng.random() < 0.3 else "open"), None

    def row(self, office, rid, kind, issued_on, received_on, closed_on, head) -> tuple:
        due_on, steps = self._due(kind, received_on)
        rule = self.rules[kind]
        at = datetime(received_on.year, received_on.month, received_on.day, 2)
        return (
            office["id"],
            rid,
            rule.id,
            rule.count,
            rule.unit,
            rule.starts,
            issued_on,
            received_on,
            received_on,
            due_on,
            "",
            Json([]),
            closed_on,
            head,
            at,
            at,
            steps,
        )


PEMPROV = "Pemerintah Provinsi Nusa Tenggara Timur"
PEMKOT_KUPANG = "Pemerintah Kota Kupang"
DINAS_KUPANG = "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang"
CENTRAL_SEEDED = ("Direktorat Jenderal Kependudukan dan Pencatatan Sipil", "Kementerian Dalam Negeri")
ID_TABLES = (
    "offices",
    "users",
    "authorities",
    "calendar_settings",
    "inspections",
    "findings",
    "recommendations",
    "letters",
    "deadlines",
)
BULK_TABLES = (
    "inspections",
    "findings",
    "finding_forms",
    "recommendations",
    "recommendation_findings",
    "letters",
    "letter_recommendations",
    "deadlines",
)
COUNTED = (
    "offices",
    "users",
    "authorities",
    "inspections",
    "findings",
    "recommendations",
    "letters",
    "deadlines",
)
INSPECTION_COLUMNS = (
    "id",
    "office_id",
    "authority_id",
    "kind",
    "status",
    "title",
    "visited_on",
    "started_at",
    "ended_at",
    "place",
    "trigger",
    "summary",
    "queue_system",
    "created_by_id",
    "created_at",
    "updated_at",
)
FINDING_COLUMNS = (
    "id",
    "office_id",
    "inspection_id",
    "number",
    "title",
    "description",
    "severity",
    "legal_basis",
    "status",
    "responsible_authority_id",
    "second_authority_id",
    "routing_note",
    "created_by_id",
    "created_at",
    "updated_at",
)
RECOMMENDATION_COLUMNS = (
    "id",
    "office_id",
    "inspection_id",
    "authority_id",
    "kind",
    "text",
    "status",
    "outcome_note",
    "position",
    "created_by_id",
    "created_at",
    "updated_at",
)
LETTER_COLUMNS = (
    "id",
    "office_id",
    "inspection_id",
    "kind",
    "status",
    "authority_id",
    "recipient_lines",
    "hal",
    "sifat",
    "lampiran",
    "place",
    "letter_date",
    "opening",
    "closing",
    "signatory_name",
    "signatory_title",
    "annex",
    "number",
    "sequence",
    "year",
    "verify_token",
    "short_code",
    "delivery_method",
    "delivered_on",
    "delivery_note",
    "received_on",
    "created_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "submitted_by_id",
    "approved_at",
    "approved_by_id",
    "issued_at",
    "issued_by_id",
)
LETTER_DATE = LETTER_COLUMNS.index("letter_date")
LETTER_RECEIVED = LETTER_COLUMNS.index("received_on")
DEADLINE_COLUMNS = (
    "office_id",
    "recommendation_id",
    "rule_id",
    "count",
    "unit",
    "starts",
    "issued_on",
    "received_on",
    "start_on",
    "due_on",
    "explanation",
    "warnings",
    "closed_on",
    "started_by_id",
    "created_at",
    "updated_at",
    "explanation_facts",
)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Build (or reuse) the benchmark datasets.")
    parser.add_argument("cases", nargs="+", help="backend:size, e.g. sqlite:1000 postgresql:1m")
    args = parser.parse_args(argv)
    for case in args.cases:
        backend, size = parse_case(case)
        ensure(backend, size)
    return 0


def parse_case(case: str) -> tuple[str, int]:
    """'postgresql:100k' → ('postgresql', 100000)."""
    backend, _, size = case.partition(":")
    backend = {"pg": "postgresql", "postgres": "postgresql"}.get(backend, backend)
    size = size.lower().replace("_", "").replace(",", "")
    factor = 1_000_000 if size.endswith("m") else 1_000 if size.endswith("k") else 1
    return backend, int(float(size.rstrip("km")) * factor)


if __name__ == "__main__":
    sys.exit(main())
