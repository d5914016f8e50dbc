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


def _tables():
    """Lightweight views of both tables, with the old and the new column names."""
    offices = sa.table("offices", sa.column("id"), *(sa.column(f"letter_{n}") for n, _t, _d in COLUMNS))
    settings = sa.table("letter_settings", sa.column("office_id"), *(sa.column(n) for n, _t, _d in COLUMNS))
    return offices, settings


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
    offices, settings = _tables()
    names = [name for name, _type, _default in COLUMNS]
    op.execute(
        settings.insert().from_select(
            ["office_id", *names], sa.select(offices.c.id, *(offices.c[f"letter_{n}"] for n in names))
        )
    )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch would rebuild `offices`, which users and
    # letter_settings reference, and SQLite refuses to drop a referenced table while foreign keys are on.
    for name, _type, _default in reversed(COLUMNS):
        op.drop_column("offices", f"letter_{name}")


def downgrade():
    for name, type_, default in COLUMNS:
        op.add_column("offices", sa.Column(f"letter_{name}", type_, server_default=default, nullable=False))
    offices, settings = _tables()
    own_row = settings.c.office_id == offices.c.id
    for name, _type, _default in COLUMNS:
        value = sa.select(settings.c[name]).where(own_row).scalar_subquery()
        op.execute(offices.update().where(sa.exists().where(own_row)).values({f"letter_{name}": value}))
    op.drop_table("letter_settings")
