"""letter settings move off offices into letter_settings, owned by the letters package

Reviewed by hand. Upgrade creates `letter_settings` (one row per office), copies every office's twelve
`letter_*` columns into it and drops them from `offices`. Downgrade puts the columns back (with the server
defaults they had) and copies the values back; an office without a settings row gets the defaults.

Revision ID: 4564a55c5af6
Revises: 5b0e7d3a91c4
Create Date: 2026-11-30 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4564a55c5af6"
down_revision = "5b0e7d3a91c4"
branch_labels = None
depends_on = None

DEFAULT_NUMBER_TEMPLATE = "{seq}/{classification}/{unit}/{month_roman}/{year}"
# (column in letter_settings, type, server default on offices): the old column is "letter_" + name.
COLUMNS = (
    ("number_template", sa.String(length=200), DEFAULT_NUMBER_TEMPLATE),
    ("classification", sa.String(length=60), ""),
    ("unit_code", sa.String(length=60), ""),
    ("header", sa.Text(), ""),
    ("signatory_title", sa.String(length=250), ""),
    ("paper", sa.String(length=8), "A4"),
    ("font", sa.String(length=40), "arimo"),
    ("font_size", sa.Float(), "12"),
    ("margin_top", sa.Float(), "25"),
    ("margin_right", sa.Float(), "25"),
    ("margin_bottom", sa.Float(), "30"),
    ("margin_left", sa.Float(), "30"),
)


def upgrade():
    op.create_table(
        "letter_settings",
        sa.Column("office_id", sa.Integer(), nullable=False),
        *(sa.Column(name, type_, nullable=False) for name, type_, _default in COLUMNS),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_letter_settings_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_letter_settings")),
    )
    names = ", ".join(name for name, _type, _default in COLUMNS)
    old_names = ", ".join(f"letter_{name}" for name, _type, _default in COLUMNS)
    op.execute(f"INSERT INTO letter_settings (office_id, {names}) SELECT id, {old_names} FROM offices")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        for name, _type, _default in reversed(COLUMNS):
            batch_op.drop_column(f"letter_{name}")


def downgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        for name, type_, default in COLUMNS:
            batch_op.add_column(sa.Column(f"letter_{name}", type_, server_default=default, nullable=False))
    for name, _type, _default in COLUMNS:
        op.execute(
            f"UPDATE offices SET letter_{name} = (SELECT s.{name} FROM letter_settings s "
            "WHERE s.office_id = offices.id) "
            "WHERE EXISTS (SELECT 1 FROM letter_settings s WHERE s.office_id = offices.id)"
        )
    op.drop_table("letter_settings")
