"""letters: letters, their Tembusan lines and recommendations, number counters, office letter settings

Reviewed by hand. The office settings get server defaults so that existing offices receive them; the
letters' two unique constraints are the last guard against a duplicated number.

Revision ID: 1331c4f0ce9b
Revises: 7c2861222d28
Create Date: 2026-11-28 21:15:39.728627

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1331c4f0ce9b"
down_revision = "7c2861222d28"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_counters",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_letter_counters_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_letter_counters")),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "saran",
                "tindakan_korektif",
                "klarifikasi",
                "pengingat",
                "rekomendasi_draft",
                name="letterkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "approved",
                "issued",
                "superseded",
                name="letterstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("recipient_lines", sa.Text(), nullable=False),
        sa.Column("hal", sa.Text(), nullable=False),
        sa.Column("sifat", sa.String(length=20), nullable=False),
        sa.Column("lampiran", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("opening", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("signatory_name", sa.String(length=200), nullable=False),
        sa.Column("signatory_title", sa.String(length=250), nullable=False),
        sa.Column("annex", sa.Boolean(), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("verify_token", sa.String(length=64), nullable=True),
        sa.Column("short_code", sa.String(length=16), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column(
            "delivery_method",
            sa.Enum("hand", "post", "courier", "email", name="deliverymethod", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivery_note", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_letters_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_letters_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_letters_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_letters_inspection_id_inspections")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_letters_issued_by_id_users")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_letters_office_id_offices")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_letters_submitted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["letters.id"], name=op.f("fk_letters_supersedes_id_letters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("office_id", "number", name="uq_letters_office_number"),
        sa.UniqueConstraint("office_id", "year", "sequence", name="uq_letters_office_year_sequence"),
        sa.UniqueConstraint("short_code", name=op.f("uq_letters_short_code")),
        sa.UniqueConstraint("verify_token", name=op.f("uq_letters_verify_token")),
    )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letters_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_letter_date"), ["letter_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_pdf_sha256"), ["pdf_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_received_on"), ["received_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_supersedes_id"), ["supersedes_id"], unique=False)

    op.create_table(
        "letter_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_letter_copies_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name=op.f("fk_letter_copies_letter_id_letters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_copies")),
    )
    with op.batch_alter_table("letter_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_copies_letter_id"), ["letter_id"], unique=False)

    op.create_table(
        "letter_recommendations",
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_letter_recommendations_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_letter_recommendations_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("letter_id", "recommendation_id", name=op.f("pk_letter_recommendations")),
    )
    with op.batch_alter_table("letter_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_recommendations_recommendation_id"), ["recommendation_id"], unique=False
        )

    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "letter_number_template",
                sa.String(length=200),
                server_default="{seq}/{classification}/{unit}/{month_roman}/{year}",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("letter_classification", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("letter_unit_code", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("letter_header", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("letter_signatory_title", sa.String(length=250), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("letter_paper", sa.String(length=8), server_default="A4", nullable=False)
        )
        batch_op.add_column(
            sa.Column("letter_font", sa.String(length=40), server_default="arimo", nullable=False)
        )
        batch_op.add_column(sa.Column("letter_font_size", sa.Float(), server_default="12", nullable=False))
        batch_op.add_column(sa.Column("letter_margin_top", sa.Float(), server_default="25", nullable=False))
        batch_op.add_column(sa.Column("letter_margin_right", sa.Float(), server_default="25", nullable=False))
        batch_op.add_column(
            sa.Column("letter_margin_bottom", sa.Float(), server_default="30", nullable=False)
        )
        batch_op.add_column(sa.Column("letter_margin_left", sa.Float(), server_default="30", nullable=False))


def downgrade():
    with op.batch_alter_table("letter_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_recommendations_recommendation_id"))

    op.drop_table("letter_recommendations")
    with op.batch_alter_table("letter_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_copies_letter_id"))

    op.drop_table("letter_copies")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letters_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_letters_status"))
        batch_op.drop_index(batch_op.f("ix_letters_received_on"))
        batch_op.drop_index(batch_op.f("ix_letters_pdf_sha256"))
        batch_op.drop_index(batch_op.f("ix_letters_office_id"))
        batch_op.drop_index(batch_op.f("ix_letters_letter_date"))
        batch_op.drop_index(batch_op.f("ix_letters_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_letters_authority_id"))

    op.drop_table("letters")
    op.drop_table("letter_counters")

    # SQLite drops columns by rebuilding the table; the other tables' foreign keys to offices must not fire
    # while the old table is dropped. The pragma only takes effect outside a transaction, which is where
    # Alembic runs SQLite DDL (non-transactional).
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("letter_margin_left")
        batch_op.drop_column("letter_margin_bottom")
        batch_op.drop_column("letter_margin_right")
        batch_op.drop_column("letter_margin_top")
        batch_op.drop_column("letter_font_size")
        batch_op.drop_column("letter_font")
        batch_op.drop_column("letter_paper")
        batch_op.drop_column("letter_signatory_title")
        batch_op.drop_column("letter_header")
        batch_op.drop_column("letter_unit_code")
        batch_op.drop_column("letter_classification")
        batch_op.drop_column("letter_number_template")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
