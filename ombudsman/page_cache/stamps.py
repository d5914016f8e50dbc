"""Data stamps: a version number per office that the database itself raises on every change (issue 12).

A cached page is valid while nothing it shows has changed. Every page shows one office's records (scope =
the office id) and national reference data (scope 0: authorities, checklists, rules, offices, portal
accounts), so `data_stamps` holds one row per scope, `(scope, version)`, and triggers on every table a page
can show raise the version of the scope a written row belongs to. No write path can forget it: the ORM,
Core bulk statements, the CLI, a migration's SQL all fire the triggers. `read(office_id)` gives the pair a
page is cached under.

The tables, declared once here (the migrations keep their own frozen copies; a test checks that
the installed triggers match these lists):

- `OFFICE_TABLES`: rows with an `office_id`; a write stamps that office (both offices when a row moves).
- `CHILD_TABLES`: rows without one, stamped with their parent's office (`COALESCE(..., 0)`: when the
  parent is already gone, as in a cascaded delete, scope 0, and the parent's own delete stamped the office).
- `NATIONAL_TABLES`: reference data; a write stamps scope 0 (an office row also stamps its own scope,
  which creates the office's row when the office is inserted).
- `UNSTAMPED`: tables no cached page shows, or that only change with a stamped table, each with why.

`WATCHED_COLUMNS` restricts the UPDATE triggers of accounts to what a page shows: a sign-in writes
`last_login_at`, `failed_logins`, `session_generation`, and a language switch writes `locale` (the language
is part of a kept page's key); neither must empty every cache of the office.

Every write raises the version of its scope (`INSERT ... ON CONFLICT (scope) DO UPDATE SET version =
version + 1`). A version only ever grows: the row of a deleted office stays, so a page cached for it can
never match again.

- SQLite: ordinary AFTER INSERT / UPDATE / DELETE row triggers; the database has one writer at a time.
- PostgreSQL: three `CREATE CONSTRAINT TRIGGER ... DEFERRABLE INITIALLY DEFERRED FOR EACH ROW` per table,
  named as on SQLite. Their WHEN, evaluated as the row is written (PostgreSQL does not defer a constraint
  trigger's WHEN), calls `data_stamps_note(scopes)`, which adds the row's scopes to transaction-local
  settings (`ombudsman.stamps_noted`, `ombudsman.stamps_pending`) and is true only for the row that finds
  nothing pending: that row alone queues `data_stamps_flush()`, so a bulk load of a million rows queues
  one deferred event and raises each office once. At COMMIT, after every statement has noted its scopes,
  the flush locks the pending stamp rows in ascending scope order (`SELECT ... ORDER BY scope FOR UPDATE`)
  and raises them in one statement: the stamp rows are locked last (after every lock of the transaction's
  own work), for microseconds, and always in the same order, so two COMMITs that stamp the same scopes (an
  office and national data, or two offices when users move between them) wait for each other but never
  deadlock on them. A scope is raised once per transaction; one first noted after the flush has run (by a
  write of another deferred trigger at COMMIT, or after `SET CONSTRAINTS ALL IMMEDIATE`) finds nothing
  pending and queues a flush of its own. The settings follow savepoints: a rolled-back savepoint forgets
  its notes together with the flush it queued. Nothing in the application sets constraints immediate
  (that would lock stamp rows statement by statement, in the order of the writes; the rolled-back tests
  do, so that pages kept during a test see its changes). TRUNCATE fires no row trigger: nothing in the
  application truncates.

The triggers are created with the tables (`db.create_all()`, the tests; an `after_create` of the metadata)
and by the migrations (deployed databases: `ada54bba5d5b`, then `874c3b296dc7`). On SQLite a later
`batch_alter_table` of a stamped table drops its triggers: that migration must create them again.
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

#: Tables stamped through their parent: table -> (the parent table, the column holding its id).
CHILD_TABLES: dict[str, tuple[str, str]] = {
    "checklist_answers": ("inspections", "inspection_id"),
    "finding_forms": ("findings", "finding_id"),
    "inspection_team": ("inspections", "inspection_id"),
    "letter_copies": ("letters", "letter_id"),
    "letter_receipts": ("letters", "letter_id"),
    "letter_recommendations": ("letters", "letter_id"),
    "portal_deliveries": ("letters", "letter_id"),
    "recommendation_findings": ("recommendations", "recommendation_id"),
    "reminder_notices": ("deadlines", "deadline_id"),
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

#: Tables whose UPDATE stamps only when one of these columns is set: not by sign-in bookkeeping, nor by a
#: language switch (`locale`: the language is part of a kept page's key, and no page shows another
#: account's language).
WATCHED_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("office_id", "name", "email", "role", "active"),
    "portal_users": ("name", "email", "authority_id", "active"),
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
_OPS = ("insert", "update", "delete")


def stamped_tables() -> tuple[str, ...]:
    """Every table with triggers, in the order of the lists."""
    return (*OFFICE_TABLES, *CHILD_TABLES, *NATIONAL_TABLES)


def scopes(table: str, row: str, dialect: str) -> tuple[str, ...]:
    """The SQL expressions of the scopes a row of `table` stamps, `row` being NEW or OLD. On PostgreSQL
    they go into a trigger's WHEN, which allows no subquery: a child's office comes from its function
    `data_stamps_<table>_office(parent id)`."""
    if table in OFFICE_TABLES:
        return (f"{row}.office_id",)
    if table in CHILD_TABLES:
        parent, key = CHILD_TABLES[table]
        if dialect == "postgresql":
            return (f"data_stamps_{table}_office({row}.{key})",)
        return (_parent_office(parent, f"{row}.{key}"),)
    if table == "offices":
        return (str(NATIONAL), f"{row}.id")
    if table in NATIONAL_TABLES:
        return (str(NATIONAL),)
    raise KeyError(table)


def _parent_office(parent: str, parent_id: str) -> str:
    """The SQL of the office of `parent`'s row `parent_id` (SQL), or 0 when the row is gone."""
    return f"COALESCE((SELECT office_id FROM {parent} WHERE id = {parent_id}), {NATIONAL})"  # noqa: S608 - listed names


