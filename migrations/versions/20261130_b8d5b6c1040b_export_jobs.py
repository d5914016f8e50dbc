"""export jobs: exports asked for while jobs run on the queue, and where the job wrote their file

Revision ID: b8d5b6c1040b
Revises: 5e2f8c1a9d47
Create Date: 2026-11-30 16:55:41

A new table only; nothing existing changes. Rows live for a day (`export_jobs.services.KEEP`): the
downgrade drops them with the table (their files, under `exports/` in the evidence directory, are left for
the operator to remove).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d5b6c1040b"
down_revision = "5e2f8c1a9d47"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("deadlines", "letters", name="exportkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_export_jobs_office_id_offices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_export_jobs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
        # Ids (and so job ids and file keys) are never reused after old rows are removed.
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_jobs_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_export_jobs_user_id_created_at", ["user_id", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_export_jobs_user_id_created_at")
        batch_op.drop_index(batch_op.f("ix_export_jobs_created_at"))
    op.drop_table("export_jobs")
