"""Data stamps: a version number per office that the database itself raises on every change (issue 12).

A cached page is valid while nothing it shows has changed. Every page shows one office's records (scope =
the office id) and national reference data (scope 0: authorities, checklists, rules, offices, portal
accounts), so `data_stamps` holds one row per scope, `(scope, version)`, and triggers on every table a page
can show raise the version of the scope a written row belongs to. No write path can forget it: the ORM,
Core bulk statements, the CLI, a migration's SQL all fire the triggers. `read(office_id)` gives the pair a
page is cached under.

The tables, declared once here (the migration `data_stamps` keeps its own frozen copy; a test checks that
the installed triggers match these lists):

- `OFFICE_TABLES`: rows with an `office_id`; a write stamps that office (both offices when a row moves).
- `CHILD_TABLES`: rows without one, stamped with their parent's office (`COALESCE(..., 0)`: when the
  parent is gone in the same transaction, scope 0, and the parent's own delete stamped the office).
- `NATIONAL_TABLES`: reference data; a write stamps scope 0 (an office row also stamps its own scope,
  which creates the office's row when the office is inserted).
- `UNSTAMPED`: tables no cached page shows, or that only change with a stamped table, each with why.

`WATCHED_COLUMNS` restricts the UPDATE triggers of accounts to what a page shows: a sign-in writes
`last_login_at`, `failed_logins`, `session_generation`, and must not empty every cache of the office.

Every write runs `INSERT ... ON CONFLICT (scope) DO UPDATE SET version = version + 1`. A version only ever
grows: the row of a deleted office stays, so a page cached for it can never match again.

- SQLite: ordinary AFTER INSERT / UPDATE / DELETE row triggers; the database has one writer at a time.
- PostgreSQL: one `CREATE CONSTRAINT TRIGGER ... DEFERRABLE INITIALLY DEFERRED FOR EACH ROW` per table,
  calling `data_stamps_<table>()`, which calls `data_stamps_bump(scope)`. Deferred, the triggers run at
  COMMIT, after every lock the transaction's own work takes, so the stamp row is locked last and for
  microseconds, and a stamp never waits while holding a data row. `data_stamps_bump` raises a scope at most
  once per transaction (a transaction-local setting `ombudsman.stamped_<scope>` remembers it): a bulk
  load of a million rows costs one UPDATE per office. Two transactions that each stamp two or more scopes
  (say national data and an office's) in opposite orders can still deadlock on the stamp rows at COMMIT;
  PostgreSQL then aborts one of them, which may be retried. A transaction of one office never can.
  TRUNCATE fires no row trigger: nothing in the application truncates.

The triggers are created with the tables (`db.create_all()`, the tests; an `after_create` of the metadata)
and by the migration (deployed databases). On SQLite a later `batch_alter_table` of a stamped table drops
its triggers: that migration must create them again.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from sqlalchemy import BigInteger, Integer, bindparam, event, select
from sqlalchemy.orm import Mapped, mapped_column

from ombudsman.accounts.models import Office
from ombudsman.extensions import db

#: The scope of national reference data.
NATIONAL = 0

#: Tables with an `office_id`: a write stamps that office.
OFFICE_TABLES: tuple[str, ...] = (
    "calendar_days",
    "calendar_settings",
    "deadlines",
    "evidence",
    "export_jobs",
    "extension_requests",
    "findings",
    "follow_up_events",
    "follow_up_files",
    "inspections",
    "letter_emblems",
    "letter_settings",
    "letters",
    "portal_responses",
    "recommendations",
    "signing_keys",
    "users",
)

#: Tables stamped through their parent: table -> the SQL of its office, `{row}` standing for NEW or OLD.
CHILD_TABLES: dict[str, str] = {
    "checklist_answers": "(SELECT office_id FROM inspections WHERE id = {row}.inspection_id)",
    "finding_forms": "(SELECT office_id FROM findings WHERE id = {row}.finding_id)",
    "inspection_team": "(SELECT office_id FROM inspections WHERE id = {row}.inspection_id)",
    "letter_copies": "(SELECT office_id FROM letters WHERE id = {row}.letter_id)",
    "letter_receipts": "(SELECT office_id FROM letters WHERE id = {row}.letter_id)",
    "letter_recommendations": "(SELECT office_id FROM letters WHERE id = {row}.letter_id)",
    "portal_deliveries": "(SELECT office_id FROM letters WHERE id = {row}.letter_id)",
    "recommendation_findings": "(SELECT office_id FROM recommendations WHERE id = {row}.recommendation_id)",
    "reminder_notices": "(SELECT office_id FROM deadlines WHERE id = {row}.deadline_id)",
}

#: National reference data: a write stamps scope 0 (`offices` also stamps the office itself).
NATIONAL_TABLES: tuple[str, ...] = (
    "authorities",
    "authority_contacts",
    "checklist_items",
    "checklists",
    "deadline_rules",
    "offices",
    "portal_users",
    "routing_rules",
)

#: Tables whose UPDATE stamps only when one of these columns is set (sign-in bookkeeping does not).
WATCHED_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("office_id", "name", "email", "role", "locale", "active"),
    "portal_users": ("name", "email", "authority_id", "active", "locale"),
}

#: Tables without triggers -> why no cached page needs them stamped.
UNSTAMPED: dict[str, str] = {
    "alembic_version": "the schema's revision, not data",
    "api_idempotency_keys": "replay records of API requests; the writes they record stamp their own tables",
    "api_tokens": "credentials, shown on no cached page",
    "audit_events": "an append-only log written beside every change, which stamps its own table",
    "authority_versions": "history rows written with each authorities change, which stamps scope 0",
    "calendar_feeds": "downloaded holiday feeds; the calendar_days they produce are stamped",
    "data_stamps": "the stamps themselves",
    "deadline_day_tallies": "kept by triggers on recommendations and deadlines, both stamped",
    "deadline_month_tallies": "kept by triggers on recommendations and deadlines, both stamped",
    "deadline_tallies": "kept by triggers on recommendations and deadlines, both stamped",
    "finding_tallies": "kept by triggers on findings, which are stamped",
    "letter_counters": "number counters, changed only when a stamped letter is numbered",
    "portal_api_tokens": "credentials, shown on no cached page",
    "portal_idempotency_keys": "replay records of portal API requests; their writes stamp their own tables",
    "portal_links": "single-use sign-in secrets, shown on no cached page",
    "sequence_counters": "number counters, changed only when a stamped row is numbered",
    # SQLite FTS5 indexes (and their shadow tables `<name>_data`, `_idx`, `_docsize`, `_config`), kept by
    # their own triggers from the searched table's `search_text`, which is stamped.
    "findings_fts": "SQLite full-text index of findings, kept from the stamped findings",
    "letters_fts": "SQLite full-text index of letters, kept from the stamped letters",
    "authorities_fts": "SQLite full-text index of authorities, kept from the stamped authorities",
}


class DataStamp(db.Model):
    """The version of one scope's data: an office id, or 0 for national reference data."""

    __tablename__ = "data_stamps"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class Stamp(NamedTuple):
    """What a page of one office is cached under: the national and the office's versions, and the office's
    IANA time zone (its "today" is part of a page's key)."""

    national: int
    office: int
    timezone: str


