"""data stamps: a language switch stamps nothing, and PostgreSQL stamps every scope of a transaction at once,
in ascending order (no deadlock between two COMMITs)

Revision ID: 874c3b296dc7
Revises: ada54bba5d5b
Create Date: 2026-12-01 15:00:00

1. `users.locale` and `portal_users.locale` leave the watched columns of the UPDATE triggers: switching the
   interface language raised the office's stamp and emptied every kept page of the office, though the
   language is part of a kept page's key and no page shows another account's language.
2. PostgreSQL: the deferred row triggers of `ada54bba5d5b` raised each scope at COMMIT in the order of the
   writes, so two transactions stamping two scopes in opposite orders could deadlock. Each table now has
   three deferred constraint triggers (`data_stamps_<table>_insert`, `_update`, `_delete`, named as on
   SQLite) whose WHEN notes the row's scopes (`data_stamps_note`) as the row is written; the transaction's
   first noting row queues `data_stamps_flush()`, which at COMMIT locks the noted stamp rows in ascending
   scope order and raises them in one statement. A child table's office comes from
   `data_stamps_<table>_office(parent id)` (a WHEN takes no subquery).

SQLite only recreates the two UPDATE triggers of (1). The lists and the SQL are copied here as they are at
this revision, and those of `ada54bba5d5b` for the downgrade (a migration never changes with the code);
`tests/page_cache/test_stamps.py` checks the installed triggers against `ombudsman.page_cache.stamps`.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "874c3b296dc7"
down_revision = "ada54bba5d5b"
branch_labels = None
depends_on = None

# --- the tables, frozen -----------------------------------------------------------------------------------

OFFICE_TABLES = (
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
CHILD_TABLES = {
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
NATIONAL_TABLES = (
    "authorities",
    "authority_contacts",
    "checklist_items",
    "checklists",
    "deadline_rules",
    "offices",
    "portal_users",
    "routing_rules",
)
STAMPED = (*OFFICE_TABLES, *CHILD_TABLES, *NATIONAL_TABLES)
WATCHED_COLUMNS = {
    "users": ("office_id", "name", "email", "role", "active"),
    "portal_users": ("name", "email", "authority_id", "active"),
}
#: Those of `ada54bba5d5b`, for the downgrade.
OLD_WATCHED_COLUMNS = {
    "users": ("office_id", "name", "email", "role", "locale", "active"),
    "portal_users": ("name", "email", "authority_id", "active", "locale"),
}
OPS = ("insert", "update", "delete")

# --- the SQL of both revisions -----------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO data_stamps (scope, version) {values} "
    "ON CONFLICT (scope) DO UPDATE SET version = data_stamps.version + 1"
)


def _parent_office(parent: str, parent_id: str) -> str:
    return f"COALESCE((SELECT office_id FROM {parent} WHERE id = {parent_id}), 0)"  # noqa: S608


def _scopes(table: str, row: str, postgres: bool) -> tuple[str, ...]:
    """The SQL of the scopes a row of `table` stamps, `row` being NEW or OLD; on PostgreSQL, for a WHEN."""
    if table in OFFICE_TABLES:
        return (f"{row}.office_id",)
    if table in CHILD_TABLES:
        parent, key = CHILD_TABLES[table]
        if postgres:
            return (f"data_stamps_{table}_office({row}.{key})",)
        return (_parent_office(parent, f"{row}.{key}"),)
    if table == "offices":
        return ("0", f"{row}.id")
    return ("0",)


def _update_event(table: str, watched: dict) -> str:
    columns = watched.get(table)
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def _sqlite_update_trigger(table: str, watched: dict) -> str:
    """The SQLite UPDATE trigger of `table` (the same body at both revisions; the columns differ)."""
    new, old = _scopes(table, "NEW", False), _scopes(table, "OLD", False)
    stamps = [_UPSERT.format(values=f"VALUES ({n}, 1)") for n in new]
    moved = [
        _UPSERT.format(values=f"SELECT {o}, 1 WHERE {o} IS NOT {n}")
        for o, n in zip(old, new, strict=True)
        if o != n
    ]
    body = "BEGIN " + " ".join(f"{s};" for s in (*stamps, *moved)) + " END"
    return (
        f"CREATE TRIGGER data_stamps_{table}_update AFTER {_update_event(table, watched)} ON {table} {body}"
    )


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


def _postgres_statements(table: str) -> tuple[str, ...]:
    """A child table's office function, then the three deferred triggers of `table`."""
    functions = ()
    if table in CHILD_TABLES:
        parent, _key = CHILD_TABLES[table]
        functions = (
            f"CREATE OR REPLACE FUNCTION data_stamps_{table}_office(parent_id integer) RETURNS integer "
            f"LANGUAGE sql STABLE AS $$ SELECT {_parent_office(parent, '$1')} $$",
        )
    new, old = _scopes(table, "NEW", True), _scopes(table, "OLD", True)
    events = {
        "insert": ("INSERT", new),
        "update": (_update_event(table, WATCHED_COLUMNS), (*new, *old)),
        "delete": ("DELETE", old),
    }
    triggers = tuple(
        f"CREATE CONSTRAINT TRIGGER data_stamps_{table}_{op} AFTER {event} ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (data_stamps_note(ARRAY[{', '.join(row)}])) "
        "EXECUTE FUNCTION data_stamps_flush()"
        for op, (event, row) in events.items()
    )
    return (*functions, *triggers)


