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


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns in place): a batch would rebuild `users`,
# which SQLite refuses while other tables' rows reference it with foreign keys on.


def upgrade():
    op.add_column("users", sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    op.drop_column("users", "session_generation")
