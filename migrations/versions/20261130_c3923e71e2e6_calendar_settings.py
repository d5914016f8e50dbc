"""calendar settings move off offices into calendar_settings, owned by the deadlines package

Each office's weekend, cuti bersama setting and due-soon threshold are copied into one calendar_settings
row, then the three columns are dropped from offices; downgrade() puts the columns back with each office's
values (offices without a row get the defaults).

Revision ID: c3923e71e2e6
Revises: 4564a55c5af6
Create Date: 2026-11-30 11:00:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3923e71e2e6"
down_revision = "4564a55c5af6"
branch_labels = None
depends_on = None

COLUMNS = ("weekend_days", "cuti_bersama_is_working", "due_soon_working_days")


def upgrade():
    op.create_table(
        "calendar_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("weekend_days", sa.String(length=20), nullable=False),
        sa.Column("cuti_bersama_is_working", sa.Boolean(), nullable=False),
        sa.Column("due_soon_working_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_calendar_settings_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_settings")),
        sa.UniqueConstraint("office_id", name=op.f("uq_calendar_settings_office_id")),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO calendar_settings (office_id, weekend_days, cuti_bersama_is_working, "
            "due_soon_working_days, updated_at) SELECT id, weekend_days, cuti_bersama_is_working, "
            "due_soon_working_days, :now FROM offices"
        ),
        {"now": now},
    )
    # Plain ALTER TABLE on every backend (SQLite 3.35+): a batch copy of `offices` on SQLite trips the
    # foreign keys of its users, as in the migration that added these columns.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE offices DROP COLUMN {column}")


def downgrade():
    op.add_column(
        "offices", sa.Column("weekend_days", sa.String(length=20), server_default="5,6", nullable=False)
    )
    op.add_column(
        "offices",
        sa.Column("cuti_bersama_is_working", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "offices", sa.Column("due_soon_working_days", sa.Integer(), server_default="5", nullable=False)
    )
    op.execute(
        "UPDATE offices SET "
        "weekend_days = (SELECT s.weekend_days FROM calendar_settings s WHERE s.office_id = offices.id), "
        "cuti_bersama_is_working = "
        "(SELECT s.cuti_bersama_is_working FROM calendar_settings s WHERE s.office_id = offices.id), "
        "due_soon_working_days = "
        "(SELECT s.due_soon_working_days FROM calendar_settings s WHERE s.office_id = offices.id) "
        "WHERE EXISTS (SELECT 1 FROM calendar_settings s WHERE s.office_id = offices.id)"
    )
    op.drop_table("calendar_settings")
