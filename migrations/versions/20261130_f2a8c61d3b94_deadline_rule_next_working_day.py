"""deadline rules: a calendar-day due date on a non-working day moves to the next working day

Revision ID: f2a8c61d3b94
Revises: a7c41e9d2b63
Create Date: 2026-11-30 13:30:00

Existing rules get the setting on (the default for new rules); existing deadlines record that they were
computed without it, so no stored due date moves: the admin's review of changes shows those that would.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2a8c61d3b94"
down_revision = "a7c41e9d2b63"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_working_day", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_working_day", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("next_working_day")
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.drop_column("next_working_day")