# `ada54bba5d5b`'s PostgreSQL SQL: one deferred trigger per table raising each scope as it fires.
OLD_CHILD_SCOPES = {
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
OLD_POSTGRES_BUMP = (
    "CREATE OR REPLACE FUNCTION data_stamps_bump(stamp_scope integer) RETURNS void LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF stamp_scope IS NULL "
    "OR current_setting('ombudsman.stamped_' || stamp_scope, true) = '1' THEN RETURN; END IF; "
    + _UPSERT.format(values="VALUES (stamp_scope, 1)")
    + "; PERFORM set_config('ombudsman.stamped_' || stamp_scope, '1', true); "
    "END $$"
)


def _old_scopes(table: str) -> tuple[str, ...]:
    if table in OFFICE_TABLES:
        return ("{row}.office_id",)
    if table in CHILD_TABLES:
        return (f"COALESCE({OLD_CHILD_SCOPES[table]}, 0)",)
    if table == "offices":
        return ("0", "{row}.id")
    return ("0",)


def _old_postgres_statements(table: str) -> tuple[str, str]:
    name = f"data_stamps_{table}"

    def bumps(row: str) -> str:
        return " ".join(f"PERFORM data_stamps_bump({s.format(row=row)});" for s in _old_scopes(table))

    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'DELETE' THEN {bumps('NEW')} END IF; "
        f"IF TG_OP <> 'INSERT' THEN {bumps('OLD')} END IF; "
        "RETURN NULL; END $$"
    )
    trigger = (
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR {_update_event(table, OLD_WATCHED_COLUMNS)} "
        f"OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()"
    )
    return function, trigger


# --- the steps ---------------------------------------------------------------------------------------------


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _is_postgres():
        for table in WATCHED_COLUMNS:
            op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table}_update")
            op.execute(_sqlite_update_trigger(table, WATCHED_COLUMNS))
        return
    for table in STAMPED:
        op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS data_stamps_{table}()")
    op.execute("DROP FUNCTION IF EXISTS data_stamps_bump(integer)")
    op.execute(POSTGRES_NOTE)
    op.execute(POSTGRES_FLUSH)
    for table in STAMPED:
        for statement in _postgres_statements(table):
            op.execute(statement)


def downgrade():
    if not _is_postgres():
        for table in OLD_WATCHED_COLUMNS:
            op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table}_update")
            op.execute(_sqlite_update_trigger(table, OLD_WATCHED_COLUMNS))
        return
    for table in STAMPED:
        for event in OPS:
            op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table}_{event} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS data_stamps_{table}_office(integer)")
    op.execute("DROP FUNCTION IF EXISTS data_stamps_note(integer[])")
    op.execute("DROP FUNCTION IF EXISTS data_stamps_flush()")
    op.execute(OLD_POSTGRES_BUMP)
    for table in STAMPED:
        for statement in _old_postgres_statements(table):
            op.execute(statement)
