"""data stamps: a version per office (and 0 for national reference data) raised by triggers on every write,
for the page cache

Revision ID: ada54bba5d5b
Revises: e56f4111d145
Create Date: 2026-12-01 09:00:00

Creates `data_stamps (scope, version)`, a row at version 0 for scope 0 and for every office already there,
and the triggers of `ombudsman.page_cache.stamps` on every table a cached page can show (issue 12). The
table lists and the SQL are copied here as they were at this revision (a migration never changes with the
code); `tests/page_cache/test_stamps.py` checks the installed triggers against the module's lists.

SQLite: AFTER INSERT / UPDATE / DELETE row triggers. PostgreSQL: a deferred constraint trigger per table
calling `data_stamps_<table>()`, which raises each scope once per transaction through `data_stamps_bump`.

Warning: on SQLite a later `batch_alter_table` of a stamped table rebuilds it and drops its triggers: that
migration must create them again (`sqlite_triggers` of this revision's lists), or the table stops stamping.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ada54bba5d5b"
down_revision = "e56f4111d145"
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
WATCHED_COLUMNS = {
    "users": ("office_id", "name", "email", "role", "locale", "active"),
    "portal_users": ("name", "email", "authority_id", "active", "locale"),
}
STAMPED = (*OFFICE_TABLES, *CHILD_TABLES, *NATIONAL_TABLES)

# --- the SQL ---------------------------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO data_stamps (scope, version) {values} "
    "ON CONFLICT (scope) DO UPDATE SET version = data_stamps.version + 1"
)


def _scopes(table: str) -> tuple[str, ...]:
    """The SQL of the scopes a row of `table` stamps, `{row}` standing for NEW or OLD."""
    if table in OFFICE_TABLES:
        return ("{row}.office_id",)
    if table in CHILD_TABLES:
        return (f"COALESCE({CHILD_TABLES[table]}, 0)",)
    if table == "offices":
        return ("0", "{row}.id")
    return ("0",)


def _update_event(table: str) -> str:
    columns = WATCHED_COLUMNS.get(table)
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def _sqlite_triggers(table: str) -> tuple[str, ...]:
    new = [s.format(row="NEW") for s in _scopes(table)]
    old = [s.format(row="OLD") for s in _scopes(table)]

    def body(statements) -> str:
        return "BEGIN " + " ".join(f"{s};" for s in statements) + " END"

    def stamp(scope: str) -> str:
        return _UPSERT.format(values=f"VALUES ({scope}, 1)")

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


POSTGRES_BUMP = (
    "CREATE OR REPLACE FUNCTION data_stamps_bump(stamp_scope integer) RETURNS void LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF stamp_scope IS NULL "
    "OR current_setting('ombudsman.stamped_' || stamp_scope, true) = '1' THEN RETURN; END IF; "
    + _UPSERT.format(values="VALUES (stamp_scope, 1)")
    + "; PERFORM set_config('ombudsman.stamped_' || stamp_scope, '1', true); "
    "END $$"
)


def _postgres_triggers(table: str) -> tuple[str, str]:
    name = f"data_stamps_{table}"

    def bumps(row: str) -> str:
        return " ".join(f"PERFORM data_stamps_bump({s.format(row=row)});" for s in _scopes(table))

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


def upgrade():
    op.create_table(
        "data_stamps",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_stamps")),
    )
    op.execute("INSERT INTO data_stamps (scope, version) SELECT 0, 0 UNION ALL SELECT id, 0 FROM offices")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_BUMP)
        for table in STAMPED:
            for statement in _postgres_triggers(table):
                op.execute(statement)
    else:
        for table in STAMPED:
            for statement in _sqlite_triggers(table):
                op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in STAMPED:
            op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS data_stamps_{table}()")
        op.execute("DROP FUNCTION IF EXISTS data_stamps_bump(integer)")
    else:
        for table in STAMPED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS data_stamps_{table}_{event}")
    op.drop_table("data_stamps")
