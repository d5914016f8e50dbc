"""users get a session generation: raising it ends every session and remembered login

Revision ID: 8d41c2e7a5f0
Revises: e4956d2e9c47
Create Date: 2026-11-30 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8d41c2e7a5f0"
down_revision = "e4956d2e9c47"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
