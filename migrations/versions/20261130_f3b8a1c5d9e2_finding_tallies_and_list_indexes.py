"""finding tallies: an office's findings counted per responsible authority and status, kept by triggers;
indexes on inspections (office, visit date, id) and deadlines (office, closed on, due on) for the lists

Revision ID: f3b8a1c5d9e2
Revises: e1b7a4c2d9f3
Create Date: 2026-11-30 14:00:00

The dashboard's open findings by level and the findings list's total read these rows instead of every
finding (issue 12). The rows start from the findings already present; from then on the triggers of
`ombudsman.inspections.tallies` keep them exact on insert, delete and update.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3b8a1c5d9e2"
down_revision = "e1b7a4c2d9f3"
branch_labels = None
depends_on = None

# The statements of ombudsman.inspections.tallies as they were at this revision (a migration never
# changes with the code).
_ADD = (
    "INSERT INTO finding_tallies (office_id, authority_id, status, findings) "
    "VALUES ({row}.office_id, {row}.responsible_authority_id, {row}.status, 1) "
    "ON CONFLICT (office_id, authority_id, status) DO UPDATE SET findings = finding_tallies.findings + 1"
)
_REMOVE = (
    "UPDATE finding_tallies SET findings = findings - 1 WHERE office_id = {row}.office_id "
    "AND authority_id = {row}.responsible_authority_id AND status = {row}.status"
)
_WATCHED = "office_id, responsible_authority_id, status"

_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER finding_tallies_insert AFTER INSERT ON findings BEGIN {_ADD.format(row='NEW')}; END",
    f"CREATE TRIGGER finding_tallies_delete AFTER DELETE ON findings BEGIN {_REMOVE.format(row='OLD')}; END",
    f"CREATE TRIGGER finding_tallies_update AFTER UPDATE OF {_WATCHED} ON findings "
    "WHEN OLD.office_id IS NOT NEW.office_id "
    "OR OLD.responsible_authority_id IS NOT NEW.responsible_authority_id "
    f"OR OLD.status IS NOT NEW.status BEGIN {_REMOVE.format(row='OLD')}; {_ADD.format(row='NEW')}; END",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS finding_tallies_insert",
    "DROP TRIGGER IF EXISTS finding_tallies_delete",
    "DROP TRIGGER IF EXISTS finding_tallies_update",
)

_POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION finding_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    f"{_REMOVE.format(row='OLD')}; "
    "END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    f"{_ADD.format(row='NEW')}; "
    "END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER finding_tallies_insert_delete AFTER INSERT OR DELETE ON findings "
    "FOR EACH ROW EXECUTE FUNCTION finding_tallies_keep()",
    f"CREATE TRIGGER finding_tallies_update AFTER UPDATE OF {_WATCHED} ON findings FOR EACH ROW "
    "WHEN (OLD.office_id IS DISTINCT FROM NEW.office_id "
    "OR OLD.responsible_authority_id IS DISTINCT FROM NEW.responsible_authority_id "
    "OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION finding_tallies_keep()",
)
_POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS finding_tallies_insert_delete ON findings",
    "DROP TRIGGER IF EXISTS finding_tallies_update ON findings",
    "DROP FUNCTION IF EXISTS finding_tallies_keep()",
)

BACKFILL = (
    "INSERT INTO finding_tallies (office_id, authority_id, status, findings) "
    "SELECT office_id, responsible_authority_id, status, COUNT(*) FROM findings "
    "GROUP BY office_id, responsible_authority_id, status"
)

TRIGGERS = {"sqlite": _SQLITE_TRIGGERS, "postgresql": _POSTGRES_TRIGGERS}
DROP = {"sqlite": _SQLITE_DROP, "postgresql": _POSTGRES_DROP}


def upgrade():
    # The office's newest visits first, for the inspections and findings lists.
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspections_office_visited", ["office_id", "visited_on", "id"], unique=False
        )
    op.create_table(
        "finding_tallies",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_follow_up",
                "resolved",
                "withdrawn",
                name="findingstatus",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_finding_tallies_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_finding_tallies_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("office_id", "authority_id", "status", name=op.f("pk_finding_tallies")),
    )
    # Running deadlines of an office by due date, for the deadlines dashboard's lists.
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadlines_office_open_due", ["office_id", "closed_on", "due_on"], unique=False
        )
    op.execute(BACKFILL)
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("finding_tallies")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_office_open_due")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_office_visited")
