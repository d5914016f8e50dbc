"""letters remember the escalation step they were drafted for

Revision ID: 5b0e7d3a91c4
Revises: 2fe53fb87e34
Create Date: 2026-11-29 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b0e7d3a91c4"
down_revision = "2fe53fb87e34"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_step", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("escalation_step")