def _update_event(table: str) -> str:
    columns = WATCHED_COLUMNS.get(table)
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def sqlite_triggers(table: str) -> tuple[str, ...]:
    """The three SQLite triggers of `table`: `data_stamps_<table>_insert`, `_update`, `_delete`."""
    new, old = scopes(table, "NEW", "sqlite"), scopes(table, "OLD", "sqlite")

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


#: PostgreSQL, called by every trigger's WHEN as the row is written: add the row's scopes (integers, NULLs
#: skipped) to the transaction's noted scopes (`ombudsman.stamps_noted`, ",3,0,") and the new ones to those
#: pending (`ombudsman.stamps_pending`, "3,0,"). True only when nothing was pending: that row queues the
#: transaction's one `data_stamps_flush` for COMMIT. A scope is noted once per transaction; the settings
#: are transaction-local, so a rolled-back savepoint forgets its notes along with its queued flush.
POSTGRES_NOTE = (
    "CREATE OR REPLACE FUNCTION data_stamps_note(stamp_scopes integer[]) RETURNS boolean "
    "LANGUAGE plpgsql AS $$ "
    "DECLARE noted text := COALESCE(NULLIF(current_setting('ombudsman.stamps_noted', true), ''), ','); "
    "pending text; added text := ''; stamp_scope integer; "
    "BEGIN "
    "FOREACH stamp_scope IN ARRAY stamp_scopes LOOP "
    "IF stamp_scope IS NOT NULL AND strpos(noted, ',' || stamp_scope || ',') = 0 THEN "
    "noted := noted || stamp_scope || ','; added := added || stamp_scope || ','; "
    "END IF; END LOOP; "
    "IF added = '' THEN RETURN false; END IF; "
    "pending := COALESCE(current_setting('ombudsman.stamps_pending', true), ''); "
    "PERFORM set_config('ombudsman.stamps_noted', noted, true); "
    "PERFORM set_config('ombudsman.stamps_pending', pending || added, true); "
    "RETURN pending = ''; "
    "END $$"
)

