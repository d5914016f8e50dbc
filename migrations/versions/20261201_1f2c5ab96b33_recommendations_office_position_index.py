"""recommendations: an index on (office, position, id) in place of the one on the office alone

Revision ID: 1f2c5ab96b33
Revises: 874c3b296dc7
Create Date: 2026-12-01 00:00:00

The deadlines list reads an office's recommendations without a clock in (position, id) order and stops
after the page (`ombudsman.deadlines.listing`, issue 12). The index's first column serves every lookup the
old one on office_id served, so that one goes. Plain index statements: no table is rebuilt on SQLite, so
its triggers (data stamps, tallies) stay.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1f2c5ab96b33"
down_revision = "874c3b296dc7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_recommendations_office_position", "recommendations", ["office_id", "position", "id"])
    op.drop_index("ix_recommendations_office_id", table_name="recommendations")


def downgrade():
    op.create_index("ix_recommendations_office_id", "recommendations", ["office_id"])
    op.drop_index("ix_recommendations_office_position", table_name="recommendations")
