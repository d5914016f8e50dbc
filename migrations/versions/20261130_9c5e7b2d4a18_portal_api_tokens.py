"""portal api tokens and idempotency keys: bearer tokens of authorities' portal accounts (stored as SHA-256)
and the keys of their idempotent creates (issue 14, item 7)

Revision ID: 9c5e7b2d4a18
Revises: f3586beb1cb8
Create Date: 2026-11-30 17:05:00

Only new tables (see ombudsman/portal/api_models.py): portal_api_tokens, portal_idempotency_keys. The
downgrade drops them and loses only the portal's API tokens and keys.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c5e7b2d4a18"
down_revision = "f3586beb1cb8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_api_tokens_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_api_tokens_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_portal_api_tokens_token_sha256")),
    )
    with op.batch_alter_table("portal_api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_api_tokens_portal_user_id"), ["portal_user_id"], unique=False
        )

    op.create_table(
        "portal_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_idempotency_keys_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_idempotency_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_portal_idempotency_keys_key")),
    )
    with op.batch_alter_table("portal_idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_idempotency_keys_portal_user_id"), ["portal_user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("portal_idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_idempotency_keys_portal_user_id"))

    op.drop_table("portal_idempotency_keys")
    with op.batch_alter_table("portal_api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_api_tokens_portal_user_id"))

    op.drop_table("portal_api_tokens")