@cache
def _statement():
    table = DataStamp.__table__
    zone = select(Office.timezone).where(Office.id == bindparam("office")).scalar_subquery()
    return select(table.c.scope, table.c.version, zone).where(
        table.c.scope.in_((NATIONAL, bindparam("office")))
    )


def read(office_id: int) -> Stamp | None:
    """The `Stamp` of a page of office `office_id`, or None when either scope has no row yet or the office
    does not exist (nothing stamped: do not cache). One query on the primary keys, built once.

    Read the stamp BEFORE the data the page shows, in its own statement: under READ COMMITTED the data is
    then at least as new as the stamp, so a page is never cached under a stamp newer than its data (at worst
    it is cached under an older one and simply missed next time). A transaction that has itself written
    must not cache: on PostgreSQL its own stamps are only raised at its COMMIT.
    """
    rows = db.session.execute(_statement(), {"office": office_id}).all()
    versions = {scope: version for scope, version, _zone in rows}
    zone = rows[0][2] if rows else None
    if NATIONAL not in versions or office_id not in versions or zone is None:
        return None
    return Stamp(versions[NATIONAL], versions[office_id], zone)


# --- the triggers ------------------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO data_stamps (scope, version) {values} "
    "ON CONFLICT (scope) DO UPDATE SET version = data_stamps.version + 1"
)


def stamped_tables() -> tuple[str, ...]:
    """Every table with triggers, in the order of the lists."""
    return (*OFFICE_TABLES, *CHILD_TABLES, *NATIONAL_TABLES)


def scopes(table: str) -> tuple[str, ...]:
    """The SQL of the scopes a row of `table` stamps, `{row}` standing for NEW or OLD."""
    if table in OFFICE_TABLES:
        return ("{row}.office_id",)
    if table in CHILD_TABLES:
        return (f"COALESCE({CHILD_TABLES[table]}, {NATIONAL})",)
    if table == "offices":
        return (str(NATIONAL), "{row}.id")
    if table in NATIONAL_TABLES:
        return (str(NATIONAL),)
    raise KeyError(table)


