"""deadlines: rules, closures, clocks, follow-up events, reminders, calendar feeds

Office gains its working-day settings (weekend, cuti bersama, due-soon threshold); existing offices get the
defaults (Saturday and Sunday off, cuti bersama off, 5 working days).

Revision ID: 61f4b560bc0a
Revises: 1331c4f0ce9b
Create Date: 2026-11-28 21:26:49.528263

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "61f4b560bc0a"
down_revision = "1331c4f0ce9b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deadline_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "saran",
                "tindakan_korektif",
                "rekomendasi",
                name="recommendationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "unit", sa.Enum("working", "calendar", name="unit", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "starts",
            sa.Enum("on_receipt", "on_issue", name="start", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_deadline_rules_count_positive")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
            name=op.f("ck_deadline_rules_valid_span"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_rules")),
    )
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_rules_kind"), ["kind"], unique=False)

    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("closed", "reopened", name="calendardaykind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_calendar_days_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_calendar_days_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("office_id", "day", name=op.f("uq_calendar_days_office_id")),
    )
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_days_office_id"), ["office_id"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "unit", sa.Enum("working", "calendar", name="unit", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "starts",
            sa.Enum("on_receipt", "on_issue", name="start", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_deadlines_count_not_negative")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_deadlines_office_id_offices")),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_deadlines_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["deadline_rules.id"], name=op.f("fk_deadlines_rule_id_deadline_rules")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_deadlines_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint("recommendation_id", name=op.f("uq_deadlines_recommendation_id")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_closed_on"), ["closed_on"], unique=False)
        batch_op.create_index("ix_deadlines_office_due", ["office_id", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "follow_up_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "clock_started",
                "receipt_corrected",
                "extended",
                "clock_stopped",
                "clock_restarted",
                "recomputed",
                "response",
                "reinspection",
                "escalation",
                "closed",
                "reopened",
                name="eventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("old_due_on", sa.Date(), nullable=True),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_follow_up_events_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_follow_up_events_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follow_up_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_events")),
    )
    with op.batch_alter_table("follow_up_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_events_office_id"), ["office_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_events_recommendation", ["recommendation_id", "occurred_on"], unique=False
        )

    op.create_table(
        "follow_up_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("reply_letter", "evidence", name="filerole", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["follow_up_events.id"],
            name=op.f("fk_follow_up_files_event_id_follow_up_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_follow_up_files_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_follow_up_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_files")),
    )
    with op.batch_alter_table("follow_up_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_files_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_files_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "reminder_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "not_started",
                "open",
                "due_soon",
                "overdue",
                "very_overdue",
                "met",
                "late",
                name="deadlinestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("announced_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_reminder_notices_deadline_id_deadlines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminder_notices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_notices")),
        sa.UniqueConstraint(
            "deadline_id", "user_id", "state", "due_on", name=op.f("uq_reminder_notices_deadline_id")
        ),
    )
    with op.batch_alter_table("reminder_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_notices_user_id"), ["user_id"], unique=False)

    # Plain ALTER TABLE on every backend: a batch copy of `offices` on SQLite trips its users' foreign keys.
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


def downgrade():
    # SQLite (3.35+) drops these columns natively; see upgrade() for why not in batch mode.
    for column in ("due_soon_working_days", "cuti_bersama_is_working", "weekend_days"):
        op.execute(f"ALTER TABLE offices DROP COLUMN {column}")

    with op.batch_alter_table("reminder_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_notices_user_id"))

    op.drop_table("reminder_notices")
    with op.batch_alter_table("follow_up_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_follow_up_files_office_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_files_event_id"))

    op.drop_table("follow_up_files")
    with op.batch_alter_table("follow_up_events", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_events_recommendation")
        batch_op.drop_index(batch_op.f("ix_follow_up_events_office_id"))

    op.drop_table("follow_up_events")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadlines_rule_id"))
        batch_op.drop_index("ix_deadlines_office_due")
        batch_op.drop_index(batch_op.f("ix_deadlines_closed_on"))

    op.drop_table("deadlines")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_days_office_id"))

    op.drop_table("calendar_days")
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_rules_kind"))

    op.drop_table("deadline_rules")
