"""deadline tallies: the deadlines dashboard's figures counted ahead per office, authority, inspector,
status and clock phase, the closed clocks also by days to closing, and per office and due month, kept by
triggers

Revision ID: e56f4111d145
Revises: 9c5e7b2d4a18
Create Date: 2026-11-30 17:00:00

The deadlines dashboard reads these rows instead of every recommendation and deadline of the office
(issue 12). The rows start from the recommendations and deadlines already present (`backfill_statements`);
from then on the triggers of `ombudsman.deadlines.tallies` keep them exact on insert, delete and update of
either table. The statements are copied here as they were at this revision (a migration never changes with
the code). Also a partial index of the stopped running deadlines by (office, due date) for the dashboard's
"open" list. Tables and the
index are only created (no batch rebuild of `recommendations` or `deadlines`): a later SQLite batch rebuild
of either table drops its triggers and must create them again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e56f4111d145"
down_revision = "9c5e7b2d4a18"
branch_labels = None
depends_on = None

NOT_STARTED, NO_CLOCK, RUNNING, STOPPED, MET, LATE = (
    "not_started",
    "no_clock",
    "running",
    "stopped",
    "met",
    "late",
)

# --- the SQL ----------------------------------------------------------------------------------------------

_CLOSED = "'implemented', 'not_implemented', 'partially_implemented'"
_DAYS = {
    "sqlite": "CAST(julianday({d}.closed_on) - julianday({d}.start_on) AS INTEGER)",
    "postgresql": "({d}.closed_on - {d}.start_on)",
}
_MONTH = {
    "sqlite": "CAST(strftime('%Y%m', {d}.due_on) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM {d}.due_on) * 100 + EXTRACT(MONTH FROM {d}.due_on) AS INTEGER)",
}
_CLOCK_PHASE = (
    f"CASE WHEN {{d}}.closed_on IS NOT NULL THEN "
    f"CASE WHEN {{d}}.closed_on <= {{d}}.due_on THEN '{MET}' ELSE '{LATE}' END "
    f"WHEN {{d}}.stopped_on IS NOT NULL THEN '{STOPPED}' ELSE '{RUNNING}' END"
)
_NO_CLOCK_PHASE = f"CASE WHEN {{r}}.status IN ({_CLOSED}) THEN '{NO_CLOCK}' ELSE '{NOT_STARTED}' END"
_PHASE = f"CASE WHEN {{d}}.id IS NULL THEN {_NO_CLOCK_PHASE} ELSE {_CLOCK_PHASE} END"

_TALLY_KEY = "office_id, authority_id, inspector_id, status, phase"
_TALLY_ROW = "{r}.office_id, {r}.authority_id, {r}.created_by_id, {r}.status, {phase}"
_DAY_KEY = "office_id, authority_id, inspector_id, status, phase, days"
_DAY_ROW = "{r}.office_id, {r}.authority_id, {r}.created_by_id, {r}.status, {phase}, {days}"
_MONTH_KEY = "office_id, due_month, unit, count, phase, status"
_MONTH_ROW = "{d}.office_id, {month}, {d}.unit, {d}.count, {phase}, {r}.status"


def _change(table: str, key: str, counter: str, row: str, delta: int, source: str, where: str) -> str:
    """Add `delta` (1 or -1) to the `table` row of `key` = `row` selected FROM `source` WHERE `where`.

    An addition creates the row when missing; a removal updates the row that is there and deletes it when
    its count reaches zero (two statements), so no row outlives what it counts: nothing is left pointing at
    an authority, user or office that is gone.
    """
    # Fixed SQL of this module (table and column names, NEW/OLD rows), no outside input.
    if delta > 0:
        return (
            f"INSERT INTO {table} ({key}, {counter}) SELECT {row}, {delta} FROM {source} WHERE {where} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter}"
        )
    match = f"({key}) IN (SELECT {row} FROM {source} WHERE {where})"  # noqa: S608
    return (
        f"UPDATE {table} SET {counter} = {counter} - {-delta} WHERE {match}; "  # noqa: S608
        f"DELETE FROM {table} WHERE {counter} = 0 AND {match}"
    )


def _tally(r: str, phase: str, delta: int, source: str, where: str) -> str:
    row = _TALLY_ROW.format(r=r, phase=phase)
    return _change("deadline_tallies", _TALLY_KEY, "recommendations", row, delta, source, where)


def _day_tally(r: str, d: str, dialect: str, delta: int, source: str, where: str) -> str:
    row = _DAY_ROW.format(r=r, phase=_CLOCK_PHASE.format(d=d), days=_DAYS[dialect].format(d=d))
    return _change("deadline_day_tallies", _DAY_KEY, "recommendations", row, delta, source, where)


def _month_tally(d: str, month: str, phase: str, r: str, delta: int, source: str, where: str) -> str:
    row = _MONTH_ROW.format(d=d, month=month, phase=phase, r=r)
    return _change("deadline_month_tallies", _MONTH_KEY, "deadlines", row, delta, source, where)


def _by_recommendation(dialect: str, row: str, delta: int) -> tuple[str, str, str]:
    """A recommendation row (NEW or OLD) with its deadline, if any: its three tally changes."""
    tally = _tally(
        r=row,
        phase=_PHASE.format(r=row, d="d"),
        delta=delta,
        source=f"(SELECT 1 AS one) AS one LEFT JOIN deadlines d ON d.recommendation_id = {row}.id",
        where="1 = 1",  # SQLite needs a WHERE before ON CONFLICT after a join
    )
    month = _month_tally(
        d="d",
        month=_MONTH[dialect].format(d="d"),
        phase=_CLOCK_PHASE.format(d="d"),
        r=row,
        delta=delta,
        source="deadlines d",
        where=f"d.recommendation_id = {row}.id",
    )
    days = _day_tally(
        r=row,
        d="d",
        dialect=dialect,
        delta=delta,
        source="deadlines d",
        where=f"d.recommendation_id = {row}.id AND d.closed_on IS NOT NULL",
    )
    return tally, month, days


def _by_deadline(dialect: str, row: str, delta: int) -> tuple[str, str, str, str]:
    """A deadline row (NEW or OLD) and its recommendation: the tally change with this clock, the opposite
    change without it (the recommendation's contribution when it has no clock), the month change and the
    days change (a closed clock only)."""
    source, where = "recommendations r", f"r.id = {row}.recommendation_id"
    with_clock = _tally(r="r", phase=_CLOCK_PHASE.format(d=row), delta=delta, source=source, where=where)
    without_clock = _tally(
        r="r", phase=_NO_CLOCK_PHASE.format(r="r"), delta=-delta, source=source, where=where
    )
    month = _month_tally(
        d=row,
        month=_MONTH[dialect].format(d=row),
        phase=_CLOCK_PHASE.format(d=row),
        r="r",
        delta=delta,
        source=source,
        where=where,
    )
    days = _day_tally(
        r="r",
        d=row,
        dialect=dialect,
        delta=delta,
        source=source,
        where=f"{where} AND {row}.closed_on IS NOT NULL",
    )
    return with_clock, without_clock, month, days


_REC_WATCHED = ("office_id", "authority_id", "created_by_id", "status")
_DEADLINE_WATCHED = (
    "office_id",
    "recommendation_id",
    "start_on",
    "due_on",
    "stopped_on",
    "closed_on",
    "unit",
    "count",
)
_DELETE_CLOCK = "DELETE FROM deadlines WHERE recommendation_id = OLD.id"


def _clock_change(removed: tuple = (), added: tuple = ()) -> tuple[str, ...]:
    """The statements of a clock leaving (`_by_deadline` of OLD) and/or arriving (of NEW), in an order in
    which every removal finds the row it takes from: what leaves goes before what arrives."""
    leave = (removed[0], removed[1], removed[2], removed[3]) if removed else ()
    arrive = (added[1], added[0], added[2], added[3]) if added else ()
    return leave + arrive


def _sqlite_triggers() -> tuple[str, ...]:
    add_rec, remove_rec = _by_recommendation("sqlite", "NEW", 1), _by_recommendation("sqlite", "OLD", -1)
    add_clock, remove_clock = _by_deadline("sqlite", "NEW", 1), _by_deadline("sqlite", "OLD", -1)

    def body(*statements: str) -> str:
        return "BEGIN " + "; ".join(statements) + "; END"

    def changed(columns) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)

    return (
        f"CREATE TRIGGER deadline_tallies_rec_insert AFTER INSERT ON recommendations {body(*add_rec)}",
        # The clock goes first (its trigger moves the count to "no clock"), then the recommendation.
        "CREATE TRIGGER deadline_tallies_rec_delete BEFORE DELETE ON recommendations "
        f"{body(_DELETE_CLOCK, remove_rec[0])}",
        f"CREATE TRIGGER deadline_tallies_rec_update AFTER UPDATE OF {', '.join(_REC_WATCHED)} "
        f"ON recommendations WHEN {changed(_REC_WATCHED)} {body(*remove_rec, *add_rec)}",
        "CREATE TRIGGER deadline_tallies_clock_insert AFTER INSERT ON deadlines "
        f"{body(*_clock_change((), add_clock))}",
        "CREATE TRIGGER deadline_tallies_clock_delete AFTER DELETE ON deadlines "
        f"{body(*_clock_change(remove_clock))}",
        f"CREATE TRIGGER deadline_tallies_clock_update AFTER UPDATE OF {', '.join(_DEADLINE_WATCHED)} "
        f"ON deadlines WHEN {changed(_DEADLINE_WATCHED)} "
        f"{body(*_clock_change(remove_clock, add_clock))}",
    )


def _postgres_triggers() -> tuple[str, ...]:
    add_rec, remove_rec = (
        _by_recommendation("postgresql", "NEW", 1),
        _by_recommendation("postgresql", "OLD", -1),
    )
    add_clock, remove_clock = _by_deadline("postgresql", "NEW", 1), _by_deadline("postgresql", "OLD", -1)

    def changed(columns) -> str:
        return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)

    def steps(*statements: str) -> str:
        return " ".join(f"{s};" for s in statements)

    return (
        "CREATE OR REPLACE FUNCTION deadline_tallies_rec_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' THEN {steps(*remove_rec)} END IF; "
        f"{steps(*add_rec)} RETURN NULL; END $$",
        # The clock goes first (its trigger moves the count to "no clock"), then the recommendation.
        "CREATE OR REPLACE FUNCTION deadline_tallies_rec_leave() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"{steps(_DELETE_CLOCK, remove_rec[0])} RETURN OLD; END $$",
        "CREATE OR REPLACE FUNCTION deadline_tallies_clock_keep() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {steps(*_clock_change(remove_clock))} "
        "END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {steps(*_clock_change((), add_clock))} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER deadline_tallies_rec_insert AFTER INSERT ON recommendations "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_rec_keep()",
        f"CREATE TRIGGER deadline_tallies_rec_update AFTER UPDATE OF {', '.join(_REC_WATCHED)} "
        f"ON recommendations FOR EACH ROW WHEN ({changed(_REC_WATCHED)}) "
        "EXECUTE FUNCTION deadline_tallies_rec_keep()",
        "CREATE TRIGGER deadline_tallies_rec_delete BEFORE DELETE ON recommendations "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_rec_leave()",
        "CREATE TRIGGER deadline_tallies_clock_insert_delete AFTER INSERT OR DELETE ON deadlines "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_clock_keep()",
        f"CREATE TRIGGER deadline_tallies_clock_update AFTER UPDATE OF {', '.join(_DEADLINE_WATCHED)} "
        f"ON deadlines FOR EACH ROW WHEN ({changed(_DEADLINE_WATCHED)}) "
        "EXECUTE FUNCTION deadline_tallies_clock_keep()",
    )


SQLITE_TRIGGERS = _sqlite_triggers()
POSTGRES_TRIGGERS = _postgres_triggers()
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS deadline_tallies_{name}"
    for name in ("rec_insert", "rec_delete", "rec_update", "clock_insert", "clock_delete", "clock_update")
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_insert ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_update ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_delete ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_clock_insert_delete ON deadlines",
    "DROP TRIGGER IF EXISTS deadline_tallies_clock_update ON deadlines",
    "DROP FUNCTION IF EXISTS deadline_tallies_rec_keep()",
    "DROP FUNCTION IF EXISTS deadline_tallies_rec_leave()",
    "DROP FUNCTION IF EXISTS deadline_tallies_clock_keep()",
)


def backfill_statements(dialect: str) -> tuple[str, str, str]:
    """Count the rows already there (the migration runs them once, before the triggers take over)."""
    # Fixed SQL of this module, no outside input.
    tally = (  # noqa: S608
        "INSERT INTO deadline_tallies "
        "(office_id, authority_id, inspector_id, status, phase, recommendations) "
        "SELECT r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, COUNT(*) "
        "FROM recommendations r LEFT JOIN deadlines d ON d.recommendation_id = r.id "
        "GROUP BY r.office_id, r.authority_id, r.created_by_id, r.status, {phase}"
    ).format(phase=_PHASE.format(r="r", d="d"))
    days = (  # noqa: S608
        "INSERT INTO deadline_day_tallies "
        "(office_id, authority_id, inspector_id, status, phase, days, recommendations) "
        "SELECT r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, {days}, COUNT(*) "
        "FROM deadlines d JOIN recommendations r ON r.id = d.recommendation_id WHERE d.closed_on IS NOT NULL "
        "GROUP BY r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, {days}"
    ).format(phase=_CLOCK_PHASE.format(d="d"), days=_DAYS[dialect].format(d="d"))
    month = (  # noqa: S608
        "INSERT INTO deadline_month_tallies (office_id, due_month, unit, count, phase, status, deadlines) "
        "SELECT d.office_id, {month}, d.unit, d.count, {phase}, r.status, COUNT(*) "
        "FROM deadlines d JOIN recommendations r ON r.id = d.recommendation_id "
        "GROUP BY d.office_id, {month}, d.unit, d.count, {phase}, r.status"
    ).format(month=_MONTH[dialect].format(d="d"), phase=_CLOCK_PHASE.format(d="d"))
    return tally, days, month


def _status() -> sa.Enum:
    return sa.Enum(
        "open",
        "in_progress",
        "implemented",
        "partially_implemented",
        "not_implemented",
        name="recommendationstatus",
        native_enum=False,
        length=32,
    )


def upgrade():
    op.create_table(
        "deadline_tallies",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("status", _status(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("recommendations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_deadline_tallies_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["users.id"], name=op.f("fk_deadline_tallies_inspector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_deadline_tallies_office_id_offices")
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "authority_id", "inspector_id", "status", "phase", name=op.f("pk_deadline_tallies")
        ),
    )
    op.create_table(
        "deadline_day_tallies",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("status", _status(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recommendations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_deadline_day_tallies_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["users.id"], name=op.f("fk_deadline_day_tallies_inspector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_deadline_day_tallies_office_id_offices")
        ),
        sa.PrimaryKeyConstraint(
            "office_id",
            "authority_id",
            "inspector_id",
            "status",
            "phase",
            "days",
            name=op.f("pk_deadline_day_tallies"),
        ),
    )
    op.create_table(
        "deadline_month_tallies",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("due_month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "unit", sa.Enum("working", "calendar", name="unit", native_enum=False, length=32), nullable=False
        ),
        sa.Column("count", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("status", _status(), nullable=False),
        sa.Column("deadlines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_deadline_month_tallies_office_id_offices")
        ),
        sa.PrimaryKeyConstraint(
            "office_id",
            "due_month",
            "unit",
            "count",
            "phase",
            "status",
            name=op.f("pk_deadline_month_tallies"),
        ),
    )
    # The deadlines dashboard's first "open" deadlines include the stopped clocks (an index-only create:
    # no batch rebuild of `deadlines`, whose triggers stay).
    op.create_index(
        "ix_deadlines_office_stopped",
        "deadlines",
        ["office_id", "due_on"],
        unique=False,
        sqlite_where=sa.text("stopped_on IS NOT NULL AND closed_on IS NULL"),
        postgresql_where=sa.text("stopped_on IS NOT NULL AND closed_on IS NULL"),
    )
    dialect = op.get_bind().dialect.name
    for statement in backfill_statements(dialect):
        op.execute(statement)
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    for statement in POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("deadline_month_tallies")
    op.drop_table("deadline_day_tallies")
    op.drop_table("deadline_tallies")
    op.drop_index("ix_deadlines_office_stopped", table_name="deadlines")
