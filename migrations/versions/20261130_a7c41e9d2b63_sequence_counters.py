"""sequence counters: per-parent numbers taken under a lock (findings, recommendation positions, checklists)

Revision ID: a7c41e9d2b63
Revises: b7e1d4c9a2f6
Create Date: 2026-11-30 12:00:00

The counters start at the current maxima, so existing inspections, offices and checklists go on from their
highest number.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c41e9d2b63"
down_revision = "b7e1d4c9a2f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sequence_counters",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("parent_key", sa.String(length=100), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "parent_key", name=op.f("pk_sequence_counters")),
    )
    # Each counter starts at its current maximum, so existing records go on from their highest number.
    op.execute(
        "INSERT INTO sequence_counters (scope, parent_key, last_value) "
        "SELECT 'finding.number', CAST(inspection_id AS VARCHAR(100)), MAX(number) FROM findings "
        "GROUP BY inspection_id"
    )
    op.execute(
        "INSERT INTO sequence_counters (scope, parent_key, last_value) "
        "SELECT 'recommendation.position', CAST(office_id AS VARCHAR(100)), MAX(position) "
        "FROM recommendations GROUP BY office_id"
    )
    op.execute(
        "INSERT INTO sequence_counters (scope, parent_key, last_value) "
        "SELECT 'checklist.version', code, MAX(version) FROM checklists GROUP BY code"
    )


def downgrade():
    op.drop_table("sequence_counters")