def _update_event(table: str) -> str:
    columns = WATCHED_COLUMNS.get(table)
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def sqlite_triggers(table: str) -> tuple[str, ...]:
    """The three SQLite triggers of `table`: `data_stamps_<table>_insert`, `_update`, `_delete`."""
    new = [s.format(row="NEW") for s in scopes(table)]
    old = [s.format(row="OLD") for s in scopes(table)]

    def body(statements) -> str:
        return "BEGIN " + " ".join(f"{s};" for s in statements) + " END"

    def stamp(scope: str) -> str:
        return _UPSERT.format(values=f"VALUES ({scope}, 1)")

    # A row moved to another scope also stamps the one it left.
    moved = [
        _UPSERT.format(values=f"SELECT {o}, 1 WHERE {o} IS NOT {n}")
        for o, n in zip(old, new, strict=True)
        if o != n
    ]
    prefix = f"data_stamps_{table}"
    return (
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table} {body(map(stamp, new))}",
        f"CREATE TRIGGER {prefix}_update AFTER {_update_event(table)} ON {table} "
        f"{body([*map(stamp, new), *moved])}",
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table} {body(map(stamp, old))}",
    )


#: PostgreSQL: raise a scope once per transaction (called at COMMIT by the deferred triggers).
POSTGRES_BUMP = (
    "CREATE OR REPLACE FUNCTION data_stamps_bump(stamp_scope integer) RETURNS void LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF stamp_scope IS NULL "
    "OR current_setting('ombudsman.stamped_' || stamp_scope, true) = '1' THEN RETURN; END IF; "
    + _UPSERT.format(values="VALUES (stamp_scope, 1)")
    + "; PERFORM set_config('ombudsman.stamped_' || stamp_scope, '1', true); "
    "END $$"
)


def postgres_triggers(table: str) -> tuple[str, str]:
    """The PostgreSQL function `data_stamps_<table>()` and its deferred constraint trigger (same name)."""
    name = f"data_stamps_{table}"

    def bumps(row: str) -> str:
        return " ".join(f"PERFORM data_stamps_bump({s.format(row=row)});" for s in scopes(table))

    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'DELETE' THEN {bumps('NEW')} END IF; "
        f"IF TG_OP <> 'INSERT' THEN {bumps('OLD')} END IF; "
        "RETURN NULL; END $$"
    )
    trigger = (
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR {_update_event(table)} OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()"
    )
    return function, trigger


def trigger_statements(dialect: str, tables=None) -> tuple[str, ...]:
    """The statements creating the triggers of `tables` (default: every stamped table) on `dialect`
    ("sqlite" or "postgresql"); the tables and `data_stamps` must exist."""
    tables = stamped_tables() if tables is None else tables
    if dialect == "postgresql":
        return (POSTGRES_BUMP, *(s for t in tables for s in postgres_triggers(t)))
    return tuple(s for t in tables for s in sqlite_triggers(t))


def drop_statements(dialect: str, tables=None) -> tuple[str, ...]:
    """The statements dropping the triggers (and PostgreSQL functions) of `tables` (default: all)."""
    tables = stamped_tables() if tables is None else tables
    if dialect == "postgresql":
        return (
            *(
                s
                for t in tables
                for s in (
                    f"DROP TRIGGER IF EXISTS data_stamps_{t} ON {t}",
                    f"DROP FUNCTION IF EXISTS data_stamps_{t}()",
                )
            ),
            "DROP FUNCTION IF EXISTS data_stamps_bump(integer)",
        )
    return tuple(f"DROP TRIGGER IF EXISTS data_stamps_{t}_{op}" for t in tables for op in _OPS)


_OPS = ("insert", "update", "delete")
_NATIONAL_ROW = "INSERT INTO data_stamps (scope, version) VALUES (0, 0) ON CONFLICT (scope) DO NOTHING"


@event.listens_for(db.metadata, "after_create")
def _create_triggers(_metadata, connection, tables=(), **_kw) -> None:
    """After `create_all()`: the national row and the triggers of the stamped tables it created."""
    created = {t.name for t in tables}
    if DataStamp.__tablename__ in created:
        connection.exec_driver_sql(_NATIONAL_ROW)
    stamped = [t for t in stamped_tables() if t in created]
    if stamped:
        for statement in trigger_statements(connection.dialect.name, stamped):
            connection.exec_driver_sql(statement)


@event.listens_for(db.metadata, "before_drop")
def _drop_triggers(_metadata, connection, tables=(), **_kw) -> None:
    """Before `drop_all()`: the triggers and functions of the stamped tables it drops."""
    dropped = {t.name for t in tables}
    stamped = [t for t in stamped_tables() if t in dropped]
    if stamped:
        for statement in drop_statements(connection.dialect.name, stamped):
            connection.exec_driver_sql(statement)
