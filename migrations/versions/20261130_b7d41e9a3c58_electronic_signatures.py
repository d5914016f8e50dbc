"""electronic signatures: signatories' sealed PKCS#12 keys, the office's signature mode and trust roots

Revision ID: b7d41e9a3c58
Revises: b8d5b6c1040b
Create Date: 2026-11-30 17:00:00

Adds `signing_keys` (one row per uploaded PKCS#12, sealed at rest; see ombudsman/letters/signing.py),
`letter_settings.electronic_signature` (off for every existing office: they keep signing on paper) and
`letter_settings.trust_roots` (empty), and `letters.signed` (false: every letter issued so far was unsigned).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d41e9a3c58"
down_revision = "b8d5b6c1040b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_signing_keys_office_id_offices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_signing_keys_user_id_users")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_signing_keys_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
    )
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_keys_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signing_keys_user_id"), ["user_id"], unique=False)
    # Columns are only added and dropped in place (ALTER TABLE, never a batch table rebuild): SQLite's
    # full-text triggers on `letters` (migration 5e2f8c1a9d47) must stay.
    op.add_column(
        "letter_settings",
        sa.Column("electronic_signature", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("letter_settings", sa.Column("trust_roots", sa.Text(), server_default="", nullable=False))
    op.add_column("letters", sa.Column("signed", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column("letters", "signed")
    op.drop_column("letter_settings", "trust_roots")
    op.drop_column("letter_settings", "electronic_signature")
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_keys_user_id"))
        batch_op.drop_index(batch_op.f("ix_signing_keys_office_id"))
    op.drop_table("signing_keys")
