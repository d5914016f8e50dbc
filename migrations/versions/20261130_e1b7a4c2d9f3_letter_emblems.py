"""letter emblems: the letterhead's uploaded emblem, kept by its SHA-256, and the settings' pointer to it

Revision ID: e1b7a4c2d9f3
Revises: f2a8c61d3b94
Create Date: 2026-11-30 13:40:00

Existing offices get no emblem (NULL): the letters setup page lists it as missing, and production refuses
to issue until an admin uploads one.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1b7a4c2d9f3"
down_revision = "f2a8c61d3b94"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_emblems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_letter_emblems_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_letter_emblems_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_emblems")),
        sa.UniqueConstraint("office_id", "sha256", name="uq_letter_emblems_office_sha256"),
    )
    with op.batch_alter_table("letter_emblems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_emblems_office_id"), ["office_id"], unique=False)
    with op.batch_alter_table("letter_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emblem_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_settings_emblem_id_letter_emblems"), "letter_emblems", ["emblem_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("letter_settings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_letter_settings_emblem_id_letter_emblems"), type_="foreignkey"
        )
        batch_op.drop_column("emblem_id")
    with op.batch_alter_table("letter_emblems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_emblems_office_id"))
    op.drop_table("letter_emblems")
