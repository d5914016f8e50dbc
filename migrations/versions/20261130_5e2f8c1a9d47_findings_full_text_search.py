"""findings full-text search: stemmed search text, PostgreSQL tsvector + GIN, SQLite FTS5

Revision ID: 5e2f8c1a9d47
Revises: a7c41e9d2b63
Create Date: 2026-11-30 14:30:00

Adds `findings.search_text` (the stemmed words of the title and description, see ombudsman/search.py),
fills it in batches of `BATCH` findings (keyset on the id, so each batch is one indexed range read), then
creates the index: on PostgreSQL the generated `search_vector` column and its GIN index (computed once, after
the backfill), on SQLite the FTS5 table, rebuilt from the filled column, and its triggers.

The stemming is imported from the application (ombudsman.search): the stored words must be exactly those
the running application's queries are stemmed into.
"""

import sqlalchemy as sa
from alembic import op

from ombudsman.search import FINDINGS, document

# revision identifiers, used by Alembic.
revision = "5e2f8c1a9d47"
down_revision = "a7c41e9d2b63"
branch_labels = None
depends_on = None

#: Findings stemmed and written per round trip.
BATCH = 2000


def _backfill(bind) -> None:
    findings = sa.table(
        "findings",
        sa.column("id", sa.Integer),
        sa.column("title"),
        sa.column("description"),
        sa.column("search_text"),
    )
    read = (
        sa.select(findings.c.id, findings.c.title, findings.c.description)
        .where(findings.c.id > sa.bindparam("after"))
        .order_by(findings.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(findings)
        .where(findings.c.id == sa.bindparam("finding_id"))
        .values(search_text=sa.bindparam("stems"))
    )
    after = 0
    while rows := bind.execute(read, {"after": after}).all():
        bind.execute(write, [{"finding_id": r.id, "stems": document(r.title, r.description)} for r in rows])
        after = rows[-1].id


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("findings", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    _backfill(bind)
    for statement in FINDINGS.create_statements(dialect) + FINDINGS.rebuild_statements(dialect):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in FINDINGS.drop_statements(dialect):
        op.execute(statement)
    op.drop_column("findings", "search_text")
