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


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("lockout_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("password_reset_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("password_reset_expires_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_password_reset_sha256"), ["password_reset_sha256"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_password_reset_sha256"), type_="unique")
        batch_op.drop_column("password_reset_expires_at")
        batch_op.drop_column("password_reset_sha256")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("lockout_count")
        batch_op.drop_column("failed_logins")