#: PostgreSQL, the deferred trigger function (at COMMIT, after every statement has noted its scopes):
#: lock the pending scopes' rows in ascending order, then raise them all in one statement.
POSTGRES_FLUSH = (
    "CREATE OR REPLACE FUNCTION data_stamps_flush() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
    "DECLARE pending integer[] := string_to_array("
    "rtrim(COALESCE(current_setting('ombudsman.stamps_pending', true), ''), ','), ',')::integer[]; "
    "BEGIN "
    "IF cardinality(pending) = 0 THEN RETURN NULL; END IF; "
    "PERFORM set_config('ombudsman.stamps_pending', '', true); "
    "PERFORM 1 FROM data_stamps WHERE scope = ANY (pending) ORDER BY scope FOR UPDATE; "
    + _UPSERT.format(values="SELECT stamp_scope, 1 FROM unnest(pending) AS stamp_scope ORDER BY stamp_scope")
    + "; RETURN NULL; "
    "END $$"
)


def postgres_functions(table: str) -> tuple[str, ...]:
    """The PostgreSQL functions of `table`'s triggers beside the shared ones: a child table's
    `data_stamps_<table>_office(parent id)`, its parent's office or 0 when the parent is gone."""
    if table not in CHILD_TABLES:
        return ()
    parent, _key = CHILD_TABLES[table]
    return (
        f"CREATE OR REPLACE FUNCTION data_stamps_{table}_office(parent_id integer) RETURNS integer "
        f"LANGUAGE sql STABLE AS $$ SELECT {_parent_office(parent, '$1')} $$",
    )


def postgres_triggers(table: str) -> tuple[str, ...]:
    """The three deferred constraint triggers of `table` (`data_stamps_<table>_insert`, `_update`,
    `_delete`): each notes the row's scopes in its WHEN, so only the transaction's first noting row queues
    `data_stamps_flush()` for COMMIT."""
    new, old = scopes(table, "NEW", "postgresql"), scopes(table, "OLD", "postgresql")
    events = {
        "insert": ("INSERT", new),
        "update": (_update_event(table), (*new, *old)),
        "delete": ("DELETE", old),
    }
    return tuple(
        f"CREATE CONSTRAINT TRIGGER data_stamps_{table}_{op} AFTER {event} ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (data_stamps_note(ARRAY[{', '.join(row)}])) "
        "EXECUTE FUNCTION data_stamps_flush()"
        for op, (event, row) in events.items()
    )


def trigger_statements(dialect: str, tables=None) -> tuple[str, ...]:
    """The statements creating the triggers of `tables` (default: every stamped table) on `dialect`
    ("sqlite" or "postgresql"); the tables and `data_stamps` must exist."""
    tables = stamped_tables() if tables is None else tables
    if dialect == "postgresql":
        return (
            POSTGRES_NOTE,
            POSTGRES_FLUSH,
            *(s for t in tables for s in (*postgres_functions(t), *postgres_triggers(t))),
        )
    return tuple(s for t in tables for s in sqlite_triggers(t))


def drop_statements(dialect: str, tables=None) -> tuple[str, ...]:
    """The statements dropping the triggers of `tables` (default: all), on PostgreSQL with their functions
    (the shared `data_stamps_note` and `data_stamps_flush` only with every stamped table)."""
    tables = stamped_tables() if tables is None else tables
    if dialect != "postgresql":
        return tuple(f"DROP TRIGGER IF EXISTS data_stamps_{t}_{op}" for t in tables for op in _OPS)
    shared = (
        ("DROP FUNCTION IF EXISTS data_stamps_note(integer[])", "DROP FUNCTION IF EXISTS data_stamps_flush()")
        if set(tables) >= set(stamped_tables())
        else ()
    )
    return (
        *(f"DROP TRIGGER IF EXISTS data_stamps_{t}_{op} ON {t}" for t in tables for op in _OPS),
        *(f"DROP FUNCTION IF EXISTS data_stamps_{t}_office(integer)" for t in tables if t in CHILD_TABLES),
        *shared,
    )


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
