"""authority response portal: contacts, portal accounts and sign-in links, e-delivery, receipts, responses,
extension requests (issue 14)

Revision ID: f3586beb1cb8
Revises: b7d41e9a3c58
Create Date: 2026-11-30 16:43:55

Only new tables (see ombudsman/portal/models.py): authority_contacts, portal_users, portal_links,
portal_deliveries, letter_receipts, portal_responses, extension_requests. Nothing existing is altered, so the
downgrade drops them in reverse order and loses only portal data.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3586beb1cb8"
down_revision = "b7d41e9a3c58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "authority_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=250), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("includes_sub_units", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_authority_contacts_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_authority_contacts_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_contacts")),
        sa.UniqueConstraint("authority_id", "email", name="uq_authority_contacts_authority_email"),
    )
    with op.batch_alter_table("authority_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authority_contacts_authority_id"), ["authority_id"], unique=False
        )

    op.create_table(
        "portal_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lockout_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_portal_users_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["authority_contacts.id"],
            name=op.f("fk_portal_users_contact_id_authority_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_users")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_portal_users_contact_id")),
        sa.UniqueConstraint("email", name=op.f("uq_portal_users_email")),
    )
    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_users_authority_id"), ["authority_id"], unique=False)

    op.create_table(
        "letter_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("remote_addr", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_letter_receipts_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_letter_receipts_portal_user_id_portal_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_receipts")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_letter_receipts_letter_id")),
    )
    with op.batch_alter_table("letter_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_receipts_portal_user_id"), ["portal_user_id"], unique=False
        )

    op.create_table(
        "portal_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_portal_deliveries_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_deliveries_portal_user_id_portal_users"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_portal_deliveries_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_deliveries")),
        sa.UniqueConstraint("letter_id", "portal_user_id", name="uq_portal_deliveries_letter_portal_user"),
    )
    with op.batch_alter_table("portal_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_deliveries_letter_id"), ["letter_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_portal_deliveries_portal_user_id"), ["portal_user_id"], unique=False
        )

    op.create_table(
        "portal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("invitation", "delivery", "sign_in", name="linkpurpose", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name=op.f("fk_portal_links_letter_id_letters")
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_links_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_portal_links_token_sha256")),
    )
    with op.batch_alter_table("portal_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_links_portal_user_id"), ["portal_user_id"], unique=False)

    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "granted", "refused", name="extensionstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("decision_mailed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_extension_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["follow_up_events.id"],
            name=op.f("fk_extension_requests_event_id_follow_up_events"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_extension_requests_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_extension_requests_portal_user_id_portal_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_extension_requests_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_requests_notified_at"), ["notified_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_extension_requests_office_id"), ["office_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_extension_requests_portal_user_id"), ["portal_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_extension_requests_recommendation_id"), ["recommendation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_extension_requests_status"), ["status"], unique=False)

    op.create_table(
        "portal_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("portal_user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("implemented", "partly", "not_yet", name="responsestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["follow_up_events.id"],
            name=op.f("fk_portal_responses_event_id_follow_up_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_portal_responses_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_responses_portal_user_id_portal_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_portal_responses_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_responses")),
        sa.UniqueConstraint("event_id", name=op.f("uq_portal_responses_event_id")),
    )
    with op.batch_alter_table("portal_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_responses_notified_at"), ["notified_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_responses_office_id"), ["office_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_portal_responses_portal_user_id"), ["portal_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_portal_responses_recommendation_id"), ["recommendation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("portal_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_responses_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_portal_responses_portal_user_id"))
        batch_op.drop_index(batch_op.f("ix_portal_responses_office_id"))
        batch_op.drop_index(batch_op.f("ix_portal_responses_notified_at"))

    op.drop_table("portal_responses")
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_requests_status"))
        batch_op.drop_index(batch_op.f("ix_extension_requests_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_extension_requests_portal_user_id"))
        batch_op.drop_index(batch_op.f("ix_extension_requests_office_id"))
        batch_op.drop_index(batch_op.f("ix_extension_requests_notified_at"))

    op.drop_table("extension_requests")
    with op.batch_alter_table("portal_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_links_portal_user_id"))

    op.drop_table("portal_links")
    with op.batch_alter_table("portal_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_deliveries_portal_user_id"))
        batch_op.drop_index(batch_op.f("ix_portal_deliveries_letter_id"))

    op.drop_table("portal_deliveries")
    with op.batch_alter_table("letter_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_receipts_portal_user_id"))

    op.drop_table("letter_receipts")
    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_users_authority_id"))

    op.drop_table("portal_users")
    with op.batch_alter_table("authority_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authority_contacts_authority_id"))

    op.drop_table("authority_contacts")
