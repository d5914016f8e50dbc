"""users get lockout bookkeeping and a pending password-reset token (stored as its SHA-256 only)

Revision ID: b7e1d4c9a2f6
Revises: 8d41c2e7a5f0
Create Date: 2026-11-30 11:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e1d4c9a2f6"
down_revision = "8d41c2e7a5f0"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns in place) and a unique index rather than a
# unique constraint: a batch would rebuild `users`, which SQLite refuses while other tables' rows reference
# it with foreign keys on.
COLUMNS = (
    sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
    sa.Column("lockout_count", sa.Integer(), server_default="0", nullable=False),
    sa.Column("locked_until", sa.DateTime(), nullable=True),
    sa.Column("password_reset_sha256", sa.String(length=64), nullable=True),
    sa.Column("password_reset_expires_at", sa.DateTime(), nullable=True),
)


def upgrade():
    for column in COLUMNS:
        op.add_column("users", column)
    op.create_index("ix_users_password_reset_sha256", "users", ["password_reset_sha256"], unique=True)


def downgrade():
    op.drop_index("ix_users_password_reset_sha256", table_name="users")
    for column in reversed(COLUMNS):
        op.drop_column("users", column.name)
